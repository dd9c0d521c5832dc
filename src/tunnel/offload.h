/* TUN offloads (Linux IFF_VNET_HDR): the kernel hands the TUN's reader
 * TCP "super-packets" of up to 64 KiB with a virtio_net_hdr in front, to
 * be cut into MSS-sized segments (TSO done in userspace), and packets
 * whose transport checksum is still to be filled in (NEEDS_CSUM). ESP
 * seals what we send, so every packet must leave here complete: segmented,
 * with its IPv4 header and TCP/UDP checksums right.
 *
 * Pure functions over byte buffers (no sockets); tests/unit/test_offload.c
 * checks every field of every segment. */
#ifndef PETREL_TUNNEL_OFFLOAD_H
#define PETREL_TUNNEL_OFFLOAD_H

#include <stddef.h>
#include <stdint.h>

/* struct virtio_net_hdr (linux/virtio_net.h), in host byte order as the
 * TUN gives it without TUNSETVNETLE/BE. */
#define OFF_VNET_HDR_LEN 10u
#define OFF_F_NEEDS_CSUM 1u
#define OFF_GSO_NONE 0u
#define OFF_GSO_TCPV4 1u
#define OFF_GSO_UDP 3u
#define OFF_GSO_TCPV6 4u
#define OFF_GSO_ECN 0x80u
#define OFF_SEGS_MAX 64u   /* 64 KiB / the smallest MSS we cut to (1024) */

struct off_vnet {
	uint8_t flags, gso_type;
	uint16_t hdr_len, gso_size, csum_start, csum_offset;
};

void off_vnet_parse(const uint8_t *p, struct off_vnet *v);

/* The Internet checksum (RFC 1071) of len octets, folded, not inverted;
 * `sum` carries a previous partial sum. */
uint32_t off_csum_add(uint32_t sum, const uint8_t *p, size_t len);
uint16_t off_csum_fold(uint32_t sum);

/* A packet that is not GSO: fill in the checksum NEEDS_CSUM asks for (the
 * one's complement sum from csum_start to the end, stored at
 * csum_start + csum_offset). 0, or -EINVAL when the offsets do not fit. */
int off_finish_csum(uint8_t *pkt, size_t len, const struct off_vnet *v);

/* Cut a TCP super-packet (IPv4 or IPv6 without extension headers) into
 * segments of at most gso_size payload octets. For segment i, out(ctx, i,
 * seg, seg_len) gets the complete packet in a buffer of the module's; it
 * copies what it keeps. IPv4: total length, identification + i, header
 * checksum; IPv6: payload length; TCP: sequence number, FIN and PSH only
 * on the last segment, CWR only on the first, the full checksum. Returns
 * the number of segments, or -EINVAL (not TCP, bad lengths, gso_size 0 or
 * so small it would need more than OFF_SEGS_MAX segments). */
int off_tso_segment(const uint8_t *pkt, size_t len, const struct off_vnet *v,
		    void (*out)(void *ctx, unsigned i, const uint8_t *seg, size_t seg_len), void *ctx);

#endif
