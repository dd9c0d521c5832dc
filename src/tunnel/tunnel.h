/* The data path of one TUN device: IP packets from the TUN sealed as ESP and
 * sent in UDP (RFC 3948), ESP from the peers opened and written to the TUN.
 * petreld uses it with one Child SA, petrel-gw with one per client, routed by
 * the client's virtual address.
 *
 * One libuv loop, one writer. Reads are batched (TUNNEL_BATCH packets per
 * wake-up, sent with one sendmmsg), nothing is allocated per packet (a
 * packet pool), ESP is sealed and opened in place (src/esp). Every drop is
 * counted by reason; nothing is logged per packet.
 *
 * Anti-spoofing: a packet that arrives in a Child SA must come from an
 * address inside that Child SA's remote traffic selectors (RFC 4301 5.2),
 * else it is dropped and counted; outbound, a packet goes to the Child SA
 * whose remote selectors hold its destination. */
#ifndef PETREL_TUNNEL_TUNNEL_H
#define PETREL_TUNNEL_TUNNEL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <uv.h>

#include "ike/ike.h"

#define TUNNEL_BATCH 64u           /* packets per TUN wake-up */
#define TUNNEL_POOL 1024u          /* packets in flight */
#define TUNNEL_CHILDREN_MAX 64u

struct tunnel;

struct tunnel_stats {
	uint64_t tx_packets, tx_bytes;        /* sealed and sent (inner octets) */
	uint64_t rx_packets, rx_bytes;        /* opened and written to the TUN */
	uint64_t tx_no_route;                 /* no Child SA for the destination */
	uint64_t tx_send_err;                 /* sendmmsg refused (EAGAIN...) */
	uint64_t tx_seal_err;
	uint64_t tx_bad_ip;                   /* not an IPv4/IPv6 packet */
	uint64_t rx_drop;                     /* esp_decap refused (see esp stats) */
	uint64_t rx_spoofed;                  /* inner source outside the selectors */
	uint64_t rx_tun_err;                  /* write to the TUN failed */
	uint64_t rx_echo;                     /* ESP Echo requests answered, replies passed on */
	uint64_t rx_echo_drop;                /* echo not enabled, malformed, bad return path */
	uint64_t rx_other;                    /* another next header (not IP, not echo) */
	uint64_t tx_stream, rx_stream;        /* ESP packets into / out of a stream */
	uint64_t tx_stream_err;               /* the stream refused one (full, closed) */
	uint64_t pool_empty;
	uint64_t tx_tso, tx_tso_segs;         /* TCP super-packets from the TUN, segments cut */
};

struct esp_echo;
struct esp_echo_cfg;
struct iovec;

struct tunnel_ops {
	void *ctx;
	/* A Child SA's outbound sequence numbers near their end (rekey it). */
	void (*rekey_needed)(void *ctx, uint32_t spi_in);
	/* An ESP Echo reply arrived in a Child SA (an answer to a probe of
	 * ours, tunnel_echo_probe); stream: the stream it came through, NULL
	 * for UDP or raw ESP. */
	void (*echo_reply)(void *ctx, uint32_t spi_in, const struct esp_echo *e, void *stream);
	/* Send one sealed ESP packet into a stream (RFC 9329 ESP-in-TCP); 0 or
	 * a negative errno (the packet is then dropped and counted). */
	int (*stream_send)(void *ctx, void *stream, const uint8_t *pkt, size_t len);
	/* Optional: several at once (the burst of one TUN wake-up); returns
	 * how many of the first went out (the rest are dropped and counted),
	 * or a negative errno for none. */
	int (*stream_send_many)(void *ctx, void *stream, const struct iovec *pkts, size_t n);
};

/* tun_fd: a non-blocking TUN without packet information (with a
 * virtio_net_hdr when it was opened with offloads: TCP super-packets are
 * then segmented here, TSO in userspace); udp_fd: the
 * non-blocking UDP socket on port 4500 that ESP leaves from (the tunnel
 * does not own either). */
int tunnel_new(uv_loop_t *loop, int tun_fd, int udp_fd, const struct tunnel_ops *ops,
	       struct tunnel **out);
/* Stop reading the TUN and free everything; the fds stay open. */
void tunnel_free(struct tunnel *t);

/* A Child SA to the peer at `peer`: ESP in UDP (encap 1: RFC 3948, to the
 * peer's port) or raw ESP (encap 0: IP protocol 50, through the raw socket
 * of the peer's family, tunnel_add_raw). A Child SA whose selectors equal
 * one already present replaces it as a rekey (the old pair keeps receiving
 * until tunnel_child_del). */
int tunnel_child_add(struct tunnel *t, const struct ike_child *c, const struct sockaddr *peer,
		     int encap);
/* A raw ESP socket (src/net/rawesp.h) of this family to send from and to
 * read; the tunnel polls it but does not own it. */
int tunnel_add_raw(struct tunnel *t, int family, int raw_fd);
/* Remove the Child SA with this inbound SPI (current or previous). */
void tunnel_child_del(struct tunnel *t, uint32_t spi_in);
/* The peer's address changed (NAT rebinding, MOBIKE). */
void tunnel_child_peer(struct tunnel *t, uint32_t spi_in, const struct sockaddr *peer);
/* Every Child SA's ESP goes in UDP to the peer's `port` (encap 1) or as raw ESP (0) from now
 * on: a NAT appeared in the path or went away (RFC 4555 3.5). Raw ESP
 * needs the raw socket of the peer's family (tunnel_add_raw); without it
 * the Child SA stays in UDP. */
void tunnel_set_encap(struct tunnel *t, int encap, uint16_t port);
/* One Child SA's peer and encapsulation after the peer moved (RFC 4555, a
 * gateway's view): raw ESP only when there is the raw socket. */
void tunnel_child_move(struct tunnel *t, uint32_t spi_in, const struct sockaddr *peer, int encap);
/* One ESP packet (SPI onward) received from `from`. */
void tunnel_input(struct tunnel *t, const uint8_t *pkt, size_t len, const struct sockaddr *from);
/* One ESP packet received from a stream (RFC 9329). */
void tunnel_input_stream(struct tunnel *t, const uint8_t *pkt, size_t len, void *stream);

/* ESP Echo (draft-ietf-ipsecme-encrypted-esp-ping): the code points, and
 * which Child SAs may use it (both sides sent ENCRYPTED_PING_SUPPORTED).
 * A request on such a Child SA is answered on the path it came by (its
 * stream, or UDP to the address it came from, or raw ESP); a reply goes to
 * ops.echo_reply. */
void tunnel_set_echo(struct tunnel *t, const struct esp_echo_cfg *cfg);
void tunnel_child_echo(struct tunnel *t, uint32_t spi_in, int on);
/* Send one echo request in this Child SA over UDP or raw ESP, whatever
 * path its ESP takes now (the datagram path is what probes check). */
int tunnel_echo_probe(struct tunnel *t, uint32_t spi_in, uint16_t id, uint16_t seq, size_t data_len);

/* Where a Child SA's ESP goes: into `stream` (ops.stream_send), or back to
 * UDP/raw ESP with NULL. */
void tunnel_child_stream(struct tunnel *t, uint32_t spi_in, void *stream);
/* Every Child SA that sends into this stream goes back to datagrams (the
 * stream closed). */
void tunnel_stream_gone(struct tunnel *t, void *stream);
/* Follow the peer (a responder): a Child SA's ESP goes out the way the
 * peer's last authentic data packet came in, stream or datagrams, and to
 * the UDP address it came from (a NAT that rebinds). Echo packets do not
 * move it (probes of the other path). */
void tunnel_set_follow(struct tunnel *t, int on);

void tunnel_stats(const struct tunnel *t, struct tunnel_stats *out);
/* The ESP table's counters: rx drops per reason (replays, ICV failures...). */
struct esp_stats;
void tunnel_esp_stats(const struct tunnel *t, struct esp_stats *out);

#endif
