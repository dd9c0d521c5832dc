/* Diffie-Hellman known answers through crypto_ke:
 *  - RFC 7748 5.2 (first X25519 and X448 function vectors) and 6.1 / 6.2
 *    (the X25519 and X448 Diffie-Hellman examples), with RFC 8031 2.3's
 *    all-zero check on a low-order point;
 *  - RFC 5903 8.1, 8.2, 8.3 (ECP-256, ECP-384, ECP-521 Diffie-Hellman with
 *    fixed private keys; KE data x | y, shared secret x);
 *  - invalid ECP points (off the curve, coordinate >= p, wrong length)
 *    rejected with -EBADMSG. */
#include "crypto/ke.h"
#include "vec.h"

struct dh_case {
	const char *name;
	int method;
	const char *i, *gi, *r, *gr, *gir;
};

static const struct dh_case cases[] = {
	{ "RFC 7748 6.1", CRYPTO_KE_CURVE25519,
	  "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
	  "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
	  "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
	  "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
	  "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742" },
	{ "RFC 7748 6.2", CRYPTO_KE_CURVE448,
	  "9a8f4925d1519f5775cf46b04b5800d4ee9ee8bae8bc5565d498c28dd9c9baf5"
	  "74a9419744897391006382a6f127ab1d9ac2d8c0a598726b",
	  "9b08f7cc31b7e3e67d22d5aea121074a273bd2b83de09c63faa73d2c22c5d9bb"
	  "c836647241d953d40c5b12da88120d53177f80e532c41fa0",
	  "1c306a7ac2a0e2e0990b294470cba339e6453772b075811d8fad0d1d6927c120"
	  "bb5ee8972b0d3e21374c9c921b09d1b0366f10b65173992d",
	  "3eb7a829b0cd20f5bcfc0b599b6feccf6da4627107bdb0d4f345b43027d8b972"
	  "fc3e34fb4232a13ca706dcb57aec3dae07bdc1c67bf33609",
	  "07fff4181ac6cc95ec1c16a94a0f74d12da232ce40a77552281d282bb60c0b56"
	  "fd2464c335543936521c24403085d59a449a5037514a879d" },
	{ "RFC 5903 8.1", CRYPTO_KE_ECP256,
	  "C88F01F510D9AC3F70A292DAA2316DE544E9AAB8AFE84049C62A9C57862D1433",
	  "DAD0B65394221CF9B051E1FECA5787D098DFE637FC90B9EF945D0C3772581180"
	  "5271A0461CDB8252D61F1C456FA3E59AB1F45B33ACCF5F58389E0577B8990BB3",
	  "C6EF9C5D78AE012A011164ACB397CE2088685D8F06BF9BE0B283AB46476BEE53",
	  "D12DFB5289C8D4F81208B70270398C342296970A0BCCB74C736FC7554494BF63"
	  "56FBF3CA366CC23E8157854C13C58D6AAC23F046ADA30F8353E74F33039872AB",
	  "D6840F6B42F6EDAFD13116E0E12565202FEF8E9ECE7DCE03812464D04B9442DE" },
	{ "RFC 5903 8.2", CRYPTO_KE_ECP384,
	  "099F3C7034D4A2C699884D73A375A67F7624EF7C6B3C0F160647B67414DCE655"
	  "E35B538041E649EE3FAEF896783AB194",
	  "667842D7D180AC2CDE6F74F37551F55755C7645C20EF73E31634FE72B4C55EE6"
	  "DE3AC808ACB4BDB4C88732AEE95F41AA"
	  "9482ED1FC0EEB9CAFC4984625CCFC23F65032149E0E144ADA024181535A0F38E"
	  "EB9FCFF3C2C947DAE69B4C634573A81C",
	  "41CB0779B4BDB85D47846725FBEC3C9430FAB46CC8DC5060855CC9BDA0AA2942"
	  "E0308312916B8ED2960E4BD55A7448FC",
	  "E558DBEF53EECDE3D3FCCFC1AEA08A89A987475D12FD950D83CFA41732BC509D"
	  "0D1AC43A0336DEF96FDA41D0774A3571"
	  "DCFBEC7AACF3196472169E838430367F66EEBE3C6E70C416DD5F0C68759DD1FF"
	  "F83FA40142209DFF5EAAD96DB9E6386C",
	  "11187331C279962D93D604243FD592CB9D0A926F422E47187521287E7156C5C4"
	  "D603135569B9E9D09CF5D4A270F59746" },
	{ "RFC 5903 8.3", CRYPTO_KE_ECP521,
	  "0037ADE9319A89F4DABDB3EF411AACCCA5123C61ACAB57B5393DCE47608172A0"
	  "95AA85A30FE1C2952C6771D937BA9777F5957B2639BAB072462F68C27A57382D"
	  "4A52",
	  "0015417E84DBF28C0AD3C278713349DC7DF153C897A1891BD98BAB4357C9ECBE"
	  "E1E3BF42E00B8E380AEAE57C2D107564941885942AF5A7F4601723C4195D176C"
	  "ED3E"
	  "017CAE20B6641D2EEB695786D8C946146239D099E18E1D5A514C739D7CB4A10A"
	  "D8A788015AC405D7799DC75E7B7D5B6CF2261A6A7F1507438BF01BEB6CA3926F"
	  "9582",
	  "0145BA99A847AF43793FDD0E872E7CDFA16BE30FDC780F97BCCC3F078380201E"
	  "9C677D600B343757A3BDBF2A3163E4C2F869CCA7458AA4A4EFFC311F5CB15168"
	  "5EB9",
	  "00D0B3975AC4B799F5BEA16D5E13E9AF971D5E9B984C9F39728B5E5739735A21"
	  "9B97C356436ADC6E95BB0352F6BE64A6C2912D4EF2D0433CED2B6171640012D9"
	  "460F"
	  "015C68226383956E3BD066E797B623C27CE0EAC2F551A10C2C724D9852077B87"
	  "220B6536C5C408A1D2AEBB8E86D678AE49CB57091F4732296579AB44FCD17F0F"
	  "C56A",
	  "01144C7D79AE6956BC8EDB8E7C787C4521CB086FA64407F97894E5E6B2D79B04"
	  "D1427E73CA4BAA240A34786859810C06B3C715A3A8CC3151F2BEE417996D19F3"
	  "DDEA" },
};

static void check_case(const struct dh_case *c)
{
	size_t il, gil, rl, grl, sl, pl;
	uint8_t *i = vec_hex(c->i, &il), *gi = vec_hex(c->gi, &gil);
	uint8_t *r = vec_hex(c->r, &rl), *gr = vec_hex(c->gr, &grl);
	uint8_t *gir = vec_hex(c->gir, &sl);
	struct crypto_ke *ki = NULL, *kr = NULL;
	struct secret *s1 = NULL, *s2 = NULL;

	printf("%s\n", c->name);
	CHECK_EQ(crypto_ke_init_len(c->method), gil);
	CHECK_EQ(crypto_ke_secret_len(c->method), sl);
	CHECK_EQ(crypto_ke_new_from_private(c->method, i, il, &ki), 0);
	CHECK_EQ(crypto_ke_new_from_private(c->method, r, rl, &kr), 0);
	if (!ki || !kr)
		goto out;
	const uint8_t *pub = crypto_ke_public(ki, &pl);
	CHECK_EQ(pl, gil);
	CHECK_MEM(pub, gi, gil);
	pub = crypto_ke_public(kr, &pl);
	CHECK_EQ(pl, grl);
	CHECK_MEM(pub, gr, grl);
	CHECK_EQ(crypto_ke_finish(ki, gr, grl, &s1), 0);
	CHECK_EQ(crypto_ke_finish(kr, gi, gil, &s2), 0);
	if (s1 && s2) {
		CHECK_EQ(s1->len, sl);
		CHECK_MEM(s1->p, gir, sl);
		CHECK(crypto_secret_eq(s1, s2));
	}
out:
	crypto_secret_free(s1);
	crypto_secret_free(s2);
	crypto_ke_free(ki);
	crypto_ke_free(kr);
	free(i); free(gi); free(r); free(gr); free(gir);
}

/* RFC 7748 5.2, first vector of each function: X(scalar, u). */
static void check_function(int method, const char *k_hex, const char *u_hex, const char *out_hex)
{
	size_t kl, ul, ol;
	uint8_t *k = vec_hex(k_hex, &kl), *u = vec_hex(u_hex, &ul), *o = vec_hex(out_hex, &ol);
	struct crypto_ke *ke = NULL;
	struct secret *s = NULL;
	CHECK_EQ(crypto_ke_new_from_private(method, k, kl, &ke), 0);
	if (ke) {
		CHECK_EQ(crypto_ke_finish(ke, u, ul, &s), 0);
		if (s)
			CHECK_MEM(s->p, o, ol);
	}
	crypto_secret_free(s);
	crypto_ke_free(ke);
	free(k); free(u); free(o);
}

/* Peers that must be refused. */
static void check_invalid(void)
{
	struct crypto_ke *ke = NULL;
	struct secret *s = NULL;
	uint8_t bad[132];
	size_t len;

	/* ECP-256: the generator with y + 1 is not on the curve. */
	CHECK_EQ(crypto_ke_new(CRYPTO_KE_ECP256, &ke), 0);
	if (ke) {
		uint8_t *g = vec_hex("6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296"
				     "4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5", &len);
		CHECK_EQ(len, 64);
		memcpy(bad, g, 64);
		/* The generator itself is a valid peer value. */
		CHECK_EQ(crypto_ke_finish(ke, bad, 64, &s), 0);
		crypto_secret_free(s);
		s = NULL;
		bad[63] ^= 1;
		CHECK_EQ(crypto_ke_finish(ke, bad, 64, &s), -EBADMSG);
		/* x = p (all ones in the top word...): a coordinate >= p. */
		memset(bad, 0xff, 64);
		CHECK_EQ(crypto_ke_finish(ke, bad, 64, &s), -EBADMSG);
		/* All zero: (0, 0) is not on P-256 and is how some encode infinity. */
		memset(bad, 0, 64);
		CHECK_EQ(crypto_ke_finish(ke, bad, 64, &s), -EBADMSG);
		/* Wrong lengths, including the 0x04-prefixed SEC1 form. */
		uint8_t sec1[65] = { 0x04 };
		memcpy(sec1 + 1, g, 64);
		CHECK_EQ(crypto_ke_finish(ke, sec1, 65, &s), -EBADMSG);
		CHECK_EQ(crypto_ke_finish(ke, g, 63, &s), -EBADMSG);
		CHECK_EQ(crypto_ke_finish(ke, g, 0, &s), -EBADMSG);
		CHECK(s == NULL);
		free(g);
		crypto_ke_free(ke);
		ke = NULL;
	}
	/* X25519 with a small-order point (u = 0, and u = 1): the shared secret
	 * would be all zero; RFC 8031 2.3 says refuse. */
	CHECK_EQ(crypto_ke_new(CRYPTO_KE_CURVE25519, &ke), 0);
	if (ke) {
		memset(bad, 0, 32);
		CHECK_EQ(crypto_ke_finish(ke, bad, 32, &s), -EBADMSG);
		bad[0] = 1;
		CHECK_EQ(crypto_ke_finish(ke, bad, 32, &s), -EBADMSG);
		CHECK_EQ(crypto_ke_finish(ke, bad, 31, &s), -EBADMSG);
		CHECK(s == NULL);
		crypto_ke_free(ke);
		ke = NULL;
	}
	CHECK_EQ(crypto_ke_new(CRYPTO_KE_CURVE448, &ke), 0);
	if (ke) {
		memset(bad, 0, 56);
		CHECK_EQ(crypto_ke_finish(ke, bad, 56, &s), -EBADMSG);
		CHECK(s == NULL);
		crypto_ke_free(ke);
	}
}

int main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_case(&cases[i]);
	check_function(CRYPTO_KE_CURVE25519,
		       "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
		       "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
		       "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
	check_function(CRYPTO_KE_CURVE448,
		       "3d262fddf9ec8e88495266fea19a34d28882acef045104d0d1aae121700a779c"
		       "984c24f8cdd78fbff44943eba368f54b29259a4f1c600ad3",
		       "06fce640fa3487bfda5f6cf2d5263f8aad88334cbd07437f020f08f9814dc031"
		       "ddbdc38c19c6da2583fa5429db94ada18aa7a7fb4ef8a086",
		       "ce3e4ff95a60dc6697da1db1d85e6afbdf79b50a2412d7546d5f239fe14fbaad"
		       "eb445fc66a01b0779d98223961111e21766282f73dd96b6f");
	check_invalid();
	return test_done();
}
