/* ESP encapsulation and decapsulation in place (RFC 4303 2, 3.3, 3.4).
 *
 * Send:    pkt holds the inner packet; esp_encap() makes it
 *          SPI | seq | IV | inner | padding | pad len | next header | ICV.
 * Receive: pkt holds SPI | seq | ...; esp_decap() checks, in this order
 *          (STYLE.md "Bytes from a peer"): length, SPI lookup, replay
 *          pre-check, ICV (and decryption), window update, trailer; on
 *          success pkt holds the inner packet.
 * Each drop is counted by reason in the table's esp_stats; nothing is logged
 * per packet. */
#ifndef PETREL_ESP_ENCAP_H
#define PETREL_ESP_ENCAP_H

#include <stdint.h>

#include "esp/pkt.h"
#include "esp/sa.h"

/* Seal pkt's data as one ESP packet of sa, whose payload has this next header
 * (ESP_NH_IPV4/IPV6, ESP_NH_NONE for a dummy, the echo next header). Padding
 * is the minimum that aligns the trailer (RFC 4303 2.4), filled 1, 2, 3...
 * 0, or -ENOBUFS (headroom/tailroom), -EKEYEXPIRED (the hard sequence limit:
 * the SA must be replaced; it never wraps), -EINVAL (not an outbound SA),
 * -EIO. On error pkt is unchanged, except after -EIO. */
int esp_encap(struct esp_sa *sa, struct esp_pkt *pkt, uint8_t next_header);

/* What esp_decap() found. */
struct esp_rx {
	struct esp_sa *sa;       /* the inbound SA (sa->slot: its Child SA) */
	uint64_t seq;            /* full 64-bit sequence number */
	uint8_t next_header;     /* ESP_NH_IPV4, ESP_NH_IPV6 or the table's echo next header */
};

/* Open one ESP packet (SPI first) in place. 0 with *rx filled and pkt
 * reduced to the payload, or a drop (counted):
 *   -EBADMSG  too short / misaligned (rx_bad_len), bad padding (rx_bad_pad)
 *   -ENOENT   no SA (rx_no_sa)
 *   -EALREADY replayed or too old (rx_replay_dup / rx_replay_old)
 *   -EACCES   the ICV did not verify (rx_auth); the window did not move
 *   -ENODATA  a dummy packet, next header 59 (rx_dummy): drop silently
 *   -EPROTONOSUPPORT another next header (rx_bad_nh)
 * After a drop the packet's contents are unspecified. */
int esp_decap(struct esp_table *t, struct esp_pkt *pkt, struct esp_rx *rx);

/* Octets esp_encap() adds to an inner packet of inner_len octets: for MTU
 * arithmetic (the TUN MTU is the path MTU minus outer headers minus this
 * for the largest inner packet). */
size_t esp_overhead(const struct esp_sa *sa, size_t inner_len);

#endif
