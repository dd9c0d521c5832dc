/* Helpers shared by the vector tests: hex literals into buffers. */
#ifndef PETREL_TESTS_VEC_H
#define PETREL_TESTS_VEC_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "base/hex.h"
#include "test.h"

/* Decode hex (whitespace allowed) into a fresh malloc'd buffer; the length
 * goes to *len. Aborts the test on bad hex: a typo in a vector is a bug. */
static inline uint8_t *vec_hex(const char *hex, size_t *len)
{
	size_t cap = strlen(hex) / 2 + 1, n = 0;
	uint8_t *p = malloc(cap);
	if (!p || hex_decode(p, cap, hex, &n) != 0) {
		fprintf(stderr, "bad hex in vector: %.40s\n", hex);
		exit(2);
	}
	*len = n;
	return p;
}

#endif
