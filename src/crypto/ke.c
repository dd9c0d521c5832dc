/* Key exchange: the method table, ECP (RFC 5903) and Curve25519/448
 * (RFC 8031) Diffie-Hellman, and the dispatch to ML-KEM (ke_mlkem.c). */
#include "crypto/ke.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include "crypto/ke_int.h"

enum ke_kind { KE_ECP, KE_XDH, KE_KEM };

struct ke_desc {
	int method;
	enum ke_kind kind;
	const char *name;   /* EC group or key type */
	int nid;
	size_t init_len, resp_len, secret_len;
};

static const struct ke_desc ke_table[] = {
	/* RFC 5903 7: the KE data is x | y, each the field size, no 0x04 prefix;
	 * the shared secret is x of the product (RFC 5903 9). */
	{ CRYPTO_KE_ECP256, KE_ECP, "P-256", NID_X9_62_prime256v1, 64, 64, 32 },
	{ CRYPTO_KE_ECP384, KE_ECP, "P-384", NID_secp384r1, 96, 96, 48 },
	{ CRYPTO_KE_ECP521, KE_ECP, "P-521", NID_secp521r1, 132, 132, 66 },
	/* RFC 8031 2: the raw 32/56-octet u-coordinates. */
	{ CRYPTO_KE_CURVE25519, KE_XDH, "X25519", EVP_PKEY_X25519, 32, 32, 32 },
	{ CRYPTO_KE_CURVE448, KE_XDH, "X448", EVP_PKEY_X448, 56, 56, 56 },
	/* FIPS 203 8 Table 3: ek, ciphertext; the shared key is 32 octets. */
	{ CRYPTO_KE_MLKEM512, KE_KEM, NULL, 0, 800, 768, 32 },
	{ CRYPTO_KE_MLKEM768, KE_KEM, NULL, 0, 1184, 1088, 32 },
	{ CRYPTO_KE_MLKEM1024, KE_KEM, NULL, 0, 1568, 1568, 32 },
};

static const struct ke_desc *ke_desc(int method)
{
	for (size_t i = 0; i < sizeof(ke_table) / sizeof(ke_table[0]); i++)
		if (ke_table[i].method == method)
			return &ke_table[i];
	return NULL;
}

int crypto_ke_is_kem(int method)
{
	const struct ke_desc *d = ke_desc(method);
	return d && d->kind == KE_KEM;
}

int crypto_ke_supported(int method)
{
	const struct ke_desc *d = ke_desc(method);
	if (!d)
		return 0;
	return d->kind == KE_KEM ? ke_mlkem_supported(method) : 1;
}

size_t crypto_ke_init_len(int method)
{
	const struct ke_desc *d = ke_desc(method);
	return d ? d->init_len : 0;
}

size_t crypto_ke_resp_len(int method)
{
	const struct ke_desc *d = ke_desc(method);
	return d ? d->resp_len : 0;
}

size_t crypto_ke_secret_len(int method)
{
	const struct ke_desc *d = ke_desc(method);
	return d ? d->secret_len : 0;
}

int crypto_ke_method(const struct crypto_ke *ke)
{
	return ke->method;
}

const uint8_t *crypto_ke_public(const struct crypto_ke *ke, size_t *len)
{
	*len = ke->pub_len;
	return ke->pub;
}

void crypto_ke_free(struct crypto_ke *ke)
{
	if (!ke)
		return;
	EVP_PKEY_free(ke->pkey);
	free(ke);
}

/* An EC key from the group and an uncompressed point (0x04 | x | y), plus the
 * private scalar when priv is set. OpenSSL decodes the point with
 * EC_POINT_oct2point, which refuses coordinates >= p and points off the curve. */
static int ecp_pkey(const struct ke_desc *d, const uint8_t *point, size_t point_len,
		    const BIGNUM *priv, EVP_PKEY **out)
{
	int err = -EBADMSG;
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (!bld || !ctx ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, d->name, 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, point_len) ||
	    (priv && !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv)) ||
	    !(params = OSSL_PARAM_BLD_to_param(bld))) {
		err = -ENOMEM;
		goto out;
	}
	*out = NULL;
	if (EVP_PKEY_fromdata_init(ctx) == 1 &&
	    EVP_PKEY_fromdata(ctx, out, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) == 1)
		err = 0;
out:
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	return err;
}

/* Fill ke->pub with the method's KE data for ke->pkey. */
static int dh_export(const struct ke_desc *d, struct crypto_ke *ke)
{
	size_t len = 0;
	if (d->kind == KE_XDH) {
		len = sizeof(ke->pub);
		if (!EVP_PKEY_get_raw_public_key(ke->pkey, ke->pub, &len) || len != d->init_len)
			return -EIO;
		ke->pub_len = len;
		return 0;
	}
	uint8_t point[1 + 2 * 66];
	if (!EVP_PKEY_get_octet_string_param(ke->pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY,
					     point, sizeof(point), &len) ||
	    len != 1 + d->init_len || point[0] != POINT_CONVERSION_UNCOMPRESSED)
		return -EIO;
	memcpy(ke->pub, point + 1, d->init_len);  /* RFC 5903 7: drop the 0x04 */
	ke->pub_len = d->init_len;
	return 0;
}

/* ECP key pair from a fixed scalar: the public point is computed here. */
static int ecp_from_private(const struct ke_desc *d, const uint8_t *priv, size_t len,
			    EVP_PKEY **out)
{
	if (len != d->init_len / 2)
		return -EINVAL;
	int err = -ENOMEM;
	EC_GROUP *group = EC_GROUP_new_by_curve_name(d->nid);
	EC_POINT *pt = group ? EC_POINT_new(group) : NULL;
	BIGNUM *k = BN_secure_new();
	uint8_t point[1 + 2 * 66];
	size_t point_len;
	if (!pt || !k || !BN_bin2bn(priv, (int)len, k))
		goto out;
	err = -EINVAL;
	if (BN_is_zero(k) || BN_cmp(k, EC_GROUP_get0_order(group)) >= 0 ||
	    !EC_POINT_mul(group, pt, k, NULL, NULL, NULL))
		goto out;
	point_len = EC_POINT_point2oct(group, pt, POINT_CONVERSION_UNCOMPRESSED, point,
				       sizeof(point), NULL);
	if (point_len != 1 + d->init_len)
		goto out;
	err = ecp_pkey(d, point, point_len, k, out);
out:
	BN_clear_free(k);
	EC_POINT_free(pt);
	EC_GROUP_free(group);
	return err;
}

static int ke_alloc(int method, struct crypto_ke **out)
{
	struct crypto_ke *ke = calloc(1, sizeof(*ke));
	if (!ke)
		return -ENOMEM;
	ke->method = method;
	*out = ke;
	return 0;
}

static int ke_make(int method, const uint8_t *priv, size_t len, struct crypto_ke **out)
{
	const struct ke_desc *d = ke_desc(method);
	if (!d)
		return -ENOTSUP;
	if (d->kind == KE_KEM && !ke_mlkem_supported(method))
		return -ENOTSUP;
	struct crypto_ke *ke;
	int err = ke_alloc(method, &ke);
	if (err)
		return err;
	if (d->kind == KE_KEM) {
		err = ke_mlkem_keygen(ke, priv, len);
	} else {
		if (!priv) {
			if (d->kind == KE_ECP)
				ke->pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", d->name);
			else
				ke->pkey = EVP_PKEY_Q_keygen(NULL, NULL, d->name);
			err = ke->pkey ? 0 : -EIO;
		} else if (d->kind == KE_ECP) {
			err = ecp_from_private(d, priv, len, &ke->pkey);
		} else {
			ke->pkey = len == d->init_len ?
				EVP_PKEY_new_raw_private_key(d->nid, NULL, priv, len) : NULL;
			err = ke->pkey ? 0 : -EINVAL;
		}
		if (!err)
			err = dh_export(d, ke);
	}
	if (err) {
		crypto_ke_free(ke);
		return err;
	}
	*out = ke;
	return 0;
}

int crypto_ke_new(int method, struct crypto_ke **out)
{
	return ke_make(method, NULL, 0, out);
}

int crypto_ke_new_from_private(int method, const uint8_t *priv, size_t len,
			       struct crypto_ke **out)
{
	if (!priv)
		return -EINVAL;
	return ke_make(method, priv, len, out);
}

/* The peer's DH public value as an EVP_PKEY, checked. */
static int dh_peer(const struct ke_desc *d, const uint8_t *peer, size_t len, EVP_PKEY **out)
{
	if (len != d->init_len)
		return -EBADMSG;
	if (d->kind == KE_XDH) {
		*out = EVP_PKEY_new_raw_public_key(d->nid, NULL, peer, len);
		return *out ? 0 : -EBADMSG;
	}
	uint8_t point[1 + 2 * 66];
	point[0] = POINT_CONVERSION_UNCOMPRESSED;
	memcpy(point + 1, peer, len);
	return ecp_pkey(d, point, 1 + len, NULL, out);
}

static int dh_derive(const struct ke_desc *d, EVP_PKEY *own, EVP_PKEY *peer,
		     struct secret **out)
{
	int err = -EBADMSG;
	struct secret *s = NULL;
	size_t len = 0;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, own, NULL);
	if (!ctx)
		return -ENOMEM;
	/* validate_peer = 1: the full public-key check of SP 800-56A 5.6.2.3
	 * (in range, on the curve, not the identity, right order) for ECP. */
	if (EVP_PKEY_derive_init(ctx) != 1 || EVP_PKEY_derive_set_peer_ex(ctx, peer, 1) != 1)
		goto out;
	if (EVP_PKEY_derive(ctx, NULL, &len) != 1 || len != d->secret_len)
		goto out;
	if ((err = crypto_secret_new(len, &s)))
		goto out;
	err = -EBADMSG;
	/* OpenSSL refuses an all-zero X25519/X448 result itself (RFC 7748 6,
	 * RFC 8031 2.3); check anyway, in constant time. */
	if (EVP_PKEY_derive(ctx, s->p, &len) != 1 || len != d->secret_len)
		goto out;
	uint8_t acc = 0;
	for (size_t i = 0; i < len; i++)
		acc |= s->p[i];
	if (d->kind == KE_XDH && acc == 0)
		goto out;
	*out = s;
	s = NULL;
	err = 0;
out:
	crypto_secret_free(s);
	EVP_PKEY_CTX_free(ctx);
	return err;
}

int crypto_ke_finish(struct crypto_ke *ke, const uint8_t *peer, size_t peer_len,
		     struct secret **out)
{
	const struct ke_desc *d = ke_desc(ke->method);
	if (!d)
		return -ENOTSUP;
	if (d->kind == KE_KEM)
		return ke_mlkem_decap(ke, peer, peer_len, out);
	EVP_PKEY *pp;
	ERR_set_mark();
	int err = dh_peer(d, peer, peer_len, &pp);
	if (!err) {
		err = dh_derive(d, ke->pkey, pp, out);
		EVP_PKEY_free(pp);
	}
	ERR_pop_to_mark();  /* a bad peer value is the peer's error, not ours */
	return err;
}

int crypto_ke_respond(int method, const uint8_t *peer, size_t peer_len,
		      uint8_t *out, size_t cap, size_t *out_len, struct secret **secret)
{
	const struct ke_desc *d = ke_desc(method);
	if (!d || !crypto_ke_supported(method))
		return -ENOTSUP;
	if (peer_len != d->init_len)
		return -EBADMSG;
	if (cap < d->resp_len)
		return -ENOBUFS;
	if (d->kind == KE_KEM)
		return ke_mlkem_encap(method, peer, peer_len, out, cap, out_len, secret);
	struct crypto_ke *ke;
	int err = crypto_ke_new(method, &ke);
	if (err)
		return err;
	err = crypto_ke_finish(ke, peer, peer_len, secret);
	if (!err) {
		memcpy(out, ke->pub, ke->pub_len);
		*out_len = ke->pub_len;
	}
	crypto_ke_free(ke);
	return err;
}
