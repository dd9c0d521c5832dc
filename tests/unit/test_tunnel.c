/* src/tunnel: two data paths back to back, in one process without root.
 * Each "TUN" is a SOCK_DGRAM socketpair (packet boundaries kept), each UDP
 * socket is bound on loopback; a Child SA pair with matching keys joins
 * them. Checks: IPv4 and IPv6 packets cross both ways byte for byte; a
 * packet to an address outside the selectors is not sent; an inner source
 * outside the peer's selectors is dropped as spoofed; a replayed datagram
 * is dropped; a rekey keeps the old SA receiving until it is deleted. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "crypto/secret.h"
#include "ike/pld/consts.h"
#include "test.h"
#include "tunnel/tunnel.h"

struct side {
	int tun[2];   /* [0] the tunnel's end, [1] the test's ("the kernel") */
	int udp;
	struct sockaddr_in addr;
	struct tunnel *t;
};

static void side_open(struct side *s)
{
	socklen_t len = sizeof(s->addr);
	CHECK_EQ(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, s->tun), 0);
	s->udp = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	memset(&s->addr, 0, sizeof(s->addr));
	s->addr.sin_family = AF_INET;
	s->addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK_EQ(bind(s->udp, (struct sockaddr *)&s->addr, sizeof(s->addr)), 0);
	getsockname(s->udp, (struct sockaddr *)&s->addr, &len);
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

/* Run the loop until `fd` is readable (or 1 s). */
static int wait_fd(uv_loop_t *loop, int fd)
{
	for (int i = 0; i < 200; i++) {
		uv_run(loop, UV_RUN_NOWAIT);
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, 5) == 1)
			return 0;
	}
	return -1;
}

/* Move one datagram from `from`'s UDP socket into `to`'s tunnel. */
static ssize_t carry(uv_loop_t *loop, struct side *from, struct side *to, uint8_t *keep, size_t *keep_len)
{
	uint8_t buf[2048];
	struct sockaddr_in src;
	socklen_t sl = sizeof(src);
	if (wait_fd(loop, to->udp))
		return -1;
	ssize_t n = recvfrom(to->udp, buf, sizeof(buf), 0, (struct sockaddr *)&src, &sl);
	if (n > 0) {
		if (keep) {
			memcpy(keep, buf, (size_t)n);
			*keep_len = (size_t)n;
		}
		tunnel_input(to->t, buf, (size_t)n, (struct sockaddr *)&src);
	}
	(void)from;
	return n;
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

	tunnel_free(a.t);
	tunnel_free(b.t);
	uv_run(&loop, UV_RUN_DEFAULT);
	uv_loop_close(&loop);
	for (int i = 0; i < 2; i++) {
		close(a.tun[i]);
		close(b.tun[i]);
	}
	close(a.udp);
	close(b.udp);
	crypto_secret_free(k1);
	crypto_secret_free(k2);
	crypto_secret_free(k3);
	crypto_secret_free(k4);
	return test_done();
}
