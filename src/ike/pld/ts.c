/* Traffic Selector payloads TSi / TSr (RFC 7296 3.13).
 *
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Number of TSs |                 RESERVED                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                       <Traffic Selectors>                     ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Traffic selector (RFC 7296 3.13.1):
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   TS Type     |IP Protocol ID*|       Selector Length         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Start Port*         |           End Port*           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                         Starting Address*                     ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                         Ending Address*                       ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   * for TS_IPV4_ADDR_RANGE (length 16) and TS_IPV6_ADDR_RANGE (40);
 *     other types (RFC 4595, RFC 9478) are kept opaque after the length.
 */
#include "ike/pld/pld_int.h"

static size_t addr_len(uint8_t type)
{
	return type == IKE_TS_IPV4_ADDR_RANGE ? 4 : type == IKE_TS_IPV6_ADDR_RANGE ? 16 : 0;
}

int ike_ts_decode(const struct ike_pld *p, struct ike_tsp *t)
{
	struct rd r;
	uint8_t count;
	ike_pld_rd(p, &r);
	t->n = 0;
	if (rd_u8(&r, &count) || rd_skip(&r, 3))
		return -EBADMSG;
	if (count == 0)
		return -EBADMSG;
	if (count > PT_IKE_TS_MAX)
		return -E2BIG;
	for (unsigned i = 0; i < count; i++) {
		struct ike_ts *ts = &t->ts[i];
		uint16_t slen;
		struct rd sub;

		memset(ts, 0, sizeof(*ts));
		if (rd_u8(&r, &ts->type) || rd_u8(&r, &ts->proto) || rd_u16(&r, &slen))
			return -EBADMSG;
		if (slen < 4 || rd_sub(&r, slen - 4u, &sub))
			return -EBADMSG;
		size_t alen = addr_len(ts->type);
		if (alen) {
			if (slen != 8 + 2 * alen)
				return -EBADMSG;
			rd_u16(&sub, &ts->start_port);
			rd_u16(&sub, &ts->end_port);
			rd_bytes(&sub, ts->start, alen);
			rd_bytes(&sub, ts->end, alen);
		} else {
			ts->len = (uint16_t)rd_left(&sub);
			rd_ref(&sub, ts->len, &ts->data);
		}
		t->n++;
	}
	/* Number of TSs and the payload length describe the same bytes. */
	return rd_left(&r) ? -EBADMSG : 0;
}

int ike_ts_encode(struct wb *w, const struct ike_tsp *t)
{
	if (t->n == 0 || t->n > PT_IKE_TS_MAX)
		return -EINVAL;
	wb_u8(w, (uint8_t)t->n);
	wb_zero(w, 3);
	for (size_t i = 0; i < t->n; i++) {
		const struct ike_ts *ts = &t->ts[i];
		size_t alen = addr_len(ts->type);
		wb_u8(w, ts->type);
		wb_u8(w, ts->proto);
		if (alen) {
			wb_u16(w, (uint16_t)(8 + 2 * alen));
			wb_u16(w, ts->start_port);
			wb_u16(w, ts->end_port);
			wb_put(w, ts->start, alen);
			wb_put(w, ts->end, alen);
		} else {
			if (ts->len > UINT16_MAX - 4u)
				return -EINVAL;
			wb_u16(w, (uint16_t)(4 + ts->len));
			wb_put(w, ts->data, ts->len);
		}
	}
	return wb_err(w);
}
