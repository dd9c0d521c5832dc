/* The anti-replay window with 64-bit (extended) sequence numbers
 * (RFC 4303 3.4.3 and appendix A; bitmap in blocks as in RFC 6479).
 *
 * The right edge `top` is the highest sequence number that passed the ICV.
 * The bitmap holds ESP_REPLAY_WINDOW bits in 64-bit blocks, indexed by the
 * sequence number itself; sliding right clears whole blocks and shifts
 * nothing. One block is kept as slack, so the window accepts the
 * ESP_REPLAY_WINDOW_EFF (1984) numbers at and behind the right edge.
 *
 * Receive order (STYLE.md "Bytes from a peer"): esp_replay_seq() recovers
 * the full number from the 32 bits on the wire, esp_replay_check() before
 * the ICV, esp_replay_update() only after it verified. */
#ifndef PETREL_ESP_REPLAY_H
#define PETREL_ESP_REPLAY_H

#include <stdint.h>

#include "esp/esp.h"

#define ESP_REPLAY_BLOCKS (ESP_REPLAY_WINDOW / 64u)

struct esp_replay {
	uint64_t top;                        /* right edge; 0 before the first packet */
	uint64_t bits[ESP_REPLAY_BLOCKS];
};

/* Verdicts of the pre-check. */
enum esp_replay_verdict {
	ESP_REPLAY_OK = 0,          /* new: may be authenticated */
	ESP_REPLAY_DUP = -1,        /* inside the window and already seen */
	ESP_REPLAY_OLD = -2,        /* left of the window (or 0, never sent) */
};

void esp_replay_init(struct esp_replay *r);

/* RFC 4303 appendix A2.2: the full 64-bit sequence number a received low
 * half belongs to, given the window. esn 0: the low half itself. */
uint64_t esp_replay_seq(const struct esp_replay *r, uint32_t seq_lo, int esn);

/* Pre-check (before the ICV): ESP_REPLAY_OK, _DUP or _OLD. */
enum esp_replay_verdict esp_replay_check(const struct esp_replay *r, uint64_t seq);

/* After the ICV verified: mark seq as seen, sliding the window when it is
 * new on the right. Call only with a seq that passed esp_replay_check(). */
void esp_replay_update(struct esp_replay *r, uint64_t seq);

#endif
