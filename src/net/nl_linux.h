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

#endif
