/* Where a connection's IKE and ESP run (PRODUCT.md items 3 and 5,
 * specs/transport.md 2 and 4):
 *
 *   udp       IKE and ESP on UDP/4500 (RFC 7296, RFC 3948), or raw ESP.
 *   tcp       IKE and ESP in one RFC 9329 stream to TCP/4500.
 *   separate  IKE_SA_INIT on UDP/4500 offering SEPARATE_TRANSPORTS; when the
 *             gateway agrees, every later IKE exchange in a stream to
 *             TCP/4500, ESP on UDP (or raw ESP without a NAT), checked by
 *             ESP Echo; unanswered probes move ESP into the stream and
 *             answered ones move it back.
 *   auto      separate, and TCP when UDP/4500 goes unanswered.
 *
 * TCP/4500 blocked during a separate-transports setup: tcp_blocked: udp
 * (the default) starts again on UDP without SEPARATE_TRANSPORTS, where IKE
 * messages that do not fit a datagram are fragmented (RFC 7383); fail
 * reports it. A stream that breaks later is opened again (RFC 9329 6: the
 * originator reconnects); the SAs survive, the request in flight is sent
 * again, or an empty INFORMATIONAL tells the gateway the new stream. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/err.h"
#include "base/log.h"
#include "daemon/conn_int.h"
#include "net/addr.h"
#include "net/ikesock.h"
#include "net/netmon.h"
#include "net/tcpconn.h"
#include "tunnel/tunnel.h"

#define TCP_CONNECT_MS 5000u     /* TCP/4500 must answer within this */
#define AUTO_UDP_WAIT_MS 3000u   /* auto: IKE_SA_INIT sent twice on UDP, unanswered */
#define RECONNECT_FIRST_MS 200u  /* a broken stream: first retry, doubling ... */
#define RECONNECT_MAX_MS 10000u  /* ... up to this */
#define PROBE_TCP_EVERY_MS 5000u /* ESP in TCP, no interval set: recheck UDP this often */
#define SETTLE_MS 40u            /* a burst of link/address/route changes acts once, */
#define SETTLE_MAX_MS 200u       /* ... after this much quiet, or this long at most */
#define WAKE_CHECK_MS 2000u      /* the clocks are compared this often ... */
#define WAKE_SLEPT_MS 5000u      /* ... and a wall-clock jump this much past them is a sleep */

static void stream_open(struct conn *c);

/* Tell the log and the `path` event why IKE and ESP run where they do. */
static void told(struct conn *c)
{
	log_info(CLOG, "%s: %s", c->p->name, c->why);
	if (c->ev.path)
		c->ev.path(c->ev.ctx, c, c->why);
}

static void say_v(struct conn *c, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static void say_v(struct conn *c, const char *fmt, va_list ap)
{
	vsnprintf(c->why, sizeof(c->why), fmt, ap);
	told(c);
}

static void say(struct conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct conn *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	say_v(c, fmt, ap);
	va_end(ap);
}

void path_say(struct conn *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	say_v(c, fmt, ap);
	va_end(ap);
}

static int ike_on_tcp(const struct conn *c)
{
	return c->mode == CONF_TRANSPORT_TCP || (c->sa && ike_sa_separate(c->sa));
}

enum petrel_path path_ike(const struct conn *c)
{
	if (!c->sock)
		return PETREL_PATH_NONE;
	return ike_on_tcp(c) ? PETREL_PATH_TCP : PETREL_PATH_UDP;
}

enum petrel_path path_esp(const struct conn *c)
{
	if (!c->tun)
		return PETREL_PATH_NONE;
	return c->esp_tcp ? PETREL_PATH_TCP : conn_esp_in_udp(c) ? PETREL_PATH_UDP : PETREL_PATH_RAW;
}

/* ---- ESP into and out of the stream ---- */

static void esp_to_tcp(struct conn *c, const char *why)
{
	if (c->esp_tcp || !c->tun)
		return;
	c->esp_tcp = 1;
	c->moves++;
	if (c->stream)
		tunnel_child_stream(c->tun, c->first.spi_in, c->stream);
	else
		stream_open(c);
	say(c, "ESP moved into the TCP stream: %s", why);
}

static void esp_to_udp(struct conn *c, const char *why)
{
	if (!c->esp_tcp || !c->tun)
		return;
	c->esp_tcp = 0;
	c->moves++;
	tunnel_child_stream(c->tun, c->first.spi_in, NULL);
	say(c, "ESP back on %s: %s", conn_esp_in_udp(c) ? "UDP" : "raw ESP", why);
}

/* ---- ESP Echo probes of the datagram path ---- */

static void probe_send(struct conn *c)
{
	if (!c->tun || !c->have_child)
		return;
	uint16_t seq = esp_probes_add(&c->probes, uv_now(c->loop));
	int rc = tunnel_echo_probe(c->tun, c->first.spi_in, c->probes.id, seq, 0);
	if (rc)
		log_debug(CLOG, "%s: ESP Echo probe not sent: %s", c->p->name, pt_strerror(rc));
	c->awaiting = 1;
}

static void on_probe(uv_timer_t *t);

static void probe_now(struct conn *c)
{
	probe_send(c);
	uv_timer_start(&c->probe, on_probe, c->p->echo_timeout_ms, 0);
}

/* After a success, or while ESP is in TCP: when to probe next. */
static void probe_later(struct conn *c)
{
	uint64_t every = c->p->echo_interval_ms;
	if (!every && c->esp_tcp)
		every = PROBE_TCP_EVERY_MS;
	if (every)
		uv_timer_start(&c->probe, on_probe, every, 0);
	else
		uv_timer_stop(&c->probe);
}

static void on_probe(uv_timer_t *t)
{
	struct conn *c = t->data;
	if (!c->awaiting) {
		probe_now(c);
		return;
	}
	c->awaiting = 0;
	c->misses++;
	log_debug(CLOG, "%s: ESP Echo probe unanswered (%u in a row)", c->p->name, c->misses);
	if (c->misses < c->p->echo_retries) {
		probe_now(c);
		return;
	}
	if (!c->esp_tcp) {
		char why[96];
		snprintf(why, sizeof(why), "%u ESP Echo probes over %s went unanswered", c->misses,
			 conn_esp_in_udp(c) ? "UDP" : "raw ESP");
		esp_to_tcp(c, why);
	}
	c->misses = 0;
	probe_later(c);
}

static void on_echo_reply(void *ctx, uint32_t spi_in, const struct esp_echo *e, void *stream)
{
	struct conn *c = ctx;
	uint64_t rtt;
	if (stream || esp_probes_match(&c->probes, e, uv_now(c->loop), &rtt))
		return; /* only probes of the datagram path are ours */
	c->awaiting = 0;
	c->misses = 0;
	log_debug(CLOG, "%s: ESP Echo reply seq %u in %llu ms", c->p->name, e->seq,
		  (unsigned long long)rtt);
	roam_heard(c, 1);
	if (c->esp_tcp) {
		char why[96];
		snprintf(why, sizeof(why), "ESP Echo answered over %s again (%llu ms)",
			 conn_esp_in_udp(c) ? "UDP" : "raw ESP", (unsigned long long)rtt);
		esp_to_udp(c, why);
	} else if (!strstr(c->why, "ESP Echo")) {
		size_t n = strlen(c->why);
		snprintf(c->why + n, sizeof(c->why) - n, "; ESP Echo answered over %s in %llu ms",
			 conn_esp_in_udp(c) ? "UDP" : "raw ESP", (unsigned long long)rtt);
		told(c);
	}
	probe_later(c);
}

/* ---- the stream ---- */

static int stream_send(void *ctx, void *stream, const uint8_t *pkt, size_t len)
{
	(void)ctx;
	return tcpconn_send_esp(stream, pkt, len);
}

static int stream_send_many(void *ctx, void *stream, const struct iovec *pkts, size_t n)
{
	(void)ctx;
	return tcpconn_send_esp_many(stream, pkts, n);
}

static void stream_ike(void *ctx, struct tcpconn *s, const uint8_t *msg, size_t len)
{
	struct conn *c = ctx;
	c->reconnects = 0; /* the gateway speaks on this stream: backoff starts over */
	if (c->sa)
		ike_sa_recv(c->sa, msg, len);
}

static void stream_esp(void *ctx, struct tcpconn *s, const uint8_t *pkt, size_t len)
{
	struct conn *c = ctx;
	if (c->tun)
		tunnel_input_stream(c->tun, pkt, len, s);
}

static void on_reconnect(uv_timer_t *t)
{
	struct conn *c = t->data;
	if (c->sa && !c->stream && !c->going_down)
		stream_open(c);
}

/* The stream is gone while the SA lives: open another, with backoff. */
static void stream_lost(struct conn *c, int err)
{
	if (c->tun)
		tunnel_stream_gone(c->tun, c->stream);
	c->stream = NULL;
	c->stream_up = 0;
	c->stream_drops++;
	c->stream_err = err ? err : -ECONNRESET;
	if (!c->sa || c->going_down)
		return;
	uint64_t wait = (uint64_t)RECONNECT_FIRST_MS << (c->reconnects < 6 ? c->reconnects : 6);
	if (wait > RECONNECT_MAX_MS)
		wait = RECONNECT_MAX_MS;
	c->reconnects++;
	log_info(CLOG, "%s: the TCP stream to the gateway ended (%s); reconnecting in %llu ms",
		 c->p->name, err ? pt_strerror(err) : "closed by the gateway", (unsigned long long)wait);
	uv_timer_start(&c->reconnect, on_reconnect, wait, 0);
}

static void stream_closed(void *ctx, struct tcpconn *s, int err)
{
	stream_lost(ctx, err);
}

static void stream_connected(void *ctx, struct tcpconn *s, int err)
{
	struct conn *c = ctx;
	char a[NET_ADDR_STR_MAX];

	if (!err) {
		c->stream_up = 1;
		if (c->stream_was_up && c->sa) {
			/* RFC 9329 6: the originator reconnects; the request in
			 * flight goes again, or an empty INFORMATIONAL binds the
			 * new stream at the gateway. */
			log_info(CLOG, "%s: TCP stream to the gateway open again", c->p->name);
			if (ike_sa_state(c->sa) == IKE_S_ESTABLISHED)
				ike_sa_dpd(c->sa);
			ike_sa_resend(c->sa);
		}
		c->stream_was_up = 1;
		if (c->esp_tcp && c->tun)
			tunnel_child_stream(c->tun, c->first.spi_in, s);
		return;
	}
	c->stream = NULL; /* freed after this callback */
	net_sa_str((const struct sockaddr *)&c->gw, a, sizeof(a));
	if (c->stream_was_up || (c->sa && ike_sa_state(c->sa) == IKE_S_ESTABLISHED)) {
		c->stream = s; /* stream_lost clears it */
		stream_lost(c, err);
		return;
	}
	if (c->mode == CONF_TRANSPORT_SEPARATE && !c->p->tcp_blocked_fail) {
		c->sep_off = 1;
		say(c, "TCP/4500 at %s did not connect (%s): starting again over UDP without SEPARATE_TRANSPORTS (IKE fragmented per RFC 7383)",
		    a, pt_strerror(err));
		conn_restart(c);
		return;
	}
	conn_set_error(c, "TCP/4500 at %s did not connect: %s%s", a, pt_strerror(err),
		       c->mode == CONF_TRANSPORT_SEPARATE ? " (tcp_blocked: fail)" : "");
	conn_go_down(c);
}

static void stream_open(struct conn *c)
{
	static const struct tcpconn_ops ops0 = {
		.connected = stream_connected, .ike = stream_ike, .esp = stream_esp, .closed = stream_closed,
	};
	struct tcpconn_ops ops = ops0;
	struct sockaddr_storage local = c->stream_local.ss_family ? c->stream_local : c->local;
	ops.ctx = c;
	net_sa_set_port(&local, 0);
	int rc = tcpconn_connect(c->loop, (const struct sockaddr *)&c->gw, (const struct sockaddr *)&local,
				 TCP_CONNECT_MS, &ops, &c->stream);
	if (rc) {
		c->stream = NULL;
		log_warn(CLOG, "%s: cannot open a TCP stream: %s", c->p->name, pt_strerror(rc));
		stream_lost(c, rc);
	}
}

/* ---- network changes and wake-ups ---- */

int64_t path_slept_ms(int64_t wall0, int64_t mono0, int64_t wall1, int64_t mono1)
{
	int64_t gap = (wall1 - wall0) - (mono1 - mono0);
	return gap >= (int64_t)WAKE_SLEPT_MS ? gap : 0;
}

static int64_t ms_of(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Something around us changed (or we slept): check the path again. The
 * gateway's own route follows the new uplink (full tunnel); the stream
 * follows a new source address; ESP is probed at once; conn_roam.c decides
 * how the IKE SA follows (MOBIKE, resumption). */
static void network_changed(struct conn *c, const char *what)
{
	char a[NET_ADDR_STR_MAX], b[NET_ADDR_STR_MAX];
	struct sockaddr_storage now, before = c->local;
	int moved = 0;

	if ((c->state != PETREL_STATE_CONNECTED && c->state != PETREL_STATE_RECONNECTING) || !c->sa)
		return;
	c->last_change = (int64_t)time(NULL);
	if (conn_gateway_route(c) == -ENETUNREACH || net_source_for(&c->gw, &now) != 0 ||
	    conn_addr_is_ours(c, &now)) {
		/* no uplink reaches the gateway (Wi-Fi gone, none yet): nothing
		 * to try until the next change brings one */
		log_info(CLOG, "%s: %s: no path to the gateway outside the tunnel; waiting for a network",
			 c->p->name, what);
		roam_offline(c, what);
		return;
	}
	if (!net_sa_eq_ip((struct sockaddr *)&now, (const struct sockaddr *)&c->local)) {
		log_info(CLOG, "%s: %s: the path to the gateway now leaves from %s (was %s)", c->p->name, what,
			 net_sa_str((struct sockaddr *)&now, a, sizeof(a)),
			 net_sa_str((const struct sockaddr *)&c->local, b, sizeof(b)));
		net_sa_set_port(&now, net_sa_port((struct sockaddr *)&c->local));
		c->local = now;
		moved = 1;
	} else {
		log_info(CLOG, "%s: %s: checking the path", c->p->name, what);
	}
	const struct sockaddr_storage *was = c->stream_local.ss_family ? &c->stream_local : &before;
	if (moved && c->stream && !net_sa_eq_ip((struct sockaddr *)&c->local, (const struct sockaddr *)was)) {
		/* RFC 9329 6: the originator opens a new stream, from the new
		 * address, at once (not after the reconnect backoff) */
		log_info(CLOG, "%s: a new TCP stream to the gateway from %s", c->p->name,
			 net_sa_str((struct sockaddr *)&c->local, a, sizeof(a)));
		c->stream_local = c->local;
		if (c->tun)
			tunnel_stream_gone(c->tun, c->stream);
		tcpconn_close(c->stream);
		c->stream = NULL;
		c->stream_up = 0;
		c->reconnects = 0;
		uv_timer_start(&c->reconnect, on_reconnect, 0, 0);
	}
	if (ike_sa_echo(c->sa) && ike_sa_separate(c->sa) && c->tun) {
		/* the next probe now, with the full retry schedule */
		c->awaiting = 0;
		c->misses = 0;
		probe_now(c);
	}
	char why[CTL_MSG_MAX];
	snprintf(why, sizeof(why), "%.64s; %.180s", what, c->why);
	if (c->ev.path)
		c->ev.path(c->ev.ctx, c, why);
	roam_changed(c, what, moved);
}

static void on_settled(uv_timer_t *t)
{
	struct conn *c = t->data;
	unsigned ev = c->nm_events;
	char what[64];
	c->nm_events = 0;
	snprintf(what, sizeof(what), "network changed (%s%s%s%s)", ev & NET_NETMON_LINK ? "link " : "",
		 ev & NET_NETMON_ADDR ? "address " : "", ev & NET_NETMON_ROUTE ? "route " : "",
		 ev & NET_NETMON_RESYNC ? "lost events " : "");
	size_t n = strlen(what);
	if (n >= 2 && what[n - 2] == ' ')
		memmove(what + n - 2, what + n - 1, 2); /* "(link )" -> "(link)" */
	network_changed(c, what);
}

static void on_netmon(uv_poll_t *h, int status, int events)
{
	struct conn *c = h->data;
	unsigned ev = 0;
	(void)events;
	if (status < 0 || net_netmon_read(c->nm, &ev) < 0 || !ev)
		return;
	c->nm_events |= ev;
	/* act after SETTLE_MS of quiet, or SETTLE_MAX_MS after the first */
	uint64_t now = uv_now(c->loop);
	if (!uv_is_active((uv_handle_t *)&c->nm_settle))
		c->settle_first_ms = now;
	if (now - c->settle_first_ms < SETTLE_MAX_MS)
		uv_timer_start(&c->nm_settle, on_settled, SETTLE_MS, 0);
}

static void on_wake_check(uv_timer_t *t)
{
	struct conn *c = t->data;
	int64_t wall = ms_of(CLOCK_REALTIME), mono = ms_of(CLOCK_MONOTONIC);
	int64_t slept = path_slept_ms(c->wake_wall_ms, c->wake_mono_ms, wall, mono);
	/* A process frozen (SIGSTOP, a cgroup freezer) sleeps too: the
	 * monotonic clock ran but our timer could not. */
	int64_t late = mono - c->wake_mono_ms - (int64_t)WAKE_CHECK_MS;
	if (late >= (int64_t)WAKE_SLEPT_MS && late > slept)
		slept = late;
	c->wake_wall_ms = wall;
	c->wake_mono_ms = mono;
	if (slept) {
		char what[64];
		snprintf(what, sizeof(what), "woke up after about %lld s", (long long)(slept / 1000));
		network_changed(c, what);
	}
}

void path_tun_up(struct conn *c, unsigned ifindex)
{
	if (c->nm)
		net_netmon_ignore_ifindex(c->nm, ifindex);
}

static void watch_start(struct conn *c)
{
	if (c->nm && !uv_is_active((uv_handle_t *)&c->nm_poll)) {
		/* what queued up while we were not watching is history */
		unsigned ev = 1;
		for (int i = 0; i < 64 && ev; i++)
			if (net_netmon_read(c->nm, &ev) < 0)
				break;
		uv_poll_start(&c->nm_poll, UV_READABLE, on_netmon);
	}
	c->wake_wall_ms = ms_of(CLOCK_REALTIME);
	c->wake_mono_ms = ms_of(CLOCK_MONOTONIC);
	uv_timer_start(&c->wake, on_wake_check, WAKE_CHECK_MS, WAKE_CHECK_MS);
}

static void watch_stop(struct conn *c)
{
	if (c->nm)
		uv_poll_stop(&c->nm_poll);
	uv_timer_stop(&c->nm_settle);
	uv_timer_stop(&c->wake);
	c->nm_events = 0;
	if (c->nm)
		net_netmon_ignore_ifindex(c->nm, 0);
}

/* ---- the connection's side ---- */

int path_send_ike(struct conn *c, const uint8_t *msg, size_t len)
{
	if (!ike_on_tcp(c))
		/* RFC 7296 2.23: we start on 4500 with the non-ESP marker, so a
		 * NAT on the way never separates IKE from ESP. */
		return ikesock_send(c->sock, msg, len, (struct sockaddr *)&c->gw, IKESOCK_NATT);
	if (!c->stream && !uv_is_active((uv_handle_t *)&c->reconnect))
		stream_open(c);
	if (!c->stream)
		return -ENOTCONN; /* sent again when the stream is back */
	return tcpconn_send_ike(c->stream, msg, len);
}

static void on_udp_wait(uv_timer_t *t)
{
	struct conn *c = t->data;
	if (!c->sa || ike_sa_state(c->sa) != IKE_S_INIT_SENT || c->going_down)
		return;
	c->mode = CONF_TRANSPORT_TCP;
	c->auto_tried_tcp = 1;
	say(c, "no answer on UDP/4500 in %u ms: IKE and ESP in TCP (RFC 9329)", AUTO_UDP_WAIT_MS);
	conn_restart(c);
}

void path_sa_started(struct conn *c)
{
	c->stream_was_up = 0;
	c->reconnects = 0;
	c->stream_drops = 0;
	if (c->mode == CONF_TRANSPORT_TCP) {
		ike_sa_set_reliable(c->sa, 1);
		if (!c->auto_tried_tcp)
			say(c, "transport: tcp: IKE and ESP in TCP (RFC 9329)");
	} else if (c->mode == CONF_TRANSPORT_UDP) {
		say(c, "transport: udp: IKE and ESP on UDP");
	}
	if (c->p->transport == CONF_TRANSPORT_AUTO && c->mode == CONF_TRANSPORT_SEPARATE && !c->sep_off)
		uv_timer_start(&c->udp_wait, on_udp_wait, AUTO_UDP_WAIT_MS, 0);
}

void path_established(struct conn *c)
{
	uv_timer_stop(&c->udp_wait);
	watch_start(c);
	if (c->mode != CONF_TRANSPORT_SEPARATE || c->sep_off)
		return;
	if (ike_sa_separate(c->sa))
		say(c, "the gateway agreed to SEPARATE_TRANSPORTS: IKE in TCP, ESP %s",
		    ike_sa_nat_local(c->sa) || ike_sa_nat_remote(c->sa) || c->p->encap_udp ? "on UDP" : "as raw ESP (IP protocol 50)");
	else
		say(c, "the gateway did not agree to SEPARATE_TRANSPORTS: IKE and ESP on UDP");
}

void path_child_up(struct conn *c, const struct ike_child *k)
{
	int echo = ike_sa_echo(c->sa);
	if (echo) {
		struct esp_echo_cfg ec = { .next_header = c->cp->esp_echo_next_header,
					   .request = c->cp->esp_echo_request, .reply = c->cp->esp_echo_reply };
		tunnel_set_echo(c->tun, &ec);
		tunnel_child_echo(c->tun, k->spi_in, 1);
	}
	if (c->mode == CONF_TRANSPORT_TCP) {
		c->esp_tcp = 1;
		tunnel_child_stream(c->tun, k->spi_in, c->stream);
		return;
	}
	/* Probe the datagram path once per IKE SA, when there is a stream to
	 * fall back to (specs/transport.md 2.6 items 6 and 7). */
	if (echo && ike_sa_separate(c->sa) && !uv_is_active((uv_handle_t *)&c->probe) && !c->awaiting) {
		esp_probes_init(&c->probes, (uint16_t)(k->spi_in ^ (k->spi_in >> 16)));
		c->misses = 0;
		probe_now(c);
	}
}

void path_tunnel_ops(struct conn *c, struct tunnel_ops *out)
{
	memset(out, 0, sizeof(*out));
	out->ctx = c;
	out->echo_reply = on_echo_reply;
	out->stream_send = stream_send;
	out->stream_send_many = stream_send_many;
}

void path_reset(struct conn *c)
{
	watch_stop(c);
	memset(&c->stream_local, 0, sizeof(c->stream_local));
	uv_timer_stop(&c->reconnect);
	uv_timer_stop(&c->probe);
	uv_timer_stop(&c->udp_wait);
	if (c->stream) {
		tcpconn_close(c->stream);
		c->stream = NULL;
	}
	c->stream_up = c->stream_was_up = 0;
	c->esp_tcp = 0;
	c->awaiting = 0;
	c->misses = 0;
}

void path_init(struct conn *c)
{
	uv_timer_init(c->loop, &c->reconnect);
	uv_timer_init(c->loop, &c->probe);
	uv_timer_init(c->loop, &c->udp_wait);
	uv_timer_init(c->loop, &c->nm_settle);
	uv_timer_init(c->loop, &c->wake);
	c->reconnect.data = c->probe.data = c->udp_wait.data = c->nm_settle.data = c->wake.data = c;
	c->handles_open += 5;
	/* Without a monitor (no rtnetlink here) changes go unseen, wake-ups not. */
	int rc = net_netmon_open(&c->nm);
	if (rc) {
		log_warn(CLOG, "%s: no network-change monitor: %s", c->p->name, pt_strerror(rc));
		c->nm = NULL;
		return;
	}
	if (uv_poll_init(c->loop, &c->nm_poll, net_netmon_fd(c->nm))) {
		net_netmon_close(c->nm);
		c->nm = NULL;
		return;
	}
	c->nm_poll.data = c;
	c->handles_open++;
}

void path_close_handles(struct conn *c, uv_close_cb cb)
{
	path_reset(c);
	uv_close((uv_handle_t *)&c->reconnect, cb);
	uv_close((uv_handle_t *)&c->probe, cb);
	uv_close((uv_handle_t *)&c->udp_wait, cb);
	uv_close((uv_handle_t *)&c->nm_settle, cb);
	uv_close((uv_handle_t *)&c->wake, cb);
	if (c->nm) {
		/* the poll handle leaves epoll now; the descriptor may go */
		uv_close((uv_handle_t *)&c->nm_poll, cb);
		net_netmon_close(c->nm);
		c->nm = NULL;
	}
}
