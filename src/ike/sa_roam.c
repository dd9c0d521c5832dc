/* The roaming side of the IKE SA's API (ike.h): RFC 5723 tickets and
 * resumption, RFC 4555 MOBIKE updates, and a responder's CP addresses. The
 * exchanges themselves are tasks: task/resume.c, task/ticket.c,
 * task/mobike.c. */
#include <errno.h>
#include <string.h>

#include "ike/sa_int.h"

void ike_sa_set_cp(struct ike_sa *sa, const uint8_t v4[4], const uint8_t v6[16])
{
	sa->cfg.cp_has_v4 = v4 != NULL;
	if (v4)
		memcpy(sa->cfg.cp_v4, v4, 4);
	sa->cfg.cp_has_v6 = v6 != NULL;
	if (v6)
		memcpy(sa->cfg.cp_v6, v6, 16);
}

int ike_exch_first(uint8_t exch)
{
	return exch == IKE_EXCH_SA_INIT || exch == IKE_EXCH_SESSION_RESUME;
}

int ike_sa_ticket(const struct ike_sa *sa, struct ike_ticket *out)
{
	if (!sa->ticket)
		return -ENOENT;
	*out = *sa->ticket;
	return 0;
}

int ike_sa_request_ticket(struct ike_sa *sa)
{
	struct ike_task *t;
	int rc;

	if (sa->state != IKE_S_ESTABLISHED || sa->role != IKE_ROLE_INITIATOR)
		return -EINVAL;
	if ((rc = ike_task_ticket_info_new(sa, &t)))
		return rc;
	ike_sa_queue(sa, t);
	return 0;
}

int ike_sa_resumed(const struct ike_sa *sa, struct ike_resume_state *old)
{
	if (!sa->resumed || sa->role != IKE_ROLE_RESPONDER || !sa->resume)
		return 0;
	if (old)
		*old = sa->resume->st;
	return 1;
}

int ike_sa_update_addresses(struct ike_sa *sa)
{
	struct ike_task *t;
	int rc;

	if (sa->state != IKE_S_ESTABLISHED)
		return -EINVAL;
	if (!sa->mobike || sa->role != IKE_ROLE_INITIATOR)
		return -ENOTSUP;
	/* One waiting in the queue is built when it goes out, with the
	 * addresses of that moment: enough. One in flight describes the old
	 * path: another follows it. */
	for (struct ike_task *q = sa->queue; q; q = q->next)
		if (strcmp(q->ops->name, "mobike-update") == 0)
			return 0;
	if ((rc = ike_task_mobike_update_new(sa, &t)))
		return rc;
	ike_sa_queue(sa, t);
	return 0;
}

/* RFC 7296 2.21.4: the peer does not know this SA and said so without
 * protection. Told once per request; the request stays in flight (anyone
 * could have sent this). */
int ike_sa_unknown_spi_answer(struct ike_sa *sa, const struct ike_msg *outer)
{
	struct ike_notify n;
	if (ike_exch_first(outer->hdr.exch) || !outer->chain.n ||
	    outer->chain.pld[0].type != IKE_PLD_NOTIFY || ike_notify_decode(&outer->chain.pld[0], &n) ||
	    n.type != IKE_N_INVALID_IKE_SPI || sa->state != IKE_S_ESTABLISHED)
		return 0;
	if (sa->unknown_told == sa->next_req_id + 1)
		return 1;
	sa->unknown_told = sa->next_req_id + 1;
	log_info(IKE_LOG, "%s request id %u answered with INVALID_IKE_SPI: the peer does not know this IKE SA",
		 ike_exch_name(sa->active_exch), sa->next_req_id);
	sa->ops.event(sa->ops.ctx, sa, IKE_EV_UNKNOWN, -ENOENT);
	return 1;
}
