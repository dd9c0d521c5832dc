/* src/ike/eap/eap_tls.c and src/crypto/tls_eap.c: EAP-TLS client <-> server
 * one packet at a time (TLS 1.2 and 1.3, EC and RSA, many fragments),
 * certificates that must be refused, and the packets a hostile or broken
 * peer could send. The PKI is minted at test time (tests/common/pki.h). */
#include <errno.h>
#include <time.h>

#include "crypto/tls_eap.h"
#include "crypto/x509.h"
#include "ike/eap/eap.h"
#include "pki.h"
#include "test.h"

#define CAP 2048

static const char srv_name[] = "aaa.example";
static const char cli_name[] = "alice@example";

struct pki {
	struct tpki_ca ca, other;
	struct crypto_castore *store;  /* trusts ca only */
	struct crypto_cert *srv, *cli, *evil_srv, *other_cli, *wrong_name;
	struct crypto_pkey *srv_key, *cli_key, *evil_srv_key, *other_cli_key, *wrong_name_key;
};

static int pki_new(struct pki *k, const char *key_type)
{
	memset(k, 0, sizeof(*k));
	if (tpki_ca_new(&k->ca, "EAP-TLS test CA") || tpki_ca_new(&k->other, "rogue CA") ||
	    crypto_castore_new(&k->store) || crypto_castore_add(k->store, k->ca.ccert) ||
	    tpki_leaf(&k->ca, key_type, "aaa", "DNS:aaa.example", &k->srv, &k->srv_key) ||
	    tpki_leaf(&k->ca, key_type, "alice", "email:alice@example", &k->cli, &k->cli_key) ||
	    tpki_leaf(&k->other, key_type, "aaa", "DNS:aaa.example", &k->evil_srv,
		      &k->evil_srv_key) ||
	    tpki_leaf(&k->other, key_type, "alice", "email:alice@example", &k->other_cli,
		      &k->other_cli_key) ||
	    tpki_leaf(&k->ca, key_type, "aaa", "DNS:bbb.example", &k->wrong_name,
		      &k->wrong_name_key))
		return -1;
	return 0;
}

static void pki_free(struct pki *k)
{
	crypto_cert_free(k->srv);
	crypto_cert_free(k->cli);
	crypto_cert_free(k->evil_srv);
	crypto_cert_free(k->other_cli);
	crypto_cert_free(k->wrong_name);
	crypto_pkey_free(k->srv_key);
	crypto_pkey_free(k->cli_key);
	crypto_pkey_free(k->evil_srv_key);
	crypto_pkey_free(k->other_cli_key);
	crypto_pkey_free(k->wrong_name_key);
	crypto_castore_free(k->store);
	tpki_ca_free(&k->ca);
	tpki_ca_free(&k->other);
}

struct pair {
	struct eap_client_cfg cc;
	struct eap_server_cfg sc;
	struct eap_client *c;
	struct eap_server *s;
	uint8_t req[CAP], resp[CAP];
	size_t req_len, resp_len;
	int rounds;
};

/* Honest defaults: both from the trusted CA, right names, TLS 1.2..1.3. */
static void pair_cfg(struct pair *p, const struct pki *k)
{
	memset(p, 0, sizeof(*p));
	p->cc.method = EAP_TLS;
	p->cc.identity = (const uint8_t *)cli_name;
	p->cc.identity_len = strlen(cli_name);
	p->cc.tls.cert = k->cli;
	p->cc.tls.key = k->cli_key;
	p->cc.tls.ca = k->store;
	p->cc.tls.peer_id_type = CRYPTO_ID_FQDN;
	p->cc.tls.peer_id = (const uint8_t *)srv_name;
	p->cc.tls.peer_id_len = strlen(srv_name);
	p->sc.method = EAP_TLS;
	p->sc.tls.cert = k->srv;
	p->sc.tls.key = k->srv_key;
	p->sc.tls.ca = k->store;
}

/* The server knows the identity (IDi): it starts with EAP-TLS Start. */
static void know_id(struct pair *p)
{
	p->sc.identity = p->cc.identity;
	p->sc.identity_len = p->cc.identity_len;
}

static int pair_open(struct pair *p)
{
	int err = eap_client_new(&p->cc, &p->c);
	if (!err)
		err = eap_server_new(&p->sc, &p->s);
	return err;
}

static void pair_free(struct pair *p)
{
	eap_client_free(p->c);
	eap_server_free(p->s);
	p->c = NULL;
	p->s = NULL;
}

static int client_step(struct pair *p)
{
	return eap_client_process(p->c, p->req, p->req_len, p->resp, CAP, &p->resp_len);
}

static int server_step(struct pair *p)
{
	return eap_server_process(p->s, p->resp, p->resp_len, p->req, CAP, &p->req_len);
}

/* Start, and the client's whole ClientHello: with OpenSSL 3.5 its ML-KEM
 * key share makes it more than one fragment, acknowledged here as the
 * server would. The next Request's identifier is p->req[1] + 1. */
static void start_hello(struct pair *p)
{
	CHECK_EQ(eap_server_start(p->s, p->req, CAP, &p->req_len), EAP_CONTINUE);
	CHECK_EQ(client_step(p), EAP_CONTINUE);
	for (int i = 0; i < 8 && p->resp_len > 5 && (p->resp[5] & 0x40); i++) {
		uint8_t ack[6] = { 1, (uint8_t)(p->req[1] + 1), 0, 6, 13, 0x00 };
		memcpy(p->req, ack, sizeof(ack));
		p->req_len = sizeof(ack);
		CHECK_EQ(client_step(p), EAP_CONTINUE);
	}
}

/* The TLS 1.3 commitment Request (RFC 9190 2.5): no flags, one
 * application data record of 1 octet + content type + 16-octet tag. */
static int is_commitment(const struct pair *p)
{
	return p->req_len == 6 + 23 && p->req[0] == 1 && p->req[4] == 13 && p->req[5] == 0 &&
	       p->req[6] == 0x17 && p->req[9] == 0 && p->req[10] == 18;
}

static void converse(struct pair *p, int *cr, int *sr)
{
	*cr = 0;
	*sr = eap_server_start(p->s, p->req, CAP, &p->req_len);
	for (p->rounds = 0; p->rounds < 600 && *sr == EAP_CONTINUE; p->rounds++) {
		*cr = client_step(p);
		if (*cr != EAP_CONTINUE)
			return;
		*sr = server_step(p);
	}
	if (*sr == EAP_SUCCESS || *sr == -EACCES)
		*cr = client_step(p);
}

static void check_success(struct pair *p, int cr, int sr)
{
	struct secret *cm = NULL, *sm = NULL;
	const uint8_t *id;
	size_t id_len;
	CHECK_EQ(sr, EAP_SUCCESS);
	CHECK_EQ(cr, EAP_SUCCESS);
	CHECK_EQ(p->req_len, 4);
	CHECK_EQ(p->req[0], 3);
	CHECK_EQ(eap_client_msk(p->c, &cm), 0);
	CHECK_EQ(eap_server_msk(p->s, &sm), 0);
	if (cm && sm) {
		CHECK_EQ(cm->len, 64);
		CHECK(crypto_secret_eq(cm, sm));
	}
	crypto_secret_free(cm);
	crypto_secret_free(sm);
	CHECK_EQ(eap_server_identity(p->s, &id, &id_len), 0);
	CHECK_EQ(id_len, strlen(cli_name));
	CHECK_MEM(id, cli_name, strlen(cli_name));
}

static void check_refused(struct pair *p, int cr, int sr)
{
	struct secret *m = NULL;
	CHECK_EQ(sr, -EACCES);
	CHECK_EQ(p->req_len, 4);
	CHECK_EQ(p->req[0], 4);   /* Failure */
	CHECK_EQ(cr, -EACCES);
	CHECK_EQ(eap_client_msk(p->c, &m), -ENOENT);
	CHECK_EQ(eap_server_msk(p->s, &m), -ENOENT);
}

/* Both versions and key types, the identity asked for or given, default
 * and small fragments. */
static void test_round_trips(const struct pki *k, const char *kt)
{
	static const uint16_t versions[] = { CRYPTO_TLS_V12, CRYPTO_TLS_V13 };
	for (size_t v = 0; v < 2; v++) {
		for (int frag = 0; frag < 2; frag++) {
			struct pair p;
			int cr, sr;
			pair_cfg(&p, k);
			p.cc.tls.min_version = p.cc.tls.max_version = versions[v];
			if (frag) {
				p.cc.tls.frag_len = EAP_TLS_FRAG_MIN_LEN;
				p.sc.tls.frag_len = EAP_TLS_FRAG_MIN_LEN;
				know_id(&p);
			}
			CHECK_EQ(pair_open(&p), 0);
			converse(&p, &cr, &sr);
			check_success(&p, cr, sr);
			/* Small fragments take many rounds (a 64-octet piece per
			 * EAP packet), default ones few. */
			if (frag)
				CHECK(p.rounds > 15);
			else
				CHECK(p.rounds <= 10);
			printf("%s TLS 1.%d frag %u: %d rounds\n", kt, v ? 3 : 2,
			       frag ? EAP_TLS_FRAG_MIN_LEN : EAP_TLS_FRAG_DEFAULT_LEN, p.rounds);
			CHECK_EQ(client_step(&p), -EPROTO);   /* over */
			pair_free(&p);
		}
	}
	/* No bounds: 1.3 is what OpenSSL picks. The MSKs of two conversations
	 * differ. */
	struct pair a, b;
	int cr, sr;
	struct secret *m1 = NULL, *m2 = NULL;
	pair_cfg(&a, k);
	CHECK_EQ(pair_open(&a), 0);
	converse(&a, &cr, &sr);
	check_success(&a, cr, sr);
	pair_cfg(&b, k);
	CHECK_EQ(pair_open(&b), 0);
	converse(&b, &cr, &sr);
	check_success(&b, cr, sr);
	CHECK_EQ(eap_client_msk(a.c, &m1), 0);
	CHECK_EQ(eap_client_msk(b.c, &m2), 0);
	if (m1 && m2)
		CHECK(!crypto_secret_eq(m1, m2));
	crypto_secret_free(m1);
	crypto_secret_free(m2);
	pair_free(&a);
	pair_free(&b);
}

/* Certificates each side must refuse: -EACCES and a Failure. */
static void test_refused(const struct pki *k)
{
	static const uint16_t versions[] = { CRYPTO_TLS_V12, CRYPTO_TLS_V13 };
	for (size_t v = 0; v < 2; v++) {
		for (int which = 0; which < 6; which++) {
			struct pair p;
			int cr, sr;
			pair_cfg(&p, k);
			p.cc.tls.min_version = p.cc.tls.max_version = versions[v];
			switch (which) {
			case 0: /* the client's certificate from an untrusted CA */
				p.cc.tls.cert = k->other_cli;
				p.cc.tls.key = k->other_cli_key;
				break;
			case 1: /* the server's certificate from an untrusted CA */
				p.sc.tls.cert = k->evil_srv;
				p.sc.tls.key = k->evil_srv_key;
				break;
			case 2: /* the server's certificate names another host */
				p.sc.tls.cert = k->wrong_name;
				p.sc.tls.key = k->wrong_name_key;
				break;
			case 3: /* the client checks at a time past notAfter */
				p.cc.tls.now_s = (int64_t)time(NULL) + 60 * 86400;
				break;
			case 4: /* the server checks at a time before notBefore */
				p.sc.tls.now_s = (int64_t)time(NULL) - 10 * 86400;
				break;
			case 5: /* the client's certificate does not prove its
				 * EAP-Identity */
				p.cc.identity = (const uint8_t *)"bob@example";
				p.cc.identity_len = 11;
				break;
			}
			CHECK_EQ(pair_open(&p), 0);
			converse(&p, &cr, &sr);
			if (sr != -EACCES || cr != -EACCES)
				fprintf(stderr, "refusal case %d TLS 1.%d: cr %d sr %d\n", which,
					v ? 3 : 2, cr, sr);
			check_refused(&p, cr, sr);
			pair_free(&p);
		}
	}
	/* Versions that do not meet. */
	struct pair p;
	int cr, sr;
	pair_cfg(&p, k);
	p.cc.tls.max_version = CRYPTO_TLS_V12;
	p.sc.tls.min_version = CRYPTO_TLS_V13;
	CHECK_EQ(pair_open(&p), 0);
	converse(&p, &cr, &sr);
	check_refused(&p, cr, sr);
	pair_free(&p);
}

/* An early Success must not count: after the ClientHello, and in TLS 1.3
 * after the client's Finished but before the server's commitment. */
static void test_early_success(const struct pki *k)
{
	struct pair p;
	pair_cfg(&p, k);
	know_id(&p);
	CHECK_EQ(pair_open(&p), 0);
	start_hello(&p);
	uint8_t ok[4] = { 3, (uint8_t)(p.req[1] + 1), 0, 4 };
	CHECK_EQ(eap_client_process(p.c, ok, 4, p.resp, CAP, &p.resp_len), -EACCES);
	pair_free(&p);

	pair_cfg(&p, k);
	know_id(&p);
	p.cc.tls.min_version = CRYPTO_TLS_V13;
	CHECK_EQ(pair_open(&p), 0);
	/* Honest rounds up to the server's commitment; Success in its place. */
	int found = 0;
	CHECK_EQ(eap_server_start(p.s, p.req, CAP, &p.req_len), EAP_CONTINUE);
	for (int i = 0; i < 40 && !found; i++) {
		CHECK_EQ(client_step(&p), EAP_CONTINUE);
		CHECK_EQ(server_step(&p), EAP_CONTINUE);
		found = is_commitment(&p);
	}
	CHECK(found);
	uint8_t ok2[4] = { 3, p.req[1], 0, 4 };
	CHECK_EQ(eap_client_process(p.c, ok2, 4, p.resp, CAP, &p.resp_len), -EACCES);
	pair_free(&p);
}

/* A Request seen twice (the IKE retransmission lost our answer) gets the
 * same Response byte for byte, fragments and acknowledgements included. */
static void test_retransmit(const struct pki *k)
{
	struct pair p;
	uint8_t first[CAP];
	size_t first_len;
	int r = 0, n = 0;
	pair_cfg(&p, k);
	p.cc.tls.frag_len = 200;
	p.sc.tls.frag_len = 200;
	CHECK_EQ(pair_open(&p), 0);
	CHECK_EQ(eap_server_start(p.s, p.req, CAP, &p.req_len), EAP_CONTINUE);
	for (int i = 0; i < 100; i++) {
		CHECK_EQ(client_step(&p), EAP_CONTINUE);
		memcpy(first, p.resp, p.resp_len);
		first_len = p.resp_len;
		CHECK_EQ(client_step(&p), EAP_CONTINUE);
		CHECK_EQ(p.resp_len, first_len);
		CHECK_MEM(p.resp, first, first_len);
		n++;
		r = server_step(&p);
		if (r != EAP_CONTINUE)
			break;
	}
	CHECK_EQ(r, EAP_SUCCESS);
	CHECK(n > 4);
	CHECK_EQ(client_step(&p), EAP_SUCCESS);
	pair_free(&p);
}

/* Bytes a hostile server sends the client: after Start (1) or as the first
 * packet (0). */
struct bad_case {
	const char *what;
	int after_start;
	const uint8_t *msg;
	size_t len;
	int want;
};

#define B(...) (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })
#define ID 0x42  /* the identifier after Start is patched to the next one */

static const struct bad_case client_bad[] = {
	{ "no flags octet", 0, B(1, ID, 0, 5, 13), -EBADMSG },
	{ "L without its length", 0, B(1, ID, 0, 8, 13, 0xa0, 0, 0), -EBADMSG },
	{ "first packet without S", 0, B(1, ID, 0, 6, 13, 0x00), -EPROTO },
	{ "L over 64 KiB", 1, B(1, ID, 0, 12, 13, 0xc0, 0, 1, 0, 1, 0x16, 3), -EBADMSG },
	{ "L 0", 1, B(1, ID, 0, 10, 13, 0x80, 0, 0, 0, 0), -EBADMSG },
	{ "L shorter than the data", 1, B(1, ID, 0, 13, 13, 0x80, 0, 0, 0, 2, 0x16, 3, 3), -EBADMSG },
	{ "M without data", 1, B(1, ID, 0, 10, 13, 0xc0, 0, 0, 0, 9), -EBADMSG },
	{ "M first fragment without L", 1, B(1, ID, 0, 8, 13, 0x40, 0x16, 3), -EBADMSG },
	{ "L longer than an unfragmented message", 1,
	  B(1, ID, 0, 12, 13, 0x80, 0, 0, 0, 9, 0x16, 3), -EBADMSG },
	{ "S again", 1, B(1, ID, 0, 6, 13, 0x20), -EPROTO },
	{ "an acknowledgement of nothing", 1, B(1, ID, 0, 6, 13, 0x00), -EPROTO },
	{ "Success after ClientHello", 1, B(3, ID, 0, 4), -EACCES },
};

static void test_client_malformed(const struct pki *k)
{
	for (size_t i = 0; i < sizeof(client_bad) / sizeof(client_bad[0]); i++) {
		const struct bad_case *t = &client_bad[i];
		struct pair p;
		uint8_t msg[64];
		pair_cfg(&p, k);
		know_id(&p);
		CHECK_EQ(pair_open(&p), 0);
		memcpy(msg, t->msg, t->len);
		if (t->after_start) {
			start_hello(&p);
			msg[1] = (uint8_t)(p.req[1] + 1);
		}
		int r = eap_client_process(p.c, msg, t->len, p.resp, CAP, &p.resp_len);
		if (r != t->want)
			fprintf(stderr, "client case \"%s\": %d, want %d\n", t->what, r, t->want);
		CHECK_EQ(r, t->want);
		CHECK_EQ(p.resp_len, 0);
		/* Over. */
		CHECK_EQ(eap_client_process(p.c, msg, t->len, p.resp, CAP, &p.resp_len), -EPROTO);
		pair_free(&p);
	}

	/* Garbage where the server's TLS flight belongs: a TLS alert goes back
	 * in the Response, then Failure ends it with -EACCES. */
	struct pair p;
	pair_cfg(&p, k);
	know_id(&p);
	CHECK_EQ(pair_open(&p), 0);
	start_hello(&p);
	uint8_t junk[] = { 1, (uint8_t)(p.req[1] + 1), 0, 16, 13, 0x00,
			   0x16, 0x03, 0x03, 0x00, 0x05, 0xff, 0xff, 0xff, 0xff, 0xff };
	CHECK_EQ(eap_client_process(p.c, junk, sizeof(junk), p.resp, CAP, &p.resp_len),
		 EAP_CONTINUE);
	CHECK(p.resp_len > 6);
	CHECK_EQ(p.resp[6], 0x15);  /* an alert record */
	/* A further Request after our alert: refused. */
	uint8_t more[] = { 1, (uint8_t)(junk[1] + 1), 0, 6, 13, 0x00 };
	uint8_t out[64];
	size_t out_len;
	CHECK_EQ(eap_client_process(p.c, more, sizeof(more), out, sizeof(out), &out_len), -EACCES);
	pair_free(&p);

	pair_cfg(&p, k);
	know_id(&p);
	CHECK_EQ(pair_open(&p), 0);
	start_hello(&p);
	junk[1] = (uint8_t)(p.req[1] + 1);
	CHECK_EQ(eap_client_process(p.c, junk, sizeof(junk), p.resp, CAP, &p.resp_len),
		 EAP_CONTINUE);
	uint8_t fail[4] = { 4, junk[1], 0, 4 };
	CHECK_EQ(eap_client_process(p.c, fail, 4, p.resp, CAP, &p.resp_len), -EACCES);
	pair_free(&p);
}

/* Bytes a hostile client sends the server, after Start. */
static void test_server_malformed(const struct pki *k)
{
	const struct {
		const char *what;
		const uint8_t *td;  /* Type-Data */
		size_t len;
		int want;
	} cases[] = {
		{ "no flags", (const uint8_t[]){ 0 }, 0, -EBADMSG },
		{ "L cut", B(0x80, 0, 0), -EBADMSG },
		{ "L over 64 KiB", B(0xc0, 0x00, 0x01, 0x00, 0x01, 0x16), -EBADMSG },
		{ "S from the client", B(0x20), -EPROTO },
		{ "an acknowledgement of nothing", B(0x00), -EPROTO },
		{ "M without L", B(0x40, 0x16, 0x03), -EBADMSG },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pair p;
		pair_cfg(&p, k);
		know_id(&p);
		CHECK_EQ(pair_open(&p), 0);
		CHECK_EQ(eap_server_start(p.s, p.req, CAP, &p.req_len), EAP_CONTINUE);
		uint8_t msg[32] = { 2, p.req[1], 0, (uint8_t)(5 + cases[i].len), 13 };
		memcpy(msg + 5, cases[i].td, cases[i].len);
		size_t out_len = 0;
		int r = eap_server_process(p.s, msg, 5 + cases[i].len, p.req, CAP, &out_len);
		if (r != cases[i].want)
			fprintf(stderr, "server case \"%s\": %d, want %d\n", cases[i].what, r,
				cases[i].want);
		CHECK_EQ(r, cases[i].want);
		pair_free(&p);
	}

	/* The client names a total and sends more than it. */
	struct pair p;
	pair_cfg(&p, k);
	know_id(&p);
	CHECK_EQ(pair_open(&p), 0);
	CHECK_EQ(eap_server_start(p.s, p.req, CAP, &p.req_len), EAP_CONTINUE);
	uint8_t f1[] = { 2, p.req[1], 0, 13, 13, 0xc0, 0, 0, 0, 4, 0x16, 0x03, 0x03 };
	size_t out_len;
	CHECK_EQ(eap_server_process(p.s, f1, sizeof(f1), p.req, CAP, &out_len), EAP_CONTINUE);
	CHECK_EQ(out_len, 6);            /* the acknowledgement */
	CHECK_EQ(p.req[5], 0x00);
	uint8_t f2[] = { 2, p.req[1], 0, 8, 13, 0x00, 0x00, 0x10 };
	CHECK_EQ(eap_server_process(p.s, f2, sizeof(f2), p.req, CAP, &out_len), -EBADMSG);
	pair_free(&p);
}

static void test_cfg(const struct pki *k)
{
	struct pair p;
	pair_cfg(&p, k);
	p.cc.tls.peer_id = NULL;   /* the client must name the server */
	CHECK_EQ(eap_client_new(&p.cc, &p.c), -EINVAL);
	pair_cfg(&p, k);
	p.cc.tls.key = k->srv_key; /* not the certificate's key */
	CHECK_EQ(eap_client_new(&p.cc, &p.c), -EINVAL);
	pair_cfg(&p, k);
	p.cc.tls.ca = NULL;
	CHECK_EQ(eap_client_new(&p.cc, &p.c), -EINVAL);
	pair_cfg(&p, k);
	p.cc.tls.frag_len = 10;
	CHECK_EQ(eap_client_new(&p.cc, &p.c), -EINVAL);
	pair_cfg(&p, k);
	p.cc.tls.min_version = 0x0302;  /* TLS 1.1 */
	CHECK_EQ(eap_client_new(&p.cc, &p.c), -EINVAL);
	pair_cfg(&p, k);
	p.sc.tls.cert = NULL;
	CHECK_EQ(eap_server_new(&p.sc, &p.s), -EINVAL);
	pair_cfg(&p, k);
	p.sc.tls.max_version = CRYPTO_TLS_V12;
	p.sc.tls.min_version = CRYPTO_TLS_V13;
	CHECK_EQ(eap_server_new(&p.sc, &p.s), -EINVAL);

	/* A server told the client's identity checks that, not the
	 * EAP-Identity. */
	int cr, sr;
	const uint8_t *id;
	size_t id_len;
	pair_cfg(&p, k);
	p.cc.identity = (const uint8_t *)"anonymous@example";
	p.cc.identity_len = 17;
	p.sc.tls.peer_id_type = CRYPTO_ID_RFC822_ADDR;
	p.sc.tls.peer_id = (const uint8_t *)cli_name;
	p.sc.tls.peer_id_len = strlen(cli_name);
	CHECK_EQ(pair_open(&p), 0);
	converse(&p, &cr, &sr);
	CHECK_EQ(sr, EAP_SUCCESS);
	CHECK_EQ(cr, EAP_SUCCESS);
	CHECK_EQ(eap_server_identity(p.s, &id, &id_len), 0);
	CHECK_EQ(id_len, strlen(cli_name));
	pair_free(&p);

	/* A client that wants another method: Nak, then the server gives up. */
	pair_cfg(&p, k);
	CHECK_EQ(pair_open(&p), 0);
	uint8_t md5[] = { 1, 7, 0, 7, 4, 1, 0xaa };
	CHECK_EQ(eap_client_process(p.c, md5, sizeof(md5), p.resp, CAP, &p.resp_len), EAP_CONTINUE);
	CHECK_EQ(p.resp_len, 6);
	CHECK_EQ(p.resp[4], 3);
	CHECK_EQ(p.resp[5], 13);
	pair_free(&p);
}

int main(void)
{
	static const char *const types[] = { "EC", "RSA" };
	for (size_t i = 0; i < 2; i++) {
		struct pki k;
		CHECK_EQ(pki_new(&k, types[i]), 0);
		test_round_trips(&k, types[i]);
		test_refused(&k);
		if (i == 0) {
			test_early_success(&k);
			test_retransmit(&k);
			test_client_malformed(&k);
			test_server_malformed(&k);
			test_cfg(&k);
		}
		pki_free(&k);
	}
	return test_done();
}
