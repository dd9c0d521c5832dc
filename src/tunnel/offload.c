/* TSO and checksum completion for TUN reads with a virtio_net_hdr. */
#include "tunnel/offload.h"

#include <errno.h>
#include <string.h>

#define SEG_MAX 65535u

void off_vnet_parse(const uint8_t *p, struct off_vnet *v)
{
	uint16_t w[4];
	v->flags = p[0];
	v->gso_type = p[1];
	memcpy(w, p + 2, sizeof(w)); /* host order (see offload.h) */
	v->hdr_len = w[0];
	v->gso_size = w[1];
	v->csum_start = w[2];
	v->csum_offset = w[3];
}

uint32_t off_csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	uint64_t s = sum;
	size_t i = 0;
	for (; i + 4 <= len; i += 4)
		s += (uint32_t)p[i] << 24 | (uint32_t)p[i + 1] << 16 | (uint32_t)p[i + 2] << 8 | p[i + 3];
	if (i + 2 <= len) {
		s += (uint32_t)p[i] << 8 | p[i + 1];
		i += 2;
	}
	if (i < len)
		s += (uint32_t)p[i] << 8;
	while (s >> 32)
		s = (s & 0xffffffffu) + (s >> 32);
	/* a 32-bit sum of 16-bit words in big-endian pairs: fold the halves */
	s = (s & 0xffff) + (s >> 16);
	return (uint32_t)s;
}

uint16_t off_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

int off_finish_csum(uint8_t *pkt, size_t len, const struct off_vnet *v)
{
	if (!(v->flags & OFF_F_NEEDS_CSUM))
		return 0;
	size_t at = (size_t)v->csum_start + v->csum_offset;
	if (v->csum_start >= len || at + 2 > len)
		return -EINVAL;
	uint16_t c = (uint16_t)~off_csum_fold(off_csum_add(0, pkt + v->csum_start, len - v->csum_start));
	/* UDP sends a computed 0 as 0xffff (RFC 768); for TCP it is the same value */
	put16(pkt + at, c ? c : 0xffff);
	return 0;
}

/* The TCP checksum of a whole segment: pseudo header, header and data. */
static void tcp_csum(uint8_t *seg, size_t ip_len, int v6, size_t tcp_len)
{
	uint8_t *th = seg + ip_len;
	uint8_t ph[4] = { 0, 6, (uint8_t)(tcp_len >> 8), (uint8_t)tcp_len };
	uint32_t s = v6 ? off_csum_add(0, seg + 8, 32) : off_csum_add(0, seg + 12, 8);
	s = off_csum_add(s, ph, 4);
	th[16] = th[17] = 0;
	s = off_csum_add(s, th, tcp_len);
	put16(th + 16, (uint16_t)~off_csum_fold(s));
}

int off_tso_segment(const uint8_t *pkt, size_t len, const struct off_vnet *v,
		    void (*out)(void *ctx, unsigned i, const uint8_t *seg, size_t seg_len), void *ctx)
{
	static _Thread_local uint8_t seg[SEG_MAX];
	size_t ip_len, tcp_hl;
	int v6;

	if (len < 20 || !v->gso_size)
		return -EINVAL;
	if ((pkt[0] >> 4) == 4) {
		ip_len = (size_t)(pkt[0] & 15) * 4;
		if (ip_len < 20 || pkt[9] != 6 || v->gso_type == OFF_GSO_TCPV6)
			return -EINVAL;
		v6 = 0;
	} else if ((pkt[0] >> 4) == 6) {
		ip_len = 40;
		if (len < 40 || pkt[6] != 6 || v->gso_type == OFF_GSO_TCPV4)
			return -EINVAL; /* extension headers: not from our own kernel's TSO */
		v6 = 1;
	} else {
		return -EINVAL;
	}
	if (ip_len + 20 > len)
		return -EINVAL;
	tcp_hl = (size_t)(pkt[ip_len + 12] >> 4) * 4;
	if (tcp_hl < 20 || ip_len + tcp_hl > len)
		return -EINVAL;
	size_t hdrs = ip_len + tcp_hl, payload = len - hdrs, mss = v->gso_size;
	size_t n = payload ? (payload + mss - 1) / mss : 1;
	if (n > OFF_SEGS_MAX || hdrs + mss > SEG_MAX)
		return -EINVAL;
	uint32_t seq = (uint32_t)pkt[ip_len + 4] << 24 | (uint32_t)pkt[ip_len + 5] << 16 |
		       (uint32_t)pkt[ip_len + 6] << 8 | pkt[ip_len + 7];
	uint16_t id = v6 ? 0 : get16(pkt + 4);
	uint8_t flags = pkt[ip_len + 13];
	for (size_t i = 0; i < n; i++) {
		size_t off = i * mss, chunk = payload - off < mss ? payload - off : mss;
		memcpy(seg, pkt, hdrs);
		memcpy(seg + hdrs, pkt + hdrs + off, chunk);
		uint8_t *th = seg + ip_len;
		uint32_t s = seq + (uint32_t)off;
		th[4] = (uint8_t)(s >> 24);
		th[5] = (uint8_t)(s >> 16);
		th[6] = (uint8_t)(s >> 8);
		th[7] = (uint8_t)s;
		uint8_t f = flags;
		if (i + 1 < n)
			f &= (uint8_t)~0x09u; /* FIN, PSH: the last segment's */
		if (i > 0)
			f &= (uint8_t)~0x80u; /* CWR: the first segment's */
		th[13] = f;
		if (v6) {
			put16(seg + 4, (uint16_t)(tcp_hl + chunk));
		} else {
			put16(seg + 2, (uint16_t)(hdrs + chunk));
			put16(seg + 4, (uint16_t)(id + i));
			seg[10] = seg[11] = 0;
			put16(seg + 10, (uint16_t)~off_csum_fold(off_csum_add(0, seg, ip_len)));
		}
		tcp_csum(seg, ip_len, v6, tcp_hl + chunk);
		out(ctx, (unsigned)i, seg, hdrs + chunk);
	}
	return (int)n;
}
