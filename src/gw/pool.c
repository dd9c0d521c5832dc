/* Address pools: a bitmap over [start, start + size). */
#include "gw/pool.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static size_t alen(int family) { return family == AF_INET ? 4 : 16; }

/* a - b as a count, saturated at GW_POOL_MAX + 1 (big-endian bytes). */
static size_t distance(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint64_t hi = 0;
	int borrow = 0;
	uint8_t diff[16];

	for (size_t i = n; i-- > 0;) {
		int d = (int)a[i] - (int)b[i] - borrow;
		borrow = d < 0;
		diff[i] = (uint8_t)(d + (borrow ? 256 : 0));
	}
	if (borrow)
		return SIZE_MAX; /* a < b */
	for (size_t i = 0; i + 4 < n; i++)
		if (diff[i])
			return GW_POOL_MAX + 1;
	for (size_t i = n - 4; i < n; i++)
		hi = hi << 8 | diff[i];
	return hi > GW_POOL_MAX ? GW_POOL_MAX + 1 : (size_t)hi;
}

static void add(const uint8_t *base, size_t k, uint8_t *out, size_t n)
{
	unsigned carry = 0;
	memcpy(out, base, n);
	for (size_t i = n; i-- > 0 && (k || carry);) {
		unsigned v = out[i] + (unsigned)(k & 0xff) + carry;
		out[i] = (uint8_t)v;
		carry = v >> 8;
		k >>= 8;
	}
}

int gw_pool_init(struct gw_pool *p, int family, const uint8_t *start, const uint8_t *end,
		 int *cut)
{
	memset(p, 0, sizeof(*p));
	*cut = 0;
	if (family != AF_INET && family != AF_INET6)
		return -EINVAL;
	size_t d = distance(end, start, alen(family));
	if (d == SIZE_MAX)
		return -EINVAL;
	size_t size = d >= GW_POOL_MAX ? GW_POOL_MAX : d + 1;
	*cut = d >= GW_POOL_MAX;
	if (!(p->bits = calloc((size + 7) / 8, 1)))
		return -ENOMEM;
	p->family = family;
	memcpy(p->start, start, alen(family));
	p->size = size;
	return 0;
}

void gw_pool_free(struct gw_pool *p)
{
	free(p->bits);
	memset(p, 0, sizeof(*p));
}

int gw_pool_take(struct gw_pool *p, uint8_t *out)
{
	if (!p->family || p->used >= p->size)
		return -ENOSPC;
	for (size_t i = 0; i < p->size; i++) {
		if (p->bits[i / 8] & (1u << (i % 8)))
			continue;
		p->bits[i / 8] |= (uint8_t)(1u << (i % 8));
		p->used++;
		add(p->start, i, out, alen(p->family));
		return 0;
	}
	return -ENOSPC;
}

void gw_pool_put(struct gw_pool *p, const uint8_t *addr)
{
	if (!p->family)
		return;
	size_t i = distance(addr, p->start, alen(p->family));
	if (i >= p->size || !(p->bits[i / 8] & (1u << (i % 8))))
		return;
	p->bits[i / 8] &= (uint8_t)~(1u << (i % 8));
	p->used--;
}
