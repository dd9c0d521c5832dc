/* A throw-away PKI minted at test time (tests only: this file uses OpenSSL
 * directly to make certificates; the code under test sees them only through
 * src/crypto). */
#ifndef PETREL_TEST_PKI_H
#define PETREL_TEST_PKI_H

#include "crypto/sig.h"
#include "crypto/x509.h"

struct tpki_ca {
	void *key;  /* EVP_PKEY */
	void *cert; /* X509 */
	struct crypto_cert *ccert;
};

/* key_type: "EC" (P-256), "EC384", "RSA" (2048), "ED25519". */
int tpki_ca_new(struct tpki_ca *ca, const char *cn);
void tpki_ca_free(struct tpki_ca *ca);
/* A leaf for `san` ("DNS:gw.example", "email:a@b", "IP:192.0.2.1"), signed by
 * ca, valid from now-1d to now+30d. */
int tpki_leaf(const struct tpki_ca *ca, const char *key_type, const char *cn, const char *san,
	      struct crypto_cert **cert, struct crypto_pkey **key);

#endif
