/* The first Child SA, created inside IKE_AUTH (RFC 7296 1.2, 2.9, 2.17).
 *
 *   HDR, SK { ..., SAi2, TSi, TSr } -->
 *   <-- HDR, SK { ..., SAr2, TSi, TSr }
 *
 * The responder narrows the selectors to what its policy allows, and TSi to
 * the virtual address it assigned; the initiator checks that what comes
 * back lies within what it proposed. Keys: KEYMAT = prf+(SK_d, Ni | Nr),
 * the initiator-to-responder SA's keys first (RFC 7296 2.17). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ike/sa_int.h"
#include "ike/ts.h"

struct task_child {
	struct ike_task t;
	uint16_t refuse;  /* responder: the error notify instead of SA and TS */
	int sent;     /* initiator: SA, TSi, TSr go in the first round only */
	int have_sa;  /* responder: the request's SA and TS are stored */
	uint32_t spi_in;
	struct ike_chosen alg;
	struct ike_ts_cfg ts_l[IKE_CFG_TS_MAX], ts_r[IKE_CFG_TS_MAX];
	size_t n_l, n_r;
};

/* What the initiator proposes: the configured selectors, or everything
 * (full tunnel) in the families it asked addresses for. */
static size_t our_ts(const struct ike_sa *sa, int local, struct ike_ts_cfg *out)
{
	size_t n = local ? sa->cfg.n_ts_local : sa->cfg.n_ts_remote;
	if (n) {
		memcpy(out, local ? sa->cfg.ts_local : sa->cfg.ts_remote, n * sizeof(*out));
		return n;
	}
	if (sa->cfg.cp_want_v4 || !sa->cfg.cp_want_v6)
		ike_ts_all(&out[n++], 0);
	if (sa->cfg.cp_want_v6)
		ike_ts_all(&out[n++], 1);
	return n;
}

/* Keys from the IKE_SA_INIT nonces (RFC 7296 2.17), then the data plane. */
static int install(struct task_child *tc, struct ike_sa *sa)
{
	return ike_child_install(sa, &tc->alg, tc->spi_in, ike_spi32(tc->alg.spi), tc->ts_l, tc->n_l,
				 tc->ts_r, tc->n_r, NULL, 0, sa->ni, sa->ni_len, sa->nr, sa->nr_len,
				 sa->role == IKE_ROLE_INITIATOR, NULL);
}

/* RFC 7296 1.2: IKE_AUTH has no KE payload, so its SA payloads carry no
 * Diffie-Hellman transform ("SHOULD omit the whole transform substructure");
 * the groups in the ESP proposals are for CREATE_CHILD_SA (PFS), and peers
 * such as strongSwan drop them from their IKE_AUTH answer. */
static size_t props_without_ke(const struct ike_sa *sa, struct ike_prop_cfg *out)
{
	for (size_t i = 0; i < sa->cfg.n_esp_props; i++) {
		const struct ike_prop_cfg *p = &sa->cfg.esp_props[i];
		out[i] = *p;
		out[i].n = 0;
		for (size_t j = 0; j < p->n; j++)
			if (p->xf[j].type != IKE_XF_KE &&
			    (p->xf[j].type < IKE_XF_ADDKE1 || p->xf[j].type > IKE_XF_ADDKE7))
				out[i].xf[out[i].n++] = p->xf[j];
	}
	return sa->cfg.n_esp_props;
}

static int build_i(struct ike_task *t, struct ike_sa *sa, struct ike_msg_out *m)
{
	struct task_child *tc = (struct task_child *)t;
	struct ike_ts_cfg ts[IKE_CFG_TS_MAX];
	int rc;

	if (tc->sent)
		return 0;
	tc->sent = 1;
	uint8_t spi[4];
	struct ike_prop_cfg props[IKE_CFG_PROPS_MAX];
	size_t n_props = props_without_ke(sa, props);
	if ((rc = ike_child_new_spi(sa, &tc->spi_in)))
		return rc;
	ike_spi32_put(tc->spi_in, spi);
	if ((rc = ike_out_sa_offer(m, props, n_props, spi, 4)))
		return rc;
	size_t n = our_ts(sa, 1, ts);
	if ((rc = ike_out_ts(m, IKE_PLD_TSI, ts, n)))
		return rc;
	n = our_ts(sa, 0, ts);
	return ike_out_ts(m, IKE_PLD_TSR, ts, n);
}

static int process_i(struct ike_task *t, struct ike_sa *sa, const struct ike_msg_in *m)
{
	struct task_child *tc = (struct task_child *)t;
	struct ike_ts_cfg mine[IKE_CFG_TS_MAX];
	size_t n_mine;
	int rc;

	if (sa->state != IKE_S_ESTABLISHED)
		return IKE_TASK_MORE; /* EAP rounds: the SA comes with the last AUTH */
	/* RFC 7296 2.21.2: a refused first Child SA leaves the IKE SA up; what
	 * that means for us is decided once the exchange is done. */
	uint16_t err = ike_in_error(m);
	const struct ike_pld *p = ike_chain_find(m->chain, IKE_PLD_SA, NULL);
	if (err || !p) {
		sa->child_failed = err ? err : IKE_N_NO_PROPOSAL_CHOSEN;
		log_warn(IKE_LOG, "the gateway created no Child SA: %s",
			 err ? ike_notify_name(err) : "no SA payload");
		return 0;
	}
	struct ike_prop_cfg props[IKE_CFG_PROPS_MAX];
	size_t n_props = props_without_ke(sa, props);
	if (ike_in_sa_accept(m, props, n_props, &tc->alg) || tc->alg.spi_len != 4)
		return -EPROTO;
	if ((rc = ike_in_ts(m, IKE_PLD_TSI, tc->ts_l, &tc->n_l)) ||
	    (rc = ike_in_ts(m, IKE_PLD_TSR, tc->ts_r, &tc->n_r)))
		return rc;
	if (!tc->n_l || !tc->n_r)
		return -EPROTO;
	/* RFC 7296 2.9: the responder may only narrow. */
	for (int side = 0; side < 2; side++) {
		const struct ike_ts_cfg *got = side ? tc->ts_r : tc->ts_l;
		size_t n_got = side ? tc->n_r : tc->n_l;
		n_mine = our_ts(sa, !side, mine);
		for (size_t i = 0; i < n_got; i++) {
			int ok = 0;
			for (size_t j = 0; j < n_mine && !ok; j++)
				ok = ike_ts_within(&got[i], &mine[j]);
			if (!ok) {
				log_warn(IKE_LOG, "the gateway widened the traffic selectors");
				return -EPROTO;
			}
		}
	}
	return install(tc, sa);
}

static int process_r(struct ike_task *t, struct ike_sa *sa, const struct ike_msg_in *m)
{
	struct task_child *tc = (struct task_child *)t;
	struct ike_ts_cfg peer_i[IKE_CFG_TS_MAX], peer_r[IKE_CFG_TS_MAX], allow[IKE_CFG_TS_MAX];
	size_t n_i, n_r, n_allow = 0;
	int rc;

	const struct ike_pld *p = ike_chain_find(m->chain, IKE_PLD_SA, NULL);
	if (!p && tc->have_sa)
		return 0; /* a later EAP round: the first one's SA stands */
	tc->have_sa = 1;
	struct ike_prop_cfg props[IKE_CFG_PROPS_MAX];
	size_t n_props = props_without_ke(sa, props);
	rc = ike_in_sa_select(m, props, n_props, &tc->alg);
	if (rc == -ENOENT || (!rc && tc->alg.spi_len != 4)) {
		/* 2.21.2: the IKE SA is created anyway; only the Child SA is refused. */
		tc->refuse = IKE_N_NO_PROPOSAL_CHOSEN;
		return 0;
	}
	if (rc)
		return rc;
	if ((rc = ike_in_ts(m, IKE_PLD_TSI, peer_i, &n_i)) || (rc = ike_in_ts(m, IKE_PLD_TSR, peer_r, &n_r)))
		return rc;
	/* TSi: the assigned virtual addresses, or the configured remote side. */
	if (sa->cp.has_v4)
		ike_ts_host(&allow[n_allow++], 0, sa->cp.v4);
	if (sa->cp.has_v6)
		ike_ts_host(&allow[n_allow++], 1, sa->cp.v6);
	if (!n_allow) {
		memcpy(allow, sa->cfg.ts_remote, sa->cfg.n_ts_remote * sizeof(*allow));
		n_allow = sa->cfg.n_ts_remote;
	}
	tc->n_l = tc->n_r = 0;
	for (size_t i = 0; i < n_i; i++)
		for (size_t j = 0; j < n_allow && tc->n_r < IKE_CFG_TS_MAX; j++)
			if (ike_ts_intersect(&peer_i[i], &allow[j], &tc->ts_r[tc->n_r]))
				tc->n_r++;
	for (size_t i = 0; i < n_r; i++)
		for (size_t j = 0; j < sa->cfg.n_ts_local && tc->n_l < IKE_CFG_TS_MAX; j++)
			if (ike_ts_intersect(&peer_r[i], &sa->cfg.ts_local[j], &tc->ts_l[tc->n_l]))
				tc->n_l++;
	if (!tc->n_l || !tc->n_r) {
		log_info(IKE_LOG, "IKE_AUTH: the initiator's traffic selectors are outside our policy");
		tc->refuse = IKE_N_TS_UNACCEPTABLE;
		return 0;
	}
	return ike_child_new_spi(sa, &tc->spi_in);
}

static int build_r(struct ike_task *t, struct ike_sa *sa, struct ike_msg_out *m)
{
	struct task_child *tc = (struct task_child *)t;
	int rc;

	if (sa->state != IKE_S_ESTABLISHED)
		return 0; /* EAP still running: the Child SA comes with the last AUTH */
	if (tc->refuse)
		return ike_out_notify(m, tc->refuse, NULL, 0);
	uint8_t spi[4];
	ike_spi32_put(tc->spi_in, spi);
	if ((rc = ike_out_sa_chosen(m, &tc->alg, spi, 4)))
		return rc;
	/* From the responder's view TSi is the peer's side. */
	if ((rc = ike_out_ts(m, IKE_PLD_TSI, tc->ts_r, tc->n_r)) ||
	    (rc = ike_out_ts(m, IKE_PLD_TSR, tc->ts_l, tc->n_l)))
		return rc;
	return install(tc, sa);
}

static void task_free(struct ike_task *t) { free(t); }

static const struct ike_task_ops ops_i = { "child", IKE_EXCH_AUTH, build_i, process_i, task_free };
static const struct ike_task_ops ops_r = { "child", IKE_EXCH_AUTH, build_r, process_r, task_free };

int ike_task_child_new(struct ike_sa *sa, int initiator, struct ike_task **out)
{
	struct task_child *tc = calloc(1, sizeof(*tc));
	(void)sa;
	if (!tc)
		return -ENOMEM;
	tc->t.ops = initiator ? &ops_i : &ops_r;
	tc->t.initiator = initiator;
	*out = &tc->t;
	return 0;
}
