/* Two IKE engines in one process (STYLE.md "Tests", exchange): fake ops
 * with a message queue between them, a fake clock, deterministic nonces and
 * SPIs, and a record of what each side installed and reported. Messages move
 * one at a time, so each test states the exchange it is at. */
#ifndef PETREL_TEST_EXCHANGE_HARNESS_H
#define PETREL_TEST_EXCHANGE_HARNESS_H

#include <stdint.h>

#include "crypto/secret.h"
#include "ike/ike.h"

#define HX_QUEUE_MAX 64
#define HX_MSG_MAX 65535

enum { HX_I = 0, HX_R = 1 };

struct hx_msg {
	int to;
	size_t len;
	uint8_t data[HX_MSG_MAX];
};

struct hx_side {
	struct hx *hx;
	int who;
	struct ike_sa *sa;
	struct ike_cfg cfg;
	struct secret *psk;
	uint64_t timer_at;   /* UINT64_MAX: not armed */
	int n_established, n_failed, n_deleted, n_rekeyed, last_err;
	int n_ticket, n_updated, n_unknown, n_initial_contact;
	int n_child_up, n_child_down;
	struct ike_child child; /* the last one installed */
	/* Child SAs installed now: inbound and outbound SPIs, and the first
	 * octets of each direction's key (to tell generations apart). */
	int n_live;
	uint32_t live_in[8], live_out[8];
	uint8_t live_key_in[8][8], live_key_out[8][8];
	uint8_t key_in[128], key_out[128];
	size_t key_in_len, key_out_len;
	int sent;            /* messages this side sent */
	struct ike_addr local, remote;
};

struct hx {
	struct hx_side side[2];
	struct hx_msg *q[HX_QUEUE_MAX];
	int n_q;
	uint64_t now_ms;
	uint64_t rng;
	struct ike_ops ops[2];
};

/* A fresh pair: PSK auth with `psk_i` / `psk_r`, default proposals,
 * virtual IPv4 203.0.113.10 from the responder, its side 203.0.113.0/24. */
void hx_init(struct hx *hx, const char *psk_i, const char *psk_r);
void hx_free(struct hx *hx);
/* Parse proposal strings into a side's configuration (abort on error). */
void hx_props(struct hx *hx, int who, const char *ike, const char *esp);
int hx_start(struct hx *hx);
/* Deliver the first queued message; returns the receiving side, -1 if none. */
int hx_step(struct hx *hx);
/* Drop the first queued message; returns its target, -1 if none. */
int hx_drop(struct hx *hx);
/* Deliver a copy of the first message without removing it. */
int hx_dup(struct hx *hx);
/* Run until the queue is empty (at most max steps); returns steps. */
int hx_run(struct hx *hx, int max);
/* Move the clock to the earliest armed timer and fire it; 0 or -1 when none. */
int hx_fire_timer(struct hx *hx);
/* 1 when the two sides hold exactly the same Child SAs, paired up (our
 * inbound is their outbound) with matching keys; n_out gets the count. */
int hx_children_paired(const struct hx *hx, int *n_out);
/* Exchange type and message ID of the first queued message. */
uint8_t hx_peek_exch(const struct hx *hx, uint32_t *msg_id, int *response);
/* Inject bytes as if sent to `to`; returns ike_sa_recv's value. */
int hx_inject(struct hx *hx, int to, const uint8_t *p, size_t len);

#endif
