/* AES-GCM-16 and ChaCha20-Poly1305 with a context per key (see aead.h). */
#include "crypto/aead.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "crypto/secret.h"

struct crypto_aead {
	/* One context per direction, so neither is ever re-keyed: an ESP or
	 * IKE SA key is used for sealing by one side and opening by the other,
	 * and a context seals or opens without switching. */
	EVP_CIPHER_CTX *enc;
	EVP_CIPHER_CTX *dec;
	uint8_t salt[CRYPTO_AEAD_SALT_LEN];
};

size_t crypto_aead_keymat_len(int alg, unsigned key_bits)
{
	switch (alg) {
	case CRYPTO_AEAD_AES_GCM16:
		if (key_bits == 128 || key_bits == 256)
			return key_bits / 8 + CRYPTO_AEAD_SALT_LEN;
		return 0;
	case CRYPTO_AEAD_CHACHA20_POLY1305:
		return key_bits == 256 ? 32 + CRYPTO_AEAD_SALT_LEN : 0;
	default:
		return 0;
	}
}

static const char *aead_cipher(int alg, size_t key_len)
{
	switch (alg) {
	case CRYPTO_AEAD_AES_GCM16:
		return key_len == 16 ? "AES-128-GCM" : key_len == 32 ? "AES-256-GCM" : NULL;
	case CRYPTO_AEAD_CHACHA20_POLY1305:
		return key_len == 32 ? "ChaCha20-Poly1305" : NULL;
	default:
		return NULL;
	}
}

static EVP_CIPHER_CTX *aead_ctx(const EVP_CIPHER *cipher, const uint8_t *key, int enc)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		return NULL;
	/* The key schedule is computed here, once; the nonce comes per call.
	 * Both ciphers default to a 12-octet nonce. */
	if (!EVP_CipherInit_ex(ctx, cipher, NULL, key, NULL, enc)) {
		EVP_CIPHER_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

int crypto_aead_new(int alg, const uint8_t *key, size_t key_len, struct crypto_aead **out)
{
	if (alg != CRYPTO_AEAD_AES_GCM16 && alg != CRYPTO_AEAD_CHACHA20_POLY1305)
		return -ENOTSUP;
	size_t bare = key_len;
	const char *name = aead_cipher(alg, bare);
	if (!name && key_len > CRYPTO_AEAD_SALT_LEN) {
		bare = key_len - CRYPTO_AEAD_SALT_LEN;
		name = aead_cipher(alg, bare);
	}
	if (!name)
		return -EINVAL;

	EVP_CIPHER *cipher = EVP_CIPHER_fetch(NULL, name, NULL);
	if (!cipher)
		return -ENOTSUP;
	struct crypto_aead *a = calloc(1, sizeof(*a));
	if (!a) {
		EVP_CIPHER_free(cipher);
		return -ENOMEM;
	}
	a->enc = aead_ctx(cipher, key, 1);
	a->dec = aead_ctx(cipher, key, 0);
	EVP_CIPHER_free(cipher);
	if (!a->enc || !a->dec) {
		crypto_aead_free(a);
		return -ENOMEM;
	}
	if (bare != key_len)
		memcpy(a->salt, key + bare, CRYPTO_AEAD_SALT_LEN);
	*out = a;
	return 0;
}

void crypto_aead_free(struct crypto_aead *a)
{
	if (!a)
		return;
	EVP_CIPHER_CTX_free(a->enc);  /* cleanses the key schedule */
	EVP_CIPHER_CTX_free(a->dec);
	crypto_wipe(a->salt, sizeof(a->salt));
	free(a);
}

/* Feed the AAD and the text through ctx in place. */
static int aead_update(EVP_CIPHER_CTX *ctx, const uint8_t *nonce, int enc,
		       const uint8_t *aad, size_t aad_len, uint8_t *buf, size_t len)
{
	int outl;
	if (aad_len > INT_MAX || len > INT_MAX)
		return -EINVAL;
	if (!EVP_CipherInit_ex(ctx, NULL, NULL, NULL, nonce, enc))
		return -EIO;
	if (aad_len && !EVP_CipherUpdate(ctx, NULL, &outl, aad, (int)aad_len))
		return -EIO;
	if (len && (!EVP_CipherUpdate(ctx, buf, &outl, buf, (int)len) || (size_t)outl != len))
		return -EIO;
	return 0;
}

int crypto_aead_seal_nonce(struct crypto_aead *a, const uint8_t nonce[CRYPTO_AEAD_NONCE_LEN],
			   const uint8_t *aad, size_t aad_len, uint8_t *buf, size_t len,
			   uint8_t tag[CRYPTO_AEAD_ICV_LEN])
{
	int outl;
	int err = aead_update(a->enc, nonce, 1, aad, aad_len, buf, len);
	if (err)
		return err;
	/* Stream modes: Final writes nothing but computes the tag. */
	if (!EVP_EncryptFinal_ex(a->enc, buf + len, &outl) || outl != 0 ||
	    !EVP_CIPHER_CTX_ctrl(a->enc, EVP_CTRL_AEAD_GET_TAG, CRYPTO_AEAD_ICV_LEN, tag))
		return -EIO;
	return 0;
}

int crypto_aead_open_nonce(struct crypto_aead *a, const uint8_t nonce[CRYPTO_AEAD_NONCE_LEN],
			   const uint8_t *aad, size_t aad_len, uint8_t *buf, size_t len,
			   const uint8_t tag[CRYPTO_AEAD_ICV_LEN])
{
	int outl;
	int err = aead_update(a->dec, nonce, 0, aad, aad_len, buf, len);
	if (err)
		return err;
	/* The provider compares the tag in constant time (CRYPTO_memcmp). */
	if (!EVP_CIPHER_CTX_ctrl(a->dec, EVP_CTRL_AEAD_SET_TAG, CRYPTO_AEAD_ICV_LEN,
				 (void *)(uintptr_t)tag))
		return -EIO;
	if (EVP_DecryptFinal_ex(a->dec, buf + len, &outl) <= 0) {
		crypto_wipe(buf, len);
		return -EACCES;
	}
	return 0;
}

static void aead_nonce(const struct crypto_aead *a, const uint8_t *iv, uint8_t *nonce)
{
	memcpy(nonce, a->salt, CRYPTO_AEAD_SALT_LEN);
	memcpy(nonce + CRYPTO_AEAD_SALT_LEN, iv, CRYPTO_AEAD_IV_LEN);
}

int crypto_aead_seal(struct crypto_aead *a, const uint8_t iv[CRYPTO_AEAD_IV_LEN],
		     const uint8_t *aad, size_t aad_len, uint8_t *buf, size_t len,
		     uint8_t tag[CRYPTO_AEAD_ICV_LEN])
{
	uint8_t nonce[CRYPTO_AEAD_NONCE_LEN];
	aead_nonce(a, iv, nonce);
	return crypto_aead_seal_nonce(a, nonce, aad, aad_len, buf, len, tag);
}

int crypto_aead_open(struct crypto_aead *a, const uint8_t iv[CRYPTO_AEAD_IV_LEN],
		     const uint8_t *aad, size_t aad_len, uint8_t *buf, size_t len,
		     const uint8_t tag[CRYPTO_AEAD_ICV_LEN])
{
	uint8_t nonce[CRYPTO_AEAD_NONCE_LEN];
	aead_nonce(a, iv, nonce);
	return crypto_aead_open_nonce(a, nonce, aad, aad_len, buf, len, tag);
}
