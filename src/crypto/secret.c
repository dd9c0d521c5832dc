/* struct secret, constant-time compares and the RNG: the small pieces every
 * other crypto file uses. */
#include "crypto/secret.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

int crypto_secret_new(size_t len, struct secret **out)
{
	struct secret *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	/* calloc(0) may return NULL; keep a valid pointer for len 0 too. */
	s->p = calloc(1, len ? len : 1);
	if (!s->p) {
		free(s);
		return -ENOMEM;
	}
	s->len = len;
	*out = s;
	return 0;
}

int crypto_secret_from(const void *p, size_t len, struct secret **out)
{
	struct crypto_buf b = { p, len };
	return crypto_secret_concat(&b, 1, out);
}

int crypto_secret_concat(const struct crypto_buf *parts, size_t n, struct secret **out)
{
	size_t total = 0;
	for (size_t i = 0; i < n; i++) {
		if (parts[i].len > SIZE_MAX / 2 - total)
			return -EINVAL;
		total += parts[i].len;
	}
	struct secret *s;
	int err = crypto_secret_new(total, &s);
	if (err)
		return err;
	size_t off = 0;
	for (size_t i = 0; i < n; i++) {
		if (parts[i].len)
			memcpy(s->p + off, parts[i].p, parts[i].len);
		off += parts[i].len;
	}
	*out = s;
	return 0;
}

int crypto_secret_slice(const struct secret *s, size_t off, size_t len, struct secret **out)
{
	if (off > s->len || len > s->len - off)
		return -EINVAL;
	return crypto_secret_from(s->p + off, len, out);
}

void crypto_secret_free(struct secret *s)
{
	if (!s)
		return;
	OPENSSL_cleanse(s->p, s->len);
	free(s->p);
	free(s);
}

int crypto_secret_eq(const struct secret *a, const struct secret *b)
{
	if (a->len != b->len)
		return 0;
	return crypto_memeq(a->p, b->p, a->len);
}

int crypto_memeq(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}

void crypto_wipe(void *p, size_t n)
{
	OPENSSL_cleanse(p, n);
}

int crypto_random(void *buf, size_t n)
{
	uint8_t *p = buf;
	/* RAND_bytes takes an int length. */
	while (n) {
		int chunk = n > INT_MAX ? INT_MAX : (int)n;
		if (RAND_bytes(p, chunk) != 1)
			return -EIO;
		p += chunk;
		n -= (size_t)chunk;
	}
	return 0;
}
