/* Anti-replay window (see replay.h). */
#include "esp/replay.h"

#include <string.h>

#define W ((uint64_t)ESP_REPLAY_WINDOW_EFF)

void esp_replay_init(struct esp_replay *r)
{
	memset(r, 0, sizeof(*r));
}

uint64_t esp_replay_seq(const struct esp_replay *r, uint32_t seq_lo, int esn)
{
	if (!esn)
		return seq_lo;
	uint32_t tl = (uint32_t)r->top, th = (uint32_t)(r->top >> 32);
	uint32_t bl = tl - (uint32_t)(W - 1);   /* bottom of the window, mod 2^32 */
	uint32_t sh;
	if (tl >= W - 1) {
		/* Case A: the window sits inside one 2^32 subspace. Below its
		 * bottom means the sender crossed into the next subspace. */
		sh = seq_lo >= bl ? th : th + 1;
	} else {
		/* Case B: the window straddles a subspace boundary: at or above
		 * its (wrapped) bottom is the previous subspace. Before the first
		 * subspace ever ended (th 0) there is none: such a number is ahead
		 * of the window in subspace 0, and the ICV will tell. */
		sh = seq_lo >= bl && th ? th - 1 : th;
	}
	return (uint64_t)sh << 32 | seq_lo;
}

static inline uint64_t bit_of(uint64_t seq) { return (uint64_t)1 << (seq & 63); }
static inline uint64_t *block_of(struct esp_replay *r, uint64_t seq)
{
	return &r->bits[(seq >> 6) % ESP_REPLAY_BLOCKS];
}

enum esp_replay_verdict esp_replay_check(const struct esp_replay *r, uint64_t seq)
{
	if (seq == 0)
		return ESP_REPLAY_OLD;       /* RFC 4303 3.3.3: the first packet is 1 */
	if (seq > r->top)
		return ESP_REPLAY_OK;
	if (r->top - seq >= W)
		return ESP_REPLAY_OLD;
	const uint64_t b = r->bits[(seq >> 6) % ESP_REPLAY_BLOCKS];
	return b & bit_of(seq) ? ESP_REPLAY_DUP : ESP_REPLAY_OK;
}

void esp_replay_update(struct esp_replay *r, uint64_t seq)
{
	if (seq > r->top) {
		/* Clear the blocks the right edge moves into (all of them when it
		 * jumps a whole window). */
		uint64_t from = r->top >> 6, to = seq >> 6;
		uint64_t n = to - from;
		if (n > ESP_REPLAY_BLOCKS)
			n = ESP_REPLAY_BLOCKS;
		for (uint64_t i = 1; i <= n; i++)
			r->bits[(from + i) % ESP_REPLAY_BLOCKS] = 0;
		r->top = seq;
	}
	*block_of(r, seq) |= bit_of(seq);
}
