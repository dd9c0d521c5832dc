/* EAP-MSCHAPv2 (draft-kamath-pppext-eap-mschapv2-02; RFC 2759 for the
 * algorithms, RFC 3079 for the keys). Type-Data:
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |    OpCode     | MS-CHAPv2-ID  |           MS-Length           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Data ...
 * +-+-+-+-+-+-+-+-+
 *
 * MS-Length counts from OpCode to the end (EAP Length - 5). The peer's
 * Success-Response and Failure-Response are the OpCode alone.
 *
 *   Challenge (1)  Data = Value-Size 16 | Authenticator-Challenge | Name
 *   Response  (2)  Data = Value-Size 49 | Peer-Challenge 16 | Reserved 8 (0)
 *                         | NT-Response 24 | Flags 1 (0) | Name
 *   Success   (3)  Request Data = "S=<40 hex AuthenticatorResponse> M=<text>"
 *   Failure   (4)  Request Data = "E=eeee R=r C=<32 hex> V=vvvv M=<text>"
 *
 * The client verifies S= (constant time) before it answers Success; a wrong
 * or missing S= fails the conversation (RFC 2759 8.8). A Failure-Request is
 * answered with a Failure-Response, after which the server sends
 * EAP-Failure and the conversation ends (the draft's section 2): petrel
 * neither retries (R=1) nor changes passwords (OpCode 7). Without that
 * answer a server such as strongSwan keeps the half-done IKE SA until it
 * times out. */
#include <errno.h>
#include <string.h>

#include "base/log.h"
#include "ike/eap/eap_int.h"

enum {
	MS_OP_CHALLENGE = 1,
	MS_OP_RESPONSE = 2,
	MS_OP_SUCCESS = 3,
	MS_OP_FAILURE = 4,
	MS_OP_CHANGE_PASSWORD = 7,
};

enum {
	MS_START = 0,         /* client: waiting for Challenge; server: not started */
	MS_RESP_SENT,         /* client: Response sent */
	MS_VERIFIED,          /* client: S= checked, Success-Response sent */
	MS_REFUSED,           /* client: Failure-Request answered; EAP-Failure next */
	MS_CHAL_SENT,         /* server: Challenge sent */
	MS_SUCCESS_SENT,      /* server: Success-Request sent */
};

#define MS_HDR_LEN       4u
#define MS_RESP_VAL_LEN  49u
#define MS_AUTH_STR_LEN  42u   /* "S=" + 40 hex */
#define MS_SUCCESS_TEXT  " M=Welcome to petrel"

struct ms_hdr {
	uint8_t op, ms_id;
};

/* OpCode, MS-CHAPv2-ID and an MS-Length that must count all of in. */
static int ms_hdr(struct rd *in, struct ms_hdr *h)
{
	uint16_t ms_len;
	size_t total = rd_left(in);
	if (rd_u8(in, &h->op) || rd_u8(in, &h->ms_id) || rd_u16(in, &ms_len))
		return -EBADMSG;
	return ms_len == total ? 0 : -EBADMSG;
}

static void ms_begin(struct wb *w, uint8_t op, uint8_t ms_id, size_t *at)
{
	wb_u8(w, op);
	wb_u8(w, ms_id);
	*at = wb_len(w);
	wb_u16(w, 0);
}

/* Patch MS-Length: from the OpCode (two octets before `at`) to the end. */
static int ms_finish(struct wb *w, size_t at)
{
	if (wb_err(w))
		return wb_err(w);
	size_t n = wb_len(w) - (at - 2);
	if (n > UINT16_MAX)
		return -E2BIG;
	return wb_set_u16(w, at, (uint16_t)n);
}

static int hexval(uint8_t ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static void log_text(const char *what, const uint8_t *p, size_t n)
{
	char t[160];
	size_t o = 0;
	for (size_t i = 0; i < n && o + 1 < sizeof(t); i++)
		t[o++] = (p[i] >= 0x20 && p[i] < 0x7f) ? (char)p[i] : '?';
	t[o] = 0;
	log_info(EAP_SUBSYS, "EAP-MSCHAPv2 %s: \"%s\"", what, t);
}

/* Everything RFC 2759 derives from one exchange, for either role. */
static int ms_derive(struct eap_mschap *m, const struct secret *pw, const uint8_t *name,
		     size_t name_len, struct secret **msk)
{
	uint8_t pw_hash[CRYPTO_MSCHAP_HASH_LEN];
	const uint8_t *user;
	size_t user_len;
	crypto_mschap_user_part(name, name_len, &user, &user_len);
	int err = crypto_nt_password_hash(pw->p, pw->len, pw_hash);
	if (err == -EINVAL || err == -E2BIG)
		log_warn(EAP_SUBSYS, "EAP-MSCHAPv2: the password is not valid UTF-8 of at most "
			 "256 characters");
	if (!err)
		err = crypto_mschap_nt_response(m->auth_chal, m->peer_chal, user, user_len,
						pw_hash, m->nt_resp);
	if (!err)
		err = crypto_mschap_auth_response(pw_hash, m->nt_resp, m->peer_chal,
						  m->auth_chal, user, user_len, m->auth_resp);
	if (!err)
		err = crypto_mschap_msk(pw_hash, m->nt_resp, msk);
	crypto_wipe(pw_hash, sizeof(pw_hash));
	return err;
}

/* ---- client ---------------------------------------------------------- */

static int client_challenge(struct eap_client *c, const struct ms_hdr *h, struct rd *in,
			    struct wb *w)
{
	struct eap_mschap *m = &c->m.mschap;
	uint8_t vlen;
	if (m->state != MS_START)
		return -EPROTO;
	if (rd_u8(in, &vlen) || vlen != CRYPTO_MSCHAP_CHAL_LEN ||
	    rd_bytes(in, m->auth_chal, CRYPTO_MSCHAP_CHAL_LEN))
		return -EBADMSG;
	/* The rest is the authenticator's Name: not used. */
	m->ms_id = h->ms_id;
	int err = crypto_random(m->peer_chal, sizeof(m->peer_chal));
	if (!err)
		err = ms_derive(m, c->password, c->identity, c->identity_len, &c->msk);
	if (err)
		return err;
	size_t at;
	ms_begin(w, MS_OP_RESPONSE, m->ms_id, &at);
	wb_u8(w, MS_RESP_VAL_LEN);
	wb_put(w, m->peer_chal, sizeof(m->peer_chal));
	wb_zero(w, 8);                      /* Reserved */
	wb_put(w, m->nt_resp, sizeof(m->nt_resp));
	wb_u8(w, 0);                        /* Flags */
	wb_put(w, c->identity, c->identity_len);
	m->state = MS_RESP_SENT;
	return ms_finish(w, at);
}

/* "S=<40 hex>" then the end or a space (and " M=<text>"). */
static int client_success(struct eap_client *c, struct rd *in, struct wb *w)
{
	struct eap_mschap *m = &c->m.mschap;
	uint8_t got[CRYPTO_MSCHAP_AUTHR_LEN];
	const uint8_t *s;
	size_t n = rd_left(in);
	if (m->state != MS_RESP_SENT)
		return -EPROTO;
	if (rd_ref(in, n, &s) || n < MS_AUTH_STR_LEN || s[0] != 'S' || s[1] != '=' ||
	    (n > MS_AUTH_STR_LEN && s[MS_AUTH_STR_LEN] != ' ')) {
		log_warn(EAP_SUBSYS, "EAP-MSCHAPv2 Success-Request without a valid S= value");
		return -EACCES;
	}
	for (size_t i = 0; i < CRYPTO_MSCHAP_AUTHR_LEN; i++) {
		int hi = hexval(s[2 + 2 * i]), lo = hexval(s[3 + 2 * i]);
		if (hi < 0 || lo < 0) {
			log_warn(EAP_SUBSYS, "EAP-MSCHAPv2 Success-Request: S= is not hex");
			return -EACCES;
		}
		got[i] = (uint8_t)(hi << 4 | lo);
	}
	/* RFC 2759 8.8 CheckAuthenticatorResponse: the server proves it knows
	 * the password hash. */
	if (!crypto_memeq(got, m->auth_resp, sizeof(got))) {
		log_warn(EAP_SUBSYS, "EAP-MSCHAPv2: the server's authenticator response is wrong");
		return -EACCES;
	}
	if (n > MS_AUTH_STR_LEN + 1)
		log_text("success", s + MS_AUTH_STR_LEN + 1, n - MS_AUTH_STR_LEN - 1);
	wb_u8(w, MS_OP_SUCCESS);
	m->state = MS_VERIFIED;
	c->method_done = 1;
	return wb_err(w);
}

int eap_mschapv2_client(struct eap_client *c, uint8_t id, struct rd *in, struct wb *w)
{
	struct ms_hdr h;
	if (ms_hdr(in, &h))
		return -EBADMSG;
	switch (h.op) {
	case MS_OP_CHALLENGE:
		return client_challenge(c, &h, in, w);
	case MS_OP_SUCCESS:
		return client_success(c, in, w);
	case MS_OP_FAILURE:
		if (c->m.mschap.state != MS_RESP_SENT)
			return -EPROTO;
		log_text("failure", rd_pos(in), rd_left(in));
		/* The MSK derived for the Response is of no use now. */
		crypto_secret_free(c->msk);
		c->msk = NULL;
		c->m.mschap.state = MS_REFUSED;
		wb_u8(w, MS_OP_FAILURE);
		return wb_err(w);
	default:
		log_warn(EAP_SUBSYS, "EAP-MSCHAPv2 OpCode %u not supported", h.op);
		return -EPROTO;
	}
}

/* ---- server ---------------------------------------------------------- */

int eap_mschapv2_server_start(struct eap_server *s, struct wb *w)
{
	struct eap_mschap *m = &s->m.mschap;
	int err = crypto_random(m->auth_chal, sizeof(m->auth_chal));
	if (err)
		return err;
	m->ms_id = s->id;
	size_t at;
	ms_begin(w, MS_OP_CHALLENGE, m->ms_id, &at);
	wb_u8(w, CRYPTO_MSCHAP_CHAL_LEN);
	wb_put(w, m->auth_chal, sizeof(m->auth_chal));
	wb_put(w, s->name, strlen(s->name));
	m->state = MS_CHAL_SENT;
	return ms_finish(w, at);
}

static int server_response(struct eap_server *s, const struct ms_hdr *h, struct rd *in,
			   struct wb *w)
{
	struct eap_mschap *m = &s->m.mschap;
	uint8_t vlen, reserved[8], got[CRYPTO_MSCHAP_NTRESP_LEN], flags;
	static const uint8_t zero[8];
	struct secret *pw = NULL, *msk = NULL;
	if (h->ms_id != m->ms_id)
		return -EPROTO;
	if (rd_u8(in, &vlen) || vlen != MS_RESP_VAL_LEN ||
	    rd_bytes(in, m->peer_chal, sizeof(m->peer_chal)) ||
	    rd_bytes(in, reserved, sizeof(reserved)) || rd_bytes(in, got, sizeof(got)) ||
	    rd_u8(in, &flags))
		return -EBADMSG;
	/* RFC 2759 4: Reserved MUST be zero. */
	if (memcmp(reserved, zero, sizeof(zero)) != 0) /* public-memcmp */
		return -EBADMSG;
	size_t name_len = rd_left(in);
	const uint8_t *name = rd_pos(in);
	if (name_len == 0 || name_len > EAP_IDENTITY_MAX_LEN)
		return -EBADMSG;
	if (eap_server_password(s, name, name_len, &pw)) {
		log_info(EAP_SUBSYS, "EAP-MSCHAPv2: unknown user");
		return -EACCES;
	}
	int err = ms_derive(m, pw, name, name_len, &msk);
	crypto_secret_free(pw);
	if (!err && !crypto_memeq(got, m->nt_resp, sizeof(got)))
		err = -EACCES;
	if (!err)
		err = eap_server_set_auth_id(s, name, name_len);
	if (err) {
		crypto_secret_free(msk);
		return err == -EINVAL || err == -E2BIG ? -EACCES : err;
	}
	crypto_secret_free(s->msk);
	s->msk = msk;
	char hex[2 * CRYPTO_MSCHAP_AUTHR_LEN + 1];
	static const char digits[] = "0123456789ABCDEF";
	for (size_t i = 0; i < CRYPTO_MSCHAP_AUTHR_LEN; i++) {
		hex[2 * i] = digits[m->auth_resp[i] >> 4];
		hex[2 * i + 1] = digits[m->auth_resp[i] & 15];
	}
	size_t at;
	ms_begin(w, MS_OP_SUCCESS, m->ms_id, &at);
	wb_put(w, "S=", 2);
	wb_put(w, hex, 2 * CRYPTO_MSCHAP_AUTHR_LEN);
	wb_put(w, MS_SUCCESS_TEXT, sizeof(MS_SUCCESS_TEXT) - 1);
	m->state = MS_SUCCESS_SENT;
	err = ms_finish(w, at);
	return err ? err : EAP_CONTINUE;
}

int eap_mschapv2_server_process(struct eap_server *s, struct rd *in, struct wb *w)
{
	struct eap_mschap *m = &s->m.mschap;
	uint8_t op = 0;
	struct ms_hdr h;
	/* Success- and Failure-Responses are the OpCode alone. */
	if (rd_left(in) == 1) {
		if (rd_u8(in, &op))
			return -EBADMSG;
		if (op == MS_OP_SUCCESS && m->state == MS_SUCCESS_SENT)
			return EAP_SUCCESS;
		if (op == MS_OP_FAILURE)
			return -EACCES;
		return -EPROTO;
	}
	if (ms_hdr(in, &h))
		return -EBADMSG;
	if (h.op != MS_OP_RESPONSE || m->state != MS_CHAL_SENT)
		return -EPROTO;
	return server_response(s, &h, in, w);
}
