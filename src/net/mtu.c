/* The tunnel MTU from the path MTU and the ESP overhead (mtu.h). */
#include "net/mtu.h"

#include <sys/socket.h>

#define ESP_HDR_LEN 8u     /* RFC 4303 2: SPI 4, sequence number 4 */
#define ESP_TRAILER_LEN 2u /* RFC 4303 2.5, 2.6: pad length, next header */

unsigned net_mtu_overhead(const struct net_mtu_esp *p)
{
	unsigned n;

	switch (p->outer_family) {
	case AF_INET: n = 20; break;
	case AF_INET6: n = 40; break;
	default: return 0;
	}
	switch (p->encap) {
	case NET_MTU_ENCAP_NONE: break;
	case NET_MTU_ENCAP_UDP: n += 8; break;
	case NET_MTU_ENCAP_TCP: n += 20 + 2; break; /* RFC 9329 3: 16-bit length */
	default: return 0;
	}
	return n + ESP_HDR_LEN + p->iv_len + ESP_TRAILER_LEN + p->icv_len;
}

unsigned net_mtu_tunnel(const struct net_mtu_esp *p)
{
	unsigned b = p->block_len, over = net_mtu_overhead(p), room;

	if (!over || b == 0 || (b & (b - 1)) != 0 || p->iv_len > 256 || p->icv_len > 256)
		return 0;
	/* The encrypted part (payload, padding, pad length, next header) is a
	 * multiple of the block: round what is left for it down, then take
	 * the 2-octet trailer back out. */
	room = p->path_mtu - (over - ESP_TRAILER_LEN);
	if (p->path_mtu < over - ESP_TRAILER_LEN)
		return 0;
	room &= ~(b - 1);
	if (room < ESP_TRAILER_LEN + NET_MTU_MIN_IPV4)
		return 0;
	return room - ESP_TRAILER_LEN;
}
