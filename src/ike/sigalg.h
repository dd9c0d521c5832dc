/* RFC 7427 3: the ASN.1 AlgorithmIdentifier that prefixes a signature in
 * an AUTH payload with method 14 (Digital Signature), for each signature
 * scheme of src/crypto/sig.h. */
#ifndef PETREL_IKE_SIGALG_H
#define PETREL_IKE_SIGALG_H

#include <stddef.h>
#include <stdint.h>

/* The AlgorithmIdentifier DER for scheme (enum crypto_sig_scheme), or NULL. */
const uint8_t *ike_sigalg_der(int scheme, size_t *len);
/* The scheme an AlgorithmIdentifier names; -ENOTSUP for others. */
int ike_sigalg_scheme(const uint8_t *der, size_t len);
/* The RFC 7427 hash ID a scheme needs the peer to have announced in
 * SIGNATURE_HASH_ALGORITHMS (2, 3, 4; 5 "Identity" for EdDSA). */
uint16_t ike_sigalg_hash(int scheme);

#endif
