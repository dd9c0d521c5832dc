/* EAP payload (RFC 7296 3.16) carrying one EAP message (RFC 3748 4).
 *
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Code      | Identifier    |           Length              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      | Type_Data...
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * The EAP Length counts the whole EAP message and must equal the payload
 * body; Success and Failure have no Type (RFC 3748 4.2). */
#include "ike/pld/pld_int.h"

static int eap_has_type(uint8_t code)
{
	return code == IKE_EAP_REQUEST || code == IKE_EAP_RESPONSE;
}

int ike_eap_decode(const struct ike_pld *p, struct ike_eap *eap)
{
	struct rd r;
	uint16_t len;
	ike_pld_rd(p, &r);
	if (rd_u8(&r, &eap->code) || rd_u8(&r, &eap->id) || rd_u16(&r, &len))
		return -EBADMSG;
	if (len != p->body_len)
		return -EBADMSG;
	eap->type = 0;
	eap->data = NULL;
	eap->len = 0;
	switch (eap->code) {
	case IKE_EAP_REQUEST:
	case IKE_EAP_RESPONSE:
		if (rd_u8(&r, &eap->type))
			return -EBADMSG;
		eap->len = rd_left(&r);
		rd_ref(&r, eap->len, &eap->data);
		return 0;
	case IKE_EAP_SUCCESS:
	case IKE_EAP_FAILURE:
		return rd_left(&r) ? -EBADMSG : 0;
	default:
		return -EBADMSG;
	}
}

int ike_eap_encode(struct wb *w, const struct ike_eap *eap)
{
	size_t len = 4;
	if (eap_has_type(eap->code))
		len += 1 + eap->len;
	else if (eap->code != IKE_EAP_SUCCESS && eap->code != IKE_EAP_FAILURE)
		return -EINVAL;
	else if (eap->len)
		return -EINVAL;
	if (len > IKE_PLD_MAX_LEN - IKE_PLD_HDR_LEN)
		return -ENOBUFS;
	wb_u8(w, eap->code);
	wb_u8(w, eap->id);
	wb_u16(w, (uint16_t)len);
	if (eap_has_type(eap->code)) {
		wb_u8(w, eap->type);
		wb_put(w, eap->data, eap->len);
	}
	return wb_err(w);
}
