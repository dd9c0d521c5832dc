/* src/ike/keymat.c and sk.c: IKE SA keys and SK protection (RFC 7296 2.14,
 * 3.14; RFC 5282; RFC 9370 2.2.2), between an initiator and a responder
 * keymat made from the same inputs, plus one real strongSwan 5.9.8 handshake
 * with its logged keys (tests/codec/vectors-ss598-keys). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hex.h"
#include "crypto/aead.h"
#include "crypto/cbc_hmac.h"
#include "crypto/prf.h"
#include "crypto/secret.h"
#include "ike/keymat.h"
#include "ike/pld/pld.h"
#include "ike/sk.h"
struct ike_sa_pld; /* named by proposal.h's prototypes */
#include "ike/proposal.h"
#include "test.h"

/* ---- fixtures ---- */

struct suite {
	const char *name;
	uint16_t encr, bits, prf, integ;
};

static const struct suite suites[] = {
	{ "aes128gcm16-prfsha256", IKE_ENCR_AES_GCM_16, 128, IKE_PRF_HMAC_SHA2_256, 0 },
	{ "aes256gcm16-prfsha384", IKE_ENCR_AES_GCM_16, 256, IKE_PRF_HMAC_SHA2_384, 0 },
	{ "chacha20poly1305-prfsha256", IKE_ENCR_CHACHA20_POLY1305, 0, IKE_PRF_HMAC_SHA2_256, 0 },
	{ "aes256-sha256", IKE_ENCR_AES_CBC, 256, IKE_PRF_HMAC_SHA2_256, IKE_INTEG_HMAC_SHA2_256_128 },
	{ "aes256-sha384", IKE_ENCR_AES_CBC, 256, IKE_PRF_HMAC_SHA2_384, IKE_INTEG_HMAC_SHA2_384_192 },
	{ "aes256-sha512", IKE_ENCR_AES_CBC, 256, IKE_PRF_HMAC_SHA2_512, IKE_INTEG_HMAC_SHA2_512_256 },
	{ "aes128-sha256", IKE_ENCR_AES_CBC, 128, IKE_PRF_HMAC_SHA2_256, IKE_INTEG_HMAC_SHA2_256_128 },
};
#define N_SUITES (sizeof(suites) / sizeof(suites[0]))

static const uint8_t spi_i[8] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88 };
static const uint8_t spi_r[8] = { 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x01 };
static uint8_t ni_b[32], nr_b[48], gir_b[32];

static struct ike_chosen chosen(const struct suite *s)
{
	struct ike_chosen c;
	memset(&c, 0, sizeof(c));
	c.proto = IKE_PROTO_IKE;
	c.encr = s->encr;
	c.encr_bits = s->bits;
	c.prf = s->prf;
	c.integ = s->integ;
	return c;
}

static struct crypto_buf buf_of(const uint8_t *p, size_t n)
{
	struct crypto_buf b = { p, n };
	return b;
}

/* An initiator and a responder keymat from the same g^ir, nonces and SPIs. */
static int make_pair(const struct suite *s, struct ike_keymat **i, struct ike_keymat **r)
{
	struct ike_chosen c = chosen(s);
	struct secret *gir = NULL;
	int err = crypto_secret_from(gir_b, sizeof(gir_b), &gir);
	if (!err)
		err = ike_keymat_new(&c, 1, gir, buf_of(ni_b, sizeof(ni_b)),
				     buf_of(nr_b, sizeof(nr_b)), spi_i, spi_r, i);
	if (!err)
		err = ike_keymat_new(&c, 0, gir, buf_of(ni_b, sizeof(ni_b)),
				     buf_of(nr_b, sizeof(nr_b)), spi_i, spi_r, r);
	crypto_secret_free(gir);
	return err;
}

/* Deterministic IVs for CBC: a counter (uniqueness is all a test needs). */
struct test_rng {
	uint32_t n;
	int fail;
};

static int test_rng(void *ctx, uint8_t *buf, size_t len)
{
	struct test_rng *t = ctx;
	if (t->fail)
		return -EIO;
	for (size_t k = 0; k < len; k++)
		buf[k] = (uint8_t)(t->n * 31u + k);
	t->n++;
	return 0;
}

static struct ike_hdr test_hdr(uint32_t msg_id, int response)
{
	struct ike_hdr h;
	memset(&h, 0, sizeof(h));
	memcpy(h.spi_i, spi_i, 8);
	memcpy(h.spi_r, spi_r, 8);
	h.version = 0x20;
	h.exch = IKE_EXCH_AUTH;
	h.flags = response ? IKE_HDR_F_RESPONSE : IKE_HDR_F_INITIATOR;
	h.msg_id = msg_id;
	return h;
}

static void fill(uint8_t *p, size_t n, uint32_t seed)
{
	for (size_t k = 0; k < n; k++)
		p[k] = (uint8_t)((k * 7u + seed * 13u) ^ (k >> 8));
}

/* Decode msg and unprotect its SK payload with km. The decode error, if
 * any, is returned as is (a rejection before the crypto). */
static int open_msg(const struct ike_keymat *km, const uint8_t *msg, size_t len,
		    uint8_t *plain, size_t cap, size_t *plain_len, uint8_t *first)
{
	static struct ike_msg m;
	struct ike_diag d;
	int err = ike_msg_decode(msg, len, &m, &d);
	if (err)
		return err;
	if (m.chain.n == 0)
		return -ENOENT;
	const struct ike_pld *sk = &m.chain.pld[m.chain.n - 1];
	if (first)
		*first = sk->inner_next;
	return ike_sk_unprotect(km, msg, len, sk, plain, cap, plain_len);
}

static uint8_t msgbuf[70000], plain[70000], inner[70000], work[70000];

/* ---- round trips ---- */

static void test_roundtrip(const struct suite *s)
{
	struct ike_keymat *i = NULL, *r = NULL;
	struct test_rng rng = { 0, 0 };
	static const size_t lens[] = { 0, 1, 15, 16, 17, 31, 100, 1000, 4000 };

	CHECK_EQ(make_pair(s, &i, &r), 0);
	if (!i || !r)
		goto out;
	for (size_t k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
		for (int dir = 0; dir < 2; dir++) {
			struct ike_keymat *from = dir ? r : i, *to = dir ? i : r;
			struct ike_hdr h = test_hdr(7, dir);
			struct wb w;
			size_t n = 0;
			uint8_t first = 0;

			fill(inner, lens[k], (uint32_t)k);
			wb_init(&w, msgbuf, sizeof(msgbuf));
			CHECK_EQ(ike_sk_protect(from, &h, IKE_PLD_IDI, inner, lens[k], test_rng, &rng, &w), 0);
			CHECK_EQ(wb_len(&w), ike_sk_msg_len(from, IKE_PLD_SK, lens[k]));
			/* header: next = SK, length = the whole message */
			CHECK_EQ(msgbuf[16], IKE_PLD_SK);
			CHECK_EQ(((uint32_t)msgbuf[24] << 24 | (uint32_t)msgbuf[25] << 16 |
				  (uint32_t)msgbuf[26] << 8 | msgbuf[27]), wb_len(&w));
			CHECK_EQ(open_msg(to, msgbuf, wb_len(&w), plain, sizeof(plain), &n, &first), 0);
			CHECK_EQ(n, lens[k]);
			CHECK_EQ(first, IKE_PLD_IDI);
			CHECK_MEM(plain, inner, lens[k]);
			/* our own message does not open with our inbound keys:
			 * the two directions have different keys */
			CHECK_EQ(open_msg(from, msgbuf, wb_len(&w), plain, sizeof(plain), &n, NULL), -EACCES);
		}
	}

	/* AEAD: a counter IV, so two protections of the same chain differ
	 * (RFC 5282 3.1), and both open. */
	{
		struct ike_hdr h = test_hdr(1, 0);
		uint8_t a[256], b[256];
		struct wb wa, wbb;
		size_t n;
		wb_init(&wa, a, sizeof(a));
		wb_init(&wbb, b, sizeof(b));
		fill(inner, 40, 99);
		CHECK_EQ(ike_sk_protect(i, &h, IKE_PLD_IDI, inner, 40, test_rng, &rng, &wa), 0);
		CHECK_EQ(ike_sk_protect(i, &h, IKE_PLD_IDI, inner, 40, test_rng, &rng, &wbb), 0);
		CHECK_EQ(wb_len(&wa), wb_len(&wbb));
		CHECK(memcmp(a + 32, b + 32, i->out.iv_len) != 0);
		CHECK_EQ(open_msg(r, a, wb_len(&wa), plain, sizeof(plain), &n, NULL), 0);
		CHECK_EQ(open_msg(r, b, wb_len(&wbb), plain, sizeof(plain), &n, NULL), 0);
	}

	/* In place: the inner chain built where the SK content goes. */
	{
		struct ike_hdr h = test_hdr(2, 0);
		struct wb w;
		size_t n, at = IKE_HDR_LEN + IKE_PLD_HDR_LEN + i->out.iv_len;
		fill(inner, 333, 5);
		memcpy(msgbuf + at, inner, 333);
		wb_init(&w, msgbuf, sizeof(msgbuf));
		CHECK_EQ(ike_sk_protect(i, &h, IKE_PLD_NOTIFY, msgbuf + at, 333, test_rng, &rng, &w), 0);
		CHECK_EQ(open_msg(r, msgbuf, wb_len(&w), plain, sizeof(plain), &n, NULL), 0);
		CHECK_EQ(n, 333);
		CHECK_MEM(plain, inner, 333);
	}
out:
	ike_keymat_free(i);
	ike_keymat_free(r);
}

/* ---- every byte tampered, every truncation ---- */

static void test_tamper(const struct suite *s)
{
	struct ike_keymat *i = NULL, *r = NULL;
	struct test_rng rng = { 0, 0 };
	struct ike_hdr h = test_hdr(3, 0);
	struct wb w;
	size_t len, n, bad = 0, eacces = 0;

	CHECK_EQ(make_pair(s, &i, &r), 0);
	if (!i || !r)
		goto out;
	fill(inner, 77, 3);
	wb_init(&w, msgbuf, sizeof(msgbuf));
	CHECK_EQ(ike_sk_protect(i, &h, IKE_PLD_IDI, inner, 77, test_rng, &rng, &w), 0);
	len = wb_len(&w);

	/* Header, SK header, IV, ciphertext, ICV: every bit of every octet.
	 * Either the codec refuses the message, or the ICV does. Octets after
	 * the SK header must fail the ICV in any case. */
	for (size_t pos = 0; pos < len; pos++) {
		for (int bit = 0; bit < 8; bit++) {
			memcpy(work, msgbuf, len);
			work[pos] ^= (uint8_t)(1u << bit);
			int rc = open_msg(r, work, len, plain, sizeof(plain), &n, NULL);
			if (rc == 0)
				bad++;
			if (pos >= IKE_HDR_LEN + IKE_PLD_HDR_LEN && rc != -EACCES)
				bad++;
			if (rc == -EACCES)
				eacces++;
		}
	}
	CHECK_EQ(bad, 0);
	CHECK(eacces >= (len - 32) * 8);
	/* the untampered message still opens */
	CHECK_EQ(open_msg(r, msgbuf, len, plain, sizeof(plain), &n, NULL), 0);

	/* Truncations that still decode (header and SK lengths patched):
	 * too short for IV + ICV + Pad Length, or CBC not whole blocks, is
	 * -EBADMSG; any other length fails the ICV. */
	size_t min = IKE_HDR_LEN + IKE_PLD_HDR_LEN;
	for (size_t cut = min; cut < len; cut++) {
		size_t data = cut - min;
		int want;
		memcpy(work, msgbuf, cut);
		work[24] = (uint8_t)(cut >> 24);
		work[25] = (uint8_t)(cut >> 16);
		work[26] = (uint8_t)(cut >> 8);
		work[27] = (uint8_t)cut;
		work[30] = (uint8_t)((cut - IKE_HDR_LEN) >> 8);
		work[31] = (uint8_t)(cut - IKE_HDR_LEN);
		if (data < r->in.iv_len + r->in.icv_len + 1 ||
		    (data - r->in.iv_len - r->in.icv_len) % r->in.block_len)
			want = -EBADMSG;
		else
			want = -EACCES;
		int rc = open_msg(r, work, cut, plain, sizeof(plain), &n, NULL);
		if (rc != want) {
			fprintf(stderr, "%s: truncated to %zu: %d, want %d\n", s->name, cut, rc, want);
			bad++;
		}
	}
	CHECK_EQ(bad, 0);
	/* Truncated without fixing the lengths: the codec refuses it. */
	CHECK(open_msg(r, msgbuf, len - 1, plain, sizeof(plain), &n, NULL) == -EBADMSG);
out:
	ike_keymat_free(i);
	ike_keymat_free(r);
}

/* ---- Pad Length: hand-sealed plaintexts with chosen padding ---- */

/* HDR | SK hdr | IV | E(pt) | ICV, sealed with i's outbound context. */
static size_t seal_raw(struct ike_keymat *i, const uint8_t *pt, size_t pt_len, uint8_t *out)
{
	const struct ike_sk_ctx *x = &i->out;
	struct ike_hdr h = test_hdr(9, 0);
	size_t len = IKE_HDR_LEN + IKE_PLD_HDR_LEN + x->iv_len + pt_len + x->icv_len;
	struct wb w;
	uint8_t *iv, *ct, *icv;

	h.next = IKE_PLD_SK;
	h.len = (uint32_t)len;
	wb_init(&w, out, len);
	ike_hdr_encode(&w, &h);
	wb_u8(&w, IKE_PLD_IDI);
	wb_u8(&w, 0);
	wb_u16(&w, (uint16_t)(len - IKE_HDR_LEN));
	iv = wb_reserve(&w, x->iv_len);
	ct = wb_reserve(&w, pt_len);
	icv = wb_reserve(&w, x->icv_len);
	memset(iv, 0x5a, x->iv_len);
	memcpy(ct, pt, pt_len);
	if (x->aead)
		crypto_aead_seal(x->aead, iv, out, IKE_HDR_LEN + IKE_PLD_HDR_LEN, ct, pt_len, icv);
	else
		crypto_cbc_hmac_seal(x->cbc, iv, out, IKE_HDR_LEN + IKE_PLD_HDR_LEN, ct, pt_len, icv);
	return len;
}

static void test_padding(const struct suite *s)
{
	struct ike_keymat *i = NULL, *r = NULL;
	uint8_t pt[64];
	size_t n, len;
	size_t bl = 0;

	CHECK_EQ(make_pair(s, &i, &r), 0);
	if (!i || !r)
		goto out;
	bl = i->out.block_len;

	/* one block (or 16 octets for AEAD): 10 inner, 5 padding, Pad Length 5 */
	fill(pt, sizeof(pt), 1);
	pt[15] = 5;
	len = seal_raw(i, pt, 16, msgbuf);
	CHECK_EQ(open_msg(r, msgbuf, len, plain, sizeof(plain), &n, NULL), 0);
	CHECK_EQ(n, 10);
	CHECK_MEM(plain, pt, 10);

	/* Pad Length 15: everything before it is padding, an empty chain */
	pt[15] = 15;
	len = seal_raw(i, pt, 16, msgbuf);
	CHECK_EQ(open_msg(r, msgbuf, len, plain, sizeof(plain), &n, NULL), 0);
	CHECK_EQ(n, 0);

	/* Pad Length 16 and 255 with 16 octets of plaintext: past the start */
	pt[15] = 16;
	len = seal_raw(i, pt, 16, msgbuf);
	CHECK_EQ(open_msg(r, msgbuf, len, plain, sizeof(plain), &n, NULL), -EBADMSG);
	CHECK_EQ(n, 0);
	pt[15] = 255;
	len = seal_raw(i, pt, 16, msgbuf);
	CHECK_EQ(open_msg(r, msgbuf, len, plain, sizeof(plain), &n, NULL), -EBADMSG);

	/* RFC 7296 3.14: more padding than one block, any contents: accepted */
	fill(pt, sizeof(pt), 2);
	pt[63] = 40;
	len = seal_raw(i, pt, 64, msgbuf);
	CHECK_EQ(open_msg(r, msgbuf, len, plain, sizeof(plain), &n, NULL), 0);
	CHECK_EQ(n, 23);
	CHECK_MEM(plain, pt, 23);

	if (bl == 1) {
		/* AEAD: no alignment; a lone Pad Length octet is an empty chain */
		pt[0] = 0;
		len = seal_raw(i, pt, 1, msgbuf);
		CHECK_EQ(open_msg(r, msgbuf, len, plain, sizeof(plain), &n, NULL), 0);
		CHECK_EQ(n, 0);
		pt[6] = 0;
		len = seal_raw(i, pt, 7, msgbuf);
		CHECK_EQ(open_msg(r, msgbuf, len, plain, sizeof(plain), &n, NULL), 0);
		CHECK_EQ(n, 6);
	}
out:
	ike_keymat_free(i);
	ike_keymat_free(r);
}

/* ---- failure paths of protect/unprotect ---- */

static void test_errors(void)
{
	const struct suite *gcm = &suites[1], *cbc = &suites[3];
	struct ike_keymat *i = NULL, *r = NULL, *ci = NULL, *cr = NULL;
	struct test_rng rng = { 0, 0 };
	struct ike_hdr h = test_hdr(4, 0);
	struct wb w;
	size_t n;

	CHECK_EQ(make_pair(gcm, &i, &r), 0);
	CHECK_EQ(make_pair(cbc, &ci, &cr), 0);
	if (!i || !r || !ci || !cr)
		goto out;
	fill(inner, 500, 4);

	/* out too small: -ENOBUFS, nothing written */
	wb_init(&w, msgbuf, ike_sk_msg_len(i, IKE_PLD_SK, 500) - 1);
	CHECK_EQ(ike_sk_protect(i, &h, IKE_PLD_IDI, inner, 500, NULL, NULL, &w), -ENOBUFS);
	CHECK_EQ(wb_len(&w), 0);
	CHECK_EQ(wb_err(&w), 0);
	/* exactly enough */
	wb_init(&w, msgbuf, ike_sk_msg_len(i, IKE_PLD_SK, 500));
	CHECK_EQ(ike_sk_protect(i, &h, IKE_PLD_IDI, inner, 500, NULL, NULL, &w), 0);
	/* a sticky error in out is returned */
	w.err = -ENOBUFS;
	CHECK_EQ(ike_sk_protect(i, &h, IKE_PLD_IDI, inner, 500, NULL, NULL, &w), -ENOBUFS);

	/* past PT_IKE_MSG_MAX_LEN */
	wb_init(&w, msgbuf, sizeof(msgbuf));
	CHECK_EQ(ike_sk_protect(i, &h, IKE_PLD_IDI, inner, PT_IKE_MSG_MAX_LEN - 40, NULL, NULL, &w),
		 -E2BIG);
	CHECK_EQ(ike_sk_protect(i, &h, IKE_PLD_IDI, inner, PT_IKE_MSG_MAX_LEN + 1, NULL, NULL, &w),
		 -E2BIG);
	CHECK_EQ(wb_len(&w), 0);

	/* AEAD IV counter exhausted: refuse rather than repeat an IV */
	i->iv_next = UINT64_MAX;
	CHECK_EQ(ike_sk_protect(i, &h, IKE_PLD_IDI, inner, 10, NULL, NULL, &w), -EOVERFLOW);
	CHECK_EQ(wb_len(&w), 0);
	i->iv_next = UINT64_MAX - 1;
	CHECK_EQ(ike_sk_protect(i, &h, IKE_PLD_IDI, inner, 10, NULL, NULL, &w), 0);
	CHECK_MEM(msgbuf + 32, "\xff\xff\xff\xff\xff\xff\xff\xfe", 8);
	CHECK_EQ(open_msg(r, msgbuf, wb_len(&w), plain, sizeof(plain), &n, NULL), 0);

	/* CBC needs random IVs: no rng, a failing rng */
	wb_init(&w, msgbuf, sizeof(msgbuf));
	CHECK_EQ(ike_sk_protect(ci, &h, IKE_PLD_IDI, inner, 10, NULL, NULL, &w), -EINVAL);
	rng.fail = 1;
	CHECK_EQ(ike_sk_protect(ci, &h, IKE_PLD_IDI, inner, 10, test_rng, &rng, &w), -EIO);
	CHECK_EQ(wb_len(&w), 0);
	rng.fail = 0;

	/* unprotect: plain too small for the ciphertext */
	wb_init(&w, msgbuf, sizeof(msgbuf));
	CHECK_EQ(ike_sk_protect(ci, &h, IKE_PLD_IDI, inner, 100, test_rng, &rng, &w), 0);
	CHECK_EQ(open_msg(cr, msgbuf, wb_len(&w), plain, 100, &n, NULL), -ENOBUFS);
	CHECK_EQ(open_msg(cr, msgbuf, wb_len(&w), plain, 112, &n, NULL), 0);
	/* wrong keys (another suite entirely): -EACCES */
	CHECK_EQ(open_msg(r, msgbuf, wb_len(&w), plain, sizeof(plain), &n, NULL), -EACCES);

	/* unprotect: a payload that is not the message's SK */
	{
		static struct ike_msg m;
		struct ike_diag d;
		size_t len = wb_len(&w);
		CHECK_EQ(ike_msg_decode(msgbuf, len, &m, &d), 0);
		struct ike_pld p = m.chain.pld[0];
		p.type = IKE_PLD_NONCE;
		CHECK_EQ(ike_sk_unprotect(cr, msgbuf, len, &p, plain, sizeof(plain), &n), -EINVAL);
		p = m.chain.pld[0];
		p.off += 1;
		CHECK_EQ(ike_sk_unprotect(cr, msgbuf, len, &p, plain, sizeof(plain), &n), -EINVAL);
		p = m.chain.pld[0];
		CHECK_EQ(ike_sk_unprotect(cr, work, len, &p, plain, sizeof(plain), &n), -EINVAL);
		p.body_len -= 1;
		CHECK_EQ(ike_sk_unprotect(cr, msgbuf, len, &p, plain, sizeof(plain), &n), -EINVAL);
		p = m.chain.pld[0];
		CHECK_EQ(ike_sk_unprotect(cr, msgbuf, len, &p, plain, sizeof(plain), &n), 0);
	}
	/* a keymat-less context */
	{
		struct ike_keymat empty;
		memset(&empty, 0, sizeof(empty));
		wb_init(&w, msgbuf, sizeof(msgbuf));
		CHECK_EQ(ike_sk_protect(&empty, &h, IKE_PLD_IDI, inner, 10, NULL, NULL, &w), -EINVAL);
	}
out:
	ike_keymat_free(i);
	ike_keymat_free(r);
	ike_keymat_free(ci);
	ike_keymat_free(cr);
}

/* ---- keymat: lengths, roles, explicit keys, RFC 9370 update, rekey ---- */

static void test_keymat(void)
{
	size_t e, a;
	struct ike_chosen c;

	/* key lengths per transform (RFC 5282 7.1, RFC 7634 2, RFC 4868 2.1.1) */
	c = chosen(&suites[0]);
	CHECK_EQ(ike_keymat_lengths(&c, &e, &a), 0);
	CHECK_EQ(e, 20);
	CHECK_EQ(a, 0);
	c = chosen(&suites[1]);
	CHECK_EQ(ike_keymat_lengths(&c, &e, &a), 0);
	CHECK_EQ(e, 36);
	c = chosen(&suites[2]);
	CHECK_EQ(ike_keymat_lengths(&c, &e, &a), 0);
	CHECK_EQ(e, 36);
	c.encr_bits = 256;
	CHECK_EQ(ike_keymat_lengths(&c, &e, &a), 0);
	CHECK_EQ(e, 36);
	c.encr_bits = 128;
	CHECK_EQ(ike_keymat_lengths(&c, &e, &a), -ENOTSUP);
	c = chosen(&suites[3]);
	CHECK_EQ(ike_keymat_lengths(&c, &e, &a), 0);
	CHECK_EQ(e, 32);
	CHECK_EQ(a, 32);
	c = chosen(&suites[4]);
	CHECK_EQ(ike_keymat_lengths(&c, &e, &a), 0);
	CHECK_EQ(a, 48);
	c = chosen(&suites[5]);
	CHECK_EQ(ike_keymat_lengths(&c, &e, &a), 0);
	CHECK_EQ(a, 64);
	c = chosen(&suites[6]);
	CHECK_EQ(ike_keymat_lengths(&c, &e, &a), 0);
	CHECK_EQ(e, 16);
	/* what petrel cannot protect with */
	c = chosen(&suites[3]);
	c.integ = 0;
	CHECK_EQ(ike_keymat_lengths(&c, &e, &a), -ENOTSUP); /* CBC without INTEG */
	c = chosen(&suites[3]);
	c.encr_bits = 0;
	CHECK_EQ(ike_keymat_lengths(&c, &e, &a), -ENOTSUP);
	c = chosen(&suites[1]);
	c.integ = IKE_INTEG_HMAC_SHA2_256_128;
	CHECK_EQ(ike_keymat_lengths(&c, &e, &a), -ENOTSUP); /* AEAD with INTEG */
	c = chosen(&suites[1]);
	c.encr_bits = 64;
	CHECK_EQ(ike_keymat_lengths(&c, &e, &a), -ENOTSUP);
	c = chosen(&suites[1]);
	c.prf = IKE_PRF_AES128_XCBC;
	CHECK_EQ(ike_keymat_lengths(&c, &e, &a), -ENOTSUP);
	c = chosen(&suites[1]);
	c.encr = IKE_ENCR_3DES;
	CHECK_EQ(ike_keymat_lengths(&c, &e, &a), -ENOTSUP);
	{
		struct ike_keymat *km = (struct ike_keymat *)1;
		struct secret *gir = NULL;
		CHECK_EQ(crypto_secret_from(gir_b, 32, &gir), 0);
		CHECK_EQ(ike_keymat_new(&c, 1, gir, buf_of(ni_b, 32), buf_of(nr_b, 32),
					spi_i, spi_r, &km), -ENOTSUP);
		CHECK(km == NULL);
		crypto_secret_free(gir);
	}

	for (size_t k = 0; k < N_SUITES; k++) {
		const struct suite *s = &suites[k];
		struct ike_keymat *i = NULL, *r = NULL, *x = NULL;
		struct crypto_ike_keys keys = { 0 };
		struct secret *gir = NULL, *seed = NULL, *ke = NULL;
		struct test_rng rng = { 0, 0 };
		struct ike_hdr h = test_hdr(5, 0);
		struct wb w;
		size_t n, len;

		c = chosen(s);
		CHECK_EQ(make_pair(s, &i, &r), 0);
		CHECK_EQ(ike_keymat_lengths(&c, &e, &a), 0);
		CHECK_EQ(crypto_secret_from(gir_b, sizeof(gir_b), &gir), 0);
		CHECK_EQ(crypto_kdf_skeyseed(s->prf, buf_of(ni_b, sizeof(ni_b)),
					     buf_of(nr_b, sizeof(nr_b)), gir, &seed), 0);
		CHECK_EQ(crypto_kdf_ike_keys(s->prf, seed, buf_of(ni_b, sizeof(ni_b)),
					     buf_of(nr_b, sizeof(nr_b)), spi_i, spi_r, a, e, &keys), 0);
		if (!i || !r || !keys.sk_d)
			goto next;
		/* both roles hold the same SK_d/SK_pi/SK_pr, the ones of 2.14 */
		CHECK(crypto_secret_eq(i->sk_d, keys.sk_d));
		CHECK(crypto_secret_eq(r->sk_d, keys.sk_d));
		CHECK(crypto_secret_eq(i->sk_pi, keys.sk_pi));
		CHECK(crypto_secret_eq(r->sk_pr, keys.sk_pr));
		CHECK(!crypto_secret_eq(i->sk_pi, i->sk_pr));

		/* explicit keys, responder role: opens what the derived initiator sends */
		CHECK_EQ(ike_keymat_new_keys(&c, 0, &keys, &x), 0);
		CHECK(keys.sk_d == NULL && keys.sk_pi == NULL && keys.sk_pr == NULL);
		fill(inner, 200, (uint32_t)k);
		wb_init(&w, msgbuf, sizeof(msgbuf));
		CHECK_EQ(ike_sk_protect(i, &h, IKE_PLD_IDI, inner, 200, test_rng, &rng, &w), 0);
		len = wb_len(&w);
		CHECK_EQ(open_msg(x, msgbuf, len, plain, sizeof(plain), &n, NULL), 0);
		CHECK_EQ(n, 200);

		/* explicit keys of the wrong length, or missing: -EINVAL, keys kept */
		{
			struct crypto_ike_keys bad = { 0 };
			struct ike_keymat *y = (struct ike_keymat *)1;
			CHECK_EQ(crypto_kdf_ike_keys(s->prf, seed, buf_of(ni_b, 32), buf_of(nr_b, 32),
						     spi_i, spi_r, a, e + 1, &bad), 0);
			CHECK_EQ(ike_keymat_new_keys(&c, 1, &bad, &y), -EINVAL);
			CHECK(y == NULL);
			CHECK(bad.sk_d != NULL);
			crypto_ike_keys_free(&bad);
			CHECK_EQ(crypto_kdf_ike_keys(s->prf, seed, buf_of(ni_b, 32), buf_of(nr_b, 32),
						     spi_i, spi_r, a, e, &bad), 0);
			crypto_secret_free(bad.sk_pr);
			bad.sk_pr = NULL;
			CHECK_EQ(ike_keymat_new_keys(&c, 1, &bad, &y), -EINVAL);
			crypto_ike_keys_free(&bad);
		}

		/* RFC 9370 2.2.2: both sides update with the same SK(n) */
		{
			uint8_t kb[40];
			struct secret *old_d = NULL, *seed2 = NULL, *d2 = NULL;
			const struct secret *kes[1];
			fill(kb, sizeof(kb), 77);
			CHECK_EQ(crypto_secret_from(kb, sizeof(kb), &ke), 0);
			CHECK_EQ(crypto_secret_slice(i->sk_d, 0, i->sk_d->len, &old_d), 0);
			i->iv_next = 5;
			CHECK_EQ(ike_keymat_update(i, ke, buf_of(ni_b, sizeof(ni_b)),
						   buf_of(nr_b, sizeof(nr_b)), spi_i, spi_r), 0);
			CHECK_EQ(ike_keymat_update(r, ke, buf_of(ni_b, sizeof(ni_b)),
						   buf_of(nr_b, sizeof(nr_b)), spi_i, spi_r), 0);
			CHECK_EQ(i->iv_next, 0);
			CHECK(!crypto_secret_eq(i->sk_d, old_d));
			CHECK(crypto_secret_eq(i->sk_d, r->sk_d));
			/* SK_d(1) = first octets of prf+(prf(SK_d(0), SK(1) | Ni | Nr), ...) */
			kes[0] = ke;
			CHECK_EQ(crypto_kdf_skeyseed_rekey(s->prf, old_d, kes, 1, buf_of(ni_b, sizeof(ni_b)),
							   buf_of(nr_b, sizeof(nr_b)), &seed2), 0);
			struct crypto_ike_keys k2 = { 0 };
			CHECK_EQ(crypto_kdf_ike_keys(s->prf, seed2, buf_of(ni_b, sizeof(ni_b)),
						     buf_of(nr_b, sizeof(nr_b)), spi_i, spi_r, a, e, &k2), 0);
			CHECK(k2.sk_d && crypto_secret_eq(i->sk_d, k2.sk_d));
			crypto_ike_keys_free(&k2);
			/* the message sealed under the old keys no longer opens */
			CHECK_EQ(open_msg(r, msgbuf, len, plain, sizeof(plain), &n, NULL), -EACCES);
			wb_init(&w, msgbuf, sizeof(msgbuf));
			CHECK_EQ(ike_sk_protect(r, &h, IKE_PLD_IDI, inner, 200, test_rng, &rng, &w), 0);
			CHECK_EQ(open_msg(i, msgbuf, wb_len(&w), plain, sizeof(plain), &n, NULL), 0);
			CHECK_EQ(open_msg(x, msgbuf, wb_len(&w), plain, sizeof(plain), &n, NULL), -EACCES);
			crypto_secret_free(old_d);
			crypto_secret_free(seed2);
			crypto_secret_free(d2);
		}

		/* RFC 7296 2.18 rekey: a new SA, roles swapped (the responder
		 * started it), new SPIs; old SA's PRF for SKEYSEED */
		{
			static const uint8_t nsi[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
			static const uint8_t nsr[8] = { 8, 7, 6, 5, 4, 3, 2, 1 };
			const struct secret *kes[1] = { gir };
			struct ike_keymat *ni2 = NULL, *nr2 = NULL;
			struct ike_chosen c2 = chosen(&suites[(k + 1) % N_SUITES]);
			CHECK_EQ(ike_keymat_new_rekey(r, &c2, 1, kes, 1, buf_of(nr_b, 32),
						      buf_of(ni_b, 32), nsi, nsr, &ni2), 0);
			CHECK_EQ(ike_keymat_new_rekey(i, &c2, 0, kes, 1, buf_of(nr_b, 32),
						      buf_of(ni_b, 32), nsi, nsr, &nr2), 0);
			if (ni2 && nr2) {
				CHECK(crypto_secret_eq(ni2->sk_d, nr2->sk_d));
				CHECK(!crypto_secret_eq(ni2->sk_d, i->sk_d));
				CHECK_EQ(ni2->encr, c2.encr);
				CHECK_EQ(ni2->initiator, 1);
				wb_init(&w, msgbuf, sizeof(msgbuf));
				CHECK_EQ(ike_sk_protect(ni2, &h, IKE_PLD_IDI, inner, 50, test_rng, &rng, &w), 0);
				CHECK_EQ(open_msg(nr2, msgbuf, wb_len(&w), plain, sizeof(plain), &n, NULL), 0);
				CHECK_EQ(n, 50);
				/* the old SA's keys (another suite: wrong sizes or ICV) */
				int rc = open_msg(r, msgbuf, wb_len(&w), plain, sizeof(plain), &n, NULL);
				CHECK(rc == -EACCES || rc == -EBADMSG);
			}
			ike_keymat_free(ni2);
			ike_keymat_free(nr2);
		}
next:
		crypto_ike_keys_free(&keys);
		crypto_secret_free(gir);
		crypto_secret_free(seed);
		crypto_secret_free(ke);
		ike_keymat_free(i);
		ike_keymat_free(r);
		ike_keymat_free(x);
	}
	ike_keymat_free(NULL);
}

/* ---- strongSwan 5.9.8 with its logged keys ---- */

#define VEC_DIR "tests/codec/vectors-ss598-keys"

static size_t read_file(const char *name, uint8_t *out, size_t cap)
{
	char path[1024];
	const char *src = getenv("PETREL_SRC");
	snprintf(path, sizeof(path), "%s/%s/%s", src ? src : ".", VEC_DIR, name);
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "cannot open %s\n", path);
		return 0;
	}
	size_t n = fread(out, 1, cap, f);
	fclose(f);
	return n;
}

/* keys.txt: "name hex" lines. */
static int key_get(const char *txt, const char *name, struct secret **out)
{
	size_t nl = strlen(name);
	const char *p = txt;
	*out = NULL;
	while (p && *p) {
		if (strncmp(p, name, nl) == 0 && p[nl] == ' ') {
			char hex[512];
			uint8_t b[256];
			size_t k = 0, n = 0;
			p += nl + 1;
			while (p[k] && p[k] != '\n' && k < sizeof(hex) - 1) {
				hex[k] = p[k];
				k++;
			}
			hex[k] = 0;
			if (hex_decode(b, sizeof(b), hex, &n))
				return -EBADMSG;
			return crypto_secret_from(b, n, out);
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -ENOENT;
}

static int nonce_of(const uint8_t *msg, size_t len, struct ike_msg *m, struct crypto_buf *nonce)
{
	struct ike_diag d;
	const struct ike_pld *p;
	if (ike_msg_decode(msg, len, m, &d))
		return -EBADMSG;
	p = ike_chain_find(&m->chain, IKE_PLD_NONCE, NULL);
	if (!p)
		return -ENOENT;
	nonce->p = p->body;
	nonce->len = p->body_len;
	return 0;
}

/* Decrypt msg with km and check its inner chain's payload types. */
static void check_auth_msg(const struct ike_keymat *km, const uint8_t *msg, size_t len,
			   const uint8_t *types, size_t n_types, const char *what)
{
	static struct ike_msg m;
	static struct ike_chain inner_chain;
	struct ike_diag d;
	size_t n = 0;

	CHECK_EQ(ike_msg_decode(msg, len, &m, &d), 0);
	CHECK_EQ(m.chain.n, 1);
	CHECK_EQ(m.chain.pld[0].type, IKE_PLD_SK);
	int rc = ike_sk_unprotect(km, msg, len, &m.chain.pld[0], plain, sizeof(plain), &n);
	CHECK_EQ(rc, 0);
	if (rc) {
		fprintf(stderr, "%s: unprotect %d\n", what, rc);
		return;
	}
	/* AES-GCM: strongSwan adds no padding beyond the Pad Length octet */
	CHECK_EQ(n, len - IKE_HDR_LEN - IKE_PLD_HDR_LEN - 8 - 16 - 1);
	rc = ike_chain_decode(plain, n, m.chain.pld[0].inner_next, 1, 0, &inner_chain, &d);
	CHECK_EQ(rc, 0);
	if (rc) {
		fprintf(stderr, "%s: inner chain: %s\n", what, d.reason);
		return;
	}
	CHECK_EQ(ike_chain_validate(&inner_chain, &d), 0);
	CHECK_EQ(inner_chain.n, n_types);
	for (size_t k = 0; k < n_types && k < inner_chain.n; k++) {
		if (inner_chain.pld[k].type != types[k])
			fprintf(stderr, "%s: payload %zu is %u, want %u\n", what, k,
				inner_chain.pld[k].type, types[k]);
		CHECK_EQ(inner_chain.pld[k].type, types[k]);
	}
	/* the identities are the configured ones */
	const struct ike_pld *id = ike_chain_find(&inner_chain, types[0], NULL);
	struct ike_id idv;
	if (id && ike_id_decode(id, &idv) == 0) {
		const char *want = types[0] == IKE_PLD_IDI ? "psk-client@petrel.test" : "gw.petrel.test";
		CHECK_EQ(idv.len, strlen(want));
		CHECK(idv.len == strlen(want) && memcmp(idv.data, want, idv.len) == 0);
	}

	/* one flipped ICV bit: -EACCES */
	memcpy(work, msg, len);
	work[len - 1] ^= 1;
	CHECK_EQ(open_msg(km, work, len, plain, sizeof(plain), &n, NULL), -EACCES);
}

static void test_strongswan(void)
{
	static uint8_t init_req[4096], init_resp[4096], auth_req[4096], auth_resp[4096];
	static struct ike_msg mi, mr;
	static char keys_txt[8192];
	size_t l_ireq, l_iresp, l_areq, l_aresp, l_keys;
	struct crypto_buf ni, nr;
	struct secret *gir = NULL, *seed_ss = NULL, *seed = NULL;
	struct crypto_ike_keys mine = { 0 }, theirs = { 0 };
	struct ike_keymat *ki = NULL, *kr = NULL, *xi = NULL, *xr = NULL;
	struct ike_chosen c;
	static const uint8_t req_types[] = {
		IKE_PLD_IDI, IKE_PLD_NOTIFY, IKE_PLD_IDR, IKE_PLD_AUTH, IKE_PLD_CP, IKE_PLD_SA,
		IKE_PLD_TSI, IKE_PLD_TSR, IKE_PLD_NOTIFY, IKE_PLD_NOTIFY, IKE_PLD_NOTIFY,
		IKE_PLD_NOTIFY, IKE_PLD_NOTIFY,
	};
	static const uint8_t resp_types[] = {
		IKE_PLD_IDR, IKE_PLD_AUTH, IKE_PLD_CP, IKE_PLD_SA, IKE_PLD_TSI, IKE_PLD_TSR,
		IKE_PLD_NOTIFY, IKE_PLD_NOTIFY,
	};

	l_ireq = read_file("ss598-keys-ike_sa_init-req.bin", init_req, sizeof(init_req));
	l_iresp = read_file("ss598-keys-ike_sa_init-resp.bin", init_resp, sizeof(init_resp));
	l_areq = read_file("ss598-keys-ike_auth-req.bin", auth_req, sizeof(auth_req));
	l_aresp = read_file("ss598-keys-ike_auth-resp.bin", auth_resp, sizeof(auth_resp));
	l_keys = read_file("keys.txt", (uint8_t *)keys_txt, sizeof(keys_txt) - 1);
	CHECK(l_ireq && l_iresp && l_areq && l_aresp && l_keys);
	if (!l_ireq || !l_iresp || !l_areq || !l_aresp || !l_keys)
		return;
	keys_txt[l_keys] = 0;

	CHECK_EQ(nonce_of(init_req, l_ireq, &mi, &ni), 0);
	CHECK_EQ(nonce_of(init_resp, l_iresp, &mr, &nr), 0);
	CHECK(ni.len >= 16 && nr.len >= 16);

	/* aes256gcm16-prfsha256-x25519 */
	memset(&c, 0, sizeof(c));
	c.proto = IKE_PROTO_IKE;
	c.encr = IKE_ENCR_AES_GCM_16;
	c.encr_bits = 256;
	c.prf = IKE_PRF_HMAC_SHA2_256;

	CHECK_EQ(key_get(keys_txt, "g_ir", &gir), 0);
	CHECK_EQ(key_get(keys_txt, "SKEYSEED", &seed_ss), 0);
	CHECK_EQ(key_get(keys_txt, "SK_d", &theirs.sk_d), 0);
	CHECK_EQ(key_get(keys_txt, "SK_ei", &theirs.sk_ei), 0);
	CHECK_EQ(key_get(keys_txt, "SK_er", &theirs.sk_er), 0);
	CHECK_EQ(key_get(keys_txt, "SK_pi", &theirs.sk_pi), 0);
	CHECK_EQ(key_get(keys_txt, "SK_pr", &theirs.sk_pr), 0);
	CHECK_EQ(key_get(keys_txt, "SK_ai", &theirs.sk_ai), -ENOENT);
	if (!gir || !seed_ss || !theirs.sk_d || !theirs.sk_ei || !theirs.sk_er ||
	    !theirs.sk_pi || !theirs.sk_pr)
		goto out;
	CHECK_EQ(theirs.sk_ei->len, 36);

	/* KDF interop: SKEYSEED and SK_* from g^ir, the wire nonces and SPIs */
	CHECK_EQ(crypto_kdf_skeyseed(c.prf, ni, nr, gir, &seed), 0);
	CHECK(seed && crypto_secret_eq(seed, seed_ss));
	CHECK_EQ(crypto_kdf_ike_keys(c.prf, seed_ss, ni, nr, mr.hdr.spi_i, mr.hdr.spi_r, 0, 36,
				     &mine), 0);
	CHECK(mine.sk_d && crypto_secret_eq(mine.sk_d, theirs.sk_d));
	CHECK(mine.sk_ei && crypto_secret_eq(mine.sk_ei, theirs.sk_ei));
	CHECK(mine.sk_er && crypto_secret_eq(mine.sk_er, theirs.sk_er));
	CHECK(mine.sk_pi && crypto_secret_eq(mine.sk_pi, theirs.sk_pi));
	CHECK(mine.sk_pr && crypto_secret_eq(mine.sk_pr, theirs.sk_pr));

	/* keymats from g^ir, both roles: the responder opens the request,
	 * the initiator the response */
	CHECK_EQ(ike_keymat_new(&c, 1, gir, ni, nr, mr.hdr.spi_i, mr.hdr.spi_r, &ki), 0);
	CHECK_EQ(ike_keymat_new(&c, 0, gir, ni, nr, mr.hdr.spi_i, mr.hdr.spi_r, &kr), 0);
	if (ki && kr) {
		CHECK(crypto_secret_eq(ki->sk_pi, theirs.sk_pi));
		check_auth_msg(kr, auth_req, l_areq, req_types, sizeof(req_types), "IKE_AUTH request");
		check_auth_msg(ki, auth_resp, l_aresp, resp_types, sizeof(resp_types),
			       "IKE_AUTH response");
		/* and not the other way round */
		size_t n;
		CHECK_EQ(open_msg(ki, auth_req, l_areq, plain, sizeof(plain), &n, NULL), -EACCES);
	}

	/* keymats straight from strongSwan's logged SK_ei/SK_er */
	CHECK_EQ(ike_keymat_new_keys(&c, 0, &theirs, &xr), 0);
	CHECK_EQ(key_get(keys_txt, "SK_d", &theirs.sk_d), 0);
	CHECK_EQ(key_get(keys_txt, "SK_pi", &theirs.sk_pi), 0);
	CHECK_EQ(key_get(keys_txt, "SK_pr", &theirs.sk_pr), 0);
	CHECK_EQ(ike_keymat_new_keys(&c, 1, &theirs, &xi), 0);
	if (xi && xr) {
		check_auth_msg(xr, auth_req, l_areq, req_types, sizeof(req_types), "IKE_AUTH request");
		check_auth_msg(xi, auth_resp, l_aresp, resp_types, sizeof(resp_types),
			       "IKE_AUTH response");
	}
out:
	crypto_secret_free(gir);
	crypto_secret_free(seed_ss);
	crypto_secret_free(seed);
	crypto_ike_keys_free(&mine);
	crypto_ike_keys_free(&theirs);
	ike_keymat_free(ki);
	ike_keymat_free(kr);
	ike_keymat_free(xi);
	ike_keymat_free(xr);
}

int main(void)
{
	fill(ni_b, sizeof(ni_b), 100);
	fill(nr_b, sizeof(nr_b), 200);
	fill(gir_b, sizeof(gir_b), 300);

	for (size_t k = 0; k < N_SUITES; k++) {
		test_roundtrip(&suites[k]);
		test_tamper(&suites[k]);
		test_padding(&suites[k]);
	}
	test_errors();
	test_keymat();
	test_strongswan();
	return test_done();
}
