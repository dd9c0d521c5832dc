/* CREATE_CHILD_SA as responder (RFC 7296 1.3): the request says what it is.
 * An SA payload proposing protocol IKE rekeys the IKE SA (1.3.2); one with
 * N(REKEY_SA) rekeys a Child SA (1.3.3); anything else asks for another
 * Child SA, which a remote-access peer of ours does not need: it gets
 * NO_ADDITIONAL_SAS (1.3.1, 3.10.1). */
#include <errno.h>
#include <stdlib.h>

#include "ike/sa_int.h"

static int refuse_process(struct ike_task *t, struct ike_sa *sa, const struct ike_msg_in *m)
{
	ike_sa_refuse(sa, IKE_N_NO_ADDITIONAL_SAS, NULL, 0);
	return -ENOTSUP;
}

static int refuse_build(struct ike_task *t, struct ike_sa *sa, struct ike_msg_out *m)
{
	return 0;
}

static void refuse_free(struct ike_task *t) { free(t); }

static const struct ike_task_ops ops_refuse = {
	"ccsa_refuse", IKE_EXCH_CREATE_CHILD_SA, refuse_build, refuse_process, refuse_free,
};

int ike_task_ccsa_r_new(struct ike_sa *sa, const struct ike_msg_in *m, struct ike_task **out)
{
	const struct ike_pld *p = ike_chain_find(m->chain, IKE_PLD_SA, NULL);
	struct ike_notify n;
	struct ike_sa_pld *sap;
	int is_ike = 0;

	if (p && (sap = malloc(sizeof(*sap)))) {
		is_ike = ike_sa_pld_decode(p, sap) == 0 && sap->n_prop && sap->prop[0].proto == IKE_PROTO_IKE;
		free(sap);
	}
	if (is_ike)
		return ike_task_rekey_ike_r_new(sa, out);
	if (ike_in_notify(m, IKE_N_REKEY_SA, &n))
		return ike_task_rekey_child_r_new(sa, out);
	struct ike_task *t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->ops = &ops_refuse;
	*out = t;
	return 0;
}
