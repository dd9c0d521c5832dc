/* ML-KEM (FIPS 203) key exchange for IKEv2 (draft-ietf-ipsecme-ikev2-mlkem:
 * the initiator sends the encapsulation key, the responder the ciphertext,
 * and the 32-octet shared key is the exchange's shared secret).
 *
 * Found at run time, not at build time: OpenSSL >= 3.5 has "ML-KEM-768"
 * etc. in its default provider; on 3.0-3.4 oqsprovider, if it can be loaded,
 * names them "mlkem768" etc. Only EVP_PKEY_encapsulate/_decapsulate (since
 * 3.0) are used, so this compiles against the 3.0 headers too. */
#include <errno.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/provider.h>

#include "crypto/ke_int.h"

/* OSSL_PKEY_PARAM_ML_KEM_SEED in OpenSSL >= 3.5 headers: FIPS 203 d | z. */
#define MLKEM_PARAM_SEED "seed"
#define MLKEM_SEED_LEN 64u

static const struct {
	int method;
	const char *std;   /* OpenSSL >= 3.5 */
	const char *oqs;   /* oqsprovider */
} mlkem_names[] = {
	{ CRYPTO_KE_MLKEM512, "ML-KEM-512", "mlkem512" },
	{ CRYPTO_KE_MLKEM768, "ML-KEM-768", "mlkem768" },
	{ CRYPTO_KE_MLKEM1024, "ML-KEM-1024", "mlkem1024" },
};
#define MLKEM_N (sizeof(mlkem_names) / sizeof(mlkem_names[0]))

/* The name that works here per method, found once. */
static const char *mlkem_found[MLKEM_N];
static CRYPTO_ONCE mlkem_once = CRYPTO_ONCE_STATIC_INIT;

static int mlkem_have(const char *name)
{
	EVP_KEYMGMT *km = EVP_KEYMGMT_fetch(NULL, name, NULL);
	EVP_KEM *kem = EVP_KEM_fetch(NULL, name, NULL);
	int ok = km && kem;
	EVP_KEYMGMT_free(km);
	EVP_KEM_free(kem);
	return ok;
}

static void mlkem_probe(void)
{
	int missing = 0;
	ERR_set_mark();  /* failed fetches and loads are expected: stay quiet */
	for (size_t i = 0; i < MLKEM_N; i++) {
		if (mlkem_have(mlkem_names[i].std))
			mlkem_found[i] = mlkem_names[i].std;
		else
			missing = 1;
	}
	/* retain_fallbacks = 1, so loading it does not stop the default
	 * provider from being loaded. The provider stays loaded. */
	if (missing && OSSL_PROVIDER_try_load(NULL, "oqsprovider", 1)) {
		for (size_t i = 0; i < MLKEM_N; i++)
			if (!mlkem_found[i] && mlkem_have(mlkem_names[i].oqs))
				mlkem_found[i] = mlkem_names[i].oqs;
	}
	ERR_pop_to_mark();
}

static const char *mlkem_name(int method)
{
	if (!CRYPTO_THREAD_run_once(&mlkem_once, mlkem_probe))
		return NULL;
	for (size_t i = 0; i < MLKEM_N; i++)
		if (mlkem_names[i].method == method)
			return mlkem_found[i];
	return NULL;
}

int ke_mlkem_supported(int method)
{
	return mlkem_name(method) != NULL;
}

static int mlkem_export(struct crypto_ke *ke)
{
	size_t want = crypto_ke_init_len(ke->method), len = 0;
	/* The encoded public key is the raw ek (FIPS 203 7.1) for both providers. */
	if (EVP_PKEY_get_octet_string_param(ke->pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY,
					    ke->pub, sizeof(ke->pub), &len) != 1 &&
	    EVP_PKEY_get_octet_string_param(ke->pkey, OSSL_PKEY_PARAM_PUB_KEY,
					    ke->pub, sizeof(ke->pub), &len) != 1)
		return -EIO;
	if (len != want)
		return -EIO;
	ke->pub_len = len;
	return 0;
}

int ke_mlkem_keygen(struct crypto_ke *ke, const uint8_t *seed, size_t seed_len)
{
	const char *name = mlkem_name(ke->method);
	if (!name)
		return -ENOTSUP;
	if (seed && seed_len != MLKEM_SEED_LEN)
		return -EINVAL;
	int err = -EIO;
	ERR_set_mark();
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, name, NULL);
	if (!ctx || EVP_PKEY_keygen_init(ctx) != 1)
		goto out;
	if (seed) {
		OSSL_PARAM params[] = {
			OSSL_PARAM_construct_octet_string(MLKEM_PARAM_SEED,
							  (void *)(uintptr_t)seed, seed_len),
			OSSL_PARAM_construct_end(),
		};
		/* oqsprovider does not take a seed, and unknown parameters are
		 * ignored silently: ask first. */
		if (!OSSL_PARAM_locate_const(EVP_PKEY_CTX_settable_params(ctx), MLKEM_PARAM_SEED) ||
		    EVP_PKEY_CTX_set_params(ctx, params) != 1) {
			err = -ENOTSUP;
			goto out;
		}
	}
	if (EVP_PKEY_generate(ctx, &ke->pkey) != 1)
		goto out;
	err = mlkem_export(ke);
out:
	EVP_PKEY_CTX_free(ctx);
	ERR_pop_to_mark();
	return err;
}

int ke_mlkem_decap(struct crypto_ke *ke, const uint8_t *ct, size_t ct_len,
		   struct secret **out)
{
	if (ct_len != crypto_ke_resp_len(ke->method))
		return -EBADMSG;
	int err = -EIO;
	struct secret *s = NULL;
	size_t len = 0;
	ERR_set_mark();
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, ke->pkey, NULL);
	if (!ctx || EVP_PKEY_decapsulate_init(ctx, NULL) != 1 ||
	    EVP_PKEY_decapsulate(ctx, NULL, &len, ct, ct_len) != 1 ||
	    len != crypto_ke_secret_len(ke->method))
		goto out;
	if ((err = crypto_secret_new(len, &s)))
		goto out;
	/* FIPS 203 6.3: a ciphertext that does not re-encrypt gives the
	 * implicit-rejection key J(z | c), not an error; the mismatch shows up
	 * later as an AUTH failure. */
	err = -EIO;
	if (EVP_PKEY_decapsulate(ctx, s->p, &len, ct, ct_len) != 1 || len != s->len)
		goto out;
	*out = s;
	s = NULL;
	err = 0;
out:
	crypto_secret_free(s);
	EVP_PKEY_CTX_free(ctx);
	ERR_pop_to_mark();
	return err;
}

int ke_mlkem_encap(int method, const uint8_t *ek, size_t ek_len,
		   uint8_t *ct, size_t cap, size_t *ct_len, struct secret **out)
{
	const char *name = mlkem_name(method);
	if (!name)
		return -ENOTSUP;
	if (ek_len != crypto_ke_init_len(method))
		return -EBADMSG;
	int err = -EBADMSG;
	struct secret *s = NULL;
	EVP_PKEY *peer = NULL;
	size_t clen = 0, slen = 0;
	ERR_set_mark();
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, name, NULL);
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
						  (void *)(uintptr_t)ek, ek_len),
		OSSL_PARAM_construct_end(),
	};
	/* Import runs the FIPS 203 7.2 encapsulation key check (modulus). */
	if (!ctx || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &peer, EVP_PKEY_PUBLIC_KEY, params) != 1)
		goto out;
	EVP_PKEY_CTX_free(ctx);
	err = -EIO;
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, peer, NULL);
	if (!ctx || EVP_PKEY_encapsulate_init(ctx, NULL) != 1 ||
	    EVP_PKEY_encapsulate(ctx, NULL, &clen, NULL, &slen) != 1 ||
	    clen != crypto_ke_resp_len(method) || slen != crypto_ke_secret_len(method))
		goto out;
	if (clen > cap) {
		err = -ENOBUFS;
		goto out;
	}
	if ((err = crypto_secret_new(slen, &s)))
		goto out;
	err = -EIO;
	if (EVP_PKEY_encapsulate(ctx, ct, &clen, s->p, &slen) != 1 ||
	    clen != crypto_ke_resp_len(method) || slen != s->len)
		goto out;
	*ct_len = clen;
	*out = s;
	s = NULL;
	err = 0;
out:
	crypto_secret_free(s);
	EVP_PKEY_free(peer);
	EVP_PKEY_CTX_free(ctx);
	ERR_pop_to_mark();
	return err;
}
