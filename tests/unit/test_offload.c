/* TUN offloads (src/tunnel/offload.h): TCP super-packets cut into segments
 * with every header field and checksum right, NEEDS_CSUM completion, and
 * refusals. Checksums are verified independently: a correct header or
 * segment sums (with its pseudo header) to 0xffff. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "test.h"
#include "tunnel/offload.h"

#define MAXSEG 64

struct segs {
	unsigned n;
	size_t len[MAXSEG];
	uint8_t p[MAXSEG][2048];
};

static void keep(void *ctx, unsigned i, const uint8_t *seg, size_t len)
{
	struct segs *s = ctx;
	CHECK_EQ(i, s->n);
	if (s->n < MAXSEG && len <= sizeof(s->p[0])) {
		memcpy(s->p[s->n], seg, len);
		s->len[s->n] = len;
	}
	s->n++;
}

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

/* A plain 16-bit one's complement sum, written apart from offload.c. */
static uint32_t sum16(uint32_t s, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i += 2)
		s += (uint32_t)(p[i] << 8 | (i + 1 < n ? p[i + 1] : 0));
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* 1 when the transport checksum of this IPv4/IPv6 packet verifies. */
static int l4_ok(const uint8_t *p, size_t len, int v6, uint8_t proto)
{
	size_t ip = v6 ? 40 : (size_t)(p[0] & 15) * 4;
	size_t l4 = len - ip;
	uint8_t ph[4] = { 0, proto, (uint8_t)(l4 >> 8), (uint8_t)l4 };
	uint32_t s = v6 ? sum16(0, p + 8, 32) : sum16(0, p + 12, 8);
	s = sum16(s, ph, 4);
	s = sum16(s, p + ip, l4);
	return fold(s) == 0xffff;
}

static size_t make_tcp(uint8_t *p, int v6, size_t payload, uint8_t flags)
{
	size_t ip = v6 ? 40 : 20, th = 32; /* TCP with 12 octets of options */
	memset(p, 0, ip + th);
	if (v6) {
		p[0] = 0x60;
		p[6] = 6;
		p[7] = 64;
		memcpy(p + 8, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
		memcpy(p + 24, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x02", 16);
	} else {
		p[0] = 0x45;
		p[4] = 0x12, p[5] = 0x34;      /* identification */
		p[6] = 0x40;                   /* DF */
		p[8] = 64;
		p[9] = 6;
		memcpy(p + 12, "\xcb\x00\x71\x0a", 4);
		memcpy(p + 16, "\xcb\x00\x71\x01", 4);
	}
	uint8_t *t = p + ip;
	t[0] = 0xc0, t[1] = 0x01, t[2] = 0x14, t[3] = 0x51;
	t[4] = 0xff, t[5] = 0xff, t[6] = 0xfe, t[7] = 0x00;  /* seq wraps inside */
	t[12] = (uint8_t)((th / 4) << 4);
	t[13] = flags;
	t[14] = 0x01, t[15] = 0xf5;
	t[20] = 1, t[21] = 1, t[22] = 8, t[23] = 10;        /* NOP NOP timestamps */
	for (size_t i = 0; i < payload; i++)
		p[ip + th + i] = (uint8_t)(i * 7 + 3);
	return ip + th + payload;
}

static void test_tso(int v6)
{
	static uint8_t big[70000];
	static struct segs s;
	const size_t mss = 1388, payload = 5000;
	size_t ip = v6 ? 40 : 20, hdrs = ip + 32;
	size_t len = make_tcp(big, v6, payload, 0x80 | 0x10 | 0x08 | 0x01); /* CWR ACK PSH FIN */
	struct off_vnet v = { .flags = OFF_F_NEEDS_CSUM, .gso_type = v6 ? OFF_GSO_TCPV6 : OFF_GSO_TCPV4,
			      .hdr_len = (uint16_t)hdrs, .gso_size = (uint16_t)mss,
			      .csum_start = (uint16_t)ip, .csum_offset = 16 };
	memset(&s, 0, sizeof(s));
	CHECK_EQ(off_tso_segment(big, len, &v, keep, &s), 4);
	CHECK_EQ(s.n, 4);
	size_t got = 0;
	for (unsigned i = 0; i < 4 && i < s.n; i++) {
		const uint8_t *p = s.p[i];
		size_t chunk = i < 3 ? mss : payload - 3 * mss;
		CHECK_EQ(s.len[i], hdrs + chunk);
		if (v6) {
			CHECK_EQ(be16(p + 4), 32 + chunk);
			CHECK_MEM(p + 8, big + 8, 32);
		} else {
			CHECK_EQ(be16(p + 2), hdrs + chunk);
			CHECK_EQ(be16(p + 4), 0x1234 + i);
			CHECK_EQ(p[6], 0x40);
			CHECK_EQ(fold(sum16(0, p, 20)), 0xffff);  /* header checksum */
		}
		const uint8_t *t = p + ip;
		CHECK_EQ(be32(t + 4), (uint32_t)(0xfffffe00u + i * mss));
		CHECK_EQ(t[13], (uint8_t)(0x10 | (i == 0 ? 0x80 : 0) | (i == 3 ? 0x09 : 0)));
		CHECK_MEM(t + 20, big + ip + 20, 12);           /* options copied */
		CHECK_MEM(p + hdrs, big + hdrs + got, chunk);   /* payload in order */
		CHECK(l4_ok(p, s.len[i], v6, 6));
		got += chunk;
	}
	CHECK_EQ(got, payload);

	/* A super-packet that fits one segment, and one of exactly 2 MSS. */
	len = make_tcp(big, v6, 100, 0x18);
	memset(&s, 0, sizeof(s));
	CHECK_EQ(off_tso_segment(big, len, &v, keep, &s), 1);
	CHECK_EQ(s.len[0], len);
	CHECK(l4_ok(s.p[0], s.len[0], v6, 6));
	len = make_tcp(big, v6, 2 * mss, 0x18);
	memset(&s, 0, sizeof(s));
	CHECK_EQ(off_tso_segment(big, len, &v, keep, &s), 2);
	CHECK_EQ(s.p[0][ip + 13], 0x10);   /* PSH only on the last */
	CHECK_EQ(s.p[1][ip + 13], 0x18);
}

static void test_refused(void)
{
	static uint8_t big[70000];
	static struct segs s;
	size_t len = make_tcp(big, 0, 3000, 0x10);
	struct off_vnet v = { .gso_type = OFF_GSO_TCPV4, .gso_size = 1000 };

	memset(&s, 0, sizeof(s));
	v.gso_size = 0;
	CHECK_EQ(off_tso_segment(big, len, &v, keep, &s), -EINVAL);
	v.gso_size = 10;                                   /* 300 segments */
	CHECK_EQ(off_tso_segment(big, len, &v, keep, &s), -EINVAL);
	v.gso_size = 1000;
	v.gso_type = OFF_GSO_TCPV6;                         /* says v6, is v4 */
	CHECK_EQ(off_tso_segment(big, len, &v, keep, &s), -EINVAL);
	v.gso_type = OFF_GSO_TCPV4;
	big[9] = 17;                                       /* UDP */
	CHECK_EQ(off_tso_segment(big, len, &v, keep, &s), -EINVAL);
	big[9] = 6;
	CHECK_EQ(off_tso_segment(big, 30, &v, keep, &s), -EINVAL);   /* TCP header cut */
	big[20 + 12] = 0xf0;                               /* data offset past the end */
	CHECK_EQ(off_tso_segment(big, 60, &v, keep, &s), -EINVAL);
	big[0] = 0x55;                                     /* version 5 */
	CHECK_EQ(off_tso_segment(big, len, &v, keep, &s), -EINVAL);
	CHECK_EQ(s.n, 0);
}

/* NEEDS_CSUM: the kernel put the pseudo header's sum in the field; the sum
 * from csum_start over the rest, inverted, completes it. */
static void test_needs_csum(void)
{
	uint8_t p[200];
	memset(p, 0, sizeof(p));
	p[0] = 0x45, p[2] = 0, p[3] = 128, p[8] = 64, p[9] = 17;
	memcpy(p + 12, "\xcb\x00\x71\x0a\xcb\x00\x71\x01", 8);
	uint8_t *u = p + 20;
	u[0] = 0x30, u[1] = 0x39, u[2] = 0x00, u[3] = 0x35, u[4] = 0, u[5] = 108;
	for (int i = 8; i < 108; i++)
		u[i] = (uint8_t)(i ^ 0x5a);
	uint8_t ph[4] = { 0, 17, 0, 108 };
	uint16_t pseudo = fold(sum16(sum16(0, p + 12, 8), ph, 4));
	u[6] = (uint8_t)(pseudo >> 8), u[7] = (uint8_t)pseudo;
	struct off_vnet v = { .flags = OFF_F_NEEDS_CSUM, .csum_start = 20, .csum_offset = 6 };
	CHECK_EQ(off_finish_csum(p, 128, &v), 0);
	CHECK(l4_ok(p, 128, 0, 17));
	/* no flag: untouched */
	uint8_t before[128];
	memcpy(before, p, 128);
	v.flags = 0;
	CHECK_EQ(off_finish_csum(p, 128, &v), 0);
	CHECK_MEM(p, before, 128);
	v.flags = OFF_F_NEEDS_CSUM;
	v.csum_start = 127;
	CHECK_EQ(off_finish_csum(p, 128, &v), -EINVAL);
	v.csum_start = 200;
	CHECK_EQ(off_finish_csum(p, 128, &v), -EINVAL);
	CHECK_MEM(p, before, 128);
}

static void test_vnet_parse(void)
{
	uint8_t h[OFF_VNET_HDR_LEN];
	uint16_t w[4] = { 66, 1400, 34, 16 };
	h[0] = OFF_F_NEEDS_CSUM;
	h[1] = OFF_GSO_TCPV4 | OFF_GSO_ECN;
	memcpy(h + 2, w, sizeof(w));
	struct off_vnet v;
	off_vnet_parse(h, &v);
	CHECK_EQ(v.flags, OFF_F_NEEDS_CSUM);
	CHECK_EQ(v.gso_type, OFF_GSO_TCPV4 | OFF_GSO_ECN);
	CHECK_EQ(v.hdr_len, 66);
	CHECK_EQ(v.gso_size, 1400);
	CHECK_EQ(v.csum_start, 34);
	CHECK_EQ(v.csum_offset, 16);
	/* The checksum helper on odd lengths and carried sums. */
	const uint8_t d[5] = { 0xff, 0xff, 0x00, 0x01, 0x80 };
	CHECK_EQ(off_csum_fold(off_csum_add(0, d, 5)), fold(sum16(0, d, 5)));
	CHECK_EQ(off_csum_fold(off_csum_add(0x1234, d, 4)), fold(sum16(0x1234, d, 4)));
}

int main(void)
{
	test_tso(0);
	test_tso(1);
	test_refused();
	test_needs_csum();
	test_vnet_parse();
	return test_done();
}
