/* Run a helper program (nft, resolvectl, scutil) without a shell:
 * posix_spawn with an argv array, a fixed environment, stdin fed from a
 * buffer, stdout and stderr captured together (bounded), and a deadline
 * after which the child is killed. */
#ifndef PETREL_NET_SPAWN_H
#define PETREL_NET_SPAWN_H

#include <stddef.h>

struct net_spawn_io {
	const char *in;          /* fed on stdin, then stdin is closed; NULL: empty */
	size_t in_len;
	char *out;               /* stdout+stderr, NUL-terminated, cut at out_cap - 1 */
	size_t out_cap;          /* 0: output discarded */
	unsigned timeout_ms;     /* 0: PT_NET_SPAWN_TIMEOUT_MS */
};

/* argv[0] is the program's absolute path. Returns its exit status (0-255),
 * -ENOENT when it does not exist or cannot be run, -ETIMEDOUT when it was
 * killed at the deadline, -EINTR when it died of a signal, or another
 * negative errno. */
int net_spawn(const char *const argv[], struct net_spawn_io *io);
/* The first of the candidate paths that is an executable file, or NULL. */
const char *net_spawn_find(const char *const candidates[]);

#endif
