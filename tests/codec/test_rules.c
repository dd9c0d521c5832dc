/* Per-exchange payload rules: table-driven cases that must pass and must
 * fail, for every exchange, both directions, in the clear and inside SK. */
#include <stdio.h>
#include <string.h>

#include "ike/pld/pld.h"
#include "ike/pld/rules.h"
#include "test.h"

/* A payload in a case: P(type), or N(notify type) for a Notify. */
#define P(t) ((uint32_t)(t) << 16)
#define N(t) (P(IKE_PLD_NOTIFY) | (uint32_t)(t))
#define UNKNOWN P(222)

enum { OUT, IN };

struct rcase {
	const char *name;
	uint8_t exch;
	uint8_t resp;
	uint8_t where;     /* OUT: the message's own chain; IN: a decrypted chain */
	uint32_t pld[10];  /* 0 ends */
	int want;
};

static const struct rcase cases[] = {
	/* IKE_SA_INIT (RFC 7296 1.2, 2.6, 2.21) */
	{ "init req", IKE_EXCH_SA_INIT, 0, OUT,
	  { P(IKE_PLD_SA), P(IKE_PLD_KE), P(IKE_PLD_NONCE), N(IKE_N_NAT_DETECTION_SOURCE_IP),
	    N(IKE_N_NAT_DETECTION_DESTINATION_IP), P(IKE_PLD_VID), UNKNOWN }, 0 },
	{ "init req, cookie first", IKE_EXCH_SA_INIT, 0, OUT,
	  { N(IKE_N_COOKIE), P(IKE_PLD_SA), P(IKE_PLD_KE), P(IKE_PLD_NONCE) }, 0 },
	{ "init req, cookie not first", IKE_EXCH_SA_INIT, 0, OUT,
	  { P(IKE_PLD_SA), N(IKE_N_COOKIE), P(IKE_PLD_KE), P(IKE_PLD_NONCE) }, -EPROTO },
	{ "init req without KE", IKE_EXCH_SA_INIT, 0, OUT,
	  { P(IKE_PLD_SA), P(IKE_PLD_NONCE) }, -EPROTO },
	{ "init req, two nonces", IKE_EXCH_SA_INIT, 0, OUT,
	  { P(IKE_PLD_SA), P(IKE_PLD_KE), P(IKE_PLD_NONCE), P(IKE_PLD_NONCE) }, -EPROTO },
	{ "init req with IDi", IKE_EXCH_SA_INIT, 0, OUT,
	  { P(IKE_PLD_SA), P(IKE_PLD_KE), P(IKE_PLD_NONCE), P(IKE_PLD_IDI) }, -EPROTO },
	{ "init req with CERTREQ", IKE_EXCH_SA_INIT, 0, OUT,
	  { P(IKE_PLD_SA), P(IKE_PLD_KE), P(IKE_PLD_NONCE), P(IKE_PLD_CERTREQ) }, -EPROTO },
	{ "init req with SK", IKE_EXCH_SA_INIT, 0, OUT,
	  { P(IKE_PLD_SA), P(IKE_PLD_KE), P(IKE_PLD_NONCE), P(IKE_PLD_SK) }, -EPROTO },
	{ "init resp", IKE_EXCH_SA_INIT, 1, OUT,
	  { P(IKE_PLD_SA), P(IKE_PLD_KE), P(IKE_PLD_NONCE), P(IKE_PLD_CERTREQ),
	    N(IKE_N_NAT_DETECTION_SOURCE_IP), N(IKE_N_CHILDLESS_IKEV2_SUPPORTED) }, 0 },
	{ "init resp INVALID_KE_PAYLOAD", IKE_EXCH_SA_INIT, 1, OUT, { N(IKE_N_INVALID_KE_PAYLOAD) }, 0 },
	{ "init resp COOKIE", IKE_EXCH_SA_INIT, 1, OUT, { N(IKE_N_COOKIE) }, 0 },
	{ "init resp NO_PROPOSAL_CHOSEN", IKE_EXCH_SA_INIT, 1, OUT, { N(IKE_N_NO_PROPOSAL_CHOSEN) }, 0 },
	{ "init resp REDIRECT", IKE_EXCH_SA_INIT, 1, OUT, { N(IKE_N_REDIRECT) }, 0 },
	{ "init resp only NAT-D", IKE_EXCH_SA_INIT, 1, OUT, { N(IKE_N_NAT_DETECTION_SOURCE_IP) }, -EPROTO },
	{ "init req made of an error notify", IKE_EXCH_SA_INIT, 0, OUT,
	  { N(IKE_N_NO_PROPOSAL_CHOSEN) }, -EPROTO },

	/* encrypted exchanges: the envelope */
	{ "auth outer SK", IKE_EXCH_AUTH, 0, OUT, { P(IKE_PLD_SK) }, 0 },
	{ "auth outer SKF", IKE_EXCH_AUTH, 1, OUT, { P(IKE_PLD_SKF) }, 0 },
	{ "auth outer unknown then SK", IKE_EXCH_AUTH, 0, OUT, { UNKNOWN, P(IKE_PLD_SK) }, 0 },
	{ "auth outer without SK", IKE_EXCH_AUTH, 0, OUT, { P(IKE_PLD_IDI), P(IKE_PLD_AUTH) }, -EPROTO },
	{ "auth outer empty", IKE_EXCH_AUTH, 0, OUT, { 0 }, -EPROTO },
	{ "auth outer N beside SK", IKE_EXCH_AUTH, 0, OUT, { N(IKE_N_INITIAL_CONTACT), P(IKE_PLD_SK) }, -EPROTO },
	{ "child outer SK", IKE_EXCH_CREATE_CHILD_SA, 0, OUT, { P(IKE_PLD_SK) }, 0 },
	{ "informational outer SK", IKE_EXCH_INFORMATIONAL, 1, OUT, { P(IKE_PLD_SK) }, 0 },
	{ "informational unprotected N", IKE_EXCH_INFORMATIONAL, 1, OUT, { N(IKE_N_INVALID_IKE_SPI) }, 0 },
	{ "informational unprotected D", IKE_EXCH_INFORMATIONAL, 0, OUT, { P(IKE_PLD_DELETE) }, -EPROTO },
	{ "intermediate outer SKF", IKE_EXCH_INTERMEDIATE, 0, OUT, { P(IKE_PLD_SKF) }, 0 },
	{ "followup outer SK", IKE_EXCH_FOLLOWUP_KE, 1, OUT, { P(IKE_PLD_SK) }, 0 },
	{ "unknown exchange", 99, 0, OUT, { P(IKE_PLD_SK) }, -EPROTO },

	/* IKE_AUTH inside SK (RFC 7296 1.2, 2.16, 2.21.2; RFC 6023) */
	{ "auth req psk", IKE_EXCH_AUTH, 0, IN,
	  { P(IKE_PLD_IDI), N(IKE_N_INITIAL_CONTACT), P(IKE_PLD_IDR), P(IKE_PLD_AUTH), P(IKE_PLD_CP),
	    P(IKE_PLD_SA), P(IKE_PLD_TSI), P(IKE_PLD_TSR), N(IKE_N_MOBIKE_SUPPORTED) }, 0 },
	{ "auth req cert", IKE_EXCH_AUTH, 0, IN,
	  { P(IKE_PLD_IDI), P(IKE_PLD_CERT), P(IKE_PLD_CERT), P(IKE_PLD_CERTREQ), P(IKE_PLD_AUTH),
	    P(IKE_PLD_SA), P(IKE_PLD_TSI), P(IKE_PLD_TSR) }, 0 },
	{ "auth req eap first (no AUTH)", IKE_EXCH_AUTH, 0, IN,
	  { P(IKE_PLD_IDI), P(IKE_PLD_CP), P(IKE_PLD_SA), P(IKE_PLD_TSI), P(IKE_PLD_TSR) }, 0 },
	{ "auth req eap round", IKE_EXCH_AUTH, 0, IN, { P(IKE_PLD_EAP) }, 0 },
	{ "auth req final AUTH", IKE_EXCH_AUTH, 0, IN, { P(IKE_PLD_AUTH) }, 0 },
	{ "auth req childless", IKE_EXCH_AUTH, 0, IN, { P(IKE_PLD_IDI), P(IKE_PLD_AUTH) }, 0 },
	{ "auth req TSi without TSr", IKE_EXCH_AUTH, 0, IN,
	  { P(IKE_PLD_IDI), P(IKE_PLD_AUTH), P(IKE_PLD_SA), P(IKE_PLD_TSI) }, -EPROTO },
	{ "auth req SA without TS", IKE_EXCH_AUTH, 0, IN,
	  { P(IKE_PLD_IDI), P(IKE_PLD_AUTH), P(IKE_PLD_SA) }, -EPROTO },
	{ "auth req two IDi", IKE_EXCH_AUTH, 0, IN, { P(IKE_PLD_IDI), P(IKE_PLD_IDI), P(IKE_PLD_AUTH) }, -EPROTO },
	{ "auth req with KE", IKE_EXCH_AUTH, 0, IN, { P(IKE_PLD_IDI), P(IKE_PLD_AUTH), P(IKE_PLD_KE) }, -EPROTO },
	{ "auth req with SK inside", IKE_EXCH_AUTH, 0, IN, { P(IKE_PLD_IDI), P(IKE_PLD_SK) }, -EPROTO },
	{ "auth resp", IKE_EXCH_AUTH, 1, IN,
	  { P(IKE_PLD_IDR), P(IKE_PLD_CERT), P(IKE_PLD_AUTH), P(IKE_PLD_CP), P(IKE_PLD_SA),
	    P(IKE_PLD_TSI), P(IKE_PLD_TSR), N(IKE_N_TICKET_LT_OPAQUE) }, 0 },
	{ "auth resp eap request", IKE_EXCH_AUTH, 1, IN,
	  { P(IKE_PLD_IDR), P(IKE_PLD_CERT), P(IKE_PLD_AUTH), P(IKE_PLD_EAP) }, 0 },
	{ "auth resp AUTHENTICATION_FAILED", IKE_EXCH_AUTH, 1, IN, { N(IKE_N_AUTHENTICATION_FAILED) }, 0 },
	{ "auth resp child failed", IKE_EXCH_AUTH, 1, IN,
	  { P(IKE_PLD_IDR), P(IKE_PLD_AUTH), N(IKE_N_TS_UNACCEPTABLE) }, 0 },
	{ "auth resp SA without TS", IKE_EXCH_AUTH, 1, IN,
	  { P(IKE_PLD_IDR), P(IKE_PLD_AUTH), P(IKE_PLD_SA) }, -EPROTO },
	{ "auth resp with IDi", IKE_EXCH_AUTH, 1, IN, { P(IKE_PLD_IDI), P(IKE_PLD_AUTH) }, -EPROTO },

	/* CREATE_CHILD_SA (RFC 7296 1.3) */
	{ "child req", IKE_EXCH_CREATE_CHILD_SA, 0, IN,
	  { N(IKE_N_REKEY_SA), P(IKE_PLD_SA), P(IKE_PLD_NONCE), P(IKE_PLD_KE), P(IKE_PLD_TSI),
	    P(IKE_PLD_TSR) }, 0 },
	{ "ike rekey req", IKE_EXCH_CREATE_CHILD_SA, 0, IN,
	  { P(IKE_PLD_SA), P(IKE_PLD_NONCE), P(IKE_PLD_KE) }, 0 },
	{ "child req without nonce", IKE_EXCH_CREATE_CHILD_SA, 0, IN,
	  { P(IKE_PLD_SA), P(IKE_PLD_TSI), P(IKE_PLD_TSR) }, -EPROTO },
	{ "child req TSr only", IKE_EXCH_CREATE_CHILD_SA, 0, IN,
	  { P(IKE_PLD_SA), P(IKE_PLD_NONCE), P(IKE_PLD_TSR) }, -EPROTO },
	{ "child resp", IKE_EXCH_CREATE_CHILD_SA, 1, IN,
	  { P(IKE_PLD_SA), P(IKE_PLD_NONCE), P(IKE_PLD_KE), P(IKE_PLD_TSI), P(IKE_PLD_TSR) }, 0 },
	{ "child resp NO_ADDITIONAL_SAS", IKE_EXCH_CREATE_CHILD_SA, 1, IN, { N(IKE_N_NO_ADDITIONAL_SAS) }, 0 },
	{ "child resp INVALID_KE_PAYLOAD", IKE_EXCH_CREATE_CHILD_SA, 1, IN, { N(IKE_N_INVALID_KE_PAYLOAD) }, 0 },
	{ "child req with AUTH", IKE_EXCH_CREATE_CHILD_SA, 0, IN,
	  { P(IKE_PLD_SA), P(IKE_PLD_NONCE), P(IKE_PLD_AUTH) }, -EPROTO },

	/* INFORMATIONAL (RFC 7296 1.4) */
	{ "info empty (liveness)", IKE_EXCH_INFORMATIONAL, 0, IN, { 0 }, 0 },
	{ "info delete", IKE_EXCH_INFORMATIONAL, 0, IN, { P(IKE_PLD_DELETE), P(IKE_PLD_DELETE) }, 0 },
	{ "info mobike", IKE_EXCH_INFORMATIONAL, 0, IN,
	  { N(IKE_N_UPDATE_SA_ADDRESSES), N(IKE_N_NAT_DETECTION_SOURCE_IP), N(IKE_N_COOKIE2) }, 0 },
	{ "info with SA", IKE_EXCH_INFORMATIONAL, 1, IN, { P(IKE_PLD_SA) }, -EPROTO },

	/* IKE_INTERMEDIATE (RFC 9242), IKE_FOLLOWUP_KE (RFC 9370) */
	{ "intermediate KE", IKE_EXCH_INTERMEDIATE, 0, IN, { P(IKE_PLD_KE) }, 0 },
	{ "intermediate empty", IKE_EXCH_INTERMEDIATE, 1, IN, { 0 }, 0 },
	{ "intermediate two KE", IKE_EXCH_INTERMEDIATE, 0, IN, { P(IKE_PLD_KE), P(IKE_PLD_KE) }, -EPROTO },
	{ "intermediate with SA", IKE_EXCH_INTERMEDIATE, 0, IN, { P(IKE_PLD_SA) }, -EPROTO },
	{ "followup req", IKE_EXCH_FOLLOWUP_KE, 0, IN,
	  { P(IKE_PLD_KE), N(IKE_N_ADDITIONAL_KEY_EXCHANGE) }, 0 },
	{ "followup req without link", IKE_EXCH_FOLLOWUP_KE, 0, IN, { P(IKE_PLD_KE) }, -EPROTO },
	{ "followup resp", IKE_EXCH_FOLLOWUP_KE, 1, IN, { P(IKE_PLD_KE) }, 0 },
	{ "followup resp STATE_NOT_FOUND", IKE_EXCH_FOLLOWUP_KE, 1, IN, { N(IKE_N_STATE_NOT_FOUND) }, 0 },
	{ "inner check on IKE_SA_INIT", IKE_EXCH_SA_INIT, 0, IN, { P(IKE_PLD_SA) }, -EPROTO },

	/* IKE_SESSION_RESUME (RFC 5723 4.3), unencrypted */
	{ "resume req", IKE_EXCH_SESSION_RESUME, 0, OUT,
	  { P(IKE_PLD_NONCE), N(IKE_N_TICKET_OPAQUE) }, 0 },
	{ "resume req with cookie", IKE_EXCH_SESSION_RESUME, 0, OUT,
	  { N(IKE_N_COOKIE), P(IKE_PLD_NONCE), N(IKE_N_TICKET_OPAQUE) }, 0 },
	{ "resume req without nonce", IKE_EXCH_SESSION_RESUME, 0, OUT, { N(IKE_N_TICKET_OPAQUE) }, -EPROTO },
	{ "resume req with SA", IKE_EXCH_SESSION_RESUME, 0, OUT,
	  { P(IKE_PLD_SA), P(IKE_PLD_NONCE), N(IKE_N_TICKET_OPAQUE) }, -EPROTO },
	{ "resume resp", IKE_EXCH_SESSION_RESUME, 1, OUT, { P(IKE_PLD_NONCE) }, 0 },
	{ "resume resp TICKET_NACK", IKE_EXCH_SESSION_RESUME, 1, OUT, { N(IKE_N_TICKET_NACK) }, 0 },
	{ "resume resp in SK", IKE_EXCH_SESSION_RESUME, 1, OUT, { P(IKE_PLD_SK) }, -EPROTO },
};

/* Build the chain bytes (bodies are just long enough for the chain walk;
 * the rules only look at types and Notify types). */
static size_t build(const uint32_t *pld, uint8_t *out, size_t cap, uint8_t *first)
{
	struct wb w;
	struct ike_bld b;
	size_t len = 0;
	wb_init(&w, out, cap);
	ike_bld_chain(&b, &w);
	for (size_t i = 0; i < 10 && pld[i]; i++) {
		uint8_t type = (uint8_t)(pld[i] >> 16);
		uint16_t nt = (uint16_t)pld[i];
		if (type == IKE_PLD_SK || type == IKE_PLD_SKF) {
			const uint8_t skf[] = { 0, 1, 0, 1, 0xee };
			ike_bld_begin_sk(&b, type, 0);
			wb_put(&w, skf, sizeof(skf));
			ike_bld_end(&b);
			continue;
		}
		uint8_t body[8] = { 0, 0, (uint8_t)(nt >> 8), (uint8_t)nt };
		ike_bld_raw(&b, type, 0, body, sizeof(body));
	}
	CHECK_EQ(ike_bld_finish(&b, &len), 0);
	*first = b.n ? b.first : 0;
	return len;
}

static void run(const struct rcase *c)
{
	static uint8_t chain_bytes[1024], msg[1100];
	uint8_t first;
	size_t clen = build(c->pld, chain_bytes, sizeof(chain_bytes), &first);
	struct ike_hdr h = { .spi_i = { 1 }, .version = IKE_VERSION_2_0, .exch = c->exch,
			     .flags = (uint8_t)(IKE_HDR_F_INITIATOR | (c->resp ? IKE_HDR_F_RESPONSE : 0)),
			     .next = first, .len = (uint32_t)(IKE_HDR_LEN + clen) };
	struct ike_diag d = { 0 };
	int got;

	if (c->where == OUT) {
		struct wb w;
		struct ike_msg m;
		wb_init(&w, msg, sizeof(msg));
		ike_hdr_encode(&w, &h);
		wb_put(&w, chain_bytes, clen);
		CHECK_EQ(ike_msg_decode(msg, wb_len(&w), &m, &d), 0);
		got = ike_rules_check_outer(&m.hdr, &m.chain, &d);
	} else {
		struct ike_chain in;
		CHECK_EQ(ike_chain_decode(chain_bytes, clen, first, 0, 0, &in, &d), 0);
		got = ike_rules_check_inner(&h, &in, &d);
	}
	if (got != c->want)
		fprintf(stderr, "case \"%s\": got %d (%s, %s), want %d\n", c->name, got,
			got ? d.reason : "ok", got ? ike_pld_name(d.pld_type) : "", c->want);
	CHECK_EQ(got, c->want);
	if (got)
		CHECK(d.reason != NULL);
}

int main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run(&cases[i]);
	printf("%zu rule cases\n", sizeof(cases) / sizeof(cases[0]));
	return test_done();
}
