/* X.509 chain and identity checks (RFC 7296 3.6/3.7, RFC 4945 3.1): a tiny
 * PKI made at test time in memory with the OpenSSL API (a CA, an
 * intermediate, server certificates with ECDSA and RSA keys and
 * dNSName/rfc822Name/iPAddress SANs), then through petrel's API: chain
 * verified, every identity type matched, wrong name / wrong CA / expired /
 * too-long chain refused, subject DN, SPKI SHA-1 (checked against an
 * independent computation) and a signature verified with the
 * certificate's key. The test itself uses OpenSSL only to mint certificates. */
#include <time.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "base/limits.h"
#include "crypto/x509.h"
#include "vec.h"

#define DAY (24 * 3600L)

static EVP_PKEY *gen_ec(void) { return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"); }

static void add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!ext || !X509_add_ext(x, ext, -1)) {
		fprintf(stderr, "extension %d failed\n", nid);
		exit(2);
	}
	X509_EXTENSION_free(ext);
}

/* A certificate for key, signed by issuer_key (self-signed when issuer is
 * NULL), valid from now+from_s to now+to_s. */
static X509 *mint(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key,
		  int ca, const char *san, long from_s, long to_s, long serial)
{
	X509 *x = X509_new();
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	X509_gmtime_adj(X509_getm_notBefore(x), from_s);
	X509_gmtime_adj(X509_getm_notAfter(x), to_s);
	X509_set_pubkey(x, key);
	X509_NAME *name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"petrel test", -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
	X509 *iss = issuer ? issuer : x;
	if (ca) {
		add_ext(x, iss, NID_basic_constraints, "critical,CA:TRUE");
		add_ext(x, iss, NID_key_usage, "critical,keyCertSign,cRLSign");
	} else {
		add_ext(x, iss, NID_basic_constraints, "critical,CA:FALSE");
		add_ext(x, iss, NID_key_usage, "critical,digitalSignature");
	}
	add_ext(x, iss, NID_subject_key_identifier, "hash");
	if (issuer)
		add_ext(x, iss, NID_authority_key_identifier, "keyid:always");
	if (san)
		add_ext(x, iss, NID_subject_alt_name, san);
	if (!X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256())) {
		fprintf(stderr, "sign failed\n");
		exit(2);
	}
	return x;
}

/* Hand a certificate to petrel as PEM (odd) or DER (even). */
static struct crypto_cert *load(X509 *x, int pem)
{
	struct crypto_cert *c = NULL;
	if (pem) {
		BIO *bio = BIO_new(BIO_s_mem());
		char *data;
		PEM_write_bio_X509(bio, x);
		long n = BIO_get_mem_data(bio, &data);
		CHECK_EQ(crypto_cert_load(data, (size_t)n, &c), 0);
		BIO_free(bio);
	} else {
		unsigned char *der = NULL;
		int n = i2d_X509(x, &der);
		CHECK_EQ(crypto_cert_load(der, (size_t)n, &c), 0);
		if (c) {
			size_t len;
			const uint8_t *p = crypto_cert_der(c, &len);
			CHECK_EQ(len, n);
			CHECK_MEM(p, der, len);
		}
		/* A truncated or padded DER certificate is refused. */
		struct crypto_cert *bad = NULL;
		CHECK_EQ(crypto_cert_load(der, (size_t)n - 1, &bad), -EBADMSG);
		OPENSSL_free(der);
	}
	if (!c)
		exit(1);
	return c;
}

static struct crypto_pkey *load_key(EVP_PKEY *k)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data;
	struct crypto_pkey *out = NULL;
	PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0, NULL, NULL);
	long n = BIO_get_mem_data(bio, &data);
	CHECK_EQ(crypto_pkey_load(data, (size_t)n, &out), 0);
	BIO_free(bio);
	return out;
}

int main(void)
{
	EVP_PKEY *ca_key = gen_ec(), *int_key = gen_ec(), *ec_key = gen_ec(), *other_key = gen_ec();
	EVP_PKEY *rsa_key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	X509 *ca = mint("petrel root", ca_key, NULL, NULL, 1, NULL, -30 * DAY, 365 * DAY, 1);
	X509 *other_ca = mint("petrel root", other_key, NULL, NULL, 1, NULL, -DAY, 365 * DAY, 1);
	X509 *inter = mint("petrel intermediate", int_key, ca, ca_key, 1, NULL, -DAY, 365 * DAY, 2);
	X509 *srv_ec = mint("vpn.example.com", ec_key, inter, int_key, 0,
			    "DNS:vpn.example.com,email:gw@example.com,IP:192.0.2.1,IP:2001:db8::1",
			    -DAY, 30 * DAY, 3);
	X509 *srv_rsa = mint("rsa.example.com", rsa_key, ca, ca_key, 0, "DNS:rsa.example.com",
			     -DAY, 30 * DAY, 4);
	X509 *expired = mint("old.example.com", ec_key, ca, ca_key, 0, "DNS:old.example.com",
			     -10 * DAY, -DAY, 5);

	struct crypto_cert *c_ca = load(ca, 1), *c_other = load(other_ca, 0);
	struct crypto_cert *c_int = load(inter, 0), *c_ec = load(srv_ec, 1);
	struct crypto_cert *c_rsa = load(srv_rsa, 0), *c_exp = load(expired, 1);
	struct crypto_castore *store = NULL, *wrong = NULL;
	CHECK_EQ(crypto_castore_new(&store), 0);
	CHECK_EQ(crypto_castore_new(&wrong), 0);
	CHECK_EQ(crypto_castore_add(store, c_ca), 0);
	CHECK_EQ(crypto_castore_add(wrong, c_other), 0);
	const struct crypto_cert *chain[1] = { c_int };

	/* Chain and each identity type. */
	const char *fqdn = "vpn.example.com", *mail = "gw@example.com";
	const uint8_t v4[4] = { 192, 0, 2, 1 };
	const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	CHECK_EQ(crypto_cert_verify(store, c_ec, chain, 1, 0, CRYPTO_ID_FQDN,
				    (const uint8_t *)fqdn, strlen(fqdn)), 0);
	CHECK_EQ(crypto_cert_verify(store, c_ec, chain, 1, 0, CRYPTO_ID_RFC822_ADDR,
				    (const uint8_t *)mail, strlen(mail)), 0);
	CHECK_EQ(crypto_cert_verify(store, c_ec, chain, 1, 0, CRYPTO_ID_IPV4_ADDR, v4, 4), 0);
	CHECK_EQ(crypto_cert_verify(store, c_ec, chain, 1, 0, CRYPTO_ID_IPV6_ADDR, v6, 16), 0);
	uint8_t dn[512];
	size_t dn_len = 0;
	CHECK_EQ(crypto_cert_subject_der(c_ec, dn, sizeof(dn), &dn_len), 0);
	CHECK(dn_len > 0);
	CHECK_EQ(crypto_cert_verify(store, c_ec, chain, 1, 0, CRYPTO_ID_DER_ASN1_DN, dn, dn_len), 0);
	CHECK_EQ(crypto_cert_subject_der(c_ec, dn, 4, &dn_len), -ENOBUFS);
	CHECK_EQ(crypto_cert_verify(store, c_rsa, NULL, 0, 0, CRYPTO_ID_FQDN,
				    (const uint8_t *)"rsa.example.com", 15), 0);

	/* Wrong names: another host, a suffix, the CN-only name, another IP,
	 * another DN, and an ID with an embedded NUL. */
	CHECK_EQ(crypto_cert_verify(store, c_ec, chain, 1, 0, CRYPTO_ID_FQDN,
				    (const uint8_t *)"evil.example.com", 16), -EACCES);
	CHECK_EQ(crypto_cert_verify(store, c_ec, chain, 1, 0, CRYPTO_ID_FQDN,
				    (const uint8_t *)"example.com", 11), -EACCES);
	CHECK_EQ(crypto_cert_verify(store, c_rsa, NULL, 0, 0, CRYPTO_ID_FQDN,
				    (const uint8_t *)"vpn.example.com", 15), -EACCES);
	CHECK_EQ(crypto_cert_verify(store, c_ec, chain, 1, 0, CRYPTO_ID_FQDN,
				    (const uint8_t *)"vpn.example.com\0.evil", 21), -EACCES);
	const uint8_t v4b[4] = { 192, 0, 2, 2 };
	CHECK_EQ(crypto_cert_verify(store, c_ec, chain, 1, 0, CRYPTO_ID_IPV4_ADDR, v4b, 4), -EACCES);
	CHECK_EQ(crypto_cert_verify(store, c_ec, chain, 1, 0, CRYPTO_ID_IPV4_ADDR, v6, 16), -EACCES);
	uint8_t dn2[512];
	size_t dn2_len;
	CHECK_EQ(crypto_cert_subject_der(c_rsa, dn2, sizeof(dn2), &dn2_len), 0);
	CHECK_EQ(crypto_cert_verify(store, c_ec, chain, 1, 0, CRYPTO_ID_DER_ASN1_DN, dn2, dn2_len), -EACCES);
	CHECK_EQ(crypto_cert_verify(store, c_ec, chain, 1, 0, CRYPTO_ID_DER_ASN1_DN, dn, dn_len - 1), -EACCES);

	/* Wrong CA (same name, other key), missing intermediate, expired, and
	 * a time before the certificates were valid. */
	CHECK_EQ(crypto_cert_verify(wrong, c_ec, chain, 1, 0, CRYPTO_ID_FQDN,
				    (const uint8_t *)fqdn, strlen(fqdn)), -EACCES);
	CHECK_EQ(crypto_cert_verify(store, c_ec, NULL, 0, 0, CRYPTO_ID_FQDN,
				    (const uint8_t *)fqdn, strlen(fqdn)), -EACCES);
	CHECK_EQ(crypto_cert_verify(store, c_exp, NULL, 0, 0, CRYPTO_ID_FQDN,
				    (const uint8_t *)"old.example.com", 15), -EACCES);
	CHECK_EQ(crypto_cert_verify(store, c_ec, chain, 1, (int64_t)time(NULL) - 5 * DAY,
				    CRYPTO_ID_FQDN, (const uint8_t *)fqdn, strlen(fqdn)), -EACCES);
	/* The expired one was fine in its day (the fake-clock path). */
	CHECK_EQ(crypto_cert_verify(store, c_exp, NULL, 0, (int64_t)time(NULL) - 5 * DAY,
				    CRYPTO_ID_FQDN, (const uint8_t *)"old.example.com", 15), 0);
	/* A leaf is not a CA: a chain through the RSA server cert fails. */
	X509 *under_leaf = mint("x.example.com", ec_key, srv_rsa, rsa_key, 0, "DNS:x.example.com",
				-DAY, DAY, 6);
	struct crypto_cert *c_ul = load(under_leaf, 0);
	const struct crypto_cert *leaf_chain[1] = { c_rsa };
	CHECK_EQ(crypto_cert_verify(store, c_ul, leaf_chain, 1, 0, CRYPTO_ID_FQDN,
				    (const uint8_t *)"x.example.com", 13), -EACCES);
	/* Chain cap (PT_IKE_CERTS_MAX). */
	const struct crypto_cert *long_chain[PT_IKE_CERTS_MAX];
	for (size_t i = 0; i < PT_IKE_CERTS_MAX; i++)
		long_chain[i] = c_int;
	CHECK_EQ(crypto_cert_verify(store, c_ec, long_chain, PT_IKE_CERTS_MAX, 0, CRYPTO_ID_FQDN,
				    (const uint8_t *)fqdn, strlen(fqdn)), -E2BIG);

	/* SPKI SHA-1 against a computation straight from OpenSSL. */
	uint8_t h[20], want[20];
	unsigned char *spki = NULL;
	int spki_len = i2d_PUBKEY(int_key, &spki);
	EVP_Digest(spki, (size_t)spki_len, want, NULL, EVP_sha1(), NULL);
	OPENSSL_free(spki);
	CHECK_EQ(crypto_cert_spki_sha1(c_int, h), 0);
	CHECK_MEM(h, want, 20);

	/* Sign with the private key (loaded from PEM), verify with the key from
	 * the certificate; and across keys it fails. */
	struct crypto_pkey *priv_ec = load_key(ec_key), *priv_rsa = load_key(rsa_key);
	struct crypto_pkey *pub_ec = NULL, *pub_rsa = NULL;
	CHECK_EQ(crypto_cert_pubkey(c_ec, &pub_ec), 0);
	CHECK_EQ(crypto_cert_pubkey(c_rsa, &pub_rsa), 0);
	if (priv_ec && priv_rsa && pub_ec && pub_rsa) {
		uint8_t sig[512];
		size_t n;
		const uint8_t msg[] = "octets to be signed";
		CHECK_EQ(crypto_sig_sign(priv_ec, CRYPTO_SIG_ECDSA_SHA256, msg, sizeof(msg), sig, sizeof(sig), &n), 0);
		CHECK_EQ(crypto_sig_verify(pub_ec, CRYPTO_SIG_ECDSA_SHA256, msg, sizeof(msg), sig, n), 0);
		CHECK_EQ(crypto_sig_sign(priv_rsa, CRYPTO_SIG_RSA_PSS_SHA256, msg, sizeof(msg), sig, sizeof(sig), &n), 0);
		CHECK_EQ(crypto_sig_verify(pub_rsa, CRYPTO_SIG_RSA_PSS_SHA256, msg, sizeof(msg), sig, n), 0);
		CHECK_EQ(crypto_sig_verify(pub_ec, CRYPTO_SIG_RSA_PSS_SHA256, msg, sizeof(msg), sig, n), -EINVAL);
	}
	/* Garbage is not a key or a certificate. */
	struct crypto_pkey *junk = NULL;
	struct crypto_cert *junk_c = NULL;
	CHECK_EQ(crypto_pkey_load("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", 58, &junk), -EBADMSG);
	CHECK_EQ(crypto_cert_load("\x30\x03\x02\x01\x01", 5, &junk_c), -EBADMSG);
	CHECK_EQ(crypto_cert_load_file("/nonexistent/petrel.pem", &junk_c), -ENOENT);

	crypto_pkey_free(priv_ec); crypto_pkey_free(priv_rsa);
	crypto_pkey_free(pub_ec); crypto_pkey_free(pub_rsa);
	crypto_castore_free(store); crypto_castore_free(wrong);
	crypto_cert_free(c_ca); crypto_cert_free(c_other); crypto_cert_free(c_int);
	crypto_cert_free(c_ec); crypto_cert_free(c_rsa); crypto_cert_free(c_exp); crypto_cert_free(c_ul);
	X509_free(ca); X509_free(other_ca); X509_free(inter); X509_free(srv_ec);
	X509_free(srv_rsa); X509_free(expired); X509_free(under_leaf);
	EVP_PKEY_free(ca_key); EVP_PKEY_free(int_key); EVP_PKEY_free(ec_key);
	EVP_PKEY_free(other_key); EVP_PKEY_free(rsa_key);
	return test_done();
}
