/* petrel control protocol: the constants a client of petreld needs (the
 * petrel CLI, a desktop tray). The protocol itself is described in
 * docs/control-protocol.md: JSON-RPC 2.0, one JSON object per line, on a
 * Unix stream socket.
 *
 * Every table here is an X-macro that yields both the C constant and the
 * string on the wire, so the two cannot drift apart. This header has no
 * dependencies and declares no functions. */
#ifndef PETREL_CONTROL_H
#define PETREL_CONTROL_H

/* ---- where --------------------------------------------------------------- */
#ifdef __APPLE__
#define PETREL_CTL_SOCKET_PATH "/var/run/petrel/control.sock"
#else
#define PETREL_CTL_SOCKET_PATH "/run/petrel/control.sock"
#endif
/* Clients look here before the default (the CLI's --socket wins over it). */
#define PETREL_CTL_SOCKET_ENV "PETREL_SOCKET"
/* Root and members of this group may control petreld; the socket is
 * root:PETREL_CTL_GROUP, mode 0660, when the group exists. */
#define PETREL_CTL_GROUP "petrel"
#define PETREL_CTL_SOCKET_MODE 0660

/* Bumped when a method or a field changes meaning; additions keep it. */
#define PETREL_CTL_PROTOCOL_VERSION 1
/* A request line, newline included, is at most this long (the server
 * answers a longer one with -32700 and closes the connection). Equal to
 * PT_CTL_REQUEST_MAX_LEN in src/base/limits.h. */
#define PETREL_CTL_REQUEST_MAX_LEN (64u * 1024u)

/* ---- methods (client -> petreld) ------------------------------------------
 * X(C suffix, wire name, needs control permission) */
#define PETREL_CTL_METHODS(X)                         \
	X(VERSION, "version", 0)                      \
	X(STATUS, "status", 1)                        \
	X(PROFILES, "profiles", 1)                    \
	X(UP, "up", 1)                                \
	X(DOWN, "down", 1)                            \
	X(CHECK, "check", 1)                          \
	X(SUBSCRIBE, "subscribe", 1)                  \
	X(ATTENTION_REPLY, "attention.reply", 1)

#define PETREL_CTL_M_ENUM_(c, s, p) PETREL_M_##c,
enum petrel_ctl_method { PETREL_CTL_METHODS(PETREL_CTL_M_ENUM_) PETREL_M_COUNT_ };
#undef PETREL_CTL_M_ENUM_

/* ---- notifications (petreld -> subscribers; no id) --------------------- */
#define PETREL_CTL_EVENTS(X)            \
	X(STATE, "state")               \
	X(PATH, "path")                 \
	X(STATS, "stats")               \
	X(LOG, "log")                   \
	X(ATTENTION, "attention")

#define PETREL_CTL_EV_ENUM_(c, s) PETREL_EV_##c,
enum petrel_ctl_event { PETREL_CTL_EVENTS(PETREL_CTL_EV_ENUM_) PETREL_EV_COUNT_ };
#undef PETREL_CTL_EV_ENUM_

/* ---- errors ---------------------------------------------------------------
 * JSON-RPC 2.0 section 5.1 codes, then petrel's own (stable: a client may
 * switch on them). X(C suffix, code, wire name) */
#define PETREL_CTL_ERRORS(X)                              \
	X(PARSE, -32700, "parse_error")                   \
	X(INVALID_REQUEST, -32600, "invalid_request")     \
	X(METHOD_NOT_FOUND, -32601, "method_not_found")   \
	X(INVALID_PARAMS, -32602, "invalid_params")       \
	X(INTERNAL, -32603, "internal_error")             \
	X(NO_SUCH_PROFILE, 1, "no_such_profile")          \
	X(ALREADY_CONNECTED, 2, "already_connected")      \
	X(NOT_CONNECTED, 3, "not_connected")              \
	X(PERMISSION_DENIED, 4, "permission_denied")      \
	X(BUSY, 5, "busy")                                \
	X(NO_SUCH_ATTENTION, 6, "no_such_attention")      \
	X(CONFIG_INVALID, 7, "config_invalid")            \
	X(FAILED, 8, "failed")

#define PETREL_CTL_ERR_ENUM_(c, n, s) PETREL_E_##c = (n),
enum petrel_ctl_error { PETREL_CTL_ERRORS(PETREL_CTL_ERR_ENUM_) };
#undef PETREL_CTL_ERR_ENUM_

/* ---- values inside results and events -------------------------------------
 * A profile's connection state. */
#define PETREL_CTL_STATES(X)                     \
	X(DISCONNECTED, "disconnected")          \
	X(CONNECTING, "connecting")              \
	X(CONNECTED, "connected")                \
	X(RECONNECTING, "reconnecting")          \
	X(DISCONNECTING, "disconnecting")

#define PETREL_CTL_ST_ENUM_(c, s) PETREL_STATE_##c,
enum petrel_state { PETREL_CTL_STATES(PETREL_CTL_ST_ENUM_) PETREL_STATE_COUNT_ };
#undef PETREL_CTL_ST_ENUM_

/* Where IKE or ESP currently runs ("ike" and "esp" fields). */
#define PETREL_CTL_PATHS(X)                   \
	X(NONE, "none")                       \
	X(UDP, "udp")   /* RFC 7296 / RFC 3948 UDP encapsulation */ \
	X(TCP, "tcp")   /* RFC 9329 */        \
	X(RAW, "raw")   /* ESP as IP protocol 50, no NAT */

#define PETREL_CTL_PATH_ENUM_(c, s) PETREL_PATH_##c,
enum petrel_path { PETREL_CTL_PATHS(PETREL_CTL_PATH_ENUM_) PETREL_PATH_COUNT_ };
#undef PETREL_CTL_PATH_ENUM_

/* What an attention request asks for ("kind"). */
#define PETREL_CTL_ATTENTION_KINDS(X)        \
	X(PASSWORD, "password")              \
	X(OTP, "otp")                        \
	X(PIN, "pin")                        \
	X(USERNAME, "username")

#define PETREL_CTL_AK_ENUM_(c, s) PETREL_ATTN_##c,
enum petrel_attention_kind { PETREL_CTL_ATTENTION_KINDS(PETREL_CTL_AK_ENUM_) PETREL_ATTN_COUNT_ };
#undef PETREL_CTL_AK_ENUM_

/* An attention event's "status". */
#define PETREL_CTL_ATTENTION_PENDING "pending"
#define PETREL_CTL_ATTENTION_ANSWERED "answered"
#define PETREL_CTL_ATTENTION_CANCELLED "cancelled"

#endif
