/* src/ike/eap: client <-> server conversations for EAP-MD5 and EAP-MSCHAPv2
 * one packet at a time, and the packets a hostile or broken peer could send.
 * The MSCHAPv2 cases are skipped (with the reason) when OpenSSL's legacy
 * provider is missing. */
#include <errno.h>

#include "crypto/mschap.h"
#include "crypto/secret.h"
#include "ike/eap/eap.h"
#include "test.h"

#define CAP 2048

struct pair {
	struct eap_client *c;
	struct eap_server *s;
	struct secret *cpw, *spw;
	uint8_t req[CAP], resp[CAP];
	size_t req_len, resp_len;
};

static struct secret *pw(const char *s)
{
	struct secret *p = NULL;
	crypto_secret_from(s, strlen(s), &p);
	return p;
}

/* A client for cuser/cpass and a server knowing suser/spass; ask_id: the
 * server starts with an Identity Request. */
static int pair_new(struct pair *p, uint8_t cm, uint8_t sm, const char *cuser,
		    const char *cpass, const char *suser, const char *spass, int ask_id)
{
	memset(p, 0, sizeof(*p));
	p->cpw = pw(cpass);
	p->spw = pw(spass);
	struct eap_client_cfg cc = {
		.method = cm, .identity = (const uint8_t *)cuser, .identity_len = strlen(cuser),
		.password = p->cpw,
	};
	struct eap_server_cfg sc = {
		.method = sm, .user = (const uint8_t *)suser, .user_len = strlen(suser),
		.password = p->spw,
	};
	if (!ask_id) {
		sc.identity = (const uint8_t *)cuser;
		sc.identity_len = strlen(cuser);
	}
	int err = eap_client_new(&cc, &p->c);
	if (!err)
		err = eap_server_new(&sc, &p->s);
	return err;
}

static void pair_free(struct pair *p)
{
	eap_client_free(p->c);
	eap_server_free(p->s);
	crypto_secret_free(p->cpw);
	crypto_secret_free(p->spw);
}

/* One round: the client answers p->req; the server answers that into p->req. */
static int client_step(struct pair *p)
{
	return eap_client_process(p->c, p->req, p->req_len, p->resp, CAP, &p->resp_len);
}

static int server_step(struct pair *p)
{
	return eap_server_process(p->s, p->resp, p->resp_len, p->req, CAP, &p->req_len);
}

/* Run to the end; *cr / *sr get the last results of each side. */
static void converse(struct pair *p, int *cr, int *sr)
{
	*cr = *sr = 0;
	*sr = eap_server_start(p->s, p->req, CAP, &p->req_len);
	for (int i = 0; i < 20 && *sr == EAP_CONTINUE; i++) {
		*cr = client_step(p);
		if (*cr != EAP_CONTINUE)
			return;
		*sr = server_step(p);
	}
	if (*sr == EAP_SUCCESS || *sr == -EACCES)
		*cr = client_step(p);
}

static void test_md5(void)
{
	struct pair p;
	int cr, sr;
	struct secret *msk = NULL;
	const uint8_t *id;
	size_t id_len;

	/* Identity, MD5-Challenge, Success. */
	CHECK_EQ(pair_new(&p, EAP_MD5, EAP_MD5, "alice", "s3cret", "alice", "s3cret", 1), 0);
	converse(&p, &cr, &sr);
	CHECK_EQ(sr, EAP_SUCCESS);
	CHECK_EQ(cr, EAP_SUCCESS);
	CHECK_EQ(p.req_len, 4);
	CHECK_EQ(p.req[0], 3);
	CHECK_EQ(eap_client_msk(p.c, &msk), -ENOENT);   /* MD5 makes no key */
	CHECK_EQ(eap_server_msk(p.s, &msk), -ENOENT);
	CHECK_EQ(eap_server_identity(p.s, &id, &id_len), 0);
	CHECK_EQ(id_len, 5);
	CHECK_MEM(id, "alice", 5);
	/* Over: everything after is -EPROTO. */
	CHECK_EQ(client_step(&p), -EPROTO);
	CHECK_EQ(server_step(&p), -EPROTO);
	pair_free(&p);

	/* Wrong password: Failure on both sides. */
	CHECK_EQ(pair_new(&p, EAP_MD5, EAP_MD5, "alice", "guess", "alice", "s3cret", 0), 0);
	converse(&p, &cr, &sr);
	CHECK_EQ(sr, -EACCES);
	CHECK_EQ(p.req_len, 4);
	CHECK_EQ(p.req[0], 4);
	CHECK_EQ(cr, -EACCES);
	CHECK_EQ(eap_server_identity(p.s, &id, &id_len), -ENOENT);
	pair_free(&p);

	/* Unknown user: the same Failure. */
	CHECK_EQ(pair_new(&p, EAP_MD5, EAP_MD5, "mallory", "s3cret", "alice", "s3cret", 1), 0);
	converse(&p, &cr, &sr);
	CHECK_EQ(sr, -EACCES);
	CHECK_EQ(cr, -EACCES);
	pair_free(&p);
}

static void test_mschapv2_ok(const char *cuser, const char *pass, int ask_id)
{
	struct pair p;
	int cr, sr;
	struct secret *cmsk = NULL, *smsk = NULL;
	const uint8_t *id;
	size_t id_len;
	CHECK_EQ(pair_new(&p, EAP_MSCHAPV2, EAP_MSCHAPV2, cuser, pass, cuser, pass, ask_id), 0);
	/* Before success there is no key. */
	CHECK_EQ(eap_client_msk(p.c, &cmsk), -ENOENT);
	converse(&p, &cr, &sr);
	CHECK_EQ(sr, EAP_SUCCESS);
	CHECK_EQ(cr, EAP_SUCCESS);
	CHECK_EQ(eap_client_msk(p.c, &cmsk), 0);
	CHECK_EQ(eap_server_msk(p.s, &smsk), 0);
	if (cmsk && smsk) {
		static const uint8_t zero[32];
		CHECK_EQ(cmsk->len, 64);
		CHECK(crypto_secret_eq(cmsk, smsk));
		CHECK_MEM(cmsk->p + 32, zero, 32);
		CHECK(memcmp(cmsk->p, zero, 16) != 0);
	}
	CHECK_EQ(eap_server_identity(p.s, &id, &id_len), 0);
	CHECK_EQ(id_len, strlen(cuser));
	CHECK_MEM(id, cuser, id_len);
	crypto_secret_free(cmsk);
	crypto_secret_free(smsk);
	pair_free(&p);
}

/* Step by step, with the server's Success-Request in hand. */
static void to_success_request(struct pair *p)
{
	CHECK_EQ(eap_server_start(p->s, p->req, CAP, &p->req_len), EAP_CONTINUE);
	CHECK_EQ(p->req[4], EAP_MSCHAPV2);
	CHECK_EQ(p->req[5], 1);                           /* Challenge */
	CHECK_EQ(client_step(p), EAP_CONTINUE);
	CHECK_EQ(p->resp[0], 2);
	CHECK_EQ(p->resp[1], p->req[1]);                  /* same identifier */
	CHECK_EQ(p->resp[5], 2);                          /* Response */
	CHECK_EQ(p->resp[6], p->req[6]);                  /* same MS-CHAPv2-ID */
	CHECK_EQ(server_step(p), EAP_CONTINUE);
	CHECK_EQ(p->req[5], 3);                           /* Success-Request */
	CHECK_MEM(p->req + 9, "S=", 2);
}

static void test_mschapv2_bad(void)
{
	struct pair p;
	int cr, sr;
	struct secret *msk = NULL;

	/* Wrong password: the server sends Failure, the client gets -EACCES. */
	CHECK_EQ(pair_new(&p, EAP_MSCHAPV2, EAP_MSCHAPV2, "bob", "wrong", "bob", "right", 0), 0);
	converse(&p, &cr, &sr);
	CHECK_EQ(sr, -EACCES);
	CHECK_EQ(p.req_len, 4);
	CHECK_EQ(p.req[0], 4);
	CHECK_EQ(cr, -EACCES);
	CHECK_EQ(eap_server_msk(p.s, &msk), -ENOENT);
	CHECK_EQ(eap_client_msk(p.c, &msk), -ENOENT);
	pair_free(&p);

	/* A server that does not know the password cannot forge S=: every
	 * single hex digit changed fails the client. */
	for (int pos = 0; pos < 40; pos += 7) {
		CHECK_EQ(pair_new(&p, EAP_MSCHAPV2, EAP_MSCHAPV2, "bob", "pw", "bob", "pw", 0), 0);
		to_success_request(&p);
		uint8_t *hex = p.req + 11 + pos;
		*hex = *hex == '0' ? '1' : '0';
		CHECK_EQ(client_step(&p), -EACCES);
		CHECK_EQ(p.resp_len, 0);
		CHECK_EQ(eap_client_msk(p.c, &msk), -ENOENT);
		pair_free(&p);
	}

	/* Lower-case hex is still the same value; no M= part is fine. */
	CHECK_EQ(pair_new(&p, EAP_MSCHAPV2, EAP_MSCHAPV2, "bob", "pw", "bob", "pw", 0), 0);
	to_success_request(&p);
	for (int i = 0; i < 40; i++)
		if (p.req[11 + i] >= 'A' && p.req[11 + i] <= 'F')
			p.req[11 + i] = (uint8_t)(p.req[11 + i] + 32);
	p.req_len = 5 + 4 + 42;
	p.req[2] = 0;
	p.req[3] = (uint8_t)p.req_len;
	p.req[7] = 0;
	p.req[8] = (uint8_t)(p.req_len - 5);
	CHECK_EQ(client_step(&p), EAP_CONTINUE);
	CHECK_EQ(p.resp_len, 6);                          /* Success-Response: OpCode only */
	CHECK_EQ(p.resp[5], 3);
	CHECK_EQ(server_step(&p), EAP_SUCCESS);
	CHECK_EQ(client_step(&p), EAP_SUCCESS);
	pair_free(&p);

	/* S= missing, or followed by junk rather than a space. */
	static const char *const bad_s[] = { "M=hello there, no authenticator here at all",
		"S=407A5589115FD0D6209F510FE9C04566932CDA5", /* 39 hex */
		"S=407A5589115FD0D6209F510FE9C04566932CDA56X",
		"S=407A5589115FD0D6209F510FE9C04566932CDAZZ" };
	for (size_t i = 0; i < sizeof(bad_s) / sizeof(bad_s[0]); i++) {
		CHECK_EQ(pair_new(&p, EAP_MSCHAPV2, EAP_MSCHAPV2, "bob", "pw", "bob", "pw", 0), 0);
		to_success_request(&p);
		size_t n = strlen(bad_s[i]);
		memcpy(p.req + 9, bad_s[i], n);
		p.req_len = 9 + n;
		p.req[3] = (uint8_t)p.req_len;
		p.req[8] = (uint8_t)(p.req_len - 5);
		CHECK_EQ(client_step(&p), -EACCES);
		pair_free(&p);
	}

	/* EAP-Success before the server proved itself (right after our
	 * Response) is refused. */
	CHECK_EQ(pair_new(&p, EAP_MSCHAPV2, EAP_MSCHAPV2, "bob", "pw", "bob", "pw", 0), 0);
	CHECK_EQ(eap_server_start(p.s, p.req, CAP, &p.req_len), EAP_CONTINUE);
	CHECK_EQ(client_step(&p), EAP_CONTINUE);
	uint8_t success[4] = { 3, p.resp[1], 0, 4 };
	CHECK_EQ(eap_client_process(p.c, success, 4, p.resp, CAP, &p.resp_len), -EACCES);
	CHECK_EQ(eap_client_msk(p.c, &msk), -ENOENT);
	pair_free(&p);

	/* A Failure-Request (E=691) is answered with a Failure-Response (the
	 * OpCode alone); the EAP-Failure that follows ends it with -EACCES. */
	CHECK_EQ(pair_new(&p, EAP_MSCHAPV2, EAP_MSCHAPV2, "bob", "pw", "bob", "pw", 0), 0);
	CHECK_EQ(eap_server_start(p.s, p.req, CAP, &p.req_len), EAP_CONTINUE);
	CHECK_EQ(client_step(&p), EAP_CONTINUE);
	static const char fail_msg[] = "E=691 R=0 C=00112233445566778899AABBCCDDEEFF V=3 M=denied";
	uint8_t freq[128] = { 1, (uint8_t)(p.resp[1] + 1), 0, 0, 26, 4, p.resp[6], 0, 0 };
	size_t flen = 9 + sizeof(fail_msg) - 1;
	memcpy(freq + 9, fail_msg, sizeof(fail_msg) - 1);
	freq[3] = (uint8_t)flen;
	freq[8] = (uint8_t)(flen - 5);
	CHECK_EQ(eap_client_process(p.c, freq, flen, p.resp, CAP, &p.resp_len), EAP_CONTINUE);
	CHECK_EQ(p.resp_len, 6);
	static const uint8_t want_frsp[4] = { 0, 6, 26, 4 };
	CHECK_EQ(p.resp[0], 2);
	CHECK_EQ(p.resp[1], freq[1]);
	CHECK_MEM(p.resp + 2, want_frsp, 4);
	uint8_t late_success[4] = { 3, (uint8_t)(freq[1] + 1), 0, 4 };
	uint8_t spare[CAP];
	size_t spare_len;
	CHECK_EQ(eap_client_msk(p.c, &msk), -ENOENT);
	uint8_t efail[4] = { 4, (uint8_t)(freq[1] + 1), 0, 4 };
	CHECK_EQ(eap_client_process(p.c, efail, 4, p.resp, CAP, &p.resp_len), -EACCES);
	pair_free(&p);
	/* ... and an EAP-Success instead is refused. */
	CHECK_EQ(pair_new(&p, EAP_MSCHAPV2, EAP_MSCHAPV2, "bob", "pw", "bob", "pw", 0), 0);
	CHECK_EQ(eap_server_start(p.s, p.req, CAP, &p.req_len), EAP_CONTINUE);
	CHECK_EQ(client_step(&p), EAP_CONTINUE);
	freq[1] = (uint8_t)(p.resp[1] + 1);
	freq[6] = p.resp[6];
	late_success[1] = (uint8_t)(freq[1] + 1);
	CHECK_EQ(eap_client_process(p.c, freq, flen, p.resp, CAP, &p.resp_len), EAP_CONTINUE);
	CHECK_EQ(eap_client_process(p.c, late_success, 4, spare, CAP, &spare_len), -EACCES);
	CHECK_EQ(eap_client_msk(p.c, &msk), -ENOENT);
	pair_free(&p);

	/* Client Failure-Response after the Success-Request: the server fails. */
	CHECK_EQ(pair_new(&p, EAP_MSCHAPV2, EAP_MSCHAPV2, "bob", "pw", "bob", "pw", 0), 0);
	to_success_request(&p);
	uint8_t frsp[6] = { 2, p.req[1], 0, 6, 26, 4 };
	CHECK_EQ(eap_server_process(p.s, frsp, 6, p.req, CAP, &p.req_len), -EACCES);
	CHECK_EQ(p.req[0], 4);
	CHECK_EQ(eap_server_msk(p.s, &msk), -ENOENT);
	pair_free(&p);

	/* Non-UTF-8 password: refused up front. */
	struct secret *bad = pw("\xff\xfe");
	struct eap_client *c = NULL;
	struct eap_client_cfg cc = { .method = EAP_MSCHAPV2, .identity = (const uint8_t *)"u",
				     .identity_len = 1, .password = bad };
	CHECK_EQ(eap_client_new(&cc, &c), -EINVAL);
	crypto_secret_free(bad);
}

/* The server offers MD5, the client allows only MSCHAPv2: a Nak naming 26,
 * which the server answers with Failure. */
static void test_nak(void)
{
	struct pair p;
	CHECK_EQ(pair_new(&p, EAP_MSCHAPV2, EAP_MD5, "carol", "pw", "carol", "pw", 0), 0);
	CHECK_EQ(eap_server_start(p.s, p.req, CAP, &p.req_len), EAP_CONTINUE);
	CHECK_EQ(client_step(&p), EAP_CONTINUE);
	CHECK_EQ(p.resp_len, 6);
	CHECK_EQ(p.resp[0], 2);
	CHECK_EQ(p.resp[4], EAP_NAK);
	CHECK_EQ(p.resp[5], EAP_MSCHAPV2);
	CHECK_EQ(server_step(&p), -EACCES);
	CHECK_EQ(p.req[0], 4);
	CHECK_EQ(client_step(&p), -EACCES);
	pair_free(&p);

	/* Once the method has begun, another type is a protocol error. */
	CHECK_EQ(pair_new(&p, EAP_MD5, EAP_MD5, "carol", "pw", "carol", "pw", 0), 0);
	CHECK_EQ(eap_server_start(p.s, p.req, CAP, &p.req_len), EAP_CONTINUE);
	CHECK_EQ(client_step(&p), EAP_CONTINUE);
	uint8_t other[6] = { 1, (uint8_t)(p.req[1] + 1), 0, 6, 13, 0x20 };
	CHECK_EQ(eap_client_process(p.c, other, 6, p.resp, CAP, &p.resp_len), -EPROTO);
	pair_free(&p);
}

/* Identity, Notification, retransmissions and identifiers. */
static void test_framing(void)
{
	struct pair p;
	CHECK_EQ(pair_new(&p, EAP_MD5, EAP_MD5, "dave", "pw", "dave", "pw", 1), 0);
	CHECK_EQ(eap_server_start(p.s, p.req, CAP, &p.req_len), EAP_CONTINUE);
	CHECK_EQ(p.req_len, 5);
	CHECK_EQ(p.req[4], EAP_IDENTITY);
	uint8_t id0 = p.req[1];
	CHECK_EQ(client_step(&p), EAP_CONTINUE);
	CHECK_EQ(p.resp_len, 9);
	CHECK_MEM(p.resp, "\x02", 1);
	CHECK_EQ(p.resp[1], id0);
	CHECK_MEM(p.resp + 5, "dave", 4);
	/* The same Request again: the same Response, byte for byte. */
	uint8_t first[16];
	memcpy(first, p.resp, 9);
	CHECK_EQ(client_step(&p), EAP_CONTINUE);
	CHECK_EQ(p.resp_len, 9);
	CHECK_MEM(p.resp, first, 9);

	/* A Notification between: answered with an empty Notification. */
	uint8_t note[] = { 1, (uint8_t)(id0 + 100), 0, 11, 2, 'h', 'e', 'l', 'l', 'o', 0x07 };
	uint8_t out[64];
	size_t out_len;
	CHECK_EQ(eap_client_process(p.c, note, sizeof(note), out, sizeof(out), &out_len),
		 EAP_CONTINUE);
	CHECK_EQ(out_len, 5);
	CHECK_EQ(out[4], EAP_NOTIFICATION);
	CHECK_EQ(out[1], (uint8_t)(id0 + 100));

	/* The server wants the Response to its outstanding identifier. */
	p.resp[1] ^= 1;
	CHECK_EQ(server_step(&p), -EPROTO);
	pair_free(&p);

	CHECK_EQ(pair_new(&p, EAP_MD5, EAP_MD5, "dave", "pw", "dave", "pw", 1), 0);
	CHECK_EQ(eap_server_start(p.s, p.req, CAP, &p.req_len), EAP_CONTINUE);
	id0 = p.req[1];
	CHECK_EQ(client_step(&p), EAP_CONTINUE);
	CHECK_EQ(server_step(&p), EAP_CONTINUE);
	CHECK_EQ(p.req[1], (uint8_t)(id0 + 1));           /* a new identifier */
	/* A Request (not a Response) to the server. */
	p.resp[0] = 1;
	CHECK_EQ(server_step(&p), -EPROTO);
	pair_free(&p);

	/* An Identity Request after the method began. */
	CHECK_EQ(pair_new(&p, EAP_MD5, EAP_MD5, "dave", "pw", "dave", "pw", 0), 0);
	CHECK_EQ(eap_server_start(p.s, p.req, CAP, &p.req_len), EAP_CONTINUE);
	CHECK_EQ(client_step(&p), EAP_CONTINUE);
	uint8_t ident[5] = { 1, (uint8_t)(p.req[1] + 1), 0, 5, 1 };
	CHECK_EQ(eap_client_process(p.c, ident, 5, p.resp, CAP, &p.resp_len), -EPROTO);
	pair_free(&p);

	/* A cap too small for the response. */
	CHECK_EQ(pair_new(&p, EAP_MD5, EAP_MD5, "dave", "pw", "dave", "pw", 1), 0);
	CHECK_EQ(eap_server_start(p.s, p.req, CAP, &p.req_len), EAP_CONTINUE);
	CHECK_EQ(eap_client_process(p.c, p.req, p.req_len, p.resp, 8, &p.resp_len), -ENOBUFS);
	pair_free(&p);
}

struct bad_case {
	const char *what;
	uint8_t method;
	const uint8_t *msg;
	size_t len;
	int want;
};

#define B(...) (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })

static const struct bad_case client_bad[] = {
	{ "empty", EAP_MD5, (const uint8_t[]){ 0 }, 0, -EBADMSG },
	{ "3 octets", EAP_MD5, B(1, 1, 0), -EBADMSG },
	{ "Length longer than the data", EAP_MD5, B(1, 1, 0, 9, 4, 1, 0xaa), -EBADMSG },
	{ "Length shorter than the data", EAP_MD5, B(1, 1, 0, 5, 4, 1, 0xaa), -EBADMSG },
	{ "Request without Type", EAP_MD5, B(1, 1, 0, 4), -EBADMSG },
	{ "Success with data", EAP_MD5, B(3, 1, 0, 5, 0), -EBADMSG },
	{ "code 5", EAP_MD5, B(5, 1, 0, 4), -EBADMSG },
	{ "code 0", EAP_MD5, B(0, 1, 0, 4), -EBADMSG },
	{ "Response to the client", EAP_MD5, B(2, 1, 0, 5, 1), -EPROTO },
	{ "Nak as a Request", EAP_MD5, B(1, 1, 0, 6, 3, 4), -EPROTO },
	{ "expanded type", EAP_MD5, B(1, 1, 0, 12, 254, 0, 0, 0, 0, 0, 0, 1), -EPROTO },
	{ "Success first", EAP_MD5, B(3, 1, 0, 4), -EACCES },
	{ "Failure first", EAP_MD5, B(4, 1, 0, 4), -EACCES },
	{ "MD5 Value-Size 0", EAP_MD5, B(1, 1, 0, 6, 4, 0), -EBADMSG },
	{ "MD5 Value-Size past the end", EAP_MD5, B(1, 1, 0, 8, 4, 5, 1, 2), -EBADMSG },
	{ "MD5 no Value-Size", EAP_MD5, B(1, 1, 0, 5, 4), -EBADMSG },
	{ "MSCHAPv2 no header", EAP_MSCHAPV2, B(1, 1, 0, 7, 26, 1, 1), -EBADMSG },
	{ "MSCHAPv2 MS-Length wrong", EAP_MSCHAPV2,
	  B(1, 1, 0, 26, 26, 1, 1, 0, 20, 16, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 'n'),
	  -EBADMSG },
	{ "MSCHAPv2 Value-Size 8", EAP_MSCHAPV2,
	  B(1, 1, 0, 18, 26, 1, 1, 0, 13, 8, 1, 2, 3, 4, 5, 6, 7, 8), -EBADMSG },
	{ "MSCHAPv2 challenge cut", EAP_MSCHAPV2,
	  B(1, 1, 0, 18, 26, 1, 1, 0, 13, 16, 1, 2, 3, 4, 5, 6, 7, 8), -EBADMSG },
	{ "MSCHAPv2 Success before Response", EAP_MSCHAPV2,
	  B(1, 1, 0, 11, 26, 3, 1, 0, 6, 'S', '='), -EPROTO },
	{ "MSCHAPv2 Change-Password", EAP_MSCHAPV2, B(1, 1, 0, 9, 26, 7, 1, 0, 4), -EPROTO },
	{ "MSCHAPv2 Response OpCode", EAP_MSCHAPV2, B(1, 1, 0, 9, 26, 2, 1, 0, 4), -EPROTO },
};

static void test_malformed(void)
{
	for (size_t i = 0; i < sizeof(client_bad) / sizeof(client_bad[0]); i++) {
		const struct bad_case *t = &client_bad[i];
		if (t->method == EAP_MSCHAPV2 && crypto_mschap_available())
			continue;
		struct pair p;
		uint8_t out[CAP];
		size_t out_len = 99;
		CHECK_EQ(pair_new(&p, t->method, t->method, "erin", "pw", "erin", "pw", 0), 0);
		int r = eap_client_process(p.c, t->msg, t->len, out, sizeof(out), &out_len);
		if (r != t->want)
			fprintf(stderr, "case \"%s\": %d, want %d\n", t->what, r, t->want);
		CHECK_EQ(r, t->want);
		CHECK_EQ(out_len, 0);
		/* And the conversation is over. */
		CHECK_EQ(eap_client_process(p.c, t->msg, t->len, out, sizeof(out), &out_len), -EPROTO);
		pair_free(&p);
	}

	/* Server side: Identity too long or empty, Response too short. */
	struct pair p;
	uint8_t idr[5 + EAP_IDENTITY_MAX_LEN + 1];
	CHECK_EQ(pair_new(&p, EAP_MD5, EAP_MD5, "erin", "pw", "erin", "pw", 1), 0);
	CHECK_EQ(eap_server_start(p.s, p.req, CAP, &p.req_len), EAP_CONTINUE);
	memset(idr, 'x', sizeof(idr));
	idr[0] = 2;
	idr[1] = p.req[1];
	idr[2] = (uint8_t)(sizeof(idr) >> 8);
	idr[3] = (uint8_t)sizeof(idr);
	idr[4] = EAP_IDENTITY;
	CHECK_EQ(eap_server_process(p.s, idr, sizeof(idr), p.resp, CAP, &p.resp_len), -EBADMSG);
	pair_free(&p);

	CHECK_EQ(pair_new(&p, EAP_MD5, EAP_MD5, "erin", "pw", "erin", "pw", 0), 0);
	CHECK_EQ(eap_server_start(p.s, p.req, CAP, &p.req_len), EAP_CONTINUE);
	uint8_t shortr[7] = { 2, p.req[1], 0, 7, 4, 16, 0 };
	CHECK_EQ(eap_server_process(p.s, shortr, 7, p.resp, CAP, &p.resp_len), -EBADMSG);
	pair_free(&p);

	if (crypto_mschap_available())
		return;
	/* MSCHAPv2 Response with non-zero Reserved, wrong MS-CHAPv2-ID, no Name. */
	for (int v = 0; v < 3; v++) {
		CHECK_EQ(pair_new(&p, EAP_MSCHAPV2, EAP_MSCHAPV2, "erin", "pw", "erin", "pw", 0), 0);
		CHECK_EQ(eap_server_start(p.s, p.req, CAP, &p.req_len), EAP_CONTINUE);
		CHECK_EQ(client_step(&p), EAP_CONTINUE);
		int want = -EBADMSG;
		if (v == 0) {
			p.resp[10 + 16 + 3] = 1;          /* Reserved */
		} else if (v == 1) {
			p.resp[6] ^= 0x55;                /* MS-CHAPv2-ID */
			want = -EPROTO;
		} else {
			p.resp_len -= 4;                  /* drop the Name "erin" */
			p.resp[3] = (uint8_t)(p.resp_len);
			p.resp[8] = (uint8_t)(p.resp_len - 5);
		}
		CHECK_EQ(server_step(&p), want);
		pair_free(&p);
	}
}

/* The server's password lookup by identity. */
static int lookup(void *arg, const uint8_t *id, size_t len, struct secret **out)
{
	int *calls = arg;
	(*calls)++;
	if (len == 4 && memcmp(id, "frank", 4) == 0)
		return -ENOENT; /* never: "fran" */
	if (len == 5 && memcmp(id, "frank", 5) == 0)
		return crypto_secret_from("p\xc3\xa4ss\xe2\x82\xac", 8, out); /* "päss€" */
	return -ENOENT;
}

static void test_lookup(void)
{
	struct secret *cpw = pw("p\xc3\xa4ss\xe2\x82\xac");
	int calls = 0;
	struct eap_client *c = NULL;
	struct eap_server *s = NULL;
	struct eap_client_cfg cc = { .method = EAP_MSCHAPV2, .identity = (const uint8_t *)"frank",
				     .identity_len = 5, .password = cpw };
	struct eap_server_cfg sc = { .method = EAP_MSCHAPV2, .lookup = lookup,
				     .lookup_arg = &calls, .name = "gw.example" };
	CHECK_EQ(eap_client_new(&cc, &c), 0);
	CHECK_EQ(eap_server_new(&sc, &s), 0);
	uint8_t a[CAP], b[CAP];
	size_t al, bl;
	int sr = eap_server_start(s, a, CAP, &al), cr = 0;
	while (sr == EAP_CONTINUE) {
		cr = eap_client_process(c, a, al, b, CAP, &bl);
		if (cr != EAP_CONTINUE)
			break;
		sr = eap_server_process(s, b, bl, a, CAP, &al);
	}
	CHECK_EQ(sr, EAP_SUCCESS);
	CHECK_EQ(eap_client_process(c, a, al, b, CAP, &bl), EAP_SUCCESS);
	CHECK_EQ(calls, 1);
	eap_client_free(c);
	eap_server_free(s);
	crypto_secret_free(cpw);

	/* Bad server configurations. */
	struct eap_server_cfg bad = { .method = EAP_MSCHAPV2 };
	CHECK_EQ(eap_server_new(&bad, &s), -EINVAL);
	bad.lookup = lookup;
	bad.method = EAP_TLS;
	CHECK_EQ(eap_server_new(&bad, &s), -EINVAL);
	struct eap_client_cfg badc = { .method = EAP_IDENTITY, .identity = (const uint8_t *)"x",
				       .identity_len = 1, .password = NULL };
	CHECK_EQ(eap_client_new(&badc, &c), -EINVAL);
}

int main(void)
{
	CHECK(strcmp(eap_type_name(EAP_MSCHAPV2), "MSCHAPv2") == 0);
	CHECK(strcmp(eap_type_name(200), "unknown") == 0);
	test_md5();
	test_framing();
	test_malformed();
	if (crypto_mschap_available()) {
		if (test_failures)
			return test_done();
		return test_skip("OpenSSL's legacy provider (MD4, DES-ECB) is not available: "
				 "the EAP-MSCHAPv2 cases cannot run");
	}
	test_mschapv2_ok("bob", "pw", 1);
	test_mschapv2_ok("bob", "pw", 0);
	test_mschapv2_ok("ACME\\bob", "correct horse battery staple", 1);
	test_mschapv2_ok("b\xc3\xb6rk", "\xf0\x9f\x98\x80 emoji \xc3\xa9", 0);
	test_mschapv2_bad();
	test_nak();
	test_lookup();
	return test_done();
}
