/* AES-CBC with HMAC-SHA2 integrity, encrypt-then-MAC, for the IKE SK payload
 * (RFC 7296 3.14) when the peer offers no AEAD: ENCR_AES_CBC (RFC 3602)
 * with AUTH_HMAC_SHA2_256_128 / _384_192 / _512_256 (RFC 4868 2.1).
 *
 * The ICV covers aad | iv | ciphertext: for the SK payload, aad is the IKE
 * message from its header up to the IV (RFC 7296 3.14: "from the first
 * octet of the fixed IKE header through the last octet of the Encrypted
 * Payload", the ICV excluded). Padding and the Pad Length octet are the
 * caller's (RFC 7296 3.14); len must be a multiple of 16. One context per
 * SA direction's keys, no allocation per message. */
#ifndef PETREL_CRYPTO_CBC_HMAC_H
#define PETREL_CRYPTO_CBC_HMAC_H

#include <stddef.h>
#include <stdint.h>

#define CRYPTO_ENCR_AES_CBC 12          /* IKEv2 Transform Type 1 (IANA) */
#define CRYPTO_CBC_BLOCK_LEN 16u
#define CRYPTO_CBC_IV_LEN 16u

/* IKEv2 Transform Type 3 (INTEG) IDs (IANA, RFC 4868). */
enum crypto_integ_alg {
	CRYPTO_INTEG_HMAC_SHA2_256_128 = 12,
	CRYPTO_INTEG_HMAC_SHA2_384_192 = 13,
	CRYPTO_INTEG_HMAC_SHA2_512_256 = 14,
};

struct crypto_cbc_hmac;

/* RFC 4868 2.1.1: the key is the hash output length; the ICV is half of it.
 * 0 for an unknown alg. */
size_t crypto_integ_key_len(int integ);
size_t crypto_integ_icv_len(int integ);

/* enc_key 16, 24 or 32 octets; integ_key crypto_integ_key_len() octets.
 * 0, -EINVAL, -ENOTSUP, -ENOMEM. */
int crypto_cbc_hmac_new(const uint8_t *enc_key, size_t enc_key_len, int integ,
			const uint8_t *integ_key, size_t integ_key_len,
			struct crypto_cbc_hmac **out);
void crypto_cbc_hmac_free(struct crypto_cbc_hmac *c);
size_t crypto_cbc_hmac_icv_len(const struct crypto_cbc_hmac *c);

/* Encrypt buf in place under iv, then icv = HMAC(aad | iv | buf) truncated. */
int crypto_cbc_hmac_seal(struct crypto_cbc_hmac *c, const uint8_t iv[CRYPTO_CBC_IV_LEN],
			 const uint8_t *aad, size_t aad_len, uint8_t *buf, size_t len,
			 uint8_t *icv);
/* Check the ICV first (constant time), then decrypt in place.
 * 0, -EACCES (ICV mismatch; buf untouched), -EINVAL (len). */
int crypto_cbc_hmac_open(struct crypto_cbc_hmac *c, const uint8_t iv[CRYPTO_CBC_IV_LEN],
			 const uint8_t *aad, size_t aad_len, uint8_t *buf, size_t len,
			 const uint8_t *icv);

#endif
