/* RFC 4555 MOBIKE, as far as a remote-access client and its gateway need it:
 *
 *   IKE_AUTH:  HDR, SK { ..., N(MOBIKE_SUPPORTED) } -->  <-- HDR, SK { ..., N(MOBIKE_SUPPORTED) }
 *
 *   after the initiator's addresses changed, from the new ones (3.5):
 *   HDR, SK { N(UPDATE_SA_ADDRESSES), N(NAT_D_SRC), N(NAT_D_DST), N(COOKIE2) } -->
 *   <-- HDR, SK { N(NAT_D_SRC), N(NAT_D_DST), N(COOKIE2) }
 *
 * Only the initiator decides on addresses (3.2); the responder takes the
 * ones the authenticated request came from (the owner's ops->addrs gives
 * them while the request is processed) and says so with IKE_EV_UPDATED.
 * COOKIE2 (4.8) ties the answer to this request. No additional addresses
 * are announced: a client has one path at a time (NO_ADDITIONAL_ADDRESSES
 * would be allowed, but the gateway never starts an update here). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/secret.h"
#include "ike/sa_int.h"

#define COOKIE2_LEN 16u

struct task_mobike {
	struct ike_task t;
	int sent;                   /* initiator: MOBIKE_SUPPORTED went out */
	int offered;                /* responder: the initiator offered it */
	int update;                 /* responder: UPDATE_SA_ADDRESSES came */
	uint8_t cookie2[64];
	size_t cookie2_len;
};

/* ---- MOBIKE_SUPPORTED in IKE_AUTH; the responder's side of an update ---- */

static int build_i(struct ike_task *t, struct ike_sa *sa, struct ike_msg_out *m)
{
	struct task_mobike *tm = (struct task_mobike *)t;

	if (!sa->cfg.mobike || tm->sent)
		return 0;
	tm->sent = 1;
	return ike_out_notify(m, IKE_N_MOBIKE_SUPPORTED, NULL, 0);
}

static int process_i(struct ike_task *t, struct ike_sa *sa, const struct ike_msg_in *m)
{
	struct ike_notify n;

	(void)t;
	if (sa->cfg.mobike && ike_in_notify(m, IKE_N_MOBIKE_SUPPORTED, &n))
		sa->mobike = 1;
	return 0;
}

static int process_r(struct ike_task *t, struct ike_sa *sa, const struct ike_msg_in *m)
{
	struct task_mobike *tm = (struct task_mobike *)t;
	struct ike_notify n;

	if (sa->cfg.mobike && ike_in_notify(m, IKE_N_MOBIKE_SUPPORTED, &n))
		tm->offered = 1;
	if (m->hdr.exch != IKE_EXCH_INFORMATIONAL || !ike_in_notify(m, IKE_N_UPDATE_SA_ADDRESSES, &n))
		return 0;
	if (!sa->mobike) {
		log_info(IKE_LOG, "UPDATE_SA_ADDRESSES without MOBIKE ignored");
		return 0;
	}
	/* 3.5: the addresses of this authenticated request are the SA's now,
	 * with the NAT state of the new path. */
	tm->update = 1;
	ike_in_nat_d(sa, m);
	if (ike_in_notify(m, IKE_N_COOKIE2, &n) && n.len >= 8 && n.len <= sizeof(tm->cookie2)) {
		memcpy(tm->cookie2, n.data, n.len);
		tm->cookie2_len = n.len;
	}
	log_info(IKE_LOG, "the peer moved (UPDATE_SA_ADDRESSES; NAT in front of it: %s)",
		 sa->nat_remote ? "yes" : "no");
	sa->pending_ev |= 1u << IKE_EV_UPDATED;
	return 0;
}

static int build_r(struct ike_task *t, struct ike_sa *sa, struct ike_msg_out *m)
{
	struct task_mobike *tm = (struct task_mobike *)t;
	int rc;

	if (tm->offered && sa->state == IKE_S_ESTABLISHED && !sa->mobike) {
		sa->mobike = 1;
		return ike_out_notify(m, IKE_N_MOBIKE_SUPPORTED, NULL, 0);
	}
	if (!tm->update)
		return 0;
	if ((rc = ike_out_nat_d(sa, m)))
		return rc;
	if (tm->cookie2_len)
		rc = ike_out_notify(m, IKE_N_COOKIE2, tm->cookie2, tm->cookie2_len);
	return rc;
}

static void task_free(struct ike_task *t)
{
	free(t);
}

static const struct ike_task_ops ops_i = { "mobike", IKE_EXCH_AUTH, build_i, process_i, task_free };
static const struct ike_task_ops ops_r = { "mobike", IKE_EXCH_AUTH, build_r, process_r, task_free };

int ike_task_mobike_new(struct ike_sa *sa, int initiator, struct ike_task **out)
{
	struct task_mobike *tm = calloc(1, sizeof(*tm));

	(void)sa;
	if (!tm)
		return -ENOMEM;
	tm->t.ops = initiator ? &ops_i : &ops_r;
	tm->t.initiator = initiator;
	*out = &tm->t;
	return 0;
}

/* ---- the initiator's UPDATE_SA_ADDRESSES ---- */

static int update_build(struct ike_task *t, struct ike_sa *sa, struct ike_msg_out *m)
{
	struct task_mobike *tm = (struct task_mobike *)t;
	int rc;

	ike_out_notify(m, IKE_N_UPDATE_SA_ADDRESSES, NULL, 0);
	/* NAT-D for the addresses of this moment (the owner switched them).
	 * On a stream (separate transports) the gateway would check them
	 * against the TCP connection, which says nothing about the UDP path
	 * ESP takes: a source hash that matches nothing makes both ends use
	 * UDP encapsulation, which works with a NAT or without. */
	int forced = sa->cfg.force_natt;
	if (sa->reliable)
		sa->cfg.force_natt = 1;
	rc = ike_out_nat_d(sa, m);
	sa->cfg.force_natt = forced;
	if (rc)
		return rc;
	if ((rc = ike_sa_random(sa, tm->cookie2, COOKIE2_LEN)))
		return rc;
	tm->cookie2_len = COOKIE2_LEN;
	return ike_out_notify(m, IKE_N_COOKIE2, tm->cookie2, tm->cookie2_len);
}

static int update_process(struct ike_task *t, struct ike_sa *sa, const struct ike_msg_in *m)
{
	struct task_mobike *tm = (struct task_mobike *)t;
	struct ike_notify n;
	uint16_t err = ike_in_error(m);

	if (err) {
		/* UNACCEPTABLE_ADDRESSES, UNEXPECTED_NAT_DETECTED (4.9, 4.10):
		 * this path will not do; the SA itself is still there, and no
		 * IKE_EV_UPDATED tells the owner to try otherwise. */
		log_warn(IKE_LOG, "the gateway refused our new addresses: %s", ike_notify_name(err));
		return 0;
	}
	/* 4.8: COOKIE2 comes back unchanged, or the answer does not confirm
	 * the update (the SA stays; the owner tries otherwise). */
	if (!ike_in_notify(m, IKE_N_COOKIE2, &n) || n.len != tm->cookie2_len ||
	    !crypto_memeq(n.data, tm->cookie2, tm->cookie2_len)) {
		log_warn(IKE_LOG, "UPDATE_SA_ADDRESSES answered without our COOKIE2: not taken as done");
		return 0;
	}
	ike_in_nat_d(sa, m);
	log_info(IKE_LOG, "the gateway took our new addresses (NAT in front of us: %s)",
		 sa->nat_local ? "yes" : "no");
	sa->pending_ev |= 1u << IKE_EV_UPDATED;
	return 0;
}

static const struct ike_task_ops ops_update = {
	"mobike-update", IKE_EXCH_INFORMATIONAL, update_build, update_process, task_free,
};

int ike_task_mobike_update_new(struct ike_sa *sa, struct ike_task **out)
{
	struct task_mobike *tm = calloc(1, sizeof(*tm));

	(void)sa;
	if (!tm)
		return -ENOMEM;
	tm->t.ops = &ops_update;
	tm->t.initiator = 1;
	*out = &tm->t;
	return 0;
}
