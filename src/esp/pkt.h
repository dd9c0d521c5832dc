/* Packet buffers with headroom and tailroom, from a fixed pool.
 *
 * A buffer is ESP_PKT_SIZE octets; the data starts ESP_PKT_HEADROOM octets in,
 * so esp_encap() pushes SPI | seq | IV in front of an inner packet and appends
 * padding, trailer and ICV behind it without a copy, and esp_decap() strips
 * them in place (STYLE.md "Data path"). The headroom holds the largest outer
 * stack petrel builds in front of ESP: IPv6 (40) + UDP (8) or an RFC 9329
 * length (2), + ESP (8) + IV (16) = 72, and a 10-octet virtio-net header.
 *
 * The pool is an array made once: get/put are a free-list pop/push, no
 * malloc per packet. An empty pool is counted, never waited on. A pool is
 * for one thread. */
#ifndef PETREL_ESP_PKT_H
#define PETREL_ESP_PKT_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#define ESP_PKT_SIZE     2048u
#define ESP_PKT_HEADROOM 128u
#define ESP_POOL_MAX     65536u  /* packets in one pool */

struct esp_pkt {
	uint8_t *data;          /* first valid octet, inside buf */
	size_t len;             /* valid octets from data */
	struct esp_pkt *next;   /* pool free list; the owner may chain packets with it */
	uint64_t user;          /* for the caller (a timestamp, an index) */
	_Alignas(64) uint8_t buf[ESP_PKT_SIZE];
};

/* Empty the packet: data at the headroom, length 0. */
static inline void esp_pkt_reset(struct esp_pkt *p)
{
	p->data = p->buf + ESP_PKT_HEADROOM;
	p->len = 0;
}

static inline size_t esp_pkt_headroom(const struct esp_pkt *p)
{
	return (size_t)(p->data - p->buf);
}

static inline size_t esp_pkt_tailroom(const struct esp_pkt *p)
{
	return ESP_PKT_SIZE - esp_pkt_headroom(p) - p->len;
}

/* Grow the data n octets to the front; the new start, or NULL when the
 * headroom is too small (nothing changes then). */
static inline uint8_t *esp_pkt_push(struct esp_pkt *p, size_t n)
{
	if (n > esp_pkt_headroom(p))
		return NULL;
	p->data -= n;
	p->len += n;
	return p->data;
}

/* Drop n octets from the front; 0 or -EINVAL when there are fewer. */
static inline int esp_pkt_pull(struct esp_pkt *p, size_t n)
{
	if (n > p->len)
		return -EINVAL;
	p->data += n;
	p->len -= n;
	return 0;
}

/* Grow the data n octets at the end; where they start, or NULL. */
static inline uint8_t *esp_pkt_put(struct esp_pkt *p, size_t n)
{
	if (n > esp_pkt_tailroom(p))
		return NULL;
	uint8_t *at = p->data + p->len;
	p->len += n;
	return at;
}

/* Cut the data to len octets (len <= current length). */
static inline void esp_pkt_trim(struct esp_pkt *p, size_t len)
{
	if (len < p->len)
		p->len = len;
}

struct esp_pool_stats {
	uint64_t gets;          /* successful esp_pool_get() */
	uint64_t exhausted;     /* esp_pool_get() that found the pool empty */
	size_t total;           /* packets in the pool */
	size_t free;            /* packets now in the pool */
	size_t low_water;       /* fewest free packets seen */
};

struct esp_pool;

/* A pool of n packets (1..ESP_POOL_MAX). 0, -EINVAL or -ENOMEM. */
int esp_pool_new(size_t n, struct esp_pool **out);
/* Free the pool and every packet it made (taken ones included). */
void esp_pool_free(struct esp_pool *pool);
/* A reset packet, or NULL (counted) when the pool is empty. */
struct esp_pkt *esp_pool_get(struct esp_pool *pool);
/* Give a packet back to the pool that made it. */
void esp_pool_put(struct esp_pool *pool, struct esp_pkt *p);
void esp_pool_stats(const struct esp_pool *pool, struct esp_pool_stats *out);

#endif
