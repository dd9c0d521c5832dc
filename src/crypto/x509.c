/* Certificates, private keys and chain verification (see x509.h). */
#include "crypto/x509.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "base/limits.h"
#include "crypto/pkey_int.h"

struct crypto_cert {
	X509 *x;
	uint8_t *der;
	size_t der_len;
};

struct crypto_castore {
	X509_STORE *store;
};

/* Private keys and CA bundles are local files: cap what we read. */
#define X509_FILE_MAX_LEN (1024u * 1024u)

static int is_pem(const void *data, size_t len)
{
	static const char tag[] = "-----BEGIN";
	const char *p = data;
	/* PEM may start after leading text (openssl x509 -text output). */
	for (size_t i = 0; i + sizeof(tag) - 1 <= len && i < 4096; i++)
		if (!memcmp(p + i, tag, sizeof(tag) - 1)) /* public-memcmp: PEM armour */
			return 1;
	return 0;
}

static int cert_wrap(X509 *x, struct crypto_cert **out)
{
	struct crypto_cert *c = calloc(1, sizeof(*c));
	unsigned char *der = NULL;
	int n = i2d_X509(x, &der);
	if (!c || n <= 0) {
		free(c);
		OPENSSL_free(der);
		X509_free(x);
		return n <= 0 ? -EBADMSG : -ENOMEM;
	}
	c->x = x;
	c->der = der;
	c->der_len = (size_t)n;
	*out = c;
	return 0;
}

int crypto_cert_load(const void *data, size_t len, struct crypto_cert **out)
{
	if (len > PT_IKE_CERT_MAX_LEN * 2 || len > INT_MAX)
		return -E2BIG;
	X509 *x = NULL;
	ERR_set_mark();
	if (is_pem(data, len)) {
		BIO *bio = BIO_new_mem_buf(data, (int)len);
		if (bio)
			x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
		BIO_free(bio);
	} else {
		const unsigned char *p = data;
		x = d2i_X509(NULL, &p, (long)len);
		/* One certificate exactly: no trailing bytes. */
		if (x && (size_t)(p - (const unsigned char *)data) != len) {
			X509_free(x);
			x = NULL;
		}
	}
	ERR_pop_to_mark();
	if (!x)
		return -EBADMSG;
	int err = cert_wrap(x, out);
	if (!err && (*out)->der_len > PT_IKE_CERT_MAX_LEN) {
		crypto_cert_free(*out);
		return -E2BIG;
	}
	return err;
}

/* Read a whole small file into memory. */
static int read_file(const char *path, uint8_t **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -errno;
	uint8_t *buf = malloc(X509_FILE_MAX_LEN);
	size_t n = buf ? fread(buf, 1, X509_FILE_MAX_LEN, f) : 0;
	int err = !buf ? -ENOMEM : ferror(f) ? -EIO : 0;
	if (!err && n == X509_FILE_MAX_LEN && fgetc(f) != EOF)
		err = -E2BIG;
	fclose(f);
	if (err) {
		free(buf);
		return err;
	}
	*data = buf;
	*len = n;
	return 0;
}

int crypto_cert_load_file(const char *path, struct crypto_cert **out)
{
	uint8_t *data;
	size_t len;
	int err = read_file(path, &data, &len);
	if (err)
		return err;
	err = crypto_cert_load(data, len, out);
	free(data);
	return err;
}

void crypto_cert_free(struct crypto_cert *c)
{
	if (!c)
		return;
	X509_free(c->x);
	OPENSSL_free(c->der);
	free(c);
}

const uint8_t *crypto_cert_der(const struct crypto_cert *c, size_t *len)
{
	*len = c->der_len;
	return c->der;
}

int crypto_cert_subject_der(const struct crypto_cert *c, uint8_t *out, size_t cap, size_t *len)
{
	const unsigned char *der;
	size_t n;
	if (!X509_NAME_get0_der(X509_get_subject_name(c->x), &der, &n))
		return -EIO;
	if (n > cap)
		return -ENOBUFS;
	memcpy(out, der, n);
	*len = n;
	return 0;
}

int crypto_cert_spki_sha1(const struct crypto_cert *c, uint8_t out[20])
{
	unsigned char *spki = NULL;
	int n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(c->x), &spki);
	if (n <= 0)
		return -EIO;
	struct crypto_buf b = { spki, (size_t)n };
	int err = crypto_hash(CRYPTO_HASH_SHA1, &b, 1, out);
	OPENSSL_free(spki);
	return err;
}

int crypto_cert_pubkey(const struct crypto_cert *c, struct crypto_pkey **out)
{
	EVP_PKEY *pk = X509_get_pubkey(c->x);  /* a new reference */
	return pk ? pkey_wrap(pk, out) : -EBADMSG;
}

int crypto_pkey_load(const void *data, size_t len, struct crypto_pkey **out)
{
	if (len > INT_MAX)
		return -E2BIG;
	EVP_PKEY *pk = NULL;
	ERR_set_mark();
	if (is_pem(data, len)) {
		BIO *bio = BIO_new_mem_buf(data, (int)len);
		if (bio)
			pk = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
		BIO_free(bio);
	} else {
		const unsigned char *p = data;
		pk = d2i_AutoPrivateKey(NULL, &p, (long)len);
	}
	ERR_pop_to_mark();
	return pk ? pkey_wrap(pk, out) : -EBADMSG;
}

int crypto_pkey_load_file(const char *path, struct crypto_pkey **out)
{
	uint8_t *data;
	size_t len;
	int err = read_file(path, &data, &len);
	if (err)
		return err;
	err = crypto_pkey_load(data, len, out);
	crypto_wipe(data, len);
	free(data);
	return err;
}

int crypto_castore_new(struct crypto_castore **out)
{
	struct crypto_castore *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->store = X509_STORE_new();
	if (!s->store) {
		free(s);
		return -ENOMEM;
	}
	*out = s;
	return 0;
}

void crypto_castore_free(struct crypto_castore *s)
{
	if (!s)
		return;
	X509_STORE_free(s->store);
	free(s);
}

int crypto_castore_add(struct crypto_castore *s, const struct crypto_cert *ca)
{
	/* X509_STORE_add_cert takes its own reference. */
	return X509_STORE_add_cert(s->store, ca->x) ? 0 : -EIO;
}

int crypto_castore_load_file(struct crypto_castore *s, const char *path)
{
	uint8_t *data;
	size_t len;
	int err = read_file(path, &data, &len);
	if (err)
		return err;
	BIO *bio = BIO_new_mem_buf(data, (int)len);
	int added = 0;
	X509 *x;
	ERR_set_mark();
	while (bio && (x = PEM_read_bio_X509(bio, NULL, NULL, NULL))) {
		if (X509_STORE_add_cert(s->store, x))
			added++;
		X509_free(x);
	}
	ERR_pop_to_mark();
	BIO_free(bio);
	free(data);
	return added ? 0 : -EBADMSG;
}

/* Does the verified leaf prove the identity? Only subjectAltNames count for
 * FQDN and email (never the CN: RFC 4945 3.1, 3.2 say the SAN). */
static int cert_matches(X509 *x, int type, const uint8_t *id, size_t len)
{
	const unsigned int flags = X509_CHECK_FLAG_NEVER_CHECK_SUBJECT |
				   X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS;
	switch (type) {
	case CRYPTO_ID_FQDN:
		if (memchr(id, 0, len))
			return 0;
		return X509_check_host(x, (const char *)id, len, flags, NULL) == 1;
	case CRYPTO_ID_RFC822_ADDR:
		if (memchr(id, 0, len))
			return 0;
		return X509_check_email(x, (const char *)id, len, flags) == 1;
	case CRYPTO_ID_IPV4_ADDR:
		return len == 4 && X509_check_ip(x, id, len, 0) == 1;
	case CRYPTO_ID_IPV6_ADDR:
		return len == 16 && X509_check_ip(x, id, len, 0) == 1;
	case CRYPTO_ID_DER_ASN1_DN: {
		/* RFC 4945 3.1.5: the ID must match the subject. Compare the
		 * canonical form, so encoding differences (string types) agree. */
		const unsigned char *p = id;
		X509_NAME *want = d2i_X509_NAME(NULL, &p, (long)len);
		int ok = want && (size_t)(p - id) == len &&
			 X509_NAME_cmp(want, X509_get_subject_name(x)) == 0;
		X509_NAME_free(want);
		return ok;
	}
	default:
		return 0;
	}
}

int crypto_cert_verify(const struct crypto_castore *s, const struct crypto_cert *leaf,
		       const struct crypto_cert *const *chain, size_t n, int64_t now_s,
		       int id_type, const uint8_t *id, size_t id_len)
{
	/* leaf + intermediates must fit in the CERT payloads one message may
	 * carry (limits.h). */
	if (n >= PT_IKE_CERTS_MAX)
		return -E2BIG;
	if (id && id_len > 1024)
		return -EINVAL;
	int err = -ENOMEM;
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	if (!untrusted || !ctx)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (!sk_X509_push(untrusted, chain[i]->x))  /* borrowed, not owned */
			goto out;
	err = -EACCES;
	ERR_set_mark();
	if (X509_STORE_CTX_init(ctx, s->store, leaf->x, untrusted) == 1) {
		X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(ctx);
		/* Depth counts the intermediates, not the leaf or the root. */
		X509_VERIFY_PARAM_set_depth(param, (int)PT_IKE_CERTS_MAX);
		X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_X509_STRICT);
		if (now_s)
			X509_VERIFY_PARAM_set_time(param, (time_t)now_s);
		if (X509_verify_cert(ctx) == 1 &&
		    (!id || cert_matches(leaf->x, id_type, id, id_len)))
			err = 0;
	}
	ERR_pop_to_mark();
out:
	X509_STORE_CTX_free(ctx);
	sk_X509_free(untrusted);
	return err;
}
