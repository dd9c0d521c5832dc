/* MS-CHAPv2 (RFC 2759) and MPPE keys (RFC 3079), MD5 (see mschap.h). */
#include "crypto/mschap.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/provider.h>

#include "base/log.h"
#include "crypto/sig.h"

/* The private library context holding the legacy algorithms. Made once,
 * kept for the life of the process (reachable, so not a leak). */
static pthread_once_t legacy_once = PTHREAD_ONCE_INIT;
static OSSL_LIB_CTX *legacy_ctx;
static EVP_MD *md4_md;
static EVP_CIPHER *des_ecb;
static int legacy_err = -ENOTSUP;

static void legacy_init(void)
{
	OSSL_PROVIDER *legacy = NULL, *dflt = NULL;
	legacy_ctx = OSSL_LIB_CTX_new();
	if (legacy_ctx) {
		legacy = OSSL_PROVIDER_load(legacy_ctx, "legacy");
		dflt = OSSL_PROVIDER_load(legacy_ctx, "default");
	}
	if (!legacy || !dflt) {
		log_err("crypto", "MS-CHAPv2 unavailable: OpenSSL's \"legacy\" provider "
			"(MD4, DES) could not be loaded (ossl-modules/legacy.so, OPENSSL_MODULES)");
		return;
	}
	md4_md = EVP_MD_fetch(legacy_ctx, "MD4", NULL);
	des_ecb = EVP_CIPHER_fetch(legacy_ctx, "DES-ECB", NULL);
	if (!md4_md || !des_ecb) {
		log_err("crypto", "MS-CHAPv2 unavailable: the legacy provider has no %s",
			md4_md ? "DES-ECB" : "MD4");
		return;
	}
	legacy_err = 0;
}

int crypto_mschap_available(void)
{
	if (pthread_once(&legacy_once, legacy_init))
		return -ENOTSUP;
	return legacy_err;
}

static int digest(const EVP_MD *md, const struct crypto_buf *parts, size_t n, uint8_t *out)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int err = -EIO;
	if (ctx && EVP_DigestInit_ex2(ctx, md, NULL)) {
		err = 0;
		for (size_t i = 0; i < n && !err; i++)
			if (parts[i].len && !EVP_DigestUpdate(ctx, parts[i].p, parts[i].len))
				err = -EIO;
		if (!err && !EVP_DigestFinal_ex(ctx, out, NULL))
			err = -EIO;
	}
	EVP_MD_CTX_free(ctx);
	return err;
}

int crypto_md5(const struct crypto_buf *parts, size_t n, uint8_t out[CRYPTO_MD5_LEN])
{
	EVP_MD *md = EVP_MD_fetch(NULL, "MD5", NULL);
	int err = md ? digest(md, parts, n, out) : -ENOTSUP;
	EVP_MD_free(md);
	return err;
}

static int md4(const struct crypto_buf *parts, size_t n, uint8_t out[16])
{
	int err = crypto_mschap_available();
	return err ? err : digest(md4_md, parts, n, out);
}

static int sha1(const struct crypto_buf *parts, size_t n, uint8_t out[20])
{
	return crypto_hash(CRYPTO_HASH_SHA1, parts, n, out);
}

int crypto_utf8_to_utf16le(const uint8_t *in, size_t len, uint8_t *out, size_t cap,
			   size_t *out_len)
{
	size_t i = 0, o = 0, units = 0;
	while (i < len) {
		uint32_t cp;
		size_t more;
		uint8_t b = in[i];
		if (b < 0x80) {
			cp = b;
			more = 0;
		} else if (b >= 0xc2 && b <= 0xdf) {
			cp = b & 0x1fu;
			more = 1;
		} else if (b >= 0xe0 && b <= 0xef) {
			cp = b & 0x0fu;
			more = 2;
		} else if (b >= 0xf0 && b <= 0xf4) {
			cp = b & 0x07u;
			more = 3;
		} else {
			return -EINVAL; /* continuation byte, 0xc0/0xc1 or 0xf5.. */
		}
		if (more > len - i - 1)
			return -EINVAL;
		for (size_t k = 1; k <= more; k++) {
			if ((in[i + k] & 0xc0) != 0x80)
				return -EINVAL;
			cp = cp << 6 | (in[i + k] & 0x3fu);
		}
		/* Overlong forms, surrogates and past U+10FFFF (RFC 3629 3). */
		if ((more == 2 && cp < 0x800) || (more == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return -EINVAL;
		i += more + 1;
		uint16_t u[2];
		size_t nu = 1;
		if (cp >= 0x10000) {
			cp -= 0x10000;
			u[0] = (uint16_t)(0xd800 | cp >> 10);
			u[1] = (uint16_t)(0xdc00 | (cp & 0x3ffu));
			nu = 2;
		} else {
			u[0] = (uint16_t)cp;
		}
		if (nu > CRYPTO_MSCHAP_PASSWORD_MAX_CHARS - units)
			return -E2BIG;
		for (size_t k = 0; k < nu; k++) {
			if (2 > cap - o)
				return -ENOBUFS;
			out[o++] = (uint8_t)u[k];
			out[o++] = (uint8_t)(u[k] >> 8);
		}
		units += nu;
	}
	*out_len = o;
	return 0;
}

int crypto_nt_password_hash(const uint8_t *password, size_t len,
			    uint8_t out[CRYPTO_MSCHAP_HASH_LEN])
{
	uint8_t u16[2 * CRYPTO_MSCHAP_PASSWORD_MAX_CHARS];
	size_t n = 0;
	int err = crypto_utf8_to_utf16le(password, len, u16, sizeof(u16), &n);
	if (!err) {
		struct crypto_buf b = { u16, n };
		err = md4(&b, 1, out);
	}
	crypto_wipe(u16, sizeof(u16));
	return err;
}

int crypto_nt_hash_hash(const uint8_t hash[CRYPTO_MSCHAP_HASH_LEN],
			uint8_t out[CRYPTO_MSCHAP_HASH_LEN])
{
	struct crypto_buf b = { hash, CRYPTO_MSCHAP_HASH_LEN };
	return md4(&b, 1, out);
}

int crypto_mschap_challenge_hash(const uint8_t peer_chal[CRYPTO_MSCHAP_CHAL_LEN],
				 const uint8_t auth_chal[CRYPTO_MSCHAP_CHAL_LEN],
				 const uint8_t *user, size_t user_len, uint8_t out[8])
{
	struct crypto_buf parts[3] = {
		{ peer_chal, CRYPTO_MSCHAP_CHAL_LEN },
		{ auth_chal, CRYPTO_MSCHAP_CHAL_LEN },
		{ user, user_len },
	};
	uint8_t h[20];
	int err = sha1(parts, 3, h);
	if (!err)
		memcpy(out, h, 8);
	return err;
}

/* RFC 2759 8.6 DesEncrypt's key: 56 key bits spread over 8 octets, the low
 * bit of each octet set for odd parity (DES ignores it; kept for fidelity). */
static void des_key_expand(const uint8_t in[7], uint8_t key[8])
{
	key[0] = in[0];
	key[1] = (uint8_t)(in[0] << 7 | in[1] >> 1);
	key[2] = (uint8_t)(in[1] << 6 | in[2] >> 2);
	key[3] = (uint8_t)(in[2] << 5 | in[3] >> 3);
	key[4] = (uint8_t)(in[3] << 4 | in[4] >> 4);
	key[5] = (uint8_t)(in[4] << 3 | in[5] >> 5);
	key[6] = (uint8_t)(in[5] << 2 | in[6] >> 6);
	key[7] = (uint8_t)(in[6] << 1);
	for (int i = 0; i < 8; i++) {
		uint8_t v = key[i] & 0xfe, ones = 0;
		for (int b = 1; b < 8; b++)
			ones ^= (uint8_t)(v >> b & 1);
		key[i] = (uint8_t)(v | (ones ^ 1));
	}
}

int crypto_mschap_challenge_response(const uint8_t challenge[8],
				     const uint8_t pw_hash[CRYPTO_MSCHAP_HASH_LEN],
				     uint8_t out[CRYPTO_MSCHAP_NTRESP_LEN])
{
	int err = crypto_mschap_available();
	if (err)
		return err;
	uint8_t z[21] = { 0 }, key[8];
	memcpy(z, pw_hash, CRYPTO_MSCHAP_HASH_LEN);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	err = ctx ? 0 : -ENOMEM;
	for (int i = 0; i < 3 && !err; i++) {
		int n = 0;
		des_key_expand(z + 7 * i, key);
		if (!EVP_EncryptInit_ex2(ctx, des_ecb, key, NULL, NULL) ||
		    !EVP_CIPHER_CTX_set_padding(ctx, 0) ||
		    !EVP_EncryptUpdate(ctx, out + 8 * i, &n, challenge, 8) || n != 8)
			err = -EIO;
	}
	EVP_CIPHER_CTX_free(ctx);
	crypto_wipe(z, sizeof(z));
	crypto_wipe(key, sizeof(key));
	return err;
}

int crypto_mschap_nt_response(const uint8_t auth_chal[CRYPTO_MSCHAP_CHAL_LEN],
			      const uint8_t peer_chal[CRYPTO_MSCHAP_CHAL_LEN],
			      const uint8_t *user, size_t user_len,
			      const uint8_t pw_hash[CRYPTO_MSCHAP_HASH_LEN],
			      uint8_t out[CRYPTO_MSCHAP_NTRESP_LEN])
{
	uint8_t ch[8];
	int err = crypto_mschap_challenge_hash(peer_chal, auth_chal, user, user_len, ch);
	return err ? err : crypto_mschap_challenge_response(ch, pw_hash, out);
}

/* RFC 2759 8.7 Magic1 and Magic2 (no terminating NUL). */
static const char auth_magic1[] = "Magic server to client signing constant";
static const char auth_magic2[] = "Pad to make it do more than one iteration";

int crypto_mschap_auth_response(const uint8_t pw_hash[CRYPTO_MSCHAP_HASH_LEN],
				const uint8_t nt_resp[CRYPTO_MSCHAP_NTRESP_LEN],
				const uint8_t peer_chal[CRYPTO_MSCHAP_CHAL_LEN],
				const uint8_t auth_chal[CRYPTO_MSCHAP_CHAL_LEN],
				const uint8_t *user, size_t user_len,
				uint8_t out[CRYPTO_MSCHAP_AUTHR_LEN])
{
	uint8_t hh[CRYPTO_MSCHAP_HASH_LEN], d[20], ch[8];
	int err = crypto_nt_hash_hash(pw_hash, hh);
	if (!err) {
		struct crypto_buf p1[3] = {
			{ hh, sizeof(hh) },
			{ nt_resp, CRYPTO_MSCHAP_NTRESP_LEN },
			{ (const uint8_t *)auth_magic1, sizeof(auth_magic1) - 1 },
		};
		err = sha1(p1, 3, d);
	}
	if (!err)
		err = crypto_mschap_challenge_hash(peer_chal, auth_chal, user, user_len, ch);
	if (!err) {
		struct crypto_buf p2[3] = {
			{ d, sizeof(d) },
			{ ch, sizeof(ch) },
			{ (const uint8_t *)auth_magic2, sizeof(auth_magic2) - 1 },
		};
		err = sha1(p2, 3, out);
	}
	crypto_wipe(hh, sizeof(hh));
	crypto_wipe(d, sizeof(d));
	return err;
}

/* RFC 3079 3.4 constants. */
static const char mppe_magic1[] = "This is the MPPE Master Key";
static const char mppe_magic2[] =
	"On the client side, this is the send key; on the server side, it is the receive key.";
static const char mppe_magic3[] =
	"On the client side, this is the receive key; on the server side, it is the send key.";

int crypto_mppe_master_key(const uint8_t pw_hash_hash[CRYPTO_MSCHAP_HASH_LEN],
			   const uint8_t nt_resp[CRYPTO_MSCHAP_NTRESP_LEN],
			   uint8_t out[CRYPTO_MSCHAP_KEY_LEN])
{
	struct crypto_buf p[3] = {
		{ pw_hash_hash, CRYPTO_MSCHAP_HASH_LEN },
		{ nt_resp, CRYPTO_MSCHAP_NTRESP_LEN },
		{ (const uint8_t *)mppe_magic1, sizeof(mppe_magic1) - 1 },
	};
	uint8_t d[20];
	int err = sha1(p, 3, d);
	if (!err)
		memcpy(out, d, CRYPTO_MSCHAP_KEY_LEN);
	crypto_wipe(d, sizeof(d));
	return err;
}

int crypto_mppe_start_key(const uint8_t master_key[CRYPTO_MSCHAP_KEY_LEN], int is_send,
			  int is_server, uint8_t out[CRYPTO_MSCHAP_KEY_LEN])
{
	uint8_t pad1[40], pad2[40], d[20];
	memset(pad1, 0x00, sizeof(pad1));
	memset(pad2, 0xf2, sizeof(pad2));
	/* Client send == server receive == Magic2; the other two Magic3. */
	const char *s = (!is_send == !is_server) ? mppe_magic3 : mppe_magic2;
	struct crypto_buf p[4] = {
		{ master_key, CRYPTO_MSCHAP_KEY_LEN },
		{ pad1, sizeof(pad1) },
		{ (const uint8_t *)s, sizeof(mppe_magic2) - 1 }, /* both 84 octets */
		{ pad2, sizeof(pad2) },
	};
	int err = sha1(p, 4, d);
	if (!err)
		memcpy(out, d, CRYPTO_MSCHAP_KEY_LEN);
	crypto_wipe(d, sizeof(d));
	return err;
}

int crypto_mschap_msk(const uint8_t pw_hash[CRYPTO_MSCHAP_HASH_LEN],
		      const uint8_t nt_resp[CRYPTO_MSCHAP_NTRESP_LEN], struct secret **out)
{
	uint8_t hh[CRYPTO_MSCHAP_HASH_LEN], mk[CRYPTO_MSCHAP_KEY_LEN];
	struct secret *msk = NULL;
	int err = crypto_nt_hash_hash(pw_hash, hh);
	if (!err)
		err = crypto_mppe_master_key(hh, nt_resp, mk);
	if (!err)
		err = crypto_secret_new(CRYPTO_MSCHAP_MSK_LEN, &msk);
	/* Client view: MasterSendKey | MasterReceiveKey | 32 zero octets. */
	if (!err)
		err = crypto_mppe_start_key(mk, 1, 0, msk->p);
	if (!err)
		err = crypto_mppe_start_key(mk, 0, 0, msk->p + CRYPTO_MSCHAP_KEY_LEN);
	crypto_wipe(hh, sizeof(hh));
	crypto_wipe(mk, sizeof(mk));
	if (err) {
		crypto_secret_free(msk);
		return err;
	}
	*out = msk;
	return 0;
}

void crypto_mschap_user_part(const uint8_t *name, size_t len, const uint8_t **user,
			     size_t *user_len)
{
	const uint8_t *bs = len ? memchr(name, '\\', len) : NULL;
	if (bs) {
		*user = bs + 1;
		*user_len = len - (size_t)(bs + 1 - name);
	} else {
		*user = name;
		*user_len = len;
	}
}
