/* petrel-gw's RFC 5723 tickets (src/gw/ticket.c): the state round trip,
 * tampering, lengths, expiry, replay and its cap, key rotation and
 * forgetting, the key file, the announced lifetime, and the plaintext's
 * exact bytes (read with the key from a key file). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/hex.h"
#include "crypto/aead.h"
#include "gw/ticket.h"
#include "ike/pld/consts.h"
#include "test.h"

#define NOW 1767225600u /* 2026-01-01T00:00:00Z */

static char tmpdir[] = "/tmp/petrel-ticket-XXXXXX";

/* A state with every field set to something recognisable; lengths past
 * the maximum are kept (for the refusals) but only the arrays filled. */
static void state_fill(struct ike_resume_state *st, size_t sk_d_len, size_t idi_len,
		       size_t idr_len)
{
	memset(st, 0, sizeof(*st));
	st->alg = (struct ike_chosen){
		.proto = IKE_PROTO_IKE, .encr = IKE_ENCR_AES_GCM_16, .encr_bits = 256,
		.prf = IKE_PRF_HMAC_SHA2_256, .integ = 0xa1b2,
		.ke = { IKE_KE_CURVE25519, IKE_KE_MLKEM768, 3, 4, 5, 6, 7, 0xfffe },
		.esn = 0x0102, .spi_len = 8, .spi = { 1, 2, 3, 4, 5, 6, 7, 8 }, .num = 0xc3,
	};
	st->sk_d_len = sk_d_len;
	for (size_t i = 0; i < sk_d_len && i < IKE_SKD_MAX_LEN; i++)
		st->sk_d[i] = (uint8_t)(0x40 + i * 7);
	st->idi.type = IKE_ID_RFC822_ADDR;
	st->idi.len = idi_len;
	for (size_t i = 0; i < idi_len && i < IKE_ID_MAX_LEN; i++)
		st->idi.data[i] = (uint8_t)('a' + i % 26);
	st->idr.type = IKE_ID_FQDN;
	st->idr.len = idr_len;
	for (size_t i = 0; i < idr_len && i < IKE_ID_MAX_LEN; i++)
		st->idr.data[i] = (uint8_t)(255 - i);
	for (int i = 0; i < 8; i++) {
		st->spi_i[i] = (uint8_t)(0x10 + i);
		st->spi_r[i] = (uint8_t)(0xe0 + i);
	}
	st->auth = IKE_AUTHK_EAP;
}

static void check_state_eq(const struct ike_resume_state *a, const struct ike_resume_state *b)
{
	CHECK_EQ(a->alg.proto, b->alg.proto);
	CHECK_EQ(a->alg.encr, b->alg.encr);
	CHECK_EQ(a->alg.encr_bits, b->alg.encr_bits);
	CHECK_EQ(a->alg.prf, b->alg.prf);
	CHECK_EQ(a->alg.integ, b->alg.integ);
	for (int i = 0; i < 8; i++)
		CHECK_EQ(a->alg.ke[i], b->alg.ke[i]);
	CHECK_EQ(a->alg.esn, b->alg.esn);
	CHECK_EQ(a->alg.spi_len, b->alg.spi_len);
	CHECK_MEM(a->alg.spi, b->alg.spi, a->alg.spi_len);
	CHECK_EQ(a->alg.num, b->alg.num);
	CHECK_EQ(a->sk_d_len, b->sk_d_len);
	CHECK_MEM(a->sk_d, b->sk_d, a->sk_d_len);
	CHECK_EQ(a->idi.type, b->idi.type);
	CHECK_EQ(a->idi.len, b->idi.len);
	CHECK_MEM(a->idi.data, b->idi.data, a->idi.len);
	CHECK_EQ(a->idr.type, b->idr.type);
	CHECK_EQ(a->idr.len, b->idr.len);
	CHECK_MEM(a->idr.data, b->idr.data, a->idr.len);
	CHECK_MEM(a->spi_i, b->spi_i, 8);
	CHECK_MEM(a->spi_r, b->spi_r, 8);
	CHECK_EQ(a->auth, b->auth);
}

/* 1 when every octet of st is zero: what a failed open leaves. */
static int state_wiped(const struct ike_resume_state *st)
{
	const uint8_t *p = (const uint8_t *)st;
	uint8_t any = 0;
	for (size_t i = 0; i < sizeof(*st); i++)
		any |= p[i];
	return !any;
}

static struct gw_tickets *tickets(uint32_t lifetime_s, uint32_t rotate_s, const char *key_file)
{
	struct gw_tickets *t = NULL;
	const char *why;
	int rc = gw_tickets_new(lifetime_s, rotate_s, key_file, &t, &why);
	CHECK_EQ(rc, 0);
	if (rc)
		fprintf(stderr, "gw_tickets_new: %s\n", why);
	return t;
}

/* Seal a fresh state at now; returns the announced lifetime. */
static uint32_t seal(struct gw_tickets *t, uint64_t now, uint32_t max_s,
		     uint8_t tk[GW_TICKET_LEN])
{
	struct ike_resume_state st;
	uint32_t life = 0;
	size_t len = 0;
	state_fill(&st, 32, 17, 9);
	CHECK_EQ(gw_ticket_seal(t, &st, now, max_s, tk, GW_TICKET_LEN, &len, &life), 0);
	CHECK_EQ(len, GW_TICKET_LEN);
	return life;
}

static int open_at(struct gw_tickets *t, const uint8_t *tk, size_t len, uint64_t now)
{
	struct ike_resume_state out;
	memset(&out, 0xa5, sizeof(out));
	int rc = gw_ticket_open(t, tk, len, now, &out);
	if (rc)
		CHECK(state_wiped(&out));
	return rc;
}

static void test_round_trip(void)
{
	/* sk_d and identity lengths at their bounds and in between. */
	static const size_t lens[][3] = {
		{ 32, 17, 9 }, { IKE_SKD_MAX_LEN, IKE_ID_MAX_LEN, IKE_ID_MAX_LEN }, { 0, 0, 0 },
		{ 48, 1, 255 },
	};
	struct gw_tickets *t = tickets(3600, 86400, NULL);
	uint8_t tk[GW_TICKET_LEN + 8];

	for (size_t i = 0; t && i < sizeof(lens) / sizeof(lens[0]); i++) {
		struct ike_resume_state in, out;
		uint32_t life = 0;
		size_t len = 0;
		state_fill(&in, lens[i][0], lens[i][1], lens[i][2]);
		in.alg.spi_len = (uint8_t)(i * 2 + 2);
		CHECK_EQ(gw_ticket_seal(t, &in, NOW, 0, tk, sizeof(tk), &len, &life), 0);
		CHECK_EQ(len, GW_TICKET_LEN);
		CHECK_EQ(life, 3600);
		CHECK_EQ(tk[0], GW_TICKET_VERSION);
		CHECK_EQ(gw_ticket_open(t, tk, len, NOW + 10, &out), 0);
		check_state_eq(&in, &out);
	}
	/* Lengths out of range, and too small a buffer. */
	struct ike_resume_state bad;
	uint32_t life = 1;
	size_t len = 1;
	state_fill(&bad, IKE_SKD_MAX_LEN + 1, 4, 4);
	CHECK_EQ(gw_ticket_seal(t, &bad, NOW, 0, tk, sizeof(tk), &len, &life), -EINVAL);
	CHECK_EQ(len, 0);
	CHECK_EQ(life, 0);
	state_fill(&bad, 32, IKE_ID_MAX_LEN + 1, 4);
	CHECK_EQ(gw_ticket_seal(t, &bad, NOW, 0, tk, sizeof(tk), &len, &life), -EINVAL);
	state_fill(&bad, 32, 4, 4);
	bad.alg.spi_len = 9;
	CHECK_EQ(gw_ticket_seal(t, &bad, NOW, 0, tk, sizeof(tk), &len, &life), -EINVAL);
	bad.alg.spi_len = 8;
	CHECK_EQ(gw_ticket_seal(t, &bad, NOW, 0, tk, GW_TICKET_LEN - 1, &len, &life), -ENOBUFS);
	gw_tickets_free(t);
}

/* Every single-bit flip is refused: the version octet as malformed, the
 * key id as an unknown key, anything else by the tag. */
static void test_bit_flips(void)
{
	struct gw_tickets *t = tickets(3600, 86400, NULL);
	uint8_t tk[GW_TICKET_LEN];
	unsigned wrong = 0;

	if (!t)
		return;
	seal(t, NOW, 0, tk);
	for (size_t bit = 0; bit < GW_TICKET_LEN * 8; bit++) {
		int want = bit < 8 ? -EBADMSG : -EKEYREJECTED;
		tk[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		int rc = open_at(t, tk, sizeof(tk), NOW);
		tk[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		if (rc != want && wrong++ < 5)
			fprintf(stderr, "bit %zu flipped: %d, want %d\n", bit, rc, want);
	}
	CHECK_EQ(wrong, 0);
	/* None of them used the ticket up. */
	CHECK_EQ(open_at(t, tk, sizeof(tk), NOW), 0);
	gw_tickets_free(t);
}

static void test_lengths(void)
{
	struct gw_tickets *t = tickets(3600, 86400, NULL);
	uint8_t tk[GW_TICKET_LEN + 64];
	unsigned wrong = 0;

	if (!t)
		return;
	memset(tk, 0, sizeof(tk));
	seal(t, NOW, 0, tk);
	for (size_t len = 0; len < sizeof(tk); len++)
		if (len != GW_TICKET_LEN && open_at(t, tk, len, NOW) != -EBADMSG && wrong++ < 5)
			fprintf(stderr, "length %zu not refused as malformed\n", len);
	CHECK_EQ(wrong, 0);
	CHECK_EQ(open_at(t, tk, GW_TICKET_LEN, NOW), 0);
	gw_tickets_free(t);
}

/* Valid for [issue, issue + lifetime); an issue time up to
 * GW_TICKET_SKEW_S ahead of the clock is tolerated. */
static void test_expiry(void)
{
	struct gw_tickets *t = tickets(3600, 86400, NULL);
	uint8_t a[GW_TICKET_LEN], b[GW_TICKET_LEN], c[GW_TICKET_LEN], d[GW_TICKET_LEN];

	if (!t)
		return;
	seal(t, NOW, 0, a);
	seal(t, NOW, 0, b);
	seal(t, NOW, 0, c);
	seal(t, NOW, 0, d);
	CHECK_EQ(open_at(t, a, sizeof(a), NOW + 3600), -ETIME);
	CHECK_EQ(open_at(t, a, sizeof(a), NOW + 100000), -ETIME);
	CHECK_EQ(open_at(t, a, sizeof(a), NOW + 3599), 0);
	CHECK_EQ(open_at(t, b, sizeof(b), NOW - GW_TICKET_SKEW_S - 1), -ETIME);
	CHECK_EQ(open_at(t, b, sizeof(b), NOW - GW_TICKET_SKEW_S), 0);
	/* An expired ticket stays refused as expired, not as used. */
	CHECK_EQ(open_at(t, c, sizeof(c), NOW + 3600), -ETIME);
	CHECK_EQ(open_at(t, c, sizeof(c), NOW + 3601), -ETIME);
	CHECK_EQ(open_at(t, d, sizeof(d), NOW), 0);
	gw_tickets_free(t);
}

static void test_replay(void)
{
	struct gw_tickets *t = tickets(100, 1000, NULL);
	uint8_t tk[GW_TICKET_LEN], other[GW_TICKET_LEN];

	if (!t)
		return;
	seal(t, NOW, 0, tk);
	seal(t, NOW, 0, other);
	CHECK(memcmp(tk + 5, other + 5, GW_TICKET_NONCE_LEN) != 0);
	CHECK_EQ(open_at(t, tk, sizeof(tk), NOW + 1), 0);
	CHECK_EQ(open_at(t, tk, sizeof(tk), NOW + 2), -EALREADY);
	CHECK_EQ(open_at(t, tk, sizeof(tk), NOW + 99), -EALREADY);
	CHECK_EQ(open_at(t, other, sizeof(other), NOW + 3), 0);

	/* The cache is full of live ids: the next ticket is refused (the
	 * client makes a full handshake), until those tickets expire. */
	static uint8_t many[GW_TICKET_SEEN_MAX][GW_TICKET_LEN];
	struct ike_resume_state st;
	unsigned wrong = 0;
	uint32_t life;
	size_t len;
	gw_tickets_rekey(t);
	state_fill(&st, 32, 17, 9);
	for (size_t i = 0; i < GW_TICKET_SEEN_MAX; i++)
		if (gw_ticket_seal(t, &st, NOW + 200, 0, many[i], GW_TICKET_LEN, &len, &life) ||
		    gw_ticket_open(t, many[i], GW_TICKET_LEN, NOW + 200, &st))
			wrong++;
	CHECK_EQ(wrong, 0);
	seal(t, NOW + 200, 0, tk);
	seal(t, NOW + 250, 0, other);
	CHECK_EQ(open_at(t, tk, sizeof(tk), NOW + 299), -ENOSPC);
	CHECK_EQ(open_at(t, many[7], GW_TICKET_LEN, NOW + 299), -EALREADY);
	CHECK_EQ(open_at(t, other, sizeof(other), NOW + 300), 0);
	CHECK_EQ(open_at(t, many[7], GW_TICKET_LEN, NOW + 300), -ETIME);
	gw_tickets_free(t);
}

/* rotate 1000 s, lifetime 100 s: key A from NOW, B from NOW + 1000. */
static void test_rotation(void)
{
	struct gw_tickets *t = tickets(100, 1000, NULL);
	uint8_t a1[GW_TICKET_LEN], a2[GW_TICKET_LEN], b1[GW_TICKET_LEN], b2[GW_TICKET_LEN];
	uint8_t c1[GW_TICKET_LEN];

	if (!t)
		return;
	seal(t, NOW, 0, a1);
	seal(t, NOW + 999, 0, a2);
	CHECK_MEM(a1 + 1, a2 + 1, 4);         /* the same key id */
	seal(t, NOW + 1000, 0, b1);           /* one rotation */
	CHECK(memcmp(a2 + 1, b1 + 1, 4) != 0);
	CHECK_EQ(open_at(t, a2, sizeof(a2), NOW + 1050), 0);  /* the previous key opens */
	CHECK_EQ(open_at(t, b1, sizeof(b1), NOW + 1050), 0);
	seal(t, NOW + 1990, 0, b2);
	seal(t, NOW + 2000, 0, c1);           /* two rotations: A is gone */
	CHECK_EQ(open_at(t, a1, sizeof(a1), NOW + 2000), -EKEYREJECTED);
	CHECK_EQ(open_at(t, b2, sizeof(b2), NOW + 2010), 0);
	CHECK_EQ(open_at(t, c1, sizeof(c1), NOW + 2010), 0);
	/* With no seal in between, age alone retires and forgets keys. */
	seal(t, NOW + 2050, 0, c1);
	CHECK_EQ(open_at(t, c1, sizeof(c1), NOW + 4000), -EKEYREJECTED);
	gw_tickets_free(t);

	/* rotate_s shorter than lifetime_s would drop keys under live tickets. */
	struct gw_tickets *bad = NULL;
	const char *why = NULL;
	CHECK_EQ(gw_tickets_new(3600, 600, NULL, &bad, &why), -EINVAL);
	CHECK(bad == NULL);
	CHECK(why && strstr(why, "rotate_s"));
	CHECK_EQ(gw_tickets_new(0, 600, NULL, &bad, &why), -EINVAL);
}

static void test_rekey(void)
{
	struct gw_tickets *t = tickets(3600, 86400, NULL);
	uint8_t old[GW_TICKET_LEN], fresh[GW_TICKET_LEN];

	if (!t)
		return;
	seal(t, NOW, 0, old);
	gw_tickets_rekey(t);
	CHECK_EQ(open_at(t, old, sizeof(old), NOW + 1), -EKEYREJECTED);
	seal(t, NOW + 2, 0, fresh);
	CHECK_EQ(open_at(t, fresh, sizeof(fresh), NOW + 3), 0);
	CHECK_EQ(open_at(t, old, sizeof(old), NOW + 4), -EKEYREJECTED);
	gw_tickets_free(t);
}

static void test_max_lifetime(void)
{
	struct gw_tickets *t = tickets(3600, 86400, NULL);
	uint8_t a[GW_TICKET_LEN], b[GW_TICKET_LEN];

	if (!t)
		return;
	CHECK_EQ(seal(t, NOW, 600, a), 600);
	CHECK_EQ(seal(t, NOW, 600, b), 600);
	CHECK_EQ(open_at(t, a, sizeof(a), NOW + 599), 0);
	CHECK_EQ(open_at(t, b, sizeof(b), NOW + 600), -ETIME);
	CHECK_EQ(seal(t, NOW, 0, a), 3600);
	CHECK_EQ(seal(t, NOW, 7200, a), 3600);
	CHECK_EQ(seal(t, NOW, 1, a), 1);
	CHECK_EQ(open_at(t, a, sizeof(a), NOW), 0);
	gw_tickets_free(t);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");
	CHECK(f != NULL);
	if (!f)
		return;
	fputs(text, f);
	fclose(f);
	CHECK_EQ(chmod(path, mode), 0);
}

/* The plaintext's exact bytes, decrypted with the key from the file. */
static void check_plaintext(const char *path, const uint8_t tk[GW_TICKET_LEN])
{
	char hex[GW_TICKET_FILE_HEX_LEN + 8] = "";
	uint8_t raw[4 + GW_TICKET_KEY_LEN], pt[GW_TICKET_PT_LEN];
	struct crypto_aead *aead = NULL;
	size_t n = 0;
	FILE *f = fopen(path, "r");

	CHECK(f != NULL);
	if (!f)
		return;
	CHECK(fgets(hex, sizeof(hex), f) != NULL);
	fclose(f);
	CHECK_EQ(strlen(hex), GW_TICKET_FILE_HEX_LEN + 1);
	CHECK_EQ(hex_decode(raw, sizeof(raw), hex, &n), 0);
	CHECK_EQ(n, sizeof(raw));
	CHECK_MEM(tk + 1, raw, 4);   /* the key id */
	CHECK_EQ(crypto_aead_new(CRYPTO_AEAD_AES_GCM16, raw + 4, GW_TICKET_KEY_LEN, &aead), 0);
	if (!aead)
		return;
	memcpy(pt, tk + GW_TICKET_HDR_LEN, sizeof(pt));
	CHECK_EQ(crypto_aead_open_nonce(aead, tk + 5, tk, GW_TICKET_HDR_LEN, pt, sizeof(pt),
					tk + GW_TICKET_HDR_LEN + GW_TICKET_PT_LEN), 0);
	crypto_aead_free(aead);
	/* state_fill(32, 17, 9) sealed at NOW with a 100 s lifetime. */
	static const uint8_t head[] = {
		0x00, 0x00, 0x00, 0x00, 0x69, 0x55, 0xb9, 0x00,  /* issue NOW */
		0x00, 0x00, 0x00, 0x00, 0x69, 0x55, 0xb9, 0x64,  /* expiry NOW + 100 */
		0x01, 0x00, 0x14, 0x01, 0x00, 0x00, 0x05, 0xa1, 0xb2,  /* IKE, GCM-16, 256, prf, integ */
		0x00, 0x1f, 0x00, 0x24, 0x00, 0x03, 0x00, 0x04,  /* ke[0..3] */
		0x00, 0x05, 0x00, 0x06, 0x00, 0x07, 0xff, 0xfe,  /* ke[4..7] */
		0x01, 0x02, 0x08, 1, 2, 3, 4, 5, 6, 7, 8, 0xc3,  /* esn, spi_len, spi, num */
		0x20, 0x40, 0x47,                                /* sk_d_len, sk_d[0..1] */
	};
	CHECK_MEM(pt, head, sizeof(head));
	size_t idi = 16 + GW_TICKET_ALG_LEN + 1 + IKE_SKD_MAX_LEN;
	CHECK_EQ(pt[idi - 1], 0);                           /* sk_d padding */
	CHECK_EQ(pt[idi], IKE_ID_RFC822_ADDR);
	CHECK_EQ(pt[idi + 1], 0);
	CHECK_EQ(pt[idi + 2], 17);
	CHECK_MEM(pt + idi + 3, "abcdefghijklmnopq", 17);
	CHECK_EQ(pt[idi + 3 + 17], 0);
	size_t idr = idi + GW_TICKET_ID_LEN;
	CHECK_EQ(pt[idr], IKE_ID_FQDN);
	CHECK_EQ(pt[idr + 2], 9);
	CHECK_EQ(pt[idr + 3], 255);
	static const uint8_t tail[] = {
		0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
		0xe0, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, IKE_AUTHK_EAP,
	};
	CHECK_MEM(pt + GW_TICKET_PT_LEN - sizeof(tail), tail, sizeof(tail));
}

static void test_key_file(void)
{
	char path[sizeof(tmpdir) + 16], link[sizeof(tmpdir) + 16];
	uint8_t a[GW_TICKET_LEN], b[GW_TICKET_LEN];
	struct gw_tickets *t, *bad = NULL;
	const char *why = NULL;
	struct stat st;

	snprintf(path, sizeof(path), "%s/key", tmpdir);
	snprintf(link, sizeof(link), "%s/link", tmpdir);

	/* Made with mode 0600; it pins the key (no rotation). */
	if (!(t = tickets(100, 1000, path)))
		return;
	CHECK_EQ(stat(path, &st), 0);
	CHECK_EQ(st.st_mode & 07777, 0600);
	CHECK_EQ(st.st_size, GW_TICKET_FILE_HEX_LEN + 1);
	CHECK_EQ(seal(t, NOW, 0, a), 100);
	seal(t, NOW + 5000, 0, b);
	CHECK_MEM(a + 1, b + 1, 4);
	check_plaintext(path, a);
	gw_tickets_free(t);

	/* A second gateway with the same file opens the first one's tickets. */
	if ((t = tickets(100, 1000, path))) {
		CHECK_EQ(open_at(t, a, sizeof(a), NOW + 1), 0);
		CHECK_EQ(open_at(t, a, sizeof(a), NOW + 2), -EALREADY);
		/* After rekey it behaves like a gateway without the file. */
		gw_tickets_rekey(t);
		CHECK_EQ(open_at(t, b, sizeof(b), NOW + 5001), -EKEYREJECTED);
		gw_tickets_free(t);
	}

	/* Refused: readable by others, wrong size, not hex, a link, a
	 * directory. */
	CHECK_EQ(chmod(path, 0644), 0);
	CHECK_EQ(gw_tickets_new(100, 1000, path, &bad, &why), -EPERM);
	CHECK(bad == NULL);
	CHECK(why && strstr(why, "group or others"));
	CHECK_EQ(chmod(path, 0600), 0);
	CHECK_EQ(symlink(path, link), 0);
	CHECK_EQ(gw_tickets_new(100, 1000, link, &bad, &why), -ELOOP);
	CHECK(why && strstr(why, "symbolic link"));
	unlink(link);
	CHECK_EQ(gw_tickets_new(100, 1000, tmpdir, &bad, &why), -EINVAL);
	CHECK(why && strstr(why, "regular file"));
	write_file(path, "00112233445566778899aabbccddeeff\n", 0600);
	CHECK_EQ(gw_tickets_new(100, 1000, path, &bad, &why), -EINVAL);
	CHECK(why && strstr(why, "wrong size"));
	write_file(path, "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff0011223344\n",
		   0600);
	CHECK_EQ(gw_tickets_new(100, 1000, path, &bad, &why), -EINVAL);
	CHECK(why && strstr(why, "wrong size"));
	write_file(path, "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff0011223x\n",
		   0600);
	CHECK_EQ(gw_tickets_new(100, 1000, path, &bad, &why), -EINVAL);
	CHECK(why && strstr(why, "is not 72 hex digits"));
	write_file(path, "", 0600);
	CHECK_EQ(gw_tickets_new(100, 1000, path, &bad, &why), -EINVAL);
	CHECK(bad == NULL);
	unlink(path);
}

static void test_strerror(void)
{
	static const int errs[] = { -EBADMSG, -EKEYREJECTED, -ETIME, -EALREADY, -ENOSPC };
	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		const char *s = gw_ticket_strerror(errs[i]);
		CHECK(s && *s);
		for (size_t j = 0; j < i; j++)
			CHECK(strcmp(s, gw_ticket_strerror(errs[j])) != 0);
	}
	CHECK(gw_ticket_strerror(-ENOMEM) != NULL);
}

int main(void)
{
	if (!mkdtemp(tmpdir))
		return test_skip("mkdtemp failed");
	test_round_trip();
	test_bit_flips();
	test_lengths();
	test_expiry();
	test_replay();
	test_rotation();
	test_rekey();
	test_max_lifetime();
	test_key_file();
	test_strerror();
	rmdir(tmpdir);
	return test_done();
}
