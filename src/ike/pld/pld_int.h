/* Internal helpers shared by the payload codecs (not for other modules). */
#ifndef PETREL_IKE_PLD_INT_H
#define PETREL_IKE_PLD_INT_H

#include <errno.h>

#include "ike/pld/pld.h"

/* Record why and return err (a negative errno). d may be NULL. */
static inline int ike_fail(struct ike_diag *d, int err, const char *why, uint16_t notify,
			   uint8_t type, size_t off)
{
	if (d) {
		d->reason = why;
		d->notify = notify;
		d->pld_type = type;
		d->off = off;
	}
	return err;
}

/* A cursor over a payload's body. */
static inline void ike_pld_rd(const struct ike_pld *p, struct rd *r)
{
	rd_init(r, p->body, p->body_len);
}

#endif
