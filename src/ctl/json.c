/* The daemon's structs as JSON (docs/control-protocol.md "Results" and
 * "Events"), and the names on the wire. */
#include <stdlib.h>
#include <string.h>

#include "ctl/core.h"

#define NAME_TABLE(fn, type, TABLE, count)                                   \
	const char *fn(type v)                                               \
	{                                                                    \
		static const char *const names[] = { TABLE(NAME_ENTRY_) };   \
		return (unsigned)v < (count) ? names[v] : "?";               \
	}
#define NAME_ENTRY_(c, s) s,
NAME_TABLE(ctl_state_name, enum petrel_state, PETREL_CTL_STATES, PETREL_STATE_COUNT_)
NAME_TABLE(ctl_path_name, enum petrel_path, PETREL_CTL_PATHS, PETREL_PATH_COUNT_)
NAME_TABLE(ctl_attention_kind_name, enum petrel_attention_kind, PETREL_CTL_ATTENTION_KINDS,
	   PETREL_ATTN_COUNT_)
#undef NAME_ENTRY_
#define NAME_ENTRY_(c, s, p) s,
NAME_TABLE(ctl_method_name, enum petrel_ctl_method, PETREL_CTL_METHODS, PETREL_M_COUNT_)
#undef NAME_ENTRY_

const char *ctl_error_name(int code)
{
	switch (code) {
#define X(c, n, s) case n: return s;
		PETREL_CTL_ERRORS(X)
#undef X
	}
	return "?";
}

/* Text from the daemon (a log line quoting a peer's identity, an error
 * message) may hold any bytes; what petreld writes is always UTF-8, so
 * bytes that are not become '?'. */
void ctl_json_add_text(cJSON *o, const char *key, const char *s)
{
	const unsigned char *u = (const unsigned char *)(s ? s : "");
	size_t len = strlen((const char *)u), i = 0;

	while (i < len) {
		size_t n = ctl_utf8_seq(u + i, len - i);
		if (n == 0)
			break;
		i += n;
	}
	if (i == len) {
		cJSON_AddStringToObject(o, key, (const char *)u);
		return;
	}
	char *t = malloc(len + 1);
	if (!t)
		return;
	for (i = 0; i < len;) {
		size_t n = ctl_utf8_seq(u + i, len - i);
		if (n == 0) {
			t[i++] = '?';
			continue;
		}
		memcpy(t + i, u + i, n);
		i += n;
	}
	t[len] = '\0';
	cJSON_AddStringToObject(o, key, t);
	free(t);
}

/* Times: Unix seconds, or null when unknown. */
static void add_time(cJSON *o, const char *key, int64_t t)
{
	if (t > 0)
		cJSON_AddNumberToObject(o, key, (double)t);
	else
		cJSON_AddNullToObject(o, key);
}

static void add_str_or_null(cJSON *o, const char *key, const char *s)
{
	if (s && *s)
		ctl_json_add_text(o, key, s);
	else
		cJSON_AddNullToObject(o, key);
}

static cJSON *profile_status(const struct ctl_profile_status *p)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	ctl_json_add_text(o, "name", p->name);
	cJSON_AddStringToObject(o, "state", ctl_state_name(p->state));
	ctl_json_add_text(o, "gateway", p->gateway);
	add_str_or_null(o, "remote", p->remote);
	add_time(o, "since", p->since);
	cJSON *v = cJSON_AddArrayToObject(o, "vips");
	for (unsigned i = 0; v && i < p->n_vips && i < CTL_VIPS_MAX; i++)
		cJSON_AddItemToArray(v, cJSON_CreateString(p->vips[i]));
	cJSON_AddStringToObject(o, "ike", ctl_path_name(p->ike));
	cJSON_AddStringToObject(o, "esp", ctl_path_name(p->esp));
	add_str_or_null(o, "path_reason", p->path_reason);
	add_str_or_null(o, "ike_sa", p->ike_sa);
	add_str_or_null(o, "last_change", p->last_change);
	if (p->last_change_at)
		cJSON_AddNumberToObject(o, "last_change_at", (double)p->last_change_at);
	else
		cJSON_AddNullToObject(o, "last_change_at");
	add_str_or_null(o, "recovered_by", p->recovered_by);
	if (p->recovery_ms >= 0 && p->recovered_by[0])
		cJSON_AddNumberToObject(o, "recovery_ms", (double)p->recovery_ms);
	else
		cJSON_AddNullToObject(o, "recovery_ms");
	add_str_or_null(o, "recovering", p->recovering);
	cJSON_AddNumberToObject(o, "bytes_in", (double)p->bytes_in);
	cJSON_AddNumberToObject(o, "bytes_out", (double)p->bytes_out);
	cJSON_AddNumberToObject(o, "packets_in", (double)p->packets_in);
	cJSON_AddNumberToObject(o, "packets_out", (double)p->packets_out);
	add_time(o, "last_handshake", p->last_handshake);
	add_str_or_null(o, "error", p->error);
	return o;
}

cJSON *ctl_json_attention(const struct ctl_attn *a, const char *status)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	cJSON_AddNumberToObject(o, "id", (double)a->id);
	cJSON_AddStringToObject(o, "status", status);
	ctl_json_add_text(o, "profile", a->profile);
	cJSON_AddStringToObject(o, "kind", ctl_attention_kind_name(a->kind));
	ctl_json_add_text(o, "prompt", a->prompt);
	cJSON_AddBoolToObject(o, "echo", a->echo);
	return o;
}

cJSON *ctl_json_state(const struct ctl_status *st, const struct ctl_attn *attn, unsigned n_attn)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	cJSON *ps = cJSON_AddArrayToObject(o, "profiles");
	for (unsigned i = 0; ps && i < st->n && i < CTL_PROFILES_MAX; i++)
		cJSON_AddItemToArray(ps, profile_status(&st->profiles[i]));
	cJSON *as = cJSON_AddArrayToObject(o, "attention");
	for (unsigned i = 0; as && i < n_attn; i++)
		cJSON_AddItemToArray(as, ctl_json_attention(&attn[i], PETREL_CTL_ATTENTION_PENDING));
	return o;
}

cJSON *ctl_json_profiles(const struct ctl_profiles *p)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *ps = o ? cJSON_AddArrayToObject(o, "profiles") : NULL;
	for (unsigned i = 0; ps && i < p->n && i < CTL_PROFILES_MAX; i++) {
		const struct ctl_profile_info *pi = &p->profiles[i];
		cJSON *e = cJSON_CreateObject();
		if (!e)
			break;
		ctl_json_add_text(e, "name", pi->name);
		ctl_json_add_text(e, "gateway", pi->gateway);
		cJSON_AddStringToObject(e, "auth", pi->auth);
		cJSON_AddStringToObject(e, "transport", pi->transport);
		add_str_or_null(e, "file", pi->file);
		cJSON_AddStringToObject(e, "state", ctl_state_name(pi->state));
		cJSON_AddItemToArray(ps, e);
	}
	return o;
}

cJSON *ctl_json_diags(const struct conf_diags *d)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	cJSON_AddBoolToObject(o, "valid", d->n == 0);
	cJSON *ds = cJSON_AddArrayToObject(o, "errors");
	for (unsigned i = 0; ds && i < d->n && i < PT_CONF_DIAGS_MAX; i++) {
		cJSON *e = cJSON_CreateObject();
		if (!e)
			break;
		ctl_json_add_text(e, "file", d->items[i].file);
		cJSON_AddNumberToObject(e, "line", d->items[i].line);
		cJSON_AddNumberToObject(e, "col", d->items[i].col);
		ctl_json_add_text(e, "message", d->items[i].msg);
		cJSON_AddItemToArray(ds, e);
	}
	cJSON_AddNumberToObject(o, "dropped", d->dropped);
	return o;
}

cJSON *ctl_json_path(const struct ctl_path_event *ev)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	ctl_json_add_text(o, "profile", ev->profile);
	cJSON_AddStringToObject(o, "ike", ctl_path_name(ev->ike));
	cJSON_AddStringToObject(o, "esp", ctl_path_name(ev->esp));
	add_str_or_null(o, "reason", ev->reason);
	return o;
}

cJSON *ctl_json_stats(const struct ctl_stats_event *ev)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	ctl_json_add_text(o, "profile", ev->profile);
	cJSON_AddNumberToObject(o, "bytes_in", (double)ev->bytes_in);
	cJSON_AddNumberToObject(o, "bytes_out", (double)ev->bytes_out);
	cJSON_AddNumberToObject(o, "packets_in", (double)ev->packets_in);
	cJSON_AddNumberToObject(o, "packets_out", (double)ev->packets_out);
	return o;
}

cJSON *ctl_json_log(enum pt_log_level level, const char *subsys, const char *line)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "level", pt_log_level_name(level));
	ctl_json_add_text(o, "subsys", subsys);
	ctl_json_add_text(o, "message", line);
	return o;
}
