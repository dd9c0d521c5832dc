/* EAP-TLS (RFC 5216; TLS 1.3 per RFC 9190): TLS records carried in EAP
 * packets, fragmented and acknowledged. The TLS itself is crypto/tls_eap.h.
 * Type-Data:
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |L M S R R R R R|  TLS Message Length (4 octets, only when L)    :
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * :               |  TLS Data ...
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * RFC 5216 3.1/3.2: S (start) only in the server's first Request, with no
 * data. A TLS message larger than one fragment goes out in pieces: the first
 * with L and the total length, every one but the last with M; the receiver
 * answers each M piece with an empty EAP-TLS packet (flags 0) and the
 * sender then sends the next. Reserved bits are ignored.
 *
 * A conversation (server's view):
 *   Request S  -> Response ClientHello -> Request server flight (fragments)
 *   -> Response client flight -> Request TLS 1.2 ChangeCipherSpec+Finished,
 *   or TLS 1.3 the commitment message (RFC 9190 2.5: one application data
 *   record holding 0x00, sent once the client is verified)
 *   -> Response empty -> Success (with the MSK).
 * The client trusts the end only after the server's TLS 1.2 Finished or the
 * TLS 1.3 0x00, so an early Success is refused (eap.c: method_done).
 *
 * Failure (RFC 5216 2.1.3, RFC 9190 2.1.3-2.1.5): the side that finds the
 * peer's certificate wrong sends its TLS alert inside the next EAP packet.
 * The client then waits for Failure; the server, after the client's empty
 * acknowledgement of an alert, sends Failure. Every TLS failure is -EACCES. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "base/log.h"
#include "crypto/tls_eap.h"
#include "ike/eap/eap_int.h"

#define TLS_F_L 0x80u   /* TLS Message Length included */
#define TLS_F_M 0x40u   /* more fragments follow */
#define TLS_F_S 0x20u   /* EAP-TLS start */
#define TLS_HDR_MAX 5u  /* flags + length */

enum eap_tls_state {
	TLS_S_NEW = 0,  /* client: no Start yet; server: Start not sent */
	TLS_S_RUN,      /* the handshake is running */
	TLS_S_FINAL,    /* server: last flight (1.2 Finished / 1.3 commitment) out */
	TLS_S_FAILED,   /* an alert went either way: only the end remains */
	TLS_S_DONE,     /* client: finished, the MSK made */
};

struct eap_tls {
	struct crypto_tls *tls;
	enum eap_tls_state state;
	size_t frag_len;
	int have_peer_id;        /* server: the cfg named the client's identity */
	uint8_t *peer_id;        /* server: a copy of it, for eap_server_identity */
	size_t peer_id_len;
	/* The message going out in fragments; NULL when none. */
	uint8_t *out;
	size_t out_len, out_off;
	/* The message coming in: in_total announced, in_len so far. */
	uint8_t *in;
	size_t in_len, in_total;
};

struct tls_pkt {
	uint8_t flags;
	uint32_t msg_len;        /* valid with TLS_F_L */
	struct rd data;
};

int eap_tls_new(const struct eap_tls_cfg *cfg, int server, struct eap_tls **out)
{
	if (cfg->frag_len && (cfg->frag_len < EAP_TLS_FRAG_MIN_LEN ||
			      cfg->frag_len > EAP_TLS_FRAG_MAX_LEN))
		return -EINVAL;
	struct eap_tls *t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->frag_len = cfg->frag_len ? cfg->frag_len : EAP_TLS_FRAG_DEFAULT_LEN;
	t->have_peer_id = cfg->peer_id != NULL;
	if (server && cfg->peer_id && cfg->peer_id_len) {
		t->peer_id = malloc(cfg->peer_id_len);
		if (!t->peer_id) {
			free(t);
			return -ENOMEM;
		}
		memcpy(t->peer_id, cfg->peer_id, cfg->peer_id_len);
		t->peer_id_len = cfg->peer_id_len;
	}
	struct crypto_tls_cfg tc = {
		.server = server, .cert = cfg->cert, .key = cfg->key, .ca = cfg->ca,
		.peer_id_type = cfg->peer_id_type, .peer_id = cfg->peer_id,
		.peer_id_len = cfg->peer_id_len, .min_version = cfg->min_version,
		.max_version = cfg->max_version, .now_s = cfg->now_s,
	};
	int err = crypto_tls_new(&tc, &t->tls);
	if (err) {
		free(t->peer_id);
		free(t);
		return err;
	}
	*out = t;
	return 0;
}

static void drop_in(struct eap_tls *t)
{
	free(t->in);
	t->in = NULL;
	t->in_len = t->in_total = 0;
}

static void drop_out(struct eap_tls *t)
{
	free(t->out);
	t->out = NULL;
	t->out_len = t->out_off = 0;
}

void eap_tls_free(struct eap_tls *t)
{
	if (!t)
		return;
	crypto_tls_free(t->tls);
	free(t->peer_id);
	drop_in(t);
	drop_out(t);
	free(t);
}

static int tls_parse(struct rd *in, struct tls_pkt *p)
{
	if (rd_u8(in, &p->flags))
		return -EBADMSG;
	p->msg_len = 0;
	if ((p->flags & TLS_F_L) && rd_u32(in, &p->msg_len))
		return -EBADMSG;
	rd_rest(in, &p->data);
	if (p->flags & TLS_F_L) {
		/* RFC 5216 3.1: the total; never more than we hold, never less
		 * than this piece. */
		if (p->msg_len == 0 || p->msg_len > PT_EAP_TLS_MSG_MAX ||
		    p->msg_len < rd_left(&p->data))
			return -EBADMSG;
	}
	if ((p->flags & TLS_F_M) && !rd_left(&p->data))
		return -EBADMSG;
	return 0;
}

/* An empty EAP-TLS packet: the acknowledgement (RFC 5216 3.1/3.2). */
static int is_ack(const struct tls_pkt *p)
{
	return !(p->flags & (TLS_F_L | TLS_F_M | TLS_F_S)) && !rd_left(&p->data);
}

/* Add one piece to the message being reassembled. *complete: the whole
 * message is in t->in[0..in_len). */
static int tls_reasm(struct eap_tls *t, const struct tls_pkt *p, int *complete)
{
	size_t n = rd_left(&p->data);
	*complete = 0;
	if (!t->in) {
		size_t total;
		if (p->flags & TLS_F_M) {
			/* RFC 5216 3.1: L "MUST be set for the first fragment". */
			if (!(p->flags & TLS_F_L))
				return -EBADMSG;
			total = p->msg_len;
		} else {
			total = (p->flags & TLS_F_L) ? p->msg_len : n;
		}
		if (total == 0 || total > PT_EAP_TLS_MSG_MAX)
			return -EBADMSG;
		t->in = malloc(total);
		if (!t->in)
			return -ENOMEM;
		t->in_total = total;
		t->in_len = 0;
	} else if ((p->flags & TLS_F_L) && p->msg_len != t->in_total) {
		return -EBADMSG;
	}
	if (n > t->in_total - t->in_len)
		return -EBADMSG;
	if (n)
		memcpy(t->in + t->in_len, rd_pos(&p->data), n);
	t->in_len += n;
	if (p->flags & TLS_F_M)
		return t->in_len == t->in_total ? -EBADMSG : 0;
	if (t->in_len != t->in_total)
		return -EBADMSG;
	*complete = 1;
	return 0;
}

/* Hand the reassembled message to TLS. */
static int tls_feed(struct eap_tls *t)
{
	int err = crypto_tls_push(t->tls, t->in, t->in_len);
	drop_in(t);
	return err;
}

/* The next piece of t->out into w. */
static int tls_send_frag(struct eap_tls *t, struct wb *w)
{
	size_t left = t->out_len - t->out_off;
	if (wb_room(w) <= TLS_HDR_MAX)
		return -ENOBUFS;
	size_t chunk = left;
	if (chunk > t->frag_len)
		chunk = t->frag_len;
	if (chunk > wb_room(w) - TLS_HDR_MAX)
		chunk = wb_room(w) - TLS_HDR_MAX;
	int more = chunk < left;
	uint8_t flags = more ? TLS_F_M : 0;
	if (more && t->out_off == 0)
		flags |= TLS_F_L;
	wb_u8(w, flags);
	if (flags & TLS_F_L)
		wb_u32(w, (uint32_t)t->out_len);
	wb_put(w, t->out + t->out_off, chunk);
	t->out_off += chunk;
	if (t->out_off == t->out_len)
		drop_out(t);
	return wb_err(w);
}

/* Everything TLS has for the peer as the next message: its first piece, or
 * an empty packet when there is nothing. */
static int tls_send(struct eap_tls *t, struct wb *w)
{
	size_t n = crypto_tls_pending(t->tls);
	if (n == 0)
		return wb_u8(w, 0);
	if (n > PT_EAP_TLS_MSG_MAX) {
		log_warn(EAP_SUBSYS, "EAP-TLS: our TLS message is %zu octets, more than %u", n,
			 PT_EAP_TLS_MSG_MAX);
		return -E2BIG;
	}
	t->out = malloc(n);
	if (!t->out)
		return -ENOMEM;
	t->out_len = crypto_tls_pull(t->tls, t->out, n);
	t->out_off = 0;
	if (t->out_len != n) {
		drop_out(t);
		return -EIO;
	}
	return tls_send_frag(t, w);
}

/* The handshake failed on our side or the peer's: send our alert (or an
 * empty acknowledgement of theirs) and wait for the end. */
static int tls_failed(struct eap_tls *t, struct wb *w)
{
	t->state = TLS_S_FAILED;
	drop_in(t);
	drop_out(t);
	return tls_send(t, w);
}

/* The common start of both ends for a packet during the handshake: an
 * acknowledgement moves our fragments on (*sent); a piece of theirs is
 * added and acknowledged (*sent), or completes the message (*sent 0). */
static int tls_receive(struct eap_tls *t, const struct tls_pkt *p, struct wb *w, int *sent)
{
	int complete, err;
	*sent = 0;
	if (t->out) {
		if (!is_ack(p)) {
			log_warn(EAP_SUBSYS, "EAP-TLS: expected an acknowledgement of our fragment");
			return -EPROTO;
		}
		*sent = 1;
		return tls_send_frag(t, w);
	}
	if (!t->in && is_ack(p))
		return -EPROTO; /* an acknowledgement of nothing */
	if ((err = tls_reasm(t, p, &complete)))
		return err;
	if (!complete) {
		*sent = 1;
		return wb_u8(w, 0);
	}
	return tls_feed(t);
}

/* ---- client ---------------------------------------------------------- */

static int client_finish(struct eap_client *c)
{
	struct secret *msk = NULL, *emsk = NULL;
	int err = crypto_tls_eap_keys(c->tls->tls, &msk, &emsk);
	if (err)
		return err;
	crypto_secret_free(emsk); /* IKEv2 uses only the MSK (RFC 7296 2.16) */
	crypto_secret_free(c->msk);
	c->msk = msk;
	c->method_done = 1;
	c->tls->state = TLS_S_DONE;
	log_info(EAP_SUBSYS, "EAP-TLS: TLS 1.%u handshake complete, server verified",
		 crypto_tls_version(c->tls->tls) == CRYPTO_TLS_V13 ? 3u : 2u);
	return 0;
}

/* The server's complete message was pushed: advance and answer. */
static int client_run(struct eap_client *c, struct wb *w)
{
	struct eap_tls *t = c->tls;
	int r = crypto_tls_handshake(t->tls);
	if (r == -EACCES)
		return tls_failed(t, w);
	if (r < 0)
		return r;
	if (r == CRYPTO_TLS_DONE) {
		int finished = 1;
		if (crypto_tls_version(t->tls) == CRYPTO_TLS_V13) {
			/* RFC 9190 2.5: done only with the server's commitment,
			 * one octet 0x00 of application data. */
			uint8_t app[16];
			size_t n;
			if (crypto_tls_read(t->tls, app, sizeof(app), &n))
				return tls_failed(t, w);
			if (n && (n != 1 || app[0] != 0x00)) {
				log_warn(EAP_SUBSYS, "EAP-TLS: %zu octets of application data where "
					 "the TLS 1.3 commitment (0x00) belongs", n);
				return -EPROTO;
			}
			finished = n == 1;
		}
		if (finished) {
			int err = client_finish(c);
			if (err)
				return err;
		}
	}
	return tls_send(t, w);
}

int eap_tls_client(struct eap_client *c, uint8_t id, struct rd *in, struct wb *w)
{
	struct eap_tls *t = c->tls;
	struct tls_pkt p;
	int err, sent;
	(void)id;
	if ((err = tls_parse(in, &p)))
		return err;
	if (t->state == TLS_S_NEW) {
		/* RFC 5216 3.1: the server starts with S; its data, if any,
		 * carries nothing for us. */
		if (!(p.flags & TLS_F_S))
			return -EPROTO;
		t->state = TLS_S_RUN;
		err = crypto_tls_handshake(t->tls);
		if (err == -EACCES)
			return tls_failed(t, w);
		return err < 0 ? err : tls_send(t, w);
	}
	if (p.flags & TLS_F_S)
		return -EPROTO;
	switch (t->state) {
	case TLS_S_RUN:
		break;
	case TLS_S_FAILED:
		/* After an alert only Failure may come (eap.c). */
		log_warn(EAP_SUBSYS, "EAP-TLS: the server went on after a TLS alert");
		return -EACCES;
	default:
		/* RFC 5216 2.1.1: after our acknowledgement only Success. */
		return -EPROTO;
	}
	if ((err = tls_receive(t, &p, w, &sent)) || sent)
		return err;
	return client_run(c, w);
}

/* ---- server ---------------------------------------------------------- */

int eap_tls_server_start(struct eap_server *s, struct wb *w)
{
	struct eap_tls *t = s->tls;
	if (t->state != TLS_S_NEW)
		return -EPROTO;
	if (!t->have_peer_id) {
		/* The client's certificate must prove its EAP-Identity. */
		int type = memchr(s->identity, '@', s->identity_len) ? CRYPTO_ID_RFC822_ADDR
								     : CRYPTO_ID_FQDN;
		int err = crypto_tls_set_peer_id(t->tls, type, s->identity, s->identity_len);
		if (err)
			return err;
	}
	t->state = TLS_S_RUN;
	return wb_u8(w, TLS_F_S);
}

/* The client is verified and has acknowledged our last flight. */
static int server_success(struct eap_server *s)
{
	struct eap_tls *t = s->tls;
	struct secret *msk = NULL, *emsk = NULL;
	int err = crypto_tls_eap_keys(t->tls, &msk, &emsk);
	if (err)
		return err;
	crypto_secret_free(emsk); /* IKEv2 uses only the MSK (RFC 7296 2.16) */
	crypto_secret_free(s->msk);
	s->msk = msk;
	if (t->peer_id)
		err = eap_server_set_auth_id(s, t->peer_id, t->peer_id_len);
	else
		err = eap_server_set_auth_id(s, s->identity, s->identity_len);
	if (err)
		return err;
	log_info(EAP_SUBSYS, "EAP-TLS: TLS 1.%u handshake complete, client verified",
		 crypto_tls_version(t->tls) == CRYPTO_TLS_V13 ? 3u : 2u);
	return EAP_SUCCESS;
}

/* The client's complete message was pushed: advance and answer. */
static int server_run(struct eap_server *s, struct wb *w)
{
	struct eap_tls *t = s->tls;
	int r = crypto_tls_handshake(t->tls);
	if (r == -EACCES) {
		/* Our alert goes to the client, which acknowledges it; a failure
		 * that leaves nothing to say (the client's own alert) ends now. */
		if (!crypto_tls_pending(t->tls))
			return -EACCES;
		int err = tls_failed(t, w);
		return err ? err : EAP_CONTINUE;
	}
	if (r < 0)
		return r;
	if (r == CRYPTO_TLS_DONE) {
		/* RFC 9190 2.5: with TLS 1.3 the server commits to the end of
		 * the handshake with one octet 0x00 of application data. TLS
		 * 1.2 ends with our ChangeCipherSpec and Finished, pending now. */
		if (crypto_tls_version(t->tls) == CRYPTO_TLS_V13) {
			static const uint8_t commit = 0x00;
			int err = crypto_tls_write(t->tls, &commit, 1);
			if (err)
				return err;
		}
		t->state = TLS_S_FINAL;
	}
	if (!crypto_tls_pending(t->tls)) {
		/* A whole message that moved the handshake nowhere. */
		log_warn(EAP_SUBSYS, "EAP-TLS: the client's message left the server nothing to send");
		return -EPROTO;
	}
	int err = tls_send(t, w);
	return err ? err : EAP_CONTINUE;
}

int eap_tls_server_process(struct eap_server *s, struct rd *in, struct wb *w)
{
	struct eap_tls *t = s->tls;
	struct tls_pkt p;
	int err, sent;
	if ((err = tls_parse(in, &p)))
		return err;
	if (p.flags & TLS_F_S)
		return -EPROTO; /* Start is the server's */
	switch (t->state) {
	case TLS_S_FAILED:
		/* RFC 5216 2.1.3: after our alert the client acknowledges, and
		 * whatever it says we answer with Failure. */
		return -EACCES;
	case TLS_S_FINAL:
		if (t->out)
			break; /* our last flight is still going out */
		if (!is_ack(&p)) {
			/* Anything but an acknowledgement now is the client's
			 * alert: it did not accept our Finished. */
			log_warn(EAP_SUBSYS, "EAP-TLS: the client answered our last flight with "
				 "%zu octets (an alert)", rd_left(&p.data));
			return -EACCES;
		}
		return server_success(s);
	case TLS_S_RUN:
		break;
	default:
		return -EPROTO;
	}
	if ((err = tls_receive(t, &p, w, &sent)))
		return err;
	if (sent)
		return EAP_CONTINUE;
	return server_run(s, w);
}
