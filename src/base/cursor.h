/* The read cursor: the only way petrel reads bytes that came from outside.
 *
 * Every read checks the remaining length first, by comparing lengths
 * (n > len - off), never by computing end pointers. A length field read from
 * the wire opens a sub-cursor with rd_sub(), and the code that decodes the
 * inner structure sees only that sub-cursor. Multi-byte integers are network
 * byte order. Every function returns 0 or -EBADMSG and leaves the cursor
 * untouched on failure. */
#ifndef PETREL_BASE_CURSOR_H
#define PETREL_BASE_CURSOR_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct rd {
	const uint8_t *p;
	size_t len;
	size_t off;
};

static inline void rd_init(struct rd *r, const void *p, size_t len)
{
	r->p = p;
	r->len = len;
	r->off = 0;
}

static inline size_t rd_left(const struct rd *r) { return r->len - r->off; }
static inline const uint8_t *rd_pos(const struct rd *r) { return r->p + r->off; }

static inline int rd_need(const struct rd *r, size_t n)
{
	return n > r->len - r->off ? -EBADMSG : 0;
}

static inline int rd_skip(struct rd *r, size_t n)
{
	if (rd_need(r, n))
		return -EBADMSG;
	r->off += n;
	return 0;
}

static inline int rd_u8(struct rd *r, uint8_t *v)
{
	if (rd_need(r, 1))
		return -EBADMSG;
	*v = r->p[r->off++];
	return 0;
}

static inline int rd_u16(struct rd *r, uint16_t *v)
{
	if (rd_need(r, 2))
		return -EBADMSG;
	const uint8_t *b = r->p + r->off;
	*v = (uint16_t)((uint16_t)b[0] << 8 | b[1]);
	r->off += 2;
	return 0;
}

static inline int rd_u32(struct rd *r, uint32_t *v)
{
	if (rd_need(r, 4))
		return -EBADMSG;
	const uint8_t *b = r->p + r->off;
	*v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	r->off += 4;
	return 0;
}

static inline int rd_u64(struct rd *r, uint64_t *v)
{
	uint32_t hi, lo;
	if (rd_need(r, 8))
		return -EBADMSG;
	rd_u32(r, &hi);
	rd_u32(r, &lo);
	*v = (uint64_t)hi << 32 | lo;
	return 0;
}

/* Copy n bytes out. */
static inline int rd_bytes(struct rd *r, void *dst, size_t n)
{
	if (rd_need(r, n))
		return -EBADMSG;
	if (n)
		memcpy(dst, r->p + r->off, n);
	r->off += n;
	return 0;
}

/* Borrow n bytes in place: *out points into the cursor's buffer. */
static inline int rd_ref(struct rd *r, size_t n, const uint8_t **out)
{
	if (rd_need(r, n))
		return -EBADMSG;
	*out = r->p + r->off;
	r->off += n;
	return 0;
}

/* Open a sub-cursor over the next n bytes and step past them. */
static inline int rd_sub(struct rd *r, size_t n, struct rd *sub)
{
	if (rd_need(r, n))
		return -EBADMSG;
	rd_init(sub, r->p + r->off, n);
	r->off += n;
	return 0;
}

/* The rest of the cursor as a sub-cursor. */
static inline void rd_rest(struct rd *r, struct rd *sub)
{
	rd_init(sub, r->p + r->off, rd_left(r));
	r->off = r->len;
}

#endif
