/* What conn.c (the connection's life) and conn_path.c (where its IKE and
 * ESP run) share: the connection itself. Private to src/daemon. */
#ifndef PETREL_DAEMON_CONN_INT_H
#define PETREL_DAEMON_CONN_INT_H

#include <stdint.h>
#include <sys/socket.h>

#include <uv.h>

#include "daemon/conn.h"
#include "daemon/creds.h"
#include "esp/echo.h"
#include "ike/ike.h"

struct sysnet;
struct tunnel;
struct ikesock;
struct tcpconn;

#define CLOG "conn"
#define DELETE_WAIT_MS 3000u   /* how long `down` waits for the gateway's answer */
#define CONNECT_TIMEOUT_MS 30000u
#define KEEPALIVE_MS 20000u    /* RFC 3948 4: keep the NAT's mapping for UDP 4500 */

struct conn {
	uv_loop_t *loop;
	const struct conf_profile *p;
	struct conn_events ev;
	enum petrel_state state;
	int64_t since, last_handshake;
	char error[CTL_MSG_MAX];

	struct creds creds;
	struct ike_cfg cfg;
	struct ike_ops ops;
	struct ike_sa *sa;
	struct ikesock *sock;
	struct sockaddr_storage gw, local;
	uv_getaddrinfo_t gai;
	int resolving;
	uv_timer_t sa_timer, deadline, later, keepalive;
	int handles_open;
	int going_down;     /* down requested or failed: tear down when possible */
	int user_down;      /* the user asked: the kill switch comes off too */
	int asking;         /* waiting for the user's password */

	struct sysnet *net;
	int raw_fd;         /* raw ESP when no NAT is in the path, else -1 */
	int ks_on;          /* the kill switch's rules are loaded */
	int tun_fd;
	struct tunnel *tun;
	struct ike_child first; /* for status */
	int have_child;

	/* Where IKE and ESP run (conn_path.c). */
	const struct ike_codepoints *cp;
	enum conf_transport mode; /* this attempt: UDP, TCP or SEPARATE (auto starts separate) */
	int auto_tried_tcp;       /* auto: UDP went unanswered, this attempt is on TCP */
	int sep_off;              /* TCP/4500 was blocked: no SEPARATE_TRANSPORTS */
	struct tcpconn *stream;   /* RFC 9329 stream to the gateway, NULL when none */
	int stream_up;            /* connected */
	int stream_was_up;        /* connected before: a new one is a reconnect */
	unsigned reconnects;      /* in a row, for the backoff */
	unsigned stream_drops;    /* streams that ended while this attempt lived */
	int stream_err;           /* ... the last one's error (0: closed by the gateway) */
	uv_timer_t reconnect, probe, udp_wait;
	int esp_tcp;              /* ESP in the stream now */
	struct esp_probes probes;
	int awaiting;             /* a probe is out, unanswered */
	unsigned misses;          /* probes unanswered in a row */
	uint64_t moves;           /* ESP moves between UDP and TCP */
	char why[CTL_MSG_MAX];    /* why IKE and ESP run where they do */

	/* Network changes and wake-ups (conn_path.c): the rtnetlink monitor,
	 * a settle timer that coalesces a burst, a clock watch for sleep. */
	struct net_netmon *nm;
	uv_poll_t nm_poll;
	uv_timer_t nm_settle, wake;
	unsigned nm_events;
	int64_t wake_wall_ms, wake_mono_ms;
	int64_t last_change;      /* when the last change was acted on (s) */
	struct sockaddr_storage stream_local; /* where the stream leaves from */
	uint64_t settle_first_ms; /* the first change of the burst being settled */

	/* Roaming (conn_roam.c): the recovery step in progress, its timer,
	 * what changed and how the last recovery went; the ticket. */
	enum roam_step { ROAM_IDLE, ROAM_CHECK, ROAM_MOBIKE, ROAM_RESUME, ROAM_FULL } roam;
	int roam_act;             /* the timer replaces the IKE SA */
	int roam_heard_ike;       /* ROAM_CHECK: the gateway answered IKE */
	int resuming;             /* this SA started with IKE_SESSION_RESUME */
	uv_timer_t roam_timer;
	uv_timer_t ticket_timer;          /* ask for a new ticket before this one expires */
	uint64_t roam_start_ms;
	char change_what[128];
	int64_t change_at;
	char recovered_by[24];
	int64_t recovery_ms;
	struct ike_ticket *ticket;        /* the last ticket (heap, wiped) */
	struct ike_ticket *resume_ticket; /* the one the SA being made resumes with */
	uint64_t ticket_expires;          /* Unix seconds */
	const char *state_dir;            /* where tickets are stored; NULL: memory only */
	struct ike_cp_result net_cp;      /* what the TUN was set up with */
};

void conn_set_error(struct conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Leave the SA's callbacks, then delete (if up) and tear down. */
void conn_go_down(struct conn *c);
/* Throw the IKE SA away and start a new one (before it is established):
 * the transport fallbacks. */
void conn_restart(struct conn *c);

/* ESP goes in UDP now (a NAT, encap: udp, or no raw socket), else raw. */
int conn_esp_in_udp(const struct conn *c);
/* Open the raw ESP socket (no NAT in the path) and give it to the tunnel. */
int conn_open_raw(struct conn *c);
/* Full tunnel: point the gateway's own route at the current uplink;
 * -ENETUNREACH when no uplink has a path to it. */
int conn_gateway_route(struct conn *c);
/* 1 when the address is one the gateway gave us (a route through the tunnel). */
int conn_addr_is_ours(const struct conn *c, const struct sockaddr_storage *a);
void conn_set_state(struct conn *c, enum petrel_state st);

/* conn_roam.c */
void roam_init(struct conn *c);
void roam_close_handles(struct conn *c, uv_close_cb cb);
void roam_reset(struct conn *c);
/* Before ike_sa_new: tickets, MOBIKE, and a resume when there is a ticket
 * to resume with (1). roam_sa_made after it. */
int roam_prepare_sa(struct conn *c);
void roam_sa_made(struct conn *c);
/* A change was acted on; moved: our address towards the gateway is new. */
void roam_changed(struct conn *c, const char *what, int moved);
/* A change left no path to the gateway: reconnecting until one comes. */
void roam_offline(struct conn *c, const char *what);
/* The current SA answered: an IKE message (esp 0) or an ESP Echo (1). */
void roam_heard(struct conn *c, int esp);
/* The SA's events first: 1 when handled here. */
int roam_event(struct conn *c, enum ike_event ev, int err);
void roam_forget_ticket(struct conn *c);
void roam_status(const struct conn *c, struct ctl_profile_status *o);

/* conn_path.c */
void path_init(struct conn *c);                /* timers, netmon: adds to c->handles_open */
void path_close_handles(struct conn *c, uv_close_cb cb);
void path_reset(struct conn *c);               /* stream closed, timers stopped */
void path_sa_started(struct conn *c);          /* after ike_sa_new, before initiate */
int path_send_ike(struct conn *c, const uint8_t *msg, size_t len);
void path_established(struct conn *c);
void path_child_up(struct conn *c, const struct ike_child *k);
struct tunnel_ops;
void path_tunnel_ops(struct conn *c, struct tunnel_ops *out);
enum petrel_path path_ike(const struct conn *c);
/* A new reason for where IKE and ESP run (status, log, `path` event). */
void path_say(struct conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Pure: the milliseconds the machine slept between two readings of the
 * wall clock and the monotonic clock (which stops in suspend), 0 when the
 * gap is under the noise. */
int64_t path_slept_ms(int64_t wall0, int64_t mono0, int64_t wall1, int64_t mono1);
/* After the TUN is up: its changes are ours, not the network's. */
void path_tun_up(struct conn *c, unsigned ifindex);
enum petrel_path path_esp(const struct conn *c);

#endif


