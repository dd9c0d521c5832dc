/* Internals shared by ke.c (Diffie-Hellman) and ke_mlkem.c (ML-KEM). */
#ifndef PETREL_CRYPTO_KE_INT_H
#define PETREL_CRYPTO_KE_INT_H

#include <openssl/evp.h>

#include "base/limits.h"
#include "crypto/ke.h"

struct crypto_ke {
	int method;
	EVP_PKEY *pkey;
	size_t pub_len;
	uint8_t pub[PT_KE_MAX_LEN];
};

int ke_mlkem_supported(int method);
int ke_mlkem_keygen(struct crypto_ke *ke, const uint8_t *seed, size_t seed_len);
int ke_mlkem_decap(struct crypto_ke *ke, const uint8_t *ct, size_t ct_len,
		   struct secret **out);
int ke_mlkem_encap(int method, const uint8_t *ek, size_t ek_len,
		   uint8_t *ct, size_t cap, size_t *ct_len, struct secret **out);

#endif
