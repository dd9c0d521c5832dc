/* Configuration payload CP (RFC 7296 3.15).
 *
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C| RESERVED    |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   CFG Type    |                    RESERVED                   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                   Configuration Attributes                    ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Configuration attribute (RFC 7296 3.15.1):
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |R|         Attribute Type      |            Length             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                             Value                             ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * A value may be empty (a request for that attribute); the sizes of the
 * address attributes are those of the table in RFC 7296 3.15.1. */
#include "ike/pld/pld_int.h"

#define CPA_R 0x8000u

static int cp_attr_len_ok(uint16_t type, uint16_t len)
{
	if (len == 0)
		return 1;
	switch (type) {
	case IKE_CPA_INTERNAL_IP4_ADDRESS: case IKE_CPA_INTERNAL_IP4_NETMASK:
	case IKE_CPA_INTERNAL_IP4_DNS: case IKE_CPA_INTERNAL_IP4_NBNS:
	case IKE_CPA_INTERNAL_IP4_DHCP:
		return len == 4;
	case IKE_CPA_INTERNAL_IP6_DNS: case IKE_CPA_INTERNAL_IP6_DHCP:
		return len == 16;
	case IKE_CPA_INTERNAL_IP6_ADDRESS: case IKE_CPA_INTERNAL_IP6_SUBNET:
		return len == 17; /* address and prefix length */
	case IKE_CPA_INTERNAL_IP4_SUBNET:
		return len == 8;  /* address and netmask */
	case IKE_CPA_SUPPORTED_ATTRIBUTES:
		return len % 2 == 0;
	default:
		return 1;
	}
}

int ike_cp_decode(const struct ike_pld *p, struct ike_cp *cp)
{
	struct rd r;
	ike_pld_rd(p, &r);
	cp->n = 0;
	if (rd_u8(&r, &cp->type) || rd_skip(&r, 3))
		return -EBADMSG;
	while (rd_left(&r)) {
		uint16_t type, len;
		if (cp->n == PT_IKE_CP_ATTRS_MAX)
			return -E2BIG;
		struct ike_cp_attr *a = &cp->attr[cp->n];
		if (rd_u16(&r, &type) || rd_u16(&r, &len) || rd_ref(&r, len, &a->val))
			return -EBADMSG;
		a->type = type & (uint16_t)~CPA_R; /* R: reserved, ignored on receipt */
		a->len = len;
		if (!cp_attr_len_ok(a->type, len))
			return -EBADMSG;
		cp->n++;
	}
	return 0;
}

int ike_cp_encode(struct wb *w, const struct ike_cp *cp)
{
	if (cp->n > PT_IKE_CP_ATTRS_MAX)
		return -EINVAL;
	wb_u8(w, cp->type);
	wb_zero(w, 3);
	for (size_t i = 0; i < cp->n; i++) {
		const struct ike_cp_attr *a = &cp->attr[i];
		if ((a->type & CPA_R) || !cp_attr_len_ok(a->type, a->len))
			return -EINVAL;
		wb_u16(w, a->type);
		wb_u16(w, a->len);
		wb_put(w, a->val, a->len);
	}
	return wb_err(w);
}
