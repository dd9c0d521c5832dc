/* Identification payloads IDi / IDr (RFC 7296 3.5).
 *
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   ID Type     |                 RESERVED                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                   Identification Data                         ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
#include "ike/pld/pld_int.h"

/* RFC 7296 3.5: addresses have fixed sizes; names are never empty;
 * ID_NULL (RFC 7619) and unknown types stay opaque. */
static int id_len_ok(uint8_t type, size_t len)
{
	switch (type) {
	case IKE_ID_IPV4_ADDR: return len == 4;
	case IKE_ID_IPV6_ADDR: return len == 16;
	case IKE_ID_FQDN: case IKE_ID_RFC822_ADDR: case IKE_ID_DER_ASN1_DN:
	case IKE_ID_DER_ASN1_GN: case IKE_ID_KEY_ID:
		return len > 0;
	default: return 1;
	}
}

int ike_id_decode(const struct ike_pld *p, struct ike_id *id)
{
	struct rd r;
	ike_pld_rd(p, &r);
	if (rd_u8(&r, &id->type) || rd_skip(&r, 3))
		return -EBADMSG;
	id->len = rd_left(&r);
	rd_ref(&r, id->len, &id->data);
	return id_len_ok(id->type, id->len) ? 0 : -EBADMSG;
}

int ike_id_encode(struct wb *w, const struct ike_id *id)
{
	if (!id_len_ok(id->type, id->len))
		return -EINVAL;
	wb_u8(w, id->type);
	wb_zero(w, 3);
	return wb_put(w, id->data, id->len);
}
