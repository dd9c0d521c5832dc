/* IKEv2 message fragmentation (RFC 7383).
 *
 * Sending (RFC 7383 2.5.3): the inner chain of one message is cut into
 * chunks; each chunk becomes a complete IKE message with the same header
 * (SPIs, exchange, flags, Message ID) and one SKF payload, protected on its
 * own with the SK keys (own IV, padding and ICV; the AAD/ICV cover that
 * fragment's IKE header and SKF header, Fragment Number and Total Fragments
 * included). Fragment 1 names the first inner payload, the others 0.
 *
 * Receiving (RFC 7383 2.6): one struct ike_reasm collects the fragments of
 * one message. Each fragment is authenticated before it is stored; one that
 * fails is dropped and the collected ones stay. Fragment Number 0 or past
 * Total, Total 0 or past PT_IKE_FRAGS_MAX, duplicates, fragments of another
 * message, and (RFC 7383 2.6.1) a smaller Total than the set in progress are
 * dropped; an authenticated fragment with a larger Total is a newer
 * retransmission (re-fragmented, e.g. after PMTU discovery): the set restarts.
 * At most PT_IKE_REASM_MAX_LEN plaintext octets are held. The caller checks
 * the Message ID against its window first, and calls ike_reasm_reset() when
 * the message it expects changes. */
#ifndef PETREL_IKE_FRAG_H
#define PETREL_IKE_FRAG_H

#include <stddef.h>
#include <stdint.h>

#include "base/limits.h"
#include "base/wbuf.h"
#include "ike/keymat.h"
#include "ike/pld/pld.h"
#include "ike/sk.h"

/* ---- sending ---- */

/* The most inner-chain octets one fragment of at most max_msg_len octets
 * (the whole IKE message: IKE header through ICV; the caller takes IP, UDP
 * and the non-ESP marker off its datagram size) can carry; 0 when none. */
size_t ike_frag_chunk_len(const struct ike_keymat *km, size_t max_msg_len);

/* How many fragments inner_len octets make: 0, -EINVAL (max_msg_len leaves
 * no room), -E2BIG (more than PT_IKE_FRAGS_MAX). An empty chain is one
 * fragment. */
int ike_frag_count(const struct ike_keymat *km, size_t inner_len, size_t max_msg_len,
		   unsigned *total);

/* Called once per fragment, in order, with the protected message (valid
 * only during the call). A non-zero return stops the split and is returned. */
typedef int (*ike_frag_emit_fn)(void *ctx, const uint8_t *msg, size_t len,
				unsigned frag_num, unsigned total);

/* Split inner[0..inner_len) (first inner payload first_inner) and protect
 * each fragment into scratch (at least max_msg_len octets; reused for every
 * fragment), handing each to emit. 0 or an error of ike_frag_count(),
 * ike_skf_protect() or emit. */
int ike_frag_split(struct ike_keymat *km, const struct ike_hdr *hdr, uint8_t first_inner,
		   const uint8_t *inner, size_t inner_len, size_t max_msg_len,
		   ike_rng_fn rng, void *rng_ctx, uint8_t *scratch, size_t scratch_cap,
		   ike_frag_emit_fn emit, void *emit_ctx);

/* The same into outs[0..n_outs): fragment k is appended to outs[k-1] (kept
 * by the caller for retransmission: RFC 7383 2.6 resends all fragments).
 * *total gets the count; -ENOBUFS when n_outs is too few. */
int ike_frag_split_into(struct ike_keymat *km, const struct ike_hdr *hdr, uint8_t first_inner,
			const uint8_t *inner, size_t inner_len, size_t max_msg_len,
			ike_rng_fn rng, void *rng_ctx, struct wb *outs, size_t n_outs,
			unsigned *total);

/* ---- receiving ---- */

/* Drops per reason (STYLE.md: the data path counts, it does not log). */
struct ike_reasm_stats {
	uint64_t malformed;  /* SKF fields out of range, too short, bad padding */
	uint64_t auth;       /* ICV did not verify */
	uint64_t dup;        /* fragment number already held */
	uint64_t stale;      /* another message, or a smaller Total (older set) */
	uint64_t cap;        /* PT_IKE_REASM_MAX_LEN or PT_IKE_FRAGS_MAX */
	uint64_t restarts;   /* a larger Total replaced the set in progress */
	uint64_t completed;
};

struct ike_reasm {
	uint16_t total;      /* 0: no set in progress */
	uint16_t have;
	uint32_t msg_id;
	uint8_t exch;
	uint8_t response;    /* IKE_HDR_F_RESPONSE of the set */
	uint8_t inner_next;  /* from fragment 1 */
	size_t used;         /* octets of buf in use */
	uint32_t off[PT_IKE_FRAGS_MAX + 1]; /* by fragment number */
	uint32_t len[PT_IKE_FRAGS_MAX + 1];
	uint8_t got[PT_IKE_FRAGS_MAX + 1];
	struct ike_reasm_stats stats;
	uint8_t buf[PT_IKE_REASM_MAX_LEN]; /* fragment plaintexts, in arrival order */
};

/* One per IKE SA and direction of requests, made once. 0 or -ENOMEM. */
int ike_reasm_new(struct ike_reasm **out);
/* Wipes what is held; NULL is fine. */
void ike_reasm_free(struct ike_reasm *r);
/* Drop the set in progress (the expected Message ID moved on). */
void ike_reasm_reset(struct ike_reasm *r);

/* Offer one fragment: msg[0..len) with decoded header hdr and its SKF
 * payload skf (from ike_msg_decode of msg). km->in authenticates it.
 * out/cap: where the whole inner chain goes when complete; also scratch
 * for decrypting this fragment, so it needs room for the fragment's
 * ciphertext, and its contents are undefined unless 1 is returned.
 * Returns
 *   1  the message is complete: out[0..*out_len) is the inner chain and
 *      *first its first payload's type (from fragment 1); the set is reset
 *   0  stored, more fragments to come
 *  <0  dropped (the collected fragments are kept, except on -ENOBUFS at
 *      completion): -EBADMSG malformed, -EACCES failed authentication,
 *      -EALREADY duplicate, -ESTALE another message or an older set,
 *      -E2BIG a cap, -ENOBUFS out too small. */
int ike_reasm_add(struct ike_reasm *r, const struct ike_keymat *km,
		  const uint8_t *msg, size_t len, const struct ike_hdr *hdr,
		  const struct ike_pld *skf, uint8_t *out, size_t cap,
		  size_t *out_len, uint8_t *first);

#endif
