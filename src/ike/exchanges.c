/* Which tasks answer each exchange a peer starts (RFC 7296 1.2-1.4, RFC
 * 9242, RFC 5723, RFC 4555): a responder's side of the task manager. */
#include <errno.h>

#include "ike/sa_int.h"

typedef int (*task_ctor)(struct ike_sa *sa, int initiator, struct ike_task **out);

/* The responder's tasks of one exchange, in order, into a list. */
static int make(struct ike_sa *sa, const task_ctor *ctor, size_t n, struct ike_task **out)
{
	struct ike_task *t, **tail = out;
	int rc = 0;

	for (size_t i = 0; i < n && !rc; i++) {
		rc = ctor[i](sa, 0, &t);
		if (!rc) {
			*tail = t;
			tail = &t->next;
		}
	}
	return rc;
}

#define MAKE(sa, ctors, out) make(sa, ctors, sizeof(ctors) / sizeof(ctors[0]), out)

int ike_sa_responder_tasks(struct ike_sa *sa, const struct ike_msg_in *in, struct ike_task **out)
{
	static const task_ctor init[] = { ike_task_init_new };
	static const task_ctor resume[] = { ike_task_resume_new };
	static const task_ctor inter[] = { ike_task_inter_new };
	static const task_ctor info[] = { ike_task_info_new, ike_task_ticket_new, ike_task_mobike_new };
	/* IKE_AUTH: identities and AUTH (or the resumed kind), the ticket and
	 * MOBIKE notifies, CP, the first Child SA */
	const task_ctor auth[] = {
		sa->resumed ? ike_task_resume_auth_new : ike_task_auth_new, ike_task_ticket_new,
		ike_task_mobike_new, ike_task_cfg_new, ike_task_child_new,
	};
	struct ike_task *t = NULL;
	int rc;

	*out = NULL;
	switch (in->hdr.exch) {
	case IKE_EXCH_SA_INIT:
		rc = MAKE(sa, init, out);
		break;
	case IKE_EXCH_SESSION_RESUME:
		if (!sa->cfg.ticket_open) {
			/* RFC 5723 4.3.1: no tickets here: a full IKE_SA_INIT */
			ike_sa_refuse(sa, IKE_N_TICKET_NACK, NULL, 0);
			return 0;
		}
		rc = MAKE(sa, resume, out);
		break;
	case IKE_EXCH_AUTH:
		rc = MAKE(sa, auth, out);
		break;
	case IKE_EXCH_INTERMEDIATE:
		rc = MAKE(sa, inter, out);
		break;
	case IKE_EXCH_INFORMATIONAL:
		rc = MAKE(sa, info, out);
		break;
	case IKE_EXCH_CREATE_CHILD_SA:
		/* rekey or new Child SA: chosen from the request */
		if (sa->state != IKE_S_ESTABLISHED)
			return -ENOTSUP;
		rc = ike_task_ccsa_r_new(sa, in, &t);
		if (!rc)
			*out = t;
		break;
	default:
		return -ENOTSUP;
	}
	if (rc) {
		ike_tasks_free(*out);
		*out = NULL;
	}
	return rc;
}
