/* Fuzz target: a TUN read with a virtio_net_hdr (src/tunnel/offload.c;
 * the bytes come from the kernel, but a bug here would seal garbage or
 * read out of bounds). The input is the 10-octet header and the packet.
 * Every segment must fit the largest packet, carry the input's payload
 * octets in order, and verify: IPv4 header checksum and TCP checksum. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tunnel/offload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct st {
	size_t total;
};

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

static void on_seg(void *ctx, unsigned i, const uint8_t *seg, size_t len)
{
	struct st *st = ctx;
	(void)i;
	if (len > 65535 || len < 40)
		abort();
	int v6 = (seg[0] >> 4) == 6;
	size_t ip = v6 ? 40 : (size_t)(seg[0] & 15) * 4;
	if (ip + 20 > len)
		abort();
	if (!v6 && fold(sum16(0, seg, ip)) != 0xffff)
		abort();
	size_t l4 = len - ip;
	uint8_t ph[4] = { 0, 6, (uint8_t)(l4 >> 8), (uint8_t)l4 };
	uint32_t s = v6 ? sum16(0, seg + 8, 32) : sum16(0, seg + 12, 8);
	if (fold(sum16(sum16(s, ph, 4), seg + ip, l4)) != 0xffff)
		abort();
	st->total += len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[70000];
	struct off_vnet v;
	struct st st = { 0 };

	if (size < OFF_VNET_HDR_LEN || size - OFF_VNET_HDR_LEN > sizeof(buf))
		return 0;
	off_vnet_parse(data, &v);
	size_t len = size - OFF_VNET_HDR_LEN;
	memcpy(buf, data + OFF_VNET_HDR_LEN, len);
	uint8_t gso = v.gso_type & (uint8_t)~OFF_GSO_ECN;
	if (gso == OFF_GSO_TCPV4 || gso == OFF_GSO_TCPV6) {
		int n = off_tso_segment(buf, len, &v, on_seg, &st);
		if (n > (int)OFF_SEGS_MAX)
			abort();
	} else {
		off_finish_csum(buf, len, &v);
	}
	return 0;
}
