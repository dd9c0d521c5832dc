/* Fuzz target: RFC 7383 reassembly (trust boundary: SKF messages from the
 * network, src/ike/frag.c and sk.c) with fixed test keys.
 *
 * Input: one mode octet, then records of [u16 length][bytes]:
 *   mode bit 0 = 0  raw: each record is a whole IKE message, decoded and
 *                   offered as it is (nearly all fail the ICV: this covers the
 *                   checks before authentication);
 *   mode bit 0 = 1  plaintext: each record is
 *                   [frag_num][total][next][ctl][msg_id] chunk...
 *                   which the harness protects with the initiator's keys, so
 *                   the fragments authenticate and the reassembly logic itself
 *                   (duplicates, restarts, stale sets, caps, completion) runs.
 *                   ctl bit 0: flip one octet after sealing (a forgery);
 *                   bit 1: INFORMATIONAL instead of IKE_AUTH; bit 2: response;
 *                   numbers RFC 7383 forbids are patched in after sealing.
 *   mode bit 1      AES-CBC-256 + HMAC-SHA2-256 keys instead of AES-GCM-16-256.
 * Whatever the input, the reassembly's bookkeeping stays within its caps and
 * a completed message is never longer than PT_IKE_REASM_MAX_LEN. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/secret.h"
#include "ike/frag.h"
#include "ike/keymat.h"
#include "ike/pld/pld.h"
#include "ike/sk.h"
struct ike_sa_pld; /* named by proposal.h's prototypes */
#include "ike/proposal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ike_keymat *km_i[2], *km_r[2];
static struct ike_reasm *ra;
static uint8_t out[PT_IKE_MSG_MAX_LEN + 64];
static uint8_t sealed[PT_IKE_MSG_MAX_LEN];
static struct ike_msg m;

static const uint8_t spi_i[8] = { 0x70, 0x65, 0x74, 0x72, 0x65, 0x6c, 0x00, 0x01 };
static const uint8_t spi_r[8] = { 0x70, 0x65, 0x74, 0x72, 0x65, 0x6c, 0x00, 0x02 };

static int rng(void *ctx, uint8_t *buf, size_t len)
{
	(void)ctx;
	memset(buf, 0xa5, len); /* deterministic: the fuzzer must replay exactly */
	return 0;
}

static void init(void)
{
	static const uint16_t encr[2] = { IKE_ENCR_AES_GCM_16, IKE_ENCR_AES_CBC };
	static const uint16_t integ[2] = { 0, IKE_INTEG_HMAC_SHA2_256_128 };
	uint8_t ni[32], nr[32], g[32];
	struct crypto_buf bni = { ni, sizeof(ni) }, bnr = { nr, sizeof(nr) };
	struct secret *gir = NULL;

	for (size_t k = 0; k < 32; k++) {
		ni[k] = (uint8_t)k;
		nr[k] = (uint8_t)(0x80 + k);
		g[k] = (uint8_t)(0x40 ^ k);
	}
	if (crypto_secret_from(g, sizeof(g), &gir) || ike_reasm_new(&ra))
		abort();
	for (int k = 0; k < 2; k++) {
		struct ike_chosen c;
		memset(&c, 0, sizeof(c));
		c.proto = IKE_PROTO_IKE;
		c.encr = encr[k];
		c.encr_bits = 256;
		c.prf = IKE_PRF_HMAC_SHA2_256;
		c.integ = integ[k];
		if (ike_keymat_new(&c, 1, gir, bni, bnr, spi_i, spi_r, &km_i[k]) ||
		    ike_keymat_new(&c, 0, gir, bni, bnr, spi_i, spi_r, &km_r[k]))
			abort();
	}
	crypto_secret_free(gir);
}

static void offer(const struct ike_keymat *km, const uint8_t *msg, size_t len)
{
	struct ike_diag d;
	size_t out_len = 0;
	uint8_t first = 0;

	if (ike_msg_decode(msg, len, &m, &d) || m.chain.n == 0)
		return;
	const struct ike_pld *p = &m.chain.pld[m.chain.n - 1];
	if (p->type != IKE_PLD_SKF)
		return;
	int rc = ike_reasm_add(ra, km, msg, len, &m.hdr, p, out, sizeof(out), &out_len, &first);
	if (rc == 1) {
		if (out_len > PT_IKE_REASM_MAX_LEN || ra->total != 0 || ra->used != 0)
			abort();
		static struct ike_chain inner;
		(void)ike_chain_decode(out, out_len, first, 1, 0, &inner, &d);
	} else if (rc == 0) {
		if (ra->total == 0 || ra->have >= ra->total || out_len != 0)
			abort();
	} else if (rc > 1) {
		abort();
	}
	if (ra->used > sizeof(ra->buf) || ra->have > ra->total || ra->total > PT_IKE_FRAGS_MAX)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!ra)
		init();
	if (size < 1)
		return 0;
	uint8_t mode = data[0];
	int suite = (mode >> 1) & 1;
	struct ike_keymat *ki = km_i[suite];
	size_t at = 1;

	ike_reasm_reset(ra);
	ki->iv_next = 0;
	while (size - at >= 2) {
		size_t len = (size_t)data[at] << 8 | data[at + 1];
		at += 2;
		if (len > size - at)
			len = size - at;
		const uint8_t *rec = data + at;
		at += len;

		if (!(mode & 1)) {
			offer(km_r[suite], rec, len);
			continue;
		}
		if (len < 5)
			continue;
		uint8_t num = rec[0], total = rec[1], next = rec[2], ctl = rec[3];
		struct ike_hdr h;
		struct wb w;
		memset(&h, 0, sizeof(h));
		memcpy(h.spi_i, spi_i, 8);
		memcpy(h.spi_r, spi_r, 8);
		h.version = 0x20;
		h.exch = ctl & 2 ? IKE_EXCH_INFORMATIONAL : IKE_EXCH_AUTH;
		h.flags = IKE_HDR_F_INITIATOR | (ctl & 4 ? IKE_HDR_F_RESPONSE : 0);
		h.msg_id = rec[4] & 3;
		wb_init(&w, sealed, sizeof(sealed));
		int err = ike_skf_protect(ki, &h, num == 1 ? next : 0, num, total, rec + 5, len - 5,
					  rng, NULL, &w);
		if (err == -EINVAL) {
			/* numbers the sender refuses: seal valid ones, patch these in */
			wb_init(&w, sealed, sizeof(sealed));
			if (ike_skf_protect(ki, &h, 0, 1, 1, rec + 5, len - 5, rng, NULL, &w))
				continue;
			sealed[IKE_HDR_LEN + 0] = next;
			sealed[IKE_HDR_LEN + 4] = 0;
			sealed[IKE_HDR_LEN + 5] = num;
			sealed[IKE_HDR_LEN + 6] = 0;
			sealed[IKE_HDR_LEN + 7] = total;
		} else if (err) {
			continue;
		}
		if (ctl & 1)
			sealed[(size_t)(ctl >> 3) * 7 % wb_len(&w)] ^= 0x01;
		offer(km_r[suite], sealed, wb_len(&w));
	}
	return 0;
}
