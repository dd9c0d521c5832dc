/* Traffic selectors in host form: narrowing (RFC 7296 2.9). */
#ifndef PETREL_IKE_TS_H
#define PETREL_IKE_TS_H

#include "ike/ike.h"
#include "ike/pld/pld.h"

/* 1 and *out = a ∩ b when they overlap, else 0. */
int ike_ts_intersect(const struct ike_ts_cfg *a, const struct ike_ts_cfg *b, struct ike_ts_cfg *out);
/* 1 when inner lies entirely within outer. */
int ike_ts_within(const struct ike_ts_cfg *inner, const struct ike_ts_cfg *outer);
void ike_ts_from_wire(const struct ike_ts *w, struct ike_ts_cfg *c);
void ike_ts_to_wire(const struct ike_ts_cfg *c, struct ike_ts *w);
/* One address, all protocols and ports. */
void ike_ts_host(struct ike_ts_cfg *c, int v6, const uint8_t *addr);
/* Every address of the family. */
void ike_ts_all(struct ike_ts_cfg *c, int v6);

#endif
