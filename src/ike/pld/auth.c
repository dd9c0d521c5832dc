/* Authentication payload (RFC 7296 3.8).
 *
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Auth Method   |                RESERVED                       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                      Authentication Data                      ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * The data is checked by the crypto layer (constant-time for MACs); here it
 * only has to be there. */
#include "ike/pld/pld_int.h"

int ike_auth_decode(const struct ike_pld *p, struct ike_auth *a)
{
	struct rd r;
	ike_pld_rd(p, &r);
	if (rd_u8(&r, &a->method) || rd_skip(&r, 3))
		return -EBADMSG;
	a->len = rd_left(&r);
	rd_ref(&r, a->len, &a->data);
	return a->len ? 0 : -EBADMSG;
}

int ike_auth_encode(struct wb *w, const struct ike_auth *a)
{
	if (!a->len)
		return -EINVAL;
	wb_u8(w, a->method);
	wb_zero(w, 3);
	return wb_put(w, a->data, a->len);
}
