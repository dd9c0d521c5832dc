/* Hashes and signatures for IKEv2 authentication.
 *
 * crypto_hash: SHA-1 and SHA-2 for NAT detection (RFC 7296 2.23), CERTREQ and
 * Hash-and-URL (RFC 7296 3.6, 3.7) and the RFC 7427 hash negotiation.
 * Signatures: RFC 7427 Digital Signature (auth method 14) with RSASSA-PSS,
 * RSASSA-PKCS1-v1_5, ECDSA (DER, RFC 7427 A.3) and EdDSA (RFC 8420); and the
 * ECDSA auth methods 9/10/11 of RFC 4754 with the fixed r | s encoding.
 * The AlgorithmIdentifier blobs are the IKE layer's; this layer takes the
 * scheme they name. */
#ifndef PETREL_CRYPTO_SIG_H
#define PETREL_CRYPTO_SIG_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/secret.h"

/* IKEv2 Hash Algorithm IDs (IANA, RFC 7427 7). */
enum crypto_hash_alg {
	CRYPTO_HASH_SHA1 = 1,
	CRYPTO_HASH_SHA2_256 = 2,
	CRYPTO_HASH_SHA2_384 = 3,
	CRYPTO_HASH_SHA2_512 = 4,
};
#define CRYPTO_HASH_MAX_LEN 64u

/* Digest length, 0 for unknown alg. */
size_t crypto_hash_len(int alg);
/* out = H(parts[0] | ... ), crypto_hash_len(alg) octets. 0, -ENOTSUP, -EIO. */
int crypto_hash(int alg, const struct crypto_buf *parts, size_t n, uint8_t *out);

enum crypto_sig_scheme {
	CRYPTO_SIG_RSA_PSS_SHA256 = 1,   /* RFC 7427 A.4.*, salt = hash length, MGF1 same hash */
	CRYPTO_SIG_RSA_PSS_SHA384,
	CRYPTO_SIG_RSA_PSS_SHA512,
	CRYPTO_SIG_RSA_PKCS1_SHA256,     /* RFC 7427 A.1.* */
	CRYPTO_SIG_RSA_PKCS1_SHA384,
	CRYPTO_SIG_RSA_PKCS1_SHA512,
	CRYPTO_SIG_ECDSA_SHA256,         /* RFC 7427 A.3.*: DER Ecdsa-Sig-Value */
	CRYPTO_SIG_ECDSA_SHA384,
	CRYPTO_SIG_ECDSA_SHA512,
	CRYPTO_SIG_ECDSA_P256_RAW,       /* RFC 4754 auth method 9: P-256, SHA-256, r | s */
	CRYPTO_SIG_ECDSA_P384_RAW,       /* method 10 */
	CRYPTO_SIG_ECDSA_P521_RAW,       /* method 11 */
	CRYPTO_SIG_ED25519,              /* RFC 8420, pure EdDSA (RFC 8032) */
	CRYPTO_SIG_ED448,
};

/* A public or private key (an EVP_PKEY inside). */
struct crypto_pkey;

enum crypto_pkey_type {
	CRYPTO_PKEY_RSA = 1,
	CRYPTO_PKEY_EC_P256,
	CRYPTO_PKEY_EC_P384,
	CRYPTO_PKEY_EC_P521,
	CRYPTO_PKEY_ED25519,
	CRYPTO_PKEY_ED448,
};

/* A fresh private key (RSA: bits 2048..8192; others ignore bits). */
int crypto_pkey_generate(int type, unsigned bits, struct crypto_pkey **out);
/* Ed25519/Ed448 from the raw RFC 8032 key (private: the 32/57-octet seed). */
int crypto_pkey_from_raw(int type, int is_private, const uint8_t *key, size_t len,
			 struct crypto_pkey **out);
/* The raw public key of an Ed25519/Ed448 key. */
int crypto_pkey_raw_public(const struct crypto_pkey *k, uint8_t *out, size_t cap, size_t *len);
void crypto_pkey_free(struct crypto_pkey *k);
/* enum crypto_pkey_type, or -ENOTSUP for a key petrel does not sign with. */
int crypto_pkey_type(const struct crypto_pkey *k);
/* Largest signature the key makes under any scheme. */
size_t crypto_sig_max_len(const struct crypto_pkey *k);

/* Sign msg (the AUTH octets, RFC 7296 2.15) into sig[0..cap).
 * 0, -EINVAL (scheme does not fit the key), -ENOBUFS, -ENOTSUP, -EIO. */
int crypto_sig_sign(const struct crypto_pkey *key, int scheme, const uint8_t *msg,
		    size_t len, uint8_t *sig, size_t cap, size_t *sig_len);
/* 0 when sig is valid, -EACCES when not, -EINVAL for a key/scheme mismatch. */
int crypto_sig_verify(const struct crypto_pkey *key, int scheme, const uint8_t *msg,
		      size_t len, const uint8_t *sig, size_t sig_len);

#endif
