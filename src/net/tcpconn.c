/* RFC 9329 TCP streams with libuv (see tcpconn.h). */
#include "net/tcpconn.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "base/limits.h"
#include "base/log.h"
#include "net/addr.h"
#include "net/iketcp.h"

#define TCP_LOG "tcp"

enum wr_kind { WR_PREFIX, WR_IKE, WR_ESP };

struct tcplisten {
	uv_tcp_t h;
	uv_loop_t *loop;
	void (*accept_fn)(void *ctx, struct tcpconn *c);
	void *ctx;
	uint32_t prefix_timeout_ms;
	uint32_t conns_max;
	struct tcpconn *conns;     /* open accepted streams */
	int closing;
	void (*done)(void *ctx);
	void *done_ctx;
	struct tcplisten_stats st;
};

struct tcpconn {
	uv_tcp_t h;
	uv_timer_t timer;          /* originator: connect timeout; accepted: prefix timeout */
	uv_connect_t creq;
	struct tcpconn_ops ops;
	struct tcplisten *l;       /* accepted, while the listener is open */
	struct tcpconn *prev, *next; /* in l->conns */
	int tcp_open, timer_open;  /* initialised: must be closed */
	unsigned handles;          /* close callbacks still to come */
	unsigned writes;           /* write requests in flight */
	size_t queued;             /* octets in them */
	int connecting;            /* originator until on_connect */
	int dead;                  /* handles closing: nothing more happens */
	int quiet;                 /* no callback may run any more */
	struct sockaddr_storage peer, local;
	int have_peer, have_local;
	struct tcpconn_stats st;
	uint8_t rd[PT_NET_TCP_READ_LEN];
	struct iketcp_rx rx;       /* last: it embeds a 64 KiB frame buffer */
};

struct write_req {
	uv_write_t req;
	struct tcpconn *c;
	size_t len;
	enum wr_kind kind;
	size_t frames;             /* ESP frames in data (one write for a batch) */
	uint8_t data[];
};

static const char *err_str(int err) { return err ? uv_strerror(err) : "end of stream"; }

static const char *peer_str(const struct tcpconn *c, char *out, size_t len)
{
	if (!c->have_peer) {
		snprintf(out, len, "?");
		return out;
	}
	return net_sa_str((const struct sockaddr *)&c->peer, out, len);
}

static void maybe_free(struct tcpconn *c)
{
	if (c->dead && !c->handles && !c->writes)
		free(c);
}

static void on_conn_close(uv_handle_t *h)
{
	struct tcpconn *c = h->data;
	c->handles--;
	maybe_free(c);
}

static void unlink_listener(struct tcpconn *c)
{
	struct tcplisten *l = c->l;
	if (!l)
		return;
	if (c->prev)
		c->prev->next = c->next;
	else
		l->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->prev = c->next = NULL;
	c->l = NULL;
	l->st.open--;
}

/* Close the handles; the object goes in the last close callback. Callbacks
 * of requests still in flight (connect, writes) run before it with
 * UV_ECANCELED and see `dead`. */
static void teardown(struct tcpconn *c)
{
	if (c->dead)
		return;
	c->dead = 1;
	iketcp_rx_stop(&c->rx); /* a feed running below us stops at once */
	unlink_listener(c);
	if (c->timer_open) {
		c->timer_open = 0;
		c->handles++;
		uv_close((uv_handle_t *)&c->timer, on_conn_close);
	}
	if (c->tcp_open) {
		c->tcp_open = 0;
		c->handles++;
		uv_close((uv_handle_t *)&c->h, on_conn_close);
	}
	maybe_free(c);
}

/* The stream ended on its own: the owner hears it once, unless it closed
 * the stream itself. A failed connect is reported by connected(). */
static void end(struct tcpconn *c, int err)
{
	char peer[NET_ADDR_STR_MAX];
	if (c->dead)
		return;
	int connecting = c->connecting;
	if (connecting)
		log_info(TCP_LOG, "connect to %s failed: %s", peer_str(c, peer, sizeof(peer)),
			 err_str(err));
	else
		log_debug(TCP_LOG, "stream with %s ended: %s", peer_str(c, peer, sizeof(peer)),
			  err_str(err));
	teardown(c);
	if (c->quiet)
		return;
	c->quiet = 1;
	if (connecting && c->ops.connected)
		c->ops.connected(c->ops.ctx, c, err);
	else if (!connecting && c->ops.closed)
		c->ops.closed(c->ops.ctx, c, err);
}

void tcpconn_close(struct tcpconn *c)
{
	if (!c)
		return;
	c->quiet = 1;
	teardown(c);
}

static struct tcpconn *conn_new(uv_loop_t *loop, int expect_prefix)
{
	struct tcpconn *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	if (uv_tcp_init(loop, &c->h)) {
		free(c);
		return NULL;
	}
	c->tcp_open = 1;
	c->h.data = c;
	uv_timer_init(loop, &c->timer); /* cannot fail */
	c->timer_open = 1;
	c->timer.data = c;
	c->creq.data = c;
	iketcp_rx_init(&c->rx, expect_prefix);
	return c;
}

/* RFC 9329 / transport spec 4.2 item 12: TCP keepalive, never the 0xFF
 * frame; no Nagle delay for ESP. Failures cost only latency or liveness. */
static void set_opts(struct tcpconn *c)
{
	int rc;
	if ((rc = uv_tcp_nodelay(&c->h, 1)) ||
	    (rc = uv_tcp_keepalive(&c->h, 1, TCPCONN_KEEPALIVE_S)))
		log_debug(TCP_LOG, "socket options: %s", uv_strerror(rc));
}

static void cache_local(struct tcpconn *c)
{
	int len = (int)sizeof(c->local);
	c->have_local = !uv_tcp_getsockname(&c->h, (struct sockaddr *)&c->local, &len);
}

/* ---- sending ---- */

static void on_write(uv_write_t *req, int status)
{
	struct write_req *r = req->data;
	struct tcpconn *c = r->c;

	c->writes--;
	c->queued -= r->len;
	if (!status) {
		c->st.tx_bytes += r->len;
		if (r->kind == WR_IKE)
			c->st.tx_ike++;
		else if (r->kind == WR_ESP)
			c->st.tx_esp += r->frames;
	} else if (!c->dead) {
		c->st.write_err++;
		end(c, status);
	}
	free(r);
	maybe_free(c);
}

/* One frame, one uv_write: libuv writes a request whole before the next
 * (or fails the stream), so frames never interleave or split. */
static int write_frame(struct tcpconn *c, struct write_req *r)
{
	r->c = c;
	r->req.data = r;
	uv_buf_t b = uv_buf_init((char *)r->data, (unsigned)r->len);
	int rc = uv_write(&r->req, (uv_stream_t *)&c->h, &b, 1, on_write);
	if (rc) {
		free(r);
		c->st.write_err++;
		return rc;
	}
	c->writes++;
	c->queued += r->len;
	return 0;
}

static int send_frame(struct tcpconn *c, enum wr_kind kind, const uint8_t *p, size_t len)
{
	size_t hdr = kind == WR_IKE ? IKETCP_LEN_LEN + IKETCP_MARKER_LEN : IKETCP_LEN_LEN;
	size_t cap = kind == WR_IKE ? PT_NET_TCP_QUEUE_MAX_LEN : PT_NET_TCP_ESP_QUEUE_MAX_LEN;
	struct wb w;
	int rc;

	if (!c || c->dead)
		return -EPIPE;
	if (len > IKETCP_PAYLOAD_MAX)
		return -EMSGSIZE;
	if (c->queued > cap || hdr + len > cap - c->queued) {
		if (kind == WR_IKE)
			c->st.drop_ike_full++;
		else
			c->st.drop_esp_full++;
		return -ENOBUFS;
	}
	struct write_req *r = malloc(sizeof(*r) + hdr + len);
	if (!r)
		return -ENOMEM;
	r->len = hdr + len;
	r->kind = kind;
	r->frames = 1;
	wb_init(&w, r->data, r->len);
	rc = kind == WR_IKE ? iketcp_put_ike(&w, p, len) : iketcp_put_esp(&w, p, len);
	if (rc) {
		free(r);
		return rc;
	}
	return write_frame(c, r);
}

int tcpconn_send_ike(struct tcpconn *c, const uint8_t *msg, size_t len)
{
	return send_frame(c, WR_IKE, msg, len);
}

int tcpconn_send_esp(struct tcpconn *c, const uint8_t *pkt, size_t len)
{
	return send_frame(c, WR_ESP, pkt, len);
}

int tcpconn_send_esp_many(struct tcpconn *c, const struct iovec *pkts, size_t n)
{
	size_t total = 0, k = 0;
	struct wb w;

	if (!c || c->dead)
		return -EPIPE;
	if (!n)
		return 0;
	/* as many whole frames as the ESP cap still takes, in order */
	for (; k < n; k++) {
		size_t f = IKETCP_LEN_LEN + pkts[k].iov_len;
		if (pkts[k].iov_len > IKETCP_PAYLOAD_MAX)
			return -EMSGSIZE;
		if (c->queued > PT_NET_TCP_ESP_QUEUE_MAX_LEN ||
		    total + f > PT_NET_TCP_ESP_QUEUE_MAX_LEN - c->queued)
			break;
		total += f;
	}
	c->st.drop_esp_full += n - k;
	if (!k)
		return -ENOBUFS;
	struct write_req *r = malloc(sizeof(*r) + total);
	if (!r)
		return -ENOMEM;
	r->len = total;
	r->kind = WR_ESP;
	r->frames = k;
	wb_init(&w, r->data, r->len);
	for (size_t i = 0; i < k; i++) {
		int rc = iketcp_put_esp(&w, pkts[i].iov_base, pkts[i].iov_len);
		if (rc) {
			free(r);
			return rc;
		}
	}
	int rc = write_frame(c, r);
	return rc ? rc : (int)k;
}

/* ---- receiving ---- */

static void on_frame(void *ctx, enum iketcp_kind kind, const uint8_t *p, size_t len)
{
	struct tcpconn *c = ctx;
	void (*fn)(void *, struct tcpconn *, const uint8_t *, size_t) =
		kind == IKETCP_IKE ? c->ops.ike : c->ops.esp;

	if (c->quiet)
		return;
	if (!fn) {
		c->st.drop_no_ops++;
		return;
	}
	fn(c->ops.ctx, c, p, len);
}

static int prefix_done(const struct tcpconn *c)
{
	return !c->rx.expect_prefix || c->rx.prefix_have == IKETCP_PREFIX_LEN;
}

/* RFC 9329 6: a message cut by the end of the stream is discarded. */
static int mid_frame(const struct tcpconn *c)
{
	return c->rx.len_have || (c->rx.prefix_have && !prefix_done(c));
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct tcpconn *c = h->data;
	(void)suggested;
	*buf = uv_buf_init((char *)c->rd, sizeof(c->rd));
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	struct tcpconn *c = s->data;
	char peer[NET_ADDR_STR_MAX];
	(void)buf;

	if (c->dead || nread == 0)
		return;
	if (nread < 0) {
		int partial = mid_frame(c);
		if (partial)
			c->st.drop_partial++;
		if (nread == UV_EOF)
			end(c, partial ? -ECONNABORTED : 0);
		else
			end(c, (int)nread);
		return;
	}
	c->st.rx_bytes += (uint64_t)nread;
	int rc = iketcp_rx_feed(&c->rx, c->rd, (size_t)nread, on_frame, c);
	c->st.rx_ike = c->rx.st.ike;
	c->st.rx_esp = c->rx.st.esp;
	c->st.rx_keepalives = c->rx.st.keepalives;
	c->st.rx_bad = c->rx.st.bad;
	if (c->dead)
		return; /* closed from a callback: rc is -ECANCELED */
	if (rc) {
		if (!prefix_done(c) && c->l)
			c->l->st.bad_prefix++;
		log_debug(TCP_LOG, "%s from %s", prefix_done(c) ? "broken stream" : "no IKETCP prefix",
			  peer_str(c, peer, sizeof(peer)));
		end(c, rc);
		return;
	}
	if (c->rx.expect_prefix && prefix_done(c) && c->timer_open)
		uv_timer_stop(&c->timer);
}

static void on_timer(uv_timer_t *t)
{
	struct tcpconn *c = t->data;
	if (c->connecting) {
		end(c, -ETIMEDOUT);
		return;
	}
	/* RFC 9329 4 / transport spec 4.3 item 1: no prefix, no stream. */
	if (c->l)
		c->l->st.prefix_timeout++;
	end(c, -ETIMEDOUT);
}

/* ---- the originator ---- */

static void on_connect(uv_connect_t *req, int status)
{
	struct tcpconn *c = req->data;
	char peer[NET_ADDR_STR_MAX];
	int rc;

	if (c->dead)
		return;
	if (status) {
		end(c, status);
		return;
	}
	c->connecting = 0;
	uv_timer_stop(&c->timer);
	cache_local(c);
	log_debug(TCP_LOG, "connected to %s", peer_str(c, peer, sizeof(peer)));
	if ((rc = uv_read_start((uv_stream_t *)&c->h, on_alloc, on_read))) {
		c->quiet = 1; /* the owner hears connected(rc), not closed() */
		teardown(c);
		if (c->ops.connected)
			c->ops.connected(c->ops.ctx, c, rc);
		return;
	}
	if (c->ops.connected)
		c->ops.connected(c->ops.ctx, c, 0);
}

static int sa_len(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return (int)sizeof(struct sockaddr_in);
	if (sa->sa_family == AF_INET6)
		return (int)sizeof(struct sockaddr_in6);
	return 0;
}

int tcpconn_connect(uv_loop_t *loop, const struct sockaddr *to, const struct sockaddr *local,
		    uint32_t timeout_ms, const struct tcpconn_ops *ops, struct tcpconn **out)
{
	struct tcpconn *c;
	int rc;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!loop || !to || !ops)
		return -EINVAL;
	if (!sa_len(to) || (local && local->sa_family != to->sa_family))
		return -EAFNOSUPPORT;
	if (!(c = conn_new(loop, 0)))
		return -ENOMEM;
	c->ops = *ops;
	c->quiet = 1; /* until it is handed out */
	memcpy(&c->peer, to, (size_t)sa_len(to));
	c->have_peer = 1;
	if (local && (rc = uv_tcp_bind(&c->h, local, 0)))
		goto fail;
	if ((rc = uv_tcp_connect(&c->creq, &c->h, to, on_connect)))
		goto fail;
	c->connecting = 1;
	set_opts(c);
	if (timeout_ms)
		uv_timer_start(&c->timer, on_timer, timeout_ms, 0);
	/* RFC 9329 4: the opener's first octets on every connection; libuv
	 * holds writes until the connect completes and keeps their order. */
	struct write_req *r = malloc(sizeof(*r) + IKETCP_PREFIX_LEN);
	if (!r) {
		rc = -ENOMEM;
		goto fail;
	}
	r->len = IKETCP_PREFIX_LEN;
	r->kind = WR_PREFIX;
	memcpy(r->data, IKETCP_PREFIX, IKETCP_PREFIX_LEN);
	if ((rc = write_frame(c, r)))
		goto fail;
	c->quiet = 0;
	*out = c;
	return 0;
fail:
	teardown(c);
	return rc;
}

/* ---- accessors ---- */

void tcpconn_set_ops(struct tcpconn *c, const struct tcpconn_ops *ops)
{
	if (c && ops)
		c->ops = *ops;
}

int tcpconn_peer(const struct tcpconn *c, struct sockaddr_storage *out)
{
	if (!c->have_peer)
		return -ENOTCONN;
	*out = c->peer;
	return 0;
}

int tcpconn_local(const struct tcpconn *c, struct sockaddr_storage *out)
{
	if (!c->have_local)
		return -ENOTCONN;
	*out = c->local;
	return 0;
}

size_t tcpconn_queued(const struct tcpconn *c) { return c->queued; }

const struct tcpconn_stats *tcpconn_stats(const struct tcpconn *c) { return &c->st; }

/* ---- the responder ---- */

static void on_refused_close(uv_handle_t *h) { free(h); }

/* Accept and close at once: a pending connection that is never accepted
 * stops libuv from accepting any other. */
static void refuse(struct tcplisten *l)
{
	uv_tcp_t *t = malloc(sizeof(*t));
	if (!t || uv_tcp_init(l->loop, t)) {
		free(t);
		log_err(TCP_LOG, "out of memory refusing a stream; the listener stalls");
		return;
	}
	if (uv_accept((uv_stream_t *)&l->h, (uv_stream_t *)t))
		l->st.accept_err++;
	uv_close((uv_handle_t *)t, on_refused_close);
}

static void on_connection(uv_stream_t *server, int status)
{
	struct tcplisten *l = server->data;
	struct tcpconn *c;
	int rc, len;

	if (l->closing)
		return;
	if (status < 0) {
		l->st.accept_err++;
		log_debug(TCP_LOG, "accept: %s", uv_strerror(status));
		return;
	}
	if (l->st.open >= l->conns_max) {
		l->st.refused_full++;
		log_debug(TCP_LOG, "stream refused: %llu open", (unsigned long long)l->st.open);
		refuse(l);
		return;
	}
	if (!(c = conn_new(l->loop, 1))) {
		l->st.accept_err++;
		refuse(l);
		return;
	}
	if ((rc = uv_accept(server, (uv_stream_t *)&c->h))) {
		l->st.accept_err++;
		log_debug(TCP_LOG, "accept: %s", uv_strerror(rc));
		c->quiet = 1;
		teardown(c);
		return;
	}
	len = (int)sizeof(c->peer);
	c->have_peer = !uv_tcp_getpeername(&c->h, (struct sockaddr *)&c->peer, &len);
	cache_local(c);
	set_opts(c);
	c->l = l;
	c->next = l->conns;
	if (l->conns)
		l->conns->prev = c;
	l->conns = c;
	l->st.open++;
	l->st.accepted++;
	if (l->prefix_timeout_ms)
		uv_timer_start(&c->timer, on_timer, l->prefix_timeout_ms, 0);
	l->accept_fn(l->ctx, c);
	if (c->dead)
		return; /* closed in accept_fn */
	if ((rc = uv_read_start((uv_stream_t *)&c->h, on_alloc, on_read)))
		end(c, rc);
}

int tcplisten_new(uv_loop_t *loop, const struct sockaddr *addr, uint16_t port,
		  void (*accept_fn)(void *ctx, struct tcpconn *c), void *ctx,
		  struct tcplisten **out)
{
	struct sockaddr_storage ss;
	struct tcplisten *l;
	char where[NET_ADDR_STR_MAX];
	int rc;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!loop || !addr || !accept_fn)
		return -EINVAL;
	if (!sa_len(addr))
		return -EAFNOSUPPORT;
	memset(&ss, 0, sizeof(ss));
	memcpy(&ss, addr, (size_t)sa_len(addr));
	net_sa_set_port(&ss, port);
	if (!(l = calloc(1, sizeof(*l))))
		return -ENOMEM;
	l->loop = loop;
	l->accept_fn = accept_fn;
	l->ctx = ctx;
	l->prefix_timeout_ms = TCPCONN_PREFIX_TIMEOUT_MS;
	l->conns_max = PT_NET_TCP_CONNS_MAX;
	if ((rc = uv_tcp_init(loop, &l->h))) {
		free(l);
		return rc;
	}
	l->h.data = l;
	if ((rc = uv_tcp_bind(&l->h, (const struct sockaddr *)&ss,
			      addr->sa_family == AF_INET6 ? UV_TCP_IPV6ONLY : 0)) ||
	    (rc = uv_listen((uv_stream_t *)&l->h, TCPLISTEN_BACKLOG, on_connection))) {
		log_info(TCP_LOG, "listen on %s: %s",
			 net_sa_str((const struct sockaddr *)&ss, where, sizeof(where)),
			 uv_strerror(rc));
		tcplisten_close(l, NULL, NULL);
		return rc;
	}
	log_info(TCP_LOG, "listening on %s",
		 net_sa_str((const struct sockaddr *)&ss, where, sizeof(where)));
	*out = l;
	return 0;
}

void tcplisten_set_prefix_timeout(struct tcplisten *l, uint32_t ms) { l->prefix_timeout_ms = ms; }

void tcplisten_set_conns_max(struct tcplisten *l, uint32_t max) { l->conns_max = max; }

int tcplisten_local(const struct tcplisten *l, struct sockaddr_storage *out)
{
	int len = (int)sizeof(*out);
	if (l->closing)
		return -EBADF;
	return uv_tcp_getsockname(&l->h, (struct sockaddr *)out, &len);
}

const struct tcplisten_stats *tcplisten_stats(const struct tcplisten *l) { return &l->st; }

static void on_listen_close(uv_handle_t *h)
{
	struct tcplisten *l = h->data;
	void (*done)(void *) = l->done;
	void *ctx = l->done_ctx;
	free(l);
	if (done)
		done(ctx);
}

void tcplisten_close(struct tcplisten *l, void (*done)(void *ctx), void *ctx)
{
	if (!l || l->closing)
		return;
	l->closing = 1;
	l->done = done;
	l->done_ctx = ctx;
	/* The accepted streams stay with their owners; they only stop
	 * counting against this listener. */
	while (l->conns)
		unlink_listener(l->conns);
	uv_close((uv_handle_t *)&l->h, on_listen_close);
}
