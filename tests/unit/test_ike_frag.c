/* src/ike/frag.c: RFC 7383 fragmentation and reassembly between an
 * initiator and a responder keymat made from the same inputs. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hex.h"
#include "crypto/secret.h"
#include "ike/frag.h"
#include "ike/keymat.h"
#include "ike/pld/pld.h"
#include "ike/sk.h"
struct ike_sa_pld; /* named by proposal.h's prototypes */
#include "ike/proposal.h"
#include "test.h"

struct suite {
	const char *name;
	uint16_t encr, bits, prf, integ;
};

static const struct suite suites[] = {
	{ "aes256gcm16-prfsha256", IKE_ENCR_AES_GCM_16, 256, IKE_PRF_HMAC_SHA2_256, 0 },
	{ "chacha20poly1305-prfsha384", IKE_ENCR_CHACHA20_POLY1305, 0, IKE_PRF_HMAC_SHA2_384, 0 },
	{ "aes256-sha256", IKE_ENCR_AES_CBC, 256, IKE_PRF_HMAC_SHA2_256, IKE_INTEG_HMAC_SHA2_256_128 },
	{ "aes128-sha512", IKE_ENCR_AES_CBC, 128, IKE_PRF_HMAC_SHA2_512, IKE_INTEG_HMAC_SHA2_512_256 },
};
#define N_SUITES (sizeof(suites) / sizeof(suites[0]))

static const uint8_t spi_i[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static const uint8_t spi_r[8] = { 9, 10, 11, 12, 13, 14, 15, 16 };

static int make_pair(const struct suite *s, struct ike_keymat **i, struct ike_keymat **r)
{
	struct ike_chosen c;
	struct secret *gir = NULL;
	uint8_t ni[32], nr[32], g[32];
	struct crypto_buf bni = { ni, sizeof(ni) }, bnr = { nr, sizeof(nr) };
	int err;

	memset(&c, 0, sizeof(c));
	c.proto = IKE_PROTO_IKE;
	c.encr = s->encr;
	c.encr_bits = s->bits;
	c.prf = s->prf;
	c.integ = s->integ;
	for (size_t k = 0; k < 32; k++) {
		ni[k] = (uint8_t)k;
		nr[k] = (uint8_t)(k + 100);
		g[k] = (uint8_t)(k * 3);
	}
	err = crypto_secret_from(g, sizeof(g), &gir);
	if (!err)
		err = ike_keymat_new(&c, 1, gir, bni, bnr, spi_i, spi_r, i);
	if (!err)
		err = ike_keymat_new(&c, 0, gir, bni, bnr, spi_i, spi_r, r);
	crypto_secret_free(gir);
	return err;
}

static int test_rng(void *ctx, uint8_t *buf, size_t len)
{
	uint32_t *n = ctx;
	for (size_t k = 0; k < len; k++)
		buf[k] = (uint8_t)(*n * 17u + k);
	(*n)++;
	return 0;
}

static struct ike_hdr test_hdr(uint32_t msg_id)
{
	struct ike_hdr h;
	memset(&h, 0, sizeof(h));
	memcpy(h.spi_i, spi_i, 8);
	memcpy(h.spi_r, spi_r, 8);
	h.version = 0x20;
	h.exch = IKE_EXCH_AUTH;
	h.flags = IKE_HDR_F_INITIATOR;
	h.msg_id = msg_id;
	return h;
}

#define FRAGS_CAP PT_IKE_FRAGS_MAX
static uint8_t frag_mem[FRAGS_CAP][2048];
static struct wb frags[FRAGS_CAP];
static uint8_t inner[100000], out[70000];

static void frags_init(size_t each)
{
	for (size_t k = 0; k < FRAGS_CAP; k++)
		wb_init(&frags[k], frag_mem[k], each < sizeof(frag_mem[k]) ? each : sizeof(frag_mem[k]));
}

/* Decode fragment bytes and offer them. */
static int offer(struct ike_reasm *r, const struct ike_keymat *km, const uint8_t *msg, size_t len,
		 size_t *out_len, uint8_t *first)
{
	static struct ike_msg m;
	struct ike_diag d;
	int err = ike_msg_decode(msg, len, &m, &d);
	if (err)
		return err;
	if (m.chain.n != 1 || m.chain.pld[0].type != IKE_PLD_SKF)
		return -ENOENT;
	return ike_reasm_add(r, km, msg, len, &m.hdr, &m.chain.pld[0], out, sizeof(out),
			     out_len, first);
}

static void fill(uint8_t *p, size_t n, uint32_t seed)
{
	for (size_t k = 0; k < n; k++)
		p[k] = (uint8_t)(k * 11u + seed + (k >> 8));
}

/* Split 3000 octets at max_msg_len, check every fragment, reassemble in
 * order, reversed, and with every fragment offered twice. */
static void test_split_reasm(const struct suite *s, size_t max_msg_len)
{
	struct ike_keymat *i = NULL, *r = NULL;
	struct ike_reasm *ra = NULL;
	struct ike_hdr h = test_hdr(1);
	uint32_t rng = 0;
	unsigned total = 0, want = 0;
	size_t n = 0;
	uint8_t first = 0;

	CHECK_EQ(make_pair(s, &i, &r), 0);
	CHECK_EQ(ike_reasm_new(&ra), 0);
	if (!i || !r || !ra)
		goto out;
	fill(inner, 3000, 1);
	CHECK_EQ(ike_frag_count(i, 3000, max_msg_len, &want), 0);
	frags_init(max_msg_len);
	CHECK_EQ(ike_frag_split_into(i, &h, IKE_PLD_IDI, inner, 3000, max_msg_len, test_rng, &rng,
				     frags, FRAGS_CAP, &total), 0);
	CHECK_EQ(total, want);
	CHECK(total >= 3000 / max_msg_len + 1);
	/* a larger chunk would not fit */
	CHECK(ike_sk_msg_len(i, IKE_PLD_SKF, ike_frag_chunk_len(i, max_msg_len)) <= max_msg_len);
	CHECK(ike_sk_msg_len(i, IKE_PLD_SKF, ike_frag_chunk_len(i, max_msg_len) + 1) > max_msg_len);

	size_t sum = 0;
	for (unsigned k = 1; k <= total; k++) {
		static struct ike_msg m;
		struct ike_diag d;
		struct ike_skf f;
		const uint8_t *p = frags[k - 1].p;
		size_t len = wb_len(&frags[k - 1]);
		CHECK(len <= max_msg_len);
		CHECK_EQ(ike_msg_decode(p, len, &m, &d), 0);
		CHECK_EQ(m.hdr.next, IKE_PLD_SKF);
		CHECK_EQ(m.hdr.msg_id, 1);
		CHECK_EQ(m.chain.n, 1);
		CHECK_EQ(ike_skf_decode(&m.chain.pld[0], &f), 0);
		CHECK_EQ(f.frag_num, k);
		CHECK_EQ(f.total, total);
		/* RFC 7383 2.5: the first inner payload's type only in fragment 1 */
		CHECK_EQ(m.chain.pld[0].inner_next, k == 1 ? IKE_PLD_IDI : 0);
		/* each fragment opens on its own */
		CHECK_EQ(ike_sk_unprotect(r, p, len, &m.chain.pld[0], out, sizeof(out), &n), 0);
		sum += n;
	}
	CHECK_EQ(sum, 3000);

	/* in order */
	for (unsigned k = 1; k <= total; k++) {
		int rc = offer(ra, r, frags[k - 1].p, wb_len(&frags[k - 1]), &n, &first);
		CHECK_EQ(rc, k == total ? 1 : 0);
	}
	CHECK_EQ(n, 3000);
	CHECK_EQ(first, IKE_PLD_IDI);
	CHECK_MEM(out, inner, 3000);
	CHECK_EQ(ra->total, 0); /* reset after completion */
	CHECK_EQ(ra->stats.completed, 1);

	/* reversed */
	for (unsigned k = total; k >= 1; k--) {
		int rc = offer(ra, r, frags[k - 1].p, wb_len(&frags[k - 1]), &n, &first);
		CHECK_EQ(rc, k == 1 ? 1 : 0);
	}
	CHECK_EQ(n, 3000);
	CHECK_EQ(first, IKE_PLD_IDI);
	CHECK_MEM(out, inner, 3000);

	/* every fragment twice (a retransmitted set, interleaved): duplicates
	 * are dropped and counted */
	memset(&ra->stats, 0, sizeof(ra->stats));
	for (unsigned k = 1; k <= total; k++) {
		int rc = offer(ra, r, frags[k - 1].p, wb_len(&frags[k - 1]), &n, &first);
		CHECK_EQ(rc, k == total ? 1 : 0);
		if (k < total)
			CHECK_EQ(offer(ra, r, frags[k - 1].p, wb_len(&frags[k - 1]), &n, &first),
				 -EALREADY);
	}
	CHECK_EQ(ra->stats.dup, total - 1);
	CHECK_MEM(out, inner, 3000);

	/* odd ones first, then even, with fragment 2 repeated at the end */
	for (unsigned pass = 0; pass < 2; pass++)
		for (unsigned k = 1 + pass; k <= total; k += 2) {
			int rc = offer(ra, r, frags[k - 1].p, wb_len(&frags[k - 1]), &n, &first);
			int last = pass == 1 && k + 2 > total;
			CHECK_EQ(rc, last ? 1 : 0);
		}
	CHECK_MEM(out, inner, 3000);
	CHECK_EQ(first, IKE_PLD_IDI);

out:
	ike_reasm_free(ra);
	ike_keymat_free(i);
	ike_keymat_free(r);
}

/* The callback variant. */
struct emit_ctx {
	struct ike_reasm *ra;
	const struct ike_keymat *km;
	unsigned calls, stop_at;
	int last_rc;
	size_t n;
	uint8_t first;
};

static int emit_cb(void *ctx, const uint8_t *msg, size_t len, unsigned num, unsigned total)
{
	struct emit_ctx *e = ctx;
	e->calls++;
	if (e->stop_at && num == e->stop_at)
		return -ECANCELED;
	e->last_rc = offer(e->ra, e->km, msg, len, &e->n, &e->first);
	(void)total;
	return 0;
}

static void test_callback(void)
{
	struct ike_keymat *i = NULL, *r = NULL;
	struct ike_reasm *ra = NULL;
	struct ike_hdr h = test_hdr(2);
	uint32_t rng = 0;
	static uint8_t scratch[1280];
	struct emit_ctx e;
	unsigned total = 0;

	CHECK_EQ(make_pair(&suites[2], &i, &r), 0);
	CHECK_EQ(ike_reasm_new(&ra), 0);
	if (!i || !r || !ra)
		goto out;
	fill(inner, 3000, 2);
	CHECK_EQ(ike_frag_count(i, 3000, 1280, &total), 0);
	memset(&e, 0, sizeof(e));
	e.ra = ra;
	e.km = r;
	CHECK_EQ(ike_frag_split(i, &h, IKE_PLD_IDI, inner, 3000, 1280, test_rng, &rng,
				scratch, sizeof(scratch), emit_cb, &e), 0);
	CHECK_EQ(e.calls, total);
	CHECK_EQ(e.last_rc, 1);
	CHECK_EQ(e.n, 3000);
	CHECK_MEM(out, inner, 3000);
	/* a callback error stops the split and is returned */
	memset(&e, 0, sizeof(e));
	e.ra = ra;
	e.km = r;
	e.stop_at = 2;
	CHECK_EQ(ike_frag_split(i, &h, IKE_PLD_IDI, inner, 3000, 1280, test_rng, &rng,
				scratch, sizeof(scratch), emit_cb, &e), -ECANCELED);
	CHECK_EQ(e.calls, 2);
	ike_reasm_reset(ra);
	/* scratch too small for a fragment */
	memset(&e, 0, sizeof(e));
	e.ra = ra;
	e.km = r;
	CHECK_EQ(ike_frag_split(i, &h, IKE_PLD_IDI, inner, 3000, 1280, test_rng, &rng,
				scratch, 600, emit_cb, &e), -ENOBUFS);
	CHECK_EQ(e.calls, 0);
	CHECK_EQ(ike_frag_split(i, &h, IKE_PLD_IDI, inner, 3000, 1280, test_rng, &rng,
				NULL, 0, emit_cb, &e), -EINVAL);
	CHECK_EQ(ike_frag_split(i, &h, IKE_PLD_IDI, inner, 3000, 1280, test_rng, &rng,
				scratch, sizeof(scratch), NULL, NULL), -EINVAL);
	/* an empty chain is one fragment with no content */
	memset(&e, 0, sizeof(e));
	e.ra = ra;
	e.km = r;
	CHECK_EQ(ike_frag_split(i, &h, IKE_PLD_NONE, inner, 0, 1280, test_rng, &rng,
				scratch, sizeof(scratch), emit_cb, &e), 0);
	CHECK_EQ(e.calls, 1);
	CHECK_EQ(e.last_rc, 1);
	CHECK_EQ(e.n, 0);
out:
	ike_reasm_free(ra);
	ike_keymat_free(i);
	ike_keymat_free(r);
}

/* Forged, stale and malformed fragments; restarts; caps. */
static void test_attacks(const struct suite *s)
{
	struct ike_keymat *i = NULL, *r = NULL, *other_i = NULL, *other_r = NULL;
	struct ike_reasm *ra = NULL;
	struct ike_hdr h = test_hdr(3);
	uint32_t rng = 0;
	unsigned total = 0, total2 = 0;
	size_t n = 0;
	uint8_t first = 0;
	static uint8_t work[2048];

	CHECK_EQ(make_pair(s, &i, &r), 0);
	CHECK_EQ(make_pair(&suites[(s - suites + 1) % N_SUITES], &other_i, &other_r), 0);
	CHECK_EQ(ike_reasm_new(&ra), 0);
	if (!i || !r || !ra || !other_i)
		goto out;
	fill(inner, 3000, 3);
	frags_init(576);
	CHECK_EQ(ike_frag_split_into(i, &h, IKE_PLD_IDI, inner, 3000, 576, test_rng, &rng,
				     frags, FRAGS_CAP, &total), 0);
	CHECK(total >= 4);

	/* fragment 1 stored; then forgeries of fragment 2 in every field
	 * after the SKF header, and of its Total (inside the AAD) */
	CHECK_EQ(offer(ra, r, frags[0].p, wb_len(&frags[0]), &n, &first), 0);
	size_t len2 = wb_len(&frags[1]);
	for (size_t pos = 0; pos < len2; pos++) {
		memcpy(work, frags[1].p, len2);
		work[pos] ^= 0x40;
		int rc = offer(ra, r, work, len2, &n, &first);
		CHECK(rc < 0);
		if (pos >= IKE_HDR_LEN + 8)
			CHECK_EQ(rc, -EACCES);
	}
	/* a larger Total that does not authenticate must not restart the set */
	memcpy(work, frags[1].p, len2);
	work[IKE_HDR_LEN + 7] = (uint8_t)(total + 1);
	CHECK_EQ(offer(ra, r, work, len2, &n, &first), -EACCES);
	CHECK_EQ(ra->stats.restarts, 0);
	CHECK_EQ(ra->have, 1);
	/* a fragment sealed with other keys */
	{
		struct wb w;
		wb_init(&w, work, sizeof(work));
		CHECK_EQ(ike_skf_protect(other_i, &h, 0, 2, (uint16_t)total, inner, 100, test_rng, &rng, &w), 0);
		int rc = offer(ra, r, work, wb_len(&w), &n, &first);
		CHECK(rc == -EACCES || rc == -EBADMSG);
	}
	CHECK(ra->stats.auth > 0);
	/* the real ones still complete the message */
	for (unsigned k = 2; k <= total; k++)
		CHECK_EQ(offer(ra, r, frags[k - 1].p, wb_len(&frags[k - 1]), &n, &first),
			 k == total ? 1 : 0);
	CHECK_EQ(n, 3000);
	CHECK_MEM(out, inner, 3000);

	/* RFC 7383 2.6.1: a set of 1280-octet fragments in progress, then the
	 * sender re-fragments smaller (more fragments): restart; fragments of
	 * the older, smaller set are then stale */
	static uint8_t big_mem[8][2048];
	struct wb big[8];
	for (int k = 0; k < 8; k++)
		wb_init(&big[k], big_mem[k], sizeof(big_mem[k]));
	CHECK_EQ(ike_frag_split_into(i, &h, IKE_PLD_IDI, inner, 3000, 1280, test_rng, &rng,
				     big, 8, &total2), 0);
	CHECK(total2 < total);
	CHECK_EQ(offer(ra, r, big[0].p, wb_len(&big[0]), &n, &first), 0);
	CHECK_EQ(offer(ra, r, big[1].p, wb_len(&big[1]), &n, &first), 0);
	CHECK_EQ(ra->total, total2);
	CHECK_EQ(offer(ra, r, frags[1].p, wb_len(&frags[1]), &n, &first), 0);
	CHECK_EQ(ra->stats.restarts, 1);
	CHECK_EQ(ra->total, total);
	CHECK_EQ(ra->have, 1);
	CHECK_EQ(offer(ra, r, big[2].p, wb_len(&big[2]), &n, &first), -ESTALE);
	for (unsigned k = 1; k <= total; k++) {
		if (k == 2)
			continue;
		CHECK_EQ(offer(ra, r, frags[k - 1].p, wb_len(&frags[k - 1]), &n, &first),
			 k == total ? 1 : 0);
	}
	CHECK_MEM(out, inner, 3000);

	/* another message (Message ID, exchange, response flag) while a set
	 * is in progress: stale; reset lets the new one in */
	CHECK_EQ(offer(ra, r, frags[0].p, wb_len(&frags[0]), &n, &first), 0);
	{
		struct ike_hdr h2 = test_hdr(4);
		struct wb w;
		wb_init(&w, work, sizeof(work));
		CHECK_EQ(ike_skf_protect(i, &h2, IKE_PLD_IDI, 1, 1, inner, 10, test_rng, &rng, &w), 0);
		CHECK_EQ(offer(ra, r, work, wb_len(&w), &n, &first), -ESTALE);
		h2 = test_hdr(3);
		h2.exch = IKE_EXCH_INFORMATIONAL;
		wb_init(&w, work, sizeof(work));
		CHECK_EQ(ike_skf_protect(i, &h2, 0, 2, (uint16_t)total, inner, 10, test_rng, &rng, &w), 0);
		CHECK_EQ(offer(ra, r, work, wb_len(&w), &n, &first), -ESTALE);
		h2 = test_hdr(3);
		h2.flags |= IKE_HDR_F_RESPONSE;
		wb_init(&w, work, sizeof(work));
		CHECK_EQ(ike_skf_protect(i, &h2, 0, 2, (uint16_t)total, inner, 10, test_rng, &rng, &w), 0);
		CHECK_EQ(offer(ra, r, work, wb_len(&w), &n, &first), -ESTALE);
		ike_reasm_reset(ra);
		h2 = test_hdr(4);
		wb_init(&w, work, sizeof(work));
		CHECK_EQ(ike_skf_protect(i, &h2, IKE_PLD_NOTIFY, 1, 1, inner, 10, test_rng, &rng, &w), 0);
		CHECK_EQ(offer(ra, r, work, wb_len(&w), &n, &first), 1);
		CHECK_EQ(n, 10);
		CHECK_EQ(first, IKE_PLD_NOTIFY);
	}

	/* malformed SKF fields (checked before any crypto) */
	{
		size_t len1 = wb_len(&frags[0]);
		memcpy(work, frags[0].p, len1);
		work[IKE_HDR_LEN + 4] = 0; /* Fragment Number 0 */
		work[IKE_HDR_LEN + 5] = 0;
		CHECK_EQ(offer(ra, r, work, len1, &n, &first), -EBADMSG);
		memcpy(work, frags[0].p, len1);
		work[IKE_HDR_LEN + 5] = (uint8_t)(total + 1); /* Number past Total */
		CHECK_EQ(offer(ra, r, work, len1, &n, &first), -EBADMSG);
		memcpy(work, frags[0].p, len1);
		work[IKE_HDR_LEN + 6] = 0; /* Total 0 */
		work[IKE_HDR_LEN + 7] = 0;
		CHECK_EQ(offer(ra, r, work, len1, &n, &first), -EBADMSG);
		memcpy(work, frags[0].p, len1);
		work[IKE_HDR_LEN + 7] = PT_IKE_FRAGS_MAX + 1; /* past the cap */
		CHECK_EQ(offer(ra, r, work, len1, &n, &first), -E2BIG);
		memcpy(work, frags[0].p, len1);
		work[IKE_HDR_LEN + 6] = 1; /* Total 256 + ... */
		CHECK_EQ(offer(ra, r, work, len1, &n, &first), -E2BIG);
		CHECK_EQ(ra->total, 0);
		CHECK(ra->stats.malformed >= 3);
		CHECK(ra->stats.cap >= 2);
		/* not an SKF payload */
		static struct ike_msg m;
		struct ike_diag d;
		CHECK_EQ(ike_msg_decode(frags[0].p, len1, &m, &d), 0);
		struct ike_pld p = m.chain.pld[0];
		p.type = IKE_PLD_SK;
		CHECK_EQ(ike_reasm_add(ra, r, frags[0].p, len1, &m.hdr, &p, out, sizeof(out), &n, &first),
			 -EINVAL);
		/* out too small for the fragment's ciphertext */
		CHECK_EQ(ike_reasm_add(ra, r, frags[0].p, len1, &m.hdr, &m.chain.pld[0], out, 100, &n,
				       &first), -ENOBUFS);
		CHECK_EQ(ra->total, 0);
	}

	/* out too small for the whole message at completion: the set is dropped */
	for (unsigned k = 1; k <= total; k++) {
		static struct ike_msg m;
		struct ike_diag d;
		CHECK_EQ(ike_msg_decode(frags[k - 1].p, wb_len(&frags[k - 1]), &m, &d), 0);
		int rc = ike_reasm_add(ra, r, frags[k - 1].p, wb_len(&frags[k - 1]), &m.hdr,
				       &m.chain.pld[0], out, 2000, &n, &first);
		CHECK_EQ(rc, k == total ? -ENOBUFS : 0);
	}
	CHECK_EQ(ra->total, 0);
out:
	ike_reasm_free(ra);
	ike_keymat_free(i);
	ike_keymat_free(r);
	ike_keymat_free(other_i);
	ike_keymat_free(other_r);
}

/* Caps: more fragments than PT_IKE_FRAGS_MAX when sending; more than
 * PT_IKE_REASM_MAX_LEN octets held when receiving. */
static void test_caps(void)
{
	struct ike_keymat *i = NULL, *r = NULL;
	struct ike_reasm *ra = NULL;
	struct ike_hdr h = test_hdr(5);
	uint32_t rng = 0;
	unsigned total = 0;
	size_t n = 0, chunk;
	uint8_t first = 0;

	CHECK_EQ(make_pair(&suites[0], &i, &r), 0);
	CHECK_EQ(ike_reasm_new(&ra), 0);
	if (!i || !r || !ra)
		goto out;
	chunk = ike_frag_chunk_len(i, 576);
	CHECK(chunk > 0);
	CHECK_EQ(ike_frag_count(i, chunk * PT_IKE_FRAGS_MAX, 576, &total), 0);
	CHECK_EQ(total, PT_IKE_FRAGS_MAX);
	CHECK_EQ(ike_frag_count(i, chunk * PT_IKE_FRAGS_MAX + 1, 576, &total), -E2BIG);
	frags_init(576);
	CHECK_EQ(ike_frag_split_into(i, &h, IKE_PLD_IDI, inner, chunk * PT_IKE_FRAGS_MAX + 1, 576,
				     test_rng, &rng, frags, FRAGS_CAP, &total), -E2BIG);
	/* a fragment size with no room for content */
	CHECK_EQ(ike_frag_chunk_len(i, IKE_HDR_LEN + 8 + 8 + 16), 0);
	CHECK_EQ(ike_frag_count(i, 10, IKE_HDR_LEN + 8 + 8 + 16, &total), -EINVAL);
	CHECK_EQ(ike_frag_chunk_len(i, IKE_HDR_LEN + 8 + 8 + 16 + 1), 0);
	CHECK_EQ(ike_frag_chunk_len(i, IKE_HDR_LEN + 8 + 8 + 16 + 2), 1);
	/* too few output buffers */
	CHECK_EQ(ike_frag_split_into(i, &h, IKE_PLD_IDI, inner, 3000, 576, test_rng, &rng,
				     frags, 2, &total), -ENOBUFS);
	CHECK_EQ(ike_frag_split_into(i, &h, IKE_PLD_IDI, inner, 3000, 576, test_rng, &rng,
				     NULL, 2, &total), -EINVAL);
	/* ike_skf_protect refuses numbers RFC 7383 2.5 forbids */
	{
		static uint8_t b[256];
		struct wb w;
		wb_init(&w, b, sizeof(b));
		CHECK_EQ(ike_skf_protect(i, &h, 0, 0, 1, inner, 1, test_rng, &rng, &w), -EINVAL);
		CHECK_EQ(ike_skf_protect(i, &h, 0, 2, 1, inner, 1, test_rng, &rng, &w), -EINVAL);
		CHECK_EQ(ike_skf_protect(i, &h, 0, 1, PT_IKE_FRAGS_MAX + 1, inner, 1, test_rng, &rng, &w),
			 -EINVAL);
		CHECK_EQ(ike_skf_protect(i, &h, IKE_PLD_IDI, 2, 2, inner, 1, test_rng, &rng, &w), -EINVAL);
		CHECK_EQ(wb_len(&w), 0);
	}

	/* receiving: two fragments of 40000 octets each exceed the 65535
	 * octets one reassembly holds */
	{
		static uint8_t m1[45000], m2[45000];
		struct wb w1, w2;
		struct wb two[2];
		unsigned t = 0;
		fill(inner, 80000, 9);
		wb_init(&w1, m1, sizeof(m1));
		wb_init(&w2, m2, sizeof(m2));
		two[0] = w1;
		two[1] = w2;
		CHECK_EQ(ike_frag_split_into(i, &h, IKE_PLD_IDI, inner, 80000, 40100, test_rng, &rng,
					     two, 2, &t), 0);
		CHECK_EQ(t, 2);
		CHECK_EQ(offer(ra, r, two[0].p, wb_len(&two[0]), &n, &first), 0);
		CHECK_EQ(offer(ra, r, two[1].p, wb_len(&two[1]), &n, &first), -E2BIG);
		CHECK_EQ(ra->have, 1);
		CHECK(ra->used <= PT_IKE_REASM_MAX_LEN);
		CHECK_EQ(ra->stats.cap, 1);
		ike_reasm_reset(ra);
		CHECK_EQ(ra->used, 0);
	}
	/* PT_IKE_FRAGS_MAX fragments of one message reassemble */
	{
		static uint8_t many_mem[PT_IKE_FRAGS_MAX][200];
		static struct wb many[PT_IKE_FRAGS_MAX];
		unsigned t = 0;
		size_t c = ike_frag_chunk_len(i, 200);
		for (unsigned k = 0; k < PT_IKE_FRAGS_MAX; k++)
			wb_init(&many[k], many_mem[k], sizeof(many_mem[k]));
		fill(inner, c * PT_IKE_FRAGS_MAX, 10);
		CHECK_EQ(ike_frag_split_into(i, &h, IKE_PLD_IDI, inner, c * PT_IKE_FRAGS_MAX, 200,
					     test_rng, &rng, many, PT_IKE_FRAGS_MAX, &t), 0);
		CHECK_EQ(t, PT_IKE_FRAGS_MAX);
		for (unsigned k = PT_IKE_FRAGS_MAX; k >= 1; k--)
			CHECK_EQ(offer(ra, r, many[k - 1].p, wb_len(&many[k - 1]), &n, &first),
				 k == 1 ? 1 : 0);
		CHECK_EQ(n, c * PT_IKE_FRAGS_MAX);
		CHECK_MEM(out, inner, n);
	}
out:
	ike_reasm_free(ra);
	ike_reasm_free(NULL);
	ike_keymat_free(i);
	ike_keymat_free(r);
}

/* ---- strongSwan 5.9.8 fragments (fragment_size = 200) with their keys ---- */

#define VEC_DIR "tests/codec/vectors-ss598-keys"

static size_t read_vec(const char *name, uint8_t *buf, size_t cap)
{
	char path[1024];
	const char *src = getenv("PETREL_SRC");
	snprintf(path, sizeof(path), "%s/%s/%s", src ? src : ".", VEC_DIR, name);
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "cannot open %s\n", path);
		return 0;
	}
	size_t n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

static int key_get(const char *txt, const char *name, uint8_t *val, size_t cap, size_t *n)
{
	size_t nl = strlen(name);
	for (const char *p = txt; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (strncmp(p, name, nl) == 0 && p[nl] == ' ') {
			char hex[512];
			size_t k = 0;
			p += nl + 1;
			while (p[k] && p[k] != '\n' && k < sizeof(hex) - 1) {
				hex[k] = p[k];
				k++;
			}
			hex[k] = 0;
			return hex_decode(val, cap, hex, n);
		}
	}
	return -ENOENT;
}

static const uint8_t *nonce_of(const uint8_t *msg, size_t len, struct ike_msg *m, size_t *n)
{
	struct ike_diag d;
	const struct ike_pld *p;
	if (ike_msg_decode(msg, len, m, &d) || !(p = ike_chain_find(&m->chain, IKE_PLD_NONCE, NULL)))
		return NULL;
	*n = p->body_len;
	return p->body;
}

/* Offer strongSwan's fragments k (in the order given) and check the result. */
static void ss_reasm(struct ike_reasm *ra, const struct ike_keymat *km, const char *dir,
		     unsigned total, const unsigned *order, uint8_t want_first,
		     const uint8_t *want_types, size_t n_types)
{
	static uint8_t msg[2048];
	static struct ike_chain c;
	struct ike_diag d;
	size_t n = 0;
	uint8_t first = 0;
	int rc = -1;

	for (unsigned j = 0; j < total; j++) {
		char name[128];
		snprintf(name, sizeof(name), "ss598-keys-frag-ike_auth-%s-%uof%u.bin", dir, order[j], total);
		size_t len = read_vec(name, msg, sizeof(msg));
		CHECK(len > 0);
		CHECK(len <= 200 - 28);   /* fragment_size 200 is the IP datagram */
		rc = offer(ra, km, msg, len, &n, &first);
		CHECK_EQ(rc, j + 1 == total ? 1 : 0);
	}
	if (rc != 1)
		return;
	CHECK_EQ(first, want_first);
	CHECK_EQ(ike_chain_decode(out, n, first, 1, 0, &c, &d), 0);
	CHECK_EQ(ike_chain_validate(&c, &d), 0);
	CHECK_EQ(c.n, n_types);
	for (size_t k = 0; k < n_types && k < c.n; k++)
		CHECK_EQ(c.pld[k].type, want_types[k]);
}

static void test_strongswan_frag(void)
{
	static uint8_t init_req[2048], init_resp[2048];
	static char txt[4096];
	static struct ike_msg mi, mr;
	uint8_t g[64], d_ss[64], pi_ss[64];
	size_t gl = 0, dl = 0, pil = 0, nil = 0, nrl = 0;
	struct ike_keymat *ki = NULL, *kr = NULL;
	struct ike_reasm *ra = NULL;
	struct secret *gir = NULL;
	struct ike_chosen c;
	static const unsigned fwd3[] = { 1, 2, 3 }, rev3[] = { 3, 2, 1 }, fwd2[] = { 1, 2 },
			      rev2[] = { 2, 1 };
	static const uint8_t req_types[] = {
		IKE_PLD_IDI, IKE_PLD_NOTIFY, IKE_PLD_IDR, IKE_PLD_AUTH, IKE_PLD_CP, IKE_PLD_SA,
		IKE_PLD_TSI, IKE_PLD_TSR, IKE_PLD_NOTIFY, IKE_PLD_NOTIFY, IKE_PLD_NOTIFY,
		IKE_PLD_NOTIFY, IKE_PLD_NOTIFY,
	};
	static const uint8_t resp_types[] = {
		IKE_PLD_IDR, IKE_PLD_AUTH, IKE_PLD_CP, IKE_PLD_SA, IKE_PLD_TSI, IKE_PLD_TSR,
		IKE_PLD_NOTIFY, IKE_PLD_NOTIFY,
	};

	size_t l1 = read_vec("ss598-keys-frag-ike_sa_init-req.bin", init_req, sizeof(init_req));
	size_t l2 = read_vec("ss598-keys-frag-ike_sa_init-resp.bin", init_resp, sizeof(init_resp));
	size_t lt = read_vec("keys-frag.txt", (uint8_t *)txt, sizeof(txt) - 1);
	CHECK(l1 && l2 && lt);
	if (!l1 || !l2 || !lt)
		return;
	txt[lt] = 0;
	CHECK_EQ(key_get(txt, "g_ir", g, sizeof(g), &gl), 0);
	CHECK_EQ(key_get(txt, "SK_d", d_ss, sizeof(d_ss), &dl), 0);
	CHECK_EQ(key_get(txt, "SK_pi", pi_ss, sizeof(pi_ss), &pil), 0);
	const uint8_t *ni = nonce_of(init_req, l1, &mi, &nil);
	const uint8_t *nr = nonce_of(init_resp, l2, &mr, &nrl);
	CHECK(ni && nr);
	if (!ni || !nr || !gl)
		return;
	struct crypto_buf bni = { ni, nil }, bnr = { nr, nrl };

	memset(&c, 0, sizeof(c));
	c.proto = IKE_PROTO_IKE;
	c.encr = IKE_ENCR_AES_GCM_16;
	c.encr_bits = 256;
	c.prf = IKE_PRF_HMAC_SHA2_256;
	CHECK_EQ(crypto_secret_from(g, gl, &gir), 0);
	CHECK_EQ(ike_keymat_new(&c, 1, gir, bni, bnr, mr.hdr.spi_i, mr.hdr.spi_r, &ki), 0);
	CHECK_EQ(ike_keymat_new(&c, 0, gir, bni, bnr, mr.hdr.spi_i, mr.hdr.spi_r, &kr), 0);
	CHECK_EQ(ike_reasm_new(&ra), 0);
	if (!ki || !kr || !ra)
		goto out;
	/* our KDF gives strongSwan's keys */
	CHECK(ki->sk_d->len == dl && crypto_memeq(ki->sk_d->p, d_ss, dl));
	CHECK(ki->sk_pi->len == pil && crypto_memeq(ki->sk_pi->p, pi_ss, pil));
	/* RFC 7383 2.5.3: each SKF authenticates over its own header and SKF
	 * header (Fragment Number, Total Fragments), as strongSwan sends them */
	ss_reasm(ra, kr, "req", 3, fwd3, IKE_PLD_IDI, req_types, sizeof(req_types));
	ss_reasm(ra, kr, "req", 3, rev3, IKE_PLD_IDI, req_types, sizeof(req_types));
	ss_reasm(ra, ki, "resp", 2, fwd2, IKE_PLD_IDR, resp_types, sizeof(resp_types));
	ss_reasm(ra, ki, "resp", 2, rev2, IKE_PLD_IDR, resp_types, sizeof(resp_types));
	CHECK_EQ(ra->stats.auth, 0);
out:
	crypto_secret_free(gir);
	ike_reasm_free(ra);
	ike_keymat_free(ki);
	ike_keymat_free(kr);
}

int main(void)
{
	for (size_t k = 0; k < N_SUITES; k++) {
		test_split_reasm(&suites[k], 576);
		test_split_reasm(&suites[k], 1280);
		test_attacks(&suites[k]);
	}
	test_callback();
	test_caps();
	test_strongswan_frag();
	return test_done();
}
