/* The network-change monitor, for roaming (PRODUCT.md item 8): tells the
 * caller that links, addresses or routes changed, so it can re-probe ESP,
 * re-open TCP or resume the IKE SA.
 *
 * Linux: an rtnetlink socket subscribed to RTMGRP_LINK, RTMGRP_IPV4_IFADDR,
 * RTMGRP_IPV6_IFADDR, RTMGRP_IPV4_ROUTE and RTMGRP_IPV6_ROUTE. macOS: a
 * PF_ROUTE socket (RTM_IFINFO, RTM_NEWADDR, RTM_DELADDR, RTM_ADD,
 * RTM_DELETE, RTM_CHANGE). Changes on our own TUN and the routes petrel
 * installed (Linux: rtm_protocol NET_ROUTE_PROTO) are ignored.
 *
 * The fd is non-blocking for the caller's loop. net_netmon_read() drains at
 * most PT_NET_NETMON_MSGS_MAX messages per call and ORs what changed into
 * *events; coalescing is the caller's: on the first event arm a short timer
 * (a few hundred ms), keep reading, and act once when it fires. A receive
 * overrun (ENOBUFS) reports NET_NETMON_RESYNC: something changed, look
 * again. */
#ifndef PETREL_NET_NETMON_H
#define PETREL_NET_NETMON_H

#include <stddef.h>
#include <stdint.h>

enum {
	NET_NETMON_LINK = 1u << 0,    /* a link came, went, went up or down */
	NET_NETMON_ADDR = 1u << 1,    /* an address was added or removed */
	NET_NETMON_ROUTE = 1u << 2,   /* a route was added or removed */
	NET_NETMON_RESYNC = 1u << 3,  /* messages were lost: assume anything */
};

struct net_netmon;

int net_netmon_open(struct net_netmon **out);
int net_netmon_fd(const struct net_netmon *m);
/* Ignore changes on this interface (the TUN); 0 to stop ignoring. */
void net_netmon_ignore_ifindex(struct net_netmon *m, unsigned ifindex);
/* 0 (with *events, possibly 0) or a negative errno. */
int net_netmon_read(struct net_netmon *m, unsigned *events);
void net_netmon_close(struct net_netmon *m);

/* Pure: what one received datagram says (platform message format). */
unsigned net_netmon_classify(const uint8_t *buf, size_t len, unsigned ignore_ifindex);

#endif
