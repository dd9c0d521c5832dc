/* One connection of petreld: a profile brought up (IKE SA, data path,
 * routes and DNS) and taken down again. */
#ifndef PETREL_DAEMON_CONN_H
#define PETREL_DAEMON_CONN_H

#include <stdint.h>

#include <uv.h>

#include "conf/conf.h"
#include "ctl/ctl.h"
#include "petrel/control.h"

struct conn;

struct conn_events {
	void *ctx;
	/* The state changed (or an error was recorded). */
	void (*changed)(void *ctx, struct conn *c);
	/* The connection is down and its resources released: free it now. */
	void (*gone)(void *ctx, struct conn *c);
	/* Ask the user for a password (EAP); the answer comes back through
	 * conn_password(). 0 or a negative errno. */
	int (*ask_password)(void *ctx, struct conn *c, const char *prompt);
	/* IKE or ESP moved (reason: why, for the `path` event); may be NULL. */
	void (*path)(void *ctx, struct conn *c, const char *reason);
};

struct ike_codepoints;
/* cp: the draft code points (the daemon's configuration; kept alive by it);
 * state_dir: where resumption tickets are kept (NULL: in memory only). */
int conn_new(uv_loop_t *loop, const struct conf_profile *p, const struct ike_codepoints *cp,
	     const char *state_dir, const struct conn_events *ev, struct conn **out);
/* Start connecting. Errors in the profile's credentials are reported here
 * (why[]) and leave the connection DISCONNECTED. */
int conn_up(struct conn *c, char *why, size_t why_len);
/* Delete the IKE SA (bounded wait for the answer) and undo everything. */
void conn_down(struct conn *c);
/* The user's answer to ask_password (NULL: cancelled). */
void conn_password(struct conn *c, const char *value);
void conn_free(struct conn *c);

enum petrel_state conn_state(const struct conn *c);
/* The kill switch still blocks traffic (after a drop, until conn_down). */
int conn_kill_switch_on(const struct conn *c);
const char *conn_profile(const struct conn *c);
void conn_status(const struct conn *c, struct ctl_profile_status *out);

#endif
