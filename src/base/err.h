/* Error conventions (STYLE.md): functions return 0 or a negative errno.
 *   -EBADMSG   malformed bytes (a length past the end, a field out of range)
 *   -EPROTO    well-formed but against the protocol (wrong payload for the exchange)
 *   -EACCES    authentication failed
 *   -ENOBUFS   a bounded buffer is full
 *   -E2BIG     a cap from limits.h was hit
 *   -ENOTSUP   an algorithm or feature this build does not provide
 *   -ETIMEDOUT the peer did not answer
 * libuv codes pass through unchanged (they are negative errnos too). */
#ifndef PETREL_BASE_ERR_H
#define PETREL_BASE_ERR_H

#include <errno.h>

const char *pt_strerror(int err);

#endif
