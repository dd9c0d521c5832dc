/* src/ctl internals: the protocol engine without I/O. A ctl_core holds the
 * handlers, the connections, the attention table and the rate limits; a
 * ctl_conn is one client's byte stream. The libuv server (server.c) and the
 * fuzzer (tests/fuzz/fuzz_ctl_json.c) drive the same code through the ops
 * below (STYLE.md: act through a small ops struct). */
#ifndef PETREL_CTL_CORE_H
#define PETREL_CTL_CORE_H

#include <cjson/cJSON.h>

#include "ctl/ctl.h"

struct ctl_conn;

struct ctl_conn_ops {
	/* Queue len bytes to the peer: 0, or < 0 when this client's queue is
	 * over its cap or the stream is broken (the core then drops it). */
	int (*send)(struct ctl_conn *c, const char *buf, size_t len);
	/* Close: after what is queued has been written (flush = 1), or now.
	 * Called at most once per connection; the transport calls
	 * ctl_conn_detach() when the connection is gone. */
	void (*close)(struct ctl_conn *c, int flush);
};

struct ctl_conn {
	struct ctl_core *core;
	const struct ctl_conn_ops *ops;
	void *owner;                /* the transport's object */
	struct ctl_conn *next, *prev;
	struct ctl_peer peer;
	int may_control;
	int subscribed;
	int closing;                /* closed or closing: no more input, no more output */
	size_t rlen;                /* bytes in rbuf, no '\n' among the first scanned */
	size_t scanned;
	char rbuf[PT_CTL_REQUEST_MAX_LEN];
};

struct ctl_core_ops {
	uint64_t (*now_ms)(void *ctx);
	/* (Re)arm the one timer of the core: ctl_core_timer() in delay_ms. */
	void (*timer_arm)(void *ctx, uint64_t delay_ms);
	void *ctx;
};

struct ctl_attn {
	uint64_t id;
	char profile[CTL_NAME_MAX];
	enum petrel_attention_kind kind;
	char prompt[CTL_MSG_MAX];
	int echo;
	ctl_attention_cb cb;
	void *arg;
};

struct ctl_stats_slot {
	char profile[CTL_NAME_MAX];
	int pending;
	uint64_t last_ms;       /* when the last event for this profile went out */
	int sent_once;
	struct ctl_stats_event ev; /* ev.profile points at .profile */
};

struct ctl_core {
	struct ctl_handlers h;
	struct ctl_core_ops ops;
	char group[64];
	unsigned stats_interval_ms, log_rate_per_s, log_burst;
	struct ctl_conn *conns;
	unsigned n_conns;
	struct ctl_attn attn[CTL_ATTENTION_MAX];
	unsigned n_attn;
	uint64_t next_attn_id;
	struct ctl_stats_slot stats[CTL_PROFILES_MAX];
	uint64_t log_tokens_milli, log_last_ms, log_dropped;
	int in_log;
	struct ctl_status *scratch_status;     /* handler outputs (large: kept off the stack) */
	struct ctl_profiles *scratch_profiles;
	struct conf_diags *scratch_diags;
};

/* 0 or -ENOMEM. cfg->path and cfg->authorize are the server's business. */
int ctl_core_init(struct ctl_core *core, const struct ctl_server_config *cfg,
		  const struct ctl_core_ops *ops);
/* Cancels pending attention requests (callbacks with NULL). Connections
 * must have been closed and detached by the transport. */
void ctl_core_fini(struct ctl_core *core);
void ctl_core_timer(struct ctl_core *core);

void ctl_conn_attach(struct ctl_core *core, struct ctl_conn *c, const struct ctl_conn_ops *ops,
		     const struct ctl_peer *peer, int may_control);
void ctl_conn_detach(struct ctl_conn *c);
/* Bytes from the peer. Complete lines are answered at once; a line longer
 * than PT_CTL_REQUEST_MAX_LEN gets a parse error and closes the connection. */
void ctl_conn_feed(struct ctl_conn *c, const char *data, size_t len);
/* The peer closed its side: a last line without '\n' is still answered,
 * then the connection closes after its output. */
void ctl_conn_eof(struct ctl_conn *c);
/* Refuse a connection with one error line (no request id), then close. */
void ctl_conn_refuse(struct ctl_conn *c, int code, const char *msg);

void ctl_core_emit_state(struct ctl_core *core);
void ctl_core_emit_path(struct ctl_core *core, const struct ctl_path_event *ev);
void ctl_core_emit_stats(struct ctl_core *core, const struct ctl_stats_event *ev);
void ctl_core_emit_log(struct ctl_core *core, enum pt_log_level level, const char *subsys,
		       const char *line);
int ctl_core_attention_ask(struct ctl_core *core, const struct ctl_attention *a,
			   ctl_attention_cb cb, void *arg, uint64_t *id);
int ctl_core_attention_cancel(struct ctl_core *core, uint64_t id);

/* ---- rpc.c: one request line in, one response line out -------------------- */
struct ctl_req {
	cJSON *root;
	const cJSON *id;     /* NULL until known: errors then carry "id": null */
	enum petrel_ctl_method method;
	const cJSON *params; /* an object, or NULL when absent */
};

/* Bytes of one line (without its '\n'): UTF-8, no raw control characters,
 * no \u0000 in strings. 0 or PETREL_E_PARSE with *err set. */
int ctl_rpc_check_bytes(const char *line, size_t len, struct ctl_error *err);
/* Parse and validate the envelope. 0, or an error code with *err set (and
 * req->id set when the id could be read). cJSON_Delete(req->root) after. */
int ctl_rpc_parse(const char *line, size_t len, struct ctl_req *req, struct ctl_error *err);
/* Parameter helpers: each returns 0 or PETREL_E_INVALID_PARAMS. */
int ctl_rpc_params_only(const cJSON *params, const char *const *allowed, struct ctl_error *err);
int ctl_rpc_param_str(const cJSON *params, const char *key, int required, size_t max_len,
		      const char **out, struct ctl_error *err);
int ctl_rpc_param_u64(const cJSON *params, const char *key, uint64_t *out, struct ctl_error *err);

/* Serialized lines, '\n' included; malloc'd, NULL on allocation failure.
 * `result` and `params` are consumed. */
char *ctl_rpc_result(const cJSON *id, cJSON *result, size_t *len);
char *ctl_rpc_error(const cJSON *id, const struct ctl_error *err, size_t *len);
char *ctl_rpc_notification(enum petrel_ctl_event ev, cJSON *params, size_t *len);

/* ---- json.c: the daemon's structs as JSON ----------------------------------- */
cJSON *ctl_json_state(const struct ctl_status *st, const struct ctl_attn *attn, unsigned n_attn);
cJSON *ctl_json_profiles(const struct ctl_profiles *p);
cJSON *ctl_json_diags(const struct conf_diags *d);
cJSON *ctl_json_attention(const struct ctl_attn *a, const char *status);
cJSON *ctl_json_path(const struct ctl_path_event *ev);
cJSON *ctl_json_stats(const struct ctl_stats_event *ev);
/* Add a string member; bytes that are not UTF-8 become '?'. */
void ctl_json_add_text(cJSON *o, const char *key, const char *s);
cJSON *ctl_json_log(enum pt_log_level level, const char *subsys, const char *line);

/* RFC 3629 4: the length of the well-formed UTF-8 sequence at s[0..n), or 0. */
size_t ctl_utf8_seq(const unsigned char *s, size_t n);

/* Wipe memory that held a secret (a reply value) so the compiler keeps it. */
void ctl_wipe(void *p, size_t n);

#endif
