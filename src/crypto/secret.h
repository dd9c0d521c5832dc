/* Key material in one owned, heap-held type, wiped when freed.
 *
 * Every secret petrel derives or exchanges (g^ir, SKEYSEED, SK_*, KEYMAT,
 * ML-KEM shared secrets) lives in a struct secret. The bytes are cleansed with
 * OPENSSL_cleanse before they go back to the allocator, and compares of
 * secrets, MACs, ICVs and AUTH payloads are constant time (STYLE.md "Bytes
 * from a peer": never memcmp on a MAC). */
#ifndef PETREL_CRYPTO_SECRET_H
#define PETREL_CRYPTO_SECRET_H

#include <stddef.h>
#include <stdint.h>

struct secret {
	size_t len;
	uint8_t *p;     /* len bytes, owned; never logged */
};

/* A view of bytes, for functions that take a list of pieces to concatenate
 * (prf inputs such as Ni | Nr | SPIi | SPIr). */
struct crypto_buf {
	const uint8_t *p;
	size_t len;
};

/* A new secret of len bytes, zero-filled (len may be 0). 0 or -ENOMEM. */
int crypto_secret_new(size_t len, struct secret **out);
/* A new secret holding a copy of p[0..len). */
int crypto_secret_from(const void *p, size_t len, struct secret **out);
/* A new secret holding the pieces one after another. */
int crypto_secret_concat(const struct crypto_buf *parts, size_t n, struct secret **out);
/* A copy of bytes [off, off+len) of s; -EINVAL when out of range. */
int crypto_secret_slice(const struct secret *s, size_t off, size_t len, struct secret **out);
/* Cleanse and free; NULL is fine. */
void crypto_secret_free(struct secret *s);
/* 1 when both have the same length and bytes (constant time in the bytes). */
int crypto_secret_eq(const struct secret *a, const struct secret *b);

/* Constant-time compare of n bytes (CRYPTO_memcmp): 1 equal, 0 not. For every
 * MAC, ICV and AUTH value a peer sends. */
int crypto_memeq(const void *a, const void *b, size_t n);
/* Wipe memory that held key material (OPENSSL_cleanse: not optimised away). */
void crypto_wipe(void *p, size_t n);

/* n bytes from the OpenSSL DRBG (RAND_bytes): nonces, SPIs, IVs.
 * 0 or -EIO when the DRBG fails (it then must not be used). */
int crypto_random(void *buf, size_t n);

#endif
