/* src/crypto API edges: lengths and -EINVAL/-ENOTSUP answers, secrets
 * (concat, slice, compare, zero-length), in-place seal/open with AAD and
 * tamper rejection for every AEAD and for AES-CBC + HMAC-SHA2, prf+ limits,
 * the KDF formulas against prf/prf+ composed by hand (RFC 7296 2.14 split,
 * RFC 9370 and RFC 5723 SKEYSEEDs), and DH round trips for every method. */
#include <errno.h>

#include "crypto/aead.h"
#include "crypto/cbc_hmac.h"
#include "crypto/ke.h"
#include "crypto/prf.h"
#include "crypto/secret.h"
#include "crypto/sig.h"
#include "test.h"

static void test_secret(void)
{
	struct secret *a = NULL, *b = NULL, *c = NULL, *z = NULL;
	const struct crypto_buf parts[3] = {
		{ (const uint8_t *)"abc", 3 }, { NULL, 0 }, { (const uint8_t *)"de", 2 },
	};
	CHECK_EQ(crypto_secret_concat(parts, 3, &a), 0);
	CHECK_EQ(a->len, 5);
	CHECK_MEM(a->p, "abcde", 5);
	CHECK_EQ(crypto_secret_slice(a, 1, 3, &b), 0);
	CHECK_MEM(b->p, "bcd", 3);
	CHECK_EQ(crypto_secret_slice(a, 3, 3, &c), -EINVAL);
	CHECK_EQ(crypto_secret_slice(a, 6, 0, &c), -EINVAL);
	CHECK_EQ(crypto_secret_slice(a, 5, 0, &c), 0);
	CHECK_EQ(c->len, 0);
	CHECK_EQ(crypto_secret_new(0, &z), 0);
	CHECK(crypto_secret_eq(c, z));
	CHECK(!crypto_secret_eq(a, b));
	crypto_secret_free(c);
	CHECK_EQ(crypto_secret_from("bcd", 3, &c), 0);
	CHECK(crypto_secret_eq(b, c));
	c->p[2] ^= 1;
	CHECK(!crypto_secret_eq(b, c));
	CHECK(crypto_memeq("same", "same", 4));
	CHECK(!crypto_memeq("same", "samf", 4));
	CHECK(crypto_memeq("", "x", 0));
	/* crypto_wipe zeroes (what crypto_secret_free does before free). */
	uint8_t key[16];
	memset(key, 0xa5, sizeof(key));
	crypto_wipe(key, sizeof(key));
	for (size_t i = 0; i < sizeof(key); i++)
		CHECK_EQ(key[i], 0);
	crypto_secret_free(NULL);
	crypto_secret_free(a); crypto_secret_free(b); crypto_secret_free(c); crypto_secret_free(z);

	uint8_t r1[32] = { 0 }, r2[32] = { 0 }, zero[32] = { 0 };
	CHECK_EQ(crypto_random(r1, sizeof(r1)), 0);
	CHECK_EQ(crypto_random(r2, sizeof(r2)), 0);
	CHECK(memcmp(r1, r2, 32) != 0 && memcmp(r1, zero, 32) != 0);
	CHECK_EQ(crypto_random(r1, 0), 0);
}

/* Seal and open in place with AAD, then tamper with each input in turn. */
static void aead_round_trip(struct crypto_aead *a)
{
	uint8_t iv[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, aad[12] = "SPI+SEQ....", tag[16];
	uint8_t buf[1500], orig[1500];
	for (size_t i = 0; i < sizeof(buf); i++)
		orig[i] = (uint8_t)(i * 7);
	static const size_t lens[] = { 0, 1, 15, 16, 17, 1420, 1500 };
	for (size_t li = 0; li < sizeof(lens) / sizeof(lens[0]); li++) {
		size_t len = lens[li];
		memcpy(buf, orig, len);
		CHECK_EQ(crypto_aead_seal(a, iv, aad, sizeof(aad), buf, len, tag), 0);
		if (len >= 16)
			CHECK(memcmp(buf, orig, len) != 0);
		CHECK_EQ(crypto_aead_open(a, iv, aad, sizeof(aad), buf, len, tag), 0);
		CHECK_MEM(buf, orig, len);
		/* Tamper: ciphertext, tag, AAD, IV. Re-seal each time. */
		for (int what = 0; what < 4; what++) {
			memcpy(buf, orig, len);
			CHECK_EQ(crypto_aead_seal(a, iv, aad, sizeof(aad), buf, len, tag), 0);
			if (what == 0 && len == 0)
				continue;
			uint8_t *p = what == 0 ? buf + len / 2 : what == 1 ? tag + 3 : what == 2 ? aad + 5 : iv + 7;
			*p ^= 0x80;
			CHECK_EQ(crypto_aead_open(a, iv, aad, sizeof(aad), buf, len, tag), -EACCES);
			*p ^= 0x80;
		}
	}
	/* Without AAD too. */
	memcpy(buf, orig, 64);
	CHECK_EQ(crypto_aead_seal(a, iv, NULL, 0, buf, 64, tag), 0);
	CHECK_EQ(crypto_aead_open(a, iv, NULL, 0, buf, 64, tag), 0);
	CHECK_MEM(buf, orig, 64);
}

static void test_aead(void)
{
	uint8_t keymat[36];
	struct crypto_aead *a = NULL;
	for (size_t i = 0; i < sizeof(keymat); i++)
		keymat[i] = (uint8_t)i;
	CHECK_EQ(crypto_aead_keymat_len(CRYPTO_AEAD_AES_GCM16, 128), 20);
	CHECK_EQ(crypto_aead_keymat_len(CRYPTO_AEAD_AES_GCM16, 256), 36);
	CHECK_EQ(crypto_aead_keymat_len(CRYPTO_AEAD_AES_GCM16, 192), 0);
	CHECK_EQ(crypto_aead_keymat_len(CRYPTO_AEAD_CHACHA20_POLY1305, 256), 36);
	CHECK_EQ(crypto_aead_keymat_len(CRYPTO_AEAD_CHACHA20_POLY1305, 128), 0);
	CHECK_EQ(crypto_aead_keymat_len(99, 128), 0);

	static const struct { int alg; size_t len; } ok[] = {
		{ CRYPTO_AEAD_AES_GCM16, 20 }, { CRYPTO_AEAD_AES_GCM16, 36 },
		{ CRYPTO_AEAD_AES_GCM16, 16 }, { CRYPTO_AEAD_CHACHA20_POLY1305, 36 },
		{ CRYPTO_AEAD_CHACHA20_POLY1305, 32 },
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		a = NULL;
		CHECK_EQ(crypto_aead_new(ok[i].alg, keymat, ok[i].len, &a), 0);
		if (a)
			aead_round_trip(a);
		crypto_aead_free(a);
	}
	CHECK_EQ(crypto_aead_new(CRYPTO_AEAD_AES_GCM16, keymat, 21, &a), -EINVAL);
	CHECK_EQ(crypto_aead_new(CRYPTO_AEAD_AES_GCM16, keymat, 0, &a), -EINVAL);
	CHECK_EQ(crypto_aead_new(CRYPTO_AEAD_CHACHA20_POLY1305, keymat, 20, &a), -EINVAL);
	CHECK_EQ(crypto_aead_new(12, keymat, 20, &a), -ENOTSUP);

	/* The salt matters: same key, other salt, other ciphertext. */
	struct crypto_aead *s1 = NULL, *s2 = NULL;
	uint8_t km2[20], b1[32] = { 0 }, b2[32] = { 0 }, t1[16], t2[16], iv[8] = { 0 };
	memcpy(km2, keymat, 20);
	km2[19] ^= 1;
	CHECK_EQ(crypto_aead_new(CRYPTO_AEAD_AES_GCM16, keymat, 20, &s1), 0);
	CHECK_EQ(crypto_aead_new(CRYPTO_AEAD_AES_GCM16, km2, 20, &s2), 0);
	if (s1 && s2) {
		crypto_aead_seal(s1, iv, NULL, 0, b1, 32, t1);
		crypto_aead_seal(s2, iv, NULL, 0, b2, 32, t2);
		CHECK(memcmp(b1, b2, 32) != 0);
		/* Opening with the other salt fails. */
		CHECK_EQ(crypto_aead_open(s2, iv, NULL, 0, b1, 32, t1), -EACCES);
	}
	crypto_aead_free(s1);
	crypto_aead_free(s2);
	crypto_aead_free(NULL);
}

static void test_cbc_hmac(void)
{
	static const int integs[] = { CRYPTO_INTEG_HMAC_SHA2_256_128, CRYPTO_INTEG_HMAC_SHA2_384_192,
				      CRYPTO_INTEG_HMAC_SHA2_512_256 };
	static const size_t enc_lens[] = { 16, 32 };
	uint8_t ekey[32], ikey[64], iv[16], aad[28], buf[256], orig[256], icv[32];
	for (size_t i = 0; i < sizeof(ekey); i++)
		ekey[i] = (uint8_t)(0x40 + i);
	memset(ikey, 0x33, sizeof(ikey));
	memset(iv, 0x11, sizeof(iv));
	memset(aad, 0x22, sizeof(aad));
	for (size_t i = 0; i < sizeof(orig); i++)
		orig[i] = (uint8_t)i;
	CHECK_EQ(crypto_integ_key_len(CRYPTO_INTEG_HMAC_SHA2_256_128), 32);
	CHECK_EQ(crypto_integ_icv_len(CRYPTO_INTEG_HMAC_SHA2_256_128), 16);
	CHECK_EQ(crypto_integ_icv_len(CRYPTO_INTEG_HMAC_SHA2_384_192), 24);
	CHECK_EQ(crypto_integ_icv_len(CRYPTO_INTEG_HMAC_SHA2_512_256), 32);
	CHECK_EQ(crypto_integ_key_len(2), 0);
	for (size_t e = 0; e < 2; e++) {
		for (size_t k = 0; k < 3; k++) {
			struct crypto_cbc_hmac *c = NULL;
			size_t il = crypto_integ_key_len(integs[k]), icv_len = il / 2;
			CHECK_EQ(crypto_cbc_hmac_new(ekey, enc_lens[e], integs[k], ikey, il, &c), 0);
			if (!c)
				continue;
			memcpy(buf, orig, sizeof(buf));
			CHECK_EQ(crypto_cbc_hmac_seal(c, iv, aad, sizeof(aad), buf, 256, icv), 0);
			CHECK(memcmp(buf, orig, 256) != 0);
			CHECK_EQ(crypto_cbc_hmac_open(c, iv, aad, sizeof(aad), buf, 256, icv), 0);
			CHECK_MEM(buf, orig, 256);
			/* Tamper: ciphertext, last ICV octet, AAD, IV. The buffer is
			 * left alone when the ICV does not match. */
			for (int what = 0; what < 4; what++) {
				memcpy(buf, orig, sizeof(buf));
				CHECK_EQ(crypto_cbc_hmac_seal(c, iv, aad, sizeof(aad), buf, 256, icv), 0);
				uint8_t *p = what == 0 ? buf + 100 : what == 1 ? icv + icv_len - 1 :
					     what == 2 ? aad : iv + 15;
				*p ^= 0x01;
				uint8_t snap[256];
				memcpy(snap, buf, 256);
				CHECK_EQ(crypto_cbc_hmac_open(c, iv, aad, sizeof(aad), buf, 256, icv), -EACCES);
				CHECK_MEM(buf, snap, 256);
				*p ^= 0x01;
			}
			CHECK_EQ(crypto_cbc_hmac_seal(c, iv, aad, sizeof(aad), buf, 255, icv), -EINVAL);
			CHECK_EQ(crypto_cbc_hmac_open(c, iv, aad, sizeof(aad), buf, 17, icv), -EINVAL);
			crypto_cbc_hmac_free(c);
		}
	}
	struct crypto_cbc_hmac *c = NULL;
	CHECK_EQ(crypto_cbc_hmac_new(ekey, 15, CRYPTO_INTEG_HMAC_SHA2_256_128, ikey, 32, &c), -EINVAL);
	CHECK_EQ(crypto_cbc_hmac_new(ekey, 16, CRYPTO_INTEG_HMAC_SHA2_256_128, ikey, 31, &c), -EINVAL);
	CHECK_EQ(crypto_cbc_hmac_new(ekey, 16, 5, ikey, 32, &c), -ENOTSUP);
}

static void test_prf(void)
{
	struct crypto_prf *prf = NULL;
	uint8_t key[32] = { 7 }, out[255 * 32 + 1], t[32];
	CHECK_EQ(crypto_prf_len(CRYPTO_PRF_HMAC_SHA2_256), 32);
	CHECK_EQ(crypto_prf_len(CRYPTO_PRF_HMAC_SHA2_512), 64);
	CHECK_EQ(crypto_prf_len(4), 0);  /* PRF_AES128_XCBC: not provided */
	CHECK_EQ(crypto_prf_new(4, key, 16, &prf), -ENOTSUP);
	CHECK_EQ(crypto_prf_new(CRYPTO_PRF_HMAC_SHA2_256, key, sizeof(key), &prf), 0);
	if (!prf)
		return;
	const struct crypto_buf s = { (const uint8_t *)"seed", 4 };
	/* prf+ limits: 255 blocks at most (RFC 7296 2.13). */
	CHECK_EQ(crypto_prf_plus(prf, &s, 1, out, 255 * 32), 0);
	CHECK_EQ(crypto_prf_plus(prf, &s, 1, out, 255 * 32 + 1), -EINVAL);
	CHECK_EQ(crypto_prf_plus(prf, &s, 1, out, 0), 0);
	/* T1 = prf(K, S | 0x01), T2 = prf(K, T1 | S | 0x02). */
	uint8_t one = 1, two = 2, t1[32];
	CHECK_EQ(crypto_prf_plus(prf, &s, 1, out, 70), 0);
	struct crypto_buf p1[2] = { s, { &one, 1 } };
	CHECK_EQ(crypto_prf_run(prf, p1, 2, t1), 0);
	CHECK_MEM(out, t1, 32);
	struct crypto_buf p2[3] = { { t1, 32 }, s, { &two, 1 } };
	CHECK_EQ(crypto_prf_run(prf, p2, 3, t), 0);
	CHECK_MEM(out + 32, t, 32);
	/* Output lengths that are not block multiples are prefixes. */
	uint8_t short_out[5];
	CHECK_EQ(crypto_prf_plus(prf, &s, 1, short_out, 5), 0);
	CHECK_MEM(short_out, t1, 5);
	struct crypto_buf many[CRYPTO_PRF_PARTS_MAX + 1];
	for (size_t i = 0; i < CRYPTO_PRF_PARTS_MAX + 1; i++)
		many[i] = s;
	CHECK_EQ(crypto_prf_plus(prf, many, CRYPTO_PRF_PARTS_MAX + 1, out, 32), -EINVAL);
	crypto_prf_free(prf);
}

/* The KDF entry points agree with prf/prf+ composed by hand. */
static void test_kdf(void)
{
	const int alg = CRYPTO_PRF_HMAC_SHA2_256;
	uint8_t ni[32], nr[32], spii[8] = { 1 }, spir[8] = { 2 };
	memset(ni, 0x4e, sizeof(ni));
	memset(nr, 0x52, sizeof(nr));
	struct crypto_buf bni = { ni, 32 }, bnr = { nr, 32 };
	struct secret *gir = NULL, *ss = NULL, *sk1 = NULL, *res = NULL;
	CHECK_EQ(crypto_secret_from("shared-secret-g^ir..............", 32, &gir), 0);
	CHECK_EQ(crypto_kdf_skeyseed(alg, bni, bnr, gir, &ss), 0);
	CHECK_EQ(crypto_kdf_skeyseed(99, bni, bnr, gir, &sk1), -ENOTSUP);
	if (!ss)
		return;
	struct crypto_ike_keys k = { 0 };
	/* AES-GCM-256 IKE SA: no integrity keys, 36-octet SK_e (key | salt). */
	CHECK_EQ(crypto_kdf_ike_keys(alg, ss, bni, bnr, spii, spir, 0, 36, &k), 0);
	if (k.sk_d) {
		CHECK_EQ(k.sk_d->len, 32);
		CHECK_EQ(k.sk_ai->len, 0);
		CHECK_EQ(k.sk_ar->len, 0);
		CHECK_EQ(k.sk_ei->len, 36);
		CHECK_EQ(k.sk_er->len, 36);
		CHECK_EQ(k.sk_pi->len, 32);
		CHECK_EQ(k.sk_pr->len, 32);
		uint8_t all[32 + 36 + 36 + 32 + 32];
		struct crypto_prf *prf = NULL;
		CHECK_EQ(crypto_prf_new(alg, ss->p, ss->len, &prf), 0);
		struct crypto_buf seed[4] = { bni, bnr, { spii, 8 }, { spir, 8 } };
		CHECK_EQ(crypto_prf_plus(prf, seed, 4, all, sizeof(all)), 0);
		CHECK_MEM(k.sk_d->p, all, 32);
		CHECK_MEM(k.sk_ei->p, all + 32, 36);
		CHECK_MEM(k.sk_er->p, all + 68, 36);
		CHECK_MEM(k.sk_pi->p, all + 104, 32);
		CHECK_MEM(k.sk_pr->p, all + 136, 32);
		crypto_prf_free(prf);

		/* RFC 9370 2.2.2: SKEYSEED(1) = prf(SK_d(0), SK(1) | Ni | Nr). */
		struct secret *mlkem = NULL;
		CHECK_EQ(crypto_secret_from("ml-kem-shared-key...............", 32, &mlkem), 0);
		const struct secret *ke[1] = { mlkem };
		CHECK_EQ(crypto_kdf_skeyseed_rekey(alg, k.sk_d, ke, 1, bni, bnr, &sk1), 0);
		uint8_t want[32];
		prf = NULL;
		CHECK_EQ(crypto_prf_new(alg, k.sk_d->p, k.sk_d->len, &prf), 0);
		struct crypto_buf p[3] = { { mlkem->p, 32 }, bni, bnr };
		CHECK_EQ(crypto_prf_run(prf, p, 3, want), 0);
		if (sk1)
			CHECK_MEM(sk1->p, want, 32);
		/* RFC 5723 5.1: prf(SK_d, "Resumption" | Ni | Nr). */
		CHECK_EQ(crypto_kdf_skeyseed_resume(alg, k.sk_d, bni, bnr, &res), 0);
		struct crypto_buf q[3] = { { (const uint8_t *)"Resumption", 10 }, bni, bnr };
		CHECK_EQ(crypto_prf_run(prf, q, 3, want), 0);
		if (res)
			CHECK_MEM(res->p, want, 32);
		/* Child keymat with two key exchanges (RFC 9370 2.2.4): the order
		 * matters. */
		struct secret *c1 = NULL, *c2 = NULL;
		const struct secret *ke2[2] = { gir, mlkem }, *ke2r[2] = { mlkem, gir };
		CHECK_EQ(crypto_kdf_child(alg, k.sk_d, ke2, 2, bni, bnr, 128, &c1), 0);
		CHECK_EQ(crypto_kdf_child(alg, k.sk_d, ke2r, 2, bni, bnr, 128, &c2), 0);
		if (c1 && c2)
			CHECK(!crypto_secret_eq(c1, c2));
		/* ... and it is SK(0) | Ni | Nr | SK(1) (strongSwan, libreswan) */
		uint8_t km[128];
		struct crypto_buf order[4] = { { gir->p, gir->len }, bni, bnr, { mlkem->p, 32 } };
		CHECK_EQ(crypto_prf_plus(prf, order, 4, km, sizeof(km)), 0);
		if (c1)
			CHECK_MEM(c1->p, km, sizeof(km));
		struct secret *s2 = NULL;
		CHECK_EQ(crypto_kdf_skeyseed_rekey(alg, k.sk_d, ke2, 2, bni, bnr, &s2), 0);
		CHECK_EQ(crypto_prf_run(prf, order, 4, want), 0);
		if (s2)
			CHECK_MEM(s2->p, want, 32);
		crypto_secret_free(s2);
		crypto_secret_free(c1);
		crypto_secret_free(c2);
		crypto_prf_free(prf);
		crypto_secret_free(mlkem);
	}
	crypto_ike_keys_free(&k);
	CHECK(k.sk_d == NULL);
	crypto_secret_free(gir);
	crypto_secret_free(ss);
	crypto_secret_free(sk1);
	crypto_secret_free(res);
}

static void test_ke(void)
{
	static const int dh[] = { CRYPTO_KE_ECP256, CRYPTO_KE_ECP384, CRYPTO_KE_ECP521,
				  CRYPTO_KE_CURVE25519, CRYPTO_KE_CURVE448 };
	for (size_t i = 0; i < sizeof(dh) / sizeof(dh[0]); i++) {
		struct crypto_ke *ke = NULL;
		struct secret *si = NULL, *sr = NULL;
		uint8_t out[200];
		size_t n = 0, pl;
		CHECK(crypto_ke_supported(dh[i]));
		CHECK(!crypto_ke_is_kem(dh[i]));
		CHECK_EQ(crypto_ke_new(dh[i], &ke), 0);
		if (!ke)
			continue;
		CHECK_EQ(crypto_ke_method(ke), dh[i]);
		const uint8_t *pub = crypto_ke_public(ke, &pl);
		CHECK_EQ(pl, crypto_ke_init_len(dh[i]));
		CHECK_EQ(crypto_ke_respond(dh[i], pub, pl, out, sizeof(out), &n, &sr), 0);
		CHECK_EQ(n, crypto_ke_resp_len(dh[i]));
		CHECK_EQ(crypto_ke_finish(ke, out, n, &si), 0);
		if (si && sr) {
			CHECK_EQ(si->len, crypto_ke_secret_len(dh[i]));
			CHECK(crypto_secret_eq(si, sr));
		}
		struct secret *none = NULL;
		CHECK_EQ(crypto_ke_respond(dh[i], pub, pl, out, n - 1, &n, &none), -ENOBUFS);
		CHECK_EQ(crypto_ke_respond(dh[i], pub, pl + 1, out, sizeof(out), &n, &none), -EBADMSG);
		CHECK_EQ(crypto_ke_finish(ke, out, pl - 1, &none), -EBADMSG);
		CHECK(none == NULL);
		crypto_secret_free(si);
		crypto_secret_free(sr);
		crypto_ke_free(ke);
	}
	/* Unknown methods: MODP-2048 (14) is not provided; 0 and 1000 are not methods. */
	static const int unknown[] = { 0, 14, 30, 1000 };
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		struct crypto_ke *ke = NULL;
		struct secret *s = NULL;
		uint8_t out[8];
		size_t n;
		CHECK(!crypto_ke_supported(unknown[i]));
		CHECK_EQ(crypto_ke_init_len(unknown[i]), 0);
		CHECK_EQ(crypto_ke_new(unknown[i], &ke), -ENOTSUP);
		CHECK_EQ(crypto_ke_respond(unknown[i], out, 8, out, 8, &n, &s), -ENOTSUP);
	}
	/* Fixed private keys of the wrong length. */
	struct crypto_ke *ke = NULL;
	uint8_t k[66] = { 1 };
	CHECK_EQ(crypto_ke_new_from_private(CRYPTO_KE_ECP256, k, 31, &ke), -EINVAL);
	CHECK_EQ(crypto_ke_new_from_private(CRYPTO_KE_CURVE25519, k, 31, &ke), -EINVAL);
	/* Scalar 0 and scalar >= order are not private keys. */
	uint8_t zero[32] = { 0 }, big[32];
	memset(big, 0xff, sizeof(big));
	CHECK_EQ(crypto_ke_new_from_private(CRYPTO_KE_ECP256, zero, 32, &ke), -EINVAL);
	CHECK_EQ(crypto_ke_new_from_private(CRYPTO_KE_ECP256, big, 32, &ke), -EINVAL);
	/* Lengths per method (RFC 5903 7, RFC 8031 2, FIPS 203 8). */
	CHECK_EQ(crypto_ke_init_len(CRYPTO_KE_ECP521), 132);
	CHECK_EQ(crypto_ke_secret_len(CRYPTO_KE_ECP521), 66);
	CHECK_EQ(crypto_ke_init_len(CRYPTO_KE_MLKEM768), 1184);
	CHECK_EQ(crypto_ke_resp_len(CRYPTO_KE_MLKEM768), 1088);
	CHECK_EQ(crypto_ke_init_len(CRYPTO_KE_MLKEM512), 800);
	CHECK_EQ(crypto_ke_resp_len(CRYPTO_KE_MLKEM512), 768);
	CHECK_EQ(crypto_ke_resp_len(CRYPTO_KE_MLKEM1024), 1568);
	CHECK(crypto_ke_is_kem(CRYPTO_KE_MLKEM1024));
	if (!crypto_ke_supported(CRYPTO_KE_MLKEM768))
		CHECK_EQ(crypto_ke_new(CRYPTO_KE_MLKEM768, &ke), -ENOTSUP);
}

static void test_sig_edges(void)
{
	uint8_t out[64];
	struct crypto_buf b = { (const uint8_t *)"x", 1 };
	CHECK_EQ(crypto_hash(5, &b, 1, out), -ENOTSUP);  /* 5 = Identity (RFC 8420): no digest */
	CHECK_EQ(crypto_hash_len(0), 0);
	struct crypto_pkey *k = NULL;
	CHECK_EQ(crypto_pkey_generate(CRYPTO_PKEY_RSA, 1024, &k), -EINVAL);
	CHECK_EQ(crypto_pkey_generate(77, 0, &k), -ENOTSUP);
	CHECK_EQ(crypto_pkey_from_raw(CRYPTO_PKEY_ED25519, 0, out, 31, &k), -EINVAL);
	CHECK_EQ(crypto_pkey_from_raw(CRYPTO_PKEY_RSA, 0, out, 32, &k), -ENOTSUP);
	CHECK_EQ(crypto_pkey_generate(CRYPTO_PKEY_ED25519, 0, &k), 0);
	if (k) {
		size_t n;
		CHECK_EQ(crypto_sig_sign(k, 999, out, 1, out, sizeof(out), &n), -ENOTSUP);
		CHECK_EQ(crypto_sig_verify(k, 999, out, 1, out, 64), -ENOTSUP);
		CHECK_EQ(crypto_sig_sign(k, CRYPTO_SIG_RSA_PSS_SHA256, out, 1, out, sizeof(out), &n), -EINVAL);
		crypto_pkey_free(k);
	}
}

int main(void)
{
	test_secret();
	test_aead();
	test_cbc_hmac();
	test_prf();
	test_kdf();
	test_ke();
	test_sig_edges();
	return test_done();
}
