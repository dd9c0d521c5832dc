/* The bounded write buffer: the only way petrel writes wire bytes.
 *
 * It never grows past its capacity. The first write that does not fit sets a
 * sticky error (-ENOBUFS) and every later write is ignored, so an encoder can
 * write a whole structure and check wb_err() once at the end. Lengths that are
 * known only afterwards are patched with wb_set_u16()/wb_set_u32() at an
 * offset remembered from wb_len(). Multi-byte integers are network order. */
#ifndef PETREL_BASE_WBUF_H
#define PETREL_BASE_WBUF_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct wb {
	uint8_t *p;
	size_t cap;
	size_t len;
	int err;
};

static inline void wb_init(struct wb *w, void *p, size_t cap)
{
	w->p = p;
	w->cap = cap;
	w->len = 0;
	w->err = 0;
}

static inline size_t wb_len(const struct wb *w) { return w->len; }
static inline int wb_err(const struct wb *w) { return w->err; }
static inline size_t wb_room(const struct wb *w) { return w->cap - w->len; }

/* Reserve n bytes and return where they start, or NULL (and the sticky
 * error) when they do not fit. */
static inline uint8_t *wb_reserve(struct wb *w, size_t n)
{
	if (w->err)
		return NULL;
	if (n > w->cap - w->len) {
		w->err = -ENOBUFS;
		return NULL;
	}
	uint8_t *at = w->p + w->len;
	w->len += n;
	return at;
}

static inline int wb_put(struct wb *w, const void *src, size_t n)
{
	uint8_t *at = wb_reserve(w, n);
	if (!at)
		return w->err;
	if (n)
		memcpy(at, src, n);
	return 0;
}

static inline int wb_zero(struct wb *w, size_t n)
{
	uint8_t *at = wb_reserve(w, n);
	if (!at)
		return w->err;
	if (n)
		memset(at, 0, n);
	return 0;
}

static inline int wb_u8(struct wb *w, uint8_t v)
{
	uint8_t *at = wb_reserve(w, 1);
	if (!at)
		return w->err;
	at[0] = v;
	return 0;
}

static inline void wb_store16(uint8_t *at, uint16_t v)
{
	at[0] = (uint8_t)(v >> 8);
	at[1] = (uint8_t)v;
}

static inline void wb_store32(uint8_t *at, uint32_t v)
{
	at[0] = (uint8_t)(v >> 24);
	at[1] = (uint8_t)(v >> 16);
	at[2] = (uint8_t)(v >> 8);
	at[3] = (uint8_t)v;
}

static inline int wb_u16(struct wb *w, uint16_t v)
{
	uint8_t *at = wb_reserve(w, 2);
	if (!at)
		return w->err;
	wb_store16(at, v);
	return 0;
}

static inline int wb_u32(struct wb *w, uint32_t v)
{
	uint8_t *at = wb_reserve(w, 4);
	if (!at)
		return w->err;
	wb_store32(at, v);
	return 0;
}

static inline int wb_u64(struct wb *w, uint64_t v)
{
	uint8_t *at = wb_reserve(w, 8);
	if (!at)
		return w->err;
	wb_store32(at, (uint32_t)(v >> 32));
	wb_store32(at + 4, (uint32_t)v);
	return 0;
}

/* Patch a field written earlier; `at` came from wb_len() before the write. */
static inline int wb_set_u8(struct wb *w, size_t at, uint8_t v)
{
	if (w->err)
		return w->err;
	if (at > w->len || 1 > w->len - at)
		return w->err = -EINVAL;
	w->p[at] = v;
	return 0;
}

static inline int wb_set_u16(struct wb *w, size_t at, uint16_t v)
{
	if (w->err)
		return w->err;
	if (at > w->len || 2 > w->len - at)
		return w->err = -EINVAL;
	wb_store16(w->p + at, v);
	return 0;
}

static inline int wb_set_u32(struct wb *w, size_t at, uint32_t v)
{
	if (w->err)
		return w->err;
	if (at > w->len || 4 > w->len - at)
		return w->err = -EINVAL;
	wb_store32(w->p + at, v);
	return 0;
}

#endif
