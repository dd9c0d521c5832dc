/* RFC 7427 Appendix A: AlgorithmIdentifier encodings. RSASSA-PSS carries
 * its parameters (hash, MGF1 with the same hash, salt length = hash length);
 * ECDSA and EdDSA (RFC 8420) have none. */
#include <errno.h>
#include <string.h>

#include "crypto/sig.h"
#include "ike/sigalg.h"

#define OID_SHA2(n) 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, n
#define PSS(hash_n, salt)                                                              \
	{ 0x30, 0x41, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a, \
	  0x30, 0x34, 0xa0, 0x0f, 0x30, 0x0d, OID_SHA2(hash_n), 0x05, 0x00,              \
	  0xa1, 0x1c, 0x30, 0x1a, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,  \
	  0x01, 0x08, 0x30, 0x0d, OID_SHA2(hash_n), 0x05, 0x00,                          \
	  0xa2, 0x03, 0x02, 0x01, salt }
#define RSA_PKCS1(n) \
	{ 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, n, 0x05, 0x00 }
#define ECDSA(n) { 0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, n }

static const uint8_t pss256[] = PSS(0x01, 0x20), pss384[] = PSS(0x02, 0x30),
		     pss512[] = PSS(0x03, 0x40);
static const uint8_t rsa256[] = RSA_PKCS1(0x0b), rsa384[] = RSA_PKCS1(0x0c),
		     rsa512[] = RSA_PKCS1(0x0d);
static const uint8_t ec256[] = ECDSA(0x02), ec384[] = ECDSA(0x03), ec512[] = ECDSA(0x04);
static const uint8_t ed25519[] = { 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70 };
static const uint8_t ed448[] = { 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x71 };

static const struct {
	int scheme;
	const uint8_t *der;
	size_t len;
	uint16_t hash;
} table[] = {
	{ CRYPTO_SIG_RSA_PSS_SHA256, pss256, sizeof(pss256), 2 },
	{ CRYPTO_SIG_RSA_PSS_SHA384, pss384, sizeof(pss384), 3 },
	{ CRYPTO_SIG_RSA_PSS_SHA512, pss512, sizeof(pss512), 4 },
	{ CRYPTO_SIG_RSA_PKCS1_SHA256, rsa256, sizeof(rsa256), 2 },
	{ CRYPTO_SIG_RSA_PKCS1_SHA384, rsa384, sizeof(rsa384), 3 },
	{ CRYPTO_SIG_RSA_PKCS1_SHA512, rsa512, sizeof(rsa512), 4 },
	{ CRYPTO_SIG_ECDSA_SHA256, ec256, sizeof(ec256), 2 },
	{ CRYPTO_SIG_ECDSA_SHA384, ec384, sizeof(ec384), 3 },
	{ CRYPTO_SIG_ECDSA_SHA512, ec512, sizeof(ec512), 4 },
	{ CRYPTO_SIG_ED25519, ed25519, sizeof(ed25519), 5 },
	{ CRYPTO_SIG_ED448, ed448, sizeof(ed448), 5 },
};

const uint8_t *ike_sigalg_der(int scheme, size_t *len)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i].scheme == scheme) {
			*len = table[i].len;
			return table[i].der;
		}
	return NULL;
}

uint16_t ike_sigalg_hash(int scheme)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i].scheme == scheme)
			return table[i].hash;
	return 0;
}

/* Peers encode the same algorithm in more than one way: PKCS#1 with or
 * without the NULL parameter, PSS with any salt. Match the OID, and for PSS
 * the hash in its parameters. */
int ike_sigalg_scheme(const uint8_t *der, size_t len)
{
	static const uint8_t oid_rsa[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01 };
	static const uint8_t oid_ecdsa[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03 };
	static const uint8_t oid_sha2[] = { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02 };

	/* SEQUENCE { OBJECT IDENTIFIER, params } with short-form lengths. */
	if (len < 4 || der[0] != 0x30 || der[1] != len - 2 || der[2] != 0x06)
		return -ENOTSUP;
	size_t oid_len = der[3];
	if (oid_len > len - 4)
		return -ENOTSUP;
	const uint8_t *oid = der + 4;
	if (oid_len == 3 && oid[0] == 0x2b && oid[1] == 0x65)
		return oid[2] == 0x70 ? CRYPTO_SIG_ED25519 : oid[2] == 0x71 ? CRYPTO_SIG_ED448 : -ENOTSUP;
	if (oid_len == 8 && memcmp(oid, oid_ecdsa, 7) == 0) { /* public-memcmp: OID */
		switch (oid[7]) {
		case 2: return CRYPTO_SIG_ECDSA_SHA256;
		case 3: return CRYPTO_SIG_ECDSA_SHA384;
		case 4: return CRYPTO_SIG_ECDSA_SHA512;
		}
		return -ENOTSUP;
	}
	if (oid_len == 9 && memcmp(oid, oid_rsa, 8) == 0) { /* public-memcmp: OID */
		switch (oid[8]) {
		case 0x0b: return CRYPTO_SIG_RSA_PKCS1_SHA256;
		case 0x0c: return CRYPTO_SIG_RSA_PKCS1_SHA384;
		case 0x0d: return CRYPTO_SIG_RSA_PKCS1_SHA512;
		case 0x0a: break; /* RSASSA-PSS: the hash is in the parameters */
		default: return -ENOTSUP;
		}
		/* The first SHA-2 OID in the parameters is hashAlgorithm [0];
		 * absent parameters mean SHA-1, which we do not accept. */
		const uint8_t *p = oid + oid_len;
		size_t rest = len - 4 - oid_len;
		for (size_t i = 0; i + sizeof(oid_sha2) + 1 <= rest; i++)
			if (memcmp(p + i, oid_sha2, sizeof(oid_sha2)) == 0) { /* public-memcmp: OID */
				switch (p[i + sizeof(oid_sha2)]) {
				case 1: return CRYPTO_SIG_RSA_PSS_SHA256;
				case 2: return CRYPTO_SIG_RSA_PSS_SHA384;
				case 3: return CRYPTO_SIG_RSA_PSS_SHA512;
				}
				return -ENOTSUP;
			}
	}
	return -ENOTSUP;
}
