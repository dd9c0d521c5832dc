/* src/net/iketcp: RFC 9329 framing. Every stream is fed in every possible
 * split (one octet at a time, two pieces at every cut) and must give the
 * same frames; broken streams are refused as the RFC says. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "net/iketcp.h"
#include "test.h"

struct got {
	int n;
	enum iketcp_kind kind[16];
	size_t len[16];
	uint8_t first[16];
};

static void on_frame(void *ctx, enum iketcp_kind kind, const uint8_t *p, size_t len)
{
	struct got *g = ctx;
	if (g->n < 16) {
		g->kind[g->n] = kind;
		g->len[g->n] = len;
		g->first[g->n] = len ? p[0] : 0;
	}
	g->n++;
}

static uint8_t stream[4096];
static size_t stream_len;

/* "IKETCP", an IKE message of 60 octets, an ESP packet of 100, a keepalive,
 * another IKE message. */
static void build(void)
{
	struct wb w;
	uint8_t ike[60], esp[100];
	memset(ike, 0x21, sizeof(ike));
	memset(esp, 0x55, sizeof(esp));
	esp[0] = 0xc0; /* a non-zero SPI */
	wb_init(&w, stream, sizeof(stream));
	CHECK_EQ(iketcp_put_prefix(&w), 0);
	CHECK_EQ(iketcp_put_ike(&w, ike, sizeof(ike)), 0);
	CHECK_EQ(iketcp_put_esp(&w, esp, sizeof(esp)), 0);
	wb_u16(&w, 3);
	wb_u8(&w, 0xff);
	CHECK_EQ(iketcp_put_ike(&w, ike, 40), 0);
	stream_len = wb_len(&w);
	CHECK_EQ(stream_len, 6 + (2 + 4 + 60) + (2 + 100) + 3 + (2 + 4 + 40));
	/* exact bytes of the first frame: Length counts itself and the marker */
	CHECK_EQ(stream[6], 0);
	CHECK_EQ(stream[7], 66);
	CHECK(stream[8] == 0 && stream[9] == 0 && stream[10] == 0 && stream[11] == 0);
}

static void check_frames(const struct got *g)
{
	CHECK_EQ(g->n, 3);
	CHECK_EQ(g->kind[0], IKETCP_IKE);
	CHECK_EQ(g->len[0], 60);
	CHECK_EQ(g->first[0], 0x21);
	CHECK_EQ(g->kind[1], IKETCP_ESP);
	CHECK_EQ(g->len[1], 100);
	CHECK_EQ(g->first[1], 0xc0);
	CHECK_EQ(g->kind[2], IKETCP_IKE);
	CHECK_EQ(g->len[2], 40);
}

static void test_splits(struct iketcp_rx *rx)
{
	struct got g;

	/* one octet at a time */
	memset(&g, 0, sizeof(g));
	iketcp_rx_init(rx, 1);
	for (size_t i = 0; i < stream_len; i++)
		CHECK_EQ(iketcp_rx_feed(rx, stream + i, 1, on_frame, &g), 0);
	check_frames(&g);
	CHECK_EQ(rx->st.keepalives, 1);
	/* two pieces, cut everywhere */
	int bad = 0;
	for (size_t cut = 0; cut <= stream_len; cut++) {
		memset(&g, 0, sizeof(g));
		iketcp_rx_init(rx, 1);
		if (iketcp_rx_feed(rx, stream, cut, on_frame, &g) ||
		    iketcp_rx_feed(rx, stream + cut, stream_len - cut, on_frame, &g) || g.n != 3)
			bad++;
	}
	CHECK_EQ(bad, 0);
	/* the opener's side reads no prefix */
	memset(&g, 0, sizeof(g));
	iketcp_rx_init(rx, 0);
	CHECK_EQ(iketcp_rx_feed(rx, stream + 6, stream_len - 6, on_frame, &g), 0);
	check_frames(&g);
}

static void test_broken(struct iketcp_rx *rx)
{
	struct got g = { 0 };
	static const uint8_t wrong_prefix[] = "IKETCQ";
	static const uint8_t len_one[] = { 'I', 'K', 'E', 'T', 'C', 'P', 0, 1 };
	static const uint8_t len_zero[] = { 0, 0 };

	iketcp_rx_init(rx, 1);
	CHECK_EQ(iketcp_rx_feed(rx, wrong_prefix, 6, on_frame, &g), -EPROTO);
	iketcp_rx_init(rx, 1);
	CHECK_EQ(iketcp_rx_feed(rx, len_one, sizeof(len_one), on_frame, &g), -EPROTO);
	iketcp_rx_init(rx, 0);
	CHECK_EQ(iketcp_rx_feed(rx, len_zero, 2, on_frame, &g), -EPROTO);
	/* short frames are dropped and counted, the stream lives on ... */
	uint8_t shorts[3 * (IKETCP_BAD_IN_A_ROW_MAX + 1)];
	for (size_t i = 0; i < sizeof(shorts); i += 3) {
		shorts[i] = 0;
		shorts[i + 1] = 3;
		shorts[i + 2] = 0x01; /* one octet, not a keepalive */
	}
	iketcp_rx_init(rx, 0);
	CHECK_EQ(iketcp_rx_feed(rx, shorts, 3 * IKETCP_BAD_IN_A_ROW_MAX, on_frame, &g), 0);
	CHECK_EQ(rx->st.bad, IKETCP_BAD_IN_A_ROW_MAX);
	/* ... until too many come in a row (RFC 9329 6) */
	CHECK_EQ(iketcp_rx_feed(rx, shorts, 3, on_frame, &g), -EPROTO);
	/* a good frame in between resets the count */
	iketcp_rx_init(rx, 0);
	for (unsigned k = 0; k < 3; k++) {
		CHECK_EQ(iketcp_rx_feed(rx, shorts, 3 * IKETCP_BAD_IN_A_ROW_MAX, on_frame, &g), 0);
		CHECK_EQ(iketcp_rx_feed(rx, stream + 6, 2 + 4 + 60, on_frame, &g), 0);
	}
	/* an IKE frame too short for an IKE header is bad, not delivered */
	uint8_t tiny_ike[2 + 4 + 10] = { 0, 16 };
	memset(&g, 0, sizeof(g));
	iketcp_rx_init(rx, 0);
	CHECK_EQ(iketcp_rx_feed(rx, tiny_ike, sizeof(tiny_ike), on_frame, &g), 0);
	CHECK_EQ(g.n, 0);
	CHECK_EQ(rx->st.bad, 1);
	/* a reconnect drops a half frame */
	memset(&g, 0, sizeof(g));
	iketcp_rx_init(rx, 1);
	CHECK_EQ(iketcp_rx_feed(rx, stream, 30, on_frame, &g), 0);
	iketcp_rx_reset(rx);
	CHECK_EQ(iketcp_rx_feed(rx, stream, stream_len, on_frame, &g), 0);
	check_frames(&g);
}

/* A frame callback that stops the stream (its owner closed it). */
static struct iketcp_rx *stop_rx;
static void on_frame_stop(void *ctx, enum iketcp_kind kind, const uint8_t *p, size_t len)
{
	on_frame(ctx, kind, p, len);
	iketcp_rx_stop(stop_rx);
}

/* iketcp_rx_stop() from the first frame: the feed returns -ECANCELED with
 * the rest unread; a reset makes the receiver usable again. */
static void test_stop(struct iketcp_rx *rx)
{
	struct got g = { 0 };
	stop_rx = rx;
	iketcp_rx_init(rx, 1);
	CHECK_EQ(iketcp_rx_feed(rx, stream, stream_len, on_frame_stop, &g), -ECANCELED);
	CHECK_EQ(g.n, 1);
	CHECK_EQ(rx->st.esp + rx->st.keepalives, 0);
	memset(&g, 0, sizeof(g));
	iketcp_rx_reset(rx);
	CHECK_EQ(iketcp_rx_feed(rx, stream, stream_len, on_frame, &g), 0);
	check_frames(&g);
}

static void test_sizes(struct iketcp_rx *rx)
{
	static uint8_t big[IKETCP_PAYLOAD_MAX + 8], out[IKETCP_PAYLOAD_MAX + 16];
	struct wb w;
	struct got g = { 0 };

	memset(big, 0x11, sizeof(big));
	wb_init(&w, out, sizeof(out));
	/* the largest IKE message: 65,529 octets */
	CHECK_EQ(iketcp_put_ike(&w, big, IKETCP_PAYLOAD_MAX - 4), 0);
	CHECK_EQ(wb_len(&w), 65535);
	CHECK_EQ(out[0], 0xff);
	CHECK_EQ(out[1], 0xff);
	iketcp_rx_init(rx, 0);
	CHECK_EQ(iketcp_rx_feed(rx, out, wb_len(&w), on_frame, &g), 0);
	CHECK_EQ(g.n, 1);
	CHECK_EQ(g.len[0], 65529);
	wb_init(&w, out, sizeof(out));
	CHECK_EQ(iketcp_put_ike(&w, big, IKETCP_PAYLOAD_MAX - 3), -EMSGSIZE);
	CHECK_EQ(iketcp_put_esp(&w, big, IKETCP_PAYLOAD_MAX + 1), -EMSGSIZE);
	CHECK_EQ(iketcp_put_esp(&w, big, 3), -EMSGSIZE);
	/* a full buffer is the buffer's error */
	uint8_t small[10];
	wb_init(&w, small, sizeof(small));
	CHECK_EQ(iketcp_put_ike(&w, big, 40), -ENOBUFS);
}

int main(void)
{
	struct iketcp_rx *rx = malloc(sizeof(*rx));
	if (!rx)
		return 1;
	build();
	test_splits(rx);
	test_broken(rx);
	test_stop(rx);
	test_sizes(rx);
	free(rx);
	return test_done();
}
