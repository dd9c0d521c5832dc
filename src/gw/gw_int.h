/* petrel-gw's insides, shared by gw.c (the SA table, the engine's ops,
 * receive, reaping, startup) and stream.c (RFC 9329 streams on TCP/4500).
 * Private to src/gw. */
#ifndef PETREL_GW_GW_INT_H
#define PETREL_GW_GW_INT_H

#include <stdint.h>
#include <sys/socket.h>

#include <uv.h>

#include "crypto/secret.h"
#include "gw/creds.h"
#include "gw/pool.h"
#include "ike/ike.h"
#include "net/ikesock.h"

struct gw_dp;
struct tcpconn;
struct tcplisten;

#define GW_LOG "gw"
#define GW_BUCKETS 1024u         /* SA table buckets, by SPIi */
#define GW_SAS_MAX 4096u         /* SAs of any state; more IKE_SA_INITs are dropped */
#define GW_HALF_OPEN_MS 30000u   /* an IKE SA without IKE_AUTH this long is dropped */
#define GW_UNKNOWN_PER_S 10u     /* INVALID_IKE_SPI answers a second, at most */
#define GW_SWEEP_MS 5000u
#define GW_SHUTDOWN_MS 3000u     /* wait this long for the deletes to be answered */
#define GW_COOKIE_SECRET_LEN 32u

struct gw_sa {
	struct gw_sa *next, *prev;       /* all SAs */
	struct gw_sa *bnext;             /* bucket chain */
	struct gw *gw;
	struct ike_sa *sa;
	uv_timer_t timer;
	struct sockaddr_storage peer;    /* last heard from ... */
	enum ikesock_port port;          /* ... on this port of ours */
	const struct sockaddr *req_from; /* while a message is processed: answer there */
	enum ikesock_port req_port;
	struct tcpconn *req_stream;      /* ... or on this stream (RFC 9329) */
	struct tcpconn *stream;          /* the stream its IKE came on last, if any */
	int via_tcp;                     /* IKE_SA_INIT came on TCP: ESP goes there too */
	uint8_t spi_i[8], spi_r[8];
	int has_v4, has_v6;
	uint8_t v4[4], v6[16];
	uint64_t born_ms;
	int half_open, dead, linked;
	/* RFC 5723: the SPIs this SA had when it last got a ticket (a resume
	 * names them), and, for an SA made by IKE_SESSION_RESUME, the old SA it
	 * replaces once established and whether its addresses are still the
	 * old SA's (borrowed: not ours to give back). */
	uint8_t tk_spi_i[8], tk_spi_r[8];
	int resumes, borrowed;
	uint32_t child_in[8];            /* its Child SAs' inbound SPIs (MOBIKE moves them) */
	unsigned n_child;
	uint8_t old_spi_i[8], old_spi_r[8];
	char name[34];                   /* SPIi_SPIr for logs */
};

struct gw {
	uv_loop_t *loop;
	struct ikesock *sock;
	struct sockaddr_storage listen;
	struct ike_cfg cfg;              /* the template every SA copies */
	struct gw_creds creds;           /* every SA's cfg points into it */
	struct secret *cookie_secret;
	struct gw_pool pool4, pool6;
	struct gw_sa *head;
	struct gw_sa *bucket[GW_BUCKETS];
	unsigned n_sas, n_half_open, cookie_threshold;
	uv_idle_t reaper;
	uv_timer_t sweep, stop_timer;
	int reaper_on, stopping, finished;
	struct gw_sa *pending;           /* the SA inside ike_sa_new_r */
	struct ike_ops ops;
	struct gw_dp *dp;                /* the data path (NULL: IKE only) */
	uint64_t unknown_at;             /* INVALID_IKE_SPI answers: this second's start */
	unsigned n_unknown;              /* ... and how many went out in it */
	struct tcplisten *tcp;           /* TCP/4500 (RFC 9329), NULL when off */
	struct gw_stream *streams;       /* accepted streams */
	struct ike_codepoints cp;        /* the draft code points every SA uses */
	struct gw_tickets *tickets;      /* RFC 5723; NULL: none issued */
};

/* An accepted RFC 9329 stream; SAs point at its tcpconn while they use it. */
struct gw_stream {
	struct gw_stream *next, *prev;
	struct gw *gw;
	struct tcpconn *c;
	struct sockaddr_storage peer;
};

/* One IKE message from UDP (stream NULL) or from a stream: to its SA, to
 * a new SA (IKE_SA_INIT), or answered with INVALID_IKE_SPI. */
void gw_route_msg(struct gw *gw, const uint8_t *msg, size_t len, const struct sockaddr *from,
		  enum ikesock_port port, struct tcpconn *stream);

/* gw.c, for resume.c: an SA by its current SPIs; the end of one, silently. */
struct gw_sa *gw_find_sa(struct gw *gw, const uint8_t *spi_i, const uint8_t *spi_r);
void gw_destroy_sa(struct gw *gw, struct gw_sa *gs);

/* resume.c (RFC 5723): tickets from the configuration into the SA template;
 * a resumed SA takes the old one's virtual addresses (gw_resume_new_sa,
 * right after IKE_SESSION_RESUME) and replaces it once established
 * (gw_resume_established). */
struct conf_gw;
int gw_resume_setup(struct gw *gw, const struct conf_gw *c);
void gw_resume_new_sa(struct gw *gw, struct gw_sa *gs);
void gw_resume_established(struct gw *gw, struct gw_sa *gs);
/* RFC 7296 2.4: the client's other IKE SAs end; their virtual addresses
 * become this SA's. */
void gw_initial_contact(struct gw *gw, struct gw_sa *gs);

/* stream.c: tcplisten's accept callback (ctx: the gw), and closing every
 * accepted stream at shutdown. */
void gw_stream_accept(void *ctx, struct tcpconn *c);
void gw_streams_close(struct gw *gw);

#endif
