/* The tunnel MTU: the largest inner packet that, once wrapped in ESP and
 * its outer headers, still fits the path MTU without fragmentation.
 *
 *   outer IPv4 20 | IPv6 40
 *   UDP 8 (RFC 3948 NAT-T) | TCP 20 + RFC 9329 length 2 | nothing (raw ESP)
 *   ESP header 8 (SPI, sequence number; RFC 4303 2)
 *   IV (8 for AES-GCM RFC 4106 and ChaCha20-Poly1305 RFC 7634, 16 for CBC)
 *   payload + padding + pad length 1 + next header 1, a multiple of the
 *     cipher's block (4 for the AEADs, 16 for CBC; RFC 4303 2.4)
 *   ICV (16 for the AEADs, the truncated HMAC for CBC)
 *
 * Pure: no system calls, so it is the same on every platform. */
#ifndef PETREL_NET_MTU_H
#define PETREL_NET_MTU_H

enum net_mtu_encap {
	NET_MTU_ENCAP_NONE = 0, /* raw ESP, IP protocol 50 */
	NET_MTU_ENCAP_UDP = 1,  /* RFC 3948 UDP encapsulation */
	NET_MTU_ENCAP_TCP = 2,  /* RFC 9329 ESP in the TCP stream */
};

#define NET_MTU_MIN_IPV4 68u    /* RFC 791 */
#define NET_MTU_MIN_IPV6 1280u  /* RFC 8200 5 */

struct net_mtu_esp {
	unsigned path_mtu;        /* of the underlay path to the gateway */
	int outer_family;         /* AF_INET or AF_INET6 */
	enum net_mtu_encap encap;
	unsigned iv_len;          /* 8 for AES-GCM and ChaCha20-Poly1305 */
	unsigned icv_len;         /* 16 for the AEADs */
	unsigned block_len;       /* padding alignment: 4 for the AEADs, 16 for AES-CBC */
};

/* The ESP defaults petrel negotiates first: AES-GCM-16 or ChaCha20-Poly1305. */
#define NET_MTU_ESP_AEAD(mtu, fam, enc) \
	((struct net_mtu_esp){ .path_mtu = (mtu), .outer_family = (fam), .encap = (enc), \
			       .iv_len = 8, .icv_len = 16, .block_len = 4 })

/* Bytes in front of and behind the inner packet, padding excluded. */
unsigned net_mtu_overhead(const struct net_mtu_esp *p);
/* The tunnel MTU, or 0 when the parameters are invalid (unknown family,
 * block_len 0 or not a power of two) or leave less than NET_MTU_MIN_IPV4. */
unsigned net_mtu_tunnel(const struct net_mtu_esp *p);

#endif
