/* Hex for logs (SPIs, never keys) and for test vectors. */
#ifndef PETREL_BASE_HEX_H
#define PETREL_BASE_HEX_H

#include <stddef.h>
#include <stdint.h>

/* Writes 2*n+1 bytes (NUL-terminated) into out when out_len allows;
 * returns 0 or -ENOBUFS. */
int hex_encode(char *out, size_t out_len, const uint8_t *in, size_t n);
/* Decodes a hex string (whitespace ignored) into out; *n_out gets the byte
 * count. Returns 0, -EBADMSG (odd digits or non-hex) or -ENOBUFS. */
int hex_decode(uint8_t *out, size_t out_len, const char *in, size_t *n_out);

#endif
