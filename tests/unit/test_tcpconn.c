/* src/net/tcpconn: RFC 9329 streams over real sockets, in a private network
 * namespace (needs root; skipped otherwise). Each case checks the exact
 * bytes on the wire and the counters, and is bounded to a few seconds:
 * frames both ways over 127.0.0.1 and ::1, a stream fed one octet at a
 * time, a wrong prefix, a refused and a timed-out connect, a stream cut
 * inside a frame, ESP refused above its queue cap while IKE still queues,
 * tcpconn_close() from inside callbacks, the prefix timeout and the cap on
 * accepted streams. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <sys/uio.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/limits.h"
#include "net/addr.h"
#include "net/ifreq.h"
#include "net/iketcp.h"
#include "net/tcpconn.h"
#include "test.h"

#define FRAMES_MAX 16
#define LOG_LEN (256u * 1024u)

static uv_loop_t loop;

/* What one side's callbacks saw. */
struct side {
	struct tcpconn *c;
	int connected_n, connected_err;
	int closed_n, closed_err;
	int n;                         /* frames */
	enum iketcp_kind kind[FRAMES_MAX];
	size_t len[FRAMES_MAX], off[FRAMES_MAX];
	uint8_t log[LOG_LEN];          /* the frames' bytes, back to back */
	size_t log_len;
	int close_in_frame;            /* tcpconn_close() from the first frame */
	int close_in_closed;           /* tcpconn_close() from closed() */
};

static struct side cli, srv;
static int accepted_n;

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Turn the loop until cond holds or ms pass. */
#define RUN_UNTIL(cond, ms)                                                    \
	do {                                                                   \
		uint64_t end_ = now_ms() + (ms);                               \
		while (!(cond) && now_ms() < end_) {                           \
			uv_run(&loop, UV_RUN_NOWAIT);                          \
			usleep(200);                                           \
		}                                                              \
	} while (0)

static void run_for(unsigned ms)
{
	RUN_UNTIL(0, ms);
}

static void fill(uint8_t *p, size_t len, uint8_t seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + i * 13u);
	if (len)
		p[0] |= 0x80; /* an ESP SPI is never zero */
}

static void on_frame(struct side *s, enum iketcp_kind kind, struct tcpconn *c, const uint8_t *p,
		     size_t len)
{
	if (s->n < FRAMES_MAX && len <= LOG_LEN - s->log_len) {
		s->kind[s->n] = kind;
		s->len[s->n] = len;
		s->off[s->n] = s->log_len;
		memcpy(s->log + s->log_len, p, len);
		s->log_len += len;
	}
	s->n++;
	if (s->close_in_frame) {
		tcpconn_close(c);
		/* and it stays closed: sending now fails */
		CHECK_EQ(tcpconn_send_ike(c, p, len), -EPIPE);
	}
}

static void on_ike(void *ctx, struct tcpconn *c, const uint8_t *msg, size_t len)
{
	on_frame(ctx, IKETCP_IKE, c, msg, len);
}

static void on_esp(void *ctx, struct tcpconn *c, const uint8_t *pkt, size_t len)
{
	on_frame(ctx, IKETCP_ESP, c, pkt, len);
}

static void on_connected(void *ctx, struct tcpconn *c, int err)
{
	struct side *s = ctx;
	s->connected_n++;
	s->connected_err = err;
	(void)c;
}

static void on_closed(void *ctx, struct tcpconn *c, int err)
{
	struct side *s = ctx;
	s->closed_n++;
	s->closed_err = err;
	if (s->close_in_closed)
		tcpconn_close(c); /* a no-op, not a double free */
	s->c = NULL;
}

static const struct tcpconn_ops cli_ops = { &cli, on_connected, on_ike, on_esp, on_closed };
static const struct tcpconn_ops srv_ops = { &srv, on_connected, on_ike, on_esp, on_closed };

static void on_accept(void *ctx, struct tcpconn *c)
{
	(void)ctx;
	accepted_n++;
	srv.c = c;
	tcpconn_set_ops(c, &srv_ops);
}

static void reset_sides(void)
{
	memset(&cli, 0, sizeof(cli));
	memset(&srv, 0, sizeof(srv));
	accepted_n = 0;
}

static int check_frame(const struct side *s, int i, enum iketcp_kind kind, size_t len, uint8_t seed)
{
	static uint8_t want[IKETCP_PAYLOAD_MAX];
	if (i >= s->n || i >= FRAMES_MAX)
		return 0;
	fill(want, len, seed);
	return s->kind[i] == kind && s->len[i] == len && !memcmp(s->log + s->off[i], want, len);
}

static int listen_lo(int family, struct tcplisten **l, uint16_t *port)
{
	struct sockaddr_storage ss;
	int rc = net_sa_parse(family == AF_INET ? "127.0.0.1" : "::1", 0, &ss);
	if (rc)
		return rc;
	if ((rc = tcplisten_new(&loop, (struct sockaddr *)&ss, 0, on_accept, NULL, l)))
		return rc;
	tcplisten_local(*l, &ss);
	*port = net_sa_port((struct sockaddr *)&ss);
	return 0;
}

static int listen4(struct tcplisten **l, uint16_t *port)
{
	int rc = listen_lo(AF_INET, l, port);
	CHECK_EQ(rc, 0);
	return rc;
}

static void on_listen_done(void *ctx) { *(int *)ctx = 1; }

/* tcplisten_close() and its done callback, once. */
static void close_listener(struct tcplisten *l)
{
	int done = 0;
	tcplisten_close(l, on_listen_done, &done);
	RUN_UNTIL(done, 1000);
	CHECK_EQ(done, 1);
}

/* TCP_NODELAY and TCP keepalive after TCPCONN_KEEPALIVE_S on the socket
 * behind a stream (found by its two addresses: tcpconn keeps its
 * descriptor to itself). */
static int sock_opts_ok(const struct tcpconn *c)
{
	struct sockaddr_storage local, peer;
	if (tcpconn_local(c, &local) || tcpconn_peer(c, &peer))
		return 0;
	for (int fd = 3; fd < 1024; fd++) {
		struct sockaddr_storage a, b;
		socklen_t al = sizeof(a), bl = sizeof(b), ol = sizeof(int);
		int nodelay = 0, keepalive = 0, idle = 0;
		if (getsockname(fd, (struct sockaddr *)&a, &al) ||
		    getpeername(fd, (struct sockaddr *)&b, &bl) ||
		    !net_sa_eq((struct sockaddr *)&a, (struct sockaddr *)&local) ||
		    !net_sa_eq((struct sockaddr *)&b, (struct sockaddr *)&peer))
			continue;
		getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &nodelay, &ol);
		getsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &keepalive, &ol);
		getsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, &ol);
		return nodelay && keepalive && idle == (int)TCPCONN_KEEPALIVE_S;
	}
	return 0;
}

/* ---- a plain-socket peer ---- */

static int raw_connect(uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	int one = 1;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		int rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

static void raw_send(int fd, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n <= 0) {
			CHECK(n > 0);
			return;
		}
		p += n;
		len -= (size_t)n;
	}
}

/* Read up to `want` octets (turning the loop meanwhile) within ms. Returns
 * the count; *end is 0 while open, 1 at EOF, -errno on an error. */
static size_t raw_recv(int fd, uint8_t *out, size_t want, unsigned ms, int *end)
{
	size_t have = 0;
	uint64_t stop = now_ms() + ms;
	*end = 0;
	while (have < want && now_ms() < stop) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uv_run(&loop, UV_RUN_NOWAIT);
		if (poll(&p, 1, 1) <= 0)
			continue;
		ssize_t n = recv(fd, out + have, want - have, MSG_DONTWAIT);
		if (n == 0) {
			*end = 1;
			break;
		}
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			*end = -errno;
			break;
		}
		have += (size_t)n;
	}
	return have;
}

/* The stream ends (EOF or RST) within ms, with nothing more sent. */
static int raw_ended(int fd, unsigned ms)
{
	uint8_t b[64];
	int end;
	size_t n = raw_recv(fd, b, sizeof(b), ms, &end);
	return n == 0 && end != 0;
}

static size_t put_stream(uint8_t *out, size_t cap, int prefix, const size_t *ike, size_t n_ike,
			 const size_t *esp, size_t n_esp, uint8_t seed)
{
	static uint8_t msg[IKETCP_PAYLOAD_MAX];
	struct wb w;
	wb_init(&w, out, cap);
	if (prefix)
		iketcp_put_prefix(&w);
	for (size_t i = 0; i < n_ike; i++) {
		fill(msg, ike[i], (uint8_t)(seed + i));
		iketcp_put_ike(&w, msg, ike[i]);
	}
	for (size_t i = 0; i < n_esp; i++) {
		fill(msg, esp[i], (uint8_t)(seed + 100 + i));
		iketcp_put_esp(&w, msg, esp[i]);
	}
	CHECK_EQ(wb_err(&w), 0);
	return wb_len(&w);
}

/* ---- the cases ---- */

/* Originator to responder and back: prefix first, exact frames both ways,
 * counters, addresses, the largest IKE message, and a close seen as FIN. */
static void test_both_ways(int family)
{
	static uint8_t msg[IKETCP_PAYLOAD_MAX];
	struct tcplisten *l;
	struct sockaddr_storage to, a, b;
	uint16_t port;
	int rc;

	reset_sides();
	rc = listen_lo(family, &l, &port);
	if (rc == -EAFNOSUPPORT || rc == -EADDRNOTAVAIL) {
		printf("ipv6 unavailable here: that half not run\n");
		return;
	}
	CHECK_EQ(rc, 0);
	if (rc)
		return;
	CHECK_EQ(net_sa_parse(family == AF_INET ? "127.0.0.1" : "::1", port, &to), 0);
	CHECK_EQ(tcpconn_connect(&loop, (struct sockaddr *)&to, NULL, 2000, &cli_ops, &cli.c), 0);
	if (!cli.c)
		return;
	/* Frames may be queued before connected(): they follow the prefix. */
	fill(msg, 100, 1);
	CHECK_EQ(tcpconn_send_ike(cli.c, msg, 100), 0);
	CHECK_EQ(tcpconn_queued(cli.c), 6 + 2 + 4 + 100);
	fill(msg, 200, 2);
	CHECK_EQ(tcpconn_send_esp(cli.c, msg, 200), 0);
	RUN_UNTIL(srv.n == 2 && cli.connected_n, 2000);
	CHECK_EQ(cli.connected_n, 1);
	CHECK_EQ(cli.connected_err, 0);
	CHECK_EQ(accepted_n, 1);
	CHECK_EQ(srv.n, 2);
	CHECK(check_frame(&srv, 0, IKETCP_IKE, 100, 1));
	CHECK(check_frame(&srv, 1, IKETCP_ESP, 200, 2));
	if (!srv.c)
		return;

	/* Unframeable sizes; the largest IKE message (RFC 9329 3: 65,529). */
	CHECK_EQ(tcpconn_send_ike(srv.c, msg, IKETCP_PAYLOAD_MAX - 3), -EMSGSIZE);
	CHECK_EQ(tcpconn_send_esp(srv.c, msg, 3), -EMSGSIZE);
	CHECK_EQ(tcpconn_send_esp(srv.c, msg, IKETCP_PAYLOAD_MAX + 1), -EMSGSIZE);
	fill(msg, 65529, 3);
	CHECK_EQ(tcpconn_send_ike(srv.c, msg, 65529), 0);
	fill(msg, 1400, 4);
	CHECK_EQ(tcpconn_send_esp(srv.c, msg, 1400), 0);
	RUN_UNTIL(cli.n == 2 && tcpconn_queued(srv.c) == 0, 2000);
	CHECK_EQ(cli.n, 2);
	CHECK(check_frame(&cli, 0, IKETCP_IKE, 65529, 3));
	CHECK(check_frame(&cli, 1, IKETCP_ESP, 1400, 4));

	const struct tcpconn_stats *cs = tcpconn_stats(cli.c), *ss = tcpconn_stats(srv.c);
	CHECK_EQ(cs->tx_ike, 1);
	CHECK_EQ(cs->tx_esp, 1);
	CHECK_EQ(cs->tx_bytes, 6 + 106 + 202);
	CHECK_EQ(ss->rx_bytes, 6 + 106 + 202);
	CHECK_EQ(ss->rx_ike, 1);
	CHECK_EQ(ss->rx_esp, 1);
	CHECK_EQ(ss->tx_bytes, 65535 + 1402); /* the responder sends no prefix */
	CHECK_EQ(cs->rx_bytes, 65535 + 1402);
	CHECK_EQ(cs->rx_ike + cs->rx_esp, 2);
	CHECK_EQ(cs->rx_keepalives + cs->rx_bad + cs->drop_partial + cs->write_err, 0);
	CHECK_EQ(tcpconn_queued(srv.c), 0);
	CHECK_EQ(tcpconn_queued(cli.c), 0);
	CHECK_EQ(tcpconn_local(cli.c, &a), 0);
	CHECK_EQ(tcpconn_peer(srv.c, &b), 0);
	CHECK(net_sa_eq((struct sockaddr *)&a, (struct sockaddr *)&b));
	CHECK_EQ(tcpconn_peer(cli.c, &a), 0);
	CHECK(net_sa_eq((struct sockaddr *)&a, (struct sockaddr *)&to));
	CHECK_EQ(tcplisten_stats(l)->open, 1);
	CHECK(sock_opts_ok(cli.c));
	CHECK(sock_opts_ok(srv.c));

	/* Several ESP packets in one write: each its own frame, in order. */
	static uint8_t m1[300], m2[500], m3[700];
	fill(m1, sizeof(m1), 5);
	fill(m2, sizeof(m2), 6);
	fill(m3, sizeof(m3), 7);
	struct iovec v[3] = { { m1, sizeof(m1) }, { m2, sizeof(m2) }, { m3, sizeof(m3) } };
	CHECK_EQ(tcpconn_send_esp_many(srv.c, v, 3), 3);
	CHECK_EQ(tcpconn_queued(srv.c), 3 * 2 + 300 + 500 + 700);
	CHECK_EQ(tcpconn_send_esp_many(srv.c, v, 0), 0);
	struct iovec big = { m1, IKETCP_PAYLOAD_MAX + 1 };
	CHECK_EQ(tcpconn_send_esp_many(srv.c, &big, 1), -EMSGSIZE);
	RUN_UNTIL(cli.n == 5 && tcpconn_queued(srv.c) == 0, 2000);
	CHECK_EQ(cli.n, 5);
	CHECK(check_frame(&cli, 2, IKETCP_ESP, 300, 5));
	CHECK(check_frame(&cli, 3, IKETCP_ESP, 500, 6));
	CHECK(check_frame(&cli, 4, IKETCP_ESP, 700, 7));
	CHECK_EQ(ss->tx_esp, 1 + 3);
	CHECK_EQ(cs->rx_esp, 1 + 3);

	/* The originator closes: no callback for it, FIN for the responder. */
	tcpconn_close(cli.c);
	RUN_UNTIL(srv.closed_n, 2000);
	CHECK_EQ(srv.closed_n, 1);
	CHECK_EQ(srv.closed_err, 0);
	CHECK_EQ(cli.closed_n, 0);
	CHECK_EQ(tcplisten_stats(l)->open, 0);
	CHECK_EQ(tcplisten_stats(l)->accepted, 1);
	close_listener(l);
}

/* A tcplisten on 127.0.0.1 and a plain-socket originator connected to it. */
struct rig {
	struct tcplisten *l;
	uint16_t port;
	int fd;
};

static int rig_open(struct rig *r)
{
	reset_sides();
	r->fd = -1;
	if (listen4(&r->l, &r->port))
		return -1;
	r->fd = raw_connect(r->port);
	CHECK(r->fd >= 0);
	if (r->fd < 0) {
		close_listener(r->l);
		return -1;
	}
	return 0;
}

static void rig_close(struct rig *r)
{
	if (r->fd >= 0)
		close(r->fd);
	close_listener(r->l);
}

/* A plain listening socket on 127.0.0.1 (its port in *to). */
static int raw_listen(int backlog, int rcvbuf, struct sockaddr_storage *to)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sin);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (rcvbuf) /* before listen(): accepted sockets inherit it */
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	CHECK_EQ(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	CHECK_EQ(listen(fd, backlog), 0);
	getsockname(fd, (struct sockaddr *)&sin, &sl);
	CHECK_EQ(net_sa_parse("127.0.0.1", ntohs(sin.sin_port), to), 0);
	return fd;
}

/* A raw originator sends prefix, IKE, a 00 03 FF keepalive, ESP and IKE
 * one octet at a time; the responder's answer carries no prefix. */
static void test_byte_by_byte(void)
{
	static uint8_t stream[4096];
	static const size_t ike[] = { 60, 40 }, esp[] = { 100 };
	uint8_t back[2 + 4 + 33], want[sizeof(back)];
	struct rig r;
	int end;

	if (rig_open(&r))
		return;
	size_t n = put_stream(stream, sizeof(stream), 1, ike, 1, NULL, 0, 10);
	stream[n++] = 0; /* RFC 9329 3: a keepalive, to be dropped */
	stream[n++] = 3;
	stream[n++] = 0xff;
	n += put_stream(stream + n, sizeof(stream) - n, 0, NULL, 0, esp, 1, 10);
	n += put_stream(stream + n, sizeof(stream) - n, 0, ike + 1, 1, NULL, 0, 11);
	for (size_t i = 0; i < n; i++) {
		raw_send(r.fd, stream + i, 1);
		RUN_UNTIL(srv.c && tcpconn_stats(srv.c)->rx_bytes == i + 1, 500);
	}
	CHECK(srv.c != NULL);
	if (!srv.c) {
		rig_close(&r);
		return;
	}
	CHECK_EQ(tcpconn_stats(srv.c)->rx_bytes, n);
	CHECK_EQ(srv.n, 3);
	CHECK(check_frame(&srv, 0, IKETCP_IKE, 60, 10));
	CHECK(check_frame(&srv, 1, IKETCP_ESP, 100, 110));
	CHECK(check_frame(&srv, 2, IKETCP_IKE, 40, 11));
	CHECK_EQ(tcpconn_stats(srv.c)->rx_keepalives, 1);
	CHECK_EQ(tcpconn_stats(srv.c)->rx_bad, 0);

	fill(want + 6, 33, 12);
	CHECK_EQ(tcpconn_send_ike(srv.c, want + 6, 33), 0);
	memcpy(want, "\x00\x27\x00\x00\x00\x00", 6); /* Length 39, non-ESP marker */
	CHECK_EQ(raw_recv(r.fd, back, sizeof(back), 1000, &end), sizeof(back));
	CHECK_MEM(back, want, sizeof(back));
	CHECK_EQ(tcpconn_stats(srv.c)->tx_ike, 1);
	close(r.fd);
	r.fd = -1;
	RUN_UNTIL(srv.closed_n, 1000);
	CHECK_EQ(srv.closed_err, 0);
	rig_close(&r);
}

/* Not "IKETCP": closed with -EPROTO, counted, no frame delivered; closing
 * again from closed() is harmless. */
static void test_wrong_prefix(void)
{
	static uint8_t stream[256];
	static const size_t ike[] = { 40 };
	struct rig r;

	if (rig_open(&r))
		return;
	srv.close_in_closed = 1;
	size_t n = put_stream(stream, sizeof(stream), 1, ike, 1, NULL, 0, 20);
	stream[5] = 'X';
	raw_send(r.fd, stream, n);
	RUN_UNTIL(srv.closed_n, 1000);
	CHECK_EQ(accepted_n, 1);
	CHECK_EQ(srv.closed_n, 1);
	CHECK_EQ(srv.closed_err, -EPROTO);
	CHECK_EQ(srv.n, 0);
	CHECK_EQ(tcplisten_stats(r.l)->bad_prefix, 1);
	CHECK_EQ(tcplisten_stats(r.l)->open, 0);
	CHECK(raw_ended(r.fd, 1000));
	rig_close(&r);
}

/* Nobody listens: connected(-ECONNREFUSED), and closed() never runs. A
 * full accept queue drops SYNs: connected(-ETIMEDOUT) after the timeout. */
static void test_connect_fails(void)
{
	struct sockaddr_storage to;
	reset_sides();
	CHECK_EQ(net_sa_parse("127.0.0.1", 9, &to), 0);
	CHECK_EQ(tcpconn_connect(&loop, (struct sockaddr *)&to, NULL, 2000, &cli_ops, &cli.c), 0);
	RUN_UNTIL(cli.connected_n, 2000);
	CHECK_EQ(cli.connected_n, 1);
	CHECK_EQ(cli.connected_err, -ECONNREFUSED);
	run_for(20);
	CHECK_EQ(cli.closed_n, 0);

	/* A listener with backlog 0 holds one connection; the next SYN is
	 * dropped (Linux: the accept queue is full). */
	reset_sides();
	int lfd = raw_listen(0, 0, &to);
	int fd = raw_connect(net_sa_port((struct sockaddr *)&to));
	CHECK(fd >= 0);
	uint64_t t0 = now_ms();
	CHECK_EQ(tcpconn_connect(&loop, (struct sockaddr *)&to, NULL, 200, &cli_ops, &cli.c), 0);
	RUN_UNTIL(cli.connected_n, 2000);
	CHECK_EQ(cli.connected_n, 1);
	CHECK_EQ(cli.connected_err, -ETIMEDOUT);
	CHECK(now_ms() - t0 >= 150); /* libuv's timers count from its cached loop time */
	run_for(20);
	CHECK_EQ(cli.closed_n, 0);
	if (fd >= 0)
		close(fd);
	close(lfd);
}

/* Stats of the stream as closed() saw them. */
static struct tcpconn_stats closed_st;
static void on_closed_keep(void *ctx, struct tcpconn *c, int err)
{
	closed_st = *tcpconn_stats(c);
	on_closed(ctx, c, err);
}

/* The peer's FIN inside a frame (after `cut` octets of the stream):
 * closed(-ECONNABORTED), the partial frame discarded and counted (RFC 9329
 * 6). */
static void cut_at(size_t cut)
{
	static uint8_t stream[256];
	static const size_t esp[] = { 80 };
	static const struct tcpconn_ops ops = { &srv, NULL, on_ike, on_esp, on_closed_keep };
	struct rig r;

	if (rig_open(&r))
		return;
	memset(&closed_st, 0, sizeof(closed_st));
	size_t n = put_stream(stream, sizeof(stream), 1, NULL, 0, esp, 1, 40);
	RUN_UNTIL(srv.c, 1000);
	if (srv.c)
		tcpconn_set_ops(srv.c, &ops);
	raw_send(r.fd, stream, cut < n ? cut : n);
	close(r.fd);
	r.fd = -1;
	RUN_UNTIL(srv.closed_n, 1000);
	CHECK_EQ(srv.closed_n, 1);
	CHECK_EQ(srv.closed_err, -ECONNABORTED);
	CHECK_EQ(srv.n, 0);
	CHECK_EQ(closed_st.drop_partial, 1);
	CHECK_EQ(closed_st.rx_bytes, cut);
	CHECK_EQ(closed_st.rx_esp, 0);
	rig_close(&r);
}

/* Cut inside the prefix, the Length, the payload and before its last
 * octet; then an RST after a whole frame: closed(-ECONNRESET), nothing
 * discarded. */
static void test_cut_mid_frame(void)
{
	static uint8_t stream[256];
	static const size_t ike[] = { 60 };
	struct rig r;

	cut_at(3);
	cut_at(7);
	cut_at(6 + 2 + 10);
	cut_at(6 + 2 + 80 - 1);

	if (rig_open(&r))
		return;
	size_t n = put_stream(stream, sizeof(stream), 1, ike, 1, NULL, 0, 30);
	raw_send(r.fd, stream, n);
	RUN_UNTIL(srv.n == 1, 1000);
	CHECK(check_frame(&srv, 0, IKETCP_IKE, 60, 30));
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	setsockopt(r.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(r.fd); /* RST */
	r.fd = -1;
	RUN_UNTIL(srv.closed_n, 1000);
	CHECK_EQ(srv.closed_n, 1);
	CHECK_EQ(srv.closed_err, -ECONNRESET);
	rig_close(&r);
}

/* The reader stops: the stream and socket buffers fill; ESP is refused
 * above its cap (counted), IKE still queues up to the larger cap; then the
 * reader drains and every frame arrives in order, exact. */
static void test_backpressure(void)
{
	static uint8_t msg[IKETCP_PAYLOAD_MAX];
	static uint8_t got[16u * 1024u * 1024u];
	struct sockaddr_storage to;
	int end;
	uint32_t n_esp = 0, n_ike = 0;

	reset_sides();
	int lfd = raw_listen(4, 4096, &to);
	CHECK_EQ(tcpconn_connect(&loop, (struct sockaddr *)&to, NULL, 2000, &cli_ops, &cli.c), 0);
	RUN_UNTIL(cli.connected_n, 2000);
	CHECK_EQ(cli.connected_err, 0);
	int fd = accept(lfd, NULL, NULL);
	CHECK(fd >= 0);
	if (!cli.c || fd < 0)
		return;

	/* ESP of 1400 octets, its sequence number at offset 4, until refused. */
	int rc = 0;
	uint64_t stop = now_ms() + 4000;
	while (!rc && now_ms() < stop) {
		for (int i = 0; i < 32 && !rc; i++) {
			fill(msg, 1400, 50);
			memcpy(msg + 4, &n_esp, 4);
			if (!(rc = tcpconn_send_esp(cli.c, msg, 1400)))
				n_esp++;
		}
		if (!rc)
			uv_run(&loop, UV_RUN_NOWAIT); /* writes complete, the queue shrinks */
	}
	CHECK_EQ(rc, -ENOBUFS);
	size_t q = tcpconn_queued(cli.c);
	CHECK(q > PT_NET_TCP_ESP_QUEUE_MAX_LEN - 1402 && q <= PT_NET_TCP_ESP_QUEUE_MAX_LEN);
	CHECK_EQ(tcpconn_stats(cli.c)->drop_esp_full, 1);
	CHECK_EQ(tcpconn_send_esp(cli.c, msg, 1400), -ENOBUFS);
	CHECK_EQ(tcpconn_stats(cli.c)->drop_esp_full, 2);
	/* IKE still goes, up to PT_NET_TCP_QUEUE_MAX_LEN. */
	fill(msg, 60000, 51);
	while (!(rc = tcpconn_send_ike(cli.c, msg, 60000)) && n_ike < 64)
		n_ike++;
	CHECK_EQ(rc, -ENOBUFS);
	CHECK(n_ike >= 1);
	q = tcpconn_queued(cli.c);
	CHECK(q > PT_NET_TCP_QUEUE_MAX_LEN - 60006 && q <= PT_NET_TCP_QUEUE_MAX_LEN);
	CHECK_EQ(tcpconn_stats(cli.c)->drop_ike_full, 1);
	CHECK_EQ(tcpconn_stats(cli.c)->drop_esp_full, 2);

	/* Drain and check every octet. */
	size_t total = 6 + (size_t)n_esp * 1402 + (size_t)n_ike * 60006;
	CHECK(total <= sizeof(got));
	if (total > sizeof(got))
		total = sizeof(got);
	CHECK_EQ(raw_recv(fd, got, total, 4000, &end), total);
	CHECK_MEM(got, "IKETCP", 6);
	size_t off = 6, bad = 0;
	for (uint32_t i = 0; i < n_esp && off + 1402 <= total; i++, off += 1402) {
		fill(msg, 1400, 50);
		memcpy(msg + 4, &i, 4);
		bad += got[off] != 0x05 || got[off + 1] != 0x7a || memcmp(got + off + 2, msg, 1400);
	}
	fill(msg, 60000, 51);
	for (uint32_t i = 0; i < n_ike && off + 60006 <= total; i++, off += 60006)
		bad += got[off] != 0xea || got[off + 1] != 0x66 || memcmp(got + off + 2, "\0\0\0\0", 4) ||
		       memcmp(got + off + 6, msg, 60000);
	CHECK_EQ(bad, 0);
	CHECK_EQ(off, total);
	RUN_UNTIL(tcpconn_queued(cli.c) == 0, 2000);
	CHECK_EQ(tcpconn_queued(cli.c), 0);
	CHECK_EQ(tcpconn_stats(cli.c)->tx_esp, n_esp);
	CHECK_EQ(tcpconn_stats(cli.c)->tx_ike, n_ike);
	CHECK_EQ(tcpconn_stats(cli.c)->tx_bytes, total);
	printf("backpressure: %u ESP frames and %u IKE frames queued before refusal\n", n_esp, n_ike);
	tcpconn_close(cli.c);
	close(fd);
	close(lfd);
}

/* tcpconn_close() from the first of three frames that arrive in one read:
 * nothing more is delivered, closed() does not run, the peer sees the end. */
static void test_close_in_callback(void)
{
	static uint8_t stream[512];
	static const size_t ike[] = { 40, 50 }, esp[] = { 100 };
	struct rig r;

	if (rig_open(&r))
		return;
	srv.close_in_frame = 1;
	size_t n = put_stream(stream, sizeof(stream), 1, ike, 2, esp, 1, 60);
	raw_send(r.fd, stream, n);
	RUN_UNTIL(srv.n, 1000);
	run_for(50);
	CHECK_EQ(srv.n, 1);
	CHECK(check_frame(&srv, 0, IKETCP_IKE, 40, 60));
	CHECK_EQ(srv.closed_n, 0);
	CHECK_EQ(tcplisten_stats(r.l)->open, 0);
	CHECK(raw_ended(r.fd, 1000));
	rig_close(&r);
}

/* No whole prefix in time: closed(-ETIMEDOUT), counted; a stream whose
 * prefix came in time is left alone. */
static void test_prefix_timeout(void)
{
	struct rig r;

	if (rig_open(&r))
		return;
	tcplisten_set_prefix_timeout(r.l, 100);
	/* r.fd sends its whole prefix at once: it is the one that stays */
	raw_send(r.fd, (const uint8_t *)"IKETCP", 6);
	RUN_UNTIL(srv.c && tcpconn_stats(srv.c)->rx_bytes == 6, 1000);
	struct tcpconn *first = srv.c;
	srv.c = NULL;
	uint64_t t0 = now_ms();
	int fd = raw_connect(r.port);
	CHECK(fd >= 0);
	raw_send(fd, (const uint8_t *)"IKE", 3);
	RUN_UNTIL(srv.closed_n, 2000);
	CHECK(now_ms() - t0 >= 100);
	CHECK_EQ(srv.closed_n, 1);
	CHECK_EQ(srv.closed_err, -ETIMEDOUT);
	CHECK_EQ(tcplisten_stats(r.l)->prefix_timeout, 1);
	CHECK(raw_ended(fd, 1000));
	run_for(150);
	CHECK_EQ(srv.closed_n, 1); /* the good one is still open */
	CHECK_EQ(tcplisten_stats(r.l)->open, 1);
	tcpconn_close(first);
	CHECK_EQ(tcplisten_stats(r.l)->open, 0);
	close(fd);
	rig_close(&r);
}

/* Beyond the cap a stream is accepted and closed at once, counted. */
static void test_conns_cap(void)
{
	struct rig r;

	if (rig_open(&r))
		return;
	tcplisten_set_conns_max(r.l, 1);
	RUN_UNTIL(accepted_n == 1, 1000);
	int b = raw_connect(r.port);
	RUN_UNTIL(tcplisten_stats(r.l)->refused_full == 1, 1000);
	CHECK_EQ(accepted_n, 1);
	CHECK_EQ(tcplisten_stats(r.l)->refused_full, 1);
	CHECK_EQ(tcplisten_stats(r.l)->open, 1);
	CHECK(raw_ended(b, 1000));
	close(r.fd);
	r.fd = -1;
	RUN_UNTIL(srv.closed_n, 1000);
	CHECK_EQ(srv.closed_err, 0);
	CHECK_EQ(tcplisten_stats(r.l)->open, 0);
	close(b);
	rig_close(&r);
}

int main(void)
{
	int rc;

	if (unshare(CLONE_NEWNET))
		return test_skip("needs root for a private network namespace");
	if ((rc = net_if_up("lo"))) {
		fprintf(stderr, "lo up: %s\n", strerror(-rc));
		return 1;
	}
	CHECK_EQ(uv_loop_init(&loop), 0);

	test_both_ways(AF_INET);
	test_both_ways(AF_INET6);
	test_byte_by_byte();
	test_wrong_prefix();
	test_connect_fails();
	test_cut_mid_frame();
	test_backpressure();
	test_close_in_callback();
	test_prefix_timeout();
	test_conns_cap();

	/* Every handle closed and every object freed (ASan checks the rest). */
	run_for(50);
	uv_run(&loop, UV_RUN_DEFAULT);
	CHECK_EQ(uv_loop_close(&loop), 0);
	return test_done();
}
