/* The packet pool (see pkt.h): one allocation when made, none afterwards. */
#include "esp/pkt.h"

#include <errno.h>
#include <stdlib.h>

struct esp_pool {
	struct esp_pkt *pkts;   /* the array, n packets */
	struct esp_pkt *free_list;
	struct esp_pool_stats st;
};

int esp_pool_new(size_t n, struct esp_pool **out)
{
	if (n == 0 || n > ESP_POOL_MAX)
		return -EINVAL;
	struct esp_pool *pool = calloc(1, sizeof(*pool));
	if (!pool)
		return -ENOMEM;
	/* Cache-line aligned so each buffer's start is too. */
	pool->pkts = aligned_alloc(_Alignof(struct esp_pkt), n * sizeof(struct esp_pkt));
	if (!pool->pkts) {
		free(pool);
		return -ENOMEM;
	}
	for (size_t i = n; i-- > 0;) {
		struct esp_pkt *p = &pool->pkts[i];
		esp_pkt_reset(p);
		p->user = 0;
		p->next = pool->free_list;
		pool->free_list = p;
	}
	pool->st.total = pool->st.free = pool->st.low_water = n;
	*out = pool;
	return 0;
}

void esp_pool_free(struct esp_pool *pool)
{
	if (!pool)
		return;
	free(pool->pkts);
	free(pool);
}

struct esp_pkt *esp_pool_get(struct esp_pool *pool)
{
	struct esp_pkt *p = pool->free_list;
	if (!p) {
		pool->st.exhausted++;
		return NULL;
	}
	pool->free_list = p->next;
	p->next = NULL;
	esp_pkt_reset(p);
	pool->st.gets++;
	if (--pool->st.free < pool->st.low_water)
		pool->st.low_water = pool->st.free;
	return p;
}

void esp_pool_put(struct esp_pool *pool, struct esp_pkt *p)
{
	if (!p)
		return;
	p->next = pool->free_list;
	pool->free_list = p;
	pool->st.free++;
}

void esp_pool_stats(const struct esp_pool *pool, struct esp_pool_stats *out)
{
	*out = pool->st;
}
