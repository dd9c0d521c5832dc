/* Nonce payload (RFC 7296 3.9).
 *
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                            Nonce Data                         ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * RFC 7296 2.10: between 16 and 256 octets. */
#include "ike/pld/pld_int.h"

static int nonce_ok(size_t len)
{
	return len >= PT_IKE_NONCE_MIN_LEN && len <= PT_IKE_NONCE_MAX_LEN;
}

int ike_nonce_decode(const struct ike_pld *p, struct ike_blob *n)
{
	n->data = p->body;
	n->len = p->body_len;
	return nonce_ok(n->len) ? 0 : -EBADMSG;
}

int ike_nonce_encode(struct wb *w, const struct ike_blob *n)
{
	if (!nonce_ok(n->len))
		return -EINVAL;
	return wb_put(w, n->data, n->len);
}
