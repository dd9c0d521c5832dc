/* A small rtnetlink layer of petrel's own (no libnl): bounded message
 * building, bounded parsing, and one request/answer exchange at a time.
 *
 * The builders and parsers are pure (hand-made byte buffers test them, see
 * tests/unit/test_net_nl.c); nl_sock_* does the I/O. Netlink is host byte
 * order and the kernel's own structs, but even so a reply is decoded field
 * by field through memcpy, each length checked against what is left. */
#ifndef PETREL_NET_NL_LINUX_H
#define PETREL_NET_NL_LINUX_H

#include <stddef.h>
#include <stdint.h>

#include "net/route.h"

#define NL_EXTACK_MAX 128 /* the kernel's error text (NLMSGERR_ATTR_MSG), cut */

/* A request being built: sticky error like struct wb. */
struct nl_buf {
	uint8_t *p;
	size_t cap;
	size_t len;
	int err;
};

void nl_msg_init(struct nl_buf *b, void *mem, size_t cap, uint16_t type, uint16_t flags,
		 uint32_t seq);
/* Append a fixed header (rtmsg, ifaddrmsg), padded to NLMSG_ALIGNTO. */
int nl_msg_put(struct nl_buf *b, const void *data, size_t len);
int nl_msg_attr(struct nl_buf *b, uint16_t type, const void *data, size_t len);
int nl_msg_attr_u32(struct nl_buf *b, uint16_t type, uint32_t v);
/* Patch nlmsg_len; 0 or the sticky error. */
int nl_msg_end(struct nl_buf *b);

/* RTM_NEWROUTE/RTM_DELROUTE for a route, RTM_NEWADDR/RTM_DELADDR for an
 * address (new: create, exclusive, ack). 0, -EINVAL or -ENOBUFS. */
int nl_build_change(struct nl_buf *b, const struct net_route *r, int add, uint32_t seq);
/* RTM_GETROUTE for one host address. */
int nl_build_getroute(struct nl_buf *b, const struct net_prefix *dst, uint32_t seq);
/* RTM_GETROUTE with NLM_F_DUMP: every route of one family, all tables. */
int nl_build_dumproute(struct nl_buf *b, uint8_t family, uint32_t seq);

/* One message in a datagram: header fields and the payload after it. */
struct nl_msg_view {
	uint16_t type;
	uint16_t flags;
	uint32_t seq;
	uint32_t pid;
	const uint8_t *payload;
	size_t payload_len;
};
/* The message at *off, then *off moves past it (aligned). 1 when one was
 * read, 0 at the end, -EBADMSG when a length is out of bounds. */
int nl_next(const uint8_t *buf, size_t len, size_t *off, struct nl_msg_view *m);
/* NLMSG_ERROR payload: *err = 0 (an ack) or a negative errno, and the
 * kernel's extended-ack text when there is one. 0 or -EBADMSG. */
int nl_parse_error(const struct nl_msg_view *m, int *err, char *text, size_t text_len);
/* RTM_NEWROUTE/RTM_DELROUTE payload (an answer to RTM_GETROUTE, or news): family, destination,
 * gateway, output interface. RTA_VIA (a next hop of another family) and
 * RTA_MULTIPATH are -ENOTSUP. 0 or -EBADMSG. */
int nl_parse_route(const struct nl_msg_view *m, struct net_route *out, uint8_t *rtm_type);

/* What choosing among the routes of a dump needs beyond struct net_route. */
struct nl_route_meta {
	uint32_t table;           /* RTA_TABLE when present (ids above 255), else rtm_table */
	uint32_t priority;        /* RTA_PRIORITY, the metric; 0 when absent */
	uint32_t flags;           /* rtm_flags: RTNH_F_DEAD, RTNH_F_LINKDOWN of a single next hop */
	uint8_t protocol;         /* rtm_protocol: NET_ROUTE_PROTO for petrel's own */
	uint8_t type;             /* rtm_type: RTN_UNICAST, RTN_BLACKHOLE... */
	uint8_t src_len;          /* rtm_src_len: nonzero for a source-specific route */
	uint8_t tos;
	const uint8_t *multipath; /* the RTA_MULTIPATH body (struct rtnexthop list), or NULL */
	size_t multipath_len;
};
/* nl_parse_route plus the fields above. A multipath route is not refused:
 * its next hops are left in meta->multipath (out has no ifindex or gateway).
 * RTA_VIA is -ENOTSUP; 0 or -EBADMSG. */
int nl_parse_route_meta(const struct nl_msg_view *m, struct net_route *out,
			struct nl_route_meta *meta);

/* The route the main table holds to one address when some routes do not
 * count: longest prefix among the unicast routes of RT_TABLE_MAIN of the
 * address's family, ties to the lowest metric, then to the first seen.
 * Not counted: routes through exclude_ifindex, petrel's own (rtm_protocol
 * NET_ROUTE_PROTO), source- or TOS-specific routes, next hops the kernel
 * marks dead or link-down, and what struct net_route cannot hold (RTA_VIA).
 * Of a multipath route, the first next hop that counts. Pure: messages from
 * an RTM_GETROUTE dump are offered one at a time. */
struct nl_route_pick {
	struct net_prefix dst;    /* a host address */
	unsigned exclude_ifindex; /* 0: none */
	int found;
	uint32_t priority;        /* best's metric */
	struct net_route best;    /* dst is the matching route's prefix */
};
void nl_route_pick_init(struct nl_route_pick *p, const struct net_prefix *dst,
			unsigned exclude_ifindex);
/* 1 when m became the best so far, 0 when it does not count or is not
 * better (any other message type included), -EBADMSG when malformed. */
int nl_route_pick_offer(struct nl_route_pick *p, const struct nl_msg_view *m);

/* ---- I/O */
struct nl_sock {
	int fd;
	uint32_t seq;
};
/* NETLINK_ROUTE, close-on-exec, extended acks on, 3 s receive timeout;
 * `groups` (RTMGRP_*) for a monitor, 0 for requests. */
int nl_sock_open(struct nl_sock *s, uint32_t groups, int nonblock);
void nl_sock_close(struct nl_sock *s);
/* Send one request (its seq must be s->seq) and wait for its answer. With
 * `route`, an RTM_NEWROUTE answer is parsed into it (and its rtm_type); otherwise an ack is
 * awaited. Returns 0 or the kernel's negative errno; its text goes to
 * `text` when non-NULL. Messages from anyone but the kernel are ignored. */
int nl_sock_talk(struct nl_sock *s, struct nl_buf *req, struct net_route *route,
		 uint8_t *rtm_type, char *text, size_t text_len);
/* Datagrams one dump may take before it is given up (-E2BIG): far more
 * than the routes of any host that is not a full-table router. */
#define NL_DUMP_DATAGRAMS_MAX 4096u
/* Send one NLM_F_DUMP request (its seq must be s->seq) and call `fn` for
 * each message of the answer until NLMSG_DONE. Returns 0 at the end, the
 * kernel's negative errno (NLMSG_ERROR, or an error in NLMSG_DONE), fn's
 * negative return (which stops the dump), -EAGAIN when the kernel flagged
 * the dump inconsistent (NLM_F_DUMP_INTR: the table changed meanwhile; ask
 * again), -E2BIG after NL_DUMP_DATAGRAMS_MAX, or -ETIMEDOUT. After an
 * error the rest of the dump may still be queued: close the socket. */
typedef int (*nl_dump_fn)(void *ctx, const struct nl_msg_view *m);
int nl_sock_dump(struct nl_sock *s, struct nl_buf *req, nl_dump_fn fn, void *ctx, char *text,
		 size_t text_len);

#endif
