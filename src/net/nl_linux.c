/* rtnetlink: building, parsing, one exchange at a time (nl_linux.h). */
#include "net/nl_linux.h"

#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "base/limits.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

static size_t fam_len(uint8_t family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

void nl_msg_init(struct nl_buf *b, void *mem, size_t cap, uint16_t type, uint16_t flags,
		 uint32_t seq)
{
	struct nlmsghdr h;

	b->p = mem;
	b->cap = cap;
	b->len = 0;
	b->err = 0;
	if (cap < NLMSG_HDRLEN) {
		b->err = -ENOBUFS;
		return;
	}
	memset(mem, 0, NLMSG_HDRLEN);
	memset(&h, 0, sizeof(h));
	h.nlmsg_type = type;
	h.nlmsg_flags = flags;
	h.nlmsg_seq = seq;
	memcpy(b->p, &h, sizeof(h));
	b->len = NLMSG_HDRLEN;
}

int nl_msg_put(struct nl_buf *b, const void *data, size_t len)
{
	size_t al = NLMSG_ALIGN(len);

	if (b->err)
		return b->err;
	if (al < len || al > b->cap - b->len)
		return b->err = -ENOBUFS;
	memcpy(b->p + b->len, data, len);
	memset(b->p + b->len + len, 0, al - len);
	b->len += al;
	return 0;
}

int nl_msg_attr(struct nl_buf *b, uint16_t type, const void *data, size_t len)
{
	struct rtattr a;
	size_t al = RTA_ALIGN(RTA_LENGTH(len));

	if (b->err)
		return b->err;
	if (len > 0xffff - RTA_LENGTH(0) || al > b->cap - b->len)
		return b->err = -ENOBUFS;
	a.rta_len = (unsigned short)RTA_LENGTH(len);
	a.rta_type = type;
	memset(b->p + b->len, 0, al);
	memcpy(b->p + b->len, &a, sizeof(a));
	if (len)
		memcpy(b->p + b->len + RTA_LENGTH(0), data, len);
	b->len += al;
	return 0;
}

int nl_msg_attr_u32(struct nl_buf *b, uint16_t type, uint32_t v)
{
	return nl_msg_attr(b, type, &v, sizeof(v));
}

int nl_msg_end(struct nl_buf *b)
{
	uint32_t len = (uint32_t)b->len;

	if (b->err)
		return b->err;
	memcpy(b->p + offsetof(struct nlmsghdr, nlmsg_len), &len, sizeof(len));
	return 0;
}

int nl_build_change(struct nl_buf *b, const struct net_route *r, int add, uint32_t seq)
{
	size_t alen = fam_len(r->dst.family);
	uint16_t flags = NLM_F_REQUEST | NLM_F_ACK | (add ? NLM_F_CREATE | NLM_F_EXCL : 0);

	if (!alen || r->dst.len > alen * 8 || !r->ifindex)
		return -EINVAL;
	if (r->kind == NET_ROUTE_ADDR) {
		struct ifaddrmsg ifa;

		memset(&ifa, 0, sizeof(ifa));
		ifa.ifa_family = r->dst.family;
		ifa.ifa_prefixlen = r->dst.len;
		/* no DAD on a point-to-point TUN: the address is ours at once */
		ifa.ifa_flags = r->dst.family == AF_INET6 ? IFA_F_NODAD : 0;
		ifa.ifa_scope = RT_SCOPE_UNIVERSE;
		ifa.ifa_index = r->ifindex;
		nl_msg_init(b, b->p, b->cap, add ? RTM_NEWADDR : RTM_DELADDR, flags, seq);
		nl_msg_put(b, &ifa, sizeof(ifa));
		nl_msg_attr(b, IFA_LOCAL, r->dst.addr, alen);
		nl_msg_attr(b, IFA_ADDRESS, r->dst.addr, alen);
		return nl_msg_end(b);
	}
	if (r->kind != NET_ROUTE_ROUTE)
		return -EINVAL;
	struct rtmsg rt;
	memset(&rt, 0, sizeof(rt));
	rt.rtm_family = r->dst.family;
	rt.rtm_dst_len = r->dst.len;
	rt.rtm_table = RT_TABLE_MAIN;
	rt.rtm_protocol = NET_ROUTE_PROTO;
	rt.rtm_scope = r->has_gw || r->dst.family == AF_INET6 ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	rt.rtm_type = RTN_UNICAST;
	nl_msg_init(b, b->p, b->cap, add ? RTM_NEWROUTE : RTM_DELROUTE, flags, seq);
	nl_msg_put(b, &rt, sizeof(rt));
	if (r->dst.len)
		nl_msg_attr(b, RTA_DST, r->dst.addr, alen);
	if (r->has_gw)
		nl_msg_attr(b, RTA_GATEWAY, r->gw, alen);
	nl_msg_attr_u32(b, RTA_OIF, r->ifindex);
	return nl_msg_end(b);
}

int nl_build_getroute(struct nl_buf *b, const struct net_prefix *dst, uint32_t seq)
{
	size_t alen = fam_len(dst->family);
	struct rtmsg rt;

	if (!alen)
		return -EINVAL;
	memset(&rt, 0, sizeof(rt));
	rt.rtm_family = dst->family;
	rt.rtm_dst_len = (unsigned char)(alen * 8);
	nl_msg_init(b, b->p, b->cap, RTM_GETROUTE, NLM_F_REQUEST, seq);
	nl_msg_put(b, &rt, sizeof(rt));
	nl_msg_attr(b, RTA_DST, dst->addr, alen);
	return nl_msg_end(b);
}

int nl_build_dumproute(struct nl_buf *b, uint8_t family, uint32_t seq)
{
	struct rtmsg rt;

	if (!fam_len(family))
		return -EINVAL;
	memset(&rt, 0, sizeof(rt));
	rt.rtm_family = family;
	nl_msg_init(b, b->p, b->cap, RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, seq);
	nl_msg_put(b, &rt, sizeof(rt));
	return nl_msg_end(b);
}

int nl_next(const uint8_t *buf, size_t len, size_t *off, struct nl_msg_view *m)
{
	struct nlmsghdr h;

	if (*off >= len)
		return 0;
	if (len - *off < sizeof(h))
		return -EBADMSG;
	memcpy(&h, buf + *off, sizeof(h));
	if (h.nlmsg_len < NLMSG_HDRLEN || h.nlmsg_len > len - *off)
		return -EBADMSG;
	m->type = h.nlmsg_type;
	m->flags = h.nlmsg_flags;
	m->seq = h.nlmsg_seq;
	m->pid = h.nlmsg_pid;
	m->payload = buf + *off + NLMSG_HDRLEN;
	m->payload_len = h.nlmsg_len - NLMSG_HDRLEN;
	/* the last message may lack its alignment padding */
	size_t step = NLMSG_ALIGN(h.nlmsg_len);
	*off = step > len - *off ? len : *off + step;
	return 1;
}

/* Attributes in p[0..len): calls back per attribute; -EBADMSG on a bad length. */
static int attr_walk(const uint8_t *p, size_t len, int (*fn)(void *ctx, uint16_t type,
							    const uint8_t *d, size_t dl),
		     void *ctx)
{
	size_t off = 0;

	while (len - off >= sizeof(struct rtattr)) {
		struct rtattr a;
		int rc;

		memcpy(&a, p + off, sizeof(a));
		if (a.rta_len < sizeof(a) || a.rta_len > len - off)
			return -EBADMSG;
		if ((rc = fn(ctx, a.rta_type, p + off + RTA_LENGTH(0), a.rta_len - RTA_LENGTH(0))) < 0)
			return rc;
		size_t step = RTA_ALIGN(a.rta_len);
		off = step > len - off ? len : off + step;
	}
	return 0;
}

struct extack_ctx {
	char *text;
	size_t text_len;
};

static int extack_attr(void *ctx, uint16_t type, const uint8_t *d, size_t dl)
{
	struct extack_ctx *c = ctx;

	if (type == 1 /* NLMSGERR_ATTR_MSG */ && c->text && c->text_len) {
		size_t n = strnlen((const char *)d, dl);
		if (n >= c->text_len)
			n = c->text_len - 1;
		memcpy(c->text, d, n);
		c->text[n] = '\0';
	}
	return 0;
}

int nl_parse_error(const struct nl_msg_view *m, int *err, char *text, size_t text_len)
{
	struct nlmsgerr e;
	struct nlmsghdr orig;
	size_t skip;

	if (text && text_len)
		text[0] = '\0';
	if (m->type != NLMSG_ERROR || m->payload_len < sizeof(e))
		return -EBADMSG;
	memcpy(&e, m->payload, sizeof(e));
	if (e.error > 0 || e.error < -4095)
		return -EBADMSG;
	*err = e.error;
	if (!(m->flags & NLM_F_ACK_TLVS))
		return 0;
	/* the request's header follows, and its payload unless capped */
	skip = sizeof(e);
	if (!(m->flags & NLM_F_CAPPED)) {
		memcpy(&orig, &e.msg, sizeof(orig));
		if (orig.nlmsg_len < NLMSG_HDRLEN)
			return -EBADMSG;
		skip = sizeof(e) - sizeof(orig) + NLMSG_ALIGN(orig.nlmsg_len);
	}
	if (skip > m->payload_len)
		return -EBADMSG;
	struct extack_ctx c = { text, text_len };
	return attr_walk(m->payload + skip, m->payload_len - skip, extack_attr, &c);
}

struct route_ctx {
	struct net_route *r;
	struct nl_route_meta *meta;
	size_t alen;
	int bad;
};

static int metric_attr(void *ctx, uint16_t type, const uint8_t *d, size_t dl)
{
	struct route_ctx *c = ctx;
	uint32_t v;

	if (type != RTAX_MTU)
		return 0;
	if (dl != sizeof(v))
		return -EBADMSG;
	memcpy(&v, d, sizeof(v));
	c->r->mtu = v;
	return 0;
}

static int route_attr(void *ctx, uint16_t type, const uint8_t *d, size_t dl)
{
	struct route_ctx *c = ctx;
	uint32_t v;

	switch (type) {
	case RTA_DST:
		if (dl != c->alen)
			return -EBADMSG;
		memcpy(c->r->dst.addr, d, dl);
		break;
	case RTA_GATEWAY:
		if (dl != c->alen)
			return -EBADMSG;
		memcpy(c->r->gw, d, dl);
		c->r->has_gw = 1;
		break;
	case RTA_OIF:
		if (dl != sizeof(v))
			return -EBADMSG;
		memcpy(&v, d, sizeof(v));
		c->r->ifindex = v;
		break;
	case RTA_METRICS:
		/* nested RTAX_* attributes; a malformed nest is malformed */
		return attr_walk(d, dl, metric_attr, c);
	case RTA_TABLE:
		if (dl != sizeof(v))
			return -EBADMSG;
		memcpy(&v, d, sizeof(v));
		c->meta->table = v;
		break;
	case RTA_PRIORITY:
		if (dl != sizeof(v))
			return -EBADMSG;
		memcpy(&v, d, sizeof(v));
		c->meta->priority = v;
		break;
	case RTA_MULTIPATH:
		c->meta->multipath = d;
		c->meta->multipath_len = dl;
		break;
	case RTA_VIA:
		c->bad = 1;
		break;
	default:
		break;
	}
	return 0;
}

int nl_parse_route_meta(const struct nl_msg_view *m, struct net_route *out,
			struct nl_route_meta *meta)
{
	struct rtmsg rt;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(meta, 0, sizeof(*meta));
	if ((m->type != RTM_NEWROUTE && m->type != RTM_DELROUTE) || m->payload_len < sizeof(rt))
		return -EBADMSG;
	memcpy(&rt, m->payload, sizeof(rt));
	struct route_ctx c = { out, meta, fam_len(rt.rtm_family), 0 };
	if (!c.alen || rt.rtm_dst_len > c.alen * 8)
		return -EBADMSG;
	out->kind = NET_ROUTE_ROUTE;
	out->dst.family = rt.rtm_family;
	out->dst.len = rt.rtm_dst_len;
	meta->table = rt.rtm_table;
	meta->flags = rt.rtm_flags;
	meta->protocol = rt.rtm_protocol;
	meta->type = rt.rtm_type;
	meta->src_len = rt.rtm_src_len;
	meta->tos = rt.rtm_tos;
	size_t hl = NLMSG_ALIGN(sizeof(rt));
	if (hl > m->payload_len)
		hl = m->payload_len;
	if ((rc = attr_walk(m->payload + hl, m->payload_len - hl, route_attr, &c)) < 0)
		return rc;
	return c.bad ? -ENOTSUP : 0;
}

int nl_parse_route(const struct nl_msg_view *m, struct net_route *out, uint8_t *rtm_type)
{
	struct nl_route_meta meta;
	int rc = nl_parse_route_meta(m, out, &meta);

	if (rtm_type)
		*rtm_type = meta.type;
	if (rc == 0 && meta.multipath)
		rc = -ENOTSUP;
	return rc;
}

/* ---- choosing among the routes of a dump */

void nl_route_pick_init(struct nl_route_pick *p, const struct net_prefix *dst,
			unsigned exclude_ifindex)
{
	memset(p, 0, sizeof(*p));
	p->dst = *dst;
	p->exclude_ifindex = exclude_ifindex;
}

static int hop_counts(const struct nl_route_pick *p, unsigned ifindex, uint32_t flags)
{
	return ifindex && ifindex != p->exclude_ifindex &&
	       !(flags & (RTNH_F_DEAD | RTNH_F_LINKDOWN));
}

struct hop_ctx {
	struct net_route *r;
	size_t alen;
	int via;
};

static int hop_attr(void *ctx, uint16_t type, const uint8_t *d, size_t dl)
{
	struct hop_ctx *c = ctx;

	if (type == RTA_VIA)
		c->via = 1;
	if (type != RTA_GATEWAY)
		return 0;
	if (dl != c->alen)
		return -EBADMSG;
	memcpy(c->r->gw, d, dl);
	c->r->has_gw = 1;
	return 0;
}

/* RTA_MULTIPATH: struct rtnexthop, each followed by its own attributes
 * (RTA_GATEWAY). The first next hop that counts goes into r: 1, else 0. */
static int hop_pick(const struct nl_route_pick *p, const uint8_t *mp, size_t len,
		    struct net_route *r)
{
	size_t off = 0;

	while (len - off >= sizeof(struct rtnexthop)) {
		struct rtnexthop nh;
		int rc;

		memcpy(&nh, mp + off, sizeof(nh));
		if (nh.rtnh_len < sizeof(nh) || nh.rtnh_len > len - off)
			return -EBADMSG;
		struct hop_ctx c = { r, fam_len(r->dst.family), 0 };
		r->has_gw = 0;
		memset(r->gw, 0, sizeof(r->gw));
		/* RTNH_LENGTH(0) is sizeof(nh) aligned: 8, within rtnh_len */
		if ((rc = attr_walk(mp + off + RTNH_LENGTH(0), nh.rtnh_len - RTNH_LENGTH(0), hop_attr,
				    &c)) < 0)
			return rc;
		if (!c.via && hop_counts(p, (unsigned)nh.rtnh_ifindex, nh.rtnh_flags)) {
			r->ifindex = (unsigned)nh.rtnh_ifindex;
			return 1;
		}
		size_t step = RTNH_ALIGN(nh.rtnh_len);
		off = step > len - off ? len : off + step;
	}
	r->has_gw = 0;
	memset(r->gw, 0, sizeof(r->gw));
	return 0;
}

int nl_route_pick_offer(struct nl_route_pick *p, const struct nl_msg_view *m)
{
	struct nl_route_meta meta;
	struct net_route r;
	int rc;

	if (m->type != RTM_NEWROUTE)
		return 0;
	rc = nl_parse_route_meta(m, &r, &meta);
	if (rc == -ENOTSUP)
		return 0; /* RTA_VIA: a next hop of another family */
	if (rc < 0)
		return rc;
	if (r.dst.family != p->dst.family || meta.table != RT_TABLE_MAIN ||
	    meta.protocol == NET_ROUTE_PROTO || meta.type != RTN_UNICAST || meta.src_len ||
	    meta.tos || !net_prefix_contains(&r.dst, &p->dst))
		return 0;
	if (p->found && (r.dst.len < p->best.dst.len ||
			 (r.dst.len == p->best.dst.len && meta.priority >= p->priority)))
		return 0;
	if (meta.multipath) {
		if ((rc = hop_pick(p, meta.multipath, meta.multipath_len, &r)) <= 0)
			return rc;
	} else if (!hop_counts(p, r.ifindex, meta.flags)) {
		return 0;
	}
	p->found = 1;
	p->priority = meta.priority;
	p->best = r;
	return 1;
}

/* ---- I/O */

int nl_sock_open(struct nl_sock *s, uint32_t groups, int nonblock)
{
	struct sockaddr_nl sa;
	struct timeval tv = { .tv_sec = 3 };
	int one = 1;

	s->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0),
		       NETLINK_ROUTE);
	if (s->fd < 0)
		return -errno;
	s->seq = (uint32_t)getpid() << 8;
	/* best effort: older kernels answer without the text */
	setsockopt(s->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(s->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	if (!nonblock)
		setsockopt(s->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	sa.nl_groups = groups;
	if (bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int rc = -errno;
		close(s->fd);
		s->fd = -1;
		return rc;
	}
	return 0;
}

void nl_sock_close(struct nl_sock *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

static int send_req(struct nl_sock *s, const struct nl_buf *req)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };

	if (req->err)
		return req->err;
	for (;;) {
		ssize_t w = sendto(s->fd, req->p, req->len, 0, (struct sockaddr *)&kernel,
				   sizeof(kernel));
		if (w >= 0)
			return 0;
		if (errno != EINTR)
			return -errno;
	}
}

/* Per message of our seq: 0 to read on, 1 when done, or a negative errno. */
typedef int (*recv_fn)(void *ctx, const struct nl_msg_view *m);

/* Read the kernel's datagrams, handing the messages of `seq` to fn: 0 once
 * fn says done, fn's error, or `exhausted` after `rounds` datagrams. */
static int recv_seq(struct nl_sock *s, uint32_t seq, unsigned rounds, int exhausted, recv_fn fn,
		    void *ctx)
{
	uint8_t *buf;
	int rc = exhausted;

	if (!(buf = malloc(PT_NET_NL_BUF_LEN)))
		return -ENOMEM;
	for (unsigned round = 0; round < rounds; round++) {
		struct sockaddr_nl from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(s->fd, buf, PT_NET_NL_BUF_LEN, MSG_TRUNC, (struct sockaddr *)&from,
				     &fl);
		struct nl_msg_view m;
		size_t off = 0;
		int more;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
			goto out;
		}
		if ((size_t)n > PT_NET_NL_BUF_LEN) {
			rc = -EMSGSIZE;
			goto out;
		}
		if (fl != sizeof(from) || from.nl_pid != 0)
			continue; /* not the kernel */
		while ((more = nl_next(buf, (size_t)n, &off, &m)) == 1) {
			if (m.seq != seq)
				continue;
			if ((rc = fn(ctx, &m)) != 0) {
				rc = rc > 0 ? 0 : rc;
				goto out;
			}
		}
		if (more < 0) {
			rc = more;
			goto out;
		}
		rc = exhausted;
	}
out:
	free(buf);
	return rc;
}

struct talk_ctx {
	struct net_route *route;
	uint8_t *rtm_type;
	char *text;
	size_t text_len;
	int rc;
};

static int talk_msg(void *ctx, const struct nl_msg_view *m)
{
	struct talk_ctx *t = ctx;
	int err, rc;

	if (m->type == NLMSG_ERROR) {
		if ((rc = nl_parse_error(m, &err, t->text, t->text_len)) < 0)
			return rc;
		t->rc = err;
		return 1;
	}
	if (t->route && m->type == RTM_NEWROUTE) {
		t->rc = nl_parse_route(m, t->route, t->rtm_type);
		return 1;
	}
	return 0;
}

int nl_sock_talk(struct nl_sock *s, struct nl_buf *req, struct net_route *route,
		 uint8_t *rtm_type, char *text, size_t text_len)
{
	struct talk_ctx t = { route, rtm_type, text, text_len, 0 };
	int rc;

	if (text && text_len)
		text[0] = '\0';
	if ((rc = send_req(s, req)) < 0)
		return rc;
	/* bounded: a few stray messages at most before ours */
	if ((rc = recv_seq(s, s->seq, 64, -ETIMEDOUT, talk_msg, &t)) < 0)
		return rc;
	return t.rc;
}

struct dump_ctx {
	nl_dump_fn fn;
	void *ctx;
	char *text;
	size_t text_len;
	int intr;
};

static int dump_msg(void *ctx, const struct nl_msg_view *m)
{
	struct dump_ctx *d = ctx;
	int32_t done;
	int err, rc;

	if (m->flags & NLM_F_DUMP_INTR)
		d->intr = 1;
	switch (m->type) {
	case NLMSG_ERROR:
		if ((rc = nl_parse_error(m, &err, d->text, d->text_len)) < 0)
			return rc;
		return err < 0 ? err : 1;
	case NLMSG_DONE:
		/* its payload: the dump's own result, 0 or a negative errno */
		if (m->payload_len >= sizeof(done)) {
			memcpy(&done, m->payload, sizeof(done));
			if (done < 0 && done >= -4095)
				return done;
		}
		return 1;
	case NLMSG_NOOP:
		return 0;
	default:
		rc = d->fn(d->ctx, m);
		return rc < 0 ? rc : 0;
	}
}

int nl_sock_dump(struct nl_sock *s, struct nl_buf *req, nl_dump_fn fn, void *ctx, char *text,
		 size_t text_len)
{
	struct dump_ctx d = { fn, ctx, text, text_len, 0 };
	int rc;

	if (text && text_len)
		text[0] = '\0';
	if ((rc = send_req(s, req)) < 0)
		return rc;
	if ((rc = recv_seq(s, s->seq, NL_DUMP_DATAGRAMS_MAX, -E2BIG, dump_msg, &d)) < 0)
		return rc;
	return d.intr ? -EAGAIN : 0;
}
