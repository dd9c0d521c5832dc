/* petreld's core: the loaded profiles, one connection object per profile,
 * and the control socket's handlers (src/ctl). */
#include "daemon/daemon.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/log.h"
#include "ctl/ctl.h"
#include "daemon/conn.h"
#include "ike/pld/codepoints.h"
#include "net/dns.h"
#include "net/killswitch.h"
#include "net/route.h"

#define DLOG "petreld"

struct daemon {
	uv_loop_t *loop;
	struct daemon_opts opts;
	struct conf conf;
	struct ike_codepoints cp;        /* the draft code points of conf */
	struct ctl_server *ctl;
	struct conn *conns[PT_CONF_PROFILES_MAX]; /* by profile index, made on first use */
	uint64_t attention[PT_CONF_PROFILES_MAX];
	char ticket_dir[PATH_MAX];       /* RFC 5723 tickets, one 0600 file per profile */
	int shutting_down;
	void (*done)(void *);
	void *done_arg;
};

static int profile_index(const struct daemon *d, const char *name)
{
	for (unsigned i = 0; i < d->conf.n_profiles; i++)
		if (strcmp(d->conf.profiles[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int conn_index(const struct daemon *d, const struct conn *c)
{
	for (unsigned i = 0; i < d->conf.n_profiles; i++)
		if (d->conns[i] == c)
			return (int)i;
	return -1;
}

static void maybe_done(struct daemon *d);

static void on_changed(void *ctx, struct conn *c)
{
	struct daemon *d = ctx;
	if (d->ctl)
		ctl_server_emit_state(d->ctl);
}

static void on_path(void *ctx, struct conn *c, const char *reason)
{
	struct daemon *d = ctx;
	struct ctl_profile_status st;
	if (!d->ctl)
		return;
	conn_status(c, &st);
	struct ctl_path_event ev = { .profile = conn_profile(c), .ike = st.ike, .esp = st.esp,
				     .reason = reason };
	ctl_server_emit_path(d->ctl, &ev);
}

static void on_gone(void *ctx, struct conn *c)
{
	struct daemon *d = ctx;
	if (d->ctl)
		ctl_server_emit_state(d->ctl);
	maybe_done(d);
}

static void on_attention(void *arg, uint64_t id, const char *value)
{
	struct conn *c = arg;
	conn_password(c, value);
}

static int ask_password(void *ctx, struct conn *c, const char *prompt)
{
	struct daemon *d = ctx;
	int i = conn_index(d, c);
	if (!d->ctl || i < 0)
		return -ENOTSUP;
	struct ctl_attention a = {
		.profile = conn_profile(c), .kind = PETREL_ATTN_PASSWORD, .prompt = prompt, .echo = 0,
	};
	return ctl_server_attention_ask(d->ctl, &a, on_attention, c, &d->attention[i]);
}

static struct conn *conn_for(struct daemon *d, int i)
{
	if (!d->conns[i]) {
		struct conn_events ev = {
			.ctx = d, .changed = on_changed, .gone = on_gone, .ask_password = ask_password,
			.path = on_path,
		};
		if (conn_new(d->loop, &d->conf.profiles[i], &d->cp, d->ticket_dir, &ev, &d->conns[i]))
			return NULL;
	}
	return d->conns[i];
}

/* ---- control handlers ---- */

static int h_up(void *ctx, const char *profile, enum petrel_state *state, struct ctl_error *err)
{
	struct daemon *d = ctx;
	char why[CTL_MSG_MAX];
	int i = profile_index(d, profile);

	if (i < 0)
		return ctl_error_set(err, PETREL_E_NO_SUCH_PROFILE, "no profile named '%s'", profile);
	if (d->shutting_down)
		return ctl_error_set(err, PETREL_E_BUSY, "petreld is shutting down");
	/* One tunnel at a time: it owns the default route. */
	for (unsigned k = 0; k < d->conf.n_profiles; k++)
		if ((int)k != i && d->conns[k] && conn_state(d->conns[k]) != PETREL_STATE_DISCONNECTED)
			return ctl_error_set(err, PETREL_E_BUSY, "profile '%s' is %s; bring it down first",
					     d->conf.profiles[k].name, ctl_state_name(conn_state(d->conns[k])));
	struct conn *c = conn_for(d, i);
	if (!c)
		return ctl_error_set(err, PETREL_E_FAILED, "out of memory");
	if (conn_state(c) != PETREL_STATE_DISCONNECTED)
		return ctl_error_set(err, PETREL_E_ALREADY_CONNECTED, "profile '%s' is already %s", profile,
				     ctl_state_name(conn_state(c)));
	if (conn_up(c, why, sizeof(why)))
		return ctl_error_set(err, PETREL_E_CONFIG_INVALID, "profile '%s': %s", profile, why);
	*state = conn_state(c);
	return 0;
}

static int h_down(void *ctx, const char *profile, enum petrel_state *state, struct ctl_error *err)
{
	struct daemon *d = ctx;
	int any = 0;

	for (unsigned i = 0; i < d->conf.n_profiles; i++) {
		struct conn *c = d->conns[i];
		if (profile && strcmp(d->conf.profiles[i].name, profile) != 0)
			continue;
		if (!c)
			continue;
		if (conn_state(c) == PETREL_STATE_DISCONNECTED) {
			if (conn_kill_switch_on(c)) {
				conn_down(c); /* lifts the kill switch left after a drop */
				*state = PETREL_STATE_DISCONNECTED;
				any = 1;
			}
			continue;
		}
		conn_down(c);
		*state = conn_state(c);
		any = 1;
	}
	if (profile && profile_index(d, profile) < 0)
		return ctl_error_set(err, PETREL_E_NO_SUCH_PROFILE, "no profile named '%s'", profile);
	if (!any) {
		*state = PETREL_STATE_DISCONNECTED;
		return ctl_error_set(err, PETREL_E_NOT_CONNECTED, profile ? "profile '%s' is not connected"
									    : "no profile is connected%s",
				     profile ? profile : "");
	}
	return 0;
}

static int h_status(void *ctx, struct ctl_status *out, struct ctl_error *err)
{
	struct daemon *d = ctx;
	memset(out, 0, sizeof(*out));
	for (unsigned i = 0; i < d->conf.n_profiles && out->n < CTL_PROFILES_MAX; i++) {
		struct ctl_profile_status *s = &out->profiles[out->n++];
		if (d->conns[i]) {
			conn_status(d->conns[i], s);
		} else {
			memset(s, 0, sizeof(*s));
			snprintf(s->name, sizeof(s->name), "%s", d->conf.profiles[i].name);
			snprintf(s->gateway, sizeof(s->gateway), "%s", d->conf.profiles[i].gateway);
			s->state = PETREL_STATE_DISCONNECTED;
		}
	}
	return 0;
}

static int h_profiles(void *ctx, struct ctl_profiles *out, struct ctl_error *err)
{
	struct daemon *d = ctx;
	memset(out, 0, sizeof(*out));
	for (unsigned i = 0; i < d->conf.n_profiles && out->n < CTL_PROFILES_MAX; i++) {
		const struct conf_profile *p = &d->conf.profiles[i];
		struct ctl_profile_info *o = &out->profiles[out->n++];
		snprintf(o->name, sizeof(o->name), "%s", p->name);
		snprintf(o->gateway, sizeof(o->gateway), "%s", p->gateway);
		snprintf(o->auth, sizeof(o->auth), "%s", conf_auth_method_name(p->auth.method));
		snprintf(o->transport, sizeof(o->transport), "%s", conf_transport_name(p->transport));
		snprintf(o->file, sizeof(o->file), "%s", p->file);
		o->state = d->conns[i] ? conn_state(d->conns[i]) : PETREL_STATE_DISCONNECTED;
	}
	return 0;
}

static int h_check(void *ctx, const char *path, struct conf_diags *out, struct ctl_error *err)
{
	struct conf c;
	conf_init(&c);
	memset(out, 0, sizeof(*out));
	conf_load_file(&c, path, out);
	conf_free(&c);
	return 0;
}

int daemon_new(uv_loop_t *loop, const struct daemon_opts *o, struct daemon **out)
{
	struct daemon *d = calloc(1, sizeof(*d));
	static struct conf_diags diags;
	int rc;

	if (!d)
		return -ENOMEM;
	d->loop = loop;
	d->opts = *o;
	snprintf(d->ticket_dir, sizeof(d->ticket_dir), "%s/tickets",
		 o->state_dir ? o->state_dir : "/var/lib/petrel");
	/* A previous petreld that crashed may have left routes, resolv.conf or
	 * the kill switch behind: undo them before anything else. */
	if ((rc = net_routes_recover(NULL)))
		log_warn(DLOG, "routes a previous run left could not all be removed: %s", pt_strerror(rc));
	if ((rc = net_dns_recover(NULL)))
		log_warn(DLOG, "DNS a previous run changed could not be restored: %s", pt_strerror(rc));
	if (net_ks_active(NULL) == 1) {
		log_warn(DLOG, "the kill switch of a previous run is still on; lifting it");
		net_ks_disable(NULL);
	}
	conf_init(&d->conf);
	memset(&diags, 0, sizeof(diags));
	conf_load_dir(&d->conf, o->config_dir, &diags);
	for (unsigned i = 0; i < diags.n; i++) {
		char line[CONF_PATH_MAX + 300];
		conf_diag_format(&diags.items[i], line, sizeof(line));
		log_err(DLOG, "%s", line); /* the files with errors are left out; the rest load */
	}
	log_info(DLOG, "%u profile(s) from %s", d->conf.n_profiles, o->config_dir);
	if (d->conf.log_level >= 0)
		pt_log_set_level((enum pt_log_level)d->conf.log_level);
	const struct conf_codepoints *ccp = &d->conf.codepoints;
	const char *why = "";
	if (ike_codepoints_with(ccp->separate_transports, ccp->encrypted_ping_supported,
				ccp->echo_next_header, ccp->echo_request, ccp->echo_reply, &d->cp, &why))
		log_err(DLOG, "codepoints: %s; using the defaults", why);
	struct ctl_server_config cc = {
		.path = o->socket_path, .group = o->group,
		.handlers = { .ctx = d, .up = h_up, .down = h_down, .status = h_status,
			      .profiles = h_profiles, .check = h_check },
	};
	if ((rc = ctl_server_open(&d->ctl, loop, &cc))) {
		log_err(DLOG, "cannot open the control socket %s: %s",
			o->socket_path ? o->socket_path : PETREL_CTL_SOCKET_PATH, uv_strerror(rc));
		conf_free(&d->conf);
		free(d);
		return rc;
	}
	*out = d;
	return 0;
}

static void maybe_done(struct daemon *d)
{
	if (!d->shutting_down)
		return;
	for (unsigned i = 0; i < d->conf.n_profiles; i++)
		if (d->conns[i] && conn_state(d->conns[i]) != PETREL_STATE_DISCONNECTED)
			return;
	if (d->ctl) {
		struct ctl_server *s = d->ctl;
		d->ctl = NULL;
		ctl_server_close(s, d->done, d->done_arg);
	}
}

void daemon_shutdown(struct daemon *d, void (*done)(void *arg), void *arg)
{
	if (d->shutting_down)
		return;
	d->shutting_down = 1;
	d->done = done;
	d->done_arg = arg;
	for (unsigned i = 0; i < d->conf.n_profiles; i++)
		if (d->conns[i] && conn_state(d->conns[i]) != PETREL_STATE_DISCONNECTED)
			conn_down(d->conns[i]);
	maybe_done(d);
}

void daemon_free(struct daemon *d)
{
	for (unsigned i = 0; i < d->conf.n_profiles; i++)
		if (d->conns[i])
			conn_free(d->conns[i]);
	conf_free(&d->conf);
	free(d);
}
