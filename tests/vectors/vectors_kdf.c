/* IKEv2 key derivation known answers: NIST CAVP SP 800-135 IKEv2 KDF test
 * file (ikev2.rsp), [SHA-1] COUNT = 0 (Ni/Nr/SPIs 64 bits, g^ir 256 bits,
 * DKM 1056 bits). The CAVP file itself was not reachable from here; the
 * values are as reproduced in libreswan's IKEv2 CAVS test driver
 * (programs/.../ikev2 kdf cavs tool, its usage comment), which prints the
 * five CAVP outputs: SKEYSEED, DKM, DKM(Child SA), DKM(Child SA D-H),
 * SKEYSEED(Rekey). Each maps to one petrel formula:
 *   SKEYSEED          = prf(Ni | Nr, g^ir)                  RFC 7296 2.14
 *   DKM               = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr) RFC 7296 2.14
 *   DKM(Child SA)     = prf+(SK_d, Ni | Nr)                 RFC 7296 2.17
 *   DKM(Child SA D-H) = prf+(SK_d, g^ir(new) | Ni | Nr)     RFC 7296 2.17
 *   SKEYSEED(Rekey)   = prf(SK_d, g^ir(new) | Ni | Nr)      RFC 7296 2.18
 * with SK_d the first prf-length octets of DKM. */
#include "crypto/prf.h"
#include "vec.h"

int main(void)
{
	size_t l_gir, l_girn, l_ni, l_nr, l_si, l_sr, l_ss, l_dkm, l_c, l_cdh, l_rk;
	uint8_t *gir = vec_hex("4b2c1f971981a8ad8d0abeafabf38cf75fc8349c148142465ed9c8b516b8be52", &l_gir);
	uint8_t *girn = vec_hex("863f3c9d06efd39d2b907b97f8699e5dd5251ef64a2a176f36ee40c87d4f9330", &l_girn);
	uint8_t *ni = vec_hex("32b50d5f4a3763f3", &l_ni), *nr = vec_hex("9206a04b26564cb1", &l_nr);
	uint8_t *spii = vec_hex("34c9e7c188868785", &l_si), *spir = vec_hex("3ff77d760d2b2199", &l_sr);
	uint8_t *skeyseed = vec_hex("a9a7b222b59f8f48645f28a1db5b5f5d7479cba7", &l_ss);
	uint8_t *dkm = vec_hex(
		"a14293677cc80ff8f9cc0eee30d895da9d8f405666e30ef0dfcb63c634a46002a2a63080e514a062"
		"768b76606f9fa5e992204fc5a670bde3f10d6b027113936a5c55b648a194ae587b0088d52204b702"
		"c979fa280870d2ed41efa9c549fd11198af1670b143d384bd275c5f594cf266b05ebadca855e4249"
		"520a441a81157435a7a56cc4", &l_dkm);
	uint8_t *child = vec_hex(
		"8059e3ee8810e6c3a91bc8bcd2a7a41151b8d0e6ae239c7b38093ad85ef4c5811a8e7b5d1cdabd95"
		"60b2d5e092d1f24e2d4b85eccdf0ad0dc9abd94b51ee71814ca6dbc8bb51b6309f5b9545c7eb35cf"
		"5580b1e521a8fe20754a2d883ba0c2cf285f524aea6545b33106bc03e614296d319d41d4b50b3f51"
		"0b1c0a22f3e664994d234cb4", &l_c);
	uint8_t *child_dh = vec_hex(
		"bb43244c1860ad65ee1e211ffe8bb3661750c8f89cb9f547df7f4fa61d37301628190e38c66232ea"
		"b4b3ab14c400a5197dd3730ed4820a8a10394d51e1c0400052f63ebd36b0e7ef53aaed31eba4a508"
		"0d7d4b5666023a8bbb5ffb7857240f9a05884d1b7d2f933708450b7b3288f1fc863ab49fa901227c"
		"ffc06e27899c7054d56fd74c", &l_cdh);
	uint8_t *rekey = vec_hex("63e81194946ebd05df7df5ebf5d8750056bf1f1d", &l_rk);
	const int alg = CRYPTO_PRF_HMAC_SHA1;
	struct crypto_buf bni = { ni, l_ni }, bnr = { nr, l_nr };

	CHECK_EQ(l_dkm, 132);
	CHECK_EQ(l_c, 132);
	CHECK_EQ(l_cdh, 132);

	struct secret *g = NULL, *gn = NULL, *ss = NULL, *sk_d = NULL, *k = NULL, *rk = NULL;
	CHECK_EQ(crypto_secret_from(gir, l_gir, &g), 0);
	CHECK_EQ(crypto_secret_from(girn, l_girn, &gn), 0);

	CHECK_EQ(crypto_kdf_skeyseed(alg, bni, bnr, g, &ss), 0);
	if (!ss)
		return test_done();
	CHECK_EQ(ss->len, l_ss);
	CHECK_MEM(ss->p, skeyseed, l_ss);

	/* DKM as the seven IKE SA keys: split 132 octets as
	 * SK_d 20 | SK_ai 16 | SK_ar 16 | SK_ei 20 | SK_er 20 | SK_pi 20 | SK_pr 20. */
	struct crypto_ike_keys keys = { 0 };
	CHECK_EQ(crypto_kdf_ike_keys(alg, ss, bni, bnr, spii, spir, 16, 20, &keys), 0);
	if (keys.sk_d) {
		struct secret *parts[7] = { keys.sk_d, keys.sk_ai, keys.sk_ar, keys.sk_ei,
					    keys.sk_er, keys.sk_pi, keys.sk_pr };
		size_t off = 0;
		for (size_t i = 0; i < 7; i++) {
			CHECK_MEM(parts[i]->p, dkm + off, parts[i]->len);
			off += parts[i]->len;
		}
		CHECK_EQ(off, 132);
	}
	/* And prf+ on its own. */
	struct crypto_prf *prf = NULL;
	uint8_t out[132];
	CHECK_EQ(crypto_prf_new(alg, ss->p, ss->len, &prf), 0);
	if (prf) {
		struct crypto_buf s[4] = { bni, bnr, { spii, 8 }, { spir, 8 } };
		CHECK_EQ(crypto_prf_plus(prf, s, 4, out, sizeof(out)), 0);
		CHECK_MEM(out, dkm, 132);
		crypto_prf_free(prf);
	}

	CHECK_EQ(crypto_secret_from(dkm, 20, &sk_d), 0);
	CHECK_EQ(crypto_kdf_child(alg, sk_d, NULL, 0, bni, bnr, 132, &k), 0);
	if (k)
		CHECK_MEM(k->p, child, 132);
	crypto_secret_free(k);
	k = NULL;
	const struct secret *ke[1] = { gn };
	CHECK_EQ(crypto_kdf_child(alg, sk_d, ke, 1, bni, bnr, 132, &k), 0);
	if (k)
		CHECK_MEM(k->p, child_dh, 132);
	CHECK_EQ(crypto_kdf_skeyseed_rekey(alg, sk_d, ke, 1, bni, bnr, &rk), 0);
	if (rk)
		CHECK_MEM(rk->p, rekey, l_rk);

	crypto_ike_keys_free(&keys);
	crypto_secret_free(k);
	crypto_secret_free(rk);
	crypto_secret_free(sk_d);
	crypto_secret_free(ss);
	crypto_secret_free(g);
	crypto_secret_free(gn);
	free(gir); free(girn); free(ni); free(nr); free(spii); free(spir);
	free(skeyseed); free(dkm); free(child); free(child_dh); free(rekey);
	return test_done();
}
