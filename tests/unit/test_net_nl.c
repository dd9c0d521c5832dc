/* src/net/nl_linux: rtnetlink requests built byte for byte, and answers
 * parsed from hand-made buffers: acks, errors with the kernel's extended-ack
 * text, RTM_GETROUTE answers, and lengths that lie. Also the network
 * monitor's classification of multicast messages. Netlink is host byte
 * order: the buffers below are little-endian, so a big-endian host skips. */
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
	test_netmon_classify();
	return test_done();
}
