/* IKE_INTERMEDIATE (RFC 9242) carrying the additional key exchanges of RFC
 * 9370, between IKE_SA_INIT and IKE_AUTH:
 *
 *   HDR(IKE_INTERMEDIATE, MID n) SK{KEi(n)}  -->
 *                     <--  HDR(IKE_INTERMEDIATE, MID n) SK{KEr(n)}
 *
 * one exchange per negotiated ADDKEn (in transform-type order, NONE
 * skipped). After each, every IKE SA key is replaced (RFC 9370 2.2.2,
 * ike_keymat_update): the initiator when it has the response, the
 * responder once its response is out (a retransmitted request gets the
 * cached response, made under the old keys). Each message also feeds the
 * IntAuth chain (ike_sa_intauth) that IKE_AUTH signs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/ke.h"
#include "crypto/prf.h"
#include "ike/keymat.h"
#include "ike/sa_int.h"

struct task_inter {
	struct ike_task t;
	unsigned n;                   /* the ADDKEn of this round */
	struct crypto_ke *ke;         /* initiator's key pair */
	uint8_t ke_r[PT_KE_MAX_LEN];  /* responder's KE data */
	size_t ke_r_len;
};

static int update_keys(struct ike_sa *sa, struct secret *s)
{
	struct crypto_buf ni = { sa->ni, sa->ni_len }, nr = { sa->nr, sa->nr_len };
	int rc = ike_keymat_update(sa->km, s, ni, nr, sa->spi_i, sa->spi_r);
	crypto_secret_free(s);
	return rc;
}

/* ---- initiator ---- */

static int build_i(struct ike_task *t, struct ike_sa *sa, struct ike_msg_out *m)
{
	struct task_inter *ti = (struct task_inter *)t;
	int rc;

	ti->n = ike_chosen_next_addke(&sa->alg, sa->addke_done);
	if (!ti->n)
		return -EPROTO;
	crypto_ke_free(ti->ke);
	ti->ke = NULL;
	if ((rc = crypto_ke_new(sa->alg.ke[ti->n], &ti->ke)))
		return rc;
	struct ike_ke ke = { .method = sa->alg.ke[ti->n] };
	ke.data = crypto_ke_public(ti->ke, &ke.len);
	ike_bld_begin(&m->b, IKE_PLD_KE, 0);
	ike_ke_encode(&m->w, &ke);
	return ike_bld_end(&m->b);
}

static int process_i(struct ike_task *t, struct ike_sa *sa, const struct ike_msg_in *m)
{
	struct task_inter *ti = (struct task_inter *)t;
	struct secret *s = NULL;
	struct ike_ke ke;
	int rc;

	uint16_t err = ike_in_error(m);
	if (err) {
		/* RFC 9242 3: any error ends the IKE SA's setup */
		log_warn(IKE_LOG, "IKE_INTERMEDIATE refused: %s", ike_notify_name(err));
		return -EPROTO;
	}
	const struct ike_pld *p = ike_chain_find(m->chain, IKE_PLD_KE, NULL);
	if (!p || ike_ke_decode(p, &ke) || ke.method != sa->alg.ke[ti->n])
		return -EPROTO;
	if ((rc = crypto_ke_finish(ti->ke, ke.data, ke.len, &s)))
		return rc;
	crypto_ke_free(ti->ke);
	ti->ke = NULL;
	if ((rc = update_keys(sa, s)))
		return rc;
	sa->addke_done = ti->n;
	log_info(IKE_LOG, "IKE_INTERMEDIATE: additional key exchange %u (%s) done; keys updated", ti->n,
		 ike_ke_name(sa->alg.ke[ti->n]));
	return ike_chosen_next_addke(&sa->alg, ti->n) ? IKE_TASK_MORE : 0;
}

/* ---- responder ---- */

static int process_r(struct ike_task *t, struct ike_sa *sa, const struct ike_msg_in *m)
{
	struct task_inter *ti = (struct task_inter *)t;
	struct ike_ke ke;
	int rc;

	ti->n = ike_chosen_next_addke(&sa->alg, sa->addke_done);
	if (sa->state != IKE_S_INIT_DONE || !sa->intermediate || !ti->n) {
		ike_sa_refuse(sa, IKE_N_INVALID_SYNTAX, NULL, 0);
		return -EPROTO;
	}
	const struct ike_pld *p = ike_chain_find(m->chain, IKE_PLD_KE, NULL);
	if (!p || ike_ke_decode(p, &ke)) {
		ike_sa_refuse(sa, IKE_N_INVALID_SYNTAX, NULL, 0);
		return -EBADMSG;
	}
	if (ke.method != sa->alg.ke[ti->n]) {
		log_info(IKE_LOG, "IKE_INTERMEDIATE: %s where ADDKE%u is %s", ike_ke_name(ke.method), ti->n,
			 ike_ke_name(sa->alg.ke[ti->n]));
		ike_sa_refuse(sa, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
		return -EPROTO;
	}
	struct secret *s = NULL;
	rc = crypto_ke_respond(ke.method, ke.data, ke.len, ti->ke_r, sizeof(ti->ke_r), &ti->ke_r_len, &s);
	if (rc) {
		log_info(IKE_LOG, "IKE_INTERMEDIATE: the initiator's %s value is unusable",
			 ike_ke_name(ke.method));
		ike_sa_refuse(sa, IKE_N_INVALID_SYNTAX, NULL, 0);
		return rc;
	}
	crypto_secret_free(sa->pending_ke);
	sa->pending_ke = s; /* applied once the response is out */
	sa->pending_addke = ti->n;
	return 0;
}

static int build_r(struct ike_task *t, struct ike_sa *sa, struct ike_msg_out *m)
{
	struct task_inter *ti = (struct task_inter *)t;
	struct ike_ke ke = { .method = sa->alg.ke[ti->n], .data = ti->ke_r, .len = ti->ke_r_len };
	ike_bld_begin(&m->b, IKE_PLD_KE, 0);
	ike_ke_encode(&m->w, &ke);
	return ike_bld_end(&m->b);
}

int ike_sa_apply_pending_ke(struct ike_sa *sa)
{
	if (!sa->pending_ke)
		return 0;
	struct secret *s = sa->pending_ke;
	sa->pending_ke = NULL;
	int rc = update_keys(sa, s);
	if (!rc) {
		sa->addke_done = sa->pending_addke;
		log_info(IKE_LOG, "IKE_INTERMEDIATE: additional key exchange %u (%s) done; keys updated",
			 sa->pending_addke, ike_ke_name(sa->alg.ke[sa->pending_addke]));
	}
	return rc;
}

static void task_free(struct ike_task *t)
{
	struct task_inter *ti = (struct task_inter *)t;
	crypto_ke_free(ti->ke);
	crypto_wipe(ti, sizeof(*ti));
	free(ti);
}

static const struct ike_task_ops ops_i = { "inter", IKE_EXCH_INTERMEDIATE, build_i, process_i, task_free };
static const struct ike_task_ops ops_r = { "inter", IKE_EXCH_INTERMEDIATE, build_r, process_r, task_free };

int ike_task_inter_new(struct ike_sa *sa, int initiator, struct ike_task **out)
{
	struct task_inter *ti = calloc(1, sizeof(*ti));
	(void)sa;
	if (!ti)
		return -ENOMEM;
	ti->t.ops = initiator ? &ops_i : &ops_r;
	ti->t.initiator = initiator;
	*out = &ti->t;
	return 0;
}

/* RFC 9242 3.2: IntAuth_xN = prf(SK_px, IntAuth_x(N-1) | A | P), where A is
 * the IKE header and the SK payload's generic header with the lengths the
 * message would have without encryption (IKE Length = A + P, SK Length = 4
 * + P; an SKF message counts as one SK message), and P the plaintext inner
 * payloads. IKE_INTERMEDIATE carries no unencrypted payloads here. */
int ike_sa_intauth(struct ike_sa *sa, const struct ike_hdr *h, uint8_t first, const uint8_t *plain,
		   size_t plain_len)
{
	int from_i = (h->flags & IKE_HDR_F_INITIATOR) != 0;
	const struct secret *skp = ike_sa_sk_p(sa, from_i);
	uint8_t *chain = from_i ? sa->intauth_i : sa->intauth_r;
	size_t *chain_len = from_i ? &sa->intauth_i_len : &sa->intauth_r_len;
	size_t n = crypto_prf_len(sa->alg.prf);
	uint8_t a[IKE_HDR_LEN + 4];
	struct crypto_prf *prf = NULL;
	struct wb w;
	int rc;

	if (!skp || !n || n > sizeof(sa->intauth_i))
		return -EINVAL;
	struct ike_hdr hh = *h;
	hh.next = IKE_PLD_SK;
	hh.len = (uint32_t)(IKE_HDR_LEN + 4 + plain_len);
	wb_init(&w, a, sizeof(a));
	ike_hdr_encode(&w, &hh);
	wb_u8(&w, first);
	wb_u8(&w, 0);
	wb_u16(&w, (uint16_t)(4 + plain_len));
	if ((rc = wb_err(&w)))
		return rc;
	struct crypto_buf parts[3] = {
		{ chain, *chain_len }, { a, sizeof(a) }, { plain, plain_len },
	};
	if ((rc = crypto_prf_new(sa->alg.prf, skp->p, skp->len, &prf)))
		return rc;
	rc = crypto_prf_run(prf, parts, 3, chain);
	crypto_prf_free(prf);
	if (!rc)
		*chain_len = n;
	return rc;
}
