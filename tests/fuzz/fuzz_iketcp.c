/* Fuzz target: an RFC 9329 TCP stream (trust boundary: bytes from a TCP
 * peer). The input is fed in pieces whose sizes come from its first octets;
 * every delivered frame must lie within the buffer and have a sane kind. */
#include <stdint.h>
#include <stdlib.h>

#include "net/iketcp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_frame(void *ctx, enum iketcp_kind kind, const uint8_t *p, size_t len)
{
	size_t *n = ctx;
	if ((kind != IKETCP_IKE && kind != IKETCP_ESP) || len > IKETCP_PAYLOAD_MAX)
		abort();
	if (kind == IKETCP_IKE && len < 28)
		abort();
	volatile uint8_t sink = len ? p[len - 1] : 0;
	(void)sink;
	(*n)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct iketcp_rx rx;
	size_t frames = 0;

	if (size < 2)
		return 0;
	iketcp_rx_init(&rx, data[0] & 1);
	unsigned step = (unsigned)data[1] % 97 + 1;
	data += 2;
	size -= 2;
	for (size_t off = 0; off < size; off += step) {
		size_t n = size - off < step ? size - off : step;
		if (iketcp_rx_feed(&rx, data + off, n, on_frame, &frames))
			break;
	}
	return 0;
}
