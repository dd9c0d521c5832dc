/* petrel-gw: the IKE responder on one libuv loop (PRODUCT.md "Parts").
 *
 * SAs are found by (SPIi, SPIr); an IKE_SA_INIT request (SPIr zero) by
 * (SPIi, peer address), so its retransmissions reach the SA that answered
 * it. Each SA has one uv_timer driven by ops.timer, a virtual address from
 * the pool, and the peer address and port it was last heard from (RFC 7296
 * 2.11: responses go where the request came from; 2.23: once the peer moves
 * to 4500 we follow, with the non-ESP marker). SAs that die are freed from
 * a uv_idle callback, never from inside a callback of the SA itself. */
#ifndef PETREL_GW_GW_H
#define PETREL_GW_GW_H

#include <uv.h>

#include "conf/conf.h"

struct gw;

/* Everything startup needs; each failure is logged with what to fix. */
int gw_new(uv_loop_t *loop, const struct conf_gw *conf, struct gw **out);
/* SIGINT/SIGTERM: delete every SA (INFORMATIONAL Delete), then close; the
 * loop ends once the last handle is closed (at most ~3 s). */
void gw_shutdown(struct gw *gw);
/* SIGUSR1: log the data path's counters (drops per reason), if it has one. */
void gw_log_stats(const struct gw *gw);
/* After uv_run returned. */
void gw_free(struct gw *gw);

#endif
