/* RFC 5723 tickets in IKE_AUTH (and the responder's answer to a request in
 * INFORMATIONAL):
 *
 *   HDR, SK { ..., N(TICKET_REQUEST) } -->
 *   <-- HDR, SK { ..., N(TICKET_LT_OPAQUE) | N(TICKET_ACK) | N(TICKET_NACK) }
 *
 * TICKET_LT_OPAQUE data: a 32-bit lifetime in seconds, then the ticket. The
 * initiator keeps the ticket with what it stands for (the SA's transforms,
 * SK_d, the identities): ike_sa_ticket(), announced by IKE_EV_TICKET. The
 * responder seals that same state through cfg.ticket_seal once AUTH is
 * done, and says TICKET_NACK when it cannot. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ike/keymat.h"
#include "ike/sa_int.h"

struct task_ticket {
	struct ike_task t;
	int sent;      /* initiator: TICKET_REQUEST went out (first IKE_AUTH round) */
	int wanted;    /* responder: the initiator asked */
	int answered;  /* responder: the answer went out */
};

/* The state a ticket of this SA stands for: our SK_d now, both identities. */
static int state_of(struct ike_sa *sa, struct ike_resume_state *st)
{
	const struct secret *skd = ike_sa_sk_d(sa);

	memset(st, 0, sizeof(*st));
	if (!skd || skd->len > sizeof(st->sk_d))
		return -EINVAL;
	st->alg = sa->alg;
	memcpy(st->sk_d, skd->p, skd->len);
	st->sk_d_len = skd->len;
	if (sa->role == IKE_ROLE_INITIATOR) {
		st->idi = sa->cfg.local_id;
		st->idr = sa->peer_id;
		st->auth = (uint8_t)sa->cfg.auth;
	} else {
		st->idi = sa->peer_id;
		st->idr = sa->cfg.local_id;
		st->auth = (uint8_t)(sa->cfg.peer_auth ? sa->cfg.peer_auth : sa->cfg.auth);
	}
	memcpy(st->spi_i, sa->spi_i, 8);
	memcpy(st->spi_r, sa->spi_r, 8);
	return 0;
}

static int build_i(struct ike_task *t, struct ike_sa *sa, struct ike_msg_out *m)
{
	struct task_ticket *tt = (struct task_ticket *)t;

	(void)sa;
	if (tt->sent)
		return 0;
	tt->sent = 1;
	return ike_out_notify(m, IKE_N_TICKET_REQUEST, NULL, 0);
}

static int process_i(struct ike_task *t, struct ike_sa *sa, const struct ike_msg_in *m)
{
	struct ike_notify n;
	struct ike_ticket *tk;

	(void)t;
	if (ike_in_notify(m, IKE_N_TICKET_ACK, &n)) {
		log_info(IKE_LOG, "the gateway has no ticket for us now (TICKET_ACK)");
		return 0;
	}
	if (ike_in_notify(m, IKE_N_TICKET_NACK, &n)) {
		log_info(IKE_LOG, "the gateway gives no resumption ticket (TICKET_NACK)");
		return 0;
	}
	if (!ike_in_notify(m, IKE_N_TICKET_LT_OPAQUE, &n))
		return 0;
	if (n.len < 5 || n.len - 4 > IKE_TICKET_MAX_LEN) {
		log_info(IKE_LOG, "TICKET_LT_OPAQUE of %zu octets ignored", n.len);
		return 0; /* the SA is fine; only the ticket is unusable */
	}
	uint32_t life = (uint32_t)n.data[0] << 24 | (uint32_t)n.data[1] << 16 |
			(uint32_t)n.data[2] << 8 | n.data[3];
	if (life == 0) {
		log_info(IKE_LOG, "TICKET_LT_OPAQUE with a zero lifetime ignored");
		return 0;
	}
	if (!sa->ticket && !(sa->ticket = calloc(1, sizeof(*sa->ticket))))
		return 0;
	tk = sa->ticket;
	if (state_of(sa, &tk->st)) {
		crypto_wipe(tk, sizeof(*tk));
		free(tk);
		sa->ticket = NULL;
		return 0;
	}
	memcpy(tk->opaque, n.data + 4, n.len - 4);
	tk->opaque_len = n.len - 4;
	tk->lifetime_s = life;
	log_info(IKE_LOG, "resumption ticket received (%zu octets, lifetime %u s)", tk->opaque_len,
		 life);
	sa->pending_ev |= 1u << IKE_EV_TICKET;
	return 0;
}

static int process_r(struct ike_task *t, struct ike_sa *sa, const struct ike_msg_in *m)
{
	struct task_ticket *tt = (struct task_ticket *)t;
	struct ike_notify n;

	(void)sa;
	if (ike_in_notify(m, IKE_N_TICKET_REQUEST, &n))
		tt->wanted = 1;
	return 0;
}

static int build_r(struct ike_task *t, struct ike_sa *sa, struct ike_msg_out *m)
{
	struct task_ticket *tt = (struct task_ticket *)t;
	struct ike_resume_state st;
	uint8_t *buf;
	size_t len = 0;
	uint32_t life = 0;
	int rc;

	/* After AUTH only (the EAP rounds before it carry nothing). */
	if (!tt->wanted || tt->answered || sa->state != IKE_S_ESTABLISHED)
		return 0;
	tt->answered = 1;
	if (!sa->cfg.ticket_seal)
		return ike_out_notify(m, IKE_N_TICKET_NACK, NULL, 0);
	if (!(buf = malloc(4 + IKE_TICKET_MAX_LEN)))
		return -ENOMEM;
	rc = state_of(sa, &st);
	if (!rc)
		rc = sa->cfg.ticket_seal(sa->cfg.ticket_arg, &st, buf + 4, IKE_TICKET_MAX_LEN, &len,
					 &life);
	ike_resume_state_wipe(&st);
	if (rc || len == 0 || life == 0) {
		log_info(IKE_LOG, "no ticket for the peer: %s", rc ? pt_strerror(rc) : "empty");
		free(buf);
		return ike_out_notify(m, IKE_N_TICKET_NACK, NULL, 0);
	}
	buf[0] = (uint8_t)(life >> 24);
	buf[1] = (uint8_t)(life >> 16);
	buf[2] = (uint8_t)(life >> 8);
	buf[3] = (uint8_t)life;
	rc = ike_out_notify(m, IKE_N_TICKET_LT_OPAQUE, buf, 4 + len);
	log_info(IKE_LOG, "resumption ticket issued (%zu octets, lifetime %u s)", len, life);
	free(buf);
	return rc;
}

static void task_free(struct ike_task *t)
{
	free(t);
}

static const struct ike_task_ops ops_i = { "ticket", IKE_EXCH_AUTH, build_i, process_i, task_free };
static const struct ike_task_ops ops_r = { "ticket", IKE_EXCH_AUTH, build_r, process_r, task_free };

/* Initiators without ticket_request get no task: nothing to send or read. */
static int build_none(struct ike_task *t, struct ike_sa *sa, struct ike_msg_out *m)
{
	(void)t, (void)sa, (void)m;
	return 0;
}

static int process_none(struct ike_task *t, struct ike_sa *sa, const struct ike_msg_in *m)
{
	(void)t, (void)sa, (void)m;
	return 0;
}

static const struct ike_task_ops ops_none = { "ticket", IKE_EXCH_AUTH, build_none, process_none, task_free };

/* The initiator's INFORMATIONAL { N(TICKET_REQUEST) } (RFC 5723 4.3.2). */
static const struct ike_task_ops ops_info = { "ticket-request", IKE_EXCH_INFORMATIONAL, build_i, process_i,
					      task_free };

int ike_task_ticket_info_new(struct ike_sa *sa, struct ike_task **out)
{
	struct task_ticket *tt = calloc(1, sizeof(*tt));
	(void)sa;
	if (!tt)
		return -ENOMEM;
	tt->t.ops = &ops_info;
	tt->t.initiator = 1;
	*out = &tt->t;
	return 0;
}

int ike_task_ticket_new(struct ike_sa *sa, int initiator, struct ike_task **out)
{
	struct task_ticket *tt = calloc(1, sizeof(*tt));
	if (!tt)
		return -ENOMEM;
	tt->t.ops = initiator ? (sa->cfg.ticket_request ? &ops_i : &ops_none) : &ops_r;
	tt->t.initiator = initiator;
	*out = &tt->t;
	return 0;
}
