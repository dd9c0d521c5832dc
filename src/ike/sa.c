/* The IKE SA: message IDs, retransmission, the response cache, and the task
 * manager that turns queued tasks into exchanges (RFC 7296 2.1-2.3). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/hex.h"
#include "ike/keymat.h"
#include "ike/sa_int.h"

#define RETX_BASE_MS 1000u
#define RETX_TRIES 6u

static const char *const state_names[] = {
	"NEW", "INIT_SENT", "INIT_DONE", "AUTH_SENT", "ESTABLISHED", "DELETE_SENT", "DEAD",
};

const char *ike_state_name(enum ike_state s)
{
	return (unsigned)s < sizeof(state_names) / sizeof(state_names[0]) ? state_names[s] : "?";
}

static void spi_hex(const struct ike_sa *sa, char out[34])
{
	hex_encode(out, 17, sa->spi_i, 8);
	out[16] = '_';
	hex_encode(out + 17, 17, sa->spi_r, 8);
}

int ike_sa_random(struct ike_sa *sa, void *buf, size_t len)
{
	return sa->ops.random(sa->ops.ctx, buf, len);
}

void ike_sa_set_state(struct ike_sa *sa, enum ike_state st)
{
	char spis[34];
	if (sa->state == st)
		return;
	spi_hex(sa, spis);
	log_debug(IKE_LOG, "%s: %s -> %s", spis, ike_state_name(sa->state), ike_state_name(st));
	sa->state = st;
}

static void dgrams_clear(struct ike_dgrams *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->d[i].p);
	d->n = 0;
}

int ike_dgrams_add(struct ike_dgrams *d, const uint8_t *p, size_t len)
{
	if (d->n >= PT_IKE_FRAGS_MAX)
		return -E2BIG;
	uint8_t *c = malloc(len);
	if (!c)
		return -ENOMEM;
	memcpy(c, p, len);
	d->d[d->n].p = c;
	d->d[d->n].len = len;
	d->n++;
	return 0;
}

static void send_all(struct ike_sa *sa, const struct ike_dgrams *d)
{
	for (size_t i = 0; i < d->n; i++)
		sa->ops.send(sa->ops.ctx, sa, d->d[i].p, d->d[i].len);
}

void ike_tasks_free(struct ike_task *t)
{
	while (t) {
		struct ike_task *next = t->next;
		t->ops->free(t);
		t = next;
	}
}

static uint64_t next_deadline(const struct ike_sa *sa)
{
	uint64_t at = sa->retx_at;
	if (sa->dpd_at < at)
		at = sa->dpd_at;
	if (sa->rekey_child_at < at)
		at = sa->rekey_child_at;
	if (sa->rekey_ike_at < at)
		at = sa->rekey_ike_at;
	if (sa->redundant && sa->redundant_until < at)
		at = sa->redundant_until;
	return at;
}

/* One timer per SA, at the earliest of its deadlines. */
static void arm_timer(struct ike_sa *sa)
{
	uint64_t at = next_deadline(sa);
	if (sa->state == IKE_S_DEAD || at == UINT64_MAX) {
		sa->ops.timer(sa->ops.ctx, sa, UINT64_MAX);
		return;
	}
	uint64_t now = sa->ops.now_ms(sa->ops.ctx);
	sa->ops.timer(sa->ops.ctx, sa, at > now ? at - now : 0);
}

static void timers_off(struct ike_sa *sa)
{
	sa->retx_at = sa->dpd_at = sa->rekey_child_at = sa->rekey_ike_at = UINT64_MAX;
}

static uint64_t after_ms(struct ike_sa *sa, uint32_t ms)
{
	return ms ? sa->ops.now_ms(sa->ops.ctx) + ms : UINT64_MAX;
}

static void child_remove(struct ike_sa *sa)
{
	ike_children_remove_all(sa);
}

void ike_sa_fail(struct ike_sa *sa, int err, const char *why)
{
	char spis[34];

	if (sa->state == IKE_S_DEAD)
		return;
	spi_hex(sa, spis);
	log_warn(IKE_LOG, "%s: failed in %s: %s", spis, ike_state_name(sa->state), why);
	child_remove(sa);
	ike_sa_set_state(sa, IKE_S_DEAD);
	timers_off(sa);
	arm_timer(sa);
	sa->ops.event(sa->ops.ctx, sa, IKE_EV_FAILED, err);
}

int ike_sa_new(const struct ike_cfg *cfg, const struct ike_ops *ops, struct ike_sa **out)
{
	struct ike_sa *sa = calloc(1, sizeof(*sa));
	if (!sa)
		return -ENOMEM;
	sa->cfg = *cfg;
	if (!sa->cfg.retx_base_ms)
		sa->cfg.retx_base_ms = RETX_BASE_MS;
	if (!sa->cfg.retx_tries)
		sa->cfg.retx_tries = RETX_TRIES;
	if (!sa->cfg.cp)
		sa->cfg.cp = ike_codepoints_default();
	sa->ops = *ops;
	sa->role = cfg->role;
	sa->cfg.resume = NULL;
	if (cfg->resume && cfg->role == IKE_ROLE_INITIATOR) {
		if (!(sa->resume = malloc(sizeof(*sa->resume)))) {
			free(sa);
			return -ENOMEM;
		}
		*sa->resume = *cfg->resume;
		sa->cfg.local_id = sa->resume->st.idi;
		sa->cfg.remote_id = sa->resume->st.idr;
	}
	sa->state = IKE_S_NEW;
	timers_off(sa);
	sa->resp_id = UINT32_MAX;
	int rc = ike_sa_random(sa, cfg->role == IKE_ROLE_INITIATOR ? sa->spi_i : sa->spi_r, 8);
	if (rc) {
		free(sa);
		return rc;
	}
	*out = sa;
	return 0;
}

static void ticket_free(struct ike_ticket *t)
{
	if (t) {
		crypto_wipe(t, sizeof(*t));
		free(t);
	}
}

void ike_sa_free(struct ike_sa *sa)
{
	if (!sa)
		return;
	child_remove(sa);
	ike_tasks_free(sa->queue);
	ike_tasks_free(sa->active);
	ike_tasks_free(sa->auth_tasks);
	ike_tasks_free(sa->followup);
	dgrams_clear(&sa->req);
	dgrams_clear(&sa->resp);
	free(sa->init_i.p);
	free(sa->init_r.p);
	ticket_free(sa->resume);
	ticket_free(sa->ticket);
	crypto_secret_free(sa->pending_ke);
	ike_sa_keys_free(sa);
	ike_next_free(sa->next);
	ike_next_free(sa->next_peer);
	ike_next_free(sa->redundant);
	crypto_wipe(sa->plain_buf, sizeof(sa->plain_buf));
	crypto_wipe(sa->inner_buf, sizeof(sa->inner_buf));
	crypto_wipe(sa, sizeof(*sa));
	free(sa);
}

void ike_sa_queue_front(struct ike_sa *sa, struct ike_task *t)
{
	t->next = sa->queue;
	sa->queue = t;
}

static void queue_add(struct ike_sa *sa, struct ike_task *t)
{
	struct ike_task **pp = &sa->queue;
	while (*pp)
		pp = &(*pp)->next;
	t->next = NULL;
	*pp = t;
}

struct ike_task *ike_sa_active_task(struct ike_sa *sa, const char *name)
{
	for (struct ike_task *t = sa->active; t; t = t->next)
		if (strcmp(t->ops->name, name) == 0)
			return t;
	return NULL;
}

static void kick(struct ike_sa *sa);

void ike_sa_queue(struct ike_sa *sa, struct ike_task *t)
{
	queue_add(sa, t);
	kick(sa);
}

int ike_out_notify(struct ike_msg_out *m, uint16_t type, const uint8_t *data, size_t len)
{
	struct ike_notify n = { .type = type, .data = data, .len = len };
	ike_bld_begin(&m->b, IKE_PLD_NOTIFY, 0);
	ike_notify_encode(&m->w, &n);
	return ike_bld_end(&m->b);
}

const struct ike_pld *ike_in_notify(const struct ike_msg_in *m, uint16_t type,
				    struct ike_notify *n)
{
	size_t from = 0;
	const struct ike_pld *p;
	while ((p = ike_chain_find(m->chain, IKE_PLD_NOTIFY, &from))) {
		if (ike_notify_decode(p, n) == 0 && n->type == type)
			return p;
	}
	return NULL;
}

uint16_t ike_in_error(const struct ike_msg_in *m)
{
	size_t from = 0;
	const struct ike_pld *p;
	struct ike_notify n;
	while ((p = ike_chain_find(m->chain, IKE_PLD_NOTIFY, &from)))
		if (ike_notify_decode(p, &n) == 0 && ike_notify_is_error(n.type))
			return n.type;
	return 0;
}

/* Build one message from the tasks in `tasks` (all of one exchange) into
 * out: the whole IKE_SA_INIT, or the inner chain protected into SK/SKF.
 * A responder that refuses answers with the error notify alone (RFC 7296
 * 2.21). */
static int build_msg(struct ike_sa *sa, struct ike_task *tasks, uint8_t exch, int response,
		     uint32_t msg_id, struct ike_dgrams *out)
{
	struct ike_msg_out m;
	int encrypted = !ike_exch_first(exch);
	int rc = 0;

	memset(&m, 0, sizeof(m));
	memcpy(m.hdr.spi_i, sa->spi_i, 8);
	memcpy(m.hdr.spi_r, sa->spi_r, 8);
	/* RFC 7296 2.6 "HDR(A,0), N(COOKIE)": a refused IKE_SA_INIT leaves no
	 * SA behind, so its answer names none. */
	if (!encrypted && response && sa->resp_error)
		memset(m.hdr.spi_r, 0, 8);
	m.hdr.version = IKE_VERSION_2_0;
	m.hdr.exch = exch;
	m.hdr.flags = (uint8_t)((sa->role == IKE_ROLE_INITIATOR ? IKE_HDR_F_INITIATOR : 0) |
				(response ? IKE_HDR_F_RESPONSE : 0));
	m.hdr.msg_id = msg_id;
	if (encrypted) {
		wb_init(&m.w, sa->inner_buf, sizeof(sa->inner_buf));
		ike_bld_chain(&m.b, &m.w);
	} else {
		wb_init(&m.w, sa->out_buf, sizeof(sa->out_buf));
		ike_bld_msg(&m.b, &m.w, &m.hdr);
	}
	if (response && sa->resp_error) {
		ike_out_notify(&m, sa->resp_error, sa->resp_error_data, sa->resp_error_len);
	} else {
		for (struct ike_task *t = tasks; t && rc >= 0; t = t->next)
			rc = t->ops->build(t, sa, &m);
		if (rc < 0)
			return rc;
	}
	size_t len;
	rc = ike_bld_finish(&m.b, &len);
	if (rc)
		return rc;
	if (!encrypted)
		return ike_dgrams_add(out, sa->out_buf, len);
	uint8_t first = len ? m.b.first : IKE_PLD_NONE;
	/* RFC 9242 3.2: over the exact plaintext, before it is encrypted;
	 * a refusal ends the setup and needs none. */
	if (exch == IKE_EXCH_INTERMEDIATE && !(response && sa->resp_error) &&
	    (rc = ike_sa_intauth(sa, &m.hdr, first, sa->inner_buf, len)))
		return rc;
	return ike_sa_protect(sa, &m.hdr, first, sa->inner_buf, len, out);
}

void ike_sa_refuse(struct ike_sa *sa, uint16_t notify, const uint8_t *data, size_t len)
{
	if (sa->resp_error)
		return; /* the first refusal is the answer */
	sa->resp_error = notify;
	sa->resp_error_len = len <= sizeof(sa->resp_error_data) ? len : 0;
	if (sa->resp_error_len)
		memcpy(sa->resp_error_data, data, sa->resp_error_len);
}

int ike_dgram_copy(struct ike_dgram *d, const uint8_t *p, size_t len)
{
	uint8_t *c = malloc(len ? len : 1);
	if (!c)
		return -ENOMEM;
	memcpy(c, p, len);
	free(d->p);
	d->p = c;
	d->len = len;
	return 0;
}

/* Start the next exchange when none is in flight. */
/* RFC 7296 2.1 over UDP: the first timeout, then doubling. On a stream
 * (RFC 9329 6) a request is sent once and fails after as long as the whole
 * UDP schedule would have taken. */
static uint64_t first_wait(const struct ike_sa *sa)
{
	if (!sa->reliable)
		return sa->cfg.retx_base_ms;
	uint64_t all = 0;
	for (uint32_t i = 0; i < sa->cfg.retx_tries; i++)
		all += (uint64_t)sa->cfg.retx_base_ms << i;
	return all;
}

static uint8_t task_exch(const struct ike_task *t)
{
	return t->exch ? t->exch : t->ops->exch;
}

static void kick(struct ike_sa *sa)
{
	char spis[34];

	if (sa->active || !sa->queue || sa->state == IKE_S_DEAD)
		return;
	sa->active_exch = task_exch(sa->queue);
	struct ike_task **tail = &sa->active;
	while (sa->queue && task_exch(sa->queue) == sa->active_exch) {
		struct ike_task *t = sa->queue;
		sa->queue = t->next;
		t->next = NULL;
		*tail = t;
		tail = &t->next;
	}
	dgrams_clear(&sa->req);
	int rc = build_msg(sa, sa->active, sa->active_exch, 0, sa->next_req_id, &sa->req);
	if (rc) {
		ike_sa_fail(sa, rc, "cannot build a request");
		return;
	}
	spi_hex(sa, spis);
	log_debug(IKE_LOG, "%s: %s request id %u out (%zu datagram(s))", spis,
		  ike_exch_name(sa->active_exch), sa->next_req_id, sa->req.n);
	send_all(sa, &sa->req);
	sa->retx_count = 1;
	sa->retx_at = sa->ops.now_ms(sa->ops.ctx) + first_wait(sa);
	arm_timer(sa);
}

int ike_sa_initiate(struct ike_sa *sa)
{
	struct ike_task *t;
	int rc;

	if (sa->role != IKE_ROLE_INITIATOR || sa->state != IKE_S_NEW)
		return -EINVAL;
	/* IKE_SA_INIT, or RFC 5723's IKE_SESSION_RESUME; then IKE_AUTH:
	 * identities and AUTH, the ticket and MOBIKE notifies, CP, and the
	 * first Child SA. */
	int (*const ctor[])(struct ike_sa *, int, struct ike_task **) = {
		sa->resume ? ike_task_resume_new : ike_task_init_new,
		sa->resume ? ike_task_resume_auth_new : ike_task_auth_new,
		ike_task_ticket_new, ike_task_mobike_new, ike_task_cfg_new, ike_task_child_new,
	};
	for (size_t i = 0; i < sizeof(ctor) / sizeof(ctor[0]); i++) {
		if ((rc = ctor[i](sa, 1, &t)))
			return rc;
		queue_add(sa, t);
	}
	ike_sa_set_state(sa, IKE_S_INIT_SENT);
	kick(sa);
	return sa->state == IKE_S_DEAD ? -EIO : 0;
}

int ike_sa_delete(struct ike_sa *sa)
{
	struct ike_task *t;
	int rc;

	if (sa->state != IKE_S_ESTABLISHED)
		return -EINVAL;
	if ((rc = ike_task_delete_new(sa, 1, &t)))
		return rc;
	queue_add(sa, t);
	kick(sa);
	return 0;
}

/* Decode, decrypt and check a message; in->chain points at the payloads
 * the tasks will read. */
static int open_msg(struct ike_sa *sa, const uint8_t *msg, size_t len, struct ike_msg *outer,
		    struct ike_msg_in *in)
{
	struct ike_diag d = { 0 };
	int rc;

	in->raw = msg;
	in->len = len;
	in->hdr = outer->hdr;
	if ((rc = ike_rules_check_outer(&outer->hdr, &outer->chain, &d)))
		return rc;
	if (ike_exch_first(outer->hdr.exch)) {
		if ((rc = ike_chain_validate(&outer->chain, &d)))
			return rc;
		in->chain = &outer->chain;
		return 0;
	}
	if (!sa->km)
		return -EPROTO;
	const uint8_t *plain;
	size_t plain_len;
	uint8_t first;
	rc = ike_sa_unprotect(sa, msg, len, outer, &plain, &plain_len, &first);
	if (rc)
		return rc; /* not complete yet (fragments) or not authentic */
	rc = ike_chain_decode(plain, plain_len, first, 1, 0, &sa->chain_buf, &d);
	if (!rc)
		rc = ike_rules_check_inner(&outer->hdr, &sa->chain_buf, &d);
	/* RFC 9242 3.2: with the keys that protected it, before any update */
	if (!rc && outer->hdr.exch == IKE_EXCH_INTERMEDIATE)
		rc = ike_sa_intauth(sa, &outer->hdr, first, plain, plain_len);
	if (!rc)
		rc = ike_chain_validate(&sa->chain_buf, &d);
	if (rc) {
		log_info(IKE_LOG, "%s id %u: inner payloads refused: %s",
			 ike_exch_name(outer->hdr.exch), outer->hdr.msg_id,
			 d.reason ? d.reason : "malformed");
		return rc;
	}
	in->chain = &sa->chain_buf;
	return 0;
}

/* A lifetime with up to 10 % taken off at random, so that both ends do
 * not start their rekeys at the same moment (RFC 7296 2.8). */
static uint64_t jittered(struct ike_sa *sa, uint32_t ms)
{
	uint8_t r[2] = { 0, 0 };
	if (!ms)
		return UINT64_MAX;
	ike_sa_random(sa, r, 2);
	uint64_t cut = (uint64_t)ms / 10u * ((uint32_t)r[0] << 8 | r[1]) / 65535u;
	return sa->ops.now_ms(sa->ops.ctx) + ms - cut;
}

void ike_next_free(struct ike_next *n)
{
	if (!n)
		return;
	ike_keymat_free(n->km);
	crypto_wipe(n, sizeof(*n));
	free(n);
}

void ike_sa_take_over(struct ike_sa *sa)
{
	struct ike_next *n = sa->next;
	char spis[34];

	if (!n)
		return;
	ike_keymat_free(sa->km);
	sa->km = n->km;
	memcpy(sa->spi_i, n->spi_i, 8);
	memcpy(sa->spi_r, n->spi_r, 8);
	sa->alg = n->alg;
	memcpy(sa->ni, n->ni, n->ni_len);
	sa->ni_len = n->ni_len;
	memcpy(sa->nr, n->nr, n->nr_len);
	sa->nr_len = n->nr_len;
	sa->role = n->role;
	crypto_wipe(n, sizeof(*n));
	free(n);
	sa->next = NULL;
	/* RFC 7296 2.18: the new IKE SA starts its message IDs at zero. */
	sa->next_req_id = 0;
	sa->peer_req_id = 0;
	sa->resp_id = UINT32_MAX;
	dgrams_clear(&sa->resp);
	dgrams_clear(&sa->req);
	sa->retx_at = UINT64_MAX;
	/* Exchanges of ours still open on the old SA start again on the new
	 * one, except the rekey and delete that the take-over completes. */
	struct ike_task *t = sa->active, *keep = NULL, **kt = &keep;
	sa->active = NULL;
	while (t) {
		struct ike_task *next = t->next;
		t->next = NULL;
		if (strcmp(t->ops->name, "rekey_ike") == 0 || strcmp(t->ops->name, "delete") == 0) {
			t->ops->free(t);
		} else {
			*kt = t;
			kt = &t->next;
		}
		t = next;
	}
	*kt = sa->queue;
	sa->queue = keep;
	ike_sa_set_state(sa, IKE_S_ESTABLISHED);
	sa->rekey_ike_at = jittered(sa, sa->cfg.rekey_ike_ms);
	spi_hex(sa, spis);
	log_info(IKE_LOG, "%s: IKE SA rekeyed", spis);
	sa->ops.event(sa->ops.ctx, sa, IKE_EV_REKEYED, 0);
}

static void after_exchange_state(struct ike_sa *sa, uint8_t exch);

/* What a completed exchange means for the SA as a whole, then what its
 * tasks saw on the way. */
static void after_exchange(struct ike_sa *sa, uint8_t exch)
{
	after_exchange_state(sa, exch);
	unsigned ev = sa->pending_ev;
	sa->pending_ev = 0;
	if (sa->state != IKE_S_ESTABLISHED)
		return;
	if (ev & (1u << IKE_EV_TICKET))
		sa->ops.event(sa->ops.ctx, sa, IKE_EV_TICKET, 0);
	if (ev & (1u << IKE_EV_UPDATED))
		sa->ops.event(sa->ops.ctx, sa, IKE_EV_UPDATED, 0);
}

static void after_exchange_state(struct ike_sa *sa, uint8_t exch)
{
	char spis[34];

	spi_hex(sa, spis);
	if (exch == IKE_EXCH_AUTH && sa->state == IKE_S_ESTABLISHED) {
		char algs[160];
		ike_chosen_str(&sa->alg, algs, sizeof(algs));
		log_info(IKE_LOG, "%s: IKE SA established (%s)%s", spis, algs,
			 ike_child_current(sa) ? "" : " without a Child SA");
		if (sa->role == IKE_ROLE_INITIATOR && !ike_child_current(sa) && sa->cfg.child_required) {
			/* Useless without its Child SA: close it properly. */
			struct ike_task *t;
			sa->fail_after_delete = -EPROTO;
			if (ike_task_delete_new(sa, 1, &t) == 0) {
				queue_add(sa, t);
				return;
			}
			ike_sa_fail(sa, -EPROTO, "no Child SA");
			return;
		}
		sa->dpd_at = after_ms(sa, sa->cfg.dpd_ms);
		sa->rekey_child_at = jittered(sa, sa->cfg.rekey_child_ms);
		sa->rekey_ike_at = jittered(sa, sa->cfg.rekey_ike_ms);
		arm_timer(sa);
		sa->ops.event(sa->ops.ctx, sa, IKE_EV_ESTABLISHED, 0);
	} else if (sa->state == IKE_S_DELETE_SENT && sa->next) {
		ike_sa_take_over(sa);
		arm_timer(sa);
		kick(sa);
	} else if (sa->state == IKE_S_DELETE_SENT) {
		log_info(IKE_LOG, "%s: IKE SA deleted", spis);
		child_remove(sa);
		ike_sa_set_state(sa, IKE_S_DEAD);
		timers_off(sa);
		arm_timer(sa);
		if (sa->fail_after_delete)
			sa->ops.event(sa->ops.ctx, sa, IKE_EV_FAILED, sa->fail_after_delete);
		else
			sa->ops.event(sa->ops.ctx, sa, IKE_EV_DELETED, 0);
	}
}

static void on_response(struct ike_sa *sa, const struct ike_msg_in *in)
{
	int more = 0, rc = 0;

	if (in->hdr.exch != sa->active_exch)
		return; /* RFC 7296 2.3: not the answer to what we asked; drop */
	if (ike_exch_first(sa->active_exch) && !sa->km)
		memcpy(sa->spi_r, in->hdr.spi_r, 8);
	sa->retx_at = UINT64_MAX;
	for (struct ike_task *t = sa->active; t; t = t->next) {
		rc = t->ops->process(t, sa, in);
		if (rc < 0 || sa->state == IKE_S_DEAD)
			break;
		if (rc == IKE_TASK_MORE)
			more = 1;
	}
	dgrams_clear(&sa->req);
	if (rc < 0 || sa->state == IKE_S_DEAD) {
		if (sa->state != IKE_S_DEAD) {
			char why[96];
			snprintf(why, sizeof(why), "%s response refused: %s",
				 ike_exch_name(sa->active_exch), pt_strerror(rc));
			ike_sa_fail(sa, rc, why);
		}
		return;
	}
	/* RFC 7296 2.6 / 1.2: a COOKIE or INVALID_KE_PAYLOAD retry of
	 * IKE_SA_INIT is again message ID 0 with SPIr zero. */
	if (more && ike_exch_first(sa->active_exch)) {
		memset(sa->spi_r, 0, 8);
	} else {
		sa->next_req_id++;
	}
	if (sa->active_exch == IKE_EXCH_INTERMEDIATE)
		sa->n_inter++;
	if (more) {
		/* The same tasks run another round. */
		struct ike_task *again = sa->active;
		sa->active = NULL;
		struct ike_task **tail = &again;
		while (*tail)
			tail = &(*tail)->next;
		*tail = sa->queue;
		sa->queue = again;
	} else {
		ike_tasks_free(sa->active);
		sa->active = NULL;
	}
	arm_timer(sa);
	after_exchange(sa, in->hdr.exch);
	kick(sa);
}


static void on_request(struct ike_sa *sa, const struct ike_msg_in *in)
{
	struct ike_task *tasks = NULL;
	int rc = 0;

	sa->resp_error = 0;
	if (in->hdr.exch == IKE_EXCH_AUTH && sa->auth_tasks) {
		/* The next round of an EAP conversation: the same tasks. */
		tasks = sa->auth_tasks;
		sa->auth_tasks = NULL;
	} else if (in->hdr.exch == IKE_EXCH_FOLLOWUP_KE) {
		/* RFC 9370 2.2.4: the rekey that waits for it, or nothing */
		tasks = sa->followup;
		sa->followup = NULL;
		if (!tasks)
			ike_sa_refuse(sa, IKE_N_STATE_NOT_FOUND, NULL, 0);
	} else if (ike_sa_responder_tasks(sa, in, &tasks)) {
		/* An exchange we do not serve (RFC 7296 2.21.2): say so, so the
		 * peer does not retransmit it forever. */
		ike_sa_refuse(sa, IKE_N_NO_ADDITIONAL_SAS, NULL, 0);
	}
	for (struct ike_task *t = tasks; t && !sa->resp_error; t = t->next) {
		rc = t->ops->process(t, sa, in);
		if (rc < 0 && !sa->resp_error)
			ike_sa_refuse(sa, IKE_N_INVALID_SYNTAX, NULL, 0);
	}
	dgrams_clear(&sa->resp);
	rc = build_msg(sa, tasks, in->hdr.exch, 1, in->hdr.msg_id, &sa->resp);
	int more = in->hdr.exch == IKE_EXCH_AUTH && !sa->resp_error && sa->state == IKE_S_INIT_DONE &&
		   sa->eap_failed == 0;
	if (more && !rc) {
		sa->auth_tasks = tasks; /* EAP goes on in the next request */
	} else if (!rc && tasks && tasks->keep && !sa->resp_error) {
		tasks->keep = 0;        /* IKE_FOLLOWUP_KE goes on in the next request */
		ike_tasks_free(sa->followup);
		sa->followup = tasks;
	} else {
		ike_tasks_free(tasks);
	}
	if (rc) {
		ike_sa_fail(sa, rc, "cannot build a response");
		return;
	}
	sa->resp_id = in->hdr.msg_id;
	sa->peer_req_id = in->hdr.msg_id + 1;
	send_all(sa, &sa->resp);
	if (sa->eap_failed) {
		/* The EAP Failure went out; nothing more for this SA (2.16). */
		ike_sa_fail(sa, -EACCES, "EAP authentication failed");
		return;
	}
	if (in->hdr.exch == IKE_EXCH_INTERMEDIATE && !sa->resp_error) {
		sa->n_inter++;
		if (ike_sa_apply_pending_ke(sa)) {
			ike_sa_fail(sa, -EPROTO, "cannot update the keys after IKE_INTERMEDIATE");
			return;
		}
	}
	if (!sa->resp_error) {
		if (ike_exch_first(in->hdr.exch) &&
		    ike_dgram_copy(&sa->init_r, sa->resp.d[0].p, sa->resp.d[0].len))
			ike_sa_fail(sa, -ENOMEM, "out of memory");
		after_exchange(sa, in->hdr.exch);
		return;
	}
	if (ike_exch_first(in->hdr.exch)) {
		/* RFC 7296 1.2, 2.6: a refused IKE_SA_INIT leaves no state behind
		 * (the owner frees the SA; no event for what never existed). */
		ike_sa_set_state(sa, IKE_S_DEAD);
		return;
	}
	/* RFC 9242 3: an error in IKE_INTERMEDIATE ends the setup here too */
	if (sa->resp_error == IKE_N_AUTHENTICATION_FAILED || sa->resp_error == IKE_N_INVALID_SYNTAX ||
	    in->hdr.exch == IKE_EXCH_INTERMEDIATE ||
	    (in->hdr.exch == IKE_EXCH_AUTH && sa->state != IKE_S_ESTABLISHED))
		ike_sa_fail(sa, -EPROTO, ike_notify_name(sa->resp_error));
}


int ike_sa_recv(struct ike_sa *sa, const uint8_t *msg, size_t len)
{
	struct ike_msg outer;
	struct ike_diag d = { 0 };
	struct ike_msg_in in;
	int rc;

	if (sa->state == IKE_S_DEAD)
		return -EPIPE;
	if ((rc = ike_msg_decode(msg, len, &outer, &d))) {
		log_info(IKE_LOG, "dropped a malformed message: %s", d.reason ? d.reason : "?");
		return rc;
	}
	if (sa->redundant && memcmp(outer.hdr.spi_i, sa->redundant->spi_i, 8) == 0 && /* public-memcmp: SPIs */
	    memcmp(outer.hdr.spi_r, sa->redundant->spi_r, 8) == 0) { /* public-memcmp: SPIs */
		rc = ike_sa_answer_redundant(sa, msg, len, &outer);
		arm_timer(sa);
		return rc;
	}
	/* RFC 7296 3.1: the SPIs must name this SA (SPIr may still be zero in
	 * an IKE_SA_INIT response we are waiting for). */
	if (memcmp(outer.hdr.spi_i, sa->spi_i, 8) != 0) /* public-memcmp: SPIs */
		return -ENOENT;
	int response = ike_hdr_is_response(&outer.hdr);
	/* SPIr is still zero in an IKE_SA_INIT request and unknown to us in
	 * its response. */
	if (!ike_exch_first(outer.hdr.exch) &&
	    memcmp(outer.hdr.spi_r, sa->spi_r, 8) != 0) /* public-memcmp: SPIs */
		return -ENOENT;
	/* The Initiator flag says who sent it: never us (RFC 7296 3.1). */
	int from_initiator = (outer.hdr.flags & IKE_HDR_F_INITIATOR) != 0;
	if (from_initiator == (sa->role == IKE_ROLE_INITIATOR))
		return -EPROTO;

	if (response) {
		if (!sa->active || outer.hdr.msg_id != sa->next_req_id)
			return -EALREADY; /* late or unknown: drop (RFC 7296 2.3) */
		if (ike_sa_unknown_spi_answer(sa, &outer))
			return 0;
		rc = open_msg(sa, msg, len, &outer, &in);
		if (rc == -EINPROGRESS)
			return 0; /* a fragment stored */
		if (rc) {
			log_info(IKE_LOG, "dropped %s response id %u: %s", ike_exch_name(outer.hdr.exch),
				 outer.hdr.msg_id, pt_strerror(rc));
			return rc;
		}
		if (sa->state == IKE_S_ESTABLISHED)
			sa->dpd_at = after_ms(sa, sa->cfg.dpd_ms);
		on_response(sa, &in);
		return 0;
	}
	/* A request: the one we expect, or a retransmission of the last one. */
	if (outer.hdr.msg_id == sa->resp_id && sa->resp.n) {
		send_all(sa, &sa->resp);
		return 0;
	}
	if (outer.hdr.msg_id != sa->peer_req_id)
		return -EALREADY;
	rc = open_msg(sa, msg, len, &outer, &in);
	if (rc == -EINPROGRESS)
		return 0;
	if (rc) {
		log_info(IKE_LOG, "dropped %s request id %u: %s", ike_exch_name(outer.hdr.exch),
			 outer.hdr.msg_id, pt_strerror(rc));
		return rc;
	}
	if (sa->state == IKE_S_ESTABLISHED)
		sa->dpd_at = after_ms(sa, sa->cfg.dpd_ms);
	on_request(sa, &in);
	arm_timer(sa);
	return 0;
}

static void queue_new(struct ike_sa *sa, int rc, struct ike_task *t)
{
	if (rc == 0)
		queue_add(sa, t);
}

void ike_sa_on_timer(struct ike_sa *sa)
{
	struct ike_task *t = NULL;

	if (sa->state == IKE_S_DEAD)
		return;
	uint64_t now = sa->ops.now_ms(sa->ops.ctx);
	if (sa->redundant && now >= sa->redundant_until) {
		ike_next_free(sa->redundant);
		sa->redundant = NULL;
	}
	if (now >= sa->retx_at) {
		if (sa->retx_count >= sa->cfg.retx_tries || sa->reliable) {
			ike_sa_fail(sa, -ETIMEDOUT, "no answer from the peer");
			return;
		}
		/* RFC 7296 2.1: the same bytes again, the timeout doubled. */
		send_all(sa, &sa->req);
		uint64_t wait = (uint64_t)sa->cfg.retx_base_ms << sa->retx_count;
		sa->retx_count++;
		sa->retx_at = now + wait;
	}
	if (sa->state == IKE_S_ESTABLISHED) {
		if (now >= sa->dpd_at) {
			/* RFC 7296 1.4: an exchange in flight proves liveness by itself. */
			sa->dpd_at = UINT64_MAX;
			/* Two statements: in one call the order in which the
			 * arguments are evaluated is unspecified (gcc read t
			 * before ike_task_dpd_new set it). */
			if (!sa->active && !sa->queue) {
				int rc = ike_task_dpd_new(sa, &t);
				queue_new(sa, rc, t);
			}
		}
		if (now >= sa->rekey_child_at) {
			sa->rekey_child_at = UINT64_MAX;
			ike_sa_rekey_child(sa);
		}
		if (now >= sa->rekey_ike_at) {
			sa->rekey_ike_at = UINT64_MAX;
			ike_sa_rekey_ike(sa);
		}
	}
	arm_timer(sa);
	kick(sa);
}

int ike_sa_rekey_child(struct ike_sa *sa)
{
	struct ike_child_sa *c = ike_child_current(sa);
	struct ike_task *t;
	int rc;

	if (sa->state != IKE_S_ESTABLISHED || !c)
		return -EINVAL;
	if ((rc = ike_task_rekey_child_new(sa, c->c.spi_in, &t)))
		return rc;
	ike_sa_queue(sa, t);
	return 0;
}

int ike_sa_rekey_ike(struct ike_sa *sa)
{
	struct ike_task *t;
	int rc;

	if (sa->state != IKE_S_ESTABLISHED || sa->next)
		return -EINVAL;
	if ((rc = ike_task_rekey_ike_new(sa, &t)))
		return rc;
	ike_sa_queue(sa, t);
	return 0;
}

int ike_sa_dpd(struct ike_sa *sa)
{
	struct ike_task *t;
	int rc;

	if (sa->state != IKE_S_ESTABLISHED)
		return -EINVAL;
	if ((rc = ike_task_dpd_new(sa, &t)))
		return rc;
	ike_sa_queue(sa, t);
	return 0;
}

int ike_sa_new_r(const struct ike_cfg *cfg, const struct ike_ops *ops, const uint8_t *msg,
		 size_t len, struct ike_sa **out)
{
	struct ike_msg outer;
	struct ike_diag d = { 0 };
	struct ike_sa *sa;
	int rc;

	*out = NULL;
	if ((rc = ike_msg_decode(msg, len, &outer, &d)))
		return rc;
	static const uint8_t zero[8];
	if (!ike_exch_first(outer.hdr.exch) || ike_hdr_is_response(&outer.hdr) ||
	    outer.hdr.msg_id != 0 || !(outer.hdr.flags & IKE_HDR_F_INITIATOR) ||
	    memcmp(outer.hdr.spi_r, zero, 8) != 0) /* public-memcmp: SPI */
		return -EPROTO;
	if ((rc = ike_sa_new(cfg, ops, &sa)))
		return rc;
	memcpy(sa->spi_i, outer.hdr.spi_i, 8);
	rc = ike_sa_recv(sa, msg, len);
	if (rc || sa->state == IKE_S_DEAD) {
		ike_sa_free(sa);
		return rc ? rc : 0;
	}
	*out = sa;
	return 0;
}

void ike_sa_set_reliable(struct ike_sa *sa, int on)
{
	sa->reliable = !!on;
	if (sa->retx_at != UINT64_MAX) { /* the request in flight: the new schedule */
		sa->retx_count = 1;
		sa->retx_at = sa->ops.now_ms(sa->ops.ctx) + first_wait(sa);
		arm_timer(sa);
	}
}

void ike_sa_resend(struct ike_sa *sa)
{
	if (sa->state == IKE_S_DEAD || sa->retx_at == UINT64_MAX || !sa->req.n)
		return;
	send_all(sa, &sa->req);
}
