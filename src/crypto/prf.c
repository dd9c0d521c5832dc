/* IKEv2 prf, prf+ and key derivation (see prf.h). */
#include "crypto/prf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/hmac.h"

struct crypto_prf {
	struct crypto_hmac *h;
	size_t len;
};

static const char *prf_digest(int alg)
{
	switch (alg) {
	case CRYPTO_PRF_HMAC_SHA1: return "SHA1";
	case CRYPTO_PRF_HMAC_SHA2_256: return "SHA2-256";
	case CRYPTO_PRF_HMAC_SHA2_384: return "SHA2-384";
	case CRYPTO_PRF_HMAC_SHA2_512: return "SHA2-512";
	default: return NULL;
	}
}

size_t crypto_prf_len(int alg)
{
	switch (alg) {
	case CRYPTO_PRF_HMAC_SHA1: return 20;
	case CRYPTO_PRF_HMAC_SHA2_256: return 32;
	case CRYPTO_PRF_HMAC_SHA2_384: return 48;
	case CRYPTO_PRF_HMAC_SHA2_512: return 64;
	default: return 0;
	}
}

int crypto_prf_new(int alg, const uint8_t *key, size_t key_len, struct crypto_prf **out)
{
	const char *digest = prf_digest(alg);
	if (!digest)
		return -ENOTSUP;
	struct crypto_prf *prf = calloc(1, sizeof(*prf));
	if (!prf)
		return -ENOMEM;
	int err = crypto_hmac_new(digest, key, key_len, &prf->h);
	if (err) {
		free(prf);
		return err;
	}
	prf->len = crypto_hmac_len(prf->h);
	*out = prf;
	return 0;
}

void crypto_prf_free(struct crypto_prf *prf)
{
	if (!prf)
		return;
	crypto_hmac_free(prf->h);
	free(prf);
}

int crypto_prf_run(struct crypto_prf *prf, const struct crypto_buf *parts, size_t n,
		   uint8_t *out)
{
	return crypto_hmac_run(prf->h, parts, n, out);
}

/* RFC 7296 2.13:
 *   prf+ (K,S) = T1 | T2 | T3 | T4 | ...
 *   T1 = prf (K, S | 0x01)
 *   T2 = prf (K, T1 | S | 0x02) ...
 * The counter is one octet, so at most 255 blocks. */
int crypto_prf_plus(struct crypto_prf *prf, const struct crypto_buf *parts, size_t n,
		    uint8_t *out, size_t out_len)
{
	if (n > CRYPTO_PRF_PARTS_MAX || out_len > 255 * prf->len)
		return -EINVAL;
	struct crypto_buf in[CRYPTO_PRF_PARTS_MAX + 2];
	uint8_t t[64];  /* the longest prf output (SHA-512) */
	uint8_t counter = 1;
	size_t done = 0;
	int err = 0;

	in[0].p = t;
	in[0].len = 0;  /* no T0 */
	memcpy(&in[1], parts, n * sizeof(*parts));
	in[n + 1].p = &counter;
	in[n + 1].len = 1;
	while (done < out_len) {
		err = crypto_hmac_run(prf->h, in, n + 2, t);
		if (err)
			break;
		size_t take = out_len - done < prf->len ? out_len - done : prf->len;
		memcpy(out + done, t, take);
		done += take;
		in[0].len = prf->len;
		counter++;
	}
	crypto_wipe(t, sizeof(t));
	if (err)
		crypto_wipe(out, out_len);
	return err;
}

/* prf(key, parts...) into a new secret. */
static int prf_once(int alg, const uint8_t *key, size_t key_len,
		    const struct crypto_buf *parts, size_t n, struct secret **out)
{
	struct crypto_prf *prf;
	struct secret *s;
	int err = crypto_prf_new(alg, key, key_len, &prf);
	if (err)
		return err;
	err = crypto_secret_new(prf->len, &s);
	if (!err) {
		err = crypto_prf_run(prf, parts, n, s->p);
		if (err)
			crypto_secret_free(s);
		else
			*out = s;
	}
	crypto_prf_free(prf);
	return err;
}

int crypto_kdf_skeyseed(int alg, struct crypto_buf ni, struct crypto_buf nr,
			const struct secret *gir, struct secret **out)
{
	/* The key is Ni | Nr: concatenate it (RFC 7296 2.14). */
	struct crypto_buf nonces[2] = { ni, nr };
	struct secret *key;
	int err = crypto_secret_concat(nonces, 2, &key);
	if (err)
		return err;
	struct crypto_buf data = { gir->p, gir->len };
	err = prf_once(alg, key->p, key->len, &data, 1, out);
	crypto_secret_free(key);
	return err;
}

/* Fill parts with ke[0..n_ke) | tail[0..n_tail); -EINVAL when too many. */
/* RFC 9370 2.2.4: SK(0) | Ni | Nr | SK(1) | ... | SK(n): the first shared
 * secret, the nonces (tail), then the additional ones in order. */
static int kdf_parts(struct crypto_buf *parts, const struct secret *const *ke, size_t n_ke,
		     const struct crypto_buf *tail, size_t n_tail, size_t *n_out)
{
	size_t n = 0;
	if (n_ke > CRYPTO_PRF_PARTS_MAX - n_tail)
		return -EINVAL;
	if (n_ke) {
		parts[n].p = ke[0]->p;
		parts[n++].len = ke[0]->len;
	}
	memcpy(&parts[n], tail, n_tail * sizeof(*tail));
	n += n_tail;
	for (size_t i = 1; i < n_ke; i++) {
		parts[n].p = ke[i]->p;
		parts[n++].len = ke[i]->len;
	}
	*n_out = n;
	return 0;
}

int crypto_kdf_skeyseed_rekey(int alg, const struct secret *sk_d,
			      const struct secret *const *ke, size_t n_ke,
			      struct crypto_buf ni, struct crypto_buf nr,
			      struct secret **out)
{
	struct crypto_buf tail[2] = { ni, nr };
	struct crypto_buf parts[CRYPTO_PRF_PARTS_MAX];
	size_t n;
	int err = kdf_parts(parts, ke, n_ke, tail, 2, &n);
	if (err)
		return err;
	return prf_once(alg, sk_d->p, sk_d->len, parts, n, out);
}

int crypto_kdf_skeyseed_resume(int alg, const struct secret *sk_d_old,
			       struct crypto_buf ni, struct crypto_buf nr,
			       struct secret **out)
{
	static const char label[] = "Resumption";  /* RFC 5723 5.1, no NUL */
	struct crypto_buf parts[3] = {
		{ (const uint8_t *)label, sizeof(label) - 1 }, ni, nr,
	};
	return prf_once(alg, sk_d_old->p, sk_d_old->len, parts, 3, out);
}

void crypto_ike_keys_free(struct crypto_ike_keys *k)
{
	if (!k)
		return;
	struct secret **all[] = { &k->sk_d, &k->sk_ai, &k->sk_ar, &k->sk_ei,
				  &k->sk_er, &k->sk_pi, &k->sk_pr };
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		crypto_secret_free(*all[i]);
		*all[i] = NULL;
	}
}

int crypto_kdf_ike_keys(int alg, const struct secret *skeyseed,
			struct crypto_buf ni, struct crypto_buf nr,
			const uint8_t spi_i[8], const uint8_t spi_r[8],
			size_t integ_key_len, size_t encr_key_len,
			struct crypto_ike_keys *out)
{
	size_t prf_len = crypto_prf_len(alg);
	if (!prf_len)
		return -ENOTSUP;
	if (integ_key_len > 1024 || encr_key_len > 1024)
		return -EINVAL;
	const size_t lens[7] = { prf_len, integ_key_len, integ_key_len,
				 encr_key_len, encr_key_len, prf_len, prf_len };
	size_t total = 0;
	for (size_t i = 0; i < 7; i++)
		total += lens[i];

	struct crypto_prf *prf;
	struct secret *keymat;
	int err = crypto_prf_new(alg, skeyseed->p, skeyseed->len, &prf);
	if (err)
		return err;
	err = crypto_secret_new(total, &keymat);
	if (err) {
		crypto_prf_free(prf);
		return err;
	}
	struct crypto_buf parts[4] = { ni, nr, { spi_i, 8 }, { spi_r, 8 } };
	err = crypto_prf_plus(prf, parts, 4, keymat->p, total);
	crypto_prf_free(prf);

	struct crypto_ike_keys k = { 0 };
	struct secret **slots[7] = { &k.sk_d, &k.sk_ai, &k.sk_ar, &k.sk_ei,
				     &k.sk_er, &k.sk_pi, &k.sk_pr };
	size_t off = 0;
	for (size_t i = 0; i < 7 && !err; i++) {
		err = crypto_secret_slice(keymat, off, lens[i], slots[i]);
		off += lens[i];
	}
	crypto_secret_free(keymat);
	if (err) {
		crypto_ike_keys_free(&k);
		return err;
	}
	*out = k;
	return 0;
}

int crypto_kdf_child(int alg, const struct secret *sk_d,
		     const struct secret *const *ke, size_t n_ke,
		     struct crypto_buf ni, struct crypto_buf nr,
		     size_t len, struct secret **out)
{
	struct crypto_buf tail[2] = { ni, nr };
	struct crypto_buf parts[CRYPTO_PRF_PARTS_MAX];
	size_t n;
	int err = kdf_parts(parts, ke, n_ke, tail, 2, &n);
	if (err)
		return err;
	struct crypto_prf *prf;
	struct secret *s;
	err = crypto_prf_new(alg, sk_d->p, sk_d->len, &prf);
	if (err)
		return err;
	err = crypto_secret_new(len, &s);
	if (!err) {
		err = crypto_prf_plus(prf, parts, n, s->p, len);
		if (err)
			crypto_secret_free(s);
		else
			*out = s;
	}
	crypto_prf_free(prf);
	return err;
}
