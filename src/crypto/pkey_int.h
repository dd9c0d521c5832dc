/* struct crypto_pkey, shared by sig.c and x509.c (internal to src/crypto). */
#ifndef PETREL_CRYPTO_PKEY_INT_H
#define PETREL_CRYPTO_PKEY_INT_H

#include <openssl/evp.h>

#include "crypto/sig.h"

struct crypto_pkey {
	EVP_PKEY *pkey;
};

/* Wrap pkey (taking ownership; freed on failure). */
int pkey_wrap(EVP_PKEY *pkey, struct crypto_pkey **out);

#endif
