/* MS-CHAPv2 and MPPE vectors through src/crypto/mschap.h.
 *
 * Sources:
 *  - RFC 2759 "Microsoft PPP CHAP Extensions, Version 2", section 9.2
 *    (UserName "User", Password "clientPass"): ChallengeHash, PasswordHash,
 *    NT-Response, PasswordHashHash, AuthenticatorResponse;
 *  - RFC 3079 "Deriving Keys for use with MPPE", section 3.5.3 (same
 *    inputs, 128-bit keys): MasterKey and SendStartKey128. That sample calls
 *    GetAsymmetricStartKey(MasterKey, MasterSendKey, 16, TRUE, TRUE) (RFC 3079
 *    3.4's example is written from the server: IsServer TRUE), so its send
 *    key is the server's send key = the client's receive key (Magic3);
 *  - RFC 1321 A.5 (MD5 of "" and "abc");
 *  - the well-known NT hashes of "" and "password" (MD4 of UTF-16LE, as
 *    printed by Samba's and Windows' tools);
 *  - RFC 3629 for what UTF-8 is, Unicode 3.9 for UTF-16 surrogate pairs. */
#include <errno.h>

#include "crypto/mschap.h"
#include "vec.h"

static void check_hex(const uint8_t *got, const char *hex)
{
	size_t n;
	uint8_t *want = vec_hex(hex, &n);
	CHECK_MEM(got, want, n);
	free(want);
}

static void test_md5(void)
{
	uint8_t out[CRYPTO_MD5_LEN];
	struct crypto_buf empty = { (const uint8_t *)"", 0 };
	CHECK_EQ(crypto_md5(&empty, 1, out), 0);
	check_hex(out, "d41d8cd98f00b204e9800998ecf8427e");
	/* "abc" given in two pieces. */
	struct crypto_buf abc[2] = { { (const uint8_t *)"a", 1 }, { (const uint8_t *)"bc", 2 } };
	CHECK_EQ(crypto_md5(abc, 2, out), 0);
	check_hex(out, "900150983cd24fb0d6963f7d28e17f72");
}

struct utf_case {
	const char *in;     /* hex UTF-8 */
	int err;
	const char *out;    /* hex UTF-16LE */
};

static const struct utf_case utf_cases[] = {
	{ "636c69656e7450617373", 0, "63006c00690065006e0074005000610073007300" }, /* clientPass */
	{ "", 0, "" },
	{ "c3a9", 0, "e900" },               /* U+00E9 */
	{ "e282ac", 0, "ac20" },             /* U+20AC */
	{ "efbfbd", 0, "fdff" },             /* U+FFFD */
	{ "f09f9880", 0, "3dd800de" },       /* U+1F600 -> D83D DE00 */
	{ "f48fbfbf", 0, "ffdbffdf" },       /* U+10FFFF -> DBFF DFFF */
	{ "c080", -EINVAL, NULL },           /* overlong NUL */
	{ "e08080", -EINVAL, NULL },         /* overlong */
	{ "f0808080", -EINVAL, NULL },       /* overlong */
	{ "eda080", -EINVAL, NULL },         /* U+D800, a surrogate */
	{ "f4908080", -EINVAL, NULL },       /* past U+10FFFF */
	{ "f8888080", -EINVAL, NULL },       /* 5-octet form */
	{ "80", -EINVAL, NULL },             /* lone continuation */
	{ "e282", -EINVAL, NULL },           /* truncated */
	{ "e228ac", -EINVAL, NULL },         /* bad continuation */
};

static void test_utf16(void)
{
	uint8_t out[2 * CRYPTO_MSCHAP_PASSWORD_MAX_CHARS];
	for (size_t i = 0; i < sizeof(utf_cases) / sizeof(utf_cases[0]); i++) {
		const struct utf_case *t = &utf_cases[i];
		size_t n, m = 12345;
		uint8_t *in = vec_hex(t->in, &n);
		int err = crypto_utf8_to_utf16le(in, n, out, sizeof(out), &m);
		CHECK_EQ(err, t->err);
		if (!t->err && !err) {
			size_t wn;
			uint8_t *want = vec_hex(t->out, &wn);
			CHECK_EQ(m, wn);
			CHECK_MEM(out, want, wn);
			free(want);
		}
		free(in);
	}
	/* 256 characters fit (RFC 2759 8.3), 257 do not; a surrogate pair
	 * counts as two units. */
	uint8_t big[300];
	size_t m;
	memset(big, 'a', sizeof(big));
	CHECK_EQ(crypto_utf8_to_utf16le(big, 256, out, sizeof(out), &m), 0);
	CHECK_EQ(m, 512);
	CHECK_EQ(crypto_utf8_to_utf16le(big, 257, out, sizeof(out), &m), -E2BIG);
	memcpy(big + 254, "\xf0\x9f\x98\x80", 4);
	CHECK_EQ(crypto_utf8_to_utf16le(big, 258, out, sizeof(out), &m), 0);
	big[258] = 'a';
	CHECK_EQ(crypto_utf8_to_utf16le(big, 259, out, sizeof(out), &m), -E2BIG);
	CHECK_EQ(crypto_utf8_to_utf16le(big, 10, out, 19, &m), -ENOBUFS);
}

static void test_nt_hash(void)
{
	uint8_t h[CRYPTO_MSCHAP_HASH_LEN];
	CHECK_EQ(crypto_nt_password_hash((const uint8_t *)"", 0, h), 0);
	check_hex(h, "31d6cfe0d16ae931b73c59d7e0c089c0");
	CHECK_EQ(crypto_nt_password_hash((const uint8_t *)"password", 8, h), 0);
	check_hex(h, "8846f7eaee8fb117ad06bdd830b7586c");
	CHECK_EQ(crypto_nt_password_hash((const uint8_t *)"\xc0\x80", 2, h), -EINVAL);
}

/* RFC 2759 9.2 and RFC 3079 3.5.3. */
static void test_rfc2759(void)
{
	static const uint8_t user[] = "User";
	static const uint8_t pass[] = "clientPass";
	size_t n;
	uint8_t *auth_chal = vec_hex("5B 5D 7C 7D 7B 3F 2F 3E 3C 2C 60 21 32 26 26 28", &n);
	CHECK_EQ(n, 16);
	uint8_t *peer_chal = vec_hex("21 40 23 24 25 5E 26 2A 28 29 5F 2B 3A 33 7C 7E", &n);
	CHECK_EQ(n, 16);

	uint8_t ch[8], pw_hash[16], nt[24], hh[16], ar[20], mk[16], k[16];
	CHECK_EQ(crypto_mschap_challenge_hash(peer_chal, auth_chal, user, 4, ch), 0);
	check_hex(ch, "D0 2E 43 86 BC E9 12 26");
	CHECK_EQ(crypto_nt_password_hash(pass, 10, pw_hash), 0);
	check_hex(pw_hash, "44 EB BA 8D 53 12 B8 D6 11 47 44 11 F5 69 89 AE");
	CHECK_EQ(crypto_mschap_challenge_response(ch, pw_hash, nt), 0);
	check_hex(nt, "82 30 9E CD 8D 70 8B 5E A0 8F AA 39 81 CD 83 54 42 33 11 4A 3D 85 D6 DF");
	memset(nt, 0, sizeof(nt));
	CHECK_EQ(crypto_mschap_nt_response(auth_chal, peer_chal, user, 4, pw_hash, nt), 0);
	check_hex(nt, "82 30 9E CD 8D 70 8B 5E A0 8F AA 39 81 CD 83 54 42 33 11 4A 3D 85 D6 DF");
	CHECK_EQ(crypto_nt_hash_hash(pw_hash, hh), 0);
	check_hex(hh, "41 C0 0C 58 4B D2 D9 1C 40 17 A2 A1 2F A5 9F 3F");
	/* "S=407A5589115FD0D6209F510FE9C04566932CDA56" */
	CHECK_EQ(crypto_mschap_auth_response(pw_hash, nt, peer_chal, auth_chal, user, 4, ar), 0);
	check_hex(ar, "407A5589115FD0D6209F510FE9C04566932CDA56");

	/* RFC 3079 3.5.3 */
	CHECK_EQ(crypto_mppe_master_key(hh, nt, mk), 0);
	check_hex(mk, "FD EC E3 71 7A 8C 83 8C B3 88 E5 27 AE 3C DD 31");
	CHECK_EQ(crypto_mppe_start_key(mk, 1, 1, k), 0); /* server send */
	check_hex(k, "8B 7C DC 14 9B 99 3A 1B A1 18 CB 15 3F 56 DC CB");
	CHECK_EQ(crypto_mppe_start_key(mk, 0, 0, k), 0); /* client receive: the same */
	check_hex(k, "8B 7C DC 14 9B 99 3A 1B A1 18 CB 15 3F 56 DC CB");

	/* The MSK: client send (= server receive) | client receive | 32 zeros. */
	uint8_t send_c[16], recv_s[16], zero[32] = { 0 };
	struct secret *msk = NULL;
	CHECK_EQ(crypto_mppe_start_key(mk, 1, 0, send_c), 0);
	CHECK_EQ(crypto_mppe_start_key(mk, 0, 1, recv_s), 0);
	CHECK_MEM(send_c, recv_s, 16);
	CHECK(memcmp(send_c, k, 16) != 0);
	CHECK_EQ(crypto_mschap_msk(pw_hash, nt, &msk), 0);
	if (msk) {
		CHECK_EQ(msk->len, CRYPTO_MSCHAP_MSK_LEN);
		CHECK_MEM(msk->p, send_c, 16);
		check_hex(msk->p + 16, "8B 7C DC 14 9B 99 3A 1B A1 18 CB 15 3F 56 DC CB");
		CHECK_MEM(msk->p + 32, zero, 32);
	}
	crypto_secret_free(msk);

	/* RFC 2759 8.2: a "DOMAIN\" prefix is not part of the ChallengeHash. */
	const uint8_t *u;
	size_t ul;
	crypto_mschap_user_part((const uint8_t *)"ACME\\User", 9, &u, &ul);
	CHECK_EQ(ul, 4);
	CHECK_MEM(u, "User", 4);
	crypto_mschap_user_part((const uint8_t *)"User", 4, &u, &ul);
	CHECK_EQ(ul, 4);
	crypto_mschap_user_part((const uint8_t *)"ACME\\", 5, &u, &ul);
	CHECK_EQ(ul, 0);
	free(auth_chal);
	free(peer_chal);
}

int main(void)
{
	test_md5();
	test_utf16();
	if (test_failures)
		return test_done();
	int err = crypto_mschap_available();
	if (err)
		return test_skip("OpenSSL's legacy provider (MD4, DES-ECB) is not available: "
				 "MS-CHAPv2 cannot run here");
	test_nt_hash();
	test_rfc2759();
	return test_done();
}
