/* Rekeying a Child SA with CREATE_CHILD_SA (RFC 7296 1.3.3, 2.8, 2.8.1).
 *
 *   HDR, SK { N(REKEY_SA, old inbound SPI), SA, Ni, [KEi,] TSi, TSr } -->
 *   <-- HDR, SK { SA, Nr, [KEr,] TSi, TSr }
 *
 * The new pair is installed next to the old one; the exchange's initiator
 * then deletes the old pair with INFORMATIONAL. When both ends rekey the
 * same Child SA at once, both answer normally; afterwards the exchange that
 * holds the lowest of the four nonces made a redundant pair, which its
 * initiator deletes, and the initiator of the other exchange deletes the
 * old pair (2.8.1).
 *
 * With additional key exchanges in the ESP proposal (RFC 9370 2.2.4), one
 * IKE_FOLLOWUP_KE per ADDKEn follows before the pair is installed, and
 * KEYMAT = prf+(SK_d, SK(0) | Ni | Nr | SK(1) | ... | SK(n)). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ike/sa_int.h"
#include "ike/task/mke.h"

#define NONCE_LEN 32u
#define RETRY_MS 10000u /* TEMPORARY_FAILURE: try again later (2.25) */

struct task_rekey_child {
	struct ike_task t;
	uint32_t old_spi_in;        /* our inbound SPI of the pair being replaced */
	uint32_t new_spi_in;
	struct ike_chosen alg;
	struct crypto_ke *ke;       /* initiator, PFS */
	uint16_t ke_method;
	uint8_t ni[PT_IKE_NONCE_MAX_LEN], nr[PT_IKE_NONCE_MAX_LEN];
	size_t ni_len, nr_len;
	uint8_t ke_r[PT_KE_MAX_LEN]; /* responder's KE data */
	size_t ke_r_len;
	struct ike_mke mke;         /* SK(0..n), the IKE_FOLLOWUP_KE rounds */
	int phase;                  /* 1: in the IKE_FOLLOWUP_KE rounds */
	struct ike_ts_cfg ts_l[IKE_CFG_TS_MAX], ts_r[IKE_CFG_TS_MAX];
	size_t n_l, n_r;
	/* Initiator: the peer's simultaneous rekey of the same pair. */
	int collided;
	uint8_t peer_ni[PT_IKE_NONCE_MAX_LEN], peer_nr[PT_IKE_NONCE_MAX_LEN];
	size_t peer_ni_len, peer_nr_len;
	uint32_t peer_new_spi_in;
};

/* RFC 7296 2.8.1: nonces compare octet by octet; a prefix is the lower. */
static int nonce_cmp(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	size_t n = al < bl ? al : bl;
	int c = memcmp(a, b, n); /* public-memcmp: nonces travel in the clear */
	if (c)
		return c;
	return al < bl ? -1 : al > bl ? 1 : 0;
}

static const uint8_t *lowest(const uint8_t *a, size_t al, const uint8_t *b, size_t bl, size_t *len)
{
	if (nonce_cmp(a, al, b, bl) <= 0) {
		*len = al;
		return a;
	}
	*len = bl;
	return b;
}

static uint16_t pfs_method(const struct ike_sa *sa)
{
	for (size_t i = 0; i < sa->cfg.n_esp_props; i++)
		for (size_t j = 0; j < sa->cfg.esp_props[i].n; j++)
			if (sa->cfg.esp_props[i].xf[j].type == IKE_XF_KE && sa->cfg.esp_props[i].xf[j].id)
				return sa->cfg.esp_props[i].xf[j].id;
	return 0;
}

/* ---- initiator ---- */

static int build_i(struct ike_task *t, struct ike_sa *sa, struct ike_msg_out *m)
{
	struct task_rekey_child *tr = (struct task_rekey_child *)t;
	struct ike_child_sa *old = ike_child_by_spi_in(sa, tr->old_spi_in);
	uint8_t spi[4];
	int rc;

	if (tr->phase)
		return ike_mke_build_i(&tr->mke, m);
	if (!old)
		return -ENOENT;
	memcpy(tr->ts_l, old->c.ts_local, sizeof(tr->ts_l));
	memcpy(tr->ts_r, old->c.ts_remote, sizeof(tr->ts_r));
	tr->n_l = old->c.n_ts_local;
	tr->n_r = old->c.n_ts_remote;
	if ((rc = ike_child_new_spi(sa, &tr->new_spi_in)))
		return rc;
	ike_spi32_put(tr->old_spi_in, spi);
	struct ike_notify n = { .proto = IKE_PROTO_ESP, .spi_len = 4, .type = IKE_N_REKEY_SA };
	memcpy(n.spi, spi, 4);
	ike_bld_begin(&m->b, IKE_PLD_NOTIFY, 0);
	ike_notify_encode(&m->w, &n);
	ike_bld_end(&m->b);
	ike_spi32_put(tr->new_spi_in, spi);
	if ((rc = ike_out_sa_offer(m, sa->cfg.esp_props, sa->cfg.n_esp_props, spi, 4)))
		return rc;
	tr->ni_len = NONCE_LEN;
	if ((rc = ike_sa_random(sa, tr->ni, NONCE_LEN)) || (rc = ike_out_nonce(m, tr->ni, tr->ni_len)))
		return rc;
	tr->ke_method = pfs_method(sa);
	if (tr->ke_method) {
		crypto_ke_free(tr->ke);
		tr->ke = NULL;
		if ((rc = crypto_ke_new(tr->ke_method, &tr->ke)))
			return rc;
		struct ike_ke ke = { .method = tr->ke_method };
		ke.data = crypto_ke_public(tr->ke, &ke.len);
		ike_bld_begin(&m->b, IKE_PLD_KE, 0);
		ike_ke_encode(&m->w, &ke);
		ike_bld_end(&m->b);
	}
	if ((rc = ike_out_ts(m, IKE_PLD_TSI, tr->ts_l, tr->n_l)))
		return rc;
	log_info(IKE_LOG, "rekeying Child SA %08x", tr->old_spi_in);
	return ike_out_ts(m, IKE_PLD_TSR, tr->ts_r, tr->n_r);
}

static void queue_delete(struct ike_sa *sa, uint32_t spi_in)
{
	struct ike_task *d;
	if (ike_task_delete_child_new(sa, spi_in, &d) == 0)
		ike_sa_queue(sa, d);
}

static int finish_i(struct ike_sa *sa, struct task_rekey_child *tr);

static int process_i(struct ike_task *t, struct ike_sa *sa, const struct ike_msg_in *m)
{
	struct task_rekey_child *tr = (struct task_rekey_child *)t;
	struct ike_child_sa *old = ike_child_by_spi_in(sa, tr->old_spi_in);
	struct secret *gir = NULL;
	int rc;

	if (tr->phase) {
		rc = ike_mke_process_i(&tr->mke, m);
		if (rc == 1)
			return IKE_TASK_MORE;
		if (rc < 0) {
			/* RFC 9370 2.2.4: abandoned; the old pair works on */
			log_warn(IKE_LOG, "rekeying Child SA %08x failed in IKE_FOLLOWUP_KE; trying again later",
				 tr->old_spi_in);
			sa->rekey_child_at = sa->ops.now_ms(sa->ops.ctx) + RETRY_MS;
			return 0;
		}
		return finish_i(sa, tr);
	}
	uint16_t err = ike_in_error(m);
	if (err) {
		/* The IKE SA is fine; the old pair keeps working until its own
		 * lifetime. TEMPORARY_FAILURE: the peer is busy, try later. */
		log_warn(IKE_LOG, "the peer refused to rekey Child SA %08x: %s", tr->old_spi_in,
			 ike_notify_name(err));
		if (err == IKE_N_TEMPORARY_FAILURE)
			sa->rekey_child_at = sa->ops.now_ms(sa->ops.ctx) + RETRY_MS;
		else if (err == IKE_N_CHILD_SA_NOT_FOUND)
			ike_child_remove(sa, old);
		return 0;
	}
	if (ike_in_sa_accept(m, sa->cfg.esp_props, sa->cfg.n_esp_props, &tr->alg) ||
	    tr->alg.spi_len != 4 || tr->alg.ke[0] != tr->ke_method)
		return -EPROTO;
	const struct ike_pld *p;
	if ((rc = ike_in_nonce(m, tr->nr, &tr->nr_len)))
		return rc;
	if (tr->ke_method) {
		struct ike_ke ke;
		p = ike_chain_find(m->chain, IKE_PLD_KE, NULL);
		if (!p || ike_ke_decode(p, &ke) || ke.method != tr->ke_method ||
		    crypto_ke_finish(tr->ke, ke.data, ke.len, &gir))
			return -EPROTO;
	}
	ike_mke_init(&tr->mke, &tr->alg);
	if (gir)
		ike_mke_first(&tr->mke, gir);
	if (gir && ike_mke_next(&tr->mke)) {
		if (ike_mke_start_i(&tr->mke, m))
			return -EPROTO;
		tr->phase = 1;
		tr->t.exch = IKE_EXCH_FOLLOWUP_KE;
		return IKE_TASK_MORE;
	}
	return finish_i(sa, tr);
}

/* Every key exchange done: install the new pair, then delete the old one
 * (or settle a collision, 2.8.1). */
static int finish_i(struct ike_sa *sa, struct task_rekey_child *tr)
{
	struct ike_child_sa *old = ike_child_by_spi_in(sa, tr->old_spi_in);
	struct ike_child_sa *made = NULL;
	int rc = ike_child_install(sa, &tr->alg, tr->new_spi_in, ike_spi32(tr->alg.spi), tr->ts_l, tr->n_l,
				   tr->ts_r, tr->n_r, (const struct secret *const *)tr->mke.sk, tr->mke.n_sk,
				   tr->ni, tr->ni_len, tr->nr, tr->nr_len, 1, &made);
	if (rc)
		return rc;
	if (old)
		old->rekeyed = 1;
	sa->rekey_child_at = UINT64_MAX; /* set again by the owner's lifetime below */
	if (sa->cfg.rekey_child_ms)
		sa->rekey_child_at = sa->ops.now_ms(sa->ops.ctx) + sa->cfg.rekey_child_ms;
	if (!tr->collided) {
		queue_delete(sa, tr->old_spi_in);
		return 0;
	}
	/* 2.8.1: which exchange holds the lowest of the four nonces? */
	size_t l1, l2;
	const uint8_t *ours = lowest(tr->ni, tr->ni_len, tr->nr, tr->nr_len, &l1);
	const uint8_t *theirs = lowest(tr->peer_ni, tr->peer_ni_len, tr->peer_nr, tr->peer_nr_len, &l2);
	if (nonce_cmp(ours, l1, theirs, l2) < 0) {
		log_info(IKE_LOG, "rekey collision: our Child SA %08x is redundant", tr->new_spi_in);
		queue_delete(sa, tr->new_spi_in);
	} else {
		log_info(IKE_LOG, "rekey collision: the peer's Child SA %08x is redundant",
			 tr->peer_new_spi_in);
		struct ike_child_sa *theirs_c = ike_child_by_spi_in(sa, tr->peer_new_spi_in);
		if (theirs_c)
			theirs_c->rekeyed = 1; /* the peer deletes it */
		queue_delete(sa, tr->old_spi_in);
	}
	return 0;
}

/* ---- responder ---- */

static int process_r(struct ike_task *t, struct ike_sa *sa, const struct ike_msg_in *m)
{
	struct task_rekey_child *tr = (struct task_rekey_child *)t;
	struct ike_notify n;
	struct secret *gir = NULL;
	int rc;

	if (tr->phase) {
		if ((rc = ike_mke_process_r(&tr->mke, sa, m)))
			return rc;
		t->keep = ike_mke_next(&tr->mke) != 0;
		return 0;
	}
	if (!ike_in_notify(m, IKE_N_REKEY_SA, &n) || n.proto != IKE_PROTO_ESP || n.spi_len != 4)
		return -EBADMSG;
	uint32_t peer_spi = ike_spi32(n.spi);
	struct ike_child_sa *old = ike_child_by_spi_out(sa, peer_spi);
	if (!old) {
		/* 2.25: the SPI from REKEY_SA goes back in the notify. */
		ike_sa_refuse(sa, IKE_N_CHILD_SA_NOT_FOUND, NULL, 0);
		return -ENOENT;
	}
	if (old->deleting || old->rekeyed || sa->next || sa->followup || ike_sa_active_task(sa, "rekey_ike")) {
		ike_sa_refuse(sa, IKE_N_TEMPORARY_FAILURE, NULL, 0);
		return -EAGAIN;
	}
	tr->old_spi_in = old->c.spi_in;
	rc = ike_in_sa_select(m, sa->cfg.esp_props, sa->cfg.n_esp_props, &tr->alg);
	const struct ike_pld *p;
	if (rc == -ENOENT || (!rc && tr->alg.spi_len != 4)) {
		ike_sa_refuse(sa, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
		return -ENOENT;
	}
	if (rc)
		return rc;
	if ((rc = ike_in_nonce(m, tr->ni, &tr->ni_len)))
		return rc;
	if (tr->alg.ke[0]) {
		struct ike_ke ke;
		p = ike_chain_find(m->chain, IKE_PLD_KE, NULL);
		if (!p || ike_ke_decode(p, &ke) || ke.method != tr->alg.ke[0]) {
			uint8_t want[2] = { (uint8_t)(tr->alg.ke[0] >> 8), (uint8_t)tr->alg.ke[0] };
			ike_sa_refuse(sa, IKE_N_INVALID_KE_PAYLOAD, want, 2);
			return -EPROTO;
		}
		if (crypto_ke_respond(ke.method, ke.data, ke.len, tr->ke_r, sizeof(tr->ke_r),
				      &tr->ke_r_len, &gir)) {
			ike_sa_refuse(sa, IKE_N_INVALID_SYNTAX, NULL, 0);
			return -EBADMSG;
		}
	}
	ike_mke_init(&tr->mke, &tr->alg);
	if (gir)
		ike_mke_first(&tr->mke, gir);
	if (gir && ike_mke_next(&tr->mke)) {
		/* RFC 9370 2.2.4: IKE_FOLLOWUP_KE rounds, named by a link */
		if ((rc = ike_mke_new_link(&tr->mke, sa)))
			return rc;
		t->keep = 1;
	}
	/* Same selectors as the pair it replaces (2.8). */
	memcpy(tr->ts_l, old->c.ts_local, sizeof(tr->ts_l));
	memcpy(tr->ts_r, old->c.ts_remote, sizeof(tr->ts_r));
	tr->n_l = old->c.n_ts_local;
	tr->n_r = old->c.n_ts_remote;
	tr->nr_len = NONCE_LEN;
	if ((rc = ike_sa_random(sa, tr->nr, NONCE_LEN)))
		return rc;
	return ike_child_new_spi(sa, &tr->new_spi_in);
}

static int install_r(struct ike_sa *sa, struct task_rekey_child *tr);

static int build_r(struct ike_task *t, struct ike_sa *sa, struct ike_msg_out *m)
{
	struct task_rekey_child *tr = (struct task_rekey_child *)t;
	uint8_t spi[4];
	int rc;

	if (tr->phase) {
		if ((rc = ike_mke_build_r(&tr->mke, m)))
			return rc;
		return t->keep ? 0 : install_r(sa, tr);
	}
	ike_spi32_put(tr->new_spi_in, spi);
	if ((rc = ike_out_sa_chosen(m, &tr->alg, spi, 4)) || (rc = ike_out_nonce(m, tr->nr, tr->nr_len)))
		return rc;
	if (tr->alg.ke[0]) {
		struct ike_ke ke = { .method = tr->alg.ke[0], .data = tr->ke_r, .len = tr->ke_r_len };
		ike_bld_begin(&m->b, IKE_PLD_KE, 0);
		ike_ke_encode(&m->w, &ke);
		ike_bld_end(&m->b);
	}
	/* TSi is the exchange initiator's side: the peer's, our remote. */
	if ((rc = ike_out_ts(m, IKE_PLD_TSI, tr->ts_r, tr->n_r)) || (rc = ike_out_ts(m, IKE_PLD_TSR, tr->ts_l, tr->n_l)))
		return rc;
	if (t->keep) {
		tr->phase = 1; /* the next requests are IKE_FOLLOWUP_KE */
		return ike_mke_add_link(&tr->mke, m);
	}
	return install_r(sa, tr);
}

/* The responder's new pair, once every key exchange is done. */
static int install_r(struct ike_sa *sa, struct task_rekey_child *tr)
{
	/* 1.3.3: ready to receive on the new pair before the answer leaves. */
	int rc = ike_child_install(sa, &tr->alg, tr->new_spi_in, ike_spi32(tr->alg.spi), tr->ts_l, tr->n_l,
				   tr->ts_r, tr->n_r, (const struct secret *const *)tr->mke.sk, tr->mke.n_sk,
				   tr->ni, tr->ni_len, tr->nr, tr->nr_len, 0, NULL);
	if (rc)
		return rc;
	struct ike_child_sa *old = ike_child_by_spi_in(sa, tr->old_spi_in);
	/* A simultaneous rekey of ours of the same pair settles when ours
	 * completes (2.8.1); otherwise the peer deletes the old pair. */
	struct ike_task *mine = ike_sa_active_task(sa, "rekey_child");
	struct task_rekey_child *own = (struct task_rekey_child *)mine;
	if (own && own->old_spi_in == tr->old_spi_in) {
		own->collided = 1;
		memcpy(own->peer_ni, tr->ni, tr->ni_len);
		own->peer_ni_len = tr->ni_len;
		memcpy(own->peer_nr, tr->nr, tr->nr_len);
		own->peer_nr_len = tr->nr_len;
		own->peer_new_spi_in = tr->new_spi_in;
	} else if (old) {
		old->rekeyed = 1;
	}
	return 0;
}

static void task_free(struct ike_task *t)
{
	struct task_rekey_child *tr = (struct task_rekey_child *)t;
	crypto_ke_free(tr->ke);
	ike_mke_clear(&tr->mke);
	crypto_wipe(tr, sizeof(*tr));
	free(tr);
}

static const struct ike_task_ops ops_i = { "rekey_child", IKE_EXCH_CREATE_CHILD_SA, build_i, process_i, task_free };
static const struct ike_task_ops ops_r = { "rekey_child_r", IKE_EXCH_CREATE_CHILD_SA, build_r, process_r, task_free };

int ike_task_rekey_child_new(struct ike_sa *sa, uint32_t spi_in, struct ike_task **out)
{
	struct task_rekey_child *tr = calloc(1, sizeof(*tr));
	(void)sa;
	if (!tr)
		return -ENOMEM;
	tr->t.ops = &ops_i;
	tr->t.initiator = 1;
	tr->old_spi_in = spi_in;
	*out = &tr->t;
	return 0;
}

int ike_task_rekey_child_r_new(struct ike_sa *sa, struct ike_task **out)
{
	struct task_rekey_child *tr = calloc(1, sizeof(*tr));
	(void)sa;
	if (!tr)
		return -ENOMEM;
	tr->t.ops = &ops_r;
	*out = &tr->t;
	return 0;
}
