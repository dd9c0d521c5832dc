/* Rekeying the IKE SA with CREATE_CHILD_SA (RFC 7296 1.3.2, 2.18).
 *
 *   HDR, SK { SA(new SPIi), Ni, KEi } -->
 *   <-- HDR, SK { SA(new SPIr), Nr, KEr }
 *
 * SKEYSEED = prf(SK_d(old), g^ir(new) | Ni | Nr) with the old PRF, then the
 * new SA's keys over the new SPIs; whoever started the rekey is the new
 * SA's initiator. The rekey's initiator then deletes the old IKE SA; when
 * that Delete completes the new SPIs, keys and message IDs take over and
 * the Child SAs stay (ike_sa_take_over). A rekey request while we rekey or
 * close anything ourselves gets TEMPORARY_FAILURE (2.25.2); the peer tries
 * again later. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ike/keymat.h"
#include "ike/sa_int.h"

#define NONCE_LEN 32u
#define RETRY_MS 10000u

struct task_rekey_ike {
	struct ike_task t;
	struct ike_chosen alg;
	uint8_t spi_own[8];
	struct crypto_ke *ke;
	uint16_t ke_method;
	uint8_t ni[PT_IKE_NONCE_MAX_LEN], nr[PT_IKE_NONCE_MAX_LEN];
	size_t ni_len, nr_len;
	uint8_t ke_r[PT_KE_MAX_LEN];
	size_t ke_r_len;
	struct secret *gir;
	unsigned rounds;
};

static int add_nonce_ke(struct ike_msg_out *m, const uint8_t *n, size_t n_len, uint16_t method,
			const uint8_t *ke, size_t ke_len)
{
	struct ike_blob b = { n, n_len };
	ike_bld_begin(&m->b, IKE_PLD_NONCE, 0);
	ike_nonce_encode(&m->w, &b);
	ike_bld_end(&m->b);
	struct ike_ke k = { .method = method, .data = ke, .len = ke_len };
	ike_bld_begin(&m->b, IKE_PLD_KE, 0);
	ike_ke_encode(&m->w, &k);
	return ike_bld_end(&m->b);
}

/* The new SA's keys into sa->next. */
static int make_next(struct ike_sa *sa, struct task_rekey_ike *tr, int initiator,
		     const uint8_t spi_i[8], const uint8_t spi_r[8])
{
	struct ike_next *n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	const struct secret *kes[1] = { tr->gir };
	struct crypto_buf ni = { tr->ni, tr->ni_len }, nr = { tr->nr, tr->nr_len };
	int rc = ike_keymat_new_rekey(sa->km, &tr->alg, initiator, kes, 1, ni, nr, spi_i, spi_r, &n->km);
	if (rc) {
		free(n);
		return rc;
	}
	memcpy(n->spi_i, spi_i, 8);
	memcpy(n->spi_r, spi_r, 8);
	n->alg = tr->alg;
	memcpy(n->ni, tr->ni, tr->ni_len);
	n->ni_len = tr->ni_len;
	memcpy(n->nr, tr->nr, tr->nr_len);
	n->nr_len = tr->nr_len;
	n->role = initiator ? IKE_ROLE_INITIATOR : IKE_ROLE_RESPONDER;
	sa->next = n;
	return 0;
}

/* ---- initiator ---- */

static int build_i(struct ike_task *t, struct ike_sa *sa, struct ike_msg_out *m)
{
	struct task_rekey_ike *tr = (struct task_rekey_ike *)t;
	int rc;

	if (!tr->ke_method)
		tr->ke_method = sa->alg.ke[0];
	if ((rc = ike_sa_random(sa, tr->spi_own, 8)) || (rc = ike_sa_random(sa, tr->ni, NONCE_LEN)))
		return rc;
	tr->ni_len = NONCE_LEN;
	crypto_ke_free(tr->ke);
	tr->ke = NULL;
	if ((rc = crypto_ke_new(tr->ke_method, &tr->ke)))
		return rc;
	if ((rc = ike_out_sa_offer(m, sa->cfg.ike_props, sa->cfg.n_ike_props, tr->spi_own, 8)))
		return rc;
	size_t ke_len;
	const uint8_t *ke = crypto_ke_public(tr->ke, &ke_len);
	log_info(IKE_LOG, "rekeying the IKE SA");
	return add_nonce_ke(m, tr->ni, tr->ni_len, tr->ke_method, ke, ke_len);
}

static int process_i(struct ike_task *t, struct ike_sa *sa, const struct ike_msg_in *m)
{
	struct task_rekey_ike *tr = (struct task_rekey_ike *)t;
	struct ike_notify n;
	int rc;

	if (ike_in_notify(m, IKE_N_INVALID_KE_PAYLOAD, &n) && n.len == 2 && ++tr->rounds <= 2) {
		tr->ke_method = (uint16_t)(n.data[0] << 8 | n.data[1]);
		if (crypto_ke_supported(tr->ke_method))
			return IKE_TASK_MORE;
	}
	uint16_t err = ike_in_error(m);
	if (err) {
		log_warn(IKE_LOG, "the peer refused to rekey the IKE SA: %s", ike_notify_name(err));
		if (err == IKE_N_TEMPORARY_FAILURE)
			sa->rekey_ike_at = sa->ops.now_ms(sa->ops.ctx) + RETRY_MS;
		return 0;
	}
	if (ike_in_sa_accept(m, sa->cfg.ike_props, sa->cfg.n_ike_props, &tr->alg) ||
	    tr->alg.spi_len != 8 || tr->alg.ke[0] != tr->ke_method)
		return -EPROTO;
	const struct ike_pld *p;
	struct ike_ke ke;
	p = ike_chain_find(m->chain, IKE_PLD_KE, NULL);
	if ((rc = ike_in_nonce(m, tr->nr, &tr->nr_len)) || !p || ike_ke_decode(p, &ke) ||
	    ke.method != tr->ke_method || crypto_ke_finish(tr->ke, ke.data, ke.len, &tr->gir))
		return -EPROTO;
	if ((rc = make_next(sa, tr, 1, tr->spi_own, tr->alg.spi)))
		return rc;
	/* 2.18: the rekey's initiator deletes the old SA, which hands over. */
	struct ike_task *d;
	if ((rc = ike_task_delete_new(sa, 1, &d)))
		return rc;
	ike_sa_queue(sa, d);
	return 0;
}

/* ---- responder ---- */

static int process_r(struct ike_task *t, struct ike_sa *sa, const struct ike_msg_in *m)
{
	struct task_rekey_ike *tr = (struct task_rekey_ike *)t;
	int rc;

	if (sa->next || ike_sa_active_task(sa, "rekey_ike") || ike_sa_active_task(sa, "rekey_child") ||
	    ike_sa_active_task(sa, "delete") || ike_sa_active_task(sa, "delete_child")) {
		ike_sa_refuse(sa, IKE_N_TEMPORARY_FAILURE, NULL, 0);
		return -EAGAIN;
	}
	rc = ike_in_sa_select(m, sa->cfg.ike_props, sa->cfg.n_ike_props, &tr->alg);
	const struct ike_pld *p;
	if (rc == -ENOENT || (!rc && tr->alg.spi_len != 8)) {
		ike_sa_refuse(sa, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
		return -ENOENT;
	}
	if (rc)
		return rc;
	struct ike_ke ke;
	p = ike_chain_find(m->chain, IKE_PLD_KE, NULL);
	if (!p || ike_ke_decode(p, &ke))
		return -EBADMSG;
	if (ke.method != tr->alg.ke[0]) {
		uint8_t want[2] = { (uint8_t)(tr->alg.ke[0] >> 8), (uint8_t)tr->alg.ke[0] };
		ike_sa_refuse(sa, IKE_N_INVALID_KE_PAYLOAD, want, 2);
		return -EPROTO;
	}
	if ((rc = ike_in_nonce(m, tr->ni, &tr->ni_len)))
		return rc;
	if (crypto_ke_respond(ke.method, ke.data, ke.len, tr->ke_r, sizeof(tr->ke_r), &tr->ke_r_len,
			      &tr->gir)) {
		ike_sa_refuse(sa, IKE_N_INVALID_SYNTAX, NULL, 0);
		return -EBADMSG;
	}
	tr->nr_len = NONCE_LEN;
	if ((rc = ike_sa_random(sa, tr->nr, NONCE_LEN)) || (rc = ike_sa_random(sa, tr->spi_own, 8)))
		return rc;
	return make_next(sa, tr, 0, tr->alg.spi, tr->spi_own);
}

static int build_r(struct ike_task *t, struct ike_sa *sa, struct ike_msg_out *m)
{
	struct task_rekey_ike *tr = (struct task_rekey_ike *)t;
	int rc;

	if ((rc = ike_out_sa_chosen(m, &tr->alg, tr->spi_own, 8)))
		return rc;
	return add_nonce_ke(m, tr->nr, tr->nr_len, tr->alg.ke[0], tr->ke_r, tr->ke_r_len);
}

static void task_free(struct ike_task *t)
{
	struct task_rekey_ike *tr = (struct task_rekey_ike *)t;
	crypto_ke_free(tr->ke);
	crypto_secret_free(tr->gir);
	crypto_wipe(tr, sizeof(*tr));
	free(tr);
}

static const struct ike_task_ops ops_i = { "rekey_ike", IKE_EXCH_CREATE_CHILD_SA, build_i, process_i, task_free };
static const struct ike_task_ops ops_r = { "rekey_ike_r", IKE_EXCH_CREATE_CHILD_SA, build_r, process_r, task_free };

int ike_task_rekey_ike_new(struct ike_sa *sa, struct ike_task **out)
{
	struct task_rekey_ike *tr = calloc(1, sizeof(*tr));
	(void)sa;
	if (!tr)
		return -ENOMEM;
	tr->t.ops = &ops_i;
	tr->t.initiator = 1;
	*out = &tr->t;
	return 0;
}

int ike_task_rekey_ike_r_new(struct ike_sa *sa, struct ike_task **out)
{
	struct task_rekey_ike *tr = calloc(1, sizeof(*tr));
	(void)sa;
	if (!tr)
		return -ENOMEM;
	tr->t.ops = &ops_r;
	*out = &tr->t;
	return 0;
}
