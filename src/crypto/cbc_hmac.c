/* AES-CBC + HMAC-SHA2, encrypt-then-MAC (see cbc_hmac.h). */
#include "crypto/cbc_hmac.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "crypto/hmac.h"
#include "crypto/secret.h"

struct crypto_cbc_hmac {
	EVP_CIPHER_CTX *enc;
	EVP_CIPHER_CTX *dec;
	struct crypto_hmac *mac;
	size_t icv_len;
};

static const char *integ_digest(int integ)
{
	switch (integ) {
	case CRYPTO_INTEG_HMAC_SHA2_256_128: return "SHA2-256";
	case CRYPTO_INTEG_HMAC_SHA2_384_192: return "SHA2-384";
	case CRYPTO_INTEG_HMAC_SHA2_512_256: return "SHA2-512";
	default: return NULL;
	}
}

size_t crypto_integ_key_len(int integ)
{
	switch (integ) {
	case CRYPTO_INTEG_HMAC_SHA2_256_128: return 32;
	case CRYPTO_INTEG_HMAC_SHA2_384_192: return 48;
	case CRYPTO_INTEG_HMAC_SHA2_512_256: return 64;
	default: return 0;
	}
}

size_t crypto_integ_icv_len(int integ)
{
	return crypto_integ_key_len(integ) / 2;
}

static EVP_CIPHER_CTX *cbc_ctx(const char *name, const uint8_t *key, int enc)
{
	EVP_CIPHER *cipher = EVP_CIPHER_fetch(NULL, name, NULL);
	if (!cipher)
		return NULL;
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	if (ctx && (!EVP_CipherInit_ex(ctx, cipher, NULL, key, NULL, enc) ||
		    !EVP_CIPHER_CTX_set_padding(ctx, 0))) {
		EVP_CIPHER_CTX_free(ctx);
		ctx = NULL;
	}
	EVP_CIPHER_free(cipher);
	return ctx;
}

int crypto_cbc_hmac_new(const uint8_t *enc_key, size_t enc_key_len, int integ,
			const uint8_t *integ_key, size_t integ_key_len,
			struct crypto_cbc_hmac **out)
{
	const char *digest = integ_digest(integ);
	if (!digest)
		return -ENOTSUP;
	const char *name = enc_key_len == 16 ? "AES-128-CBC" :
			   enc_key_len == 24 ? "AES-192-CBC" :
			   enc_key_len == 32 ? "AES-256-CBC" : NULL;
	if (!name || integ_key_len != crypto_integ_key_len(integ))
		return -EINVAL;
	struct crypto_cbc_hmac *c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->icv_len = crypto_integ_icv_len(integ);
	c->enc = cbc_ctx(name, enc_key, 1);
	c->dec = cbc_ctx(name, enc_key, 0);
	int err = crypto_hmac_new(digest, integ_key, integ_key_len, &c->mac);
	if (!err && (!c->enc || !c->dec))
		err = -ENOMEM;
	if (err) {
		crypto_cbc_hmac_free(c);
		return err;
	}
	*out = c;
	return 0;
}

void crypto_cbc_hmac_free(struct crypto_cbc_hmac *c)
{
	if (!c)
		return;
	EVP_CIPHER_CTX_free(c->enc);
	EVP_CIPHER_CTX_free(c->dec);
	crypto_hmac_free(c->mac);
	free(c);
}

size_t crypto_cbc_hmac_icv_len(const struct crypto_cbc_hmac *c)
{
	return c->icv_len;
}

static int cbc_run(EVP_CIPHER_CTX *ctx, const uint8_t *iv, int enc, uint8_t *buf, size_t len)
{
	int outl;
	if (!EVP_CipherInit_ex(ctx, NULL, NULL, NULL, iv, enc))
		return -EIO;
	if (len && (!EVP_CipherUpdate(ctx, buf, &outl, buf, (int)len) || (size_t)outl != len))
		return -EIO;
	return 0;
}

/* Full HMAC(aad | iv | ct) into mac (64 octets at most). */
static int cbc_mac(struct crypto_cbc_hmac *c, const uint8_t *iv, const uint8_t *aad,
		   size_t aad_len, const uint8_t *ct, size_t len, uint8_t *mac)
{
	const struct crypto_buf parts[3] = {
		{ aad, aad_len }, { iv, CRYPTO_CBC_IV_LEN }, { ct, len },
	};
	return crypto_hmac_run(c->mac, parts, 3, mac);
}

static int cbc_check_len(size_t len)
{
	return len % CRYPTO_CBC_BLOCK_LEN || len > INT_MAX ? -EINVAL : 0;
}

int crypto_cbc_hmac_seal(struct crypto_cbc_hmac *c, const uint8_t iv[CRYPTO_CBC_IV_LEN],
			 const uint8_t *aad, size_t aad_len, uint8_t *buf, size_t len,
			 uint8_t *icv)
{
	uint8_t mac[64];
	int err = cbc_check_len(len);
	if (!err)
		err = cbc_run(c->enc, iv, 1, buf, len);
	if (!err)
		err = cbc_mac(c, iv, aad, aad_len, buf, len, mac);
	if (!err)
		memcpy(icv, mac, c->icv_len);  /* RFC 4868 2.1.1: truncate to the left half */
	return err;
}

int crypto_cbc_hmac_open(struct crypto_cbc_hmac *c, const uint8_t iv[CRYPTO_CBC_IV_LEN],
			 const uint8_t *aad, size_t aad_len, uint8_t *buf, size_t len,
			 const uint8_t *icv)
{
	uint8_t mac[64];
	int err = cbc_check_len(len);
	if (!err)
		err = cbc_mac(c, iv, aad, aad_len, buf, len, mac);
	if (err)
		return err;
	if (!crypto_memeq(mac, icv, c->icv_len))
		return -EACCES;
	return cbc_run(c->dec, iv, 0, buf, len);
}
