/* petrel-gw's data path: one TUN for all clients, the ESP data path of
 * src/tunnel, and a host route per client's virtual address via the TUN. */
#ifndef PETREL_GW_DP_H
#define PETREL_GW_DP_H

#include <sys/socket.h>

#include <uv.h>

#include "conf/conf.h"
#include "ike/ike.h"

struct gw_dp;

/* Open the TUN named in c->tun with c->tun_addrs on it; udp_fd is the
 * NAT-T socket ESP leaves from. */
int gw_dp_new(uv_loop_t *loop, const struct conf_gw *c, int udp_fd,
	      const struct ike_codepoints *cp, struct gw_dp **out);
/* encap: ESP in UDP (a NAT between us, RFC 3948) or raw IP protocol 50. */
/* A client's Child SA (peer: where its ESP goes, UDP 4500 or its NAT's
 * port); the client's virtual addresses get host routes via the TUN. */
int gw_dp_child_up(struct gw_dp *dp, const struct ike_child *c, const struct sockaddr *peer,
		   int encap);
void gw_dp_child_down(struct gw_dp *dp, const struct ike_child *c);
/* The client moved (MOBIKE): its Child SA's ESP goes to peer, in UDP or not. */
void gw_dp_child_move(struct gw_dp *dp, uint32_t spi_in, const struct sockaddr *peer, int encap);
/* The client's addresses are gone (its IKE SA ended). */
void gw_dp_client_gone(struct gw_dp *dp, int has_v4, const uint8_t v4[4], int has_v6,
		       const uint8_t v6[16]);
void gw_dp_input(struct gw_dp *dp, const uint8_t *pkt, size_t len, const struct sockaddr *from);
/* ESP from a client's TCP stream (RFC 9329); the Child SA's ESP then
 * follows it into that stream, and back to UDP when the client's does. */
struct tcpconn;
void gw_dp_input_stream(struct gw_dp *dp, const uint8_t *pkt, size_t len, struct tcpconn *s);
/* The stream closed: its Child SAs go back to UDP or raw ESP. */
void gw_dp_stream_gone(struct gw_dp *dp, struct tcpconn *s);
/* A Child SA's ESP: into stream s (NULL: left as it is); ESP Echo on or off. */
void gw_dp_child_path(struct gw_dp *dp, uint32_t spi_in, struct tcpconn *s, int echo);
/* One log line with the data path's counters (SIGUSR1). */
void gw_dp_log_stats(const struct gw_dp *dp);
/* Remove the routes and addresses, close the TUN. */
void gw_dp_free(struct gw_dp *dp);

#endif
