/* Key exchange methods by IKEv2 Transform Type 4 number, one interface for
 * Diffie-Hellman and KEMs (RFC 7296 1.2, RFC 9370 2.2):
 *
 *   initiator: crypto_ke_new()     -> crypto_ke_public(): KEi data
 *                                     (DH public value / ML-KEM encapsulation key)
 *   responder: crypto_ke_respond() -> KEr data (DH public value / ML-KEM
 *                                     ciphertext) and the shared secret
 *   initiator: crypto_ke_finish()  -> the shared secret (DH derive / decapsulate)
 *
 * Every peer value is checked before use: exact length per method, ECP
 * points on the curve and not the identity (RFC 5903 7, RFC 7296 5.10 via
 * SP 800-56A 5.6.2.3), X25519/X448 results not all zero (RFC 8031 2.3),
 * ML-KEM encapsulation keys by the FIPS 203 7.2 modulus check (done by the
 * provider). Failures are -EBADMSG. */
#ifndef PETREL_CRYPTO_KE_H
#define PETREL_CRYPTO_KE_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/secret.h"

/* IKEv2 Transform Type 4 (Key Exchange Method) IDs (IANA). */
enum crypto_ke_method {
	CRYPTO_KE_ECP256 = 19,      /* RFC 5903 */
	CRYPTO_KE_ECP384 = 20,
	CRYPTO_KE_ECP521 = 21,
	CRYPTO_KE_CURVE25519 = 31,  /* RFC 8031 */
	CRYPTO_KE_CURVE448 = 32,
	CRYPTO_KE_MLKEM512 = 35,    /* draft-ietf-ipsecme-ikev2-mlkem */
	CRYPTO_KE_MLKEM768 = 36,
	CRYPTO_KE_MLKEM1024 = 37,
};

struct crypto_ke;

/* 1 when this build and its OpenSSL providers can do method, else 0. */
int crypto_ke_supported(int method);
/* 1 for ML-KEM methods (whether or not supported here). */
int crypto_ke_is_kem(int method);
/* Length of the initiator's KE data (DH public / ML-KEM ek), the responder's
 * (DH public / ML-KEM ciphertext) and the shared secret; 0 for unknown. */
size_t crypto_ke_init_len(int method);
size_t crypto_ke_resp_len(int method);
size_t crypto_ke_secret_len(int method);

/* A fresh key pair. 0, -ENOTSUP, -ENOMEM, -EIO. */
int crypto_ke_new(int method, struct crypto_ke **out);
/* A key pair from fixed private material, for known-answer tests:
 * ECP the scalar (32/48/66 octets, big-endian), Curve25519/448 the raw private
 * key (32/56), ML-KEM the FIPS 203 seed d | z (64) where the provider takes it
 * (OpenSSL >= 3.5; else -ENOTSUP). */
int crypto_ke_new_from_private(int method, const uint8_t *priv, size_t len,
			       struct crypto_ke **out);
void crypto_ke_free(struct crypto_ke *ke);
int crypto_ke_method(const struct crypto_ke *ke);
/* The KE data to send; valid while ke lives. */
const uint8_t *crypto_ke_public(const struct crypto_ke *ke, size_t *len);

/* Initiator: from the responder's KE data, the shared secret (g^ir, or the
 * ML-KEM shared key). 0, -EBADMSG (peer value), -EIO. */
int crypto_ke_finish(struct crypto_ke *ke, const uint8_t *peer, size_t peer_len,
		     struct secret **out);

/* Responder: from the initiator's KE data, the KE data to answer with (into
 * out[0..cap), *out_len set) and the shared secret. 0, -ENOTSUP, -EBADMSG,
 * -ENOBUFS (cap), -EIO. */
int crypto_ke_respond(int method, const uint8_t *peer, size_t peer_len,
		      uint8_t *out, size_t cap, size_t *out_len, struct secret **secret);

#endif
