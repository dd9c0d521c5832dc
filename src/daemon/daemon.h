/* petreld: profiles, their connections, and the control socket. */
#ifndef PETREL_DAEMON_DAEMON_H
#define PETREL_DAEMON_DAEMON_H

#include <uv.h>

#include "conf/conf.h"

struct daemon;

struct daemon_opts {
	const char *config_dir;  /* /etc/petrel */
	const char *socket_path; /* NULL: the default */
	const char *group;       /* NULL: "petrel" */
	const char *state_dir;   /* NULL: /var/lib/petrel; tickets in <state_dir>/tickets */
};

int daemon_new(uv_loop_t *loop, const struct daemon_opts *o, struct daemon **out);
/* Take every connection down (bounded), close the control socket, then
 * call done. */
void daemon_shutdown(struct daemon *d, void (*done)(void *arg), void *arg);
void daemon_free(struct daemon *d);

#endif
