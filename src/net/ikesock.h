/* IKE over UDP (RFC 7296 2.23, RFC 3948): one object owning two UDP sockets
 * on one local address, the IKE port (500) and the NAT-T port (4500).
 *
 * On the NAT-T port every IKE message carries the 4-octet non-ESP marker
 * (RFC 3948 2.2): ikesock strips it on receive and adds it on send. A
 * datagram there whose first four octets are not zero is ESP (RFC 3948
 * 2.1): it goes to the optional ESP callback, or is counted and dropped. A
 * single 0xff octet is a NAT keepalive (RFC 3948 2.3): counted, ignored.
 *
 * libuv rules: ikesock_close() takes the object; it is freed in the last
 * close callback, after which `done` runs exactly once. Receive is bounded
 * per wake-up by libuv (a fixed number of datagrams per poll event), and the
 * receive buffer is one datagram of PT_IKE_MSG_MAX_LEN + marker; a datagram
 * that did not fit is counted and dropped. Sends copy the message (IKE is not
 * a hot path) and at most IKESOCK_SENDS_MAX may be in flight. Errors are
 * negative errnos (libuv codes pass through). */
#ifndef PETREL_NET_IKESOCK_H
#define PETREL_NET_IKESOCK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <uv.h>

#define IKESOCK_PORT_IKE 500u
#define IKESOCK_PORT_NATT 4500u
#define IKESOCK_SENDS_MAX 256u
#define IKESOCK_MARKER_LEN 4u

enum ikesock_port { IKESOCK_IKE = 0, IKESOCK_NATT = 1 };

struct ikesock;

/* One IKE message (marker already stripped); `port` says which socket. */
typedef void (*ikesock_recv_fn)(void *ctx, const uint8_t *msg, size_t len,
				const struct sockaddr *from, enum ikesock_port port);
/* One ESP packet from the NAT-T port (SPI onward). */
typedef void (*ikesock_esp_fn)(void *ctx, const uint8_t *pkt, size_t len,
			       const struct sockaddr *from);

struct ikesock_stats {
	uint64_t rx_ike, tx_ike;
	uint64_t rx_esp;          /* handed to the ESP callback */
	uint64_t drop_esp;        /* ESP with no callback */
	uint64_t keepalives;      /* RFC 3948 2.3 */
	uint64_t drop_runt;       /* shorter than an IKE header or a marker */
	uint64_t drop_truncated;  /* did not fit the receive buffer */
	uint64_t drop_recv_err;
	uint64_t drop_send_busy;  /* IKESOCK_SENDS_MAX in flight */
	uint64_t send_err;
};

/* Bind both sockets on `addr` (AF_INET or AF_INET6; its port is ignored)
 * at port_ike and port_natt (0: an ephemeral port, for a client), and start
 * receiving. On failure nothing is left behind and *out stays NULL. */
int ikesock_new(uv_loop_t *loop, const struct sockaddr *addr, uint16_t port_ike,
		uint16_t port_natt, ikesock_recv_fn recv, void *ctx, struct ikesock **out);
void ikesock_set_esp(struct ikesock *s, ikesock_esp_fn esp);
/* Send one IKE message to `to` from the IKE or the NAT-T socket (the latter
 * with the non-ESP marker). 0, -EMSGSIZE, -ENOBUFS, -EAFNOSUPPORT or a libuv
 * code. */
int ikesock_send(struct ikesock *s, const uint8_t *msg, size_t len, const struct sockaddr *to,
		 enum ikesock_port port);
/* Send one NAT keepalive (RFC 3948 2.3) from the NAT-T socket. */
int ikesock_send_keepalive(struct ikesock *s, const struct sockaddr *to);
/* The bound address and port of one socket. */
int ikesock_local(const struct ikesock *s, enum ikesock_port port, struct sockaddr_storage *out);
const struct ikesock_stats *ikesock_stats(const struct ikesock *s);
/* The socket's descriptor, for the ESP data path to send from (it stays
 * owned by ikesock); -1 when closed. */
int ikesock_fd(const struct ikesock *s, enum ikesock_port port);
/* Stop, close both sockets, free; `done` (may be NULL) runs once after. */
void ikesock_close(struct ikesock *s, void (*done)(void *ctx), void *ctx);

#endif
