#include "base/hex.h"

#include <errno.h>

static const char digits[] = "0123456789abcdef";

int hex_encode(char *out, size_t out_len, const uint8_t *in, size_t n)
{
	if (out_len == 0 || n > (out_len - 1) / 2)
		return -ENOBUFS;
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
	return 0;
}

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int hex_decode(uint8_t *out, size_t out_len, const char *in, size_t *n_out)
{
	size_t n = 0;
	int hi = -1;

	for (; *in; in++) {
		if (*in == ' ' || *in == '\n' || *in == '\t' || *in == '\r' || *in == ':')
			continue;
		int v = nibble(*in);
		if (v < 0)
			return -EBADMSG;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n >= out_len)
			return -ENOBUFS;
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	if (hi >= 0)
		return -EBADMSG;
	*n_out = n;
	return 0;
}
