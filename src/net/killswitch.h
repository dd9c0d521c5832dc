/* The kill switch: while connecting and after a drop, nothing leaves the
 * host except IKE and ESP to the gateway, loopback, DHCP (and IPv6
 * neighbour discovery), and the TUN.
 *
 * Linux (killswitch_linux.c): an nftables table of its own, `inet petrel`,
 * loaded atomically by the nft binary (posix_spawn, argv array, the ruleset
 * on stdin): base chains on the input, output and forward hooks with policy
 * drop. Loading replaces the table in one transaction, so there is no gap
 * while it is updated (a new gateway address after a network change).
 * Removing it deletes the table. No nft: -ENOTSUP with a clear message.
 * macOS (killswitch_darwin.c): a pf anchor loaded with pfctl.
 *
 * Allowed to and from each gateway address: UDP to the IKE port 500 and the
 * NAT-T port 4500 (and the gateway's own port when another), TCP to 4500
 * (RFC 9329) or that port, and raw ESP (IP protocol 50). */
#ifndef PETREL_NET_KILLSWITCH_H
#define PETREL_NET_KILLSWITCH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define NET_KS_TABLE "petrel"           /* nft: table inet petrel */
#define NET_KS_RULES_MAX (8u * 1024u)   /* the rendered ruleset */

struct net_ks_cfg {
	const struct sockaddr_storage *gateways;  /* ports: 0 = 4500 */
	size_t n_gateways;                        /* 1..PT_NET_KS_GATEWAYS_MAX */
	const char *tun_ifname;                   /* NULL while connecting (no TUN yet) */
	int allow_dhcp;                           /* DHCPv4/v6 clients (usually 1) */
	const char *tool;                         /* nft / pfctl path; NULL: searched */
};

/* The ruleset text (nft on Linux, pf on macOS); pure. 0, -EINVAL, -ENOBUFS. */
int net_ks_render(const struct net_ks_cfg *cfg, char *out, size_t cap, size_t *len);
/* Load (or atomically replace) the rules. 0, -ENOTSUP (no nft/pfctl), -EIO
 * (the tool refused; its message is logged), or another negative errno. */
int net_ks_enable(const struct net_ks_cfg *cfg);
/* Remove the rules; 0 also when they were not there. */
int net_ks_disable(const char *tool);
/* 1 when our table/anchor is loaded, 0 when not, or a negative errno. */
int net_ks_active(const char *tool);

#endif
