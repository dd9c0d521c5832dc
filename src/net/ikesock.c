/* IKE over UDP 500/4500 with libuv (see ikesock.h). */
#include "net/ikesock.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "base/log.h"

#define NET_LOG "net"
/* RFC 7296 3.1: the IKE header is 28 octets. */
#define IKE_HDR_LEN 28u
#define RX_BUF_LEN (PT_IKE_MSG_MAX_LEN + IKESOCK_MARKER_LEN)

struct ikesock;

struct ikesock_udp {
	uv_udp_t h;
	struct ikesock *s;
	enum ikesock_port port;
	int open;          /* uv_udp_init succeeded: must be closed */
};

struct ikesock {
	struct ikesock_udp u[2];
	ikesock_recv_fn recv;
	ikesock_esp_fn esp;
	void *ctx;
	unsigned closing;  /* handles still to close */
	unsigned sends;    /* in flight */
	int freeing;
	void (*done)(void *ctx);
	void *done_ctx;
	struct ikesock_stats st;
	uint8_t rx[RX_BUF_LEN];
	int rx_busy;       /* the one receive buffer is lent to libuv */
};

struct send_req {
	uv_udp_send_t req;
	struct ikesock *s;
	size_t len;
	uint8_t data[];
};

static void maybe_free(struct ikesock *s)
{
	if (s->freeing && !s->closing && !s->sends) {
		void (*done)(void *) = s->done;
		void *ctx = s->done_ctx;
		free(s);
		if (done)
			done(ctx);
	}
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct ikesock_udp *u = h->data;
	struct ikesock *s = u->s;
	(void)suggested;
	/* One datagram at a time: libuv hands the buffer back in on_recv
	 * before it asks again. */
	if (s->rx_busy) {
		*buf = uv_buf_init(NULL, 0);
		return;
	}
	s->rx_busy = 1;
	*buf = uv_buf_init((char *)s->rx, sizeof(s->rx));
}

static void on_recv(uv_udp_t *h, ssize_t nread, const uv_buf_t *buf,
		    const struct sockaddr *from, unsigned flags)
{
	struct ikesock_udp *u = h->data;
	struct ikesock *s = u->s;
	const uint8_t *p = (const uint8_t *)buf->base;

	if (buf->base == (char *)s->rx)
		s->rx_busy = 0;
	if (nread == 0 && !from)
		return; /* nothing more to read now */
	if (nread < 0) {
		s->st.drop_recv_err++;
		log_debug(NET_LOG, "receive error on port %s: %s",
			  u->port == IKESOCK_NATT ? "nat-t" : "ike", uv_strerror((int)nread));
		return;
	}
	if (!from || !p)
		return;
	if (flags & UV_UDP_PARTIAL) {
		s->st.drop_truncated++;
		return;
	}
	size_t len = (size_t)nread;
	if (u->port == IKESOCK_NATT) {
		/* RFC 3948 2.3: a NAT keepalive is one octet 0xff. */
		if (len == 1 && p[0] == 0xff) {
			s->st.keepalives++;
			return;
		}
		if (len < IKESOCK_MARKER_LEN) {
			s->st.drop_runt++;
			return;
		}
		/* RFC 3948 2.2: the non-ESP marker; otherwise the SPI of ESP. */
		if (p[0] | p[1] | p[2] | p[3]) {
			if (s->esp) {
				s->st.rx_esp++;
				s->esp(s->ctx, p, len, from);
			} else {
				s->st.drop_esp++;
			}
			return;
		}
		p += IKESOCK_MARKER_LEN;
		len -= IKESOCK_MARKER_LEN;
	}
	if (len < IKE_HDR_LEN) {
		s->st.drop_runt++;
		return;
	}
	s->st.rx_ike++;
	s->recv(s->ctx, p, len, from, u->port);
}

static int udp_open(uv_loop_t *loop, struct ikesock *s, enum ikesock_port port,
		    const struct sockaddr *addr, uint16_t num)
{
	struct ikesock_udp *u = &s->u[port];
	struct sockaddr_storage ss;
	unsigned bflags = 0;
	int rc;

	memset(&ss, 0, sizeof(ss));
	if (addr->sa_family == AF_INET) {
		memcpy(&ss, addr, sizeof(struct sockaddr_in));
		((struct sockaddr_in *)&ss)->sin_port = htons(num);
	} else if (addr->sa_family == AF_INET6) {
		memcpy(&ss, addr, sizeof(struct sockaddr_in6));
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(num);
		bflags = UV_UDP_IPV6ONLY;
	} else {
		return -EAFNOSUPPORT;
	}
	u->s = s;
	u->port = port;
	if ((rc = uv_udp_init(loop, &u->h)))
		return rc;
	u->open = 1;
	u->h.data = u;
	if ((rc = uv_udp_bind(&u->h, (const struct sockaddr *)&ss, bflags)))
		return rc;
	return uv_udp_recv_start(&u->h, on_alloc, on_recv);
}

static void on_close(uv_handle_t *h)
{
	struct ikesock_udp *u = h->data;
	struct ikesock *s = u->s;
	s->closing--;
	maybe_free(s);
}

void ikesock_close(struct ikesock *s, void (*done)(void *ctx), void *ctx)
{
	if (!s)
		return;
	s->freeing = 1;
	s->done = done;
	s->done_ctx = ctx;
	for (int i = 0; i < 2; i++) {
		if (!s->u[i].open)
			continue;
		s->u[i].open = 0;
		uv_udp_recv_stop(&s->u[i].h);
		s->closing++;
		uv_close((uv_handle_t *)&s->u[i].h, on_close);
	}
	maybe_free(s);
}

int ikesock_new(uv_loop_t *loop, const struct sockaddr *addr, uint16_t port_ike,
		uint16_t port_natt, ikesock_recv_fn recv, void *ctx, struct ikesock **out)
{
	struct ikesock *s;
	int rc;

	*out = NULL;
	if (!recv || !addr)
		return -EINVAL;
	if (!(s = calloc(1, sizeof(*s))))
		return -ENOMEM;
	s->recv = recv;
	s->ctx = ctx;
	if ((rc = udp_open(loop, s, IKESOCK_IKE, addr, port_ike)) ||
	    (rc = udp_open(loop, s, IKESOCK_NATT, addr, port_natt))) {
		/* libuv: the handles must still be closed; the object goes
		 * away in the close callbacks. */
		ikesock_close(s, NULL, NULL);
		return rc;
	}
	*out = s;
	return 0;
}

void ikesock_set_esp(struct ikesock *s, ikesock_esp_fn esp) { s->esp = esp; }

static void on_sent(uv_udp_send_t *req, int status)
{
	struct send_req *r = req->data;
	struct ikesock *s = r->s;
	if (status) {
		s->st.send_err++;
		log_debug(NET_LOG, "send of %zu bytes failed: %s", r->len, uv_strerror(status));
	}
	free(r);
	s->sends--;
	maybe_free(s);
}

static int send_raw(struct ikesock *s, enum ikesock_port port, const uint8_t *pfx, size_t pfx_len,
		    const uint8_t *msg, size_t len, const struct sockaddr *to)
{
	struct ikesock_udp *u = &s->u[port];
	int rc;

	if (s->freeing || !u->open)
		return -EPIPE;
	if (to->sa_family != AF_INET && to->sa_family != AF_INET6)
		return -EAFNOSUPPORT;
	if (len > PT_IKE_UDP_MSG_MAX_LEN - pfx_len)
		return -EMSGSIZE;
	if (s->sends >= IKESOCK_SENDS_MAX) {
		s->st.drop_send_busy++;
		return -ENOBUFS;
	}
	struct send_req *r = malloc(sizeof(*r) + pfx_len + len);
	if (!r)
		return -ENOMEM;
	r->s = s;
	r->len = pfx_len + len;
	r->req.data = r;
	if (pfx_len)
		memcpy(r->data, pfx, pfx_len);
	memcpy(r->data + pfx_len, msg, len);
	uv_buf_t b = uv_buf_init((char *)r->data, (unsigned)r->len);
	if ((rc = uv_udp_send(&r->req, &u->h, &b, 1, to, on_sent))) {
		free(r);
		s->st.send_err++;
		return rc;
	}
	s->sends++;
	return 0;
}

int ikesock_send(struct ikesock *s, const uint8_t *msg, size_t len, const struct sockaddr *to,
		 enum ikesock_port port)
{
	static const uint8_t marker[IKESOCK_MARKER_LEN];
	int rc = send_raw(s, port, marker, port == IKESOCK_NATT ? sizeof(marker) : 0, msg, len, to);
	if (!rc)
		s->st.tx_ike++;
	return rc;
}

int ikesock_send_keepalive(struct ikesock *s, const struct sockaddr *to)
{
	static const uint8_t ka = 0xff;
	return send_raw(s, IKESOCK_NATT, NULL, 0, &ka, 1, to);
}

int ikesock_local(const struct ikesock *s, enum ikesock_port port, struct sockaddr_storage *out)
{
	int len = (int)sizeof(*out);
	if (!s->u[port].open)
		return -EBADF;
	return uv_udp_getsockname(&s->u[port].h, (struct sockaddr *)out, &len);
}

const struct ikesock_stats *ikesock_stats(const struct ikesock *s) { return &s->st; }

int ikesock_fd(const struct ikesock *s, enum ikesock_port port)
{
	uv_os_fd_t fd;
	if (!s || !s->u[port].open || uv_fileno((const uv_handle_t *)&s->u[port].h, &fd))
		return -1;
	return fd;
}
