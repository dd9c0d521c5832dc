/* The TUN <-> ESP-in-UDP data path. */
#define _GNU_SOURCE
#include "tunnel/tunnel.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <netinet/udp.h>
#include <unistd.h>

#include "base/log.h"
#include "esp/echo.h"
#include "esp/encap.h"
#include "esp/esp.h"
#include "esp/pkt.h"
#include "esp/sa.h"
#include "net/addr.h"
#include "net/tun.h"
#include "tunnel/offload.h"
#include "net/rawesp.h"

#define TLOG "tunnel"
#define TUNNEL_BIG (OFF_VNET_HDR_LEN + 65535u)
#define TUNNEL_GSO_MAX 64u        /* UDP_MAX_SEGMENTS of the oldest kernels we meet */
#define TUNNEL_GSO_BYTES 65000u   /* a GSO datagram's payload stays under 64 KiB */
/* Room the ESP trailer and ICV need behind the inner packet. */
#define TAIL_NEED (ESP_CBC_ALIGN + ESP_TRAILER_LEN + ESP_ICV_MAX_LEN)

struct tchild {
	int used;
	unsigned slot;
	uint32_t spi_in, spi_in_prev;
	int rekey_told;
	int encap;           /* 1: ESP in UDP; 0: raw ESP */
	int echo;            /* ESP Echo agreed for this Child SA */
	void *stream;        /* ESP goes into this stream; NULL: datagrams */
	struct sockaddr_storage peer;
	struct ike_ts_cfg ts_local[IKE_CFG_TS_MAX], ts_remote[IKE_CFG_TS_MAX];
	size_t n_ts_local, n_ts_remote;
};

struct raw {
	int fd;              /* -1: none */
	int family;
	uv_poll_t poll;
	struct tunnel *t;
};

struct tunnel {
	uv_loop_t *loop;
	int tun_fd, udp_fd;
	uv_poll_t poll;
	struct raw raw[2];   /* AF_INET, AF_INET6 */
	int closing;         /* handles still to close */
	struct tunnel_ops ops;
	struct esp_echo_cfg echo;
	int echo_on;
	int follow;          /* responder: answer the way the peer's data came */
	struct esp_table *table;
	struct esp_pool *pool;
	struct tchild children[TUNNEL_CHILDREN_MAX];
	struct tunnel_stats st;
	uint8_t *big;        /* TUN with a virtio_net_hdr: one read of up to 64 KiB */
	struct esp_pkt *batch[TUNNEL_BATCH];
	struct mmsghdr msgs[TUNNEL_BATCH];
	struct iovec iov[TUNNEL_BATCH];
	struct esp_pkt *sbatch[TUNNEL_BATCH]; /* sealed packets for one stream */
	struct iovec siov[TUNNEL_BATCH];
	int gso;             /* UDP GSO (UDP_SEGMENT) on the UDP socket */
	struct mmsghdr gmsgs[TUNNEL_BATCH];
	uint8_t gcnt[TUNNEL_BATCH];
	_Alignas(struct cmsghdr) uint8_t gcmsg[TUNNEL_BATCH][CMSG_SPACE(sizeof(uint16_t))];
};

static socklen_t sa_len(const struct sockaddr_storage *s)
{
	return s->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
}

/* The address of an IP packet (src or dst) and its family, or 0. */
static int ip_addr(const uint8_t *p, size_t len, int dst, const uint8_t **addr)
{
	if (len >= 20 && (p[0] >> 4) == 4) {
		*addr = p + (dst ? 16 : 12);
		return 4;
	}
	if (len >= 40 && (p[0] >> 4) == 6) {
		*addr = p + (dst ? 24 : 8);
		return 6;
	}
	return 0;
}

static int ts_holds(const struct ike_ts_cfg *ts, size_t n, int v, const uint8_t *addr)
{
	uint8_t type = v == 6 ? IKE_TS_IPV6_ADDR_RANGE : IKE_TS_IPV4_ADDR_RANGE;
	size_t alen = v == 6 ? 16 : 4;
	for (size_t i = 0; i < n; i++)
		if (ts[i].type == type && memcmp(addr, ts[i].start, alen) >= 0 && /* public-memcmp */
		    memcmp(addr, ts[i].end, alen) <= 0)                         /* public-memcmp */
			return 1;
	return 0;
}

static struct tchild *child_for_dst(struct tunnel *t, int v, const uint8_t *dst)
{
	for (size_t i = 0; i < TUNNEL_CHILDREN_MAX; i++) {
		struct tchild *c = &t->children[i];
		if (c->used && ts_holds(c->ts_remote, c->n_ts_remote, v, dst))
			return c;
	}
	return NULL;
}

static struct tchild *child_by_slot(struct tunnel *t, unsigned slot)
{
	for (size_t i = 0; i < TUNNEL_CHILDREN_MAX; i++)
		if (t->children[i].used && t->children[i].slot == slot)
			return &t->children[i];
	return NULL;
}

static struct tchild *child_by_spi(struct tunnel *t, uint32_t spi_in)
{
	for (size_t i = 0; i < TUNNEL_CHILDREN_MAX; i++) {
		struct tchild *c = &t->children[i];
		if (c->used && (c->spi_in == spi_in || c->spi_in_prev == spi_in))
			return c;
	}
	return NULL;
}

/* Send what the batch holds with one sendmmsg, then return the packets. */
/* sendmmsg over msgs[0..n), each message `cnt[i]` packets (batch[] in
 * order); counts what went out. */
static void send_msgs(struct tunnel *t, int fd, struct mmsghdr *msgs, const uint8_t *cnt, unsigned n)
{
	unsigned sent = 0, pkt = 0;
	while (sent < n) {
		int r = sendmmsg(fd, msgs + sent, n - sent, MSG_DONTWAIT);
		if (r <= 0) {
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0 && cnt && (errno == EIO || errno == EINVAL) && t->gso) {
				/* UDP_SEGMENT refused (an old kernel, a device without
				 * checksum offload): plain datagrams from now on */
				log_info(TLOG, "UDP segmentation offload refused (%s): one datagram per packet",
					 strerror(errno));
				t->gso = 0;
			}
			for (unsigned i = sent; i < n; i++)
				t->st.tx_send_err += cnt ? cnt[i] : 1; /* the socket is full: drop, TCP recovers */
			break;
		}
		for (unsigned i = sent; i < sent + (unsigned)r; i++)
			for (unsigned k = 0; k < (cnt ? cnt[i] : 1u); k++, pkt++) {
				t->st.tx_packets++;
				t->st.tx_bytes += (uint64_t)t->batch[pkt]->user;
			}
		sent += (unsigned)r;
	}
}

/* Send what the batch holds, then return the packets. On the UDP socket,
 * runs of packets to the same peer with the same length (the last of a
 * run may be shorter) go as one UDP GSO datagram (UDP_SEGMENT): one trip
 * through the stack, the NAT and veth for up to TUNNEL_GSO_MAX packets. */
static void flush(struct tunnel *t, int fd, unsigned n)
{
	if (fd != t->udp_fd || !t->gso || n < 2) {
		send_msgs(t, fd, t->msgs, NULL, n);
	} else {
		unsigned g = 0;
		for (unsigned i = 0; i < n;) {
			size_t seg = t->iov[i].iov_len, bytes = seg;
			unsigned k = i + 1;
			while (k < n && k - i < TUNNEL_GSO_MAX && t->msgs[k].msg_hdr.msg_name == t->msgs[i].msg_hdr.msg_name &&
			       t->iov[k].iov_len <= seg && bytes + t->iov[k].iov_len <= TUNNEL_GSO_BYTES) {
				bytes += t->iov[k].iov_len;
				if (t->iov[k++].iov_len < seg)
					break; /* a shorter one ends the run */
			}
			struct msghdr *m = &t->gmsgs[g].msg_hdr;
			memset(&t->gmsgs[g], 0, sizeof(t->gmsgs[g]));
			m->msg_name = t->msgs[i].msg_hdr.msg_name;
			m->msg_namelen = t->msgs[i].msg_hdr.msg_namelen;
			m->msg_iov = &t->iov[i];
			m->msg_iovlen = k - i;
			if (k - i > 1) {
				m->msg_control = t->gcmsg[g];
				m->msg_controllen = CMSG_SPACE(sizeof(uint16_t));
				struct cmsghdr *cm = CMSG_FIRSTHDR(m);
				cm->cmsg_level = SOL_UDP;
				cm->cmsg_type = UDP_SEGMENT;
				cm->cmsg_len = CMSG_LEN(sizeof(uint16_t));
				uint16_t s16 = (uint16_t)seg;
				memcpy(CMSG_DATA(cm), &s16, sizeof(s16));
			}
			t->gcnt[g++] = (uint8_t)(k - i);
			i = k;
		}
		send_msgs(t, fd, t->gmsgs, t->gcnt, g);
	}
	for (unsigned k = 0; k < n; k++)
		esp_pool_put(t->pool, t->batch[k]);
}

/* One sealed packet into a stream; the packet goes back to the pool. */
static void stream_out(struct tunnel *t, void *stream, struct esp_pkt *p)
{
	if (t->ops.stream_send && t->ops.stream_send(t->ops.ctx, stream, p->data, p->len) == 0) {
		t->st.tx_stream++;
		t->st.tx_packets++;
		t->st.tx_bytes += (uint64_t)p->user;
	} else {
		t->st.tx_stream_err++;
	}
	esp_pool_put(t->pool, p);
}

/* One sealed packet over UDP or raw ESP to `to` (NULL: the Child SA's
 * peer). */
static int dgram_out(struct tunnel *t, const struct tchild *c, const struct esp_pkt *p,
		     const struct sockaddr *to)
{
	int fd = c->encap ? t->udp_fd : t->raw[c->peer.ss_family == AF_INET6].fd;
	if (fd < 0)
		return -EBADF;
	if (!to || to->sa_family != c->peer.ss_family || !c->encap)
		to = (const struct sockaddr *)&c->peer;
	ssize_t r = sendto(fd, p->data, p->len, MSG_DONTWAIT, to,
			   to->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in));
	return r == (ssize_t)p->len ? 0 : -errno;
}

/* The packets of one TUN wake-up, sealed and queued for one sendmmsg per
 * socket. */
struct txq {
	unsigned n;
	int fd;
	unsigned sn;         /* packets waiting for stream `stream` */
	void *stream;
};

/* The packets waiting for one stream, in one write (ops.stream_send_many). */
static void stream_flush(struct tunnel *t, struct txq *q)
{
	for (unsigned i = 0; i < q->sn; i++) {
		t->siov[i].iov_base = t->sbatch[i]->data;
		t->siov[i].iov_len = t->sbatch[i]->len;
	}
	int k = t->ops.stream_send_many(t->ops.ctx, q->stream, t->siov, q->sn);
	unsigned sent = k > 0 ? (unsigned)k : 0;
	for (unsigned i = 0; i < q->sn; i++) {
		if (i < sent) {
			t->st.tx_stream++;
			t->st.tx_packets++;
			t->st.tx_bytes += (uint64_t)t->sbatch[i]->user;
		} else {
			t->st.tx_stream_err++;
		}
		esp_pool_put(t->pool, t->sbatch[i]);
	}
	q->sn = 0;
}

/* One inner IP packet in p (from the TUN): to its Child SA, sealed, queued
 * or into its stream; p is consumed. */
static void tx_one(struct tunnel *t, struct esp_pkt *p, struct txq *q)
{
	const uint8_t *dst;
	int v = ip_addr(p->data, p->len, 1, &dst);
	if (!v) {
		t->st.tx_bad_ip++;
		esp_pool_put(t->pool, p);
		return;
	}
	struct tchild *c = child_for_dst(t, v, dst);
	struct esp_sa *sa = c ? esp_table_out(t->table, c->slot) : NULL;
	if (!sa) {
		t->st.tx_no_route++;
		esp_pool_put(t->pool, p);
		return;
	}
	p->user = p->len;
	if (esp_encap(sa, p, v == 6 ? ESP_NH_IPV6 : ESP_NH_IPV4)) {
		t->st.tx_seal_err++;
		esp_pool_put(t->pool, p);
		return;
	}
	if (esp_sa_rekey_needed(sa) && !c->rekey_told && t->ops.rekey_needed) {
		c->rekey_told = 1;
		t->ops.rekey_needed(t->ops.ctx, c->spi_in);
	}
	if (c->stream && t->ops.stream_send_many) {
		if (q->sn && (q->stream != c->stream || q->sn == TUNNEL_BATCH))
			stream_flush(t, q);
		q->stream = c->stream;
		t->sbatch[q->sn++] = p;
		return;
	}
	if (c->stream) {
		stream_out(t, c->stream, p);
		return;
	}
	int fd = c->encap ? t->udp_fd : t->raw[c->peer.ss_family == AF_INET6].fd;
	if (fd < 0) {
		t->st.tx_send_err++;
		esp_pool_put(t->pool, p);
		return;
	}
	/* one sendmmsg per socket: flush when the batch changes sockets or fills */
	if (q->n && (fd != q->fd || q->n == TUNNEL_BATCH)) {
		flush(t, q->fd, q->n);
		q->n = 0;
	}
	q->fd = fd;
	unsigned n = q->n++;
	t->batch[n] = p;
	t->iov[n].iov_base = p->data;
	t->iov[n].iov_len = p->len;
	memset(&t->msgs[n], 0, sizeof(t->msgs[n]));
	t->msgs[n].msg_hdr.msg_name = &c->peer;
	t->msgs[n].msg_hdr.msg_namelen = sa_len(&c->peer);
	t->msgs[n].msg_hdr.msg_iov = &t->iov[n];
	t->msgs[n].msg_hdr.msg_iovlen = 1;
}

/* Copy one packet into a pool packet and send it on. */
static void tx_copy(struct tunnel *t, const uint8_t *data, size_t len, struct txq *q)
{
	struct esp_pkt *p = esp_pool_get(t->pool);
	if (!p) {
		t->st.pool_empty++;
		return;
	}
	if (len > esp_pkt_tailroom(p) - TAIL_NEED) {
		t->st.tx_bad_ip++; /* larger than the TUN's MTU allows */
		esp_pool_put(t->pool, p);
		return;
	}
	memcpy(p->data, data, len);
	p->len = len;
	tx_one(t, p, q);
}

struct seg_ctx {
	struct tunnel *t;
	struct txq *q;
};

static void on_segment(void *ctx, unsigned i, const uint8_t *seg, size_t len)
{
	struct seg_ctx *sc = ctx;
	(void)i;
	sc->t->st.tx_tso_segs++;
	tx_copy(sc->t, seg, len, sc->q);
}

/* A TUN with a virtio_net_hdr (offload.h): TCP super-packets are cut into
 * segments here, checksums the kernel left to us are filled in. */
static void on_tun_vnet(struct tunnel *t, struct txq *q)
{
	for (unsigned i = 0; i < TUNNEL_BATCH; i++) {
		ssize_t r = read(t->tun_fd, t->big, TUNNEL_BIG);
		if (r <= (ssize_t)OFF_VNET_HDR_LEN)
			break;
		struct off_vnet v;
		uint8_t *pkt = t->big + OFF_VNET_HDR_LEN;
		size_t len = (size_t)r - OFF_VNET_HDR_LEN;
		off_vnet_parse(t->big, &v);
		uint8_t gso = v.gso_type & (uint8_t)~OFF_GSO_ECN;
		if (gso == OFF_GSO_NONE) {
			if (off_finish_csum(pkt, len, &v)) {
				t->st.tx_bad_ip++;
				continue;
			}
			tx_copy(t, pkt, len, q);
		} else if (gso == OFF_GSO_TCPV4 || gso == OFF_GSO_TCPV6) {
			struct seg_ctx sc = { t, q };
			t->st.tx_tso++;
			if (off_tso_segment(pkt, len, &v, on_segment, &sc) < 0)
				t->st.tx_bad_ip++;
		} else {
			t->st.tx_bad_ip++; /* UDP GSO: not offered (TUNSETOFFLOAD) */
		}
	}
}

static void on_tun(uv_poll_t *h, int status, int events)
{
	struct tunnel *t = h->data;
	struct txq q = { 0, -1, 0, NULL };

	if (status < 0)
		return;
	if (t->big) {
		on_tun_vnet(t, &q);
	} else {
		/* A bounded number of packets per wake-up so the UDP side is served. */
		for (unsigned i = 0; i < TUNNEL_BATCH; i++) {
			struct esp_pkt *p = esp_pool_get(t->pool);
			if (!p) {
				t->st.pool_empty++;
				break;
			}
			ssize_t r = read(t->tun_fd, p->data, esp_pkt_tailroom(p) - TAIL_NEED);
			if (r <= 0) {
				esp_pool_put(t->pool, p);
				break;
			}
			p->len = (size_t)r;
			tx_one(t, p, &q);
		}
	}
	if (q.n)
		flush(t, q.fd, q.n);
	if (q.sn)
		stream_flush(t, &q);
}

/* One opened packet to the TUN (behind a zero virtio_net_hdr when the TUN
 * has one: a plain packet, nothing to offload). */
static int tun_write(struct tunnel *t, uint8_t *data, size_t len)
{
	static uint8_t zero[OFF_VNET_HDR_LEN]; /* writev only reads it */
	if (!t->big)
		return write(t->tun_fd, data, len) == (ssize_t)len ? 0 : -1;
	struct iovec iov[2] = { { zero, sizeof(zero) }, { data, len } };
	return writev(t->tun_fd, iov, 2) == (ssize_t)(len + sizeof(zero)) ? 0 : -1;
}

/* Raw ESP arrived: the IPv4 header goes, the rest is as from UDP. */
static void on_raw(uv_poll_t *h, int status, int events)
{
	struct raw *r = h->data;
	uint8_t buf[ESP_PKT_SIZE];

	if (status < 0)
		return;
	for (unsigned i = 0; i < TUNNEL_BATCH; i++) {
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(r->fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
		size_t off;
		if (n <= 0)
			break;
		if (net_raw_esp_payload(r->family, buf, (size_t)n, &off)) {
			r->t->st.rx_drop++;
			continue;
		}
		tunnel_input(r->t, buf + off, (size_t)n - off, (struct sockaddr *)&from);
	}
}

int tunnel_add_raw(struct tunnel *t, int family, int raw_fd)
{
	struct raw *r = &t->raw[family == AF_INET6];
	int rc;
	if (r->fd >= 0)
		return -EEXIST;
	if ((rc = uv_poll_init(t->loop, &r->poll, raw_fd)))
		return rc;
	r->fd = raw_fd;
	r->family = family;
	r->t = t;
	r->poll.data = r;
	t->closing++;
	return uv_poll_start(&r->poll, UV_READABLE, on_raw);
}

int tunnel_new(uv_loop_t *loop, int tun_fd, int udp_fd, const struct tunnel_ops *ops,
	       struct tunnel **out)
{
	struct tunnel *t = calloc(1, sizeof(*t));
	int rc;

	if (!t)
		return -ENOMEM;
	t->loop = loop;
	t->tun_fd = tun_fd;
	t->udp_fd = udp_fd;
	if (ops)
		t->ops = *ops;
	/* A TUN opened with offloads (net_tun_cfg.offload) hands out super-
	 * packets behind a virtio_net_hdr. */
	if (net_tun_fd_vnet_hdr(tun_fd) == (int)OFF_VNET_HDR_LEN && !(t->big = malloc(TUNNEL_BIG)))
		rc = -ENOMEM;
	else
		rc = 0;
	if (rc || (rc = esp_table_new(&t->table)) || (rc = esp_pool_new(TUNNEL_POOL, &t->pool)) ||
	    (rc = uv_poll_init(loop, &t->poll, tun_fd))) {
		esp_table_free(t->table);
		esp_pool_free(t->pool);
		free(t->big);
		free(t);
		return rc;
	}
	t->poll.data = t;
	t->closing = 1;
	t->gso = 1; /* until the kernel refuses it */
	t->raw[0].fd = t->raw[1].fd = -1;
	uv_poll_start(&t->poll, UV_READABLE, on_tun);
	*out = t;
	return 0;
}

static void on_poll_closed(uv_handle_t *h)
{
	struct tunnel *t = h->data;
	if (h != (uv_handle_t *)&t->poll)
		t = ((struct raw *)h->data)->t;
	if (--t->closing)
		return;
	esp_table_free(t->table);
	esp_pool_free(t->pool);
	free(t->big);
	free(t);
}

void tunnel_free(struct tunnel *t)
{
	if (!t)
		return;
	uv_poll_stop(&t->poll);
	uv_close((uv_handle_t *)&t->poll, on_poll_closed);
	for (int i = 0; i < 2; i++)
		if (t->raw[i].fd >= 0) {
			uv_poll_stop(&t->raw[i].poll);
			uv_close((uv_handle_t *)&t->raw[i].poll, on_poll_closed);
		}
}

static int same_ts(const struct tchild *c, const struct ike_child *k)
{
	return c->n_ts_remote == k->n_ts_remote && c->n_ts_local == k->n_ts_local &&
	       memcmp(c->ts_remote, k->ts_remote, k->n_ts_remote * sizeof(k->ts_remote[0])) == 0 && /* public-memcmp */
	       memcmp(c->ts_local, k->ts_local, k->n_ts_local * sizeof(k->ts_local[0])) == 0;        /* public-memcmp */
}

int tunnel_child_add(struct tunnel *t, const struct ike_child *k, const struct sockaddr *peer,
		     int encap)
{
	struct esp_sa *in = NULL, *out = NULL;
	struct tchild *c = NULL;
	int rc;

	if ((rc = esp_sa_from_child(k, ESP_DIR_IN, &in)) || (rc = esp_sa_from_child(k, ESP_DIR_OUT, &out))) {
		esp_sa_free(in);
		return rc;
	}
	for (size_t i = 0; i < TUNNEL_CHILDREN_MAX && !c; i++)
		if (t->children[i].used && same_ts(&t->children[i], k))
			c = &t->children[i];
	if (c) {
		/* A rekey (RFC 7296 2.8): the new pair becomes current. */
		if ((rc = esp_table_rekey(t->table, c->slot, in, out))) {
			esp_sa_free(in);
			esp_sa_free(out);
			return rc;
		}
		c->spi_in_prev = c->spi_in;
		c->spi_in = k->spi_in;
		c->rekey_told = 0;
	} else {
		for (size_t i = 0; i < TUNNEL_CHILDREN_MAX && !c; i++)
			if (!t->children[i].used)
				c = &t->children[i];
		if (!c) {
			esp_sa_free(in);
			esp_sa_free(out);
			return -E2BIG;
		}
		memset(c, 0, sizeof(*c));
		if ((rc = esp_table_add(t->table, in, out, &c->slot))) {
			esp_sa_free(in);
			esp_sa_free(out);
			return rc;
		}
		c->used = 1;
		c->spi_in = k->spi_in;
		memcpy(c->ts_local, k->ts_local, sizeof(c->ts_local));
		memcpy(c->ts_remote, k->ts_remote, sizeof(c->ts_remote));
		c->n_ts_local = k->n_ts_local;
		c->n_ts_remote = k->n_ts_remote;
	}
	memset(&c->peer, 0, sizeof(c->peer));
	memcpy(&c->peer, peer, peer->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
							  : sizeof(struct sockaddr_in));
	c->encap = encap;
	if (!encap) /* a raw socket's destination has no port */
		((struct sockaddr_in *)&c->peer)->sin_port = 0;
	return 0;
}

void tunnel_child_del(struct tunnel *t, uint32_t spi_in)
{
	struct tchild *c = child_by_spi(t, spi_in);
	if (!c)
		return;
	if (c->spi_in_prev == spi_in) {
		esp_table_drop_prev(t->table, c->slot);
		c->spi_in_prev = 0;
		return;
	}
	esp_table_del(t->table, c->slot);
	memset(c, 0, sizeof(*c));
}

void tunnel_child_peer(struct tunnel *t, uint32_t spi_in, const struct sockaddr *peer)
{
	struct tchild *c = child_by_spi(t, spi_in);
	if (!c)
		return;
	memset(&c->peer, 0, sizeof(c->peer));
	memcpy(&c->peer, peer, peer->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
							  : sizeof(struct sockaddr_in));
}

void tunnel_set_encap(struct tunnel *t, int encap, uint16_t port)
{
	for (size_t i = 0; i < TUNNEL_CHILDREN_MAX; i++) {
		struct tchild *c = &t->children[i];
		if (!c->used || c->encap == encap)
			continue;
		if (!encap && t->raw[c->peer.ss_family == AF_INET6].fd < 0)
			continue;
		c->encap = encap;
		net_sa_set_port(&c->peer, encap ? port : 0);
	}
}

void tunnel_child_move(struct tunnel *t, uint32_t spi_in, const struct sockaddr *peer, int encap)
{
	struct tchild *c = child_by_spi(t, spi_in);
	if (!c)
		return;
	if (!encap && t->raw[peer->sa_family == AF_INET6].fd < 0)
		encap = 1;
	memset(&c->peer, 0, sizeof(c->peer));
	memcpy(&c->peer, peer, peer->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
							  : sizeof(struct sockaddr_in));
	c->encap = encap;
	if (!encap)
		net_sa_set_port(&c->peer, 0);
}

/* An echo packet opened in Child SA c: answer a request the way it came,
 * pass a reply on. */
static void echo_in(struct tunnel *t, struct tchild *c, struct esp_pkt *p, const struct esp_rx *rx,
		    void *stream, const struct sockaddr *from)
{
	struct esp_echo e;
	if (!t->echo_on || !c->echo || esp_echo_parse(&t->echo, p->data, p->len, &e)) {
		t->st.rx_echo_drop++;
		return;
	}
	if (!e.is_request) {
		t->st.rx_echo++;
		if (t->ops.echo_reply)
			t->ops.echo_reply(t->ops.ctx, c->spi_in, &e, stream);
		return;
	}
	/* draft 4.3: a Return SPI must name this Child SA's outbound SA. */
	struct esp_sa *back = esp_echo_reply_sa(t->table, rx->sa, &e);
	if (!back || esp_echo_reply(&t->echo, p, &e) || esp_encap(back, p, t->echo.next_header)) {
		t->st.rx_echo_drop++;
		return;
	}
	t->st.rx_echo++;
	p->user = 0;
	if (stream) {
		struct esp_pkt *q = esp_pool_get(t->pool);
		if (!q) {
			t->st.pool_empty++;
			return;
		}
		memcpy(q->data, p->data, p->len);
		q->len = p->len;
		q->user = 0;
		stream_out(t, stream, q);
	} else if (dgram_out(t, c, p, from)) { /* back where the request came from */
		t->st.tx_send_err++;
	}
}

static void input(struct tunnel *t, const uint8_t *data, size_t len, void *stream,
		  const struct sockaddr *from)
{
	struct esp_rx rx;
	struct esp_pkt *p = esp_pool_get(t->pool);

	if (!p) {
		t->st.pool_empty++;
		return;
	}
	if (len > esp_pkt_tailroom(p)) {
		t->st.rx_drop++;
		esp_pool_put(t->pool, p);
		return;
	}
	memcpy(p->data, data, len);
	p->len = len;
	if (esp_decap(t->table, p, &rx)) {
		t->st.rx_drop++;
		esp_pool_put(t->pool, p);
		return;
	}
	struct tchild *c = child_by_slot(t, rx.sa->slot);
	if (!c) {
		t->st.rx_drop++;
		esp_pool_put(t->pool, p);
		return;
	}
	if (rx.next_header != ESP_NH_IPV4 && rx.next_header != ESP_NH_IPV6) {
		if (rx.next_header == t->echo.next_header && t->echo_on)
			echo_in(t, c, p, &rx, stream, from);
		else
			t->st.rx_other++;
		esp_pool_put(t->pool, p);
		return;
	}
	/* RFC 4301 5.2: the inner source must lie in the peer's selectors. */
	const uint8_t *src;
	int v = ip_addr(p->data, p->len, 0, &src);
	if (!v || (v == 4) != (rx.next_header == ESP_NH_IPV4) ||
	    !ts_holds(c->ts_remote, c->n_ts_remote, v, src)) {
		t->st.rx_spoofed++;
		esp_pool_put(t->pool, p);
		return;
	}
	if (t->follow && c->stream != stream) {
		log_info(TLOG, "Child SA %08x: the peer's ESP now comes %s; ours follows", c->spi_in,
			 stream ? "in its TCP stream" : "over UDP");
		c->stream = stream;
	}
	/* A responder also follows a NAT that rebinds the peer's UDP port
	 * (RFC 3948; with IKE on TCP no IKE message would tell us). Only an
	 * authentic data packet moves it. */
	if (t->follow && !stream && from && c->encap && from->sa_family == c->peer.ss_family &&
	    !net_sa_eq(from, (const struct sockaddr *)&c->peer)) {
		char a[NET_ADDR_STR_MAX], b[NET_ADDR_STR_MAX];
		log_info(TLOG, "Child SA %08x: the peer's ESP now comes from %s (was %s); ours follows",
			 c->spi_in, net_sa_str(from, a, sizeof(a)),
			 net_sa_str((const struct sockaddr *)&c->peer, b, sizeof(b)));
		memset(&c->peer, 0, sizeof(c->peer));
		memcpy(&c->peer, from, from->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
								   : sizeof(struct sockaddr_in));
	}
	if (tun_write(t, p->data, p->len)) {
		t->st.rx_tun_err++;
	} else {
		t->st.rx_packets++;
		t->st.rx_bytes += p->len;
	}
	esp_pool_put(t->pool, p);
}

void tunnel_input(struct tunnel *t, const uint8_t *data, size_t len, const struct sockaddr *from)
{
	input(t, data, len, NULL, from);
}

void tunnel_input_stream(struct tunnel *t, const uint8_t *data, size_t len, void *stream)
{
	t->st.rx_stream++;
	input(t, data, len, stream, NULL);
}

void tunnel_set_echo(struct tunnel *t, const struct esp_echo_cfg *cfg)
{
	esp_table_set_echo_nh(t->table, cfg->next_header); /* else decap refuses it (rx_bad_nh) */
	t->echo = *cfg;
	t->echo_on = 1;
}

void tunnel_child_echo(struct tunnel *t, uint32_t spi_in, int on)
{
	struct tchild *c = child_by_spi(t, spi_in);
	if (c)
		c->echo = !!on;
}

int tunnel_echo_probe(struct tunnel *t, uint32_t spi_in, uint16_t id, uint16_t seq, size_t data_len)
{
	struct tchild *c = child_by_spi(t, spi_in);
	struct esp_sa *sa = c ? esp_table_out(t->table, c->slot) : NULL;
	int rc;

	if (!sa || !t->echo_on || !c->echo)
		return -ENOENT;
	struct esp_pkt *p = esp_pool_get(t->pool);
	if (!p)
		return -ENOBUFS;
	esp_pkt_reset(p);
	if (!(rc = esp_echo_request(&t->echo, p, id, seq, data_len, 0)) &&
	    !(rc = esp_encap(sa, p, t->echo.next_header)))
		rc = dgram_out(t, c, p, NULL);
	esp_pool_put(t->pool, p);
	return rc;
}

void tunnel_child_stream(struct tunnel *t, uint32_t spi_in, void *stream)
{
	struct tchild *c = child_by_spi(t, spi_in);
	if (c)
		c->stream = stream;
}

void tunnel_stream_gone(struct tunnel *t, void *stream)
{
	for (size_t i = 0; i < TUNNEL_CHILDREN_MAX; i++)
		if (t->children[i].used && t->children[i].stream == stream)
			t->children[i].stream = NULL;
}

void tunnel_set_follow(struct tunnel *t, int on) { t->follow = !!on; }

void tunnel_stats(const struct tunnel *t, struct tunnel_stats *out)
{
	*out = t->st;
}

void tunnel_esp_stats(const struct tunnel *t, struct esp_stats *out)
{
	esp_table_stats(t->table, out);
}
