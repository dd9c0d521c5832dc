#include "gw/dp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/log.h"
#include "esp/echo.h"
#include "esp/sa.h"
#include "net/addr.h"
#include "net/rawesp.h"
#include "net/route.h"
#include "net/tcpconn.h"
#include "net/tun.h"
#include "tunnel/tunnel.h"

#define DLOG "gw"

struct gw_dp {
	int raw_fd;                /* raw ESP on the listening address */
	struct net_tun *tun;
	struct net_routes *routes; /* the TUN's own addresses */
	struct tunnel *t;
	unsigned ifindex;
};

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

int gw_dp_new(uv_loop_t *loop, const struct conf_gw *c, int udp_fd,
	      const struct ike_codepoints *cp, struct gw_dp **out)
{
	struct gw_dp *dp = calloc(1, sizeof(*dp));
	int rc;

	if (!dp)
		return -ENOMEM;
	dp->raw_fd = -1;
	struct net_tun_cfg tc = { .name = c->tun, .mtu = 1400, .offload = 1 };
	if ((rc = net_tun_open(&tc, &dp->tun))) {
		log_err(DLOG, "cannot open the TUN device %s: %s", c->tun, pt_strerror(rc));
		free(dp);
		return rc;
	}
	dp->ifindex = net_tun_ifindex(dp->tun);
	/* The gateway's own inside addresses, on the TUN; its journal is
	 * separate from a petreld on the same machine. */
	if ((rc = net_routes_new("/run/petrel/gw-routes", &dp->routes)))
		goto fail;
	for (unsigned i = 0; i < c->n_tun_addrs; i++) {
		struct net_prefix a = { .family = (uint8_t)c->tun_addrs[i].family,
					.len = c->tun_addrs[i].family == AF_INET ? 32 : 128 };
		memcpy(a.addr, c->tun_addrs[i].addr, 16);
		if ((rc = net_routes_addr_add(dp->routes, dp->ifindex, &a))) {
			log_err(DLOG, "cannot add the inside address to %s: %s", c->tun, pt_strerror(rc));
			goto fail;
		}
	}
	static const struct tunnel_ops tops = { .stream_send = stream_send, .stream_send_many = stream_send_many };
	if ((rc = tunnel_new(loop, net_tun_fd(dp->tun), udp_fd, &tops, &dp->t)))
		goto fail;
	/* A responder answers the way the client's ESP came (TCP or UDP). */
	tunnel_set_follow(dp->t, 1);
	if (c->echo) {
		struct esp_echo_cfg ec = { .next_header = cp->esp_echo_next_header,
					   .request = cp->esp_echo_request, .reply = cp->esp_echo_reply };
		tunnel_set_echo(dp->t, &ec);
	}
	/* Raw ESP for clients without a NAT in front of them. */
	struct sockaddr_storage la = { 0 };
	struct ike_addr ia = { .family = c->listen.family };
	memcpy(ia.ip, c->listen.addr, sizeof(ia.ip));
	net_addr_to_sa(&ia, &la);
	dp->raw_fd = net_raw_esp_open((struct sockaddr *)&la);
	if (dp->raw_fd < 0 || (rc = tunnel_add_raw(dp->t, c->listen.family, dp->raw_fd))) {
		rc = dp->raw_fd < 0 ? dp->raw_fd : rc;
		log_err(DLOG, "cannot open a raw ESP socket: %s", pt_strerror(rc));
		goto fail;
	}
	log_info(DLOG, "data path on %s (%u inside address(es))", net_tun_name(dp->tun), c->n_tun_addrs);
	*out = dp;
	return 0;
fail:
	gw_dp_free(dp);
	return rc;
}

static void host_route(struct gw_dp *dp, int family, const uint8_t *addr, int add)
{
	struct net_route r = { .kind = NET_ROUTE_ROUTE, .ifindex = dp->ifindex };
	r.dst.family = (uint8_t)family;
	r.dst.len = family == AF_INET ? 32 : 128;
	memcpy(r.dst.addr, addr, family == AF_INET ? 4 : 16);
	int rc = add ? net_route_sys_add(&r) : net_route_sys_del(&r);
	if (rc && rc != -EEXIST && rc != -ESRCH && rc != -ENOENT) {
		char s[64];
		log_warn(DLOG, "cannot %s the route to %s: %s", add ? "add" : "remove",
			 net_prefix_str(&r.dst, s, sizeof(s)), pt_strerror(rc));
	}
}

int gw_dp_child_up(struct gw_dp *dp, const struct ike_child *c, const struct sockaddr *peer,
		   int encap)
{
	int rc = tunnel_child_add(dp->t, c, peer, encap);
	if (rc)
		return rc;
	/* The client's side of the selectors is its virtual address (narrowed
	 * in IKE_AUTH): route each single address to the TUN. */
	for (size_t i = 0; i < c->n_ts_remote; i++) {
		const struct ike_ts_cfg *ts = &c->ts_remote[i];
		size_t n = ts->type == IKE_TS_IPV6_ADDR_RANGE ? 16 : 4;
		if (memcmp(ts->start, ts->end, n) == 0) /* public-memcmp: addresses */
			host_route(dp, n == 16 ? AF_INET6 : AF_INET, ts->start, 1);
	}
	return 0;
}

void gw_dp_child_move(struct gw_dp *dp, uint32_t spi_in, const struct sockaddr *peer, int encap)
{
	tunnel_child_move(dp->t, spi_in, peer, encap);
}

void gw_dp_child_down(struct gw_dp *dp, const struct ike_child *c)
{
	tunnel_child_del(dp->t, c->spi_in);
}

void gw_dp_client_gone(struct gw_dp *dp, int has_v4, const uint8_t v4[4], int has_v6,
		       const uint8_t v6[16])
{
	if (has_v4)
		host_route(dp, AF_INET, v4, 0);
	if (has_v6)
		host_route(dp, AF_INET6, v6, 0);
}

void gw_dp_input(struct gw_dp *dp, const uint8_t *pkt, size_t len, const struct sockaddr *from)
{
	tunnel_input(dp->t, pkt, len, from);
}

void gw_dp_input_stream(struct gw_dp *dp, const uint8_t *pkt, size_t len, struct tcpconn *s)
{
	tunnel_input_stream(dp->t, pkt, len, s);
}

void gw_dp_stream_gone(struct gw_dp *dp, struct tcpconn *s)
{
	tunnel_stream_gone(dp->t, s);
}

void gw_dp_child_path(struct gw_dp *dp, uint32_t spi_in, struct tcpconn *s, int echo)
{
	if (s)
		tunnel_child_stream(dp->t, spi_in, s);
	tunnel_child_echo(dp->t, spi_in, echo);
}

void gw_dp_log_stats(const struct gw_dp *dp)
{
	struct tunnel_stats t;
	struct esp_stats e;

	tunnel_stats(dp->t, &t);
	tunnel_esp_stats(dp->t, &e);
	log_info(DLOG, "stats: tx_packets=%llu tx_bytes=%llu rx_packets=%llu rx_bytes=%llu "
		 "tx_no_route=%llu tx_send_err=%llu rx_drop=%llu rx_spoofed=%llu rx_tun_err=%llu "
		 "esp_rx_no_sa=%llu esp_rx_replay_dup=%llu esp_rx_replay_old=%llu esp_rx_auth=%llu "
		 "esp_rx_bad_len=%llu esp_rx_bad_pad=%llu pool_empty=%llu tx_stream=%llu rx_stream=%llu "
		 "tx_stream_err=%llu rx_echo=%llu rx_echo_drop=%llu",
		 (unsigned long long)t.tx_packets, (unsigned long long)t.tx_bytes,
		 (unsigned long long)t.rx_packets, (unsigned long long)t.rx_bytes,
		 (unsigned long long)t.tx_no_route, (unsigned long long)t.tx_send_err,
		 (unsigned long long)t.rx_drop, (unsigned long long)t.rx_spoofed,
		 (unsigned long long)t.rx_tun_err, (unsigned long long)e.rx_no_sa,
		 (unsigned long long)e.rx_replay_dup, (unsigned long long)e.rx_replay_old,
		 (unsigned long long)e.rx_auth, (unsigned long long)e.rx_bad_len,
		 (unsigned long long)e.rx_bad_pad, (unsigned long long)t.pool_empty,
		 (unsigned long long)t.tx_stream, (unsigned long long)t.rx_stream,
		 (unsigned long long)t.tx_stream_err, (unsigned long long)t.rx_echo,
		 (unsigned long long)t.rx_echo_drop);
}

void gw_dp_free(struct gw_dp *dp)
{
	if (!dp)
		return;
	if (dp->t)
		tunnel_free(dp->t);
	if (dp->raw_fd >= 0)
		close(dp->raw_fd); /* the tunnel's poll is closed by then: only the fd */
	if (dp->routes) {
		net_routes_undo_all(dp->routes);
		net_routes_free(dp->routes);
	}
	if (dp->tun)
		net_tun_close(dp->tun);
	free(dp);
}
