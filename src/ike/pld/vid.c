/* Vendor ID payload (RFC 7296 3.12).
 *
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                        Vendor ID (VID)                        ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Opaque; unknown VIDs are ignored by the task layer. */
#include "ike/pld/pld_int.h"

int ike_vid_decode(const struct ike_pld *p, struct ike_blob *v)
{
	v->data = p->body;
	v->len = p->body_len;
	return v->len ? 0 : -EBADMSG;
}

int ike_vid_encode(struct wb *w, const struct ike_blob *v)
{
	if (!v->len)
		return -EINVAL;
	return wb_put(w, v->data, v->len);
}
