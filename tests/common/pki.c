#include "pki.h"

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

static int add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	int ok = ext && X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

static EVP_PKEY *keygen(const char *type)
{
	if (strcmp(type, "RSA") == 0)
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	if (strcmp(type, "ED25519") == 0)
		return EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (strcmp(type, "EC384") == 0)
		return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

static X509 *mint(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key, int ca,
		  const char *san, long serial)
{
	X509 *x = X509_new();
	int ok = x != NULL;
	if (!ok)
		return NULL;
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	X509_gmtime_adj(X509_getm_notBefore(x), -86400L);
	X509_gmtime_adj(X509_getm_notAfter(x), 30 * 86400L);
	X509_set_pubkey(x, key);
	X509_NAME *name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"petrel test", -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
	X509 *iss = issuer ? issuer : x;
	ok = !add_ext(x, iss, NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE") &&
	     !add_ext(x, iss, NID_key_usage, ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature") &&
	     !add_ext(x, iss, NID_subject_key_identifier, "hash") &&
	     (!issuer || !add_ext(x, iss, NID_authority_key_identifier, "keyid:always")) &&
	     (!san || !add_ext(x, iss, NID_subject_alt_name, san));
	EVP_PKEY *sk = issuer_key ? issuer_key : key;
	const EVP_MD *md = EVP_PKEY_is_a(sk, "ED25519") ? NULL : EVP_sha256();
	if (!ok || !X509_sign(x, sk, md)) {
		X509_free(x);
		return NULL;
	}
	return x;
}

static struct crypto_cert *to_petrel(X509 *x)
{
	unsigned char *der = NULL;
	int n = i2d_X509(x, &der);
	struct crypto_cert *c = NULL;
	if (n > 0)
		crypto_cert_load(der, (size_t)n, &c);
	OPENSSL_free(der);
	return c;
}

int tpki_ca_new(struct tpki_ca *ca, const char *cn)
{
	memset(ca, 0, sizeof(*ca));
	EVP_PKEY *k = keygen("EC");
	X509 *x = k ? mint(cn, k, NULL, NULL, 1, NULL, 1) : NULL;
	if (!x) {
		EVP_PKEY_free(k);
		return -1;
	}
	ca->key = k;
	ca->cert = x;
	ca->ccert = to_petrel(x);
	return ca->ccert ? 0 : -1;
}

void tpki_ca_free(struct tpki_ca *ca)
{
	EVP_PKEY_free(ca->key);
	X509_free(ca->cert);
	crypto_cert_free(ca->ccert);
	memset(ca, 0, sizeof(*ca));
}

int tpki_leaf(const struct tpki_ca *ca, const char *key_type, const char *cn, const char *san,
	      struct crypto_cert **cert, struct crypto_pkey **key)
{
	static long serial = 100;
	EVP_PKEY *k = keygen(key_type);
	X509 *x = k ? mint(cn, k, ca->cert, ca->key, 0, san, serial++) : NULL;
	int rc = -1;
	if (x) {
		*cert = to_petrel(x);
		BIO *bio = BIO_new(BIO_s_mem());
		char *pem;
		PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0, NULL, NULL);
		long n = BIO_get_mem_data(bio, &pem);
		rc = *cert && crypto_pkey_load(pem, (size_t)n, key) == 0 ? 0 : -1;
		BIO_free(bio);
	}
	X509_free(x);
	EVP_PKEY_free(k);
	return rc;
}
