/* The IKE SA's keys and SK protection: derivation after IKE_SA_INIT, and
 * the glue between the task manager and sk.c / frag.c (RFC 7296 3.14,
 * RFC 7383). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ike/frag.h"
#include "ike/keymat.h"
#include "ike/sa_int.h"
#include "ike/sk.h"

int ike_sa_derive_keys(struct ike_sa *sa, const struct secret *gir)
{
	struct crypto_buf ni = { sa->ni, sa->ni_len }, nr = { sa->nr, sa->nr_len };
	ike_keymat_free(sa->km);
	sa->km = NULL;
	return ike_keymat_new(&sa->alg, sa->role == IKE_ROLE_INITIATOR, gir, ni, nr, sa->spi_i,
			      sa->spi_r, &sa->km);
}

void ike_sa_keys_free(struct ike_sa *sa)
{
	ike_keymat_free(sa->km);
	sa->km = NULL;
	ike_reasm_free(sa->reasm);
	sa->reasm = NULL;
}

const struct secret *ike_sa_sk_p(const struct ike_sa *sa, int for_initiator)
{
	if (!sa->km)
		return NULL;
	return for_initiator ? sa->km->sk_pi : sa->km->sk_pr;
}

const struct secret *ike_sa_sk_d(const struct ike_sa *sa)
{
	return sa->km ? sa->km->sk_d : NULL;
}

static int sa_rng(void *ctx, uint8_t *buf, size_t len)
{
	return ike_sa_random(ctx, buf, len);
}

/* RFC 7383 2.5.1: fragments small enough for any path: 1280 octets of IPv6
 * less its header (40), UDP (8) and the non-ESP marker (4). */
#define FRAG_MAX_MSG_LEN 1228u

int ike_sa_protect(struct ike_sa *sa, const struct ike_hdr *h, uint8_t first,
		   const uint8_t *inner, size_t inner_len, struct ike_dgrams *out)
{
	struct wb w;
	int rc;

	if (!sa->km)
		return -EPROTO;
	size_t whole = ike_sk_msg_len(sa->km, IKE_PLD_SK, inner_len);
	/* RFC 7383 2.5: fragment only when both sides said they can, and only
	 * what would not fit one datagram of the safe size; never on a stream
	 * (RFC 9329 5). */
	if (sa->peer_frag && !sa->reliable && whole > FRAG_MAX_MSG_LEN) {
		static const size_t max_out = PT_IKE_FRAGS_MAX;
		struct wb outs[PT_IKE_FRAGS_MAX];
		uint8_t *bufs = malloc(max_out * FRAG_MAX_MSG_LEN);
		unsigned total = 0;
		if (!bufs)
			return -ENOMEM;
		for (size_t i = 0; i < max_out; i++)
			wb_init(&outs[i], bufs + i * FRAG_MAX_MSG_LEN, FRAG_MAX_MSG_LEN);
		rc = ike_frag_split_into(sa->km, h, first, inner, inner_len, FRAG_MAX_MSG_LEN, sa_rng,
					 sa, outs, max_out, &total);
		for (unsigned i = 0; !rc && i < total; i++)
			rc = ike_dgrams_add(out, outs[i].p, wb_len(&outs[i]));
		free(bufs);
		return rc;
	}
	wb_init(&w, sa->out_buf, sizeof(sa->out_buf));
	rc = ike_sk_protect(sa->km, h, first, inner, inner_len, sa_rng, sa, &w);
	if (rc)
		return rc;
	return ike_dgrams_add(out, sa->out_buf, wb_len(&w));
}

int ike_sa_unprotect(struct ike_sa *sa, const uint8_t *msg, size_t len,
		     const struct ike_msg *outer, const uint8_t **plain, size_t *plain_len,
		     uint8_t *first)
{
	const struct ike_pld *last = &outer->chain.pld[outer->chain.n - 1];
	int rc;

	if (!sa->km || outer->chain.n == 0)
		return -EPROTO;
	if (last->type == IKE_PLD_SK) {
		rc = ike_sk_unprotect(sa->km, msg, len, last, sa->plain_buf, sizeof(sa->plain_buf),
				      plain_len);
		if (rc)
			return rc;
		*plain = sa->plain_buf;
		*first = last->inner_next;
		return 0;
	}
	if (last->type != IKE_PLD_SKF)
		return -EPROTO;
	if (!sa->reasm && (rc = ike_reasm_new(&sa->reasm)))
		return rc;
	/* Only messages the window accepts get here: a set still open for
	 * another message ID is stale (RFC 7383 2.6.1). */
	if (sa->reasm->total && sa->reasm->msg_id != outer->hdr.msg_id)
		ike_reasm_reset(sa->reasm);
	rc = ike_reasm_add(sa->reasm, sa->km, msg, len, &outer->hdr, last, sa->plain_buf,
			   sizeof(sa->plain_buf), plain_len, first);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return -EINPROGRESS; /* stored; more fragments to come */
	*plain = sa->plain_buf;
	return 0;
}

int ike_sa_protect_with(struct ike_sa *sa, struct ike_keymat *km, const struct ike_hdr *h,
			uint8_t first, const uint8_t *inner, size_t inner_len, struct wb *out)
{
	return ike_sk_protect(km, h, first, inner, inner_len, sa_rng, sa, out);
}

/* A request under the peer's redundant IKE SA (RFC 7296 2.8.2): its
 * initiator deletes it with an INFORMATIONAL Delete, which is answered
 * like any Delete of an IKE SA, with an empty INFORMATIONAL (1.4.1). The
 * keys stay IKE_REDUNDANT_LINGER_MS longer so a retransmitted Delete (our
 * answer lost) is answered too; ike_sa_on_timer drops them. Nothing else
 * is served on that SA: it never took over. */
int ike_sa_answer_redundant(struct ike_sa *sa, const uint8_t *msg, size_t len,
			    const struct ike_msg *outer)
{
	struct ike_next *n = sa->redundant;
	const struct ike_hdr *rh = &outer->hdr;
	size_t plain_len = 0;
	int rc;

	if (!n || ike_hdr_is_response(rh) || rh->exch != IKE_EXCH_INFORMATIONAL || outer->chain.n == 0)
		return -EALREADY;
	/* The peer started the rekey, so it is that SA's initiator. */
	int from_initiator = (rh->flags & IKE_HDR_F_INITIATOR) != 0;
	if (from_initiator == (n->role == IKE_ROLE_INITIATOR))
		return -EPROTO;
	const struct ike_pld *last = &outer->chain.pld[outer->chain.n - 1];
	if (last->type != IKE_PLD_SK)
		return -EPROTO;
	rc = ike_sk_unprotect(n->km, msg, len, last, sa->plain_buf, sizeof(sa->plain_buf), &plain_len);
	crypto_wipe(sa->plain_buf, sizeof(sa->plain_buf));
	if (rc)
		return rc;
	uint8_t out[128], none[1] = { 0 };
	struct wb w;
	struct ike_hdr h = { .version = IKE_VERSION_2_0, .exch = IKE_EXCH_INFORMATIONAL,
			     .flags = IKE_HDR_F_RESPONSE |
				      (n->role == IKE_ROLE_INITIATOR ? IKE_HDR_F_INITIATOR : 0),
			     .msg_id = rh->msg_id };
	memcpy(h.spi_i, n->spi_i, 8);
	memcpy(h.spi_r, n->spi_r, 8);
	wb_init(&w, out, sizeof(out));
	if ((rc = ike_sk_protect(n->km, &h, IKE_PLD_NONE, none, 0, sa_rng, sa, &w)))
		return rc;
	sa->ops.send(sa->ops.ctx, sa, out, wb_len(&w));
	if (last->inner_next == IKE_PLD_DELETE) {
		uint64_t until = sa->ops.now_ms(sa->ops.ctx) + IKE_REDUNDANT_LINGER_MS;
		if (until < sa->redundant_until) {
			log_info(IKE_LOG, "the peer deleted its redundant IKE SA");
			sa->redundant_until = until;
		}
	}
	return 0;
}
