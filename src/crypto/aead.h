/* AEAD for ESP and the IKE SK payload: AES-GCM with a 16-octet ICV
 * (RFC 4106, RFC 5282) and ChaCha20-Poly1305 (RFC 7634, RFC 8439).
 *
 * One context per key: the cipher and key are set once in crypto_aead_new();
 * each seal/open sets only the nonce and works in place, with no allocation.
 * A context is for one thread at a time. */
#ifndef PETREL_CRYPTO_AEAD_H
#define PETREL_CRYPTO_AEAD_H

#include <stddef.h>
#include <stdint.h>

/* IKEv2 Transform Type 1 (ENCR) IDs (IANA); the key length picks AES-128/256. */
enum crypto_aead_alg {
	CRYPTO_AEAD_AES_GCM16 = 20,           /* RFC 4106 / RFC 5282 */
	CRYPTO_AEAD_CHACHA20_POLY1305 = 28,   /* RFC 7634 */
};

#define CRYPTO_AEAD_SALT_LEN  4u   /* RFC 4106 4, RFC 7634 2: from the keymat */
#define CRYPTO_AEAD_IV_LEN    8u   /* explicit IV carried in each packet */
#define CRYPTO_AEAD_NONCE_LEN 12u  /* salt | IV */
#define CRYPTO_AEAD_ICV_LEN   16u

struct crypto_aead;

/* Keying material length for alg and key size in bits (128/256 for GCM,
 * 256 for ChaCha20): key plus the 4-octet salt (RFC 4106 8.1, RFC 7634 3).
 * 0 when the combination is not supported. */
size_t crypto_aead_keymat_len(int alg, unsigned key_bits);

/* key: either keymat (key | salt, the length crypto_aead_keymat_len() gives),
 * for crypto_aead_seal/open; or the bare key (16/32 octets), for the
 * 12-octet-nonce entries only (salt zero). 0, -EINVAL (length), -ENOTSUP, -ENOMEM. */
int crypto_aead_new(int alg, const uint8_t *key, size_t key_len, struct crypto_aead **out);
void crypto_aead_free(struct crypto_aead *a);

/* Encrypt buf[0..len) in place, authenticate aad too, write the 16-octet ICV.
 * The nonce is salt | iv (RFC 4106 4, RFC 7634 2). 0 or -EINVAL/-EIO. */
int crypto_aead_seal(struct crypto_aead *a, const uint8_t iv[CRYPTO_AEAD_IV_LEN],
		     const uint8_t *aad, size_t aad_len, uint8_t *buf, size_t len,
		     uint8_t tag[CRYPTO_AEAD_ICV_LEN]);
/* Decrypt in place and check the ICV: 0, or -EACCES when it does not match
 * (buf is then wiped: unauthenticated plaintext never leaves). */
int crypto_aead_open(struct crypto_aead *a, const uint8_t iv[CRYPTO_AEAD_IV_LEN],
		     const uint8_t *aad, size_t aad_len, uint8_t *buf, size_t len,
		     const uint8_t tag[CRYPTO_AEAD_ICV_LEN]);

/* The same with a full 12-octet nonce (RFC 8439 2.8, NIST SP 800-38D with a
 * 96-bit IV); the context's salt is not used. */
int crypto_aead_seal_nonce(struct crypto_aead *a, const uint8_t nonce[CRYPTO_AEAD_NONCE_LEN],
			   const uint8_t *aad, size_t aad_len, uint8_t *buf, size_t len,
			   uint8_t tag[CRYPTO_AEAD_ICV_LEN]);
int crypto_aead_open_nonce(struct crypto_aead *a, const uint8_t nonce[CRYPTO_AEAD_NONCE_LEN],
			   const uint8_t *aad, size_t aad_len, uint8_t *buf, size_t len,
			   const uint8_t tag[CRYPTO_AEAD_ICV_LEN]);

#endif
