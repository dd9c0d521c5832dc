/* A connection: resolve the gateway, run the IKE initiator over UDP/4500,
 * and when the first Child SA is up bring up the TUN, routes, DNS and the
 * ESP data path; take everything down on delete, failure or request. */
#include "daemon/conn_int.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "base/hex.h"
#include "base/log.h"
#include "crypto/secret.h"
#include "daemon/creds.h"
#include "daemon/sysnet.h"
#include "ike/pld/consts.h"
#include "net/addr.h"
#include "net/ikesock.h"
#include "net/killswitch.h"
#include "net/rawesp.h"
#include "tunnel/tunnel.h"

static int64_t now_s(void) { return (int64_t)time(NULL); }

void conn_set_state(struct conn *c, enum petrel_state st)
{
	if (c->state == st)
		return;
	log_info(CLOG, "%s: %s -> %s", c->p->name, ctl_state_name(c->state), ctl_state_name(st));
	c->state = st;
	c->since = now_s();
	if (c->ev.changed)
		c->ev.changed(c->ev.ctx, c);
}

void conn_set_error(struct conn *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->error, sizeof(c->error), fmt, ap);
	va_end(ap);
	log_warn(CLOG, "%s: %s", c->p->name, c->error);
}

/* ---- teardown ---- */

static void sock_closed(void *arg)
{
	struct conn *c = arg;
	c->sock = NULL;
	if (c->ev.gone)
		c->ev.gone(c->ev.ctx, c);
}

/* The kill switch (PRODUCT.md item 9): while connecting only IKE and ESP to
 * the gateway leave; when up, the TUN too; after a drop it stays until the
 * user says `petrel down`, so nothing leaks outside the tunnel. */
static int ks_set(struct conn *c, const char *tun)
{
	if (!c->p->kill_switch)
		return 0;
	struct net_ks_cfg k = { .gateways = &c->gw, .n_gateways = 1, .tun_ifname = tun, .allow_dhcp = 1 };
	int rc = net_ks_enable(&k);
	if (rc) {
		conn_set_error(c, "cannot turn the kill switch on (%s)%s", pt_strerror(rc),
			  rc == -ENOTSUP ? ": nft is not installed; install nftables or set kill_switch: false" : "");
		return rc;
	}
	c->ks_on = 1;
	return 0;
}

static void ks_off(struct conn *c)
{
	if (c->ks_on && net_ks_disable(NULL) == 0)
		c->ks_on = 0;
}

static void teardown(struct conn *c)
{
	if (c->tun) {
		tunnel_free(c->tun);
		c->tun = NULL;
	}
	if (c->raw_fd >= 0) {
		close(c->raw_fd);
		c->raw_fd = -1;
	}
	if (c->net) {
		sysnet_down(c->net); /* closes the TUN, restores routes and DNS */
		c->net = NULL;
		c->tun_fd = -1;
	}
	path_reset(c);
	roam_reset(c);
	if (c->user_down)
		roam_forget_ticket(c); /* logout: the ticket goes too */
	uv_timer_stop(&c->sa_timer);
	uv_timer_stop(&c->deadline);
	uv_timer_stop(&c->keepalive);
	creds_free(&c->creds);
	c->have_child = 0;
	c->going_down = 0;
	if (c->user_down)
		ks_off(c);
	else if (c->ks_on)
		log_warn(CLOG, "%s: the tunnel dropped; the kill switch stays on until 'petrel down %s'",
			 c->p->name, c->p->name);
	c->user_down = 0;
	conn_set_state(c, PETREL_STATE_DISCONNECTED);
	if (c->sock) {
		struct ikesock *s = c->sock;
		ikesock_close(s, sock_closed, c);
	} else if (c->ev.gone) {
		c->ev.gone(c->ev.ctx, c);
	}
}

/* Leave the SA's callbacks before acting on it: the next loop turn. */
static void on_later(uv_timer_t *t)
{
	struct conn *c = t->data;
	if (!c->going_down)
		return;
	if (c->sa && ike_sa_state(c->sa) == IKE_S_ESTABLISHED && c->going_down == 1) {
		c->going_down = 2; /* delete sent; wait for the answer or the deadline */
		if (ike_sa_delete(c->sa) == 0) {
			uv_timer_start(&c->deadline, on_later, DELETE_WAIT_MS, 0);
			return;
		}
	}
	uv_timer_stop(&c->deadline);
	ike_sa_free(c->sa);
	c->sa = NULL;
	teardown(c);
}

static void go_down(struct conn *c)
{
	if (!c->going_down)
		c->going_down = 1;
	uv_timer_start(&c->later, on_later, 0, 0);
}

void conn_go_down(struct conn *c) { go_down(c); }

/* ---- IKE ops ---- */

static int op_send(void *ctx, struct ike_sa *sa, const uint8_t *msg, size_t len)
{
	return path_send_ike(ctx, msg, len);
}

static void on_sa_timer(uv_timer_t *t)
{
	struct conn *c = t->data;
	if (c->sa)
		ike_sa_on_timer(c->sa);
}

static void op_timer(void *ctx, struct ike_sa *sa, uint64_t delay_ms)
{
	struct conn *c = ctx;
	if (delay_ms == UINT64_MAX)
		uv_timer_stop(&c->sa_timer);
	else
		uv_timer_start(&c->sa_timer, on_sa_timer, delay_ms, 0);
}

static uint64_t op_now(void *ctx) { return uv_now(((struct conn *)ctx)->loop); }
static int op_random(void *ctx, void *buf, size_t len) { return crypto_random(buf, len); }

static void op_addrs(void *ctx, struct ike_sa *sa, struct ike_addr *local, struct ike_addr *remote)
{
	struct conn *c = ctx;
	struct sockaddr_storage l;
	/* The socket is bound to the wildcard address (so it survives a move):
	 * our address is the source towards the gateway, its port the socket's. */
	net_addr_from_sa((struct sockaddr *)&c->local, local);
	if (ikesock_local(c->sock, IKESOCK_NATT, &l) == 0)
		local->port = net_sa_port((struct sockaddr *)&l);
	net_addr_from_sa((struct sockaddr *)&c->gw, remote);
}

/* What the tunnel does now: ESP in UDP, or raw ESP through the raw socket. */
int conn_esp_in_udp(const struct conn *c)
{
	return c->p->encap_udp || !c->sa || ike_sa_nat_local(c->sa) || ike_sa_nat_remote(c->sa) ||
	       c->raw_fd < 0;
}

/* ESP in UDP only when a NAT is in the path (RFC 7296 2.23, RFC 3948) or
 * the profile asks for it; raw IP protocol 50 otherwise. */
static int esp_in_udp(const struct conn *c)
{
	return c->p->encap_udp || ike_sa_nat_local(c->sa) || ike_sa_nat_remote(c->sa);
}

static int bring_up_net(struct conn *c, const struct ike_child *k)
{
	char why[CTL_MSG_MAX];
	struct sysnet_params sp = {
		.ifname = "petrel0", .mtu = c->p->mtu, .profile = c->p, .cp = ike_sa_cp(c->sa),
		.child = k, .gateway = (struct sockaddr *)&c->gw, .natt = esp_in_udp(c),
	};
	int rc = sysnet_up(&sp, &c->net, &c->tun_fd, why, sizeof(why));
	if (rc) {
		conn_set_error(c, "cannot set up the tunnel: %s", why);
		return rc;
	}
	if ((rc = ks_set(c, sysnet_ifname(c->net)))) {
		sysnet_down(c->net);
		c->net = NULL;
		return rc;
	}
	struct tunnel_ops tops;
	path_tunnel_ops(c, &tops);
	rc = tunnel_new(c->loop, c->tun_fd, ikesock_fd(c->sock, IKESOCK_NATT), &tops, &c->tun);
	if (!rc && !sp.natt && (rc = conn_open_raw(c))) {
		tunnel_free(c->tun);
		c->tun = NULL;
	}
	if (!rc)
		c->net_cp = *ike_sa_cp(c->sa);
	if (rc) {
		conn_set_error(c, "cannot start the data path: %s", pt_strerror(rc));
		sysnet_down(c->net);
		c->net = NULL;
	}
	return rc;
}

int conn_open_raw(struct conn *c)
{
	/* bound to the wildcard address: a move keeps it usable */
	struct sockaddr_storage any;
	int rc;

	memset(&any, 0, sizeof(any));
	any.ss_family = c->local.ss_family;
	c->raw_fd = net_raw_esp_open((struct sockaddr *)&any);
	rc = c->raw_fd < 0 ? c->raw_fd : tunnel_add_raw(c->tun, c->local.ss_family, c->raw_fd);
	if (rc && c->raw_fd >= 0)
		close(c->raw_fd);
	if (rc)
		c->raw_fd = -1;
	return rc;
}

int conn_gateway_route(struct conn *c)
{
	char why[CTL_MSG_MAX] = "";
	if (!c->net)
		return 0;
	int rc = sysnet_gateway_route(c->net, (struct sockaddr *)&c->gw, why, sizeof(why));
	if (rc)
		log_info(CLOG, "%s: the gateway's own route: %s", c->p->name, why[0] ? why : pt_strerror(rc));
	return rc;
}

int conn_addr_is_ours(const struct conn *c, const struct sockaddr_storage *a)
{
	/* an address the gateway gave us: the path would be the tunnel itself */
	const struct ike_cp_result *cp = &c->net_cp;
	if (a->ss_family == AF_INET && cp->has_v4)
		return memcmp(&((const struct sockaddr_in *)a)->sin_addr, cp->v4, 4) == 0; /* public-memcmp: addresses */
	if (a->ss_family == AF_INET6 && cp->has_v6)
		return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr, cp->v6, 16) == 0; /* public-memcmp: addresses */
	return 0;
}

/* The tunnel's system side for a new IKE SA after a move: the same virtual
 * addresses keep everything; others need the TUN set up again. */
static int net_for_new_sa(struct conn *c, const struct ike_child *k)
{
	const struct ike_cp_result *cp = ike_sa_cp(c->sa);
	if (cp->has_v4 == c->net_cp.has_v4 && cp->has_v6 == c->net_cp.has_v6 &&
	    memcmp(cp->v4, c->net_cp.v4, 4) == 0 && memcmp(cp->v6, c->net_cp.v6, 16) == 0) { /* public-memcmp: addresses */
		if (!esp_in_udp(c) && c->raw_fd < 0 && conn_open_raw(c))
			return -EIO;
		return 0;
	}
	log_info(CLOG, "%s: the gateway gave other virtual addresses: setting the tunnel up again",
		 c->p->name);
	tunnel_free(c->tun);
	c->tun = NULL;
	if (c->raw_fd >= 0) {
		close(c->raw_fd);
		c->raw_fd = -1;
	}
	sysnet_down(c->net);
	c->net = NULL;
	c->tun_fd = -1;
	int rc = bring_up_net(c, k);
	if (!rc)
		path_tun_up(c, if_nametoindex(sysnet_ifname(c->net)));
	return rc;
}

static int op_child_up(void *ctx, struct ike_sa *sa, const struct ike_child *k)
{
	struct conn *c = ctx;
	int rc;

	if (c->tun && !c->have_child && (rc = net_for_new_sa(c, k)))
		return rc;
	if (!c->tun) {
		if ((rc = bring_up_net(c, k)))
			return rc;
		path_tun_up(c, if_nametoindex(sysnet_ifname(c->net)));
	}
	if ((rc = tunnel_child_add(c->tun, k, (struct sockaddr *)&c->gw, esp_in_udp(c)))) {
		conn_set_error(c, "cannot install the Child SA: %s", pt_strerror(rc));
		return rc;
	}
	c->first = *k;
	c->first.key_in = c->first.key_out = NULL;
	c->have_child = 1;
	c->last_handshake = now_s();
	path_child_up(c, k);
	return 0;
}

static void op_child_down(void *ctx, struct ike_sa *sa, const struct ike_child *k)
{
	struct conn *c = ctx;
	if (c->tun)
		tunnel_child_del(c->tun, k->spi_in);
}

static void on_keepalive(uv_timer_t *t)
{
	struct conn *c = t->data;
	/* Behind a NAT (or with UDP encapsulation forced), a 0xFF datagram keeps
	 * the mapping alive when nothing else flows (RFC 3948 2.3, 4). */
	if (c->sock && c->sa && ike_sa_nat_local(c->sa))
		ikesock_send_keepalive(c->sock, (struct sockaddr *)&c->gw);
}

static void op_event(void *ctx, struct ike_sa *sa, enum ike_event ev, int err)
{
	struct conn *c = ctx;

	if (roam_event(c, ev, err))
		return;
	switch (ev) {
	case IKE_EV_ESTABLISHED:
		uv_timer_stop(&c->deadline);
		c->error[0] = '\0';
		c->last_handshake = now_s();
		uv_timer_start(&c->keepalive, on_keepalive, KEEPALIVE_MS, KEEPALIVE_MS);
		path_established(c);
		conn_set_state(c, PETREL_STATE_CONNECTED);
		return;
	case IKE_EV_REKEYED:
		c->last_handshake = now_s();
		return;
	case IKE_EV_TICKET:
	case IKE_EV_UPDATED:
	case IKE_EV_UNKNOWN:
	case IKE_EV_INITIAL_CONTACT: /* a responder's */
		return; /* conn_roam.c */
	case IKE_EV_FAILED:
		if (c->error[0])
			break; /* the step that failed said why (the TUN, routes, DNS...) */
		if (ike_sa_child_refused(sa))
			conn_set_error(c, "the gateway made the IKE SA but refused the tunnel (Child SA): %s",
				       ike_notify_name(ike_sa_child_refused(sa)));
		else
			conn_set_error(c, "%s", pt_strerror(err));
		break;
	case IKE_EV_DELETED:
		if (!c->going_down)
			conn_set_error(c, "the gateway closed the connection");
		break;
	}
	c->going_down = 2; /* nothing left to delete */
	uv_timer_start(&c->later, on_later, 0, 0);
}

static void on_recv(void *ctx, const uint8_t *msg, size_t len, const struct sockaddr *from,
		    enum ikesock_port port)
{
	struct conn *c = ctx;
	if (!c->sa || !net_sa_eq_ip(from, (struct sockaddr *)&c->gw))
		return; /* only the gateway speaks to us */
	if (ike_sa_recv(c->sa, msg, len) == 0 && c->sa)
		roam_heard(c, 0);
}

static void on_esp(void *ctx, const uint8_t *pkt, size_t len, const struct sockaddr *from)
{
	struct conn *c = ctx;
	if (c->tun)
		tunnel_input(c->tun, pkt, len, from);
}

static void on_connect_timeout(uv_timer_t *t)
{
	struct conn *c = t->data;
	if (c->state != PETREL_STATE_CONNECTING)
		return;
	if (c->stream_drops)
		conn_set_error(c, "no answer from the gateway within %u s; its TCP/4500 ended the stream %u time(s) (last: %s)",
			       CONNECT_TIMEOUT_MS / 1000, c->stream_drops, pt_strerror(c->stream_err));
	else
		conn_set_error(c, "no answer from the gateway within %u s", CONNECT_TIMEOUT_MS / 1000);
	c->going_down = 2;
	uv_timer_start(&c->later, on_later, 0, 0);
}

/* ---- starting ---- */

/* A new IKE SA for this attempt's transport (conn_path.c chose it). */
static void start_sa(struct conn *c)
{
	int rc;

	c->ops = (struct ike_ops){
		.ctx = c, .send = op_send, .timer = op_timer, .now_ms = op_now, .random = op_random,
		.addrs = op_addrs, .child_up = op_child_up, .child_down = op_child_down, .event = op_event,
	};
	c->cfg.cp = c->cp;
	c->cfg.separate = c->mode == CONF_TRANSPORT_SEPARATE && !c->sep_off;
	c->cfg.echo = 1;
	roam_prepare_sa(c);
	rc = ike_sa_new(&c->cfg, &c->ops, &c->sa);
	roam_sa_made(c);
	if (rc) {
		conn_set_error(c, "cannot start IKE: %s", pt_strerror(rc));
		go_down(c);
		return;
	}
	path_sa_started(c);
	if ((rc = ike_sa_initiate(c->sa))) {
		conn_set_error(c, "cannot start IKE: %s", pt_strerror(rc));
		go_down(c);
	}
}

static void start_ike(struct conn *c)
{
	char a[NET_ADDR_STR_MAX];
	int rc;

	if ((rc = ks_set(c, NULL))) {
		go_down(c);
		return;
	}
	if ((rc = net_source_for(&c->gw, &c->local))) {
		conn_set_error(c, "no route to the gateway %s: %s", net_sa_str((struct sockaddr *)&c->gw, a, sizeof(a)),
			  pt_strerror(rc));
		go_down(c);
		return;
	}
	/* The wildcard address: the kernel picks the source per packet, so
	 * the socket keeps working when the laptop moves (c->local follows). */
	struct sockaddr_storage any;
	memset(&any, 0, sizeof(any));
	any.ss_family = c->local.ss_family;
	if ((rc = ikesock_new(c->loop, (struct sockaddr *)&any, 0, 0, on_recv, c, &c->sock))) {
		conn_set_error(c, "cannot open UDP sockets: %s", pt_strerror(rc));
		go_down(c);
		return;
	}
	ikesock_set_esp(c->sock, on_esp);
	log_info(CLOG, "%s: connecting to %s", c->p->name, net_sa_str((struct sockaddr *)&c->gw, a, sizeof(a)));
	c->mode = c->p->transport == CONF_TRANSPORT_AUTO ? CONF_TRANSPORT_SEPARATE : c->p->transport;
	c->auto_tried_tcp = c->sep_off = 0;
	start_sa(c);
	uv_timer_start(&c->deadline, on_connect_timeout, CONNECT_TIMEOUT_MS, 0);
}

void conn_restart(struct conn *c)
{
	ike_sa_free(c->sa); /* its Child SAs leave the tunnel (op_child_down) */
	c->sa = NULL;
	c->have_child = 0;
	path_reset(c);
	start_sa(c);
}

static void on_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
	struct conn *c = req->data;
	c->resolving = 0;
	if (c->going_down) {
		uv_freeaddrinfo(res);
		go_down(c);
		return;
	}
	if (status < 0 || !res) {
		conn_set_error(c, "cannot resolve the gateway '%s': %s", c->p->gateway, uv_strerror(status));
		uv_freeaddrinfo(res);
		go_down(c);
		return;
	}
	memset(&c->gw, 0, sizeof(c->gw));
	memcpy(&c->gw, res->ai_addr, res->ai_addrlen);
	net_sa_set_port(&c->gw, c->p->port);
	uv_freeaddrinfo(res);
	start_ike(c);
}

static void resolve(struct conn *c)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM, .ai_family = AF_UNSPEC };
	if (net_sa_parse(c->p->gateway, c->p->port, &c->gw) == 0) {
		start_ike(c);
		return;
	}
	c->gai.data = c;
	c->resolving = 1;
	int rc = uv_getaddrinfo(c->loop, &c->gai, on_resolved, c->p->gateway, NULL, &hints);
	if (rc) {
		c->resolving = 0;
		conn_set_error(c, "cannot resolve the gateway '%s': %s", c->p->gateway, uv_strerror(rc));
		go_down(c);
	}
}

int conn_new(uv_loop_t *loop, const struct conf_profile *p, const struct ike_codepoints *cp,
	     const char *state_dir, const struct conn_events *ev, struct conn **out)
{
	struct conn *c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->loop = loop;
	c->p = p;
	c->ev = *ev;
	c->tun_fd = -1;
	c->raw_fd = -1;
	c->state = PETREL_STATE_DISCONNECTED;
	c->since = now_s();
	uv_timer_init(loop, &c->sa_timer);
	uv_timer_init(loop, &c->deadline);
	uv_timer_init(loop, &c->later);
	uv_timer_init(loop, &c->keepalive);
	c->sa_timer.data = c->deadline.data = c->later.data = c->keepalive.data = c;
	c->handles_open = 4;
	c->cp = cp;
	c->state_dir = state_dir;
	path_init(c);
	roam_init(c);
	*out = c;
	return 0;
}

int conn_up(struct conn *c, char *why, size_t why_len)
{
	int rc = creds_load(c->p, &c->creds, &c->cfg, why, why_len);
	if (rc) {
		snprintf(c->error, sizeof(c->error), "%s", why);
		return rc;
	}
	/* encap: udp (RFC 3948 without a NAT): make the gateway see one. */
	c->cfg.force_natt = c->p->encap_udp;
	c->going_down = 0;
	c->error[0] = '\0';
	conn_set_state(c, PETREL_STATE_CONNECTING);
	if (c->cfg.auth == IKE_AUTHK_EAP) {
		char prompt[CONF_STR_MAX + CONF_NAME_MAX + 32];
		snprintf(prompt, sizeof(prompt), "Password for %s (%s)", c->p->auth.user, c->p->name);
		if (!c->ev.ask_password || (rc = c->ev.ask_password(c->ev.ctx, c, prompt))) {
			snprintf(why, why_len, "the profile needs a password and no client can be asked");
			conn_set_error(c, "%s", why);
			creds_free(&c->creds);
			conn_set_state(c, PETREL_STATE_DISCONNECTED);
			return rc ? rc : -ENOTSUP;
		}
		c->asking = 1;
		return 0;
	}
	resolve(c);
	return 0;
}

void conn_password(struct conn *c, const char *value)
{
	if (!c->asking)
		return;
	c->asking = 0;
	if (!value || c->going_down) {
		conn_set_error(c, "no password given");
		go_down(c);
		return;
	}
	if (creds_set_eap_password(&c->creds, &c->cfg, value, strlen(value))) {
		conn_set_error(c, "out of memory");
		go_down(c);
		return;
	}
	resolve(c);
}

void conn_down(struct conn *c)
{
	if (c->state == PETREL_STATE_DISCONNECTED && !c->sock) {
		ks_off(c); /* after a drop: the user lets traffic out again */
		return;
	}
	c->user_down = 1;
	conn_set_state(c, PETREL_STATE_DISCONNECTING);
	if (c->resolving) {
		c->going_down = 2;
		uv_cancel((uv_req_t *)&c->gai);
		return;
	}
	go_down(c);
}

static void handle_closed(uv_handle_t *h)
{
	struct conn *c = h->data;
	if (--c->handles_open == 0) {
		crypto_wipe(c, sizeof(*c));
		free(c);
	}
}

void conn_free(struct conn *c)
{
	ike_sa_free(c->sa);
	c->sa = NULL;
	creds_free(&c->creds);
	uv_close((uv_handle_t *)&c->sa_timer, handle_closed);
	uv_close((uv_handle_t *)&c->deadline, handle_closed);
	uv_close((uv_handle_t *)&c->later, handle_closed);
	uv_close((uv_handle_t *)&c->keepalive, handle_closed);
	path_close_handles(c, handle_closed);
	roam_close_handles(c, handle_closed);
}

enum petrel_state conn_state(const struct conn *c) { return c->state; }
int conn_kill_switch_on(const struct conn *c) { return c->ks_on; }
const char *conn_profile(const struct conn *c) { return c->p->name; }

void conn_status(const struct conn *c, struct ctl_profile_status *o)
{
	memset(o, 0, sizeof(*o));
	snprintf(o->name, sizeof(o->name), "%s", c->p->name);
	snprintf(o->gateway, sizeof(o->gateway), "%s", c->p->gateway);
	o->state = c->state;
	o->since = c->since;
	o->last_handshake = c->last_handshake;
	snprintf(o->error, sizeof(o->error), "%s", c->error);
	if (c->sock)
		net_sa_str((const struct sockaddr *)&c->gw, o->remote, sizeof(o->remote));
	o->ike = path_ike(c);
	o->esp = path_esp(c);
	if (c->state != PETREL_STATE_DISCONNECTED)
		snprintf(o->path_reason, sizeof(o->path_reason), "%s", c->why);
	roam_status(c, o);
	if (c->sa && (c->state == PETREL_STATE_CONNECTED || c->state == PETREL_STATE_RECONNECTING) &&
	    ike_sa_state(c->sa) == IKE_S_ESTABLISHED) {
		/* the key exchanges that made it: "+" joins RFC 9370 additional ones */
		ike_chosen_str(ike_sa_ike_alg(c->sa), o->ike_sa, sizeof(o->ike_sa));
		const struct ike_cp_result *cp = ike_sa_cp(c->sa);
		if (cp->has_v4 && o->n_vips < CTL_VIPS_MAX)
			inet_ntop(AF_INET, cp->v4, o->vips[o->n_vips++], sizeof(o->vips[0]));
		if (cp->has_v6 && o->n_vips < CTL_VIPS_MAX)
			inet_ntop(AF_INET6, cp->v6, o->vips[o->n_vips++], sizeof(o->vips[0]));
	}
	if (c->tun) {
		struct tunnel_stats st;
		tunnel_stats(c->tun, &st);
		o->bytes_in = st.rx_bytes;
		o->bytes_out = st.tx_bytes;
		o->packets_in = st.rx_packets;
		o->packets_out = st.tx_packets;
	}
}
