/* ML-KEM (FIPS 203) through crypto_ke, for IKEv2 methods 35/36/37
 * (draft-ietf-ipsecme-ikev2-mlkem): sizes from FIPS 203 8 Table 3,
 * initiator/responder round trips, implicit rejection (FIPS 203 6.3: a
 * corrupted ciphertext decapsulates, without error, to a different key),
 * wrong-length encapsulation keys and ciphertexts refused, and, where the
 * provider takes a seed (OpenSSL >= 3.5), keygen from d | z deterministic.
 * On an OpenSSL without ML-KEM this test is skipped, never passed. */
#include "crypto/ke.h"
#include "vec.h"

static const struct { int method; size_t ek, ct; } sizes[] = {
	{ CRYPTO_KE_MLKEM512, 800, 768 },
	{ CRYPTO_KE_MLKEM768, 1184, 1088 },
	{ CRYPTO_KE_MLKEM1024, 1568, 1568 },
};

static void check_method(int method, size_t ek_len, size_t ct_len)
{
	struct crypto_ke *ke = NULL;
	struct secret *s_i = NULL, *s_r = NULL, *s_bad = NULL;
	uint8_t ct[1600], ct2[1600];
	size_t n = 0, pl = 0;

	printf("method %d\n", method);
	CHECK_EQ(crypto_ke_init_len(method), ek_len);
	CHECK_EQ(crypto_ke_resp_len(method), ct_len);
	CHECK_EQ(crypto_ke_secret_len(method), 32);
	CHECK(crypto_ke_is_kem(method));
	CHECK_EQ(crypto_ke_new(method, &ke), 0);
	if (!ke)
		return;
	const uint8_t *ek = crypto_ke_public(ke, &pl);
	CHECK_EQ(pl, ek_len);

	/* Responder encapsulates to the initiator's ek; the initiator decapsulates. */
	CHECK_EQ(crypto_ke_respond(method, ek, pl, ct, sizeof(ct), &n, &s_r), 0);
	CHECK_EQ(n, ct_len);
	CHECK_EQ(crypto_ke_finish(ke, ct, n, &s_i), 0);
	if (s_i && s_r) {
		CHECK_EQ(s_i->len, 32);
		CHECK(crypto_secret_eq(s_i, s_r));
	}
	/* Implicit rejection: one flipped bit, no error, another key; and the
	 * same corrupted ciphertext gives the same rejection key twice (it is
	 * J(z | c), a function of the ciphertext, not random). */
	memcpy(ct2, ct, n);
	ct2[n / 2] ^= 0x01;
	CHECK_EQ(crypto_ke_finish(ke, ct2, n, &s_bad), 0);
	if (s_bad && s_i) {
		CHECK_EQ(s_bad->len, 32);
		CHECK(!crypto_secret_eq(s_bad, s_i));
		struct secret *again = NULL;
		CHECK_EQ(crypto_ke_finish(ke, ct2, n, &again), 0);
		if (again)
			CHECK(crypto_secret_eq(again, s_bad));
		crypto_secret_free(again);
	}
	/* Encapsulation is randomised: a second one gives another ct and key. */
	struct secret *s_r2 = NULL;
	size_t n2 = 0;
	CHECK_EQ(crypto_ke_respond(method, ek, pl, ct2, sizeof(ct2), &n2, &s_r2), 0);
	if (s_r2 && s_r)
		CHECK(memcmp(ct, ct2, n) != 0 && !crypto_secret_eq(s_r, s_r2));
	crypto_secret_free(s_r2);

	/* Wrong lengths both ways, and a short output buffer. */
	struct secret *none = NULL;
	CHECK_EQ(crypto_ke_finish(ke, ct, n - 1, &none), -EBADMSG);
	CHECK_EQ(crypto_ke_finish(ke, ct, 0, &none), -EBADMSG);
	CHECK_EQ(crypto_ke_respond(method, ek, pl - 1, ct2, sizeof(ct2), &n2, &none), -EBADMSG);
	CHECK_EQ(crypto_ke_respond(method, ek, pl, ct2, ct_len - 1, &n2, &none), -ENOBUFS);
	/* FIPS 203 7.2: an ek whose coefficients are not reduced mod q (all
	 * 0xff encodes 4095 > 3328) is refused. */
	uint8_t bad_ek[1600];
	memset(bad_ek, 0xff, sizeof(bad_ek));
	CHECK_EQ(crypto_ke_respond(method, bad_ek, pl, ct2, sizeof(ct2), &n2, &none), -EBADMSG);
	CHECK(none == NULL);

	/* Deterministic keygen from d | z, where the provider supports it. */
	uint8_t seed[64];
	for (size_t i = 0; i < sizeof(seed); i++)
		seed[i] = (uint8_t)i;
	struct crypto_ke *d1 = NULL, *d2 = NULL;
	int err = crypto_ke_new_from_private(method, seed, sizeof(seed), &d1);
	if (err == -ENOTSUP) {
		printf("  provider takes no seed: deterministic keygen not checked\n");
	} else {
		CHECK_EQ(err, 0);
		CHECK_EQ(crypto_ke_new_from_private(method, seed, sizeof(seed), &d2), 0);
		if (d1 && d2) {
			size_t l1, l2;
			const uint8_t *p1 = crypto_ke_public(d1, &l1), *p2 = crypto_ke_public(d2, &l2);
			CHECK_EQ(l1, ek_len);
			CHECK(l1 == l2 && memcmp(p1, p2, l1) == 0);
		}
		struct crypto_ke *short_seed = NULL;
		CHECK_EQ(crypto_ke_new_from_private(method, seed, 63, &short_seed), -EINVAL);
	}
	crypto_ke_free(d1);
	crypto_ke_free(d2);
	crypto_secret_free(s_i);
	crypto_secret_free(s_r);
	crypto_secret_free(s_bad);
	crypto_ke_free(ke);
}

int main(void)
{
	int any = 0;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		if (!crypto_ke_supported(sizes[i].method)) {
			struct crypto_ke *ke = NULL;
			CHECK_EQ(crypto_ke_new(sizes[i].method, &ke), -ENOTSUP);
			printf("method %d: not available here\n", sizes[i].method);
			continue;
		}
		any = 1;
		check_method(sizes[i].method, sizes[i].ek, sizes[i].ct);
	}
	if (!any)
		return test_skip("OpenSSL 3.0.x provides no ML-KEM (needs >= 3.5 or oqsprovider)");
	return test_done();
}
