/* RFC 9329 framing. */
#include "net/iketcp.h"

#include <errno.h>
#include <string.h>

void iketcp_rx_init(struct iketcp_rx *rx, int expect_prefix)
{
	memset(rx, 0, offsetof(struct iketcp_rx, buf));
	rx->expect_prefix = expect_prefix;
}

void iketcp_rx_reset(struct iketcp_rx *rx)
{
	rx->prefix_have = 0;
	rx->len_have = 0;
	rx->want = rx->have = 0;
	rx->bad_in_a_row = 0;
	rx->stop = 0;
}

void iketcp_rx_stop(struct iketcp_rx *rx) { rx->stop = 1; }

/* One whole payload: what is it? */
static int deliver(struct iketcp_rx *rx, iketcp_frame_fn fn, void *ctx)
{
	const uint8_t *p = rx->buf;
	size_t n = rx->want;

	if (n == 1 && p[0] == 0xff) {
		rx->st.keepalives++; /* RFC 9329 3: discard */
		return 0;
	}
	/* Fewer than 4 octets can be neither a marker nor an SPI; an IKE
	 * message needs its 28-octet header after the marker. */
	int ike = n >= IKETCP_MARKER_LEN && !p[0] && !p[1] && !p[2] && !p[3];
	if (n < IKETCP_MARKER_LEN || (ike && n < IKETCP_MARKER_LEN + 28u)) {
		rx->st.bad++;
		return ++rx->bad_in_a_row > IKETCP_BAD_IN_A_ROW_MAX ? -EPROTO : 0;
	}
	rx->bad_in_a_row = 0;
	if (ike) {
		rx->st.ike++;
		fn(ctx, IKETCP_IKE, p + IKETCP_MARKER_LEN, n - IKETCP_MARKER_LEN);
	} else {
		rx->st.esp++;
		fn(ctx, IKETCP_ESP, p, n);
	}
	return 0;
}

int iketcp_rx_feed(struct iketcp_rx *rx, const uint8_t *data, size_t len, iketcp_frame_fn fn,
		   void *ctx)
{
	static const char prefix[] = IKETCP_PREFIX;
	size_t off = 0;

	while (off < len) {
		if (rx->expect_prefix && rx->prefix_have < IKETCP_PREFIX_LEN) {
			/* RFC 9329 4: the whole prefix before anything else. */
			if (data[off] != (uint8_t)prefix[rx->prefix_have])
				return -EPROTO;
			rx->prefix_have++;
			off++;
			continue;
		}
		if (rx->len_have < IKETCP_LEN_LEN) {
			rx->len_buf[rx->len_have++] = data[off++];
			if (rx->len_have < IKETCP_LEN_LEN)
				continue;
			size_t total = (size_t)rx->len_buf[0] << 8 | rx->len_buf[1];
			if (total < IKETCP_LEN_LEN)
				return -EPROTO; /* the Length counts itself: below 2 is nonsense */
			rx->want = total - IKETCP_LEN_LEN;
			rx->have = 0;
			if (rx->want == 0) {
				/* An empty frame carries nothing: a bad frame. */
				rx->len_have = 0;
				rx->st.bad++;
				if (++rx->bad_in_a_row > IKETCP_BAD_IN_A_ROW_MAX)
					return -EPROTO;
			}
			continue;
		}
		size_t take = rx->want - rx->have;
		if (take > len - off)
			take = len - off;
		memcpy(rx->buf + rx->have, data + off, take);
		rx->have += take;
		off += take;
		if (rx->have == rx->want) {
			rx->len_have = 0;
			int rc = deliver(rx, fn, ctx);
			if (rc)
				return rc;
			if (rx->stop)
				return -ECANCELED;
		}
	}
	return 0;
}

int iketcp_put_prefix(struct wb *w)
{
	return wb_put(w, IKETCP_PREFIX, IKETCP_PREFIX_LEN);
}

int iketcp_put_ike(struct wb *w, const uint8_t *msg, size_t len)
{
	if (len > IKETCP_PAYLOAD_MAX - IKETCP_MARKER_LEN)
		return -EMSGSIZE;
	wb_u16(w, (uint16_t)(IKETCP_LEN_LEN + IKETCP_MARKER_LEN + len));
	wb_u32(w, 0); /* the non-ESP marker */
	return wb_put(w, msg, len);
}

int iketcp_put_esp(struct wb *w, const uint8_t *pkt, size_t len)
{
	if (len > IKETCP_PAYLOAD_MAX || len < IKETCP_MARKER_LEN)
		return -EMSGSIZE;
	wb_u16(w, (uint16_t)(IKETCP_LEN_LEN + len));
	return wb_put(w, pkt, len);
}
