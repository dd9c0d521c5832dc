/* RFC 9329 IKE and ESP over a TCP stream, with libuv: the TCP Originator
 * (tcpconn_connect) and the TCP Responder (tcplisten). The framing itself is
 * src/net/iketcp; this module owns the sockets, the "IKETCP" prefix, the
 * write queue and its caps, and the timers.
 *
 * Callbacks (struct tcpconn_ops), each at most once per event, never after
 * tcpconn_close() and never from inside a tcpconn_* call:
 *  - connected(err): the originator only. err == 0: the stream is up (the
 *    prefix went out first); closed() will follow some day. err != 0 (the
 *    connect failed or timed out, -ETIMEDOUT): the last callback, closed()
 *    does not run, and c is freed after connected() returns.
 *  - ike/esp: one whole frame; the buffer is valid during the call only.
 *  - closed(err): the stream ended on its own: 0 for the peer's FIN at a
 *    frame boundary, -ECONNABORTED for a FIN inside a frame or the prefix
 *    (RFC 9329 6: the partial message is discarded), -EPROTO for a broken
 *    stream (a wrong prefix, a Length below 2, too many bad frames),
 *    -ETIMEDOUT for no prefix in time, or the libuv/socket error (RST,
 *    write error). It is the last callback; c is freed after it returns.
 * Any callback may call tcpconn_close(c) on its own stream (then nothing
 * further runs, not even closed) or send on it.
 *
 * RFC 9329 3 (and the transport spec digest, 4.1): the one-octet 0xFF NAT
 * keepalive is never sent on TCP (espintcp before its short-message fix
 * tears the stream down on it); received ones are counted and dropped. Liveness is TCP keepalive instead, with
 * TCP_NODELAY because ESP in TCP is latency sensitive.
 *
 * Memory: a stream holds its ~64 KiB frame buffer and a read buffer, plus at
 * most PT_NET_TCP_QUEUE_MAX_LEN of queued frames (src/base/limits.h). Every
 * object is freed in libuv's close callbacks. Errors are negative errnos
 * (libuv codes pass through). */
#ifndef PETREL_NET_TCPCONN_H
#define PETREL_NET_TCPCONN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <uv.h>

/* RFC 9329 4: the responder may close a stream that does not start with the
 * prefix; a few seconds is enough for any real originator. */
#define TCPCONN_PREFIX_TIMEOUT_MS 5000u
/* Seconds of idleness before TCP keepalive probes (uv_tcp_keepalive). */
#define TCPCONN_KEEPALIVE_S 20u
#define TCPLISTEN_BACKLOG 128

struct tcpconn;
struct tcplisten;

struct tcpconn_ops {
	void *ctx;
	void (*connected)(void *ctx, struct tcpconn *c, int err);
	/* An IKE message, the non-ESP marker removed. */
	void (*ike)(void *ctx, struct tcpconn *c, const uint8_t *msg, size_t len);
	/* An ESP packet, SPI first. */
	void (*esp)(void *ctx, struct tcpconn *c, const uint8_t *pkt, size_t len);
	void (*closed)(void *ctx, struct tcpconn *c, int err);
};

struct tcpconn_stats {
	uint64_t rx_ike, rx_esp, tx_ike, tx_esp;
	uint64_t rx_bytes, tx_bytes;    /* stream octets, prefix included */
	uint64_t rx_keepalives;         /* 0xFF frames, dropped (RFC 9329 3) */
	uint64_t rx_bad;                /* frames neither IKE, ESP nor keepalive */
	uint64_t drop_no_ops;           /* frames with no ike/esp callback set */
	uint64_t drop_partial;          /* a frame cut by the end of the stream */
	uint64_t drop_esp_full;         /* send refused: over PT_NET_TCP_ESP_QUEUE_MAX_LEN */
	uint64_t drop_ike_full;         /* send refused: over PT_NET_TCP_QUEUE_MAX_LEN */
	uint64_t write_err;
};

struct tcplisten_stats {
	uint64_t accepted;              /* handed to accept_fn */
	uint64_t refused_full;          /* accepted and closed: PT_NET_TCP_CONNS_MAX open */
	uint64_t accept_err;
	uint64_t bad_prefix;            /* closed: the first octets were not "IKETCP" */
	uint64_t prefix_timeout;        /* closed: no whole prefix in time */
	uint64_t open;                  /* accepted streams open now */
};

/* TCP Originator: connect to `to` (its port included), from `local` (NULL:
 * any address and port), giving up after timeout_ms (0: the system's
 * limit). The prefix is queued at once, so frames may be sent before
 * connected() runs; they follow it. On failure nothing runs and *out stays
 * NULL. */
int tcpconn_connect(uv_loop_t *loop, const struct sockaddr *to, const struct sockaddr *local,
		    uint32_t timeout_ms, const struct tcpconn_ops *ops, struct tcpconn **out);
/* Queue one IKE message / one ESP packet as one frame (a frame is written
 * whole or the stream ends: never a part followed by another frame).
 * -EMSGSIZE: it cannot be framed (IKE over 65,529 octets, ESP under 4 or
 * over 65,533); -ENOBUFS: over the queue cap (counted); -EPIPE: the stream
 * is closing. */
int tcpconn_send_ike(struct tcpconn *c, const uint8_t *msg, size_t len);
int tcpconn_send_esp(struct tcpconn *c, const uint8_t *pkt, size_t len);
/* Several ESP packets as consecutive frames in one write (one system call
 * for a burst from the TUN): the first k that fit under the ESP cap, each
 * whole; returns k (>= 1), or -ENOBUFS when none fits (the rest are counted
 * in drop_esp_full), -EMSGSIZE, -EPIPE. */
struct iovec;
int tcpconn_send_esp_many(struct tcpconn *c, const struct iovec *pkts, size_t n);
/* Close now, dropping what is queued: no callback runs after this call.
 * Freed in libuv's close callback. NULL is ignored. */
void tcpconn_close(struct tcpconn *c);
/* Copy the callbacks (for accepted streams, from accept_fn). */
void tcpconn_set_ops(struct tcpconn *c, const struct tcpconn_ops *ops);
int tcpconn_peer(const struct tcpconn *c, struct sockaddr_storage *out);
int tcpconn_local(const struct tcpconn *c, struct sockaddr_storage *out);
/* Octets of frames queued and not yet written. */
size_t tcpconn_queued(const struct tcpconn *c);
const struct tcpconn_stats *tcpconn_stats(const struct tcpconn *c);

/* TCP Responder: listen on addr (its port ignored) at `port` (4500
 * normally; 0 for an ephemeral one). accept_fn runs for each new stream
 * before its prefix is read, and sets its ops (tcpconn_set_ops); reading
 * starts after accept_fn returns. The module closes a stream whose first
 * six octets are not "IKETCP" (closed(-EPROTO)) or that sends no whole
 * prefix within TCPCONN_PREFIX_TIMEOUT_MS (closed(-ETIMEDOUT)), counting
 * both. Beyond PT_NET_TCP_CONNS_MAX open accepted streams a new one is
 * accepted and closed at once, counted. On failure *out stays NULL. */
int tcplisten_new(uv_loop_t *loop, const struct sockaddr *addr, uint16_t port,
		  void (*accept_fn)(void *ctx, struct tcpconn *c), void *ctx,
		  struct tcplisten **out);
/* Lower the prefix timeout or the stream cap (tests, a small gateway). */
void tcplisten_set_prefix_timeout(struct tcplisten *l, uint32_t ms);
void tcplisten_set_conns_max(struct tcplisten *l, uint32_t max);
int tcplisten_local(const struct tcplisten *l, struct sockaddr_storage *out);
const struct tcplisten_stats *tcplisten_stats(const struct tcplisten *l);
/* Stop accepting and free; `done` (may be NULL) runs once after. Streams
 * already accepted stay open and belong to their owner. */
void tcplisten_close(struct tcplisten *l, void (*done)(void *ctx), void *ctx);

#endif
