/* RFC 7383 fragmentation: splitting an inner chain into SKF messages and
 * reassembling them. See frag.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/secret.h"
#include "ike/frag.h"

/* ---- sending ---- */

size_t ike_frag_chunk_len(const struct ike_keymat *km, size_t max_msg_len)
{
	const struct ike_sk_ctx *x = &km->out;
	size_t fixed = IKE_HDR_LEN + IKE_PLD_HDR_LEN + 4u + x->iv_len + x->icv_len;
	size_t ct;

	if (!x->block_len)
		return 0; /* no keys */
	if (max_msg_len > PT_IKE_MSG_MAX_LEN)
		max_msg_len = PT_IKE_MSG_MAX_LEN;
	if (max_msg_len <= fixed)
		return 0;
	/* Whole blocks of ciphertext, one octet of which is the Pad Length. */
	ct = (max_msg_len - fixed) / x->block_len * x->block_len;
	return ct ? ct - 1 : 0;
}

int ike_frag_count(const struct ike_keymat *km, size_t inner_len, size_t max_msg_len,
		   unsigned *total)
{
	size_t chunk = ike_frag_chunk_len(km, max_msg_len);
	size_t n;

	*total = 0;
	if (chunk == 0)
		return -EINVAL;
	n = inner_len == 0 ? 1 : (inner_len + chunk - 1) / chunk;
	if (n > PT_IKE_FRAGS_MAX)
		return -E2BIG;
	*total = (unsigned)n;
	return 0;
}

static int split(struct ike_keymat *km, const struct ike_hdr *hdr, uint8_t first_inner,
		 const uint8_t *inner, size_t inner_len, size_t max_msg_len,
		 ike_rng_fn rng, void *rng_ctx, uint8_t *scratch, size_t scratch_cap,
		 ike_frag_emit_fn emit, void *emit_ctx, struct wb *outs, size_t n_outs,
		 unsigned *total_out)
{
	size_t chunk = ike_frag_chunk_len(km, max_msg_len);
	unsigned total;
	int err = ike_frag_count(km, inner_len, max_msg_len, &total);

	if (total_out)
		*total_out = 0;
	if (err)
		return err;
	if (outs && n_outs < total)
		return -ENOBUFS;
	for (unsigned k = 1; k <= total; k++) {
		size_t at = (size_t)(k - 1) * chunk;
		size_t n = inner_len - at < chunk ? inner_len - at : chunk;
		struct wb tmp, *w = &tmp;

		if (outs)
			w = &outs[k - 1];
		else
			wb_init(&tmp, scratch, scratch_cap);
		/* RFC 7383 2.5: only fragment 1 names the first inner payload. */
		err = ike_skf_protect(km, hdr, k == 1 ? first_inner : IKE_PLD_NONE,
				      (uint16_t)k, (uint16_t)total, inner + at, n,
				      rng, rng_ctx, w);
		if (err)
			return err;
		if (emit && (err = emit(emit_ctx, tmp.p, wb_len(&tmp), k, total)))
			return err;
	}
	if (total_out)
		*total_out = total;
	return 0;
}

int ike_frag_split(struct ike_keymat *km, const struct ike_hdr *hdr, uint8_t first_inner,
		   const uint8_t *inner, size_t inner_len, size_t max_msg_len,
		   ike_rng_fn rng, void *rng_ctx, uint8_t *scratch, size_t scratch_cap,
		   ike_frag_emit_fn emit, void *emit_ctx)
{
	if (!emit || !scratch)
		return -EINVAL;
	return split(km, hdr, first_inner, inner, inner_len, max_msg_len, rng, rng_ctx,
		     scratch, scratch_cap, emit, emit_ctx, NULL, 0, NULL);
}

int ike_frag_split_into(struct ike_keymat *km, const struct ike_hdr *hdr, uint8_t first_inner,
			const uint8_t *inner, size_t inner_len, size_t max_msg_len,
			ike_rng_fn rng, void *rng_ctx, struct wb *outs, size_t n_outs,
			unsigned *total)
{
	if (!outs)
		return -EINVAL;
	return split(km, hdr, first_inner, inner, inner_len, max_msg_len, rng, rng_ctx,
		     NULL, 0, NULL, NULL, outs, n_outs, total);
}

/* ---- receiving ---- */

int ike_reasm_new(struct ike_reasm **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

void ike_reasm_reset(struct ike_reasm *r)
{
	crypto_wipe(r->buf, r->used);
	r->total = 0;
	r->have = 0;
	r->used = 0;
	r->msg_id = 0;
	r->exch = 0;
	r->response = 0;
	r->inner_next = 0;
	memset(r->got, 0, sizeof(r->got));
}

void ike_reasm_free(struct ike_reasm *r)
{
	if (!r)
		return;
	ike_reasm_reset(r);
	free(r);
}

int ike_reasm_add(struct ike_reasm *r, const struct ike_keymat *km,
		  const uint8_t *msg, size_t len, const struct ike_hdr *hdr,
		  const struct ike_pld *skf, uint8_t *out, size_t cap,
		  size_t *out_len, uint8_t *first)
{
	struct ike_skf f;
	size_t plain_len;
	uint8_t response = hdr->flags & IKE_HDR_F_RESPONSE;
	int err;

	*out_len = 0;
	*first = IKE_PLD_NONE;
	if (skf->type != IKE_PLD_SKF)
		return -EINVAL;
	/* Cheap checks first: none of them changes the state. */
	err = ike_skf_decode(skf, &f);
	if (err == -E2BIG) {
		r->stats.cap++;
		return err;
	}
	if (err) {
		r->stats.malformed++;
		return -EBADMSG;
	}
	if (r->total) {
		if (hdr->msg_id != r->msg_id || hdr->exch != r->exch || response != r->response) {
			r->stats.stale++;
			return -ESTALE;
		}
		/* RFC 7383 2.6.1: a smaller Total belongs to an older set. */
		if (f.total < r->total) {
			r->stats.stale++;
			return -ESTALE;
		}
		if (f.total == r->total && r->got[f.frag_num]) {
			r->stats.dup++;
			return -EALREADY;
		}
	}

	/* RFC 7383 2.6: authenticate before the fragment may change anything. */
	err = ike_sk_unprotect(km, msg, len, skf, out, cap, &plain_len);
	if (err) {
		if (err == -EACCES)
			r->stats.auth++;
		else if (err == -EBADMSG)
			r->stats.malformed++;
		return err;
	}

	if (r->total && f.total > r->total) {
		/* RFC 7383 2.6.1: a larger Total is a newer retransmission. */
		ike_reasm_reset(r);
		r->stats.restarts++;
	}
	if (!r->total) {
		r->total = f.total;
		r->msg_id = hdr->msg_id;
		r->exch = hdr->exch;
		r->response = response;
	}
	if (plain_len > sizeof(r->buf) - r->used) {
		crypto_wipe(out, plain_len);
		r->stats.cap++;
		return -E2BIG;
	}
	memcpy(r->buf + r->used, out, plain_len);
	crypto_wipe(out, plain_len);
	r->off[f.frag_num] = (uint32_t)r->used;
	r->len[f.frag_num] = (uint32_t)plain_len;
	r->got[f.frag_num] = 1;
	r->used += plain_len;
	r->have++;
	if (f.frag_num == 1)
		r->inner_next = f.inner_next;
	if (r->have < r->total)
		return 0;

	/* All of 1..Total: the chunks in order are the SK content (RFC 7383 2.6). */
	if (r->used > cap) {
		ike_reasm_reset(r);
		return -ENOBUFS;
	}
	size_t at = 0;
	for (unsigned k = 1; k <= r->total; k++) {
		memcpy(out + at, r->buf + r->off[k], r->len[k]);
		at += r->len[k];
	}
	*out_len = at;
	*first = r->inner_next;
	r->stats.completed++;
	ike_reasm_reset(r);
	return 1;
}
