/* src/ctl: petreld's control socket (docs/control-protocol.md). JSON-RPC 2.0,
 * one object per line, on a Unix stream socket; the only daemon-side code
 * that includes <cjson/cJSON.h>. The daemon sees plain C structs: it fills
 * them in its handlers and in the emit calls, and src/ctl turns them into
 * JSON.
 *
 * Life cycle (libuv rules): ctl_server_open() binds and listens on the loop;
 * ctl_server_close() closes every connection, cancels pending attention
 * requests (their callbacks run with value NULL), removes the socket file,
 * and runs close_cb once every handle is closed; memory is freed only then.
 *
 * Handlers run synchronously inside the read callback, at most one at a
 * time; they may call the emit functions. Events a handler emits reach
 * subscribers before the handler's response. */
#ifndef PETREL_CTL_CTL_H
#define PETREL_CTL_CTL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <uv.h>

#include "base/limits.h"
#include "base/log.h"
#include "conf/conf.h"
#include "petrel/control.h"

/* Caps of the control socket (with PT_CTL_REQUEST_MAX_LEN in limits.h). */
#define CTL_CLIENTS_MAX          64u            /* connections at once; more are refused */
#define CTL_CLIENT_OUT_MAX_LEN   (256u * 1024u) /* bytes queued to one client; past it the client is dropped */
#define CTL_PROFILES_MAX         PT_CONF_PROFILES_MAX
#define CTL_VIPS_MAX             4u
#define CTL_ATTENTION_MAX        8u             /* pending attention requests */
#define CTL_ATTENTION_VALUE_MAX_LEN 1024u       /* a password, OTP or PIN */
#define CTL_ID_MAX_LEN           128u           /* a string request id */
#define CTL_MSG_MAX              256u
#define CTL_NAME_MAX             CONF_NAME_MAX
#define CTL_STR_MAX              CONF_STR_MAX

/* Rate limits for chatty events (defaults; the config may lower them). */
#define CTL_STATS_INTERVAL_MS    1000u          /* per profile: at most one stats event per interval */
#define CTL_LOG_RATE_PER_S       20u            /* log events: token bucket rate ... */
#define CTL_LOG_BURST            50u            /* ... and depth */

/* A handler's error: a code from PETREL_CTL_ERRORS and a message for a
 * human ("no profile named 'wrk'"). */
struct ctl_error {
	int code;
	char message[CTL_MSG_MAX];
};

/* Fill *e and return e->code, so a handler can `return ctl_error_set(...)`. */
int ctl_error_set(struct ctl_error *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* One profile as `status` and the `state` event report it. Strings are
 * empty and numbers 0 when unknown. Times are Unix seconds. */
struct ctl_profile_status {
	char name[CTL_NAME_MAX];
	enum petrel_state state;
	char gateway[CTL_STR_MAX];      /* as configured: name or address */
	char remote[64];                /* the address in use, "192.0.2.1:4500" */
	int64_t since;                  /* when `state` was entered */
	char vips[CTL_VIPS_MAX][64];    /* virtual IPs from the gateway's CP */
	unsigned n_vips;
	enum petrel_path ike, esp;      /* where IKE and ESP run */
	char path_reason[CTL_MSG_MAX];  /* why they run there */
	char ike_sa[160];               /* the IKE SA's algorithms and key exchanges */
	uint64_t bytes_in, bytes_out, packets_in, packets_out;
	int64_t last_handshake;         /* last IKE_AUTH, rekey or resumption */
	/* Roaming: the last network change or wake-up acted on, and how the
	 * tunnel recovered from it ("echo", "liveness check", "MOBIKE",
	 * "resume", "full handshake") in how many ms (-1: not yet / none);
	 * `recovering` names the step in progress. */
	char last_change[128];
	int64_t last_change_at;
	char recovered_by[24];
	int64_t recovery_ms;
	char recovering[24];
	char error[CTL_MSG_MAX];        /* why the last attempt failed or the tunnel dropped */
};

struct ctl_status {
	struct ctl_profile_status profiles[CTL_PROFILES_MAX];
	unsigned n;
};

/* One configured profile as `profiles` lists it. */
struct ctl_profile_info {
	char name[CTL_NAME_MAX];
	char gateway[CTL_STR_MAX];
	char auth[32];                  /* conf_auth_method_name() */
	char transport[16];             /* conf_transport_name() */
	char file[CONF_PATH_MAX];
	enum petrel_state state;
};

struct ctl_profiles {
	struct ctl_profile_info profiles[CTL_PROFILES_MAX];
	unsigned n;
};

/* The daemon's side. A handler returns 0, or a petrel error code with *err
 * filled (ctl_error_set). A NULL handler makes its method answer
 * -32601. `profile` strings are 1..CTL_NAME_MAX-1 bytes, already checked. */
struct ctl_handlers {
	void *ctx;
	int (*up)(void *ctx, const char *profile, enum petrel_state *state, struct ctl_error *err);
	/* profile NULL: every profile that is not disconnected. */
	int (*down)(void *ctx, const char *profile, enum petrel_state *state, struct ctl_error *err);
	int (*status)(void *ctx, struct ctl_status *out, struct ctl_error *err);
	int (*profiles)(void *ctx, struct ctl_profiles *out, struct ctl_error *err);
	/* Validate a configuration file with petreld's privileges; diagnostics
	 * are not an error (the result lists them). */
	int (*check)(void *ctx, const char *path, struct conf_diags *out, struct ctl_error *err);
};

/* Who is on the other end of a connection. */
struct ctl_peer {
	uid_t uid;
	gid_t gid;
	pid_t pid; /* -1 where the platform does not say */
};

/* Peer credentials of a connected Unix socket: SO_PEERCRED (Linux),
 * getpeereid (macOS, peer_darwin.c). 0 or -errno. */
int ctl_peer_get(int fd, struct ctl_peer *out);
/* The policy: root, or the primary or a supplementary group is `group`
 * (PETREL_CTL_GROUP when NULL). 1 may control, 0 may not. */
int ctl_peer_may_control(const struct ctl_peer *peer, const char *group);

struct ctl_server_config {
	const char *path;  /* socket path; NULL: PETREL_CTL_SOCKET_PATH */
	const char *group; /* NULL: PETREL_CTL_GROUP */
	struct ctl_handlers handlers;
	/* Test seam: decide who may control instead of SO_PEERCRED plus
	 * ctl_peer_may_control(). Return 1 may control, 0 may not, < 0 refuse
	 * the connection. NULL in petreld. */
	int (*authorize)(void *ctx, int fd, struct ctl_peer *peer);
	void *authorize_ctx;
	/* 0: the defaults above. */
	unsigned stats_interval_ms;
	unsigned log_rate_per_s;
	unsigned log_burst;
	size_t client_out_max_len;
};

struct ctl_server;

int ctl_server_open(struct ctl_server **out, uv_loop_t *loop, const struct ctl_server_config *cfg);
void ctl_server_close(struct ctl_server *s, void (*close_cb)(void *arg), void *arg);

/* ---- events (broadcast to subscribers) ------------------------------------
 * state: the complete state, taken from handlers.status. Call it on every
 * change of any profile's state (not for counters). */
void ctl_server_emit_state(struct ctl_server *s);

struct ctl_path_event {
	const char *profile;
	enum petrel_path ike, esp;
	const char *reason; /* "ESP echo unanswered", "network changed"; may be NULL */
};
void ctl_server_emit_path(struct ctl_server *s, const struct ctl_path_event *ev);

struct ctl_stats_event {
	const char *profile;
	uint64_t bytes_in, bytes_out, packets_in, packets_out;
};
/* Rate limited per profile: at most one event per stats interval; in
 * between, the latest counters replace the pending ones. */
void ctl_server_emit_stats(struct ctl_server *s, const struct ctl_stats_event *ev);

/* Rate limited (token bucket); what is dropped is counted and reported by
 * the next log event that passes. Its signature is a pt_log_sink_fn, so
 * pt_log_set_sink(ctl_server_emit_log, s) forwards the daemon's log. */
void ctl_server_emit_log(void *server, enum pt_log_level level, const char *subsys,
			 const char *line);

/* ---- attention: the daemon asks a user for something -----------------------
 * The request is broadcast to subscribers (and is part of the state a new
 * subscriber receives) until the first valid attention.reply, a cancel, or
 * ctl_server_close(). The callback runs exactly once if ask returned 0:
 * with the value (valid only during the call; wiped afterwards), or with
 * NULL when cancelled or closed. */
struct ctl_attention {
	const char *profile;
	enum petrel_attention_kind kind;
	const char *prompt; /* "Password for alice@example.com" */
	int echo;           /* 1: the value may be shown while typed (a user name) */
};
typedef void (*ctl_attention_cb)(void *arg, uint64_t id, const char *value);

/* 0 with *id set, -E2BIG when CTL_ATTENTION_MAX are pending, -EINVAL. */
int ctl_server_attention_ask(struct ctl_server *s, const struct ctl_attention *a,
			     ctl_attention_cb cb, void *arg, uint64_t *id);
/* 0 (the callback runs with NULL), or -ENOENT. */
int ctl_server_attention_cancel(struct ctl_server *s, uint64_t id);

/* Names on the wire ("?" for a value out of range). */
const char *ctl_state_name(enum petrel_state st);
const char *ctl_path_name(enum petrel_path p);
const char *ctl_attention_kind_name(enum petrel_attention_kind k);
const char *ctl_error_name(int code);
const char *ctl_method_name(enum petrel_ctl_method m);

#endif
