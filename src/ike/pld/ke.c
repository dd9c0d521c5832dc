/* Key Exchange payload (RFC 7296 3.4; RFC 9370 renames the group field).
 *
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Key Exchange Method Num     |           RESERVED            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                       Key Exchange Data                       ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Exact sizes per method are the crypto layer's business; here the data is
 * non-empty and within PT_KE_MAX_LEN (ML-KEM-1024 is the largest). */
#include "ike/pld/pld_int.h"

int ike_ke_decode(const struct ike_pld *p, struct ike_ke *ke)
{
	struct rd r;
	uint16_t rsvd;
	ike_pld_rd(p, &r);
	if (rd_u16(&r, &ke->method) || rd_u16(&r, &rsvd))
		return -EBADMSG;
	ke->len = rd_left(&r);
	if (ke->len == 0)
		return -EBADMSG;
	if (ke->len > PT_KE_MAX_LEN)
		return -E2BIG;
	rd_ref(&r, ke->len, &ke->data);
	return 0;
}

int ike_ke_encode(struct wb *w, const struct ike_ke *ke)
{
	if (ke->len == 0 || ke->len > PT_KE_MAX_LEN)
		return -EINVAL;
	wb_u16(w, ke->method);
	wb_u16(w, 0);
	return wb_put(w, ke->data, ke->len);
}
