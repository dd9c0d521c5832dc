/* The EAP layer (RFC 3748) for both ends: framing, identifiers,
 * Identity/Notification/Nak, Success/Failure and method dispatch.
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Code      |  Identifier   |            Length             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |  Type-Data ...  (Request and Response only)
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Length counts the whole packet and must equal the bytes given (inside
 * IKEv2 the EAP payload bounds the packet: RFC 7296 3.16); Success and
 * Failure are exactly 4 octets (RFC 3748 4.2). */
#include "ike/eap/eap_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "ike/pld/consts.h"

const char *eap_type_name(unsigned type)
{
	switch (type) {
#define EAP_TYPE_NAME(name, val, str, ref) case val: return str;
	EAP_TYPE_TABLE(EAP_TYPE_NAME)
#undef EAP_TYPE_NAME
	default: return "unknown";
	}
}

struct eap_pkt {
	uint8_t code, id, type;
	struct rd data;  /* Type-Data */
};

static int eap_parse(const uint8_t *msg, size_t len, struct eap_pkt *p)
{
	struct rd r;
	uint16_t plen;
	rd_init(&r, msg, len);
	if (rd_u8(&r, &p->code) || rd_u8(&r, &p->id) || rd_u16(&r, &plen))
		return -EBADMSG;
	if (plen != len)
		return -EBADMSG;
	p->type = 0;
	rd_init(&p->data, NULL, 0);
	switch (p->code) {
	case IKE_EAP_REQUEST:
	case IKE_EAP_RESPONSE:
		if (rd_u8(&r, &p->type))
			return -EBADMSG;
		rd_rest(&r, &p->data);
		return 0;
	case IKE_EAP_SUCCESS:
	case IKE_EAP_FAILURE:
		return rd_left(&r) ? -EBADMSG : 0;
	default:
		return -EBADMSG;
	}
}

/* Start a Request/Response: the header with a placeholder length. */
static void eap_begin(struct wb *w, uint8_t code, uint8_t id, uint8_t type)
{
	wb_u8(w, code);
	wb_u8(w, id);
	wb_u16(w, 0);
	wb_u8(w, type);
}

static int eap_finish(struct wb *w)
{
	if (wb_err(w))
		return wb_err(w);
	if (wb_len(w) > EAP_MSG_MAX_LEN)
		return -E2BIG;
	return wb_set_u16(w, 2, (uint16_t)wb_len(w));
}

static int eap_short(struct wb *w, uint8_t code, uint8_t id)
{
	wb_u8(w, code);
	wb_u8(w, id);
	wb_u16(w, EAP_HDR_LEN);
	return wb_err(w);
}

/* Printable text from a peer, for one log line. */
static void eap_sanitize(const uint8_t *p, size_t n, char *out, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i < n && o + 1 < cap; i++)
		out[o++] = (p[i] >= 0x20 && p[i] < 0x7f) ? (char)p[i] : '?';
	out[o] = 0;
}

static int dup_bytes(const uint8_t *p, size_t n, uint8_t **out)
{
	uint8_t *d = malloc(n ? n : 1);
	if (!d)
		return -ENOMEM;
	if (n)
		memcpy(d, p, n);
	*out = d;
	return 0;
}

static int method_allowed(uint8_t m)
{
	return m == EAP_MD5 || m == EAP_MSCHAPV2 || m == EAP_TLS;
}

/* EAP-TLS takes many fragments (RFC 5216 3.1), the others a few rounds. */
static unsigned rounds_max(uint8_t method)
{
	return method == EAP_TLS ? EAP_TLS_ROUNDS_MAX : EAP_ROUNDS_MAX;
}

/* ---- client ---------------------------------------------------------- */

int eap_client_new(const struct eap_client_cfg *cfg, struct eap_client **out)
{
	if (!cfg || !method_allowed(cfg->method) || !cfg->identity || !cfg->identity_len ||
	    cfg->identity_len > EAP_IDENTITY_MAX_LEN ||
	    (cfg->method != EAP_TLS && !cfg->password) ||
	    (cfg->password && cfg->password->len > EAP_PASSWORD_MAX_LEN))
		return -EINVAL;
	/* The client always checks the EAP server's name (RFC 9190 5.2). */
	if (cfg->method == EAP_TLS && !cfg->tls.peer_id)
		return -EINVAL;
	if (cfg->method == EAP_MSCHAPV2) {
		/* RFC 2759 8.3: the password must become UTF-16; check it now
		 * rather than in the middle of the conversation. */
		uint8_t u16[2 * CRYPTO_MSCHAP_PASSWORD_MAX_CHARS];
		size_t n;
		int err = crypto_utf8_to_utf16le(cfg->password->p, cfg->password->len, u16,
						 sizeof(u16), &n);
		crypto_wipe(u16, sizeof(u16));
		if (err)
			return -EINVAL;
		err = crypto_mschap_available();
		if (err)
			return err;
	}
	struct eap_client *c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->method = cfg->method;
	if (dup_bytes(cfg->identity, cfg->identity_len, &c->identity) ||
	    (cfg->password &&
	     crypto_secret_from(cfg->password->p, cfg->password->len, &c->password))) {
		eap_client_free(c);
		return -ENOMEM;
	}
	c->identity_len = cfg->identity_len;
	if (cfg->method == EAP_TLS) {
		int err = eap_tls_new(&cfg->tls, 0, &c->tls);
		if (err) {
			eap_client_free(c);
			return err;
		}
	}
	*out = c;
	return 0;
}

void eap_client_free(struct eap_client *c)
{
	if (!c)
		return;
	free(c->identity);
	crypto_secret_free(c->password);
	crypto_secret_free(c->msk);
	eap_tls_free(c->tls);
	crypto_wipe(c, sizeof(*c));
	free(c);
}

/* A fatal error: the conversation is over. */
static int client_fail(struct eap_client *c, int err)
{
	c->state = EAP_C_OVER;
	return err;
}

static int client_request(struct eap_client *c, const struct eap_pkt *p, struct wb *w)
{
	struct rd in = p->data;
	char text[128];
	switch (p->type) {
	case EAP_IDENTITY:
		/* RFC 3748 5.1: normally the first Request; later ones are odd but
		 * harmless until a method has begun. */
		if (c->state != EAP_C_IDLE)
			return -EPROTO;
		eap_begin(w, IKE_EAP_RESPONSE, p->id, EAP_IDENTITY);
		wb_put(w, c->identity, c->identity_len);
		return eap_finish(w);
	case EAP_NOTIFICATION:
		/* RFC 3748 5.2: shown to the user, answered with an empty one. */
		eap_sanitize(rd_pos(&in), rd_left(&in), text, sizeof(text));
		log_info(EAP_SUBSYS, "server notification: \"%s\"", text);
		eap_begin(w, IKE_EAP_RESPONSE, p->id, EAP_NOTIFICATION);
		return eap_finish(w);
	case EAP_NAK:
		return -EPROTO; /* RFC 3748 5.3: Response only */
	case EAP_EXPANDED:
		log_warn(EAP_SUBSYS, "server proposed an expanded EAP type; not supported");
		return -EPROTO;
	default:
		break;
	}
	if (p->type != c->method) {
		if (c->state != EAP_C_IDLE) {
			log_warn(EAP_SUBSYS, "server switched to EAP-%s during EAP-%s",
				 eap_type_name(p->type), eap_type_name(c->method));
			return -EPROTO;
		}
		/* RFC 3748 5.3.1: a legacy Nak with the one type we accept. */
		log_info(EAP_SUBSYS, "server proposed EAP-%s (%u); Nak, we use EAP-%s",
			 eap_type_name(p->type), p->type, eap_type_name(c->method));
		eap_begin(w, IKE_EAP_RESPONSE, p->id, EAP_NAK);
		wb_u8(w, c->method);
		return eap_finish(w);
	}
	c->state = EAP_C_METHOD;
	eap_begin(w, IKE_EAP_RESPONSE, p->id, c->method);
	int err;
	switch (c->method) {
	case EAP_MD5:
		err = eap_md5_client(c, p->id, &in, w);
		break;
	case EAP_MSCHAPV2:
		err = eap_mschapv2_client(c, p->id, &in, w);
		break;
	case EAP_TLS:
		err = eap_tls_client(c, p->id, &in, w);
		break;
	default:
		err = -EPROTO;
		break;
	}
	return err ? err : eap_finish(w);
}

int eap_client_process(struct eap_client *c, const uint8_t *msg, size_t len, uint8_t *resp,
		       size_t cap, size_t *resp_len)
{
	struct eap_pkt p;
	struct wb w;
	int err;
	*resp_len = 0;
	if (c->state == EAP_C_OVER)
		return -EPROTO;
	err = eap_parse(msg, len, &p);
	if (err) {
		log_warn(EAP_SUBSYS, "malformed EAP packet from the server (%zu octets)", len);
		return client_fail(c, err);
	}
	switch (p.code) {
	case IKE_EAP_SUCCESS:
		/* RFC 3748 4.2 / 7.16: Success counts only once the method has
		 * finished, and for MSCHAPv2 after the server proved itself. */
		if (!c->method_done) {
			log_warn(EAP_SUBSYS, "EAP-Success before EAP-%s completed: rejected",
				 eap_type_name(c->method));
			return client_fail(c, -EACCES);
		}
		log_info(EAP_SUBSYS, "EAP-%s succeeded", eap_type_name(c->method));
		c->state = EAP_C_OVER;
		return EAP_SUCCESS;
	case IKE_EAP_FAILURE:
		log_info(EAP_SUBSYS, "EAP-Failure from the server (EAP-%s)",
			 eap_type_name(c->method));
		return client_fail(c, -EACCES);
	case IKE_EAP_RESPONSE:
		return client_fail(c, -EPROTO);
	default:
		break;
	}
	/* RFC 3748 4.1: a Request with the last identifier is a retransmission;
	 * the peer answers with the same Response and does not run it again. */
	if (c->have_last && p.id == c->last_id) {
		if (!c->cache_len)
			return client_fail(c, -EPROTO);
		if (c->cache_len > cap)
			return client_fail(c, -ENOBUFS);
		memcpy(resp, c->cache, c->cache_len);
		*resp_len = c->cache_len;
		return EAP_CONTINUE;
	}
	if (++c->rounds > rounds_max(c->method)) {
		log_warn(EAP_SUBSYS, "more than %u EAP requests: giving up", rounds_max(c->method));
		return client_fail(c, -EPROTO);
	}
	wb_init(&w, resp, cap);
	err = client_request(c, &p, &w);
	if (err) {
		if (err == -EBADMSG)
			log_warn(EAP_SUBSYS, "malformed EAP-%s request", eap_type_name(p.type));
		return client_fail(c, err);
	}
	c->have_last = 1;
	c->last_id = p.id;
	c->cache_len = 0;
	if (wb_len(&w) <= sizeof(c->cache)) {
		memcpy(c->cache, resp, wb_len(&w));
		c->cache_len = wb_len(&w);
	}
	*resp_len = wb_len(&w);
	return EAP_CONTINUE;
}

int eap_client_msk(const struct eap_client *c, struct secret **msk)
{
	if (!c->msk || !c->method_done)
		return -ENOENT;
	return crypto_secret_from(c->msk->p, c->msk->len, msk);
}

/* ---- server ---------------------------------------------------------- */

int eap_server_new(const struct eap_server_cfg *cfg, struct eap_server **out)
{
	if (!cfg || !method_allowed(cfg->method) ||
	    (cfg->identity && (!cfg->identity_len || cfg->identity_len > EAP_IDENTITY_MAX_LEN)) ||
	    (cfg->method != EAP_TLS && !cfg->lookup && (!cfg->user || !cfg->password)) ||
	    (cfg->password && cfg->password->len > EAP_PASSWORD_MAX_LEN))
		return -EINVAL;
	if (cfg->method == EAP_MSCHAPV2) {
		int err = crypto_mschap_available();
		if (err)
			return err;
	}
	struct eap_server *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->method = cfg->method;
	s->lookup = cfg->lookup;
	s->lookup_arg = cfg->lookup_arg;
	snprintf(s->name, sizeof(s->name), "%s", cfg->name ? cfg->name : "petrel");
	int err = 0;
	if (cfg->identity) {
		err = dup_bytes(cfg->identity, cfg->identity_len, &s->identity);
		s->identity_len = cfg->identity_len;
	}
	if (!err && !cfg->lookup && cfg->user && cfg->password) {
		err = dup_bytes(cfg->user, cfg->user_len, &s->user);
		s->user_len = cfg->user_len;
		if (!err)
			err = crypto_secret_from(cfg->password->p, cfg->password->len, &s->password);
	}
	if (!err && cfg->method == EAP_TLS) {
		err = eap_tls_new(&cfg->tls, 1, &s->tls);
		if (err) {
			eap_server_free(s);
			return err;
		}
	}
	/* RFC 3748 4.1: the first identifier is best chosen at random. */
	if (!err)
		err = crypto_random(&s->id, 1);
	if (err) {
		eap_server_free(s);
		return err == -EIO ? err : -ENOMEM;
	}
	*out = s;
	return 0;
}

void eap_server_free(struct eap_server *s)
{
	if (!s)
		return;
	free(s->identity);
	free(s->auth_id);
	free(s->user);
	crypto_secret_free(s->password);
	crypto_secret_free(s->msk);
	eap_tls_free(s->tls);
	crypto_wipe(s, sizeof(*s));
	free(s);
}

int eap_server_password(struct eap_server *s, const uint8_t *id, size_t id_len,
			struct secret **pw)
{
	if (s->lookup)
		return s->lookup(s->lookup_arg, id, id_len, pw);
	if (!s->user || !s->password)
		return -ENOENT;
	/* User names are not secret. */
	if (id_len != s->user_len || memcmp(id, s->user, id_len) != 0) /* public-memcmp */
		return -ENOENT;
	return crypto_secret_from(s->password->p, s->password->len, pw);
}

int eap_server_set_auth_id(struct eap_server *s, const uint8_t *id, size_t len)
{
	uint8_t *d;
	if (dup_bytes(id, len, &d))
		return -ENOMEM;
	free(s->auth_id);
	s->auth_id = d;
	s->auth_id_len = len;
	return 0;
}

/* The next method Request with a fresh identifier. */
static int server_method_request(struct eap_server *s, struct wb *w, int first)
{
	int err;
	if (++s->rounds > rounds_max(s->method))
		return -EPROTO;
	s->id++;
	eap_begin(w, IKE_EAP_REQUEST, s->id, s->method);
	switch (s->method) {
	case EAP_MD5:
		err = eap_md5_server_start(s, w);
		break;
	case EAP_MSCHAPV2:
		err = first ? eap_mschapv2_server_start(s, w) : -EPROTO;
		break;
	case EAP_TLS:
		err = first ? eap_tls_server_start(s, w) : -EPROTO;
		break;
	default:
		err = -EPROTO;
		break;
	}
	if (err)
		return err;
	s->state = EAP_S_METHOD;
	return eap_finish(w);
}

int eap_server_start(struct eap_server *s, uint8_t *resp, size_t cap, size_t *resp_len)
{
	struct wb w;
	int err;
	*resp_len = 0;
	if (s->state != EAP_S_NEW)
		return -EPROTO;
	wb_init(&w, resp, cap);
	if (!s->identity) {
		s->rounds++;
		s->id++;
		eap_begin(&w, IKE_EAP_REQUEST, s->id, EAP_IDENTITY);
		err = eap_finish(&w);
		if (!err)
			s->state = EAP_S_IDENTITY;
	} else {
		err = server_method_request(s, &w, 1);
	}
	if (err)
		return err;
	*resp_len = wb_len(&w);
	return EAP_CONTINUE;
}

/* End the conversation with Success or Failure (identifier of the Response
 * it answers, RFC 3748 4.2). */
static int server_end(struct eap_server *s, int ok, struct wb *w, size_t *resp_len)
{
	s->state = EAP_S_OVER;
	wb_init(w, w->p, w->cap);
	int err = eap_short(w, ok ? IKE_EAP_SUCCESS : IKE_EAP_FAILURE, s->id);
	if (err)
		return err;
	*resp_len = wb_len(w);
	return ok ? EAP_SUCCESS : -EACCES;
}

static int server_response(struct eap_server *s, const struct eap_pkt *p, struct wb *w)
{
	struct rd in = p->data;
	if (p->type == EAP_NAK) {
		/* RFC 3748 5.3.1: the peer refuses our only method. */
		log_info(EAP_SUBSYS, "client refused EAP-%s (Nak)", eap_type_name(s->method));
		return -EACCES;
	}
	if (s->state == EAP_S_IDENTITY) {
		if (p->type != EAP_IDENTITY)
			return -EPROTO;
		size_t n = rd_left(&in);
		if (n == 0 || n > EAP_IDENTITY_MAX_LEN)
			return -EBADMSG;
		if (dup_bytes(rd_pos(&in), n, &s->identity))
			return -ENOMEM;
		s->identity_len = n;
		int err = server_method_request(s, w, 1);
		return err ? err : EAP_CONTINUE;
	}
	if (p->type != s->method)
		return -EPROTO;
	eap_begin(w, IKE_EAP_REQUEST, (uint8_t)(s->id + 1), s->method);
	int r;
	switch (s->method) {
	case EAP_MD5:
		r = eap_md5_server_process(s, &in, w);
		break;
	case EAP_MSCHAPV2:
		r = eap_mschapv2_server_process(s, &in, w);
		break;
	case EAP_TLS:
		r = eap_tls_server_process(s, &in, w);
		break;
	default:
		r = -EPROTO;
		break;
	}
	if (r != EAP_CONTINUE)
		return r;
	if (++s->rounds > rounds_max(s->method))
		return -EPROTO;
	s->id++;
	int err = eap_finish(w);
	return err ? err : EAP_CONTINUE;
}

int eap_server_process(struct eap_server *s, const uint8_t *msg, size_t len, uint8_t *resp,
		       size_t cap, size_t *resp_len)
{
	struct eap_pkt p;
	struct wb w;
	*resp_len = 0;
	if (s->state != EAP_S_IDENTITY && s->state != EAP_S_METHOD)
		return -EPROTO;
	int err = eap_parse(msg, len, &p);
	if (err) {
		s->state = EAP_S_OVER;
		log_warn(EAP_SUBSYS, "malformed EAP packet from the client (%zu octets)", len);
		return err;
	}
	/* RFC 3748 4.1: a Response must answer the outstanding Request. */
	if (p.code != IKE_EAP_RESPONSE || p.id != s->id) {
		s->state = EAP_S_OVER;
		log_warn(EAP_SUBSYS, "unexpected EAP code %u id %u (want Response id %u)",
			 p.code, p.id, s->id);
		return -EPROTO;
	}
	wb_init(&w, resp, cap);
	int r = server_response(s, &p, &w);
	switch (r) {
	case EAP_CONTINUE:
		*resp_len = wb_len(&w);
		return EAP_CONTINUE;
	case EAP_SUCCESS:
		log_info(EAP_SUBSYS, "EAP-%s succeeded", eap_type_name(s->method));
		r = server_end(s, 1, &w, resp_len);
		s->succeeded = r == EAP_SUCCESS;
		return r;
	case -EACCES:
		log_info(EAP_SUBSYS, "EAP-%s failed", eap_type_name(s->method));
		return server_end(s, 0, &w, resp_len);
	default:
		s->state = EAP_S_OVER;
		if (r == -EBADMSG)
			log_warn(EAP_SUBSYS, "malformed EAP-%s response", eap_type_name(p.type));
		return r;
	}
}

int eap_server_msk(const struct eap_server *s, struct secret **msk)
{
	if (!s->msk || !s->succeeded)
		return -ENOENT;
	return crypto_secret_from(s->msk->p, s->msk->len, msk);
}

int eap_server_identity(const struct eap_server *s, const uint8_t **id, size_t *len)
{
	if (!s->auth_id || !s->succeeded)
		return -ENOENT;
	*id = s->auth_id;
	*len = s->auth_id_len;
	return 0;
}
