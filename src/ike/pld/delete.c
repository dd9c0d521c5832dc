/* Delete payload (RFC 7296 3.11).
 *
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Protocol ID   |   SPI Size    |          Num of SPIs          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~               Security Parameter Index(es) (SPI)              ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * The IKE SA is deleted with Protocol 1, SPI Size 0 and no SPIs (the SA is
 * the one the message travels on); AH/ESP list 4-octet SPIs. */
#include "ike/pld/pld_int.h"

static int delete_ok(const struct ike_delete *del)
{
	switch (del->proto) {
	case IKE_PROTO_IKE:
		return del->spi_len == 0 && del->n_spi == 0 ? 0 : -EBADMSG;
	case IKE_PROTO_AH:
	case IKE_PROTO_ESP:
		if (del->spi_len != 4 || del->n_spi == 0)
			return -EBADMSG;
		return del->n_spi > PT_IKE_DELETE_SPIS_MAX ? -E2BIG : 0;
	default:
		return -EBADMSG;
	}
}

int ike_delete_decode(const struct ike_pld *p, struct ike_delete *del)
{
	struct rd r;
	ike_pld_rd(p, &r);
	if (rd_u8(&r, &del->proto) || rd_u8(&r, &del->spi_len) || rd_u16(&r, &del->n_spi))
		return -EBADMSG;
	int err = delete_ok(del);
	if (err)
		return err;
	/* Num of SPIs times SPI Size is exactly the rest. */
	size_t n = (size_t)del->n_spi * del->spi_len;
	if (rd_left(&r) != n)
		return -EBADMSG;
	rd_ref(&r, n, &del->spis);
	return 0;
}

int ike_delete_encode(struct wb *w, const struct ike_delete *del)
{
	if (delete_ok(del))
		return -EINVAL;
	wb_u8(w, del->proto);
	wb_u8(w, del->spi_len);
	wb_u16(w, del->n_spi);
	return wb_put(w, del->spis, (size_t)del->n_spi * del->spi_len);
}

uint32_t ike_delete_spi(const struct ike_delete *del, size_t i)
{
	const uint8_t *s = del->spis + i * 4;
	return (uint32_t)s[0] << 24 | (uint32_t)s[1] << 16 | (uint32_t)s[2] << 8 | s[3];
}
