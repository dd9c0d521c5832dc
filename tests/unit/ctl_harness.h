/* Shared by test_ctl*.c and test_cli*.c: a control server on a temporary
 * socket with fake handlers (the daemon's side), in process on a uv loop.
 *
 * Profiles: "work" (EAP: up asks for a password through an attention
 * request; "secret" connects, anything else fails), "home" (connects at
 * once), "busy" (up answers BUSY). */
#ifndef PETREL_TEST_CTL_HARNESS_H
#define PETREL_TEST_CTL_HARNESS_H

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "conf/conf.h"
#include "ctl/ctl.h"

#define FAKE_NOW 1700000000 /* 2023-11-14 22:13:20 UTC */

struct fake {
	struct ctl_server *srv;
	struct ctl_profile_status st[3];
	unsigned n;
	unsigned up_calls, down_calls, status_calls;
	uint64_t attn_id;         /* the pending password request, 0 if none */
	char last_value[64];      /* the last attention value received */
	int attn_cb_calls, attn_cancelled;
};

static struct ctl_profile_status *fake_find(struct fake *f, const char *name)
{
	for (unsigned i = 0; i < f->n; i++)
		if (strcmp(f->st[i].name, name) == 0)
			return &f->st[i];
	return NULL;
}

static void fake_set(struct fake *f, struct ctl_profile_status *p, enum petrel_state st,
		     const char *error)
{
	p->state = st;
	p->since = FAKE_NOW + 60;
	snprintf(p->error, sizeof(p->error), "%s", error ? error : "");
	if (st == PETREL_STATE_CONNECTED) {
		snprintf(p->remote, sizeof(p->remote), "192.0.2.1:4500");
		p->n_vips = 2;
		snprintf(p->vips[0], sizeof(p->vips[0]), "203.0.113.5");
		snprintf(p->vips[1], sizeof(p->vips[1]), "2001:db8::5");
		p->ike = PETREL_PATH_TCP;
		p->esp = PETREL_PATH_UDP;
		p->bytes_in = 1536;
		p->bytes_out = 3u * 1024 * 1024;
		p->packets_in = 12;
		p->packets_out = 34;
		p->last_handshake = FAKE_NOW + 61;
	} else {
		p->remote[0] = '\0';
		p->n_vips = 0;
		p->ike = p->esp = PETREL_PATH_NONE;
		p->bytes_in = p->bytes_out = p->packets_in = p->packets_out = 0;
		p->last_handshake = 0;
	}
	if (f->srv)
		ctl_server_emit_state(f->srv);
}

static void fake_init(struct fake *f)
{
	static const char *const names[] = { "work", "home", "busy" };
	static const char *const gws[] = { "vpn.example.com", "198.51.100.1", "192.0.2.9" };

	memset(f, 0, sizeof(*f));
	f->n = 3;
	for (unsigned i = 0; i < 3; i++) {
		snprintf(f->st[i].name, sizeof(f->st[i].name), "%s", names[i]);
		snprintf(f->st[i].gateway, sizeof(f->st[i].gateway), "%s", gws[i]);
		f->st[i].state = PETREL_STATE_DISCONNECTED;
	}
}

static void fake_attn_cb(void *arg, uint64_t id, const char *value)
{
	struct fake *f = arg;
	struct ctl_profile_status *p = fake_find(f, "work");

	f->attn_cb_calls++;
	f->attn_id = 0;
	if (!value) {
		f->attn_cancelled++;
		return;
	}
	snprintf(f->last_value, sizeof(f->last_value), "%s", value);
	if (strcmp(value, "secret") == 0)
		fake_set(f, p, PETREL_STATE_CONNECTED, NULL);
	else
		fake_set(f, p, PETREL_STATE_DISCONNECTED, "authentication failed (AUTHENTICATION_FAILED)");
}

static int fake_up(void *ctx, const char *profile, enum petrel_state *state, struct ctl_error *err)
{
	struct fake *f = ctx;
	struct ctl_profile_status *p = fake_find(f, profile);

	f->up_calls++;
	if (!p)
		return ctl_error_set(err, PETREL_E_NO_SUCH_PROFILE, "no profile named '%s'", profile);
	if (strcmp(profile, "busy") == 0)
		return ctl_error_set(err, PETREL_E_BUSY, "busy: %s is being reconfigured", profile);
	if (p->state != PETREL_STATE_DISCONNECTED)
		return ctl_error_set(err, PETREL_E_ALREADY_CONNECTED, "%s is already %s", profile,
				     ctl_state_name(p->state));
	if (strcmp(profile, "work") == 0) {
		struct ctl_attention a = { .profile = "work", .kind = PETREL_ATTN_PASSWORD,
					   .prompt = "Password for alice@example.com" };
		fake_set(f, p, PETREL_STATE_CONNECTING, NULL);
		if (ctl_server_attention_ask(f->srv, &a, fake_attn_cb, f, &f->attn_id) != 0)
			return ctl_error_set(err, PETREL_E_FAILED, "cannot ask for the password");
	} else {
		fake_set(f, p, PETREL_STATE_CONNECTED, NULL);
	}
	*state = p->state;
	return 0;
}

static int fake_down(void *ctx, const char *profile, enum petrel_state *state, struct ctl_error *err)
{
	struct fake *f = ctx;
	int any = 0;

	f->down_calls++;
	if (profile && !fake_find(f, profile))
		return ctl_error_set(err, PETREL_E_NO_SUCH_PROFILE, "no profile named '%s'", profile);
	for (unsigned i = 0; i < f->n; i++) {
		struct ctl_profile_status *p = &f->st[i];
		if ((profile && strcmp(p->name, profile) != 0) || p->state == PETREL_STATE_DISCONNECTED)
			continue;
		if (f->attn_id && strcmp(p->name, "work") == 0)
			ctl_server_attention_cancel(f->srv, f->attn_id);
		struct ctl_server *srv = f->srv;
		f->srv = NULL; /* one state event for the whole change */
		fake_set(f, p, PETREL_STATE_DISCONNECTED, NULL);
		f->srv = srv;
		any = 1;
	}
	if (!any && profile)
		return ctl_error_set(err, PETREL_E_NOT_CONNECTED, "%s is not connected", profile);
	if (!any)
		return ctl_error_set(err, PETREL_E_NOT_CONNECTED, "nothing is connected");
	ctl_server_emit_state(f->srv);
	*state = PETREL_STATE_DISCONNECTED;
	return 0;
}

static int fake_status(void *ctx, struct ctl_status *out, struct ctl_error *err)
{
	struct fake *f = ctx;

	f->status_calls++;
	for (unsigned i = 0; i < f->n; i++)
		out->profiles[i] = f->st[i];
	out->n = f->n;
	return 0;
}

static int fake_profiles(void *ctx, struct ctl_profiles *out, struct ctl_error *err)
{
	struct fake *f = ctx;
	static const char *const auth[] = { "eap-mschapv2", "psk", "cert" };

	for (unsigned i = 0; i < f->n; i++) {
		struct ctl_profile_info *p = &out->profiles[i];
		snprintf(p->name, sizeof(p->name), "%s", f->st[i].name);
		snprintf(p->gateway, sizeof(p->gateway), "%s", f->st[i].gateway);
		snprintf(p->auth, sizeof(p->auth), "%s", auth[i]);
		snprintf(p->transport, sizeof(p->transport), "auto");
		snprintf(p->file, sizeof(p->file), "/etc/petrel/profiles.d/%s.yaml", f->st[i].name);
		p->state = f->st[i].state;
	}
	out->n = f->n;
	return 0;
}

static int fake_check(void *ctx, const char *path, struct conf_diags *out, struct ctl_error *err)
{
	struct conf c;

	conf_init(&c);
	int rc = conf_load_file(&c, path, out);
	conf_free(&c);
	if (rc != 0 && rc != -EINVAL && out->n == 0)
		return ctl_error_set(err, PETREL_E_FAILED, "%s: %s", path, strerror(-rc));
	return 0;
}

static const struct ctl_handlers fake_handlers = {
	.up = fake_up, .down = fake_down, .status = fake_status,
	.profiles = fake_profiles, .check = fake_check,
};

#endif
