/* The control protocol engine: connections as line streams, dispatch to the
 * daemon's handlers, permission checks, subscriptions, events with rate
 * limits, and attention requests. No I/O here: the transport (server.c, or
 * the fuzzer) moves the bytes through struct ctl_conn_ops. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/core.h"

#ifndef PETREL_VERSION_STRING
#define PETREL_VERSION_STRING "0.0.0"
#endif

static const int method_needs_control[] = {
#define X(c, s, p) p,
	PETREL_CTL_METHODS(X)
#undef X
};

void ctl_wipe(void *p, size_t n)
{
	if (!p || !n)
		return;
#ifdef __APPLE__
	memset_s(p, n, 0, n);
#else
	explicit_bzero(p, n);
#endif
}

int ctl_core_init(struct ctl_core *core, const struct ctl_server_config *cfg,
		  const struct ctl_core_ops *ops)
{
	memset(core, 0, sizeof(*core));
	core->h = cfg->handlers;
	core->ops = *ops;
	snprintf(core->group, sizeof(core->group), "%s", cfg->group ? cfg->group : PETREL_CTL_GROUP);
	core->stats_interval_ms = cfg->stats_interval_ms ? cfg->stats_interval_ms : CTL_STATS_INTERVAL_MS;
	core->log_rate_per_s = cfg->log_rate_per_s ? cfg->log_rate_per_s : CTL_LOG_RATE_PER_S;
	core->log_burst = cfg->log_burst ? cfg->log_burst : CTL_LOG_BURST;
	core->log_tokens_milli = (uint64_t)core->log_burst * 1000;
	core->log_last_ms = ops->now_ms(ops->ctx);
	core->next_attn_id = 1;
	core->scratch_status = calloc(1, sizeof(*core->scratch_status));
	core->scratch_profiles = calloc(1, sizeof(*core->scratch_profiles));
	core->scratch_diags = calloc(1, sizeof(*core->scratch_diags));
	if (!core->scratch_status || !core->scratch_profiles || !core->scratch_diags) {
		ctl_core_fini(core);
		return -ENOMEM;
	}
	return 0;
}

void ctl_core_fini(struct ctl_core *core)
{
	/* The callbacks run exactly once: here with NULL. */
	while (core->n_attn) {
		struct ctl_attn a = core->attn[--core->n_attn];
		a.cb(a.arg, a.id, NULL);
	}
	free(core->scratch_status);
	free(core->scratch_profiles);
	free(core->scratch_diags);
	core->scratch_status = NULL;
	core->scratch_profiles = NULL;
	core->scratch_diags = NULL;
}

/* ---- connections ----------------------------------------------------------- */

void ctl_conn_attach(struct ctl_core *core, struct ctl_conn *c, const struct ctl_conn_ops *ops,
		     const struct ctl_peer *peer, int may_control)
{
	c->core = core;
	c->ops = ops;
	c->peer = *peer;
	c->may_control = may_control;
	c->subscribed = 0;
	c->closing = 0;
	c->rlen = 0;
	c->scanned = 0;
	c->prev = NULL;
	c->next = core->conns;
	if (core->conns)
		core->conns->prev = c;
	core->conns = c;
	core->n_conns++;
}

void ctl_conn_detach(struct ctl_conn *c)
{
	struct ctl_core *core = c->core;

	if (!core)
		return;
	if (c->prev)
		c->prev->next = c->next;
	else
		core->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	core->n_conns--;
	ctl_wipe(c->rbuf, c->rlen);
	c->core = NULL;
}

static void conn_close(struct ctl_conn *c, int flush)
{
	if (c->closing)
		return;
	c->closing = 1;
	c->ops->close(c, flush);
}

static void conn_send(struct ctl_conn *c, const char *line, size_t len)
{
	if (c->closing || !line)
		return;
	if (c->ops->send(c, line, len) < 0) {
		/* Never block the daemon on a client that does not read. */
		log_warn("ctl", "client pid %d uid %u: output queue over %u bytes, dropped",
			 (int)c->peer.pid, (unsigned)c->peer.uid, CTL_CLIENT_OUT_MAX_LEN);
		conn_close(c, 0);
	}
}

static void send_error(struct ctl_conn *c, const cJSON *id, const struct ctl_error *err)
{
	size_t len = 0;
	char *line = ctl_rpc_error(id, err, &len);
	conn_send(c, line, len);
	free(line);
}

void ctl_conn_refuse(struct ctl_conn *c, int code, const char *msg)
{
	struct ctl_error err;

	ctl_error_set(&err, code, "%s", msg);
	send_error(c, NULL, &err);
	conn_close(c, 1);
}

static void broadcast(struct ctl_core *core, enum petrel_ctl_event ev, cJSON *params)
{
	size_t len = 0;
	char *line = ctl_rpc_notification(ev, params, &len);

	for (struct ctl_conn *c = core->conns; line && c; c = c->next)
		if (c->subscribed)
			conn_send(c, line, len);
	free(line);
}

static int any_subscriber(const struct ctl_core *core)
{
	for (const struct ctl_conn *c = core->conns; c; c = c->next)
		if (c->subscribed && !c->closing)
			return 1;
	return 0;
}

/* The complete state: the daemon's status plus pending attention requests. */
static cJSON *state_json(struct ctl_core *core, struct ctl_error *err)
{
	struct ctl_status *st = core->scratch_status;

	memset(st, 0, sizeof(*st));
	if (core->h.status && core->h.status(core->h.ctx, st, err) != 0)
		return NULL;
	if (st->n > CTL_PROFILES_MAX)
		st->n = CTL_PROFILES_MAX;
	cJSON *o = ctl_json_state(st, core->attn, core->n_attn);
	if (!o)
		ctl_error_set(err, PETREL_E_INTERNAL, "out of memory");
	return o;
}

/* ---- methods ------------------------------------------------------------- */

static const char *const no_params[] = { NULL };
static const char *const profile_param[] = { "profile", NULL };
static const char *const path_param[] = { "path", NULL };
static const char *const reply_params[] = { "id", "value", NULL };

static int need(const void *handler, const char *method, struct ctl_error *err)
{
	if (handler)
		return 0;
	return ctl_error_set(err, PETREL_E_METHOD_NOT_FOUND, "this petreld does not implement '%s'",
			     method);
}

static cJSON *state_result(const char *profile, enum petrel_state st)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	if (profile)
		cJSON_AddStringToObject(o, "profile", profile);
	else
		cJSON_AddNullToObject(o, "profile");
	cJSON_AddStringToObject(o, "state", ctl_state_name(st));
	return o;
}

static int m_up_down(struct ctl_core *core, const struct ctl_req *req, cJSON **res,
		     struct ctl_error *err)
{
	int up = req->method == PETREL_M_UP;
	const char *profile = NULL;
	enum petrel_state st = up ? PETREL_STATE_CONNECTING : PETREL_STATE_DISCONNECTING;
	int rc;

	if ((rc = need(up ? (const void *)core->h.up : (const void *)core->h.down,
		       ctl_method_name(req->method), err)) ||
	    (rc = ctl_rpc_params_only(req->params, profile_param, err)) ||
	    (rc = ctl_rpc_param_str(req->params, "profile", up, CTL_NAME_MAX - 1, &profile, err)))
		return rc;
	rc = up ? core->h.up(core->h.ctx, profile, &st, err) : core->h.down(core->h.ctx, profile, &st, err);
	if (rc)
		return rc;
	*res = state_result(profile, st);
	return 0;
}

static int m_status(struct ctl_core *core, const struct ctl_req *req, cJSON **res,
		    struct ctl_error *err)
{
	int rc;

	if ((rc = need(core->h.status, "status", err)) ||
	    (rc = ctl_rpc_params_only(req->params, no_params, err)))
		return rc;
	*res = state_json(core, err);
	return *res ? 0 : err->code;
}

static int m_profiles(struct ctl_core *core, const struct ctl_req *req, cJSON **res,
		      struct ctl_error *err)
{
	int rc;

	if ((rc = need(core->h.profiles, "profiles", err)) ||
	    (rc = ctl_rpc_params_only(req->params, no_params, err)))
		return rc;
	memset(core->scratch_profiles, 0, sizeof(*core->scratch_profiles));
	if ((rc = core->h.profiles(core->h.ctx, core->scratch_profiles, err)))
		return rc;
	if (core->scratch_profiles->n > CTL_PROFILES_MAX)
		core->scratch_profiles->n = CTL_PROFILES_MAX;
	*res = ctl_json_profiles(core->scratch_profiles);
	return 0;
}

static int m_check(struct ctl_core *core, const struct ctl_req *req, cJSON **res,
		   struct ctl_error *err)
{
	const char *path = NULL;
	int rc;

	if ((rc = need(core->h.check, "check", err)) ||
	    (rc = ctl_rpc_params_only(req->params, path_param, err)) ||
	    (rc = ctl_rpc_param_str(req->params, "path", 1, CONF_PATH_MAX - 1, &path, err)))
		return rc;
	memset(core->scratch_diags, 0, sizeof(*core->scratch_diags));
	if ((rc = core->h.check(core->h.ctx, path, core->scratch_diags, err)))
		return rc;
	if (core->scratch_diags->n > PT_CONF_DIAGS_MAX)
		core->scratch_diags->n = PT_CONF_DIAGS_MAX;
	*res = ctl_json_diags(core->scratch_diags);
	return 0;
}

static int m_version(struct ctl_core *core, const struct ctl_req *req, cJSON **res,
		     struct ctl_error *err)
{
	int rc;

	if ((rc = ctl_rpc_params_only(req->params, no_params, err)))
		return rc;
	cJSON *o = cJSON_CreateObject();
	if (o) {
		cJSON_AddStringToObject(o, "version", PETREL_VERSION_STRING);
		cJSON_AddNumberToObject(o, "protocol", PETREL_CTL_PROTOCOL_VERSION);
	}
	*res = o;
	return 0;
}

static int find_attn(const struct ctl_core *core, uint64_t id)
{
	for (unsigned i = 0; i < core->n_attn; i++)
		if (core->attn[i].id == id)
			return (int)i;
	return -1;
}

/* Remove request i, tell subscribers how it ended, run its callback. */
static void attn_finish(struct ctl_core *core, unsigned i, const char *value, const char *status)
{
	struct ctl_attn a = core->attn[i];

	/* Keep the order of asking: the state lists them oldest first. */
	memmove(&core->attn[i], &core->attn[i + 1], (core->n_attn - i - 1) * sizeof(core->attn[0]));
	core->n_attn--;
	a.cb(a.arg, a.id, value);
	broadcast(core, PETREL_EV_ATTENTION, ctl_json_attention(&a, status));
}

static int m_attention_reply(struct ctl_core *core, const struct ctl_req *req, cJSON **res,
			     struct ctl_error *err)
{
	const char *value = NULL;
	uint64_t id = 0;
	int rc;

	if ((rc = ctl_rpc_params_only(req->params, reply_params, err)) ||
	    (rc = ctl_rpc_param_u64(req->params, "id", &id, err)))
		return rc;
	/* An empty value is a valid answer (an empty OTP field is the user's call). */
	const cJSON *v = req->params ? cJSON_GetObjectItemCaseSensitive(req->params, "value") : NULL;
	if (!v)
		return ctl_error_set(err, PETREL_E_INVALID_PARAMS, "missing parameter 'value'");
	if (!cJSON_IsString(v))
		return ctl_error_set(err, PETREL_E_INVALID_PARAMS, "'value' must be a string");
	value = v->valuestring;
	if (strlen(value) > CTL_ATTENTION_VALUE_MAX_LEN)
		return ctl_error_set(err, PETREL_E_INVALID_PARAMS, "'value' must be at most %u bytes",
				     CTL_ATTENTION_VALUE_MAX_LEN);
	int i = find_attn(core, id);
	if (i < 0)
		return ctl_error_set(err, PETREL_E_NO_SUCH_ATTENTION,
				     "no pending attention request %llu (answered, cancelled or never asked)",
				     (unsigned long long)id);
	/* The first valid reply wins; later ones get NO_SUCH_ATTENTION. */
	attn_finish(core, (unsigned)i, value, PETREL_CTL_ATTENTION_ANSWERED);
	*res = cJSON_CreateObject();
	return 0;
}

/* ---- one line ---------------------------------------------------------------- */

static void wipe_strings(cJSON *item)
{
	for (; item; item = item->next) {
		if (cJSON_IsString(item) && item->valuestring)
			ctl_wipe(item->valuestring, strlen(item->valuestring));
		wipe_strings(item->child);
	}
}

static void conn_line(struct ctl_conn *c, const char *line, size_t len)
{
	struct ctl_core *core = c->core;
	struct ctl_error err = { 0 };
	struct ctl_req req;
	cJSON *res = NULL;
	int subscribe = 0;

	int rc = ctl_rpc_parse(line, len, &req, &err);
	if (rc == 0 && method_needs_control[req.method] && !c->may_control)
		rc = ctl_error_set(&err, PETREL_E_PERMISSION_DENIED,
				   "permission denied: only root and members of group '%s' may use '%s'",
				   core->group, ctl_method_name(req.method));
	if (rc == 0) {
		switch (req.method) {
		case PETREL_M_UP:
		case PETREL_M_DOWN: rc = m_up_down(core, &req, &res, &err); break;
		case PETREL_M_STATUS: rc = m_status(core, &req, &res, &err); break;
		case PETREL_M_PROFILES: rc = m_profiles(core, &req, &res, &err); break;
		case PETREL_M_CHECK: rc = m_check(core, &req, &res, &err); break;
		case PETREL_M_VERSION: rc = m_version(core, &req, &res, &err); break;
		case PETREL_M_ATTENTION_REPLY: rc = m_attention_reply(core, &req, &res, &err); break;
		case PETREL_M_SUBSCRIBE:
			if ((rc = ctl_rpc_params_only(req.params, no_params, &err)) == 0 &&
			    (res = cJSON_CreateObject()) != NULL)
				subscribe = 1;
			break;
		case PETREL_M_COUNT_: break;
		}
		if (rc == 0 && !res)
			rc = ctl_error_set(&err, PETREL_E_INTERNAL, "out of memory");
	}
	if (rc != 0 && err.code == 0)
		ctl_error_set(&err, rc, "%s failed", ctl_error_name(rc));

	cJSON *state = NULL;
	if (subscribe && !c->subscribed) {
		/* The complete current state, then events: take it before
		 * answering, so that an error there fails the subscribe. */
		state = state_json(core, &err);
		if (!state) {
			cJSON_Delete(res);
			res = NULL;
			rc = err.code ? err.code : PETREL_E_INTERNAL;
		}
	}

	size_t out_len = 0;
	char *out = rc == 0 ? ctl_rpc_result(req.id, res, &out_len) : ctl_rpc_error(req.id, &err, &out_len);
	if (rc != 0)
		cJSON_Delete(res);
	conn_send(c, out, out_len);
	free(out);
	if (state) {
		out = ctl_rpc_notification(PETREL_EV_STATE, state, &out_len);
		conn_send(c, out, out_len);
		free(out);
		c->subscribed = 1;
	}
	if (req.root) {
		wipe_strings(req.root); /* attention.reply carries a secret */
		cJSON_Delete(req.root);
	}
}

static void conn_lines(struct ctl_conn *c)
{
	size_t start = 0;

	while (!c->closing) {
		char *nl = memchr(c->rbuf + c->scanned, '\n', c->rlen - c->scanned);
		if (!nl) {
			c->scanned = c->rlen;
			break;
		}
		size_t end = (size_t)(nl - c->rbuf);
		size_t n = end - start;
		if (n && c->rbuf[start + n - 1] == '\r')
			n--;
		/* Blank lines are allowed between requests (typing into socat). */
		int blank = 1;
		for (size_t i = 0; i < n && blank; i++)
			blank = c->rbuf[start + i] == ' ' || c->rbuf[start + i] == '\t';
		if (!blank)
			conn_line(c, c->rbuf + start, n);
		start = end + 1;
		c->scanned = start;
	}
	if (start) {
		size_t rest = c->rlen - start;
		memmove(c->rbuf, c->rbuf + start, rest);
		/* Requests may carry a secret: leave no copy behind. */
		ctl_wipe(c->rbuf + rest, c->rlen - rest);
		c->rlen = rest;
		c->scanned -= start;
	}
}

void ctl_conn_feed(struct ctl_conn *c, const char *data, size_t len)
{
	while (len && !c->closing) {
		size_t room = sizeof(c->rbuf) - c->rlen;
		if (room == 0) {
			struct ctl_error err;
			ctl_error_set(&err, PETREL_E_PARSE, "request line longer than %u bytes",
				      PT_CTL_REQUEST_MAX_LEN);
			send_error(c, NULL, &err);
			ctl_wipe(c->rbuf, c->rlen);
			c->rlen = c->scanned = 0;
			conn_close(c, 1);
			return;
		}
		size_t n = len < room ? len : room;
		memcpy(c->rbuf + c->rlen, data, n);
		c->rlen += n;
		data += n;
		len -= n;
		conn_lines(c);
	}
}

void ctl_conn_eof(struct ctl_conn *c)
{
	if (!c->closing && c->rlen) {
		/* A last request without its newline. */
		char nl = '\n';
		ctl_conn_feed(c, &nl, 1);
	}
	conn_close(c, 1);
}

/* ---- events ---------------------------------------------------------------- */

void ctl_core_emit_state(struct ctl_core *core)
{
	struct ctl_error err = { 0 };

	if (!any_subscriber(core))
		return;
	cJSON *st = state_json(core, &err);
	if (!st) {
		log_warn("ctl", "state event not sent: %s", err.message);
		return;
	}
	broadcast(core, PETREL_EV_STATE, st);
}

void ctl_core_emit_path(struct ctl_core *core, const struct ctl_path_event *ev)
{
	if (any_subscriber(core))
		broadcast(core, PETREL_EV_PATH, ctl_json_path(ev));
}

static struct ctl_stats_slot *stats_slot(struct ctl_core *core, const char *profile)
{
	struct ctl_stats_slot *free_slot = NULL;

	for (unsigned i = 0; i < CTL_PROFILES_MAX; i++) {
		struct ctl_stats_slot *s = &core->stats[i];
		if (s->profile[0] && strcmp(s->profile, profile) == 0)
			return s;
		if (!s->profile[0] && !free_slot)
			free_slot = s;
	}
	if (free_slot)
		snprintf(free_slot->profile, sizeof(free_slot->profile), "%s", profile);
	return free_slot;
}

static void stats_send(struct ctl_core *core, struct ctl_stats_slot *s, uint64_t now)
{
	s->ev.profile = s->profile;
	s->pending = 0;
	s->sent_once = 1;
	s->last_ms = now;
	broadcast(core, PETREL_EV_STATS, ctl_json_stats(&s->ev));
}

static void stats_arm(struct ctl_core *core, uint64_t now)
{
	uint64_t next = UINT64_MAX;

	for (unsigned i = 0; i < CTL_PROFILES_MAX; i++) {
		const struct ctl_stats_slot *s = &core->stats[i];
		if (s->pending && s->last_ms + core->stats_interval_ms < next)
			next = s->last_ms + core->stats_interval_ms;
	}
	if (next != UINT64_MAX)
		core->ops.timer_arm(core->ops.ctx, next > now ? next - now : 0);
}

void ctl_core_emit_stats(struct ctl_core *core, const struct ctl_stats_event *ev)
{
	if (!ev->profile || !ev->profile[0] || !any_subscriber(core))
		return;
	struct ctl_stats_slot *s = stats_slot(core, ev->profile);
	if (!s)
		return;
	uint64_t now = core->ops.now_ms(core->ops.ctx);
	int was_pending = s->pending;
	s->ev = *ev;
	s->ev.profile = s->profile;
	if (!was_pending && (!s->sent_once || now - s->last_ms >= core->stats_interval_ms)) {
		stats_send(core, s, now);
		return;
	}
	/* Coalesce: the latest counters go out when the interval ends. */
	s->pending = 1;
	if (!was_pending)
		stats_arm(core, now);
}

void ctl_core_timer(struct ctl_core *core)
{
	uint64_t now = core->ops.now_ms(core->ops.ctx);

	for (unsigned i = 0; i < CTL_PROFILES_MAX; i++) {
		struct ctl_stats_slot *s = &core->stats[i];
		if (s->pending && now - s->last_ms >= core->stats_interval_ms)
			stats_send(core, s, now);
	}
	stats_arm(core, now);
}

void ctl_core_emit_log(struct ctl_core *core, enum pt_log_level level, const char *subsys,
		       const char *line)
{
	/* A log line written while sending one (a dropped client) is not sent. */
	if (core->in_log || !any_subscriber(core))
		return;
	uint64_t now = core->ops.now_ms(core->ops.ctx);
	uint64_t cap = (uint64_t)core->log_burst * 1000;
	core->log_tokens_milli += (now - core->log_last_ms) * core->log_rate_per_s;
	if (core->log_tokens_milli > cap)
		core->log_tokens_milli = cap;
	core->log_last_ms = now;
	if (core->log_tokens_milli < 1000) {
		core->log_dropped++;
		return;
	}
	core->log_tokens_milli -= 1000;
	core->in_log = 1;
	if (core->log_dropped) {
		char note[96];
		snprintf(note, sizeof(note), "%llu log messages dropped by the rate limit",
			 (unsigned long long)core->log_dropped);
		core->log_dropped = 0;
		broadcast(core, PETREL_EV_LOG, ctl_json_log(PT_LOG_WARN, "ctl", note));
	}
	broadcast(core, PETREL_EV_LOG, ctl_json_log(level, subsys, line));
	core->in_log = 0;
}

/* ---- attention ---------------------------------------------------------------- */

int ctl_core_attention_ask(struct ctl_core *core, const struct ctl_attention *a,
			   ctl_attention_cb cb, void *arg, uint64_t *id)
{
	if (!a || !cb || !a->profile || !a->profile[0] || strlen(a->profile) >= CTL_NAME_MAX ||
	    (unsigned)a->kind >= PETREL_ATTN_COUNT_)
		return -EINVAL;
	if (core->n_attn >= CTL_ATTENTION_MAX)
		return -E2BIG;
	struct ctl_attn *t = &core->attn[core->n_attn++];
	memset(t, 0, sizeof(*t));
	t->id = core->next_attn_id++;
	snprintf(t->profile, sizeof(t->profile), "%s", a->profile);
	t->kind = a->kind;
	snprintf(t->prompt, sizeof(t->prompt), "%s", a->prompt ? a->prompt : "");
	t->echo = !!a->echo;
	t->cb = cb;
	t->arg = arg;
	if (id)
		*id = t->id;
	log_info("ctl", "attention %llu: %s asks for a %s", (unsigned long long)t->id, t->profile,
		 ctl_attention_kind_name(t->kind));
	broadcast(core, PETREL_EV_ATTENTION, ctl_json_attention(t, PETREL_CTL_ATTENTION_PENDING));
	return 0;
}

int ctl_core_attention_cancel(struct ctl_core *core, uint64_t id)
{
	int i = find_attn(core, id);

	if (i < 0)
		return -ENOENT;
	attn_finish(core, (unsigned)i, NULL, PETREL_CTL_ATTENTION_CANCELLED);
	return 0;
}
