/* HMAC through EVP_MAC, one context per key (see hmac.h). */
#include "crypto/hmac.h"

#include <errno.h>
#include <stdlib.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

struct crypto_hmac {
	EVP_MAC_CTX *ctx;
	size_t len;
};

int crypto_hmac_new(const char *digest, const uint8_t *key, size_t key_len,
		    struct crypto_hmac **out)
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (!mac)
		return -ENOTSUP;
	struct crypto_hmac *h = calloc(1, sizeof(*h));
	if (!h) {
		EVP_MAC_free(mac);
		return -ENOMEM;
	}
	h->ctx = EVP_MAC_CTX_new(mac);
	EVP_MAC_free(mac);  /* the context holds its own reference */
	if (!h->ctx) {
		free(h);
		return -ENOMEM;
	}
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)(uintptr_t)digest, 0),
		OSSL_PARAM_construct_end(),
	};
	/* An empty HMAC key is legal (RFC 2104); pass a valid pointer for it. */
	static const uint8_t empty[1];
	if (!EVP_MAC_init(h->ctx, key_len ? key : empty, key_len, params)) {
		crypto_hmac_free(h);
		return -ENOTSUP;
	}
	h->len = EVP_MAC_CTX_get_mac_size(h->ctx);
	*out = h;
	return 0;
}

void crypto_hmac_free(struct crypto_hmac *h)
{
	if (!h)
		return;
	EVP_MAC_CTX_free(h->ctx);  /* the provider cleanses its key copy */
	free(h);
}

size_t crypto_hmac_len(const struct crypto_hmac *h)
{
	return h->len;
}

int crypto_hmac_run(struct crypto_hmac *h, const struct crypto_buf *parts, size_t n,
		    uint8_t *out)
{
	/* A NULL key re-initialises with the key set in crypto_hmac_new(). */
	if (!EVP_MAC_init(h->ctx, NULL, 0, NULL))
		return -EIO;
	for (size_t i = 0; i < n; i++)
		if (parts[i].len && !EVP_MAC_update(h->ctx, parts[i].p, parts[i].len))
			return -EIO;
	size_t outl = 0;
	if (!EVP_MAC_final(h->ctx, out, &outl, h->len) || outl != h->len)
		return -EIO;
	return 0;
}
