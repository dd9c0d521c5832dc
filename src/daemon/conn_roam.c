/* How a connection follows the laptop (PRODUCT.md items 7 and 8,
 * specs/transport.md 7 and 8): after every network change or wake-up,
 * the cheapest way back to a working tunnel, each step bounded in time:
 *
 *   same address   ESP Echo and a liveness check on the SA we have
 *                  ("echo", or "liveness" without echo);
 *   new address    MOBIKE's UPDATE_SA_ADDRESSES (RFC 4555) when the
 *                  gateway agreed to MOBIKE;
 *   otherwise, or when that fails, or the SA is gone
 *                  IKE_SESSION_RESUME (RFC 5723) on UDP/4500 with the
 *                  stored ticket ("resume");
 *   last           a full IKE_SA_INIT ("full handshake").
 *
 * The TUN, its routes, DNS and the kill switch stay up throughout, so
 * nothing leaves outside the tunnel while it recovers; only its Child SAs
 * are replaced. Tickets are single use: kept in memory and in a 0600 file
 * per profile (ticket_store.h), deleted when used, on logout and when the
 * gateway deletes the SA. The status says what changed last, how the
 * tunnel recovered and how long that took. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/err.h"
#include "base/log.h"
#include "crypto/secret.h"
#include "daemon/conn_int.h"
#include "daemon/ticket_store.h"
#include "net/addr.h"
#include "tunnel/tunnel.h"

#define CHECK_MS 2500u        /* same address: echo or liveness must answer within */
#define MOBIKE_MS 2500u       /* UPDATE_SA_ADDRESSES must be answered within */
#define RESUME_RETX_MS 500u   /* IKE_SESSION_RESUME: 500, 1000 ms, then give up ... */
#define RESUME_TRIES 2u       /* ... and do a full handshake */

static const char *step_name(enum roam_step s)
{
	switch (s) {
	case ROAM_CHECK: return "echo";
	case ROAM_MOBIKE: return "MOBIKE";
	case ROAM_RESUME: return "resume";
	case ROAM_FULL: return "full handshake";
	default: return "none";
	}
}

static int64_t wall_s(void) { return (int64_t)time(NULL); }

/* ---- tickets ---- */

static void ticket_drop(struct conn *c)
{
	if (c->ticket) {
		crypto_wipe(c->ticket, sizeof(*c->ticket));
		free(c->ticket);
		c->ticket = NULL;
	}
}

void roam_forget_ticket(struct conn *c)
{
	ticket_drop(c);
	if (c->state_dir && c->p->resume) {
		int rc = ticket_store_delete(c->state_dir, c->p->name);
		if (rc == 0)
			log_info(CLOG, "%s: resumption ticket deleted", c->p->name);
	}
}

/* RFC 5723 4.3.2: a new ticket before the last one expires. */
static void on_ticket_timer(uv_timer_t *h)
{
	struct conn *c = h->data;
	if (c->sa && !c->going_down && c->roam == ROAM_IDLE && ike_sa_request_ticket(c->sa) == 0)
		log_info(CLOG, "%s: asking for a new resumption ticket", c->p->name);
}

static void ticket_keep(struct conn *c)
{
	const char *why = NULL;
	struct ike_ticket *t;

	if (!c->p->resume || !(t = calloc(1, sizeof(*t))))
		return;
	if (ike_sa_ticket(c->sa, t)) {
		free(t);
		return;
	}
	ticket_drop(c);
	c->ticket = t;
	c->ticket_expires = wall_s() + t->lifetime_s;
	/* at three quarters of its life (at least a minute from now) */
	uint64_t again = (uint64_t)t->lifetime_s * 750;
	uv_timer_start(&c->ticket_timer, on_ticket_timer, again < 60000 ? 60000 : again, 0);
	if (c->state_dir &&
	    ticket_store_save(c->state_dir, c->p->name, c->p->gateway, t, (uint64_t)wall_s(), &why))
		log_warn(CLOG, "%s: the resumption ticket is kept in memory only: %s", c->p->name,
			 why ? why : "cannot store it");
}

/* The ticket to resume with, taken (single use): memory first, then the
 * store (a restarted daemon). NULL when there is none or it expired. */
static struct ike_ticket *ticket_take(struct conn *c)
{
	const char *why = NULL;
	uint64_t expires = 0;
	struct ike_ticket *t = c->ticket;

	c->ticket = NULL;
	if (t && (int64_t)c->ticket_expires <= wall_s() + 30) {
		log_info(CLOG, "%s: the resumption ticket has expired", c->p->name);
		crypto_wipe(t, sizeof(*t));
		free(t);
		t = NULL;
	}
	if (!t && c->state_dir && (t = calloc(1, sizeof(*t)))) {
		int rc = ticket_store_load(c->state_dir, c->p->name, c->p->gateway, (uint64_t)wall_s(), t,
					   &expires, &why);
		if (rc) {
			if (rc != -ENOENT)
				log_info(CLOG, "%s: no usable resumption ticket: %s", c->p->name,
					 why ? why : pt_strerror(rc));
			free(t);
			t = NULL;
		}
	}
	if (c->state_dir)
		ticket_store_delete(c->state_dir, c->p->name);
	return t;
}

/* ---- the steps ---- */

static void on_roam_timer(uv_timer_t *h);

static void record_recovery(struct conn *c, const char *how)
{
	if (c->state == PETREL_STATE_RECONNECTING && c->sa && ike_sa_state(c->sa) == IKE_S_ESTABLISHED)
		conn_set_state(c, PETREL_STATE_CONNECTED);
	uint64_t ms = uv_now(c->loop) - c->roam_start_ms;
	snprintf(c->recovered_by, sizeof(c->recovered_by), "%s", how);
	c->recovery_ms = (int64_t)ms;
	c->roam = ROAM_IDLE;
	uv_timer_stop(&c->roam_timer);
	log_info(CLOG, "%s: recovered from '%s' by %s in %llu ms", c->p->name, c->change_what, how,
		 (unsigned long long)ms);
	if (c->ev.path) {
		char why[CTL_MSG_MAX];
		snprintf(why, sizeof(why), "recovered by %s in %llu ms after: %.120s", how,
			 (unsigned long long)ms, c->change_what);
		c->ev.path(c->ev.ctx, c, why);
	}
}

/* Replace the IKE SA (not from inside its callbacks: the timer runs it). */
static void replace_sa_soon(struct conn *c, enum roam_step step)
{
	c->roam = step;
	c->roam_act = 1;
	uv_timer_start(&c->roam_timer, on_roam_timer, 0, 0);
}

static void replace_sa(struct conn *c)
{
	c->roam_act = 0;
	conn_set_state(c, PETREL_STATE_RECONNECTING);
	log_info(CLOG, "%s: %s", c->p->name,
		 c->roam == ROAM_RESUME ? "resuming the session (IKE_SESSION_RESUME)"
					: "starting a new IKE SA (full handshake)");
	conn_restart(c);
}

static void on_roam_timer(uv_timer_t *h)
{
	struct conn *c = h->data;

	if (c->going_down || !c->sa)
		return;
	if (c->roam_act) {
		replace_sa(c);
		return;
	}
	switch (c->roam) {
	case ROAM_CHECK:
		if (c->roam_heard_ike) {
			/* the SA lives; ESP Echo has not settled the datagram
			 * path yet (conn_path.c moves ESP into TCP if it must) */
			record_recovery(c, "liveness check");
			break;
		}
		log_info(CLOG, "%s: no answer on the current path within %u ms", c->p->name, CHECK_MS);
		replace_sa_soon(c, ROAM_RESUME);
		break;
	case ROAM_MOBIKE:
		log_info(CLOG, "%s: MOBIKE update unanswered within %u ms", c->p->name, MOBIKE_MS);
		replace_sa_soon(c, ROAM_RESUME);
		break;
	default:
		break;
	}
}

int roam_prepare_sa(struct conn *c)
{
	c->cfg.ticket_request = c->p->resume;
	c->cfg.mobike = c->p->mobike;
	/* RFC 7296 2.4: a full handshake after a move replaces the SA we
	 * abandoned: the gateway may retire it (and give us its address back) */
	c->cfg.initial_contact = c->roam == ROAM_FULL || c->roam == ROAM_RESUME;
	c->cfg.resume = NULL;
	c->cfg.retx_base_ms = 0;
	c->cfg.retx_tries = 0;
	c->resuming = 0;
	if (!c->p->resume || c->roam == ROAM_FULL)
		return 0;
	struct ike_ticket *t = ticket_take(c);
	if (!t) {
		if (c->roam == ROAM_RESUME) {
			log_info(CLOG, "%s: no resumption ticket: full handshake", c->p->name);
			c->roam = ROAM_FULL;
		}
		return 0;
	}
	/* RFC 5723 on UDP/4500 (the reliable-transport draft: TCP only for a
	 * TCP-only profile); a short schedule, then a full handshake. */
	c->resume_ticket = t;
	c->cfg.resume = t;
	c->cfg.retx_base_ms = RESUME_RETX_MS;
	c->cfg.retx_tries = RESUME_TRIES;
	c->resuming = 1;
	if (c->roam == ROAM_IDLE) {
		/* first connect with a ticket a previous run of the daemon kept */
		c->roam = ROAM_RESUME;
		c->roam_start_ms = uv_now(c->loop);
		snprintf(c->change_what, sizeof(c->change_what), "petreld restarted");
	}
	return 1;
}

void roam_sa_made(struct conn *c)
{
	/* the engine copied what it needs */
	c->cfg.resume = NULL;
	if (c->resume_ticket) {
		crypto_wipe(c->resume_ticket, sizeof(*c->resume_ticket));
		free(c->resume_ticket);
		c->resume_ticket = NULL;
	}
}

void roam_changed(struct conn *c, const char *what, int moved)
{
	if (!c->sa || c->going_down ||
	    (c->state != PETREL_STATE_CONNECTED && c->state != PETREL_STATE_RECONNECTING))
		return;
	snprintf(c->change_what, sizeof(c->change_what), "%s", what);
	c->change_at = wall_s();
	c->roam_start_ms = uv_now(c->loop);
	if (c->roam == ROAM_RESUME || c->roam == ROAM_FULL) {
		/* a new SA is being made already: its messages take the new path */
		return;
	}
	if (!moved) {
		/* the SA we have may still work: ESP Echo (conn_path.c probes
		 * now) or an answered liveness check says so */
		c->roam = ROAM_CHECK;
		c->roam_heard_ike = 0;
		if (ike_sa_state(c->sa) == IKE_S_ESTABLISHED)
			ike_sa_dpd(c->sa);
		uv_timer_start(&c->roam_timer, on_roam_timer, CHECK_MS, 0);
		return;
	}
	/* our address changed: nothing passes until the SA follows */
	conn_set_state(c, PETREL_STATE_RECONNECTING);
	if (ike_sa_mobike(c->sa) && ike_sa_update_addresses(c->sa) == 0) {
		c->roam = ROAM_MOBIKE;
		uv_timer_start(&c->roam_timer, on_roam_timer, MOBIKE_MS, 0);
		return;
	}
	replace_sa_soon(c, ROAM_RESUME);
}

void roam_offline(struct conn *c, const char *what)
{
	if (!c->sa || c->going_down ||
	    (c->state != PETREL_STATE_CONNECTED && c->state != PETREL_STATE_RECONNECTING))
		return;
	snprintf(c->change_what, sizeof(c->change_what), "%s (no path to the gateway)", what);
	c->change_at = wall_s();
	c->roam_start_ms = uv_now(c->loop);
	if (c->roam == ROAM_CHECK || c->roam == ROAM_MOBIKE) {
		uv_timer_stop(&c->roam_timer);
		c->roam = ROAM_IDLE;
	}
	conn_set_state(c, PETREL_STATE_RECONNECTING);
}

void roam_heard(struct conn *c, int esp)
{
	if (c->roam != ROAM_CHECK)
		return;
	if (!esp)
		c->roam_heard_ike = 1;
	if (esp)
		record_recovery(c, "echo");
	else if (!ike_sa_echo(c->sa) || !ike_sa_separate(c->sa))
		record_recovery(c, "liveness check");
	/* else: IKE answers, ESP Echo decides (and may move ESP into TCP) */
}

/* The NAT state of the new path decides UDP or raw ESP (RFC 4555 3.5). */
static void after_update(struct conn *c)
{
	int udp = c->p->encap_udp || ike_sa_nat_local(c->sa) || ike_sa_nat_remote(c->sa);
	if (!c->tun)
		return;
	if (!udp && c->raw_fd < 0 && conn_open_raw(c) != 0)
		udp = 1; /* no raw socket: stay in UDP */
	tunnel_set_encap(c->tun, udp, net_sa_port((struct sockaddr *)&c->gw));
	char a[INET6_ADDRSTRLEN] = "?";
	const void *ip = c->local.ss_family == AF_INET6 ? (const void *)&((struct sockaddr_in6 *)&c->local)->sin6_addr
							: (const void *)&((struct sockaddr_in *)&c->local)->sin_addr;
	inet_ntop(c->local.ss_family, ip, a, sizeof(a));
	path_say(c, "MOBIKE: the gateway moved the IKE SA to %s; IKE %s, ESP %s", a,
		 path_ike(c) == PETREL_PATH_TCP ? "in a new TCP stream" : "on UDP",
		 c->esp_tcp ? "in the TCP stream" : udp ? "on UDP" : "as raw ESP (IP protocol 50)");
}

int roam_event(struct conn *c, enum ike_event ev, int err)
{
	switch (ev) {
	case IKE_EV_TICKET:
		ticket_keep(c);
		return 1;
	case IKE_EV_REKEYED:
		/* a new SK_d: a ticket for it (the old one stays usable meanwhile) */
		if (c->p->resume && c->ticket)
			uv_timer_start(&c->ticket_timer, on_ticket_timer, 0, 0);
		return 0;
	case IKE_EV_UPDATED:
		after_update(c);
		if (c->roam == ROAM_MOBIKE)
			record_recovery(c, "MOBIKE");
		return 1;
	case IKE_EV_ESTABLISHED:
		if (c->roam == ROAM_RESUME || c->roam == ROAM_FULL)
			record_recovery(c, c->resuming ? "resume" : "full handshake");
		c->resuming = 0;
		return 0;
	case IKE_EV_DELETED:
		roam_forget_ticket(c); /* the gateway ended the session */
		return 0;
	case IKE_EV_UNKNOWN:
		/* the gateway lost our SA (it restarted): resume now rather
		 * than after the retransmissions */
		if (c->roam == ROAM_RESUME || c->roam == ROAM_FULL || c->going_down)
			return 1;
		if (c->roam == ROAM_IDLE) {
			snprintf(c->change_what, sizeof(c->change_what),
				 "the gateway does not know the IKE SA (INVALID_IKE_SPI)");
			c->change_at = wall_s();
			c->roam_start_ms = uv_now(c->loop);
		}
		replace_sa_soon(c, ROAM_RESUME);
		return 1;
	case IKE_EV_FAILED:
		if (c->resuming) {
			/* RFC 5723 4.3.1: refused (TICKET_NACK) or unanswered:
			 * a full handshake follows. */
			log_info(CLOG, "%s: resumption %s: full handshake", c->p->name,
				 err == -ESTALE ? "refused by the gateway" : pt_strerror(err));
			c->resuming = 0;
			replace_sa_soon(c, ROAM_FULL);
			return 1;
		}
		if (c->roam == ROAM_CHECK || c->roam == ROAM_MOBIKE ||
		    ((c->state == PETREL_STATE_CONNECTED || c->state == PETREL_STATE_RECONNECTING) &&
		     c->have_child && !c->going_down)) {
			/* the established SA died (no answer, refused update): try
			 * to get back without the user */
			log_info(CLOG, "%s: the IKE SA failed (%s); recovering", c->p->name, pt_strerror(err));
			if (c->roam == ROAM_IDLE) {
				snprintf(c->change_what, sizeof(c->change_what), "IKE SA failed: %s",
					 pt_strerror(err));
				c->change_at = wall_s();
				c->roam_start_ms = uv_now(c->loop);
			}
			replace_sa_soon(c, ROAM_RESUME);
			return 1;
		}
		return 0;
	default:
		return 0;
	}
}

void roam_status(const struct conn *c, struct ctl_profile_status *o)
{
	snprintf(o->last_change, sizeof(o->last_change), "%s", c->change_what);
	o->last_change_at = c->change_at;
	snprintf(o->recovered_by, sizeof(o->recovered_by), "%s",
		 c->roam != ROAM_IDLE ? "" : c->recovered_by);
	o->recovery_ms = c->roam != ROAM_IDLE ? -1 : c->recovery_ms;
	if (c->roam != ROAM_IDLE)
		snprintf(o->recovering, sizeof(o->recovering), "%s", step_name(c->roam));
}

void roam_reset(struct conn *c)
{
	uv_timer_stop(&c->roam_timer);
	uv_timer_stop(&c->ticket_timer);
	c->roam = ROAM_IDLE;
	c->roam_act = 0;
	c->resuming = 0;
	roam_sa_made(c);
}

void roam_init(struct conn *c)
{
	uv_timer_init(c->loop, &c->roam_timer);
	uv_timer_init(c->loop, &c->ticket_timer);
	c->roam_timer.data = c->ticket_timer.data = c;
	c->handles_open += 2;
	c->recovery_ms = -1;
}

void roam_close_handles(struct conn *c, uv_close_cb cb)
{
	roam_reset(c);
	ticket_drop(c);
	uv_close((uv_handle_t *)&c->roam_timer, cb);
	uv_close((uv_handle_t *)&c->ticket_timer, cb);
}
