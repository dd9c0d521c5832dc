/* Notify payload (RFC 7296 3.10).
 *
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Protocol ID  |   SPI Size    |      Notify Message Type      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                Security Parameter Index (SPI)                 ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                       Notification Data                       ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Data is checked only for the types whose data petrel reads; other types
 * (status flags, unknown, TBD draft values) keep theirs opaque. */
#include "ike/pld/pld_int.h"

/* Data sizes from the defining sections (consts.h cites them). */
static int notify_data_ok(const struct ike_notify *n)
{
	switch (n->type) {
	case IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD: return n->len == 1;
	case IKE_N_INVALID_KE_PAYLOAD: return n->len == 2;
	case IKE_N_INVALID_MESSAGE_ID: return n->len == 4;
	case IKE_N_SET_WINDOW_SIZE: return n->len == 4;
	case IKE_N_AUTH_LIFETIME: return n->len == 4;
	case IKE_N_NAT_DETECTION_SOURCE_IP:
	case IKE_N_NAT_DETECTION_DESTINATION_IP:
		return n->len == 20; /* SHA-1, RFC 7296 2.23 */
	case IKE_N_COOKIE:
		return n->len >= 1 && n->len <= PT_IKE_COOKIE_MAX_LEN;
	case IKE_N_REKEY_SA:
		return n->spi_len == 4; /* the Child SA's SPI, RFC 7296 1.3.3 */
	case IKE_N_ADDITIONAL_IP4_ADDRESS: return n->len == 4;
	case IKE_N_ADDITIONAL_IP6_ADDRESS: return n->len == 16;
	case IKE_N_TICKET_LT_OPAQUE: return n->len > 4; /* lifetime, then the ticket */
	case IKE_N_TICKET_OPAQUE: return n->len > 0;
	case IKE_N_SIGNATURE_HASH_ALGORITHMS: return n->len % 2 == 0;
	default: return 1;
	}
}

static int notify_ok(const struct ike_notify *n)
{
	/* RFC 7296 3.10: SPI size 0 for the IKE SA, 4 for AH/ESP; 8 is an IKE
	 * SPI (INVALID_IKE_SPI style). */
	if (n->spi_len != 0 && n->spi_len != 4 && n->spi_len != 8)
		return 0;
	return notify_data_ok(n);
}

int ike_notify_decode(const struct ike_pld *p, struct ike_notify *n)
{
	struct rd r;
	ike_pld_rd(p, &r);
	if (rd_u8(&r, &n->proto) || rd_u8(&r, &n->spi_len) || rd_u16(&r, &n->type))
		return -EBADMSG;
	if (n->spi_len > PT_IKE_SPI_MAX_LEN || rd_bytes(&r, n->spi, n->spi_len))
		return -EBADMSG;
	n->len = rd_left(&r);
	rd_ref(&r, n->len, &n->data);
	return notify_ok(n) ? 0 : -EBADMSG;
}

int ike_notify_encode(struct wb *w, const struct ike_notify *n)
{
	if (n->spi_len > PT_IKE_SPI_MAX_LEN || !notify_ok(n))
		return -EINVAL;
	wb_u8(w, n->proto);
	wb_u8(w, n->spi_len);
	wb_u16(w, n->type);
	wb_put(w, n->spi, n->spi_len);
	return wb_put(w, n->data, n->len);
}
