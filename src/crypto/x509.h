/* X.509 certificates for IKEv2 (RFC 7296 3.6 CERT, 3.7 CERTREQ, 3.5 ID):
 * load certificates and private keys, verify a peer's chain against trusted
 * CAs and its identity against the ID it claimed, and give the bytes IKE
 * needs (subject DN DER for ID_DER_ASN1_DN, SHA-1 of the SubjectPublicKeyInfo
 * for CERTREQ, the public key for AUTH). */
#ifndef PETREL_CRYPTO_X509_H
#define PETREL_CRYPTO_X509_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/sig.h"

struct crypto_cert;
struct crypto_castore;

/* IKEv2 Identification Type values (RFC 7296 3.5) that a certificate can
 * prove. */
enum crypto_id_type {
	CRYPTO_ID_IPV4_ADDR = 1,     /* iPAddress SAN, 4 octets */
	CRYPTO_ID_FQDN = 2,          /* dNSName SAN */
	CRYPTO_ID_RFC822_ADDR = 3,   /* rfc822Name SAN */
	CRYPTO_ID_IPV6_ADDR = 5,     /* iPAddress SAN, 16 octets */
	CRYPTO_ID_DER_ASN1_DN = 9,   /* the subject, DER */
};

/* A certificate from DER or PEM (the first one in the data). Larger than
 * PT_IKE_CERT_MAX_LEN is -E2BIG; bad encoding -EBADMSG. */
int crypto_cert_load(const void *data, size_t len, struct crypto_cert **out);
int crypto_cert_load_file(const char *path, struct crypto_cert **out);
void crypto_cert_free(struct crypto_cert *c);
/* The DER encoding (for a CERT payload, encoding 4); valid while c lives. */
const uint8_t *crypto_cert_der(const struct crypto_cert *c, size_t *len);
/* The subject Name, DER (ID_DER_ASN1_DN). 0 or -ENOBUFS. */
int crypto_cert_subject_der(const struct crypto_cert *c, uint8_t *out, size_t cap, size_t *len);
/* SHA-1 of the SubjectPublicKeyInfo (RFC 7296 3.7, CERTREQ Certification
 * Authority field). */
int crypto_cert_spki_sha1(const struct crypto_cert *c, uint8_t out[20]);
/* The certificate's public key, for crypto_sig_verify(). */
int crypto_cert_pubkey(const struct crypto_cert *c, struct crypto_pkey **out);

/* Distinguished Names as text, RDNs in DER order ("C=CH, O=Example,
 * CN=gw.example"; dn.c). Parse: 0, -EINVAL (no KEY=value, an unknown
 * attribute, escapes or quotes), -ENAMETOOLONG (DER past cap). Equality on
 * the canonical form (string types and case aside): 1 or 0, and 0 for
 * undecodable input. Text: 0, -EBADMSG (not a Name), -ENOBUFS (cut). */
int crypto_dn_parse(const char *text, uint8_t *der, size_t cap, size_t *len);
int crypto_dn_eq(const uint8_t *a, size_t al, const uint8_t *b, size_t bl);
int crypto_dn_str(const uint8_t *der, size_t len, char *out, size_t cap);

/* A private key from PEM (PKCS#8 or traditional, unencrypted) or DER. */
int crypto_pkey_load(const void *data, size_t len, struct crypto_pkey **out);
int crypto_pkey_load_file(const char *path, struct crypto_pkey **out);

/* Trusted CA certificates. */
int crypto_castore_new(struct crypto_castore **out);
void crypto_castore_free(struct crypto_castore *s);
int crypto_castore_add(struct crypto_castore *s, const struct crypto_cert *ca);
/* Every certificate in a PEM file; -ENOENT, -EBADMSG when none parse. */
int crypto_castore_load_file(struct crypto_castore *s, const char *path);

/* Verify leaf, with the untrusted intermediates chain[0..n), up to a trusted
 * CA at time now_s (Unix seconds; 0 = the system clock), and that leaf
 * proves the identity (type, id[0..id_len)); id may be NULL to skip the name
 * check (only for callers that match the identity otherwise).
 * 0, -EACCES (chain, time, purpose or name), -E2BIG (more than
 * PT_IKE_CERTS_MAX certificates), -EINVAL. */
int crypto_cert_verify(const struct crypto_castore *s, const struct crypto_cert *leaf,
		       const struct crypto_cert *const *chain, size_t n, int64_t now_s,
		       int id_type, const uint8_t *id, size_t id_len);

#endif
