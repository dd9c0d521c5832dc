/* Hashes, keys and signatures (see sig.h). */
#include "crypto/sig.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "crypto/pkey_int.h"

static const char *hash_name(int alg)
{
	switch (alg) {
	case CRYPTO_HASH_SHA1: return "SHA1";
	case CRYPTO_HASH_SHA2_256: return "SHA2-256";
	case CRYPTO_HASH_SHA2_384: return "SHA2-384";
	case CRYPTO_HASH_SHA2_512: return "SHA2-512";
	default: return NULL;
	}
}

size_t crypto_hash_len(int alg)
{
	switch (alg) {
	case CRYPTO_HASH_SHA1: return 20;
	case CRYPTO_HASH_SHA2_256: return 32;
	case CRYPTO_HASH_SHA2_384: return 48;
	case CRYPTO_HASH_SHA2_512: return 64;
	default: return 0;
	}
}

int crypto_hash(int alg, const struct crypto_buf *parts, size_t n, uint8_t *out)
{
	const char *name = hash_name(alg);
	if (!name)
		return -ENOTSUP;
	EVP_MD *md = EVP_MD_fetch(NULL, name, NULL);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int err = -EIO;
	if (md && ctx && EVP_DigestInit_ex2(ctx, md, NULL)) {
		err = 0;
		for (size_t i = 0; i < n && !err; i++)
			if (parts[i].len && !EVP_DigestUpdate(ctx, parts[i].p, parts[i].len))
				err = -EIO;
		if (!err && !EVP_DigestFinal_ex(ctx, out, NULL))
			err = -EIO;
	}
	EVP_MD_CTX_free(ctx);
	EVP_MD_free(md);
	return err;
}

int pkey_wrap(EVP_PKEY *pkey, struct crypto_pkey **out)
{
	if (!pkey)
		return -EIO;
	struct crypto_pkey *k = calloc(1, sizeof(*k));
	if (!k) {
		EVP_PKEY_free(pkey);
		return -ENOMEM;
	}
	k->pkey = pkey;
	*out = k;
	return 0;
}

void crypto_pkey_free(struct crypto_pkey *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

int crypto_pkey_type(const struct crypto_pkey *k)
{
	if (EVP_PKEY_is_a(k->pkey, "RSA") || EVP_PKEY_is_a(k->pkey, "RSA-PSS"))
		return CRYPTO_PKEY_RSA;
	if (EVP_PKEY_is_a(k->pkey, "ED25519"))
		return CRYPTO_PKEY_ED25519;
	if (EVP_PKEY_is_a(k->pkey, "ED448"))
		return CRYPTO_PKEY_ED448;
	if (EVP_PKEY_is_a(k->pkey, "EC")) {
		char group[32];
		if (!EVP_PKEY_get_group_name(k->pkey, group, sizeof(group), NULL))
			return -ENOTSUP;
		if (!strcmp(group, "prime256v1") || !strcmp(group, "P-256"))
			return CRYPTO_PKEY_EC_P256;
		if (!strcmp(group, "secp384r1") || !strcmp(group, "P-384"))
			return CRYPTO_PKEY_EC_P384;
		if (!strcmp(group, "secp521r1") || !strcmp(group, "P-521"))
			return CRYPTO_PKEY_EC_P521;
	}
	return -ENOTSUP;
}

int crypto_pkey_generate(int type, unsigned bits, struct crypto_pkey **out)
{
	EVP_PKEY *pkey = NULL;
	switch (type) {
	case CRYPTO_PKEY_RSA:
		if (bits < 2048 || bits > 8192)
			return -EINVAL;
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
		break;
	case CRYPTO_PKEY_EC_P256: pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"); break;
	case CRYPTO_PKEY_EC_P384: pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384"); break;
	case CRYPTO_PKEY_EC_P521: pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-521"); break;
	case CRYPTO_PKEY_ED25519: pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519"); break;
	case CRYPTO_PKEY_ED448: pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED448"); break;
	default: return -ENOTSUP;
	}
	return pkey_wrap(pkey, out);
}

int crypto_pkey_from_raw(int type, int is_private, const uint8_t *key, size_t len,
			 struct crypto_pkey **out)
{
	int id;
	size_t want;
	if (type == CRYPTO_PKEY_ED25519) {
		id = EVP_PKEY_ED25519;
		want = 32;
	} else if (type == CRYPTO_PKEY_ED448) {
		id = EVP_PKEY_ED448;
		want = 57;
	} else {
		return -ENOTSUP;
	}
	if (len != want)
		return -EINVAL;
	EVP_PKEY *pkey = is_private ? EVP_PKEY_new_raw_private_key(id, NULL, key, len)
				    : EVP_PKEY_new_raw_public_key(id, NULL, key, len);
	return pkey ? pkey_wrap(pkey, out) : -EINVAL;
}

int crypto_pkey_raw_public(const struct crypto_pkey *k, uint8_t *out, size_t cap, size_t *len)
{
	int t = crypto_pkey_type(k);
	if (t != CRYPTO_PKEY_ED25519 && t != CRYPTO_PKEY_ED448)
		return -ENOTSUP;
	size_t n = cap;
	if (!EVP_PKEY_get_raw_public_key(k->pkey, out, &n))
		return -ENOBUFS;
	*len = n;
	return 0;
}

size_t crypto_sig_max_len(const struct crypto_pkey *k)
{
	int n = EVP_PKEY_get_size(k->pkey);  /* DER ECDSA maximum for EC keys */
	return n > 0 ? (size_t)n : 0;
}

struct sig_desc {
	int key_type;       /* CRYPTO_PKEY_RSA for any RSA; 0: any EC curve */
	const char *md;     /* NULL for EdDSA (no pre-hash) */
	int pad;            /* RSA padding, 0 otherwise */
	size_t raw_len;     /* ECDSA r | s: 2 * field octets; 0 for DER */
};

static int sig_desc(int scheme, struct sig_desc *d)
{
	static const struct {
		int scheme;
		struct sig_desc d;
	} tab[] = {
		{ CRYPTO_SIG_RSA_PSS_SHA256, { CRYPTO_PKEY_RSA, "SHA2-256", RSA_PKCS1_PSS_PADDING, 0 } },
		{ CRYPTO_SIG_RSA_PSS_SHA384, { CRYPTO_PKEY_RSA, "SHA2-384", RSA_PKCS1_PSS_PADDING, 0 } },
		{ CRYPTO_SIG_RSA_PSS_SHA512, { CRYPTO_PKEY_RSA, "SHA2-512", RSA_PKCS1_PSS_PADDING, 0 } },
		{ CRYPTO_SIG_RSA_PKCS1_SHA256, { CRYPTO_PKEY_RSA, "SHA2-256", RSA_PKCS1_PADDING, 0 } },
		{ CRYPTO_SIG_RSA_PKCS1_SHA384, { CRYPTO_PKEY_RSA, "SHA2-384", RSA_PKCS1_PADDING, 0 } },
		{ CRYPTO_SIG_RSA_PKCS1_SHA512, { CRYPTO_PKEY_RSA, "SHA2-512", RSA_PKCS1_PADDING, 0 } },
		{ CRYPTO_SIG_ECDSA_SHA256, { 0, "SHA2-256", 0, 0 } },
		{ CRYPTO_SIG_ECDSA_SHA384, { 0, "SHA2-384", 0, 0 } },
		{ CRYPTO_SIG_ECDSA_SHA512, { 0, "SHA2-512", 0, 0 } },
		/* RFC 4754 7: r and s each the size of the field */
		{ CRYPTO_SIG_ECDSA_P256_RAW, { CRYPTO_PKEY_EC_P256, "SHA2-256", 0, 64 } },
		{ CRYPTO_SIG_ECDSA_P384_RAW, { CRYPTO_PKEY_EC_P384, "SHA2-384", 0, 96 } },
		{ CRYPTO_SIG_ECDSA_P521_RAW, { CRYPTO_PKEY_EC_P521, "SHA2-512", 0, 132 } },
		{ CRYPTO_SIG_ED25519, { CRYPTO_PKEY_ED25519, NULL, 0, 0 } },
		{ CRYPTO_SIG_ED448, { CRYPTO_PKEY_ED448, NULL, 0, 0 } },
	};
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		if (tab[i].scheme == scheme) {
			*d = tab[i].d;
			return 0;
		}
	}
	return -ENOTSUP;
}

static int sig_fits(const struct sig_desc *d, const struct crypto_pkey *key)
{
	int t = crypto_pkey_type(key);
	if (t < 0)
		return t;
	if (d->key_type == 0)  /* DER ECDSA: any supported curve */
		return t == CRYPTO_PKEY_EC_P256 || t == CRYPTO_PKEY_EC_P384 ||
		       t == CRYPTO_PKEY_EC_P521 ? 0 : -EINVAL;
	return t == d->key_type ? 0 : -EINVAL;
}

static EVP_MD_CTX *sig_ctx(const struct sig_desc *d, const struct crypto_pkey *key, int sign)
{
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	if (!mctx)
		return NULL;
	int ok = sign ? EVP_DigestSignInit_ex(mctx, &pctx, d->md, NULL, NULL, key->pkey, NULL)
		      : EVP_DigestVerifyInit_ex(mctx, &pctx, d->md, NULL, NULL, key->pkey, NULL);
	if (ok == 1 && d->pad) {
		ok = EVP_PKEY_CTX_set_rsa_padding(pctx, d->pad) == 1;
		/* RFC 7427 A.4 / RFC 8247 3.3: salt length = hash length, MGF1
		 * with the same hash (OpenSSL's default MGF1 digest). */
		if (ok && d->pad == RSA_PKCS1_PSS_PADDING)
			ok = EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1;
	}
	if (ok != 1) {
		EVP_MD_CTX_free(mctx);
		return NULL;
	}
	return mctx;
}

/* DER Ecdsa-Sig-Value <-> r | s of n octets each (RFC 4754 7). */
static int ecdsa_der_to_raw(const uint8_t *der, size_t der_len, uint8_t *raw, size_t raw_len)
{
	const uint8_t *p = der;
	ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
	int err = -EIO;
	if (es) {
		const BIGNUM *r, *s;
		ECDSA_SIG_get0(es, &r, &s);
		if (BN_bn2binpad(r, raw, (int)(raw_len / 2)) > 0 &&
		    BN_bn2binpad(s, raw + raw_len / 2, (int)(raw_len / 2)) > 0)
			err = 0;
		ECDSA_SIG_free(es);
	}
	return err;
}

static int ecdsa_raw_to_der(const uint8_t *raw, size_t raw_len, uint8_t **der, size_t *der_len)
{
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(raw, (int)(raw_len / 2), NULL);
	BIGNUM *s = BN_bin2bn(raw + raw_len / 2, (int)(raw_len / 2), NULL);
	int err = -ENOMEM;
	if (es && r && s && ECDSA_SIG_set0(es, r, s)) {
		r = s = NULL;  /* owned by es now */
		unsigned char *out = NULL;
		int n = i2d_ECDSA_SIG(es, &out);
		if (n > 0) {
			*der = out;
			*der_len = (size_t)n;
			err = 0;
		}
	}
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(es);
	return err;
}

int crypto_sig_sign(const struct crypto_pkey *key, int scheme, const uint8_t *msg,
		    size_t len, uint8_t *sig, size_t cap, size_t *sig_len)
{
	struct sig_desc d;
	int err = sig_desc(scheme, &d);
	if (!err)
		err = sig_fits(&d, key);
	if (err)
		return err;
	size_t max = crypto_sig_max_len(key);
	if (!d.raw_len && cap < max)
		return -ENOBUFS;
	if (d.raw_len && cap < d.raw_len)
		return -ENOBUFS;
	uint8_t *tmp = malloc(max ? max : 1);
	EVP_MD_CTX *mctx = sig_ctx(&d, key, 1);
	size_t n = max;
	err = -EIO;
	if (tmp && mctx && EVP_DigestSign(mctx, tmp, &n, msg, len) == 1) {
		if (d.raw_len) {
			err = ecdsa_der_to_raw(tmp, n, sig, d.raw_len);
			n = d.raw_len;
		} else {
			memcpy(sig, tmp, n);
			err = 0;
		}
		if (!err)
			*sig_len = n;
	}
	EVP_MD_CTX_free(mctx);
	free(tmp);
	return err;
}

int crypto_sig_verify(const struct crypto_pkey *key, int scheme, const uint8_t *msg,
		      size_t len, const uint8_t *sig, size_t sig_len)
{
	struct sig_desc d;
	int err = sig_desc(scheme, &d);
	if (!err)
		err = sig_fits(&d, key);
	if (err)
		return err;
	if (d.raw_len && sig_len != d.raw_len)
		return -EACCES;
	uint8_t *der = NULL;
	size_t der_len = 0;
	if (d.raw_len && (err = ecdsa_raw_to_der(sig, sig_len, &der, &der_len)))
		return err;
	EVP_MD_CTX *mctx = sig_ctx(&d, key, 0);
	err = -EACCES;
	ERR_set_mark();  /* a bad signature is the peer's, not an error to keep */
	if (mctx && EVP_DigestVerify(mctx, der ? der : sig, der ? der_len : sig_len, msg, len) == 1)
		err = 0;
	ERR_pop_to_mark();
	if (!mctx)
		err = -ENOMEM;
	EVP_MD_CTX_free(mctx);
	OPENSSL_free(der);
	return err;
}
