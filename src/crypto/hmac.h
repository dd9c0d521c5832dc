/* HMAC with the key set once (internal to src/crypto): the one keyed-hash
 * context behind prf, prf+ and the HMAC-SHA2 integrity transforms. The key
 * schedule (ipad/opad) is computed once in crypto_hmac_new(); every later
 * computation re-initialises from it without an allocation. */
#ifndef PETREL_CRYPTO_HMAC_H
#define PETREL_CRYPTO_HMAC_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/secret.h"

struct crypto_hmac;

/* digest: "SHA1", "SHA2-256", "SHA2-384", "SHA2-512". 0, -ENOMEM or -ENOTSUP. */
int crypto_hmac_new(const char *digest, const uint8_t *key, size_t key_len,
		    struct crypto_hmac **out);
void crypto_hmac_free(struct crypto_hmac *h);
/* Full output length of the digest. */
size_t crypto_hmac_len(const struct crypto_hmac *h);
/* HMAC(key, parts[0] | ... | parts[n-1]) into out (crypto_hmac_len bytes). */
int crypto_hmac_run(struct crypto_hmac *h, const struct crypto_buf *parts, size_t n,
		    uint8_t *out);

#endif
