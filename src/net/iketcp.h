/* RFC 9329 stream framing, without sockets: the "IKETCP" prefix, the 16-bit
 * Length that counts itself, and telling IKE (non-ESP marker) from ESP (a
 * non-zero SPI) and keepalives (one 0xFF octet). The TCP transport of the
 * separate-transports work (draft-ietf-ipsecme-ikev2-reliable-transport)
 * feeds received bytes in whatever pieces TCP delivers and gets whole frames
 * back; a partial frame is kept until the rest arrives, and dropped when the
 * connection is reset (RFC 9329 6: a partly received message is discarded).
 *
 *   stream  = "IKETCP" frame*            (the prefix only from the opener)
 *   frame   = Length(16) payload          Length = 2 + payload octets
 *   payload = 00000000 IKE-message | ESP-packet | FF */
#ifndef PETREL_NET_IKETCP_H
#define PETREL_NET_IKETCP_H

#include <stddef.h>
#include <stdint.h>

#include "base/wbuf.h"

#define IKETCP_PREFIX "IKETCP"
#define IKETCP_PREFIX_LEN 6u
#define IKETCP_LEN_LEN 2u
#define IKETCP_MARKER_LEN 4u
#define IKETCP_PAYLOAD_MAX (65535u - IKETCP_LEN_LEN)
/* RFC 9329 6: close after this many frames in a row that are neither IKE,
 * ESP nor a keepalive. */
#define IKETCP_BAD_IN_A_ROW_MAX 8u

enum iketcp_kind {
	IKETCP_IKE,       /* p is the IKE message (marker removed) */
	IKETCP_ESP,       /* p is the ESP packet, SPI first */
};

struct iketcp_stats {
	uint64_t ike, esp, keepalives;
	uint64_t bad;          /* 1..4 payload octets that are not a keepalive, short IKE */
};

struct iketcp_rx {
	int expect_prefix;     /* responder: the stream must start with "IKETCP" */
	uint8_t prefix_have;
	uint8_t len_have;
	uint8_t len_buf[IKETCP_LEN_LEN];
	size_t want, have;     /* payload octets of the frame being read */
	unsigned bad_in_a_row;
	int stop;              /* set by iketcp_rx_stop() from a frame callback */
	struct iketcp_stats st;
	uint8_t buf[IKETCP_PAYLOAD_MAX];
};

typedef void (*iketcp_frame_fn)(void *ctx, enum iketcp_kind kind, const uint8_t *p, size_t len);

/* expect_prefix: 1 on the accepting side. */
void iketcp_rx_init(struct iketcp_rx *rx, int expect_prefix);
/* A new connection: what was half read is discarded (counters stay). */
void iketcp_rx_reset(struct iketcp_rx *rx);
/* Feed received bytes; fn runs for every complete IKE or ESP frame, in
 * order. 0, or -EPROTO when the stream is broken and must be closed: a
 * wrong prefix, a Length below 2, or too many bad frames in a row. */
int iketcp_rx_feed(struct iketcp_rx *rx, const uint8_t *data, size_t len, iketcp_frame_fn fn,
		   void *ctx);
/* From inside a frame callback: the stream is being closed, so the running
 * iketcp_rx_feed() returns -ECANCELED at once without reading further
 * bytes (the owner of a TCP stream may close it from a callback). Cleared
 * by iketcp_rx_init() and iketcp_rx_reset(). */
void iketcp_rx_stop(struct iketcp_rx *rx);

/* Sending: the prefix once per connection, then frames. 0 or the buffer's
 * sticky error; -EMSGSIZE when the message cannot be framed (IKE at most
 * 65,529 octets, RFC 9329 3). */
int iketcp_put_prefix(struct wb *w);
int iketcp_put_ike(struct wb *w, const uint8_t *msg, size_t len);
int iketcp_put_esp(struct wb *w, const uint8_t *pkt, size_t len);

#endif
