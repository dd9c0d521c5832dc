/* petrel-gw: the SA table, the engine's ops over ikesock, pools, timers,
 * reaping and shutdown (see gw.h). */
#include "gw/dp.h"
#include "gw/gw.h"
#include "gw/gw_int.h"
#include "gw/ticket.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/hex.h"
#include "base/log.h"
#include "crypto/secret.h"
#include "gw/pool.h"
#include "gw/creds.h"
#include "ike/ident.h"
#include "ike/ike.h"
#include "ike/pld/consts.h"
#include "ike/proposal.h"
#include "net/addr.h"
#include "net/ikesock.h"
#include "net/tcpconn.h"

static unsigned bucket_of(const uint8_t spi_i[8])
{
	/* SPIs are random (RFC 7296 2.6): their low bits spread well. */
	return ((unsigned)spi_i[6] << 8 | spi_i[7]) % GW_BUCKETS;
}

static void set_name(struct gw_sa *gs)
{
	hex_encode(gs->name, 17, gs->spi_i, 8);
	gs->name[16] = '_';
	hex_encode(gs->name + 17, 17, gs->spi_r, 8);
}

static void link_sa(struct gw *gw, struct gw_sa *gs)
{
	unsigned b = bucket_of(gs->spi_i);
	gs->bnext = gw->bucket[b];
	gw->bucket[b] = gs;
	gs->next = gw->head;
	if (gw->head)
		gw->head->prev = gs;
	gw->head = gs;
	gs->linked = 1;
	gw->n_sas++;
}

static void unlink_sa(struct gw *gw, struct gw_sa *gs)
{
	if (!gs->linked)
		return;
	struct gw_sa **pp = &gw->bucket[bucket_of(gs->spi_i)];
	while (*pp && *pp != gs)
		pp = &(*pp)->bnext;
	if (*pp)
		*pp = gs->bnext;
	if (gs->prev)
		gs->prev->next = gs->next;
	else
		gw->head = gs->next;
	if (gs->next)
		gs->next->prev = gs->prev;
	gs->linked = 0;
	gw->n_sas--;
}

static struct gw_sa *find_sa(struct gw *gw, const uint8_t *spi_i, const uint8_t *spi_r)
{
	for (struct gw_sa *gs = gw->bucket[bucket_of(spi_i)]; gs; gs = gs->bnext)
		if (!gs->dead && memcmp(gs->spi_i, spi_i, 8) == 0 && /* public-memcmp: SPIs */
		    memcmp(gs->spi_r, spi_r, 8) == 0)
			return gs;
	return NULL;
}

/* An SA's other SPIs (the peer's redundant SA after an IKE rekey
 * collision, RFC 7296 2.8.2): only this peer's SAs are asked. */
static struct gw_sa *find_claimed(struct gw *gw, const uint8_t *spi_i, const uint8_t *spi_r,
				  const struct sockaddr *from)
{
	for (struct gw_sa *gs = gw->head; gs; gs = gs->next)
		if (!gs->dead && gs->sa && net_sa_eq_ip(from, (const struct sockaddr *)&gs->peer) &&
		    ike_sa_claims_spis(gs->sa, spi_i, spi_r))
			return gs;
	return NULL;
}

/* RFC 7296 2.1: a retransmitted IKE_SA_INIT has the same SPIi and comes
 * from the same address. */
static struct gw_sa *find_init(struct gw *gw, const uint8_t *spi_i, const struct sockaddr *from)
{
	for (struct gw_sa *gs = gw->bucket[bucket_of(spi_i)]; gs; gs = gs->bnext)
		if (!gs->dead && gs->half_open && memcmp(gs->spi_i, spi_i, 8) == 0 && /* public-memcmp: SPIs */
		    net_sa_eq((const struct sockaddr *)&gs->peer, from))
			return gs;
	return NULL;
}

static struct gw_sa *sa_of(struct gw *gw, struct ike_sa *sa)
{
	struct gw_sa *gs = ike_sa_user(sa);
	return gs ? gs : gw->pending;
}

static void reap_soon(struct gw *gw);

static void mark_dead(struct gw_sa *gs)
{
	if (gs->dead)
		return;
	gs->dead = 1;
	if (gs->half_open) {
		gs->half_open = 0;
		gs->gw->n_half_open--;
	}
	uv_timer_stop(&gs->timer);
	reap_soon(gs->gw);
}

/* ---- ops ------------------------------------------------------------ */

static int op_send(void *ctx, struct ike_sa *sa, const uint8_t *msg, size_t len)
{
	struct gw *gw = ctx;
	struct gw_sa *gs = sa_of(gw, sa);
	char peer[NET_ADDR_STR_MAX];

	if (!gs)
		return -ENOENT;
	const struct sockaddr *to = gs->req_from ? gs->req_from : (const struct sockaddr *)&gs->peer;
	enum ikesock_port port = gs->req_from ? gs->req_port : gs->port;
	/* RFC 9329: an answer goes back on the stream the request came on;
	 * our own requests on the stream the peer used last. */
	struct tcpconn *st = gs->req_from ? gs->req_stream : gs->stream;
	int rc = st ? tcpconn_send_ike(st, msg, len) : ikesock_send(gw->sock, msg, len, to, port);
	if (rc)
		log_warn(GW_LOG, "%s: send of %zu bytes to %s failed: %s", gs->name, len,
			 net_sa_str(to, peer, sizeof(peer)), pt_strerror(rc));
	return rc;
}

static void on_sa_timer(uv_timer_t *t)
{
	struct gw_sa *gs = t->data;
	if (gs->dead)
		return;
	ike_sa_on_timer(gs->sa);
	if (ike_sa_state(gs->sa) == IKE_S_DEAD)
		mark_dead(gs);
}

static void op_timer(void *ctx, struct ike_sa *sa, uint64_t delay_ms)
{
	struct gw_sa *gs = sa_of(ctx, sa);
	if (!gs || gs->dead)
		return;
	if (delay_ms == UINT64_MAX)
		uv_timer_stop(&gs->timer);
	else
		uv_timer_start(&gs->timer, on_sa_timer, delay_ms, 0);
}

static uint64_t op_now(void *ctx)
{
	return uv_now(((struct gw *)ctx)->loop);
}

static int op_random(void *ctx, void *buf, size_t len)
{
	return crypto_random(buf, len);
}

static void op_addrs(void *ctx, struct ike_sa *sa, struct ike_addr *local, struct ike_addr *remote)
{
	struct gw *gw = ctx;
	struct gw_sa *gs = sa_of(gw, sa);
	if (!gs)
		return;
	enum ikesock_port port = gs->req_from ? gs->req_port : gs->port;
	net_addr_from_sa((const struct sockaddr *)&gw->listen, local);
	local->port = port == IKESOCK_NATT ? IKESOCK_PORT_NATT : IKESOCK_PORT_IKE;
	net_addr_from_sa(gs->req_from ? gs->req_from : (const struct sockaddr *)&gs->peer, remote);
}

static void log_child(struct gw_sa *gs, const char *what, const struct ike_child *c)
{
	char algs[160], tsl[256] = "", tsr[256] = "", one[96];
	size_t used;

	ike_chosen_str(&c->alg, algs, sizeof(algs));
	used = 0;
	for (size_t i = 0; i < c->n_ts_local && used < sizeof(tsl); i++)
		used += (size_t)snprintf(tsl + used, sizeof(tsl) - used, "%s%s", i ? "," : "",
					 net_ts_str(&c->ts_local[i], one, sizeof(one)));
	used = 0;
	for (size_t i = 0; i < c->n_ts_remote && used < sizeof(tsr); i++)
		used += (size_t)snprintf(tsr + used, sizeof(tsr) - used, "%s%s", i ? "," : "",
					 net_ts_str(&c->ts_remote[i], one, sizeof(one)));
	log_info(GW_LOG, "%s: Child SA %s spi_in=%08x spi_out=%08x esp=%s local_ts=%s remote_ts=%s",
		 gs->name, what, c->spi_in, c->spi_out, algs, tsl, tsr);
}

static int op_child_up(void *ctx, struct ike_sa *sa, const struct ike_child *c)
{
	struct gw *gw = ctx;
	struct gw_sa *gs = sa_of(gw, sa);
	if (!gs)
		return 0;
	log_child(gs, "up", c);
	if (gs->n_child < sizeof(gs->child_in) / sizeof(gs->child_in[0]))
		gs->child_in[gs->n_child++] = c->spi_in;
	if (!gw->dp)
		return 0;
	/* With a NAT (or one the client made us see), ESP goes in UDP where the
	 * client's IKE comes from on 4500 (RFC 3948); without, raw ESP. */
	int encap = ike_sa_nat_local(sa) || ike_sa_nat_remote(sa);
	struct sockaddr_storage peer = gs->peer;
	if (encap && gs->port != IKESOCK_NATT)
		net_sa_set_port(&peer, IKESOCK_PORT_NATT);
	int rc = gw_dp_child_up(gw->dp, c, (const struct sockaddr *)&peer, encap);
	/* IKE entirely on TCP (RFC 9329): ESP in the same stream. */
	if (!rc)
		gw_dp_child_path(gw->dp, c->spi_in, gs->via_tcp ? gs->stream : NULL, ike_sa_echo(sa));
	return rc;
}

static void op_child_down(void *ctx, struct ike_sa *sa, const struct ike_child *c)
{
	struct gw *gw = ctx;
	struct gw_sa *gs = sa_of(gw, sa);
	if (gs) {
		log_child(gs, "down", c);
		for (unsigned i = 0; i < gs->n_child; i++)
			if (gs->child_in[i] == c->spi_in)
				gs->child_in[i] = gs->child_in[--gs->n_child];
	}
	if (gw->dp)
		gw_dp_child_down(gw->dp, c);
}

/* RFC 4555 3.5: the client's Child SAs follow it: to the address of the
 * update; over UDP its port, or over a stream (separate transports) the
 * UDP port it used so far, which its next ESP corrects behind a NAT (the
 * data path follows the client's packets). */
static void moved(struct gw *gw, struct gw_sa *gs, struct ike_sa *sa)
{
	struct sockaddr_storage to;
	if (!gw->dp || !gs->req_from)
		return;
	memset(&to, 0, sizeof(to));
	memcpy(&to, gs->req_from, gs->req_from->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
								       : sizeof(struct sockaddr_in));
	if (gs->req_stream)
		net_sa_set_port(&to, net_sa_port((const struct sockaddr *)&gs->peer));
	else if (!gs->stream) {
		/* UDP: IKE now comes from here; so does the client's ESP */
		memcpy(&gs->peer, &to, sizeof(to));
		gs->port = gs->req_port;
	}
	int encap = ike_sa_nat_local(sa) || ike_sa_nat_remote(sa);
	if (encap && net_sa_port((const struct sockaddr *)&to) == IKESOCK_PORT_IKE)
		net_sa_set_port(&to, IKESOCK_PORT_NATT);
	for (unsigned i = 0; i < gs->n_child; i++)
		gw_dp_child_move(gw->dp, gs->child_in[i], (const struct sockaddr *)&to, encap);
}

static void op_event(void *ctx, struct ike_sa *sa, enum ike_event ev, int err)
{
	struct gw *gw = ctx;
	struct gw_sa *gs = sa_of(gw, sa);
	char peer[NET_ADDR_STR_MAX], v4[INET_ADDRSTRLEN] = "-", v6[INET6_ADDRSTRLEN] = "-", algs[160];

	if (!gs)
		return;
	net_sa_str((const struct sockaddr *)&gs->peer, peer, sizeof(peer));
	switch (ev) {
	case IKE_EV_ESTABLISHED:
		if (gs->half_open) {
			gs->half_open = 0;
			gw->n_half_open--;
		}
		if (gs->has_v4)
			inet_ntop(AF_INET, gs->v4, v4, sizeof(v4));
		if (gs->has_v6)
			inet_ntop(AF_INET6, gs->v6, v6, sizeof(v6));
		ike_chosen_str(ike_sa_ike_alg(sa), algs, sizeof(algs));
		log_info(GW_LOG, "%s: IKE SA established with %s: spi_i=%.16s spi_r=%s ike=%s vip=%s vip6=%s nat=%s%s%s",
			 gs->name, peer, gs->name, gs->name + 17, algs, v4, v6,
			 ike_sa_nat_remote(sa) ? "peer" : ike_sa_nat_local(sa) ? "us" : "none",
			 gs->resumes ? " resumed=yes" : "", ike_sa_mobike(sa) ? " mobike=yes" : "");
		gw_resume_established(gw, gs);
		break;
	case IKE_EV_INITIAL_CONTACT:
		gw_initial_contact(gw, gs);
		return;
	case IKE_EV_UPDATED:
		/* RFC 4555: IKE answers go where the update came from (deliver()
		 * follows it); ESP follows the client's packets (dp). */
		log_info(GW_LOG, "%s: the client moved to %s (MOBIKE), nat=%s", gs->name,
			 gs->req_from ? net_sa_str(gs->req_from, peer, sizeof(peer)) : peer,
			 ike_sa_nat_remote(sa) ? "peer" : "none");
		moved(gw, gs, sa);
		break;
	case IKE_EV_FAILED:
		log_info(GW_LOG, "%s: IKE SA with %s failed: %s", gs->name, peer, pt_strerror(err));
		mark_dead(gs);
		break;
	case IKE_EV_DELETED:
		log_info(GW_LOG, "%s: IKE SA with %s deleted", gs->name, peer);
		mark_dead(gs);
		break;
	default:
		break;
	}
	/* An IKE SA rekey (RFC 7296 2.18) gives the SA new SPIs: file it
	 * under them. */
	uint8_t spi_i[8], spi_r[8];
	ike_sa_spis(sa, spi_i, spi_r);
	if (gs->linked && !gs->dead &&
	    (memcmp(spi_i, gs->spi_i, 8) != 0 || memcmp(spi_r, gs->spi_r, 8) != 0)) { /* public-memcmp: SPIs */
		char old[34];
		memcpy(old, gs->name, sizeof(old));
		unlink_sa(gw, gs);
		memcpy(gs->spi_i, spi_i, 8);
		memcpy(gs->spi_r, spi_r, 8);
		set_name(gs);
		link_sa(gw, gs);
		log_info(GW_LOG, "%s: IKE SA rekeyed, now %s", old, gs->name);
	}
}

/* ---- reaping -------------------------------------------------------- */

static void free_gs(uv_handle_t *h)
{
	free(h->data);
}

static void release(struct gw *gw, struct gw_sa *gs)
{
	if (gs->borrowed) /* still the old SA's (a resume that did not finish) */
		gs->has_v4 = gs->has_v6 = 0;
	if (gw->dp)
		gw_dp_client_gone(gw->dp, gs->has_v4, gs->v4, gs->has_v6, gs->v6);
	if (gs->has_v4)
		gw_pool_put(&gw->pool4, gs->v4);
	if (gs->has_v6)
		gw_pool_put(&gw->pool6, gs->v6);
	gs->has_v4 = gs->has_v6 = 0;
}

static void destroy(struct gw *gw, struct gw_sa *gs)
{
	unlink_sa(gw, gs);
	release(gw, gs);
	gs->dead = 1;
	ike_sa_free(gs->sa); /* may call child_down: gs is still valid */
	gs->sa = NULL;
	uv_close((uv_handle_t *)&gs->timer, free_gs);
}

struct gw_sa *gw_find_sa(struct gw *gw, const uint8_t *spi_i, const uint8_t *spi_r)
{
	return find_sa(gw, spi_i, spi_r);
}

void gw_destroy_sa(struct gw *gw, struct gw_sa *gs)
{
	if (gs->half_open) {
		gs->half_open = 0;
		gw->n_half_open--;
	}
	destroy(gw, gs);
}

static void finish(struct gw *gw);

static void on_reap(uv_idle_t *h)
{
	struct gw *gw = h->data;
	struct gw_sa *gs = gw->head;

	while (gs) {
		struct gw_sa *next = gs->next;
		if (gs->dead) {
			log_debug(GW_LOG, "%s: freed (%u SAs left)", gs->name, gw->n_sas - 1);
			destroy(gw, gs);
		}
		gs = next;
	}
	uv_idle_stop(&gw->reaper);
	gw->reaper_on = 0;
	if (gw->stopping && !gw->n_sas)
		finish(gw);
}

static void reap_soon(struct gw *gw)
{
	if (!gw->reaper_on && !gw->finished) {
		gw->reaper_on = 1;
		uv_idle_start(&gw->reaper, on_reap);
	}
}

static void on_sweep(uv_timer_t *t)
{
	struct gw *gw = t->data;
	uint64_t now = uv_now(gw->loop);
	for (struct gw_sa *gs = gw->head; gs; gs = gs->next) {
		if (gs->half_open && !gs->dead && now - gs->born_ms >= GW_HALF_OPEN_MS) {
			log_info(GW_LOG, "%s: half-open for %u s without IKE_AUTH: dropped", gs->name,
				 GW_HALF_OPEN_MS / 1000);
			mark_dead(gs);
		}
	}
}

/* ---- receive -------------------------------------------------------- */

static void deliver(struct gw_sa *gs, const uint8_t *msg, size_t len, const struct sockaddr *from,
		    enum ikesock_port port, struct tcpconn *stream)
{
	char a[NET_ADDR_STR_MAX], b[NET_ADDR_STR_MAX];

	gs->req_from = from;
	gs->req_port = port;
	gs->req_stream = stream;
	int rc = ike_sa_recv(gs->sa, msg, len);
	gs->req_from = NULL;
	gs->req_stream = NULL;
	if (rc == 0 && stream) {
		/* RFC 9329 6: the originator may reconnect; what it uses is
		 * where our own requests go. The UDP address stays for ESP. */
		if (gs->stream != stream)
			log_info(GW_LOG, "%s: IKE now on the TCP stream from %s", gs->name,
				 net_sa_str(from, a, sizeof(a)));
		gs->stream = stream;
	} else if (rc == 0 && (!net_sa_eq(from, (const struct sockaddr *)&gs->peer) || port != gs->port)) {
		/* RFC 7296 2.23 / RFC 3948: the peer floated to 4500 (or its NAT
		 * mapping changed); follow it. */
		log_info(GW_LOG, "%s: peer moved from %s to %s%s", gs->name,
			 net_sa_str((const struct sockaddr *)&gs->peer, a, sizeof(a)),
			 net_sa_str(from, b, sizeof(b)), port == IKESOCK_NATT ? " (NAT-T, with marker)" : "");
		memset(&gs->peer, 0, sizeof(gs->peer));
		memcpy(&gs->peer, from, from->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
								    : sizeof(struct sockaddr_in));
		gs->port = port;
	} else if (rc) {
		log_debug(GW_LOG, "%s: message from %s not taken: %s", gs->name,
			  net_sa_str(from, a, sizeof(a)), pt_strerror(rc));
	}
	if (gs->sa && ike_sa_state(gs->sa) == IKE_S_DEAD)
		mark_dead(gs);
}

static void new_sa(struct gw *gw, const uint8_t *msg, size_t len, const struct sockaddr *from,
		   enum ikesock_port port, struct tcpconn *stream)
{
	char peer[NET_ADDR_STR_MAX], v4[INET_ADDRSTRLEN] = "-", v6[INET6_ADDRSTRLEN] = "-";
	struct ike_sa *sa = NULL;
	struct gw_sa *gs;
	int rc;

	net_sa_str(from, peer, sizeof(peer));
	if (gw->stopping)
		return;
	if (gw->n_sas >= GW_SAS_MAX) {
		log_warn(GW_LOG, "IKE_SA_INIT from %s dropped: %u SAs already", peer, gw->n_sas);
		return;
	}
	if (!(gs = calloc(1, sizeof(*gs))))
		return;
	gs->gw = gw;
	memcpy(&gs->peer, from, from->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
							    : sizeof(struct sockaddr_in));
	gs->port = port;
	gs->stream = stream;
	gs->via_tcp = stream != NULL;
	memcpy(gs->spi_i, msg, 8);
	gs->born_ms = uv_now(gw->loop);
	uv_timer_init(gw->loop, &gs->timer);
	gs->timer.data = gs;

	struct ike_cfg cfg = gw->cfg;
	/* RFC 5723: a resumed SA's addresses are decided once its ticket is
	 * open (resume.c) */
	int resume = msg[18] == IKE_EXCH_SESSION_RESUME;
	if (gw->pool4.family && !resume) {
		if (gw_pool_take(&gw->pool4, gs->v4) == 0) {
			gs->has_v4 = 1;
			memcpy(cfg.cp_v4, gs->v4, 4);
			cfg.cp_has_v4 = 1;
		} else {
			log_warn(GW_LOG, "IKE_SA_INIT from %s: the IPv4 pool is exhausted", peer);
		}
	}
	if (gw->pool6.family && !resume) {
		if (gw_pool_take(&gw->pool6, gs->v6) == 0) {
			gs->has_v6 = 1;
			memcpy(cfg.cp_v6, gs->v6, 16);
			cfg.cp_has_v6 = 1;
		} else {
			log_warn(GW_LOG, "IKE_SA_INIT from %s: the IPv6 pool is exhausted", peer);
		}
	}
	/* RFC 7296 2.6: past the threshold of half-open SAs, ask for a cookie. */
	cfg.require_cookie = gw->n_half_open >= gw->cookie_threshold;

	gw->pending = gs;
	gs->req_from = from;
	gs->req_port = port;
	gs->req_stream = stream;
	rc = ike_sa_new_r(&cfg, &gw->ops, msg, len, &sa);
	gs->req_from = NULL;
	gs->req_stream = NULL;
	gw->pending = NULL;
	if (rc || !sa) {
		if (rc)
			log_info(GW_LOG, "IKE_SA_INIT from %s refused: %s", peer, pt_strerror(rc));
		else
			log_info(GW_LOG, "IKE_SA_INIT from %s answered without an SA (%s)", peer,
				 cfg.require_cookie ? "COOKIE or refusal" : "refused");
		release(gw, gs);
		uv_close((uv_handle_t *)&gs->timer, free_gs);
		return;
	}
	gs->sa = sa;
	ike_sa_set_user(sa, gs);
	ike_sa_spis(sa, gs->spi_i, gs->spi_r);
	set_name(gs);
	if (resume)
		gw_resume_new_sa(gw, gs);
	gs->half_open = 1;
	gw->n_half_open++;
	link_sa(gw, gs);
	if (gs->has_v4)
		inet_ntop(AF_INET, gs->v4, v4, sizeof(v4));
	if (gs->has_v6)
		inet_ntop(AF_INET6, gs->v6, v6, sizeof(v6));
	log_info(GW_LOG, "%s: %s from %s%s answered (half-open %u, cookie %s); vip=%s vip6=%s%s",
		 gs->name, ike_exch_name(msg[18]), peer, stream ? " over TCP" : "", gw->n_half_open,
		 cfg.require_cookie ? "checked" : "not required", v4, v6,
		 ike_sa_separate(sa) ? "; separate transports agreed" : "");
}

static void on_esp(void *ctx, const uint8_t *pkt, size_t len, const struct sockaddr *from)
{
	struct gw *gw = ctx;
	if (gw->dp)
		gw_dp_input(gw->dp, pkt, len, from);
}

/* RFC 7296 2.21.4: a request for an IKE SA we do not know (we restarted,
 * or it was deleted) gets an unprotected INVALID_IKE_SPI, at most
 * GW_UNKNOWN_PER_S a second so spoofed requests cannot use us as an
 * amplifier. Responses are never answered. */
static void answer_unknown(struct gw *gw, const uint8_t *msg, size_t len, const struct sockaddr *from,
			   enum ikesock_port port, struct tcpconn *stream)
{
	uint8_t out[64];
	size_t n;
	uint64_t now = uv_now(gw->loop);

	if (now - gw->unknown_at >= 1000) {
		gw->unknown_at = now;
		gw->n_unknown = 0;
	}
	if (gw->n_unknown >= GW_UNKNOWN_PER_S || ike_answer_unknown_spi(msg, len, out, sizeof(out), &n))
		return;
	gw->n_unknown++;
	if (stream)
		tcpconn_send_ike(stream, out, n);
	else
		ikesock_send(gw->sock, out, n, from, port);
}

/* One IKE message from UDP or from a stream: to its SA, to a new SA
 * (IKE_SA_INIT), or answered with INVALID_IKE_SPI. */
void gw_route_msg(struct gw *gw, const uint8_t *msg, size_t len, const struct sockaddr *from,
		  enum ikesock_port port, struct tcpconn *stream)
{
	static const uint8_t zero[8];
	char peer[NET_ADDR_STR_MAX];

	/* RFC 7296 3.1: SPIi 0-7, SPIr 8-15, version 17, exchange 18,
	 * flags 19 (ikesock passed only messages of >= 28 octets). */
	uint8_t exch = msg[18], flags = msg[19];
	if (msg[17] >> 4 != 2) {
		log_debug(GW_LOG, "dropped a message of IKE version %u from %s", msg[17] >> 4,
			  net_sa_str(from, peer, sizeof(peer)));
		return;
	}
	if (memcmp(msg + 8, zero, 8) == 0) { /* public-memcmp: SPI */
		if ((exch != IKE_EXCH_SA_INIT && exch != IKE_EXCH_SESSION_RESUME) ||
		    (flags & IKE_HDR_F_RESPONSE) ||
		    !(flags & IKE_HDR_F_INITIATOR)) {
			log_debug(GW_LOG, "dropped %s with SPIr 0 from %s", ike_exch_name(exch),
				  net_sa_str(from, peer, sizeof(peer)));
			return;
		}
		struct gw_sa *gs = find_init(gw, msg, from);
		if (gs) {
			log_debug(GW_LOG, "%s: IKE_SA_INIT retransmitted by %s", gs->name,
				  net_sa_str(from, peer, sizeof(peer)));
			deliver(gs, msg, len, from, port, stream);
		} else {
			new_sa(gw, msg, len, from, port, stream);
		}
		return;
	}
	struct gw_sa *gs = find_sa(gw, msg, msg + 8);
	if (!gs)
		gs = find_claimed(gw, msg, msg + 8, from);
	if (!gs) {
		log_debug(GW_LOG, "dropped %s from %s: no IKE SA with these SPIs", ike_exch_name(exch),
			  net_sa_str(from, peer, sizeof(peer)));
		answer_unknown(gw, msg, len, from, port, stream);
		return;
	}
	deliver(gs, msg, len, from, port, stream);
}

static void on_recv(void *ctx, const uint8_t *msg, size_t len, const struct sockaddr *from,
		    enum ikesock_port port)
{
	gw_route_msg(ctx, msg, len, from, port, NULL);
}

/* ---- startup -------------------------------------------------------- */

static int load_props(const struct conf_gw *c, int esp, struct ike_cfg *cfg)
{
	const struct conf_gw_prop *p = esp ? c->esp_proposals : c->ike_proposals;
	unsigned n = esp ? c->n_esp_proposals : c->n_ike_proposals;
	struct ike_prop_cfg *out = esp ? cfg->esp_props : cfg->ike_props;
	size_t *n_out = esp ? &cfg->n_esp_props : &cfg->n_ike_props;
	uint8_t proto = esp ? IKE_PROTO_ESP : IKE_PROTO_IKE;
	int bad_any = 0;

	if (!n) {
		/* hybrid ML-KEM first where this OpenSSL has it, classic after */
		*n_out = ike_prop_defaults(proto, IKE_PQ_FIRST, out, IKE_CFG_PROPS_MAX);
		return *n_out ? 0 : -EINVAL;
	}
	if (n > IKE_CFG_PROPS_MAX) {
		log_err(GW_LOG, "%s:%u:%u: proposals.%s: at most %u proposals", c->file, p[IKE_CFG_PROPS_MAX].line,
			p[IKE_CFG_PROPS_MAX].col, esp ? "esp" : "ike", IKE_CFG_PROPS_MAX);
		return -EINVAL;
	}
	for (unsigned i = 0; i < n; i++) {
		const char *why = "";
		char bad[32] = "";
		if (ike_prop_parse(p[i].s, proto, &out[i], &why, bad)) {
			log_err(GW_LOG, "%s:%u:%u: proposals.%s: '%s': %s%s%s%s", c->file, p[i].line, p[i].col,
				esp ? "esp" : "ike", p[i].s, why, bad[0] ? " ('" : "", bad, bad[0] ? "')" : "");
			bad_any = 1;
		}
	}
	*n_out = n;
	return bad_any ? -EINVAL : 0;
}

static void prefix_to_ts(const struct conf_addr *a, struct ike_ts_cfg *ts)
{
	size_t n = a->family == AF_INET ? 4 : 16;
	memset(ts, 0, sizeof(*ts));
	ts->type = a->family == AF_INET ? IKE_TS_IPV4_ADDR_RANGE : IKE_TS_IPV6_ADDR_RANGE;
	ts->end_port = 65535;
	for (size_t i = 0; i < n; i++) {
		unsigned bits = a->prefix_len > i * 8 ? a->prefix_len - (unsigned)i * 8 : 0;
		uint8_t mask = bits >= 8 ? 0xff : (uint8_t)(0xff00u >> bits);
		ts->start[i] = a->addr[i] & mask;
		ts->end[i] = (uint8_t)(a->addr[i] | (uint8_t)~mask);
	}
}

static void on_idle_close(uv_handle_t *h) { (void)h; }

static void finish(struct gw *gw)
{
	if (gw->finished)
		return;
	gw->finished = 1;
	while (gw->head)
		destroy(gw, gw->head);
	uv_close((uv_handle_t *)&gw->reaper, on_idle_close);
	uv_close((uv_handle_t *)&gw->sweep, on_idle_close);
	uv_close((uv_handle_t *)&gw->stop_timer, on_idle_close);
	gw_streams_close(gw);
	if (gw->tcp)
		tcplisten_close(gw->tcp, NULL, NULL);
	gw->tcp = NULL;
	gw_dp_free(gw->dp);
	gw->dp = NULL;
	ikesock_close(gw->sock, NULL, NULL);
	gw->sock = NULL;
	log_info(GW_LOG, "stopped");
}

static void on_stop_timer(uv_timer_t *t)
{
	struct gw *gw = t->data;
	log_info(GW_LOG, "%u SA(s) did not answer the delete in %u ms; closing anyway", gw->n_sas,
		 GW_SHUTDOWN_MS);
	finish(gw);
}

void gw_shutdown(struct gw *gw)
{
	unsigned deleting = 0;

	if (gw->stopping)
		return;
	gw->stopping = 1;
	for (struct gw_sa *gs = gw->head; gs; gs = gs->next) {
		if (gs->dead)
			continue;
		if (ike_sa_state(gs->sa) == IKE_S_ESTABLISHED && ike_sa_delete(gs->sa) == 0) {
			log_info(GW_LOG, "%s: deleting (shutdown)", gs->name);
			deleting++;
		} else {
			mark_dead(gs);
		}
	}
	log_info(GW_LOG, "shutting down: %u delete(s) sent", deleting);
	if (!deleting && !gw->reaper_on) {
		finish(gw);
		return;
	}
	uv_timer_start(&gw->stop_timer, on_stop_timer, GW_SHUTDOWN_MS, 0);
}

void gw_log_stats(const struct gw *gw)
{
	if (gw->dp)
		gw_dp_log_stats(gw->dp);
	else
		log_info(GW_LOG, "stats: no data path (no tun configured)");
}

void gw_free(struct gw *gw)
{
	if (!gw)
		return;
	gw_pool_free(&gw->pool4);
	gw_pool_free(&gw->pool6);
	gw_creds_free(&gw->creds);
	gw_tickets_free(gw->tickets);
	crypto_secret_free(gw->cookie_secret);
	crypto_wipe(&gw->cfg, sizeof(gw->cfg));
	free(gw);
}

int gw_new(uv_loop_t *loop, const struct conf_gw *c, struct gw **out)
{
	struct gw *gw;
	char addr[NET_ADDR_STR_MAX];
	int rc, cut;
	uint8_t key[GW_COOKIE_SECRET_LEN];

	*out = NULL;
	if (!(gw = calloc(1, sizeof(*gw))))
		return -ENOMEM;
	gw->loop = loop;
	gw->cookie_threshold = c->cookie_threshold;
	gw->ops = (struct ike_ops){
		.ctx = gw, .send = op_send, .timer = op_timer, .now_ms = op_now,
		.random = op_random, .addrs = op_addrs, .child_up = op_child_up,
		.child_down = op_child_down, .event = op_event,
	};
	struct ike_cfg *cfg = &gw->cfg;
	cfg->role = IKE_ROLE_RESPONDER;
	cfg->auth = IKE_AUTHK_PSK;
	if ((rc = ike_ident_parse(c->id, &cfg->local_id))) {
		log_err(GW_LOG, "%s: id '%s' is not an FQDN, user@FQDN or address", c->file, c->id);
		goto fail;
	}
	if ((rc = gw_creds_load(&gw->creds, c)))
		goto fail;
	gw_creds_apply(&gw->creds, cfg);
	if ((rc = load_props(c, 0, cfg)) || (rc = load_props(c, 1, cfg)))
		goto fail;
	for (unsigned i = 0; i < c->n_subnets; i++)
		prefix_to_ts(&c->subnets[i], &cfg->ts_local[cfg->n_ts_local++]);
	for (unsigned i = 0; i < c->n_dns; i++) {
		if (c->dns[i].family == AF_INET && cfg->n_dns_v4 < IKE_CFG_DNS_MAX)
			memcpy(cfg->dns_v4[cfg->n_dns_v4++], c->dns[i].addr, 4);
		else if (c->dns[i].family == AF_INET6 && cfg->n_dns_v6 < IKE_CFG_DNS_MAX)
			memcpy(cfg->dns_v6[cfg->n_dns_v6++], c->dns[i].addr, 16);
	}
	for (unsigned i = 0; i < c->n_dns_domains && i < IKE_CFG_DOMAINS_MAX; i++)
		snprintf(cfg->dns_domains[cfg->n_dns_domains++], IKE_DOMAIN_MAX, "%s", c->dns_domains[i]);
	if (c->has_pool &&
	    (rc = gw_pool_init(&gw->pool4, AF_INET, c->pool.start.addr, c->pool.end.addr, &cut)))
		goto fail;
	if (c->has_pool && cut)
		log_warn(GW_LOG, "pool is longer than %u addresses; only the first %u are used",
			 GW_POOL_MAX, GW_POOL_MAX);
	if (c->has_pool6 &&
	    (rc = gw_pool_init(&gw->pool6, AF_INET6, c->pool6.start.addr, c->pool6.end.addr, &cut)))
		goto fail;
	if (c->has_pool6 && cut)
		log_warn(GW_LOG, "pool6 is longer than %u addresses; only the first %u are used",
			 GW_POOL_MAX, GW_POOL_MAX);
	if ((rc = crypto_random(key, sizeof(key))) ||
	    (rc = crypto_secret_from(key, sizeof(key), &gw->cookie_secret))) {
		log_err(GW_LOG, "no randomness for the cookie secret: %s", pt_strerror(rc));
		goto fail;
	}
	crypto_wipe(key, sizeof(key));
	cfg->cookie_secret = gw->cookie_secret;
	const struct conf_codepoints *cc = &c->codepoints;
	const char *why = "";
	if ((rc = ike_codepoints_with(cc->separate_transports, cc->encrypted_ping_supported,
				      cc->echo_next_header, cc->echo_request, cc->echo_reply, &gw->cp, &why))) {
		log_err(GW_LOG, "%s: codepoints: %s", c->file, why);
		goto fail;
	}
	cfg->cp = &gw->cp;
	cfg->separate = c->separate_transports;
	cfg->echo = c->echo;
	if ((rc = gw_resume_setup(gw, c)))
		goto fail;

	memset(&gw->listen, 0, sizeof(gw->listen));
	struct ike_addr la = { .family = c->listen.family };
	memcpy(la.ip, c->listen.addr, sizeof(la.ip));
	net_addr_to_sa(&la, &gw->listen);
	if ((rc = ikesock_new(loop, (const struct sockaddr *)&gw->listen, IKESOCK_PORT_IKE,
			      IKESOCK_PORT_NATT, on_recv, gw, &gw->sock))) {
		log_err(GW_LOG, "cannot listen on %s ports %u and %u: %s (is the address on an interface? is another IKE daemon running?)",
			net_sa_str((const struct sockaddr *)&gw->listen, addr, sizeof(addr)),
			IKESOCK_PORT_IKE, IKESOCK_PORT_NATT, pt_strerror(rc));
		goto fail;
	}
	if (c->tun[0]) {
		if ((rc = gw_dp_new(loop, c, ikesock_fd(gw->sock, IKESOCK_NATT), &gw->cp, &gw->dp)))
			goto fail;
		ikesock_set_esp(gw->sock, on_esp);
	}
	if (c->tcp && (rc = tcplisten_new(loop, (const struct sockaddr *)&gw->listen, IKESOCK_PORT_NATT,
					  gw_stream_accept, gw, &gw->tcp))) {
		log_err(GW_LOG, "cannot listen on %s TCP port %u: %s",
			net_sa_str((const struct sockaddr *)&gw->listen, addr, sizeof(addr)),
			IKESOCK_PORT_NATT, pt_strerror(rc));
		goto fail;
	}
	uv_idle_init(loop, &gw->reaper);
	gw->reaper.data = gw;
	uv_timer_init(loop, &gw->sweep);
	gw->sweep.data = gw;
	uv_timer_init(loop, &gw->stop_timer);
	gw->stop_timer.data = gw;
	uv_timer_start(&gw->sweep, on_sweep, GW_SWEEP_MS, GW_SWEEP_MS);
	char idstr[300], clients[64];
	ike_ident_str(&cfg->local_id, idstr, sizeof(idstr));
	gw_creds_client_str(&gw->creds, clients, sizeof(clients));
	inet_ntop(c->listen.family, c->listen.addr, addr, sizeof(addr));
	log_info(GW_LOG, "listening on %s ports %u/%u%s as %s (%s), clients by %s: %zu IKE and %zu ESP proposal(s), %zu subnet(s), pool %s%s, cookies after %u half-open SA(s), separate transports %s, ESP Echo %s",
		 addr, IKESOCK_PORT_IKE, IKESOCK_PORT_NATT, gw->tcp ? " and TCP 4500" : "", idstr, gw_creds_own_name(&gw->creds), clients,
		 cfg->n_ike_props, cfg->n_esp_props, cfg->n_ts_local,
		 c->has_pool ? "v4" : "", c->has_pool6 ? "+v6" : "", gw->cookie_threshold,
		 cfg->separate ? "on" : "off", cfg->echo ? "on" : "off");
	*out = gw;
	return 0;
fail:
	crypto_wipe(key, sizeof(key));
	gw_free(gw);
	return rc;
}
