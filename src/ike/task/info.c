/* INFORMATIONAL (RFC 7296 1.4): liveness checks, deletes and notifies.
 *
 *   initiator (delete):  HDR, SK { D(IKE) } -->         <-- HDR, SK { }
 *   responder:           HDR, SK { [N,] [D,] } -->      <-- HDR, SK { [D(our ESP SPIs)] }
 *
 * An empty request is a liveness check and gets an empty answer. A Delete
 * of the IKE SA ends it (after the answer); a Delete of our Child SA's
 * outbound SPI removes it and is answered with the inbound SPI (1.4.1). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ike/sa_int.h"

struct task_info {
	struct ike_task t;
	int delete_ike;
	int delete_child; /* answer with our inbound SPI */
};

static int process_r(struct ike_task *t, struct ike_sa *sa, const struct ike_msg_in *m)
{
	struct task_info *ti = (struct task_info *)t;
	size_t from = 0;
	const struct ike_pld *p;
	struct ike_delete d;

	while ((p = ike_chain_find(m->chain, IKE_PLD_DELETE, &from))) {
		if (ike_delete_decode(p, &d))
			return -EBADMSG;
		if (d.proto == IKE_PROTO_IKE) {
			ti->delete_ike = 1;
			continue;
		}
		for (size_t i = 0; i < d.n_spi; i++)
			if (d.proto == IKE_PROTO_ESP && sa->child_installed &&
			    ike_delete_spi(&d, i) == sa->child.spi_out)
				ti->delete_child = 1;
	}
	uint16_t err = ike_in_error(m);
	if (err)
		log_warn(IKE_LOG, "the peer reports %s", ike_notify_name(err));
	return 0;
}

static int build_r(struct ike_task *t, struct ike_sa *sa, struct ike_msg_out *m)
{
	struct task_info *ti = (struct task_info *)t;

	if (ti->delete_ike) {
		/* RFC 7296 1.4.1: the answer to an IKE SA delete is empty; the SA
		 * and its Child SAs are gone once it is sent. */
		log_info(IKE_LOG, "the peer deleted the IKE SA");
		ike_sa_set_state(sa, IKE_S_DELETE_SENT);
		return 0;
	}
	if (ti->delete_child) {
		uint8_t spi[4] = { (uint8_t)(sa->child.spi_in >> 24), (uint8_t)(sa->child.spi_in >> 16),
				   (uint8_t)(sa->child.spi_in >> 8), (uint8_t)sa->child.spi_in };
		struct ike_delete d = { .proto = IKE_PROTO_ESP, .spi_len = 4, .n_spi = 1, .spis = spi };
		log_info(IKE_LOG, "the peer deleted Child SA %08x/%08x", sa->child.spi_in,
			 sa->child.spi_out);
		sa->ops.child_down(sa->ops.ctx, sa, &sa->child);
		sa->child_installed = 0;
		ike_bld_begin(&m->b, IKE_PLD_DELETE, 0);
		ike_delete_encode(&m->w, &d);
		return ike_bld_end(&m->b);
	}
	return 0;
}

/* Initiator: delete the whole IKE SA. */
static int build_i(struct ike_task *t, struct ike_sa *sa, struct ike_msg_out *m)
{
	struct ike_delete d = { .proto = IKE_PROTO_IKE };
	ike_sa_set_state(sa, IKE_S_DELETE_SENT);
	ike_bld_begin(&m->b, IKE_PLD_DELETE, 0);
	ike_delete_encode(&m->w, &d);
	return ike_bld_end(&m->b);
}

static int process_i(struct ike_task *t, struct ike_sa *sa, const struct ike_msg_in *m)
{
	return 0;
}

static void task_free(struct ike_task *t) { free(t); }

static const struct ike_task_ops ops_r = { "info", IKE_EXCH_INFORMATIONAL, build_r, process_r, task_free };
static const struct ike_task_ops ops_del = { "delete", IKE_EXCH_INFORMATIONAL, build_i, process_i, task_free };

int ike_task_info_new(struct ike_sa *sa, int initiator, struct ike_task **out)
{
	struct task_info *ti = calloc(1, sizeof(*ti));
	(void)sa;
	if (!ti)
		return -ENOMEM;
	if (initiator) {
		free(ti);
		return -ENOTSUP; /* TODO(issue 3): liveness checks from our side */
	}
	ti->t.ops = &ops_r;
	*out = &ti->t;
	return 0;
}

int ike_task_delete_new(struct ike_sa *sa, int initiator, struct ike_task **out)
{
	struct task_info *ti = calloc(1, sizeof(*ti));
	(void)sa;
	if (!ti)
		return -ENOMEM;
	ti->t.ops = &ops_del;
	ti->t.initiator = initiator;
	*out = &ti->t;
	return 0;
}
