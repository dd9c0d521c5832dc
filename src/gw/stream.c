/* petrel-gw's RFC 9329 streams: each accepted TCP/4500 connection carries
 * IKE (routed by SPIs like UDP) and ESP (to the data path, whose Child SAs
 * then answer into the stream). An SA points at the stream its IKE came on
 * last; a closed stream is forgotten by every SA and Child SA. */
#include <stdlib.h>

#include "base/err.h"
#include "base/log.h"
#include "gw/dp.h"
#include "gw/gw_int.h"
#include "net/addr.h"
#include "net/tcpconn.h"

static void stream_ike(void *ctx, struct tcpconn *c, const uint8_t *msg, size_t len)
{
	struct gw_stream *s = ctx;
	if (len < 28) /* an IKE header */
		return;
	gw_route_msg(s->gw, msg, len, (const struct sockaddr *)&s->peer, IKESOCK_NATT, c);
}

static void stream_esp(void *ctx, struct tcpconn *c, const uint8_t *pkt, size_t len)
{
	struct gw_stream *s = ctx;
	if (s->gw->dp)
		gw_dp_input_stream(s->gw->dp, pkt, len, c);
}

static void stream_forget(struct gw_stream *s)
{
	struct gw *gw = s->gw;
	for (struct gw_sa *gs = gw->head; gs; gs = gs->next)
		if (gs->stream == s->c)
			gs->stream = NULL;
	if (gw->dp)
		gw_dp_stream_gone(gw->dp, s->c);
	if (s->prev)
		s->prev->next = s->next;
	else
		gw->streams = s->next;
	if (s->next)
		s->next->prev = s->prev;
	free(s);
}

static void stream_closed(void *ctx, struct tcpconn *c, int err)
{
	struct gw_stream *s = ctx;
	char a[NET_ADDR_STR_MAX];
	log_info(GW_LOG, "TCP stream from %s closed: %s",
		 net_sa_str((const struct sockaddr *)&s->peer, a, sizeof(a)), err ? pt_strerror(err) : "by the peer");
	stream_forget(s);
}

void gw_stream_accept(void *ctx, struct tcpconn *c)
{
	struct gw *gw = ctx;
	struct gw_stream *s = calloc(1, sizeof(*s));
	char a[NET_ADDR_STR_MAX];

	if (!s || gw->stopping || tcpconn_peer(c, &s->peer)) {
		free(s);
		tcpconn_close(c);
		return;
	}
	s->gw = gw;
	s->c = c;
	s->next = gw->streams;
	if (gw->streams)
		gw->streams->prev = s;
	gw->streams = s;
	struct tcpconn_ops ops = { .ctx = s, .ike = stream_ike, .esp = stream_esp, .closed = stream_closed };
	tcpconn_set_ops(c, &ops);
	log_debug(GW_LOG, "TCP stream from %s accepted",
		  net_sa_str((const struct sockaddr *)&s->peer, a, sizeof(a)));
}

void gw_streams_close(struct gw *gw)
{
	while (gw->streams) {
		struct tcpconn *c = gw->streams->c;
		stream_forget(gw->streams);
		tcpconn_close(c);
	}
}
