/* Signatures:
 *  - RFC 8032 7.1 Ed25519 TEST 1, TEST 2, TEST 3 (public key from secret,
 *    exact signature, verify, tampered message refused);
 *  - sign/verify round trips for every RFC 7427 / RFC 4754 scheme with
 *    freshly generated keys (RSA-PSS and PKCS#1 v1.5 with SHA-256/384/512,
 *    ECDSA DER and r|s on P-256/384/521, Ed25519, Ed448), each with a
 *    flipped bit refused and a key/scheme mismatch refused;
 *  - FIPS 180-4 hash known answers for "abc" (NIST CSRC example values). */
#include "crypto/sig.h"
#include "vec.h"

struct ed_case {
	const char *sk, *pk, *msg, *sig;
};

static const struct ed_case ed25519[] = {
	{ "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
	  "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
	  "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
	  "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b" },
	{ "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
	  "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
	  "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
	  "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00" },
	{ "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
	  "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
	  "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
	  "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a" },
};

static void check_ed25519(const struct ed_case *c)
{
	size_t skl, pkl, ml, sl, n;
	uint8_t *sk = vec_hex(c->sk, &skl), *pk = vec_hex(c->pk, &pkl);
	uint8_t *msg = vec_hex(c->msg, &ml), *sig = vec_hex(c->sig, &sl);
	uint8_t out[64], pub[32];
	struct crypto_pkey *priv = NULL, *verif = NULL;
	CHECK_EQ(crypto_pkey_from_raw(CRYPTO_PKEY_ED25519, 1, sk, skl, &priv), 0);
	CHECK_EQ(crypto_pkey_from_raw(CRYPTO_PKEY_ED25519, 0, pk, pkl, &verif), 0);
	if (priv && verif) {
		CHECK_EQ(crypto_pkey_raw_public(priv, pub, sizeof(pub), &n), 0);
		CHECK_EQ(n, 32);
		CHECK_MEM(pub, pk, 32);
		CHECK_EQ(crypto_sig_sign(priv, CRYPTO_SIG_ED25519, msg, ml, out, sizeof(out), &n), 0);
		CHECK_EQ(n, sl);
		CHECK_MEM(out, sig, sl);
		CHECK_EQ(crypto_sig_verify(verif, CRYPTO_SIG_ED25519, msg, ml, sig, sl), 0);
		uint8_t other[3] = { 0x01, 0x02, 0x03 };
		CHECK_EQ(crypto_sig_verify(verif, CRYPTO_SIG_ED25519, other, sizeof(other), sig, sl), -EACCES);
		sig[10] ^= 0x40;
		CHECK_EQ(crypto_sig_verify(verif, CRYPTO_SIG_ED25519, msg, ml, sig, sl), -EACCES);
	}
	crypto_pkey_free(priv);
	crypto_pkey_free(verif);
	free(sk); free(pk); free(msg); free(sig);
}

static void round_trip(struct crypto_pkey *key, int scheme, int wrong_scheme)
{
	static const uint8_t msg[] = "IKE_SA_INIT message | Nr | prf(SK_pi, IDi')";
	uint8_t sig[1024];
	size_t n = 0;
	CHECK_EQ(crypto_sig_sign(key, scheme, msg, sizeof(msg), sig, sizeof(sig), &n), 0);
	CHECK(n > 0 && n <= crypto_sig_max_len(key));
	CHECK_EQ(crypto_sig_verify(key, scheme, msg, sizeof(msg), sig, n), 0);
	sig[n / 2] ^= 0x01;
	CHECK_EQ(crypto_sig_verify(key, scheme, msg, sizeof(msg), sig, n), -EACCES);
	sig[n / 2] ^= 0x01;
	CHECK_EQ(crypto_sig_verify(key, scheme, msg, sizeof(msg) - 1, sig, n), -EACCES);
	CHECK_EQ(crypto_sig_verify(key, wrong_scheme, msg, sizeof(msg), sig, n), -EINVAL);
	/* A buffer too small for the signature. */
	CHECK_EQ(crypto_sig_sign(key, scheme, msg, sizeof(msg), sig, 8, &n), -ENOBUFS);
}

static void check_round_trips(void)
{
	struct crypto_pkey *k = NULL;
	CHECK_EQ(crypto_pkey_generate(CRYPTO_PKEY_RSA, 2048, &k), 0);
	if (k) {
		CHECK_EQ(crypto_pkey_type(k), CRYPTO_PKEY_RSA);
		for (int s = CRYPTO_SIG_RSA_PSS_SHA256; s <= CRYPTO_SIG_RSA_PKCS1_SHA512; s++)
			round_trip(k, s, CRYPTO_SIG_ECDSA_SHA256);
		/* PSS is randomised: two signatures differ; PKCS#1 v1.5 is not. */
		static const uint8_t m[] = "x";
		uint8_t a[256], b[256];
		size_t na, nb;
		CHECK_EQ(crypto_sig_sign(k, CRYPTO_SIG_RSA_PSS_SHA256, m, 1, a, sizeof(a), &na), 0);
		CHECK_EQ(crypto_sig_sign(k, CRYPTO_SIG_RSA_PSS_SHA256, m, 1, b, sizeof(b), &nb), 0);
		CHECK(na == nb && memcmp(a, b, na) != 0);
		/* A PSS signature does not verify as PKCS#1 v1.5. */
		CHECK_EQ(crypto_sig_verify(k, CRYPTO_SIG_RSA_PKCS1_SHA256, m, 1, a, na), -EACCES);
		crypto_pkey_free(k);
	}
	static const struct { int type, raw, der; } ec[] = {
		{ CRYPTO_PKEY_EC_P256, CRYPTO_SIG_ECDSA_P256_RAW, CRYPTO_SIG_ECDSA_SHA256 },
		{ CRYPTO_PKEY_EC_P384, CRYPTO_SIG_ECDSA_P384_RAW, CRYPTO_SIG_ECDSA_SHA384 },
		{ CRYPTO_PKEY_EC_P521, CRYPTO_SIG_ECDSA_P521_RAW, CRYPTO_SIG_ECDSA_SHA512 },
	};
	for (size_t i = 0; i < 3; i++) {
		k = NULL;
		CHECK_EQ(crypto_pkey_generate(ec[i].type, 0, &k), 0);
		if (!k)
			continue;
		CHECK_EQ(crypto_pkey_type(k), ec[i].type);
		round_trip(k, ec[i].der, CRYPTO_SIG_ED25519);
		round_trip(k, ec[i].raw, CRYPTO_SIG_RSA_PSS_SHA256);
		/* r | s is exactly twice the field size (RFC 4754 7). */
		uint8_t sig[132];
		size_t n;
		CHECK_EQ(crypto_sig_sign(k, ec[i].raw, (const uint8_t *)"m", 1, sig, sizeof(sig), &n), 0);
		CHECK_EQ(n, i == 0 ? 64 : i == 1 ? 96 : 132);
		CHECK_EQ(crypto_sig_verify(k, ec[i].raw, (const uint8_t *)"m", 1, sig, n - 1), -EACCES);
		/* The r|s method pins the curve: method 9 on a P-384 key is refused. */
		int other = ec[(i + 1) % 3].raw;
		CHECK_EQ(crypto_sig_verify(k, other, (const uint8_t *)"m", 1, sig, n), -EINVAL);
		crypto_pkey_free(k);
	}
	k = NULL;
	CHECK_EQ(crypto_pkey_generate(CRYPTO_PKEY_ED25519, 0, &k), 0);
	if (k)
		round_trip(k, CRYPTO_SIG_ED25519, CRYPTO_SIG_ED448);
	crypto_pkey_free(k);
	k = NULL;
	CHECK_EQ(crypto_pkey_generate(CRYPTO_PKEY_ED448, 0, &k), 0);
	if (k)
		round_trip(k, CRYPTO_SIG_ED448, CRYPTO_SIG_ED25519);
	crypto_pkey_free(k);
}

static void check_hash(int alg, const char *want_hex)
{
	size_t wl;
	uint8_t *want = vec_hex(want_hex, &wl), out[64];
	struct crypto_buf parts[2] = { { (const uint8_t *)"a", 1 }, { (const uint8_t *)"bc", 2 } };
	CHECK_EQ(crypto_hash_len(alg), wl);
	CHECK_EQ(crypto_hash(alg, parts, 2, out), 0);
	CHECK_MEM(out, want, wl);
	free(want);
}

int main(void)
{
	for (size_t i = 0; i < sizeof(ed25519) / sizeof(ed25519[0]); i++)
		check_ed25519(&ed25519[i]);
	check_round_trips();
	check_hash(CRYPTO_HASH_SHA1, "a9993e364706816aba3e25717850c26c9cd0d89d");
	check_hash(CRYPTO_HASH_SHA2_256,
		   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	check_hash(CRYPTO_HASH_SHA2_384,
		   "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
		   "8086072ba1e7cc2358baeca134c825a7");
	check_hash(CRYPTO_HASH_SHA2_512,
		   "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
		   "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
	return test_done();
}
