/* Exchange tests for RFC 9242 IKE_INTERMEDIATE carrying RFC 9370
 * additional key exchanges: the message sequence and IDs, keys updated on
 * both sides (the Child SA keys pair up only if every update matched), the
 * IntAuth chain in AUTH, loss of an IKE_INTERMEDIATE message, and the
 * refusals. ML-KEM cases run where the OpenSSL in use has it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/ke.h"
#include "harness.h"
#include "ike/pld/consts.h"
#include "ike/sa_int.h" /* to spoil one side's IntAuth */
#include "test.h"

#define PSK "a-lab-psk-of-reasonable-length-0123456789"

static void expect_next(struct hx *hx, uint8_t exch, uint32_t id, int response)
{
	uint32_t got_id = 0;
	int got_resp = -1;
	CHECK_EQ(hx_peek_exch(hx, &got_id, &got_resp), exch);
	CHECK_EQ(got_id, id);
	CHECK_EQ(got_resp, response);
}

static void check_up(struct hx *hx)
{
	struct hx_side *i = &hx->side[HX_I], *r = &hx->side[HX_R];
	CHECK_EQ(ike_sa_state(i->sa), IKE_S_ESTABLISHED);
	CHECK_EQ(ike_sa_state(r->sa), IKE_S_ESTABLISHED);
	CHECK_EQ(i->n_child_up, 1);
	CHECK_EQ(r->n_child_up, 1);
	int n = 0;
	CHECK(hx_children_paired(hx, &n));
	CHECK_EQ(n, 1);
}

/* Deliver everything queued, noting each message once (the fragments of
 * one message, RFC 7383, count once): exchange, ID, response. */
struct seen {
	unsigned n;
	uint8_t exch[32];
	uint32_t id[32];
	int resp[32];
	unsigned frags;   /* datagrams beyond one per message */
};

static void run_all(struct hx *hx, struct seen *sn)
{
	memset(sn, 0, sizeof(*sn));
	for (int guard = 0; guard < 200 && hx->n_q; guard++) {
		uint32_t id = 0;
		int resp = -1;
		uint8_t exch = hx_peek_exch(hx, &id, &resp);
		if (sn->n && sn->exch[sn->n - 1] == exch && sn->id[sn->n - 1] == id && sn->resp[sn->n - 1] == resp)
			sn->frags++;
		else if (sn->n < 32) {
			sn->exch[sn->n] = exch;
			sn->id[sn->n] = id;
			sn->resp[sn->n++] = resp;
		}
		hx_step(hx);
	}
}

/* One run with proposal `ike` on both sides and `n_add` additional key
 * exchanges expected: IKE_SA_INIT, n_add x IKE_INTERMEDIATE (IDs 1..n),
 * IKE_AUTH with ID n + 1. */
static void run(const char *ike, unsigned n_add)
{
	struct hx hx;
	struct seen sn;
	hx_init(&hx, PSK, PSK);
	hx_props(&hx, HX_I, ike, "aes256gcm16");
	hx_props(&hx, HX_R, ike, "aes256gcm16");
	CHECK_EQ(hx_start(&hx), 0);
	run_all(&hx, &sn);
	CHECK_EQ(sn.n, 4 + 2 * n_add);
	for (unsigned k = 0; k < sn.n && k < 4 + 2 * n_add; k++) {
		uint8_t want = k < 2 ? IKE_EXCH_SA_INIT : k < 2 + 2 * n_add ? IKE_EXCH_INTERMEDIATE : IKE_EXCH_AUTH;
		CHECK_EQ(sn.exch[k], want);
		CHECK_EQ(sn.id[k], k / 2);
		CHECK_EQ(sn.resp[k], (int)(k % 2));
	}
	check_up(&hx);
	const struct ike_chosen *c = ike_sa_ike_alg(hx.side[HX_I].sa);
	unsigned got = 0;
	for (unsigned k = 1; k < 8; k++)
		got += c->ke[k] != 0;
	CHECK_EQ(got, n_add);
	/* ML-KEM key shares do not fit one datagram: IKE_INTERMEDIATE is
	 * fragmented (RFC 7383); classic ones are not, nor IKE_SA_INIT ever. */
	int big = 0;
	for (unsigned k = 1; k < 8; k++)
		big |= c->ke[k] == 36 || c->ke[k] == 37;
	CHECK(big ? sn.frags > 0 : sn.frags == 0);
	/* A delete still works under the final keys. */
	CHECK_EQ(ike_sa_delete(hx.side[HX_I].sa), 0);
	CHECK_EQ(hx_run(&hx, 4), 2);
	CHECK_EQ(hx.side[HX_R].n_deleted, 1);
	hx_free(&hx);
}

/* The responder does no additional exchange (ike_r): no IKE_INTERMEDIATE,
 * IKE_AUTH is ID 1, and the SAs work. */
static void no_intermediate(const char *ike_i, const char *ike_r)
{
	struct hx hx;
	hx_init(&hx, PSK, PSK);
	hx_props(&hx, HX_I, ike_i, "aes256gcm16");
	hx_props(&hx, HX_R, ike_r, "aes256gcm16");
	CHECK_EQ(hx_start(&hx), 0);
	CHECK_EQ(hx_step(&hx), HX_R);
	CHECK_EQ(hx_step(&hx), HX_I);
	expect_next(&hx, IKE_EXCH_AUTH, 1, 0);
	CHECK_EQ(hx_run(&hx, 10), 2);
	check_up(&hx);
	hx_free(&hx);
}

static void test_responder_classic(void)
{
	/* the initiator offers the hybrid first, the responder has only classic */
	no_intermediate("aes256gcm16-prfsha256-x25519-ke1_ecp256,aes256gcm16-prfsha256-x25519",
			"aes256gcm16-prfsha256-x25519");
	/* an optional additional exchange (ke1_none) the responder does not do */
	no_intermediate("aes256gcm16-prfsha256-x25519-ke1_ecp256-ke1_none",
			"aes256gcm16-prfsha256-x25519-ke1_none");
}

/* A lost IKE_INTERMEDIATE response: the request goes again under the old
 * keys and gets the cached response; a lost request likewise. */
static void test_loss(void)
{
	struct hx hx;
	hx_init(&hx, PSK, PSK);
	hx_props(&hx, HX_I, "aes256gcm16-prfsha256-x25519-ke1_ecp256-ke2_x448", "aes256gcm16");
	hx_props(&hx, HX_R, "aes256gcm16-prfsha256-x25519-ke1_ecp256-ke2_x448", "aes256gcm16");
	CHECK_EQ(hx_start(&hx), 0);
	CHECK_EQ(hx_step(&hx), HX_R);
	CHECK_EQ(hx_step(&hx), HX_I);
	expect_next(&hx, IKE_EXCH_INTERMEDIATE, 1, 0);
	CHECK_EQ(hx_step(&hx), HX_R);   /* answered; the responder's keys move on */
	CHECK_EQ(hx_drop(&hx), HX_I);   /* the answer is lost */
	CHECK_EQ(hx_fire_timer(&hx), 0);
	expect_next(&hx, IKE_EXCH_INTERMEDIATE, 1, 0);
	CHECK_EQ(hx_step(&hx), HX_R);   /* the cached answer, old keys */
	expect_next(&hx, IKE_EXCH_INTERMEDIATE, 1, 1);
	CHECK_EQ(hx_step(&hx), HX_I);
	expect_next(&hx, IKE_EXCH_INTERMEDIATE, 2, 0);
	CHECK_EQ(hx_drop(&hx), HX_R);   /* the second request is lost */
	CHECK_EQ(hx_fire_timer(&hx), 0);
	CHECK_EQ(hx_run(&hx, 10), 4);   /* INTERMEDIATE 2, IKE_AUTH */
	check_up(&hx);
	hx_free(&hx);
}

/* The initiator's IKE_INTERMEDIATE request replaced by one the test
 * builds (under the initiator's keys) with KE method `method` and `len`
 * octets of key data (an empty SK payload when method is 0); returns
 * the notify the responder answers with (0 when it answered with a KE). */
static uint16_t inject_inter(const char *ike, uint16_t method, size_t len)
{
	struct hx hx;
	hx_init(&hx, PSK, PSK);
	hx_props(&hx, HX_I, ike, "aes256gcm16");
	hx_props(&hx, HX_R, ike, "aes256gcm16");
	CHECK_EQ(hx_start(&hx), 0);
	CHECK_EQ(hx_step(&hx), HX_R);
	CHECK_EQ(hx_step(&hx), HX_I);
	while (hx.n_q) /* the real IKE_INTERMEDIATE request (all its fragments) */
		CHECK_EQ(hx_drop(&hx), HX_R);
	struct ike_sa *i = hx.side[HX_I].sa;
	uint8_t inner[1700], out[2000], data[1600];
	struct wb wi, wo;
	struct ike_bld b;
	size_t n;
	memset(data, 0x5a, sizeof(data));
	wb_init(&wi, inner, sizeof(inner));
	ike_bld_chain(&b, &wi);
	if (method) {
		struct ike_ke ke = { .method = method, .data = data, .len = len };
		ike_bld_begin(&b, IKE_PLD_KE, 0);
		ike_ke_encode(&wi, &ke);
		ike_bld_end(&b);
	}
	CHECK_EQ(ike_bld_finish(&b, &n), 0);
	struct ike_hdr h = { .version = IKE_VERSION_2_0, .exch = IKE_EXCH_INTERMEDIATE,
			     .flags = IKE_HDR_F_INITIATOR, .msg_id = 1 };
	memcpy(h.spi_i, i->spi_i, 8);
	memcpy(h.spi_r, i->spi_r, 8);
	wb_init(&wo, out, sizeof(out));
	CHECK_EQ(ike_sa_protect_with(i, i->km, &h, n ? b.first : IKE_PLD_NONE, inner, n, &wo), 0);
	hx_inject(&hx, HX_R, out, wb_len(&wo));
	uint16_t got = hx.side[HX_R].sa->resp_error; /* what the responder answered */
	CHECK_EQ(hx_run(&hx, 4), 1);                  /* the answer reaches the initiator */
	/* RFC 9242 3: any error ends the setup, on both sides */
	CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_DEAD);
	CHECK_EQ(ike_sa_state(hx.side[HX_R].sa), IKE_S_DEAD);
	CHECK_EQ(hx.side[HX_I].n_established, 0);
	hx_free(&hx);
	return got;
}

/* A wrong method, a key of the wrong length, no KE at all: the responder
 * answers with an error notify and both ends give the SA up. */
static void test_bad_intermediate(void)
{
	const char *p = "aes256gcm16-prfsha256-x25519-ke1_ecp256";
	CHECK_EQ(inject_inter(p, 20, 97), IKE_N_NO_PROPOSAL_CHOSEN); /* ECP-384: not the negotiated ADDKE1 */
	CHECK_EQ(inject_inter(p, 19, 40), IKE_N_INVALID_SYNTAX);     /* ECP-256 keys are 64 octets */
	CHECK_EQ(inject_inter(p, 19, 64), IKE_N_INVALID_SYNTAX);     /* not a point on the curve */
	CHECK_EQ(inject_inter(p, 0, 0), IKE_N_INVALID_SYNTAX);       /* an empty SK payload */
	if (crypto_ke_supported(36)) {
		const char *q = "aes256gcm16-prfsha256-x25519-ke1_mlkem768";
		CHECK_EQ(inject_inter(q, 36, 1183), IKE_N_INVALID_SYNTAX); /* 1184 octets */
		CHECK_EQ(inject_inter(q, 37, 1568), IKE_N_NO_PROPOSAL_CHOSEN); /* ML-KEM-1024 */
	}
}

/* IntAuth is signed: one flipped bit in the responder's copy of the
 * initiator's chain and IKE_AUTH fails on both sides. */
static void test_intauth_matters(void)
{
	struct hx hx;
	hx_init(&hx, PSK, PSK);
	hx_props(&hx, HX_I, "aes256gcm16-prfsha256-x25519-ke1_ecp256", "aes256gcm16");
	hx_props(&hx, HX_R, "aes256gcm16-prfsha256-x25519-ke1_ecp256", "aes256gcm16");
	CHECK_EQ(hx_start(&hx), 0);
	CHECK_EQ(hx_run(&hx, 4), 4);    /* IKE_SA_INIT and IKE_INTERMEDIATE */
	expect_next(&hx, IKE_EXCH_AUTH, 2, 0);
	hx.side[HX_R].sa->intauth_i[0] ^= 1;
	CHECK_EQ(hx_run(&hx, 10), 2);
	CHECK_EQ(ike_sa_state(hx.side[HX_R].sa), IKE_S_DEAD);
	CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_DEAD);
	CHECK_EQ(hx.side[HX_I].n_established, 0);
	hx_free(&hx);
}

/* An IKE SA with additional key exchanges, established. */
static void up_hybrid(struct hx *hx, const char *ike)
{
	hx_init(hx, PSK, PSK);
	hx_props(hx, HX_I, ike, "aes256gcm16");
	hx_props(hx, HX_R, ike, "aes256gcm16");
	CHECK_EQ(hx_start(hx), 0);
	CHECK_EQ(hx_run(hx, 20), 4 + 2 * 2);
	check_up(hx);
}

/* RFC 9370 2.2.4: the IKE SA rekey is CREATE_CHILD_SA with KE(0), then one
 * IKE_FOLLOWUP_KE per ADDKE, then the old SA's Delete; either side may
 * start it; the new SA works (a liveness check under its keys). */
static void test_rekey_followup(int who)
{
	struct hx hx;
	uint8_t si0[8], sr0[8], si1[8], sr1[8], si2[8], sr2[8];
	up_hybrid(&hx, "aes256gcm16-prfsha256-x25519-ke1_ecp256-ke2_x448");
	int other = !who;
	uint32_t id = who == HX_I ? 4 : 0; /* I: IKE_AUTH was ID 3; R never sent */
	ike_sa_spis(hx.side[HX_I].sa, si0, sr0);
	CHECK_EQ(ike_sa_rekey_ike(hx.side[who].sa), 0);
	expect_next(&hx, IKE_EXCH_CREATE_CHILD_SA, id, 0);
	CHECK_EQ(hx_step(&hx), other);
	expect_next(&hx, IKE_EXCH_CREATE_CHILD_SA, id, 1);
	CHECK_EQ(hx_step(&hx), who);
	expect_next(&hx, IKE_EXCH_FOLLOWUP_KE, id + 1, 0);
	CHECK_EQ(hx_step(&hx), other);
	expect_next(&hx, IKE_EXCH_FOLLOWUP_KE, id + 1, 1);
	CHECK_EQ(hx_step(&hx), who);
	expect_next(&hx, IKE_EXCH_FOLLOWUP_KE, id + 2, 0);
	CHECK_EQ(hx_step(&hx), other);
	CHECK_EQ(hx_step(&hx), who);
	expect_next(&hx, IKE_EXCH_INFORMATIONAL, id + 3, 0); /* the old SA's Delete */
	CHECK_EQ(hx_run(&hx, 4), 2);
	ike_sa_spis(hx.side[HX_I].sa, si1, sr1);
	ike_sa_spis(hx.side[HX_R].sa, si2, sr2);
	CHECK(memcmp(si0, si1, 8) != 0);
	CHECK_MEM(si1, si2, 8);
	CHECK_MEM(sr1, sr2, 8);
	CHECK_EQ(hx.side[HX_I].n_rekeyed, 1);
	CHECK_EQ(hx.side[HX_R].n_rekeyed, 1);
	CHECK_EQ(ike_sa_dpd(hx.side[HX_I].sa), 0);
	CHECK_EQ(hx_run(&hx, 4), 2);
	CHECK_EQ(hx.side[HX_I].n_failed + hx.side[HX_R].n_failed, 0);
	/* and a Child SA rekey derives from the new SK_d on both sides */
	CHECK_EQ(ike_sa_rekey_child(hx.side[HX_R].sa), 0);
	CHECK_EQ(hx_run(&hx, 10), 4);
	int n = 0;
	CHECK(hx_children_paired(&hx, &n));
	CHECK_EQ(n, 1);
	hx_free(&hx);
}

/* A responder that lost the rekey's state answers IKE_FOLLOWUP_KE with
 * STATE_NOT_FOUND: the rekey is abandoned, the IKE SA lives on. */
static void test_followup_state_lost(void)
{
	struct hx hx;
	up_hybrid(&hx, "aes256gcm16-prfsha256-x25519-ke1_ecp256-ke2_x448");
	CHECK_EQ(ike_sa_rekey_ike(hx.side[HX_I].sa), 0);
	CHECK_EQ(hx_step(&hx), HX_R);
	CHECK_EQ(hx_step(&hx), HX_I);
	expect_next(&hx, IKE_EXCH_FOLLOWUP_KE, 5, 0);
	struct ike_sa *r = hx.side[HX_R].sa;
	CHECK(r->followup != NULL);
	r->followup->ops->free(r->followup);
	r->followup = NULL;
	CHECK_EQ(hx_run(&hx, 4), 2);
	CHECK_EQ(hx.side[HX_I].n_rekeyed, 0);
	CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_ESTABLISHED);
	CHECK_EQ(ike_sa_state(r), IKE_S_ESTABLISHED);
	CHECK_EQ(ike_sa_dpd(hx.side[HX_I].sa), 0);
	CHECK_EQ(hx_run(&hx, 4), 2);
	CHECK_EQ(hx.side[HX_I].n_failed + hx.side[HX_R].n_failed, 0);
	hx_free(&hx);
}

/* RFC 9370 2.2.4 for a Child SA: PFS with x25519 and an additional
 * exchange; CREATE_CHILD_SA then IKE_FOLLOWUP_KE, the new pair on both
 * sides with matching keys, the old one deleted. */
static void test_child_rekey_followup(int who)
{
	struct hx hx;
	hx_init(&hx, PSK, PSK);
	for (int s = 0; s < 2; s++)
		hx_props(&hx, s, "aes256gcm16-prfsha256-x25519", "aes256gcm16-x25519-ke1_ecp256");
	CHECK_EQ(hx_start(&hx), 0);
	CHECK_EQ(hx_run(&hx, 10), 4);
	check_up(&hx);
	uint32_t old_in = hx.side[HX_I].child.spi_in;
	uint32_t id = who == HX_I ? 2 : 0;
	CHECK_EQ(ike_sa_rekey_child(hx.side[who].sa), 0);
	expect_next(&hx, IKE_EXCH_CREATE_CHILD_SA, id, 0);
	CHECK_EQ(hx_step(&hx), !who);
	CHECK_EQ(hx_step(&hx), who);
	expect_next(&hx, IKE_EXCH_FOLLOWUP_KE, id + 1, 0);
	CHECK_EQ(hx_step(&hx), !who);
	expect_next(&hx, IKE_EXCH_FOLLOWUP_KE, id + 1, 1);
	CHECK_EQ(hx_step(&hx), who);
	expect_next(&hx, IKE_EXCH_INFORMATIONAL, id + 2, 0); /* Delete of the old pair */
	CHECK_EQ(hx_run(&hx, 4), 2);
	int n = 0;
	CHECK(hx_children_paired(&hx, &n));
	CHECK_EQ(n, 1);
	CHECK(hx.side[HX_I].child.spi_in != old_in);
	CHECK_EQ(hx.side[HX_I].n_child_up, 2);
	CHECK_EQ(hx.side[HX_R].n_child_up, 2);
	hx_free(&hx);
}

static int has_addke(const struct ike_prop_cfg *p)
{
	for (size_t j = 0; j < p->n; j++)
		if (p->xf[j].type == IKE_XF_ADDKE1 && p->xf[j].id == 36)
			return 1;
	return 0;
}

/* The default IKE proposals per pq mode (IKE_PQ_*). */
static void test_defaults(void)
{
	struct ike_prop_cfg p[8];
	int mlkem = crypto_ke_supported(36);
	CHECK_EQ(ike_prop_defaults(IKE_PROTO_IKE, IKE_PQ_OFF, p, 8), 2);
	CHECK(!has_addke(&p[0]) && !has_addke(&p[1]));
	CHECK_EQ(ike_prop_defaults(IKE_PROTO_IKE, IKE_PQ_ONLY, p, 8), mlkem ? 2u : 0u);
	if (mlkem)
		CHECK(has_addke(&p[0]) && has_addke(&p[1]));
	CHECK_EQ(ike_prop_defaults(IKE_PROTO_IKE, IKE_PQ_FIRST, p, 8), mlkem ? 4u : 2u);
	CHECK_EQ(has_addke(&p[0]), mlkem);
	CHECK(!has_addke(&p[mlkem ? 2 : 0]));
}

int main(void)
{
	test_defaults();
	run("aes256gcm16-prfsha256-x25519-ke1_ecp256", 1);
	run("aes256gcm16-prfsha384-x25519-ke1_ecp256-ke2_x448", 2);
	run("aes256gcm16-prfsha256-ecp256-ke1_x25519-ke3_ecp384", 2);
	if (crypto_ke_supported(36)) {
		run("aes256gcm16-prfsha256-x25519-ke1_mlkem768", 1);
		run("aes256gcm16-prfsha384-x25519-ke1_mlkem1024", 1);
		run("aes256gcm16-prfsha256-mlkem768", 0);
		run("aes256gcm16-prfsha256-x25519-ke1_mlkem768-ke2_ecp256", 2);
	}
	test_responder_classic();
	test_loss();
	test_intauth_matters();
	test_bad_intermediate();
	test_rekey_followup(HX_I);
	test_rekey_followup(HX_R);
	test_followup_state_lost();
	test_child_rekey_followup(HX_I);
	test_child_rekey_followup(HX_R);
	return test_done();
}
