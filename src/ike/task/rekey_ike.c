/* Rekeying the IKE SA with CREATE_CHILD_SA (RFC 7296 1.3.2, 2.18).
 *
 *   HDR, SK { SA(new SPIi), Ni, KEi } -->
 *   <-- HDR, SK { SA(new SPIr), Nr, KEr }
 *
 * SKEYSEED = prf(SK_d(old), g^ir(new) | Ni | Nr) with the old PRF, then the
 * new SA's keys over the new SPIs; whoever started the rekey is the new
 * SA's initiator. The rekey's initiator then deletes the old IKE SA; when
 * that Delete completes the new SPIs, keys and message IDs take over and
 * the Child SAs stay (ike_sa_take_over).
 *
 * Both ends rekeying at once (2.8.2): each answers the other normally; once
 * both exchanges are done, the new SA made by the exchange that holds the
 * lowest of the four nonces is redundant and its initiator deletes it; the
 * initiator of the other exchange deletes the old SA, and the surviving new
 * SA takes over. A rekey request while we close the old SA or change a
 * Child SA gets TEMPORARY_FAILURE (2.25.2); the peer tries again later.
 *
 * With additional key exchanges (RFC 9370 2.2.4) the CREATE_CHILD_SA is
 * followed by one IKE_FOLLOWUP_KE per ADDKEn (task/mke.h), and SKEYSEED =
 * prf(SK_d(old), SK(0) | Ni | Nr | SK(1) | ... | SK(n)). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ike/keymat.h"
#include "ike/sa_int.h"
#include "ike/task/mke.h"

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
	struct ike_mke mke;      /* SK(0..n) and the IKE_FOLLOWUP_KE rounds */
	unsigned rounds;
	int phase;               /* 0: CREATE_CHILD_SA; 1: IKE_FOLLOWUP_KE rounds */
	int collision;           /* responder: our own rekey is in flight */
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
		     const uint8_t spi_i[8], const uint8_t spi_r[8], struct ike_next **out)
{
	struct ike_next *n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	struct crypto_buf ni = { tr->ni, tr->ni_len }, nr = { tr->nr, tr->nr_len };
	int rc = ike_keymat_new_rekey(sa->km, &tr->alg, initiator, (const struct secret *const *)tr->mke.sk,
				      tr->mke.n_sk, ni, nr, spi_i, spi_r, &n->km);
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
	*out = n;
	return 0;
}

/* 2.8.1/2.8.2: nonces compare octet by octet; a prefix is the lower. */
static int nonce_cmp(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	size_t n = al < bl ? al : bl;
	int c = memcmp(a, b, n); /* public-memcmp: nonces travel in the clear */
	return c ? c : al < bl ? -1 : al > bl ? 1 : 0;
}

static const uint8_t *lower(const uint8_t *a, size_t al, const uint8_t *b, size_t bl, size_t *len)
{
	if (nonce_cmp(a, al, b, bl) <= 0) {
		*len = al;
		return a;
	}
	*len = bl;
	return b;
}

/* The redundant new SA we made: one INFORMATIONAL Delete under its own
 * SPIs and keys (message ID 0). It is sent once; its answer (or none) does
 * not matter, the peer drops that SA either way. */
static void delete_redundant(struct ike_sa *sa, struct ike_next *n)
{
	uint8_t inner[64], out[256];
	struct wb wi, wo;
	struct ike_bld b;
	struct ike_delete d = { .proto = IKE_PROTO_IKE };
	size_t len;

	wb_init(&wi, inner, sizeof(inner));
	ike_bld_chain(&b, &wi);
	ike_bld_begin(&b, IKE_PLD_DELETE, 0);
	ike_delete_encode(&wi, &d);
	ike_bld_end(&b);
	if (ike_bld_finish(&b, &len))
		return;
	struct ike_hdr h = { .version = IKE_VERSION_2_0, .exch = IKE_EXCH_INFORMATIONAL,
			     .flags = n->role == IKE_ROLE_INITIATOR ? IKE_HDR_F_INITIATOR : 0 };
	memcpy(h.spi_i, n->spi_i, 8);
	memcpy(h.spi_r, n->spi_r, 8);
	wb_init(&wo, out, sizeof(out));
	if (ike_sa_protect_with(sa, n->km, &h, b.first, inner, len, &wo) == 0)
		sa->ops.send(sa->ops.ctx, sa, out, wb_len(&wo));
}

/* ---- initiator ---- */

static int build_i(struct ike_task *t, struct ike_sa *sa, struct ike_msg_out *m)
{
	struct task_rekey_ike *tr = (struct task_rekey_ike *)t;
	int rc;

	if (tr->phase)
		return ike_mke_build_i(&tr->mke, m);
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

/* Every key exchange done: the new SA, and what follows from a collision
 * (2.8.2) or not. */
static int finish_i(struct ike_sa *sa, struct task_rekey_ike *tr)
{
	struct ike_next *mine;
	int rc;

	if ((rc = make_next(sa, tr, 1, tr->spi_own, tr->alg.spi, &mine)))
		return rc;
	if (sa->next_peer) {
		/* 2.8.2: both rekeyed. Which exchange holds the lowest nonce? */
		struct ike_next *theirs = sa->next_peer;
		size_t l1, l2;
		const uint8_t *a = lower(tr->ni, tr->ni_len, tr->nr, tr->nr_len, &l1);
		const uint8_t *b = lower(theirs->ni, theirs->ni_len, theirs->nr, theirs->nr_len, &l2);
		sa->next_peer = NULL;
		if (nonce_cmp(a, l1, b, l2) < 0) {
			log_info(IKE_LOG, "IKE rekey collision: ours is redundant; the peer's takes over");
			delete_redundant(sa, mine);
			ike_next_free(mine);
			sa->next = theirs; /* the peer deletes the old SA, then it takes over */
			return 0;
		}
		log_info(IKE_LOG, "IKE rekey collision: the peer's is redundant; ours takes over");
		/* Its initiator, the peer, deletes it under its own keys: kept
		 * until that Delete is answered. */
		ike_next_free(sa->redundant);
		sa->redundant = theirs;
		sa->redundant_until = sa->ops.now_ms(sa->ops.ctx) + IKE_REDUNDANT_WAIT_MS;
	}
	sa->next = mine;
	/* 2.18: the rekey's initiator deletes the old SA, which hands over. */
	struct ike_task *d;
	if ((rc = ike_task_delete_new(sa, 1, &d)))
		return rc;
	ike_sa_queue(sa, d);
	return 0;
}

static int process_i(struct ike_task *t, struct ike_sa *sa, const struct ike_msg_in *m)
{
	struct task_rekey_ike *tr = (struct task_rekey_ike *)t;
	struct ike_notify n;
	struct secret *gir = NULL;
	int rc;

	if (tr->phase) {
		rc = ike_mke_process_i(&tr->mke, m);
		if (rc == 1)
			return IKE_TASK_MORE;
		if (rc < 0) {
			/* RFC 9370 2.2.4: this rekey is abandoned; the IKE SA stays */
			log_warn(IKE_LOG, "the IKE SA rekey failed in IKE_FOLLOWUP_KE; trying again later");
			sa->rekey_ike_at = sa->ops.now_ms(sa->ops.ctx) + RETRY_MS;
			return 0;
		}
		return finish_i(sa, tr);
	}
	if (ike_in_notify(m, IKE_N_INVALID_KE_PAYLOAD, &n) && n.len == 2 && ++tr->rounds <= 2) {
		tr->ke_method = (uint16_t)(n.data[0] << 8 | n.data[1]);
		if (crypto_ke_supported(tr->ke_method))
			return IKE_TASK_MORE;
	}
	uint16_t err = ike_in_error(m);
	if (err) {
		log_warn(IKE_LOG, "the peer refused to rekey the IKE SA: %s", ike_notify_name(err));
		if (sa->next_peer) {
			/* The peer's own rekey, which we answered, stands. */
			sa->next = sa->next_peer;
			sa->next_peer = NULL;
		} else if (err == IKE_N_TEMPORARY_FAILURE) {
			sa->rekey_ike_at = sa->ops.now_ms(sa->ops.ctx) + RETRY_MS;
		}
		return 0;
	}
	if (ike_in_sa_accept(m, sa->cfg.ike_props, sa->cfg.n_ike_props, &tr->alg) ||
	    tr->alg.spi_len != 8 || tr->alg.ke[0] != tr->ke_method)
		return -EPROTO;
	const struct ike_pld *p;
	struct ike_ke ke;
	p = ike_chain_find(m->chain, IKE_PLD_KE, NULL);
	if ((rc = ike_in_nonce(m, tr->nr, &tr->nr_len)) || !p || ike_ke_decode(p, &ke) ||
	    ke.method != tr->ke_method || crypto_ke_finish(tr->ke, ke.data, ke.len, &gir))
		return -EPROTO;
	ike_mke_init(&tr->mke, &tr->alg);
	ike_mke_first(&tr->mke, gir);
	if (ike_mke_next(&tr->mke)) {
		if (ike_mke_start_i(&tr->mke, m))
			return -EPROTO;
		tr->phase = 1;
		t->exch = IKE_EXCH_FOLLOWUP_KE;
		return IKE_TASK_MORE;
	}
	return finish_i(sa, tr);
}

/* ---- responder ---- */

static int process_r(struct ike_task *t, struct ike_sa *sa, const struct ike_msg_in *m)
{
	struct task_rekey_ike *tr = (struct task_rekey_ike *)t;
	struct secret *gir = NULL;
	int rc;

	if (tr->phase) {
		if ((rc = ike_mke_process_r(&tr->mke, sa, m)))
			return rc;
		if (ike_mke_next(&tr->mke)) {
			t->keep = 1;
			return 0;
		}
		return make_next(sa, tr, 0, tr->alg.spi, tr->spi_own,
				 tr->collision ? &sa->next_peer : &sa->next);
	}
	/* Our own rekey in flight is a collision, answered normally (2.8.2);
	 * once our new SA is made (the old one is being closed) or while a
	 * Child SA changes, TEMPORARY_FAILURE (2.25.2). */
	tr->collision = ike_sa_active_task(sa, "rekey_ike") != NULL;
	if (sa->next || sa->next_peer || sa->followup || ike_sa_active_task(sa, "rekey_child") ||
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
			      &gir)) {
		ike_sa_refuse(sa, IKE_N_INVALID_SYNTAX, NULL, 0);
		return -EBADMSG;
	}
	ike_mke_init(&tr->mke, &tr->alg);
	ike_mke_first(&tr->mke, gir);
	tr->nr_len = NONCE_LEN;
	if ((rc = ike_sa_random(sa, tr->nr, NONCE_LEN)) || (rc = ike_sa_random(sa, tr->spi_own, 8)))
		return rc;
	if (ike_mke_next(&tr->mke)) {
		/* RFC 9370 2.2.4: IKE_FOLLOWUP_KE rounds follow, named by a link */
		if ((rc = ike_mke_new_link(&tr->mke, sa)))
			return rc;
		t->keep = 1;
		return 0;
	}
	return make_next(sa, tr, 0, tr->alg.spi, tr->spi_own,
			 tr->collision ? &sa->next_peer : &sa->next);
}

static int build_r(struct ike_task *t, struct ike_sa *sa, struct ike_msg_out *m)
{
	struct task_rekey_ike *tr = (struct task_rekey_ike *)t;
	int rc;

	if (tr->phase)
		return ike_mke_build_r(&tr->mke, m);
	if ((rc = ike_out_sa_chosen(m, &tr->alg, tr->spi_own, 8)) ||
	    (rc = add_nonce_ke(m, tr->nr, tr->nr_len, tr->alg.ke[0], tr->ke_r, tr->ke_r_len)))
		return rc;
	if (!t->keep)
		return 0;
	tr->phase = 1; /* the next requests are IKE_FOLLOWUP_KE */
	return ike_mke_add_link(&tr->mke, m);
}

static void task_free(struct ike_task *t)
{
	struct task_rekey_ike *tr = (struct task_rekey_ike *)t;
	crypto_ke_free(tr->ke);
	ike_mke_clear(&tr->mke);
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
