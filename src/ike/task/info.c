/* INFORMATIONAL (RFC 7296 1.4): liveness checks and deletes.
 *
 *   delete IKE SA:   HDR, SK { D(IKE) } -->             <-- HDR, SK { }
 *   delete Child:    HDR, SK { D(ESP, spi_in) } -->     <-- HDR, SK { D(ESP, peer's spi_in) }
 *   liveness:        HDR, SK { } -->                    <-- HDR, SK { }
 *
 * A Delete of the IKE SA ends it (after the answer) unless a rekey made a
 * new IKE SA, which then takes over (RFC 7296 2.18). A Delete of a Child SA
 * names the SPI the sender receives on, i.e. our outbound SPI; the answer
 * names ours (1.4.1). Deletes of SAs we do not have are answered without a
 * Delete, as are SAs we are closing ourselves (2.25.1). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ike/sa_int.h"

#define INFO_SPIS_MAX 8

struct task_info {
	struct ike_task t;
	int delete_ike;
	uint32_t spi;                 /* delete_child: our inbound SPI */
	size_t n_answer;
	uint32_t answer[INFO_SPIS_MAX]; /* responder: our inbound SPIs to name */
};

static int add_delete_esp(struct ike_msg_out *m, const uint32_t *spis, size_t n)
{
	uint8_t b[INFO_SPIS_MAX * 4];
	for (size_t i = 0; i < n; i++)
		ike_spi32_put(spis[i], b + 4 * i);
	struct ike_delete d = { .proto = IKE_PROTO_ESP, .spi_len = 4, .n_spi = (uint16_t)n, .spis = b };
	ike_bld_begin(&m->b, IKE_PLD_DELETE, 0);
	ike_delete_encode(&m->w, &d);
	return ike_bld_end(&m->b);
}

/* ---- responder ---- */

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
		if (d.proto != IKE_PROTO_ESP)
			continue;
		for (size_t i = 0; i < d.n_spi; i++) {
			struct ike_child_sa *c = ike_child_by_spi_out(sa, ike_delete_spi(&d, i));
			if (!c)
				continue;
			log_info(IKE_LOG, "the peer deletes Child SA %08x/%08x", c->c.spi_in, c->c.spi_out);
			if (!c->deleting && ti->n_answer < INFO_SPIS_MAX)
				ti->answer[ti->n_answer++] = c->c.spi_in;
			ike_child_remove(sa, c);
		}
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
		/* The answer is empty; the SA ends (or its rekeyed successor takes
		 * over) once it is sent. */
		log_info(IKE_LOG, sa->next ? "the peer deletes the old IKE SA after a rekey"
					   : "the peer deletes the IKE SA");
		ike_sa_set_state(sa, IKE_S_DELETE_SENT);
		return 0;
	}
	return ti->n_answer ? add_delete_esp(m, ti->answer, ti->n_answer) : 0;
}

/* ---- initiator: delete the IKE SA ---- */

static int build_delete(struct ike_task *t, struct ike_sa *sa, struct ike_msg_out *m)
{
	struct ike_delete d = { .proto = IKE_PROTO_IKE };
	ike_sa_set_state(sa, IKE_S_DELETE_SENT);
	ike_bld_begin(&m->b, IKE_PLD_DELETE, 0);
	ike_delete_encode(&m->w, &d);
	return ike_bld_end(&m->b);
}

static int process_none(struct ike_task *t, struct ike_sa *sa, const struct ike_msg_in *m)
{
	return 0;
}

/* ---- initiator: delete one Child SA ---- */

static int build_delete_child(struct ike_task *t, struct ike_sa *sa, struct ike_msg_out *m)
{
	struct task_info *ti = (struct task_info *)t;
	struct ike_child_sa *c = ike_child_by_spi_in(sa, ti->spi);
	if (!c)
		return 0; /* gone meanwhile (the peer deleted it): nothing to say */
	c->deleting = 1;
	return add_delete_esp(m, &ti->spi, 1);
}

static int process_delete_child(struct ike_task *t, struct ike_sa *sa, const struct ike_msg_in *m)
{
	struct task_info *ti = (struct task_info *)t;
	/* With or without the peer's Delete in the answer, the pair is gone. */
	ike_child_remove(sa, ike_child_by_spi_in(sa, ti->spi));
	return 0;
}

/* ---- initiator: liveness check ---- */

static int build_dpd(struct ike_task *t, struct ike_sa *sa, struct ike_msg_out *m)
{
	return 0;
}

static void task_free(struct ike_task *t) { free(t); }

static const struct ike_task_ops ops_r = { "info", IKE_EXCH_INFORMATIONAL, build_r, process_r, task_free };
static const struct ike_task_ops ops_del = { "delete", IKE_EXCH_INFORMATIONAL, build_delete, process_none, task_free };
static const struct ike_task_ops ops_del_child = { "delete_child", IKE_EXCH_INFORMATIONAL, build_delete_child, process_delete_child, task_free };
static const struct ike_task_ops ops_dpd = { "dpd", IKE_EXCH_INFORMATIONAL, build_dpd, process_none, task_free };

static int task_new(const struct ike_task_ops *ops, int initiator, struct ike_task **out)
{
	struct task_info *ti = calloc(1, sizeof(*ti));
	if (!ti)
		return -ENOMEM;
	ti->t.ops = ops;
	ti->t.initiator = initiator;
	*out = &ti->t;
	return 0;
}

int ike_task_info_new(struct ike_sa *sa, int initiator, struct ike_task **out)
{
	(void)sa;
	return initiator ? -ENOTSUP : task_new(&ops_r, 0, out);
}

int ike_task_delete_new(struct ike_sa *sa, int initiator, struct ike_task **out)
{
	(void)sa;
	return task_new(&ops_del, initiator, out);
}

int ike_task_delete_child_new(struct ike_sa *sa, uint32_t spi_in, struct ike_task **out)
{
	int rc = task_new(&ops_del_child, 1, out);
	(void)sa;
	if (!rc)
		((struct task_info *)*out)->spi = spi_in;
	return rc;
}

int ike_task_dpd_new(struct ike_sa *sa, struct ike_task **out)
{
	(void)sa;
	return task_new(&ops_dpd, 1, out);
}
