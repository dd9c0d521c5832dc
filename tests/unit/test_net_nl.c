/* src/net/nl_linux: rtnetlink requests built byte for byte, and answers
 * parsed from hand-made buffers: acks, errors with the kernel's extended-ack
 * text, RTM_GETROUTE answers, and lengths that lie; the route chosen from a
 * dump outside the tunnel (longest prefix, then metric; the TUN, petrel's
 * own routes, other tables and types, dead next hops not counted). Also
 * the network monitor's classification of multicast messages. Netlink is
 * host byte order: the buffers below are little-endian, so a big-endian
 * host skips. */
#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdint.h>
#include <string.h>

#include "net/netmon.h"
#include "net/nl_linux.h"
#include "test.h"

#define U16(v) (uint8_t)((v) & 0xff), (uint8_t)((v) >> 8)
#define U32(v) U16((v) & 0xffff), U16((unsigned)(v) >> 16)

static struct nl_msg_view one(const uint8_t *b, size_t len)
{
	struct nl_msg_view m;
	size_t off = 0;
	memset(&m, 0, sizeof(m));
	CHECK_EQ(nl_next(b, len, &off, &m), 1);
	return m;
}

static void test_build_route(void)
{
	static const uint8_t want[] = {
		U32(44), U16(RTM_NEWROUTE), U16(0x605), U32(42), U32(0),
		/* rtmsg: AF_INET, /1, src 0, tos 0, main, proto 158, scope link, unicast, flags */
		2, 1, 0, 0, 254, 158, 253, 1, U32(0),
		U16(8), U16(RTA_DST), 0, 0, 0, 0,
		U16(8), U16(RTA_OIF), U32(7),
	};
	struct net_route r;
	uint8_t mem[256];
	struct nl_buf b = { .p = mem, .cap = sizeof(mem) };

	memset(&r, 0, sizeof(r));
	r.kind = NET_ROUTE_ROUTE;
	CHECK_EQ(net_prefix_parse("0.0.0.0/1", &r.dst), 0);
	r.ifindex = 7;
	CHECK_EQ(nl_build_change(&b, &r, 1, 42), 0);
	CHECK_EQ(b.len, sizeof(want));
	CHECK_MEM(mem, want, sizeof(want));

	/* the delete: same body, RTM_DELROUTE, request|ack only */
	CHECK_EQ(nl_build_change(&b, &r, 0, 43), 0);
	CHECK_EQ(mem[4], RTM_DELROUTE);
	CHECK_EQ(mem[6], 0x05);
	CHECK_EQ(mem[7], 0x00);
	CHECK_MEM(mem + 16, want + 16, sizeof(want) - 16);

	/* a host route via a gateway: scope universe, RTA_GATEWAY */
	static const uint8_t want_gw[] = {
		U32(52), U16(RTM_NEWROUTE), U16(0x605), U32(9), U32(0),
		2, 32, 0, 0, 254, 158, 0, 1, U32(0),
		U16(8), U16(RTA_DST), 198, 51, 100, 1,
		U16(8), U16(RTA_GATEWAY), 192, 0, 2, 1,
		U16(8), U16(RTA_OIF), U32(3),
	};
	CHECK_EQ(net_prefix_parse("198.51.100.1", &r.dst), 0);
	r.has_gw = 1;
	r.gw[0] = 192, r.gw[1] = 0, r.gw[2] = 2, r.gw[3] = 1;
	r.ifindex = 3;
	CHECK_EQ(nl_build_change(&b, &r, 1, 9), 0);
	CHECK_EQ(b.len, sizeof(want_gw));
	CHECK_MEM(mem, want_gw, sizeof(want_gw));

	/* too small a buffer: the sticky error, never a write past it */
	struct nl_buf small = { .p = mem, .cap = 40 };
	CHECK_EQ(nl_build_change(&small, &r, 1, 9), -ENOBUFS);
	r.ifindex = 0;
	CHECK_EQ(nl_build_change(&b, &r, 1, 9), -EINVAL);
}

static void test_build_addr(void)
{
	static const uint8_t want[] = {
		U32(64), U16(RTM_NEWADDR), U16(0x605), U32(5), U32(0),
		/* ifaddrmsg: AF_INET6, /128, IFA_F_NODAD, universe, ifindex 12 */
		10, 128, 0x02, 0, U32(12),
		U16(20), U16(IFA_LOCAL), 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0a,
		U16(20), U16(IFA_ADDRESS), 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0a,
	};
	struct net_route r;
	uint8_t mem[256];
	struct nl_buf b = { .p = mem, .cap = sizeof(mem) };

	memset(&r, 0, sizeof(r));
	r.kind = NET_ROUTE_ADDR;
	CHECK_EQ(net_prefix_parse("2001:db8::a/128", &r.dst), 0);
	r.ifindex = 12;
	CHECK_EQ(nl_build_change(&b, &r, 1, 5), 0);
	CHECK_EQ(b.len, sizeof(want));
	CHECK_MEM(mem, want, sizeof(want));
}

static void test_build_getroute(void)
{
	static const uint8_t want[] = {
		U32(36), U16(RTM_GETROUTE), U16(NLM_F_REQUEST), U32(77), U32(0),
		2, 32, 0, 0, 0, 0, 0, 0, U32(0),
		U16(8), U16(RTA_DST), 198, 51, 100, 1,
	};
	struct net_prefix p;
	uint8_t mem[64];
	struct nl_buf b = { .p = mem, .cap = sizeof(mem) };

	CHECK_EQ(net_prefix_parse("198.51.100.1", &p), 0);
	CHECK_EQ(nl_build_getroute(&b, &p, 77), 0);
	CHECK_EQ(b.len, sizeof(want));
	CHECK_MEM(mem, want, sizeof(want));
}

static void test_parse_error(void)
{
	/* an ack: error 0, the request's header echoed (capped) */
	static const uint8_t ack[] = {
		U32(36), U16(NLMSG_ERROR), U16(NLM_F_CAPPED), U32(42), U32(0),
		U32(0), U32(44), U16(RTM_NEWROUTE), U16(0x605), U32(42), U32(1234),
	};
	/* EEXIST with "File exists" style text after the capped request */
	static const uint8_t err[] = {
		U32(36 + 20), U16(NLMSG_ERROR), U16(NLM_F_CAPPED | NLM_F_ACK_TLVS), U32(42), U32(0),
		U32((uint32_t)-EEXIST), U32(44), U16(RTM_NEWROUTE), U16(0x605), U32(42), U32(1234),
		U16(4 + 15), U16(1), 'N', 'e', 'x', 't', 'h', 'o', 'p', ' ', 'i', 's', ' ', 'b', 'a', 'd', 0, 0,
	};
	/* uncapped: the whole request follows before the attributes */
	static const uint8_t err_full[] = {
		U32(36 + 8 + 8), U16(NLMSG_ERROR), U16(NLM_F_ACK_TLVS), U32(1), U32(0),
		U32((uint32_t)-EINVAL), U32(24), U16(RTM_NEWROUTE), U16(5), U32(1), U32(0),
		0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x11, 0x22,
		U16(6), U16(1), 'x', 0, 0, 0,
	};
	char text[NL_EXTACK_MAX];
	int e = 99;

	struct nl_msg_view m = one(ack, sizeof(ack));
	CHECK_EQ(nl_parse_error(&m, &e, text, sizeof(text)), 0);
	CHECK_EQ(e, 0);
	CHECK_EQ(text[0], 0);

	m = one(err, sizeof(err));
	CHECK_EQ(nl_parse_error(&m, &e, text, sizeof(text)), 0);
	CHECK_EQ(e, -EEXIST);
	CHECK(strcmp(text, "Nexthop is bad") == 0);
	/* the text is cut to the caller's buffer */
	char small[5];
	CHECK_EQ(nl_parse_error(&m, &e, small, sizeof(small)), 0);
	CHECK(strcmp(small, "Next") == 0);

	m = one(err_full, sizeof(err_full));
	CHECK_EQ(nl_parse_error(&m, &e, text, sizeof(text)), 0);
	CHECK_EQ(e, -EINVAL);
	CHECK(strcmp(text, "x") == 0);

	/* lies: a positive error, a truncated body, an attribute past the end */
	uint8_t bad[sizeof(err)];
	memcpy(bad, err, sizeof(err));
	bad[16] = 1, bad[17] = bad[18] = bad[19] = 0; /* error = +1 */
	m = one(bad, sizeof(bad));
	CHECK_EQ(nl_parse_error(&m, &e, text, sizeof(text)), -EBADMSG);
	memcpy(bad, err, sizeof(err));
	bad[36] = 200; /* attribute length 200 */
	m = one(bad, sizeof(bad));
	CHECK_EQ(nl_parse_error(&m, &e, text, sizeof(text)), -EBADMSG);
	static const uint8_t runt[] = { U32(18), U16(NLMSG_ERROR), U16(0), U32(1), U32(0), 0, 0 };
	m = one(runt, sizeof(runt));
	CHECK_EQ(nl_parse_error(&m, &e, text, sizeof(text)), -EBADMSG);
}

static void test_next_bounds(void)
{
	static const uint8_t two[] = {
		U32(20), U16(NLMSG_DONE), U16(0), U32(1), U32(0), U32(0),
		U32(16), U16(NLMSG_NOOP), U16(0), U32(2), U32(0),
	};
	struct nl_msg_view m;
	size_t off = 0;

	CHECK_EQ(nl_next(two, sizeof(two), &off, &m), 1);
	CHECK_EQ(m.type, NLMSG_DONE);
	CHECK_EQ(m.payload_len, 4);
	CHECK_EQ(nl_next(two, sizeof(two), &off, &m), 1);
	CHECK_EQ(m.seq, 2);
	CHECK_EQ(nl_next(two, sizeof(two), &off, &m), 0);

	static const uint8_t longer[] = { U32(64), U16(NLMSG_DONE), U16(0), U32(1), U32(0) };
	off = 0;
	CHECK_EQ(nl_next(longer, sizeof(longer), &off, &m), -EBADMSG);
	static const uint8_t shorter[] = { U32(8), U16(NLMSG_DONE), U16(0), U32(1), U32(0) };
	off = 0;
	CHECK_EQ(nl_next(shorter, sizeof(shorter), &off, &m), -EBADMSG);
	off = 0;
	CHECK_EQ(nl_next(shorter, 10, &off, &m), -EBADMSG);
}

static void test_parse_route(void)
{
	/* the answer to RTM_GETROUTE 198.51.100.1: via 192.0.2.1 dev 3 */
	static const uint8_t ans[] = {
		U32(16 + 12 + 8 + 8 + 8 + 8 + 8), U16(RTM_NEWROUTE), U16(0), U32(77), U32(0),
		2, 32, 0, 0, 254, 0, 0, RTN_UNICAST, U32(0x200),
		U16(8), U16(RTA_TABLE), U32(254),
		U16(8), U16(RTA_DST), 198, 51, 100, 1,
		U16(8), U16(RTA_OIF), U32(3),
		U16(8), U16(RTA_PREFSRC), 192, 0, 2, 2,
		U16(8), U16(RTA_GATEWAY), 192, 0, 2, 1,
	};
	struct net_route r;
	uint8_t type = 0;

	struct nl_msg_view m = one(ans, sizeof(ans));
	CHECK_EQ(nl_parse_route(&m, &r, &type), 0);
	CHECK_EQ(type, RTN_UNICAST);
	CHECK_EQ(r.dst.family, AF_INET);
	CHECK_EQ(r.dst.len, 32);
	CHECK_EQ(r.ifindex, 3);
	CHECK_EQ(r.has_gw, 1);
	CHECK_EQ(r.gw[0], 192);
	CHECK_EQ(r.gw[3], 1);
	CHECK_EQ(r.dst.addr[0], 198);

	uint8_t bad[sizeof(ans)];
	memcpy(bad, ans, sizeof(ans));
	bad[36] = 7; /* RTA_DST of 3 octets (len 7) */
	m = one(bad, sizeof(bad));
	CHECK_EQ(nl_parse_route(&m, &r, NULL), -EBADMSG);
	memcpy(bad, ans, sizeof(ans));
	bad[16] = 99; /* unknown family */
	m = one(bad, sizeof(bad));
	CHECK_EQ(nl_parse_route(&m, &r, NULL), -EBADMSG);
	memcpy(bad, ans, sizeof(ans));
	bad[62] = RTA_VIA; /* the gateway attribute as RTA_VIA: not ours to handle */
	bad[60] = 8;
	m = one(bad, sizeof(bad));
	CHECK_EQ(nl_parse_route(&m, &r, NULL), -ENOTSUP);
	CHECK_EQ(r.mtu, 0);

	/* with an "mtu 1400" metric (RTA_METRICS nesting RTAX_MTU) */
	static const uint8_t mans[] = {
		U32(16 + 12 + 8 + 8 + 20), U16(RTM_NEWROUTE), U16(0), U32(78), U32(0),
		2, 32, 0, 0, 254, 0, 0, RTN_UNICAST, U32(0x200),
		U16(8), U16(RTA_DST), 198, 51, 100, 1,
		U16(8), U16(RTA_OIF), U32(4),
		U16(20), U16(RTA_METRICS), U16(8), U16(RTAX_ADVMSS), U32(1360),
		U16(8), U16(RTAX_MTU), U32(1400),
	};
	m = one(mans, sizeof(mans));
	CHECK_EQ(nl_parse_route(&m, &r, NULL), 0);
	CHECK_EQ(r.mtu, 1400);
	CHECK_EQ(r.ifindex, 4);
	uint8_t mbad[sizeof(mans)];
	memcpy(mbad, mans, sizeof(mans));
	mbad[56] = 6; /* RTAX_MTU of 2 octets */
	m = one(mbad, sizeof(mbad));
	CHECK_EQ(nl_parse_route(&m, &r, NULL), -EBADMSG);
	memcpy(mbad, mans, sizeof(mans));
	mbad[44] = 40; /* the nest claims more than the message holds */
	m = one(mbad, sizeof(mbad));
	CHECK(nl_parse_route(&m, &r, NULL) < 0);
}

static void test_build_dumproute(void)
{
	static const uint8_t want[] = {
		U32(28), U16(RTM_GETROUTE), U16(NLM_F_REQUEST | NLM_F_DUMP), U32(5), U32(0),
		10, 0, 0, 0, 0, 0, 0, 0, U32(0),
	};
	uint8_t mem[64];
	struct nl_buf b = { .p = mem, .cap = sizeof(mem) };

	CHECK_EQ(nl_build_dumproute(&b, AF_INET6, 5), 0);
	CHECK_EQ(b.len, sizeof(want));
	CHECK_MEM(mem, want, sizeof(want));
	CHECK_EQ(nl_build_dumproute(&b, 99, 5), -EINVAL);
}

static void test_parse_route_meta(void)
{
	/* a dumped route: table 1000 (rtm_table RT_TABLE_COMPAT), dhcp, metric 600, linkdown */
	static const uint8_t one_hop[] = {
		U32(16 + 12 + 8 + 8 + 8 + 8), U16(RTM_NEWROUTE), U16(NLM_F_MULTI), U32(5), U32(0),
		2, 0, 0, 0, 252, 16, 0, RTN_UNICAST, U32(RTNH_F_LINKDOWN),
		U16(8), U16(RTA_TABLE), U32(1000),
		U16(8), U16(RTA_PRIORITY), U32(600),
		U16(8), U16(RTA_GATEWAY), 192, 0, 2, 1,
		U16(8), U16(RTA_OIF), U32(2),
	};
	/* ECMP 198.51.100.0/24: dev 9 via 192.0.2.1, dev 6 via 192.0.2.65 */
	static const uint8_t multi[] = {
		U32(16 + 12 + 8 + 4 + 32), U16(RTM_NEWROUTE), U16(NLM_F_MULTI), U32(5), U32(0),
		2, 24, 0, 0, 254, 4, 0, RTN_UNICAST, U32(0),
		U16(8), U16(RTA_DST), 198, 51, 100, 0,
		U16(36), U16(RTA_MULTIPATH),
		U16(16), 0, 0, U32(9), U16(8), U16(RTA_GATEWAY), 192, 0, 2, 1,
		U16(16), 0, 0, U32(6), U16(8), U16(RTA_GATEWAY), 192, 0, 2, 65,
	};
	struct nl_route_meta meta;
	struct net_route r;
	uint8_t type = 0;

	struct nl_msg_view m = one(one_hop, sizeof(one_hop));
	CHECK_EQ(nl_parse_route_meta(&m, &r, &meta), 0);
	CHECK_EQ(meta.table, 1000);
	CHECK_EQ(meta.priority, 600);
	CHECK_EQ(meta.protocol, 16);
	CHECK_EQ(meta.type, RTN_UNICAST);
	CHECK_EQ(meta.flags, RTNH_F_LINKDOWN);
	CHECK(meta.multipath == NULL);
	CHECK_EQ(r.dst.len, 0);
	CHECK_EQ(r.ifindex, 2);
	CHECK_EQ(r.has_gw, 1);

	m = one(multi, sizeof(multi));
	CHECK_EQ(nl_parse_route_meta(&m, &r, &meta), 0);
	CHECK_EQ(meta.table, RT_TABLE_MAIN);
	CHECK_EQ(meta.priority, 0);
	CHECK(meta.multipath == multi + 16 + 12 + 8 + 4);
	CHECK_EQ(meta.multipath_len, 32);
	CHECK_EQ(r.ifindex, 0);
	/* nl_parse_route still refuses what one struct net_route cannot hold */
	CHECK_EQ(nl_parse_route(&m, &r, &type), -ENOTSUP);
	CHECK_EQ(type, RTN_UNICAST);

	/* the pick walks the next hops: the first not through the TUN (9) */
	struct nl_route_pick pick;
	struct net_prefix dst;
	CHECK_EQ(net_prefix_parse("198.51.100.1", &dst), 0);
	nl_route_pick_init(&pick, &dst, 9);
	CHECK_EQ(nl_route_pick_offer(&pick, &m), 1);
	CHECK_EQ(pick.best.ifindex, 6);
	CHECK_EQ(pick.best.gw[3], 65);
	/* a next hop whose length runs past the nest */
	uint8_t bad[sizeof(multi)];
	memcpy(bad, multi, sizeof(multi));
	bad[16 + 12 + 8 + 4 + 16] = 40;
	m = one(bad, sizeof(bad));
	nl_route_pick_init(&pick, &dst, 9);
	CHECK_EQ(nl_route_pick_offer(&pick, &m), -EBADMSG);
	/* RTA_PRIORITY of 2 octets */
	memcpy(bad, one_hop, sizeof(one_hop));
	bad[36] = 6;
	m = one(bad, sizeof(one_hop));
	CHECK_EQ(nl_parse_route_meta(&m, &r, &meta), -EBADMSG);
}

/* One RTM_NEWROUTE of a dump, built field by field (little-endian). */
struct rt_row {
	const char *dst;          /* "198.51.100.0/24" */
	unsigned oif;
	const char *gw;           /* NULL: on-link */
	uint32_t prio;
	uint8_t table;            /* 0: RT_TABLE_MAIN */
	uint32_t rta_table;       /* 0: no RTA_TABLE */
	uint8_t proto;            /* 0: RTPROT_BOOT */
	uint8_t type;             /* 0: RTN_UNICAST */
	uint32_t flags;
	uint8_t src_len;
	struct { unsigned oif; uint8_t flags; const char *gw; } hop[3]; /* RTA_MULTIPATH */
};

static size_t put(uint8_t *b, size_t off, const void *d, size_t n)
{
	memcpy(b + off, d, n);
	return off + n;
}

static size_t put_attr(uint8_t *b, size_t off, uint16_t type, const void *d, size_t n)
{
	uint8_t h[4] = { U16(4 + n), U16(type) };
	off = put(b, off, h, 4);
	off = put(b, off, d, n);
	while (off % 4)
		b[off++] = 0;
	return off;
}

static size_t put_u32(uint8_t *b, size_t off, uint16_t type, uint32_t v)
{
	uint8_t d[4] = { U32(v) };
	return put_attr(b, off, type, d, 4);
}

static size_t put_route(uint8_t *b, size_t off, const struct rt_row *r)
{
	struct net_prefix dst, gw;
	size_t start = off, alen;

	CHECK_EQ(net_prefix_parse(r->dst, &dst), 0);
	alen = dst.family == AF_INET ? 4 : 16;
	uint8_t hdr[28] = {
		0, 0, 0, 0, U16(RTM_NEWROUTE), U16(NLM_F_MULTI), U32(7), U32(0),
		dst.family, dst.len, r->src_len, 0, r->table ? r->table : RT_TABLE_MAIN,
		r->proto ? r->proto : RTPROT_BOOT, 0, r->type ? r->type : RTN_UNICAST, U32(r->flags),
	};
	off = put(b, off, hdr, sizeof(hdr));
	if (r->rta_table)
		off = put_u32(b, off, RTA_TABLE, r->rta_table);
	if (dst.len)
		off = put_attr(b, off, RTA_DST, dst.addr, alen);
	if (r->prio)
		off = put_u32(b, off, RTA_PRIORITY, r->prio);
	if (r->gw) {
		CHECK_EQ(net_prefix_parse(r->gw, &gw), 0);
		off = put_attr(b, off, RTA_GATEWAY, gw.addr, alen);
	}
	if (r->oif)
		off = put_u32(b, off, RTA_OIF, r->oif);
	if (r->hop[0].oif) {
		uint8_t mp[3 * 28];
		size_t n = 0;
		for (size_t i = 0; i < 3 && r->hop[i].oif; i++) {
			size_t hl = 8 + (r->hop[i].gw ? 4 + alen : 0);
			uint8_t nh[8] = { U16(hl), r->hop[i].flags, 0, U32(r->hop[i].oif) };
			n = put(mp, n, nh, 8);
			if (r->hop[i].gw) {
				CHECK_EQ(net_prefix_parse(r->hop[i].gw, &gw), 0);
				n = put_attr(mp, n, RTA_GATEWAY, gw.addr, alen);
			}
		}
		off = put_attr(b, off, RTA_MULTIPATH, mp, n);
	}
	uint8_t len[4] = { U32(off - start) };
	put(b, start, len, 4);
	return off;
}

/* dst, oif, gw, metric, then any other field by name */
#define R(d, o, g, p, ...) { .dst = d, .oif = o, .gw = g, .prio = p, __VA_ARGS__ }

static void test_route_pick(void)
{
	enum { A, B, A2, C, M, TUN32, OURS, TBL100, BLACKHOLE, TUN1, NOCOVER, LINKDOWN, V6,
	       TBL1000, SRC, ECMP, DEAD, V6_DEF, V6_OURS, V6_48 };
	static const struct rt_row rt[] = {
		[A] = R("0.0.0.0/0", 2, "192.0.2.1", 100, .proto = RTPROT_DHCP),
		[B] = R("0.0.0.0/0", 3, "192.0.2.129", 50),
		[A2] = R("0.0.0.0/0", 6, "192.0.2.65", 100),
		[C] = R("198.51.100.0/24", 2, "192.0.2.1", 1000),
		[M] = R("198.51.100.0/24", 4, "192.0.2.193", 10),
		[TUN32] = R("198.51.100.1/32", 9, NULL, 0),
		[OURS] = R("198.51.100.1/32", 2, "192.0.2.1", 0, .proto = NET_ROUTE_PROTO),
		[TBL100] = R("198.51.100.0/25", 4, NULL, 0, .table = 100),
		[BLACKHOLE] = R("198.51.100.0/26", 0, NULL, 0, .type = RTN_BLACKHOLE),
		[TUN1] = R("0.0.0.0/1", 9, NULL, 0),
		[NOCOVER] = R("203.0.113.0/24", 5, NULL, 0),
		[LINKDOWN] = R("198.51.100.0/28", 6, NULL, 0, .flags = RTNH_F_LINKDOWN),
		[V6] = R("::/0", 7, "2001:db8:1::1", 0),
		[TBL1000] = R("198.51.100.0/27", 8, NULL, 0, .table = RT_TABLE_COMPAT, .rta_table = 1000),
		[SRC] = R("198.51.100.0/29", 8, NULL, 0, .src_len = 8),
		[ECMP] = R("198.51.100.0/30", 0, NULL, 0,
			   .hop = { { 9, 0, "192.0.2.1" }, { 5, RTNH_F_DEAD, "192.0.2.129" },
				    { 6, 0, "192.0.2.65" } }),
		[DEAD] = R("198.51.100.0/31", 0, NULL, 0, .hop = { { 9, 0, NULL }, { 5, RTNH_F_DEAD, NULL } }),
		[V6_DEF] = R("::/0", 7, "fe80::1", 1024),
		[V6_OURS] = R("2001:db8:2::1/128", 7, "fe80::1", 0, .proto = NET_ROUTE_PROTO),
		[V6_48] = R("2001:db8:2::/48", 9, NULL, 0),
	};
	static const struct {
		const char *dst;
		int routes[8];     /* offered in this order; -1 ends */
		int want;          /* the row that wins, -1: none */
		const char *why;
	} rows[] = {
		{ "198.51.100.1", { A, -1 }, A, "the default route" },
		{ "198.51.100.1", { A, B, -1 }, B, "a lower metric" },
		{ "198.51.100.1", { B, A, -1 }, B, "a lower metric, offered first" },
		{ "198.51.100.1", { A, A2, -1 }, A, "same prefix and metric: the first" },
		{ "198.51.100.1", { B, C, -1 }, C, "a longer prefix beats a lower metric" },
		{ "198.51.100.1", { C, M, -1 }, M, "same prefix: the lower metric" },
		{ "198.51.100.1", { M, C, -1 }, M, "same prefix: the lower metric, offered first" },
		{ "198.51.100.1", { A, TUN32, OURS, TUN1, C, -1 }, C, "the TUN's and ours do not count" },
		{ "198.51.100.1", { TBL100, BLACKHOLE, NOCOVER, V6, TBL1000, SRC, A, -1 }, A,
		  "other tables, types, prefixes, families and source routes do not count" },
		{ "198.51.100.1", { A, LINKDOWN, -1 }, A, "a link-down next hop does not count" },
		{ "198.51.100.1", { A, ECMP, -1 }, ECMP, "multipath: the first next hop that counts" },
		{ "198.51.100.1", { A, DEAD, -1 }, A, "multipath with no next hop that counts" },
		{ "198.51.100.1", { TUN32, OURS, TUN1, -1 }, -1, "only the TUN and ours: none" },
		{ "198.51.100.1", { -1 }, -1, "an empty table" },
		{ "2001:db8:2::1", { A, V6_OURS, V6_48, V6_DEF, -1 }, V6_DEF, "IPv6" },
		{ "2001:db8:2::1", { V6, V6_DEF, -1 }, V6, "IPv6: metric 0 before 1024" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint8_t buf[2048];
		size_t len = 0, off = 0;
		struct nl_route_pick pick;
		struct nl_msg_view m;
		struct net_prefix dst;
		int rc;

		for (size_t k = 0; k < 8 && rows[i].routes[k] >= 0; k++)
			len = put_route(buf, len, &rt[rows[i].routes[k]]);
		/* the end of the dump is offered too: not a route, not counted */
		uint8_t done[20] = { U32(20), U16(NLMSG_DONE), U16(NLM_F_MULTI), U32(7), U32(0), U32(0) };
		len = put(buf, len, done, sizeof(done));
		CHECK_EQ(net_prefix_parse(rows[i].dst, &dst), 0);
		nl_route_pick_init(&pick, &dst, 9);
		while ((rc = nl_next(buf, len, &off, &m)) == 1)
			CHECK(nl_route_pick_offer(&pick, &m) >= 0);
		CHECK_EQ(rc, 0);
		int ok = rows[i].want < 0 ? !pick.found : pick.found;
		if (ok && rows[i].want >= 0) {
			const struct rt_row *w = &rt[rows[i].want];
			struct net_prefix wd;
			CHECK_EQ(net_prefix_parse(w->dst, &wd), 0);
			ok = pick.best.dst.len == wd.len && pick.priority == w->prio &&
			     pick.best.ifindex == (w->oif ? w->oif : 6u) &&
			     pick.best.has_gw == (w->gw || w->hop[0].oif);
		}
		if (!ok)
			fprintf(stderr, "pick row %zu (%s): found %d ifindex %u len %u\n", i, rows[i].why,
				pick.found, pick.best.ifindex, pick.best.dst.len);
		CHECK(ok);
	}
}

static void test_netmon_classify(void)
{
	static const uint8_t link[] = {
		U32(32), U16(RTM_NEWLINK), U16(0), U32(0), U32(0),
		0, 0, U16(1), U32(5), U32(0x1003), U32(0),
	};
	static const uint8_t addr_tun[] = {
		U32(24), U16(RTM_NEWADDR), U16(0), U32(0), U32(0),
		2, 32, 0, 0, U32(9),
	};
	static const uint8_t route_ours[] = {
		U32(28), U16(RTM_NEWROUTE), U16(0), U32(0), U32(0),
		2, 1, 0, 0, 254, 158, 253, 1, U32(0),
	};
	static const uint8_t route_main[] = {
		U32(36), U16(RTM_DELROUTE), U16(0), U32(0), U32(0),
		2, 0, 0, 0, 254, 3, 0, 1, U32(0),
		U16(8), U16(RTA_OIF), U32(5),
	};
	static const uint8_t route_local[] = {
		U32(28), U16(RTM_NEWROUTE), U16(0), U32(0), U32(0),
		2, 32, 0, 0, 255, 2, 254, 2, U32(0),
	};
	CHECK_EQ(net_netmon_classify(link, sizeof(link), 9), NET_NETMON_LINK);
	CHECK_EQ(net_netmon_classify(link, sizeof(link), 5), 0);
	CHECK_EQ(net_netmon_classify(addr_tun, sizeof(addr_tun), 9), 0);
	CHECK_EQ(net_netmon_classify(addr_tun, sizeof(addr_tun), 0), NET_NETMON_ADDR);
	CHECK_EQ(net_netmon_classify(route_ours, sizeof(route_ours), 0), 0);
	CHECK_EQ(net_netmon_classify(route_main, sizeof(route_main), 9), NET_NETMON_ROUTE);
	CHECK_EQ(net_netmon_classify(route_main, sizeof(route_main), 5), 0);
	CHECK_EQ(net_netmon_classify(route_local, sizeof(route_local), 0), 0);
	CHECK_EQ(net_netmon_classify(link, sizeof(link) - 1, 0), NET_NETMON_RESYNC);
}

int main(void)
{
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
	return test_skip("the hand-made netlink buffers are little-endian");
#endif
	test_build_route();
	test_build_addr();
	test_build_getroute();
	test_parse_error();
	test_next_bounds();
	test_parse_route();
	test_build_dumproute();
	test_parse_route_meta();
	test_route_pick();
	test_netmon_classify();
	return test_done();
}
