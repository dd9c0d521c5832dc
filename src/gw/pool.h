/* Virtual address pools for petrel-gw: one address per IKE SA, handed out
 * lowest first, released when the SA goes away. */
#ifndef PETREL_GW_POOL_H
#define PETREL_GW_POOL_H

#include <stddef.h>
#include <stdint.h>

#define GW_POOL_MAX 65536u /* addresses one pool holds; a longer range is cut */

struct gw_pool {
	int family;          /* AF_INET or AF_INET6; 0: no pool */
	uint8_t start[16];
	size_t size, used;
	uint8_t *bits;       /* size bits */
};

/* 0, -EINVAL (family or order), -ENOMEM. *cut is set when the range was
 * longer than GW_POOL_MAX. */
int gw_pool_init(struct gw_pool *p, int family, const uint8_t *start, const uint8_t *end,
		 int *cut);
void gw_pool_free(struct gw_pool *p);
/* The lowest free address into out (4 or 16 bytes): 0 or -ENOSPC. */
int gw_pool_take(struct gw_pool *p, uint8_t *out);
/* Give an address back; unknown ones are ignored. */
void gw_pool_put(struct gw_pool *p, const uint8_t *addr);

#endif
