/* src/tunnel: two data paths back to back, in one process without root.
 * Each "TUN" is a SOCK_DGRAM socketpair (packet boundaries kept), each UDP
 * socket is bound on loopback; a Child SA pair with matching keys joins
 * them. Checks: IPv4 and IPv6 packets cross both ways byte for byte; a
 * packet to an address outside the selectors is not sent; an inner source
 * outside the peer's selectors is dropped as spoofed; a replayed datagram
 * is dropped; a rekey keeps the old SA receiving until it is deleted.
 * Then ESP Echo, ESP into a stream and follow mode (test_echo_stream), with
 * the default code points and with others: a probe is answered on the path
 * it came by and never reaches the TUN; a Child SA without echo drops it;
 * a Child SA set to a stream sends through ops.stream_send until the stream
 * goes; a following responder answers the way the peer's last data came,
 * and echo packets do not move it. Last, follow mode and the peer's UDP
 * address (test_follow_addr): an authentic data packet from another port
 * moves the peer there, a replay or an echo request does not, and an echo
 * request is answered to the address it came from. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/uio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "crypto/secret.h"
#include "esp/echo.h"
#include "ike/pld/consts.h"
#include "test.h"
#include "tunnel/tunnel.h"

struct side {
	int tun[2];   /* [0] the tunnel's end, [1] the test's ("the kernel") */
	int udp;
	struct sockaddr_in addr;
	struct tunnel *t;
};

/* A UDP socket bound on loopback (a port of its own), its address in *addr. */
static int udp_open(struct sockaddr_in *addr)
{
	socklen_t len = sizeof(*addr);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	memset(addr, 0, sizeof(*addr));
	addr->sin_family = AF_INET;
	addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK_EQ(bind(fd, (struct sockaddr *)addr, sizeof(*addr)), 0);
	getsockname(fd, (struct sockaddr *)addr, &len);
	return fd;
}

static void side_open(struct side *s)
{
	CHECK_EQ(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, s->tun), 0);
	s->udp = udp_open(&s->addr);
}

/* Free both tunnels, let the loop close their handles, close the fds. */
static void sides_close(uv_loop_t *loop, struct side *a, struct side *b)
{
	tunnel_free(a->t);
	tunnel_free(b->t);
	uv_run(loop, UV_RUN_DEFAULT);
	uv_loop_close(loop);
	for (int i = 0; i < 2; i++) {
		close(a->tun[i]);
		close(b->tun[i]);
	}
	close(a->udp);
	close(b->udp);
}

static void ts_range(struct ike_ts_cfg *ts, int v6, const char *lo, const char *hi)
{
	memset(ts, 0, sizeof(*ts));
	ts->type = v6 ? IKE_TS_IPV6_ADDR_RANGE : IKE_TS_IPV4_ADDR_RANGE;
	ts->end_port = 65535;
	inet_pton(v6 ? AF_INET6 : AF_INET, lo, ts->start);
	inet_pton(v6 ? AF_INET6 : AF_INET, hi, ts->end);
}

/* The client side sees the gateway's subnet remote and its vip local; the
 * gateway the reverse. Keys: k1 client->gw, k2 gw->client. */
static void make_children(struct ike_child *cl, struct ike_child *gw, struct secret *k1,
			  struct secret *k2, uint32_t spi_cl, uint32_t spi_gw)
{
	memset(cl, 0, sizeof(*cl));
	cl->alg.proto = IKE_PROTO_ESP;
	cl->alg.encr = IKE_ENCR_AES_GCM_16;
	cl->alg.encr_bits = 256;
	cl->spi_in = spi_cl;
	cl->spi_out = spi_gw;
	cl->key_out = k1;
	cl->key_in = k2;
	ts_range(&cl->ts_local[0], 0, "203.0.113.10", "203.0.113.10");
	ts_range(&cl->ts_local[1], 1, "2001:db8:113::1001", "2001:db8:113::1001");
	ts_range(&cl->ts_remote[0], 0, "203.0.113.0", "203.0.113.255");
	ts_range(&cl->ts_remote[1], 1, "2001:db8:113::", "2001:db8:113::ffff");
	cl->n_ts_local = cl->n_ts_remote = 2;
	*gw = *cl;
	gw->spi_in = spi_gw;
	gw->spi_out = spi_cl;
	gw->key_out = k2;
	gw->key_in = k1;
	memcpy(gw->ts_local, cl->ts_remote, sizeof(gw->ts_local));
	memcpy(gw->ts_remote, cl->ts_local, sizeof(gw->ts_remote));
}

static size_t ip4(uint8_t *p, const char *src, const char *dst, size_t len)
{
	memset(p, 0, len);
	p[0] = 0x45;
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
	p[8] = 64;
	p[9] = 17;
	inet_pton(AF_INET, src, p + 12);
	inet_pton(AF_INET, dst, p + 16);
	for (size_t i = 20; i < len; i++)
		p[i] = (uint8_t)i;
	return len;
}

static size_t ip6(uint8_t *p, const char *src, const char *dst, size_t len)
{
	memset(p, 0, len);
	p[0] = 0x60;
	p[4] = (uint8_t)((len - 40) >> 8);
	p[5] = (uint8_t)(len - 40);
	p[6] = 17;
	p[7] = 64;
	inet_pton(AF_INET6, src, p + 8);
	inet_pton(AF_INET6, dst, p + 24);
	return len;
}

/* Run the loop until `fd` is readable (or tries x 5 ms): 0, or -1. */
static int wait_fd_for(uv_loop_t *loop, int fd, int tries)
{
	for (int i = 0; i < tries; i++) {
		uv_run(loop, UV_RUN_NOWAIT);
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, 5) == 1)
			return 0;
	}
	return -1;
}

/* Run the loop until `fd` is readable (or 1 s). */
static int wait_fd(uv_loop_t *loop, int fd) { return wait_fd_for(loop, fd, 200); }

/* Move one datagram that arrives on UDP socket `fd` into tunnel `t`. */
static ssize_t carry_fd(uv_loop_t *loop, int fd, struct tunnel *t, uint8_t *keep, size_t *keep_len)
{
	uint8_t buf[2048];
	struct sockaddr_in src;
	socklen_t sl = sizeof(src);
	if (wait_fd(loop, fd))
		return -1;
	ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&src, &sl);
	if (n > 0) {
		if (keep) {
			memcpy(keep, buf, (size_t)n);
			*keep_len = (size_t)n;
		}
		tunnel_input(t, buf, (size_t)n, (struct sockaddr *)&src);
	}
	return n;
}

/* Move one datagram from `from`'s UDP socket into `to`'s tunnel. */
static ssize_t carry(uv_loop_t *loop, struct side *from, struct side *to, uint8_t *keep, size_t *keep_len)
{
	(void)from;
	return carry_fd(loop, to->udp, to->t, keep, keep_len);
}

/* What a tunnel's ops saw: echo replies and packets sent into streams. */
#define REC_PKTS 8
struct rec {
	unsigned n_reply;
	uint32_t reply_spi;
	struct esp_echo reply;   /* data points nowhere after the call */
	void *reply_stream;
	unsigned n_sent;
	void *sent_stream;       /* the stream of the last one */
	uint8_t sent[REC_PKTS][2048];
	size_t sent_len[REC_PKTS];
	int send_rc;             /* what stream_send returns */
	unsigned n_many;         /* stream_send_many calls */
};

static void rec_echo_reply(void *ctx, uint32_t spi_in, const struct esp_echo *e, void *stream)
{
	struct rec *r = ctx;
	r->n_reply++;
	r->reply_spi = spi_in;
	r->reply = *e;
	r->reply.data = NULL;
	r->reply_stream = stream;
}

static int rec_stream_send(void *ctx, void *stream, const uint8_t *pkt, size_t len)
{
	struct rec *r = ctx;
	if (r->send_rc)
		return r->send_rc;
	if (r->n_sent < REC_PKTS && len <= sizeof(r->sent[0])) {
		memcpy(r->sent[r->n_sent], pkt, len);
		r->sent_len[r->n_sent] = len;
	}
	r->n_sent++;
	r->sent_stream = stream;
	return 0;
}

/* The batch form: the same record per packet, and the calls counted. */
static int rec_stream_send_many(void *ctx, void *stream, const struct iovec *pkts, size_t n)
{
	struct rec *r = ctx;
	if (r->send_rc)
		return r->send_rc;
	r->n_many++;
	for (size_t i = 0; i < n; i++)
		rec_stream_send(ctx, stream, pkts[i].iov_base, pkts[i].iov_len);
	return (int)n;
}

/* 1: the tunnels get ops.stream_send_many too (test_echo_stream's 3rd run). */
static int use_many;

/* Run the loop a while (50 ms); 1 when `fd` stays unreadable. */
static int quiet(uv_loop_t *loop, int fd) { return wait_fd_for(loop, fd, 10) != 0; }

/* Run the loop until *n reaches want (or 1 s). */
static void run_until(uv_loop_t *loop, const unsigned *n, unsigned want)
{
	for (int i = 0; i < 200 && *n < want; i++) {
		uv_run(loop, UV_RUN_NOWAIT);
		struct pollfd p = { .fd = -1 };
		poll(&p, 0, 5);
	}
}

/* The next datagram on `to`'s UDP socket, not delivered. */
static ssize_t grab(uv_loop_t *loop, struct side *to, uint8_t *buf, size_t cap)
{
	if (wait_fd(loop, to->udp))
		return -1;
	return recv(to->udp, buf, cap, 0);
}

#define SPI_A 0x5001u
#define SPI_B 0x6002u

/* Client a and gateway b, their tunnels reporting to ra and rb, joined by
 * the Child SA pair SPI_A/SPI_B over UDP (encap 1), each the other's peer. */
static void pair_open(uv_loop_t *loop, struct side *a, struct side *b, struct rec *ra,
		      struct rec *rb, struct secret **k1, struct secret **k2)
{
	struct ike_child ca, cb;
	memset(ra, 0, sizeof(*ra));
	memset(rb, 0, sizeof(*rb));
	struct tunnel_ops opa = { .ctx = ra, .echo_reply = rec_echo_reply, .stream_send = rec_stream_send };
	struct tunnel_ops opb = { .ctx = rb, .echo_reply = rec_echo_reply, .stream_send = rec_stream_send };
	if (use_many)
		opa.stream_send_many = opb.stream_send_many = rec_stream_send_many;
	uv_loop_init(loop);
	side_open(a);
	side_open(b);
	crypto_secret_from("abcdefghijklmnopqrstuvwxyz012345ABCD", 36, k1);
	crypto_secret_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ543210abcd", 36, k2);
	CHECK_EQ(tunnel_new(loop, a->tun[0], a->udp, &opa, &a->t), 0);
	CHECK_EQ(tunnel_new(loop, b->tun[0], b->udp, &opb, &b->t), 0);
	make_children(&ca, &cb, *k1, *k2, SPI_A, SPI_B);
	CHECK_EQ(tunnel_child_add(a->t, &ca, (struct sockaddr *)&b->addr, 1), 0);
	CHECK_EQ(tunnel_child_add(b->t, &cb, (struct sockaddr *)&a->addr, 1), 0);
}

static void test_echo_stream(const struct esp_echo_cfg *cfg)
{
	uv_loop_t loop;
	struct side a, b; /* a: client (initiator), b: gateway (responder) */
	struct rec ra, rb;
	struct secret *k1, *k2;
	struct tunnel_stats sa, sb;
	uint8_t pkt[1500], got[2048], dg[2048];
	int stream_a, stream_b, stream_other; /* the streams: only their addresses matter */
	void *const SA = &stream_a, *const SB = &stream_b;
	ssize_t r;
	size_t n;

	pair_open(&loop, &a, &b, &ra, &rb, &k1, &k2);

	/* No echo yet: a probe is refused. */
	CHECK_EQ(tunnel_echo_probe(a.t, SPI_A, 1, 1, 0), -ENOENT);
	tunnel_set_echo(a.t, cfg);
	tunnel_set_echo(b.t, cfg);
	CHECK_EQ(tunnel_echo_probe(a.t, SPI_A, 1, 1, 0), -ENOENT); /* not agreed for the Child SA */
	tunnel_child_echo(a.t, SPI_A, 1);
	tunnel_child_echo(b.t, SPI_B, 1);

	/* (a) A probe over UDP; B answers over UDP, A's ops see the reply. */
	CHECK_EQ(tunnel_echo_probe(a.t, SPI_A, 0x4242, 7, 16), 0);
	CHECK(carry(&loop, &a, &b, NULL, NULL) > 0);
	CHECK(carry(&loop, &b, &a, NULL, NULL) > 0);
	CHECK_EQ(read(b.tun[1], got, sizeof(got)), -1); /* never the TUN */
	CHECK_EQ(read(a.tun[1], got, sizeof(got)), -1);
	CHECK_EQ(ra.n_reply, 1);
	CHECK_EQ(ra.reply_spi, SPI_A);
	CHECK_EQ(ra.reply.is_request, 0);
	CHECK_EQ(ra.reply.id, 0x4242);
	CHECK_EQ(ra.reply.seq, 7);
	CHECK_EQ(ra.reply.data_len, 16);
	CHECK(ra.reply_stream == NULL);
	CHECK_EQ(rb.n_reply, 0);
	CHECK_EQ(ra.n_sent + rb.n_sent, 0);
	tunnel_stats(a.t, &sa);
	tunnel_stats(b.t, &sb);
	CHECK_EQ(sa.rx_echo, 1);
	CHECK_EQ(sb.rx_echo, 1);
	CHECK_EQ(sa.rx_echo_drop + sb.rx_echo_drop, 0);
	CHECK_EQ(sa.rx_packets + sb.rx_packets, 0);
	CHECK_EQ(sa.rx_other + sb.rx_other + sa.rx_drop + sb.rx_drop, 0);

	/* (b) B has not agreed to echo on this Child SA: dropped, counted, no answer. */
	tunnel_child_echo(b.t, SPI_B, 0);
	CHECK_EQ(tunnel_echo_probe(a.t, SPI_A, 0x4242, 8, 0), 0);
	CHECK(carry(&loop, &a, &b, NULL, NULL) > 0);
	CHECK(quiet(&loop, a.udp));
	CHECK_EQ(read(b.tun[1], got, sizeof(got)), -1);
	tunnel_stats(b.t, &sb);
	CHECK_EQ(sb.rx_echo_drop, 1);
	CHECK_EQ(sb.rx_echo, 1);
	CHECK_EQ(rb.n_sent, 0);
	CHECK_EQ(ra.n_reply, 1);
	tunnel_child_echo(b.t, SPI_B, 1);

	/* (c) A's Child SA into stream SA: three TUN packets, three stream_sends. */
	tunnel_child_stream(a.t, SPI_A, SA);
	n = ip4(pkt, "203.0.113.10", "203.0.113.1", 300);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(write(a.tun[1], pkt, n), (ssize_t)n);
	run_until(&loop, &ra.n_sent, 3);
	CHECK(quiet(&loop, b.udp));
	CHECK_EQ(ra.n_sent, 3);
	CHECK(ra.sent_stream == SA);
	tunnel_stats(a.t, &sa);
	CHECK_EQ(sa.tx_stream, 3);
	CHECK_EQ(sa.tx_packets, 3);
	CHECK_EQ(sa.tx_bytes, 3 * n);
	CHECK_EQ(sa.tx_stream_err, 0);
	/* with the batch form, one call per TUN wake-up: fewer than packets */
	if (use_many)
		CHECK(ra.n_many >= 1 && ra.n_many < 3);
	/* what went into the stream is ESP of this Child SA: B opens it */
	for (int i = 0; i < 3; i++) {
		CHECK(ra.sent_len[i] > n);
		tunnel_input_stream(b.t, ra.sent[i], ra.sent_len[i], SB);
		CHECK_EQ(read(b.tun[1], got, sizeof(got)), (ssize_t)n);
		CHECK_MEM(got, pkt, n);
	}
	tunnel_stats(b.t, &sb);
	CHECK_EQ(sb.rx_stream, 3);
	CHECK_EQ(sb.rx_packets, 3);
	/* B does not follow (yet): its answer still goes over UDP */
	size_t m = ip4(pkt, "203.0.113.1", "203.0.113.10", 200);
	CHECK_EQ(write(b.tun[1], pkt, m), (ssize_t)m);
	CHECK(carry(&loop, &b, &a, NULL, NULL) > 0);
	CHECK_EQ(read(a.tun[1], got, sizeof(got)), (ssize_t)m);
	CHECK_EQ(rb.n_sent, 0);
	/* a probe takes the datagram path even while ESP goes into the stream */
	CHECK_EQ(tunnel_echo_probe(a.t, SPI_A, 0x4242, 9, 0), 0);
	CHECK(carry(&loop, &a, &b, NULL, NULL) > 0);
	CHECK(carry(&loop, &b, &a, NULL, NULL) > 0);
	CHECK_EQ(ra.n_reply, 2);
	CHECK_EQ(ra.reply.seq, 9);
	CHECK_EQ(ra.n_sent, 3);
	/* the stream refuses one: dropped and counted, not sent over UDP */
	ra.send_rc = -EPIPE;
	n = ip4(pkt, "203.0.113.10", "203.0.113.1", 300);
	CHECK_EQ(write(a.tun[1], pkt, n), (ssize_t)n);
	CHECK(quiet(&loop, b.udp));
	ra.send_rc = 0;
	tunnel_stats(a.t, &sa);
	CHECK_EQ(sa.tx_stream_err, 1);
	CHECK_EQ(sa.tx_stream, 3);
	CHECK_EQ(ra.n_sent, 3);
	/* another stream going away changes nothing; SA going away: UDP again */
	tunnel_stream_gone(a.t, &stream_other);
	CHECK_EQ(write(a.tun[1], pkt, n), (ssize_t)n);
	run_until(&loop, &ra.n_sent, 4);
	CHECK_EQ(ra.n_sent, 4);
	tunnel_input_stream(b.t, ra.sent[3], ra.sent_len[3], SB);
	CHECK_EQ(read(b.tun[1], got, sizeof(got)), (ssize_t)n);
	tunnel_stream_gone(a.t, SA);
	CHECK_EQ(write(a.tun[1], pkt, n), (ssize_t)n);
	CHECK(carry(&loop, &a, &b, NULL, NULL) > 0);
	CHECK_EQ(read(b.tun[1], got, sizeof(got)), (ssize_t)n);
	CHECK_MEM(got, pkt, n);
	CHECK_EQ(ra.n_sent, 4);
	tunnel_stats(a.t, &sa);
	CHECK_EQ(sa.tx_stream, 4);
	CHECK_EQ(sa.tx_packets, 5);

	/* (d) Follow mode on B. A's data comes in stream SB: B's answer goes there. */
	tunnel_set_follow(b.t, 1);
	tunnel_child_stream(a.t, SPI_A, SA);
	CHECK_EQ(write(a.tun[1], pkt, n), (ssize_t)n);
	run_until(&loop, &ra.n_sent, 5);
	CHECK_EQ(ra.n_sent, 5);
	tunnel_input_stream(b.t, ra.sent[4], ra.sent_len[4], SB);
	CHECK_EQ(read(b.tun[1], got, sizeof(got)), (ssize_t)n);
	m = ip4(pkt, "203.0.113.1", "203.0.113.10", 200);
	CHECK_EQ(write(b.tun[1], pkt, m), (ssize_t)m);
	run_until(&loop, &rb.n_sent, 1);
	CHECK(quiet(&loop, a.udp));
	CHECK_EQ(rb.n_sent, 1);
	CHECK(rb.sent_stream == SB);
	tunnel_input_stream(a.t, rb.sent[0], rb.sent_len[0], SA);
	CHECK_EQ(read(a.tun[1], got, sizeof(got)), (ssize_t)m);
	CHECK_MEM(got, pkt, m);
	/* an echo request over UDP is a probe of the other path: B stays on SB */
	CHECK_EQ(tunnel_echo_probe(a.t, SPI_A, 0x4242, 10, 0), 0);
	CHECK(carry(&loop, &a, &b, NULL, NULL) > 0);
	CHECK(carry(&loop, &b, &a, NULL, NULL) > 0); /* the reply over UDP */
	CHECK_EQ(ra.n_reply, 3);
	CHECK_EQ(ra.reply.seq, 10);
	CHECK(ra.reply_stream == NULL);
	CHECK_EQ(rb.n_sent, 1);
	CHECK_EQ(write(b.tun[1], pkt, m), (ssize_t)m);
	run_until(&loop, &rb.n_sent, 2);
	CHECK(quiet(&loop, a.udp));
	CHECK_EQ(rb.n_sent, 2);
	CHECK(rb.sent_stream == SB);
	/* A's data over UDP again: B follows it back */
	tunnel_child_stream(a.t, SPI_A, NULL);
	n = ip4(pkt, "203.0.113.10", "203.0.113.1", 300);
	CHECK_EQ(write(a.tun[1], pkt, n), (ssize_t)n);
	CHECK(carry(&loop, &a, &b, NULL, NULL) > 0);
	CHECK_EQ(read(b.tun[1], got, sizeof(got)), (ssize_t)n);
	m = ip4(pkt, "203.0.113.1", "203.0.113.10", 200);
	CHECK_EQ(write(b.tun[1], pkt, m), (ssize_t)m);
	CHECK(carry(&loop, &b, &a, NULL, NULL) > 0);
	CHECK_EQ(read(a.tun[1], got, sizeof(got)), (ssize_t)m);
	CHECK_EQ(rb.n_sent, 2);

	/* (e) An echo request that comes in a stream is answered into it, and
	 * does not move B (on UDP now) to that stream. */
	CHECK_EQ(tunnel_echo_probe(a.t, SPI_A, 0x4343, 11, 32), 0);
	r = grab(&loop, &b, dg, sizeof(dg));
	CHECK(r > 0);
	tunnel_stats(b.t, &sb);
	uint64_t rx_echo_b = sb.rx_echo, tx_stream_b = sb.tx_stream;
	if (r > 0)
		tunnel_input_stream(b.t, dg, (size_t)r, SB);
	CHECK(quiet(&loop, a.udp));
	CHECK_EQ(read(b.tun[1], got, sizeof(got)), -1);
	CHECK_EQ(rb.n_sent, 3);
	CHECK(rb.sent_stream == SB);
	tunnel_stats(b.t, &sb);
	CHECK_EQ(sb.rx_echo, rx_echo_b + 1);
	CHECK_EQ(sb.tx_stream, tx_stream_b + 1);
	tunnel_input_stream(a.t, rb.sent[2], rb.sent_len[2], SA);
	CHECK_EQ(ra.n_reply, 4);
	CHECK_EQ(ra.reply.id, 0x4343);
	CHECK_EQ(ra.reply.seq, 11);
	CHECK_EQ(ra.reply.data_len, 32);
	CHECK(ra.reply_stream == SA);
	CHECK_EQ(read(a.tun[1], got, sizeof(got)), -1);
	CHECK_EQ(write(b.tun[1], pkt, m), (ssize_t)m);
	CHECK(carry(&loop, &b, &a, NULL, NULL) > 0); /* still UDP */
	CHECK_EQ(read(a.tun[1], got, sizeof(got)), (ssize_t)m);
	CHECK_EQ(rb.n_sent, 3);
	tunnel_stats(a.t, &sa);
	tunnel_stats(b.t, &sb);
	CHECK_EQ(sa.rx_echo, 4);
	CHECK_EQ(sb.rx_echo, 4);
	CHECK_EQ(sb.rx_echo_drop, 1);
	CHECK_EQ(sa.rx_echo_drop, 0);
	CHECK_EQ(sa.rx_spoofed + sb.rx_spoofed + sa.rx_drop + sb.rx_drop, 0);

	sides_close(&loop, &a, &b);
	crypto_secret_free(k1);
	crypto_secret_free(k2);
}

/* B's next TUN packet leaves for exactly one of the UDP sockets: it arrives
 * on `to` (A opens it there, byte for byte) while `not1` and `not2` stay
 * quiet. */
static void b_sends_to(uv_loop_t *loop, struct side *a, struct side *b, int to, int not1, int not2)
{
	uint8_t pkt[1500], got[2048];
	size_t m = ip4(pkt, "203.0.113.1", "203.0.113.10", 200);
	CHECK_EQ(write(b->tun[1], pkt, m), (ssize_t)m);
	CHECK(carry_fd(loop, to, a->t, NULL, NULL) > (ssize_t)m);
	CHECK_EQ(read(a->tun[1], got, sizeof(got)), (ssize_t)m);
	CHECK_MEM(got, pkt, m);
	CHECK(quiet(loop, not1));
	CHECK(quiet(loop, not2));
}

/* Follow mode and the peer's UDP address (a NAT rebinding A's port). A's
 * socket is P1, B's Child SA's peer; p2 and p3 are two more loopback
 * sockets (other ports) that A's datagrams are made to come from. With
 * follow on an authentic data packet from P2 moves B's peer to P2; a
 * replayed copy from P3 does not (decap fails), nor does an echo request
 * from P3, whose reply still goes to P3. With follow off nothing moves, and
 * the echo reply goes to P3 all the same. */
static void test_follow_addr(int follow)
{
	uv_loop_t loop;
	struct side a, b;
	struct rec ra, rb;
	struct secret *k1, *k2;
	struct sockaddr_in p2, p3;
	struct tunnel_stats sb;
	uint8_t pkt[1500], got[2048], dg[2048], old[2048];
	size_t n, old_len = 0;
	ssize_t r;

	pair_open(&loop, &a, &b, &ra, &rb, &k1, &k2);
	int u2 = udp_open(&p2), u3 = udp_open(&p3);
	CHECK(p2.sin_port != a.addr.sin_port && p3.sin_port != a.addr.sin_port &&
	      p2.sin_port != p3.sin_port);
	tunnel_set_echo(a.t, &esp_echo_cfg_default);
	tunnel_set_echo(b.t, &esp_echo_cfg_default);
	tunnel_child_echo(a.t, SPI_A, 1);
	tunnel_child_echo(b.t, SPI_B, 1);
	tunnel_set_follow(b.t, follow);

	/* A's first packet from P1, kept for a replay; B answers to P1 */
	n = ip4(pkt, "203.0.113.10", "203.0.113.1", 300);
	CHECK_EQ(write(a.tun[1], pkt, n), (ssize_t)n);
	CHECK(carry(&loop, &a, &b, old, &old_len) > (ssize_t)n);
	CHECK_EQ(read(b.tun[1], got, sizeof(got)), (ssize_t)n);
	b_sends_to(&loop, &a, &b, a.udp, u2, u3);

	/* the next one delivered as from P2: B's peer moves there (follow) */
	CHECK_EQ(write(a.tun[1], pkt, n), (ssize_t)n);
	r = grab(&loop, &b, dg, sizeof(dg));
	CHECK(r > (ssize_t)n);
	if (r > 0)
		tunnel_input(b.t, dg, (size_t)r, (struct sockaddr *)&p2);
	CHECK_EQ(read(b.tun[1], got, sizeof(got)), (ssize_t)n);
	CHECK_MEM(got, pkt, n);
	int peer = follow ? u2 : a.udp, other = follow ? a.udp : u2;
	b_sends_to(&loop, &a, &b, peer, other, u3);
	/* a probe of B's goes to the peer too */
	CHECK_EQ(tunnel_echo_probe(b.t, SPI_B, 0x5151, 1, 0), 0);
	CHECK(carry_fd(&loop, peer, a.t, NULL, NULL) > 0);
	CHECK(quiet(&loop, other));
	CHECK(carry(&loop, &a, &b, NULL, NULL) > 0); /* A's reply, to b */
	CHECK_EQ(rb.n_reply, 1);
	CHECK_EQ(rb.reply.id, 0x5151);

	/* a replay of the first packet from P3: dropped, the peer stays */
	tunnel_stats(b.t, &sb);
	uint64_t drop = sb.rx_drop, rx = sb.rx_packets;
	tunnel_input(b.t, old, old_len, (struct sockaddr *)&p3);
	CHECK_EQ(read(b.tun[1], got, sizeof(got)), -1);
	tunnel_stats(b.t, &sb);
	CHECK_EQ(sb.rx_drop, drop + 1);
	CHECK_EQ(sb.rx_packets, rx);
	b_sends_to(&loop, &a, &b, peer, other, u3);

	/* an echo request from P3: answered to P3, the peer stays */
	CHECK_EQ(tunnel_echo_probe(a.t, SPI_A, 0x4242, 1, 8), 0);
	r = grab(&loop, &b, dg, sizeof(dg));
	CHECK(r > 0);
	if (r > 0)
		tunnel_input(b.t, dg, (size_t)r, (struct sockaddr *)&p3);
	CHECK(carry_fd(&loop, u3, a.t, NULL, NULL) > 0);
	CHECK(quiet(&loop, a.udp));
	CHECK(quiet(&loop, u2));
	CHECK_EQ(ra.n_reply, 1);
	CHECK_EQ(ra.reply.id, 0x4242);
	CHECK_EQ(ra.reply.seq, 1);
	CHECK_EQ(ra.reply.is_request, 0);
	CHECK_EQ(read(b.tun[1], got, sizeof(got)), -1);
	b_sends_to(&loop, &a, &b, peer, other, u3);
	tunnel_stats(b.t, &sb);
	CHECK_EQ(sb.rx_echo, 2);
	CHECK_EQ(sb.rx_echo_drop + sb.tx_send_err + sb.rx_spoofed, 0);

	sides_close(&loop, &a, &b);
	close(u2);
	close(u3);
	crypto_secret_free(k1);
	crypto_secret_free(k2);
}

int main(void)
{
	uv_loop_t loop;
	struct side a, b; /* a: client, b: gateway */
	struct secret *k1, *k2, *k3, *k4;
	struct ike_child ca, cb;
	uint8_t pkt[1500], got[2048], saved[2048];
	size_t saved_len = 0;

	uv_loop_init(&loop);
	side_open(&a);
	side_open(&b);
	uint8_t km[36];
	for (size_t i = 0; i < sizeof(km); i++)
		km[i] = (uint8_t)(i * 7 + 1);
	crypto_secret_from(km, 36, &k1);
	km[0] ^= 0xff;
	crypto_secret_from(km, 36, &k2);
	CHECK_EQ(tunnel_new(&loop, a.tun[0], a.udp, NULL, &a.t), 0);
	CHECK_EQ(tunnel_new(&loop, b.tun[0], b.udp, NULL, &b.t), 0);
	make_children(&ca, &cb, k1, k2, 0x1001, 0x2002);
	CHECK_EQ(tunnel_child_add(a.t, &ca, (struct sockaddr *)&b.addr, 1), 0);
	CHECK_EQ(tunnel_child_add(b.t, &cb, (struct sockaddr *)&a.addr, 1), 0);

	/* client -> gateway, IPv4 */
	size_t n = ip4(pkt, "203.0.113.10", "203.0.113.1", 1400);
	CHECK_EQ(write(a.tun[1], pkt, n), (ssize_t)n);
	CHECK(carry(&loop, &a, &b, saved, &saved_len) > (ssize_t)n);
	CHECK_EQ(read(b.tun[1], got, sizeof(got)), (ssize_t)n);
	CHECK_MEM(got, pkt, n);
	/* the same datagram again: a replay, dropped */
	tunnel_input(b.t, saved, saved_len, (struct sockaddr *)&a.addr);
	CHECK_EQ(read(b.tun[1], got, sizeof(got)), -1);
	/* gateway -> client, IPv6 */
	n = ip6(pkt, "2001:db8:113::1", "2001:db8:113::1001", 1280);
	CHECK_EQ(write(b.tun[1], pkt, n), (ssize_t)n);
	CHECK(carry(&loop, &b, &a, NULL, NULL) > 0);
	CHECK_EQ(read(a.tun[1], got, sizeof(got)), (ssize_t)n);
	CHECK_MEM(got, pkt, n);
	/* no Child SA for 198.18.0.1: nothing leaves */
	n = ip4(pkt, "203.0.113.10", "198.18.0.1", 100);
	CHECK_EQ(write(a.tun[1], pkt, n), (ssize_t)n);
	for (int i = 0; i < 5; i++)
		uv_run(&loop, UV_RUN_NOWAIT);
	struct tunnel_stats st;
	tunnel_stats(a.t, &st);
	CHECK_EQ(st.tx_no_route, 1);
	/* the client claims another client's address: spoofed at the gateway */
	n = ip4(pkt, "203.0.113.11", "203.0.113.1", 100);
	CHECK_EQ(write(a.tun[1], pkt, n), (ssize_t)n);
	CHECK(carry(&loop, &a, &b, NULL, NULL) > 0);
	CHECK_EQ(read(b.tun[1], got, sizeof(got)), -1);
	tunnel_stats(b.t, &st);
	CHECK_EQ(st.rx_spoofed, 1);
	CHECK_EQ(st.rx_packets, 1);

	/* Rekey: new keys and SPIs on both sides; a packet sealed with the old
	 * SA still opens until the old SA is deleted. */
	crypto_secret_from("0123456789abcdef0123456789abcdefXYZW", 36, &k3);
	crypto_secret_from("fedcba9876543210fedcba9876543210WZYX", 36, &k4);
	struct ike_child ca2, cb2;
	make_children(&ca2, &cb2, k3, k4, 0x3003, 0x4004);
	n = ip4(pkt, "203.0.113.10", "203.0.113.1", 200);
	CHECK_EQ(write(a.tun[1], pkt, n), (ssize_t)n);
	for (int i = 0; i < 200 && 1; i++) {
		uv_run(&loop, UV_RUN_NOWAIT);
		struct pollfd p = { .fd = b.udp, .events = POLLIN };
		if (poll(&p, 1, 5) == 1)
			break;
	}
	/* the old-SA datagram is in flight when the gateway installs the new pair */
	CHECK_EQ(tunnel_child_add(b.t, &cb2, (struct sockaddr *)&a.addr, 1), 0);
	CHECK_EQ(tunnel_child_add(a.t, &ca2, (struct sockaddr *)&b.addr, 1), 0);
	CHECK(carry(&loop, &a, &b, NULL, NULL) > 0);
	CHECK_EQ(read(b.tun[1], got, sizeof(got)), (ssize_t)n);
	/* new packets use the new SA; after the old one is deleted they still flow */
	tunnel_child_del(a.t, 0x1001);
	tunnel_child_del(b.t, 0x2002);
	CHECK_EQ(write(a.tun[1], pkt, n), (ssize_t)n);
	CHECK(carry(&loop, &a, &b, NULL, NULL) > 0);
	CHECK_EQ(read(b.tun[1], got, sizeof(got)), (ssize_t)n);
	/* an old-SA packet now finds no SA */
	tunnel_input(b.t, saved, saved_len, (struct sockaddr *)&a.addr);
	CHECK_EQ(read(b.tun[1], got, sizeof(got)), -1);

	sides_close(&loop, &a, &b);
	crypto_secret_free(k1);
	crypto_secret_free(k2);
	crypto_secret_free(k3);
	crypto_secret_free(k4);

	test_echo_stream(&esp_echo_cfg_default);
	/* configured code points (petrel-gw's codepoints:): another next header */
	const struct esp_echo_cfg other = { .next_header = 253, .request = 5, .reply = 6 };
	test_echo_stream(&other);
	/* the same with ops.stream_send_many: ESP into a stream in batches */
	use_many = 1;
	test_echo_stream(&esp_echo_cfg_default);
	use_many = 0;
	test_follow_addr(1);
	test_follow_addr(0);
	return test_done();
}
