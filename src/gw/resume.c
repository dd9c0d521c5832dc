/* petrel-gw's side of RFC 5723 session resumption: it issues tickets sealed
 * with a key only it holds (ticket.c), opens the ones clients present, and
 * lets a resumed SA take the place of the one it continues: the same
 * virtual addresses, and the old SA gone once the new one is established
 * (not before: a client that cannot finish IKE_AUTH must not end anyone's
 * session). A gateway that restarted has no old SA: the ticket alone is
 * enough, and the addresses come from the pool. */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "base/err.h"
#include "base/log.h"
#include "conf/conf.h"
#include "gw/gw_int.h"
#include "gw/ticket.h"

static int seal(void *arg, const struct ike_resume_state *st, uint8_t *out, size_t cap,
		size_t *len, uint32_t *lifetime_s)
{
	struct gw *gw = arg;
	int rc = gw_ticket_seal(gw->tickets, st, (uint64_t)time(NULL), 0, out, cap, len, lifetime_s);
	struct gw_sa *gs = gw_find_sa(gw, st->spi_i, st->spi_r);
	if (!rc && gs) {
		memcpy(gs->tk_spi_i, st->spi_i, 8);
		memcpy(gs->tk_spi_r, st->spi_r, 8);
	}
	return rc;
}

static int open_ticket(void *arg, const uint8_t *t, size_t len, struct ike_resume_state *st)
{
	struct gw *gw = arg;
	int rc = gw_ticket_open(gw->tickets, t, len, (uint64_t)time(NULL), st);
	if (rc)
		log_info(GW_LOG, "ticket of %zu octets refused: %s", len, gw_ticket_strerror(rc));
	return rc;
}

int gw_resume_setup(struct gw *gw, const struct conf_gw *c)
{
	const char *why = "";
	int rc;

	gw->cfg.mobike = c->mobike;
	if (!c->ticket_lifetime_s)
		return 0;
	uint32_t rotate = c->ticket_rotate_s ? c->ticket_rotate_s : 2 * c->ticket_lifetime_s;
	rc = gw_tickets_new(c->ticket_lifetime_s, rotate,
			    c->ticket_key_file[0] ? c->ticket_key_file : NULL, &gw->tickets, &why);
	if (rc) {
		log_err(GW_LOG, "%s: tickets: %s%s%s", c->file,
			c->ticket_key_file[0] ? c->ticket_key_file : "", c->ticket_key_file[0] ? " " : "",
			why);
		return rc;
	}
	gw->cfg.ticket_seal = seal;
	gw->cfg.ticket_open = open_ticket;
	gw->cfg.ticket_arg = gw;
	return 0;
}

/* The SA this resumed one continues: by the SPIs it had when its ticket
 * was sealed (an IKE rekey since gives it new ones), or by the ticket's. */
static struct gw_sa *old_of(struct gw *gw, const struct gw_sa *gs)
{
	struct gw_sa *o = gw_find_sa(gw, gs->old_spi_i, gs->old_spi_r);
	if (o && o != gs && !o->dead)
		return o;
	for (o = gw->head; o; o = o->next)
		if (o != gs && !o->dead && memcmp(o->tk_spi_i, gs->old_spi_i, 8) == 0 && /* public-memcmp: SPIs */
		    memcmp(o->tk_spi_r, gs->old_spi_r, 8) == 0) /* public-memcmp: SPIs */
			return o;
	return NULL;
}

void gw_resume_new_sa(struct gw *gw, struct gw_sa *gs)
{
	struct ike_resume_state old;

	if (!ike_sa_resumed(gs->sa, &old))
		return;
	gs->resumes = 1;
	memcpy(gs->old_spi_i, old.spi_i, 8);
	memcpy(gs->old_spi_r, old.spi_r, 8);
	ike_resume_state_wipe(&old);
	struct gw_sa *o = old_of(gw, gs);
	if (o) {
		gs->has_v4 = o->has_v4;
		memcpy(gs->v4, o->v4, 4);
		gs->has_v6 = o->has_v6;
		memcpy(gs->v6, o->v6, 16);
		gs->borrowed = 1;
		log_info(GW_LOG, "%s: resumes %s (its virtual addresses carry over)", gs->name, o->name);
	} else {
		if (gw->pool4.family && gw_pool_take(&gw->pool4, gs->v4) == 0)
			gs->has_v4 = 1;
		if (gw->pool6.family && gw_pool_take(&gw->pool6, gs->v6) == 0)
			gs->has_v6 = 1;
		log_info(GW_LOG, "%s: resumes an IKE SA this gateway no longer has", gs->name);
	}
	ike_sa_set_cp(gs->sa, gs->has_v4 ? gs->v4 : NULL, gs->has_v6 ? gs->v6 : NULL);
}

static int same_id(const struct ike_ident *a, const struct ike_ident *b)
{
	return a->type && a->type == b->type && a->len == b->len &&
	       memcmp(a->data, b->data, a->len) == 0; /* public-memcmp: identity */
}

void gw_initial_contact(struct gw *gw, struct gw_sa *gs)
{
	const struct ike_ident *id = ike_sa_peer_id(gs->sa);
	struct gw_sa *o, *next;

	for (o = gw->head; o; o = next) {
		next = o->next;
		if (o == gs || o->dead || !o->sa || !same_id(ike_sa_peer_id(o->sa), id))
			continue;
		log_info(GW_LOG, "%s: INITIAL_CONTACT: %s of the same client ends", gs->name, o->name);
		/* its virtual addresses go to the new SA (the client keeps them),
		 * ours back to the pool */
		if (o->has_v4 && gs->has_v4 && !gs->borrowed) {
			gw_pool_put(&gw->pool4, gs->v4);
			memcpy(gs->v4, o->v4, 4);
			o->has_v4 = 0;
		}
		if (o->has_v6 && gs->has_v6 && !gs->borrowed) {
			gw_pool_put(&gw->pool6, gs->v6);
			memcpy(gs->v6, o->v6, 16);
			o->has_v6 = 0;
		}
		gw_destroy_sa(gw, o);
	}
	ike_sa_set_cp(gs->sa, gs->has_v4 ? gs->v4 : NULL, gs->has_v6 ? gs->v6 : NULL);
}

void gw_resume_established(struct gw *gw, struct gw_sa *gs)
{
	if (!gs->resumes)
		return;
	gs->resumes = 0;
	struct gw_sa *o = old_of(gw, gs);
	if (o) {
		log_info(GW_LOG, "%s: resumed; %s ends", gs->name, o->name);
		/* its addresses are ours now: not back to the pool */
		if (gs->borrowed)
			o->has_v4 = o->has_v6 = 0;
		gw_destroy_sa(gw, o);
	} else if (gs->borrowed) {
		/* the old SA ended meanwhile and gave the addresses back: take
		 * them for good */
		log_info(GW_LOG, "%s: resumed (the old SA had ended)", gs->name);
	}
	gs->borrowed = 0;
}
