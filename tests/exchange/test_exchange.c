/* Exchange tests: an initiator and a responder engine through fake ops,
 * one message at a time (STYLE.md "Tests", exchange). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "ike/pld/consts.h"
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

static void check_established_pair(struct hx *hx)
{
	struct hx_side *i = &hx->side[HX_I], *r = &hx->side[HX_R];
	CHECK(i->sa && r->sa);
	if (!i->sa || !r->sa)
		return;
	CHECK_EQ(ike_sa_state(i->sa), IKE_S_ESTABLISHED);
	CHECK_EQ(ike_sa_state(r->sa), IKE_S_ESTABLISHED);
	CHECK_EQ(i->n_established, 1);
	CHECK_EQ(r->n_established, 1);
	CHECK_EQ(i->n_child_up, 1);
	CHECK_EQ(r->n_child_up, 1);
	/* The Child SA's SPIs and keys pair up across the two sides. */
	CHECK_EQ(i->child.spi_in, r->child.spi_out);
	CHECK_EQ(i->child.spi_out, r->child.spi_in);
	CHECK(i->child.spi_in >= 256 && i->child.spi_out >= 256);
	CHECK_EQ(i->key_out_len, r->key_in_len);
	CHECK_MEM(i->key_out, r->key_in, i->key_out_len);
	CHECK_MEM(i->key_in, r->key_out, i->key_in_len);
	CHECK(memcmp(i->key_in, i->key_out, i->key_in_len) != 0);
	/* Retransmission timers are off once every exchange is answered. */
	CHECK(i->timer_at == UINT64_MAX);
	uint8_t si[8], sr[8], si2[8], sr2[8];
	ike_sa_spis(i->sa, si, sr);
	ike_sa_spis(r->sa, si2, sr2);
	CHECK_MEM(si, si2, 8);
	CHECK_MEM(sr, sr2, 8);
}

/* The whole PSK handshake with a virtual address and narrowing. */
static void test_psk_handshake(void)
{
	struct hx hx;
	hx_init(&hx, PSK, PSK);
	CHECK_EQ(hx_start(&hx), 0);
	CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_INIT_SENT);
	/* IKE_SA_INIT { SA, KE, Ni, N(NAT_D) x2, N(FRAG_SUP), N(SIG_HASH) } --> */
	expect_next(&hx, IKE_EXCH_SA_INIT, 0, 0);
	CHECK_EQ(hx_step(&hx), HX_R);
	CHECK(hx.side[HX_R].sa != NULL);
	CHECK_EQ(ike_sa_state(hx.side[HX_R].sa), IKE_S_INIT_DONE);
	/* <-- IKE_SA_INIT { SA, KE, Nr, N(NAT_D) x2, ... } */
	expect_next(&hx, IKE_EXCH_SA_INIT, 0, 1);
	CHECK_EQ(hx_step(&hx), HX_I);
	CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_AUTH_SENT);
	CHECK_EQ(ike_sa_nat_local(hx.side[HX_I].sa), 0);
	CHECK_EQ(ike_sa_nat_remote(hx.side[HX_I].sa), 0);
	/* IKE_AUTH { IDi, IDr, AUTH, CP(REQ), SA, TSi, TSr } --> */
	expect_next(&hx, IKE_EXCH_AUTH, 1, 0);
	CHECK(hx.side[HX_I].timer_at != UINT64_MAX);
	CHECK_EQ(hx_step(&hx), HX_R);
	CHECK_EQ(ike_sa_state(hx.side[HX_R].sa), IKE_S_ESTABLISHED);
	/* <-- IKE_AUTH { IDr, AUTH, CP(REPLY), SA, TSi, TSr } */
	expect_next(&hx, IKE_EXCH_AUTH, 1, 1);
	CHECK_EQ(hx_step(&hx), HX_I);
	check_established_pair(&hx);

	const struct ike_cp_result *cp = ike_sa_cp(hx.side[HX_I].sa);
	char ip[16];
	CHECK_EQ(cp->has_v4, 1);
	inet_ntop(AF_INET, cp->v4, ip, sizeof(ip));
	CHECK(strcmp(ip, "203.0.113.10") == 0);
	CHECK_EQ(cp->n_dns_v4, 1);
	/* IPv6 DNS and the RFC 8598 DNS domains come too */
	CHECK_EQ(cp->n_dns_v6, 1);
	CHECK_EQ(cp->dns_v6[0][15], 0x53);
	CHECK_EQ(cp->n_domains, 2);
	CHECK(strcmp(cp->domains[0], "corp.example") == 0);
	CHECK(strcmp(cp->domains[1], "lab.example") == 0);
	/* TSi narrowed to the virtual address, TSr to the gateway's subnet. */
	const struct ike_child *c = &hx.side[HX_I].child;
	CHECK_EQ(c->n_ts_local, 1);
	CHECK_MEM(c->ts_local[0].start, cp->v4, 4);
	CHECK_MEM(c->ts_local[0].end, cp->v4, 4);
	CHECK_EQ(c->n_ts_remote, 1);
	CHECK_EQ(c->ts_remote[0].start[3], 0);
	CHECK_EQ(c->ts_remote[0].end[3], 255);
	const struct ike_chosen *alg = ike_sa_ike_alg(hx.side[HX_I].sa);
	CHECK_EQ(alg->encr, IKE_ENCR_AES_GCM_16);
	CHECK_EQ(alg->encr_bits, 256);
	CHECK_EQ(alg->ke[0], IKE_KE_CURVE25519);
	CHECK_EQ(c->alg.encr, IKE_ENCR_AES_GCM_16);
	CHECK_EQ(hx.n_q, 0);
	hx_free(&hx);
}

/* Each cipher suite through the whole handshake. */
static void test_suites(void)
{
	static const char *const suites[][2] = {
		{ "aes128gcm16-prfsha256-ecp256", "aes128gcm16" },
		{ "chacha20poly1305-prfsha384-x25519", "chacha20poly1305" },
		{ "aes256-sha256-prfsha256-ecp384", "aes256-sha256" },
		{ "aes128-sha512-prfsha512-x448", "aes256gcm16-esn" },
	};
	for (size_t k = 0; k < sizeof(suites) / sizeof(suites[0]); k++) {
		struct hx hx;
		hx_init(&hx, PSK, PSK);
		hx_props(&hx, HX_I, suites[k][0], suites[k][1]);
		hx_props(&hx, HX_R, suites[k][0], suites[k][1]);
		CHECK_EQ(hx_start(&hx), 0);
		CHECK_EQ(hx_run(&hx, 10), 4);
		check_established_pair(&hx);
		hx_free(&hx);
	}
}

static void test_wrong_psk(void)
{
	struct hx hx;
	hx_init(&hx, PSK, "another-psk-entirely-0123456789abcdef");
	CHECK_EQ(hx_start(&hx), 0);
	hx_run(&hx, 10);
	/* <-- IKE_AUTH { N(AUTHENTICATION_FAILED) }: both sides give up. */
	CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_DEAD);
	CHECK_EQ(ike_sa_state(hx.side[HX_R].sa), IKE_S_DEAD);
	CHECK_EQ(hx.side[HX_I].n_failed, 1);
	CHECK_EQ(hx.side[HX_I].n_child_up, 0);
	CHECK_EQ(hx.side[HX_R].n_child_up, 0);
	CHECK_EQ(hx.side[HX_I].n_established, 0);
	hx_free(&hx);
}

/* RFC 7296 1.2: the responder names the method it wants; the initiator
 * retries IKE_SA_INIT, again with message ID 0. */
static void test_invalid_ke(void)
{
	struct hx hx;
	hx_init(&hx, PSK, PSK);
	hx_props(&hx, HX_I, "aes256gcm16-prfsha256-ecp256-x25519", NULL);
	hx_props(&hx, HX_R, "aes256gcm16-prfsha256-x25519", NULL);
	CHECK_EQ(hx_start(&hx), 0);
	CHECK_EQ(hx_step(&hx), HX_R);
	/* <-- IKE_SA_INIT { N(INVALID_KE_PAYLOAD(x25519)) }, no state kept */
	CHECK(hx.side[HX_R].sa == NULL);
	expect_next(&hx, IKE_EXCH_SA_INIT, 0, 1);
	CHECK_EQ(hx_step(&hx), HX_I);
	/* IKE_SA_INIT { SA, KE(x25519), Ni, ... } --> */
	expect_next(&hx, IKE_EXCH_SA_INIT, 0, 0);
	CHECK_EQ(hx_run(&hx, 10), 4);
	check_established_pair(&hx);
	CHECK_EQ(ike_sa_ike_alg(hx.side[HX_I].sa)->ke[0], IKE_KE_CURVE25519);
	hx_free(&hx);
}

/* RFC 7296 2.6: a responder under load asks for a COOKIE first, keeps no
 * state for the cookie-less request, and accepts the request that echoes
 * it; a wrong cookie is asked for again. */
static void test_cookie(void)
{
	struct hx hx;
	struct secret *key = NULL;

	hx_init(&hx, PSK, PSK);
	CHECK_EQ(crypto_secret_from("cookie-secret-for-the-test-0123456789", 37, &key), 0);
	hx.side[HX_R].cfg.require_cookie = 1;
	hx.side[HX_R].cfg.cookie_secret = key;
	CHECK_EQ(hx_start(&hx), 0);
	/* IKE_SA_INIT { SA, KE, Ni, ... } --> */
	CHECK_EQ(hx_step(&hx), HX_R);
	CHECK(hx.side[HX_R].sa == NULL);
	/* <-- IKE_SA_INIT { N(COOKIE) }, SPIr zero */
	expect_next(&hx, IKE_EXCH_SA_INIT, 0, 1);
	static const uint8_t zero[8];
	CHECK_MEM(hx.q[0]->data + 8, zero, 8);
	/* A forged answer with another cookie would be echoed back too; here
	 * the initiator echoes the real one: IKE_SA_INIT { N(COOKIE), SA, ... } --> */
	CHECK_EQ(hx_step(&hx), HX_I);
	expect_next(&hx, IKE_EXCH_SA_INIT, 0, 0);
	CHECK_EQ(hx.q[0]->data[16], IKE_PLD_NOTIFY); /* the COOKIE comes first */
	/* Tamper with the echoed cookie: asked again, still no state. */
	struct hx_msg *m = hx.q[0];
	uint8_t saved = m->data[28 + 8 + 1];
	m->data[28 + 8 + 1] ^= 0xff;
	CHECK_EQ(hx_dup(&hx), HX_R);
	CHECK(hx.side[HX_R].sa == NULL);
	CHECK_EQ(hx.n_q, 2);
	m->data[28 + 8 + 1] = saved;
	CHECK_EQ(hx_step(&hx), HX_R);
	CHECK(hx.side[HX_R].sa != NULL);
	/* Drop the second COOKIE answer (for the tampered copy). */
	struct hx_msg *extra = hx.q[0];
	memmove(hx.q, hx.q + 1, (size_t)(hx.n_q - 1) * sizeof(hx.q[0]));
	hx.n_q--;
	free(extra);
	CHECK_EQ(hx_run(&hx, 10), 3);
	check_established_pair(&hx);
	hx_free(&hx);
	crypto_secret_free(key);
}

/* Forced UDP encapsulation: the gateway believes the client is behind a
 * NAT, the client knows it forced it; without it, no NAT is seen. */
static void test_force_natt(void)
{
	struct hx hx;
	hx_init(&hx, PSK, PSK);
	hx.side[HX_I].cfg.force_natt = 1;
	CHECK_EQ(hx_start(&hx), 0);
	CHECK_EQ(hx_run(&hx, 10), 4);
	check_established_pair(&hx);
	CHECK_EQ(ike_sa_child_refused(hx.side[HX_I].sa), 0);
	CHECK_EQ(ike_sa_nat_local(hx.side[HX_I].sa), 1);
	CHECK_EQ(ike_sa_nat_remote(hx.side[HX_I].sa), 0);
	CHECK_EQ(ike_sa_nat_remote(hx.side[HX_R].sa), 1);
	CHECK_EQ(ike_sa_nat_local(hx.side[HX_R].sa), 0);
	hx_free(&hx);
}

static void test_no_proposal(void)
{
	struct hx hx;
	hx_init(&hx, PSK, PSK);
	hx_props(&hx, HX_I, "aes128-sha256-prfsha256-ecp256", NULL);
	hx_props(&hx, HX_R, "aes256gcm16-prfsha256-x25519", NULL);
	CHECK_EQ(hx_start(&hx), 0);
	hx_run(&hx, 10);
	CHECK(hx.side[HX_R].sa == NULL);
	CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_DEAD);
	CHECK_EQ(hx.side[HX_I].n_failed, 1);
	hx_free(&hx);
}

/* RFC 7296 2.21.2: selectors the gateway cannot serve refuse the Child SA,
 * not the IKE SA. The gateway answers IDr, AUTH and N(TS_UNACCEPTABLE);
 * an initiator that can live without the Child SA keeps the IKE SA, one
 * that requires it (remote access) deletes it and reports the failure. */
static void test_ts_unacceptable(int child_required)
{
	struct hx hx;
	hx_init(&hx, PSK, PSK);
	/* The initiator wants 198.18.0.0/15 only; the gateway serves 203.0.113.0/24. */
	struct ike_ts_cfg *ts = &hx.side[HX_I].cfg.ts_remote[0];
	memset(ts, 0, sizeof(*ts));
	ts->type = IKE_TS_IPV4_ADDR_RANGE;
	ts->end_port = 65535;
	inet_pton(AF_INET, "198.18.0.0", ts->start);
	inet_pton(AF_INET, "198.19.255.255", ts->end);
	hx.side[HX_I].cfg.n_ts_remote = 1;
	hx.side[HX_I].cfg.child_required = child_required;
	CHECK_EQ(hx_start(&hx), 0);
	CHECK_EQ(hx_run(&hx, 4), 4);
	CHECK_EQ(hx.side[HX_I].n_child_up, 0);
	CHECK_EQ(hx.side[HX_R].n_child_up, 0);
	CHECK_EQ(ike_sa_state(hx.side[HX_R].sa), IKE_S_ESTABLISHED);
	CHECK_EQ(ike_sa_child_refused(hx.side[HX_I].sa), IKE_N_TS_UNACCEPTABLE);
	if (!child_required) {
		CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_ESTABLISHED);
		CHECK_EQ(hx.side[HX_I].n_established, 1);
		CHECK_EQ(hx.n_q, 0);
	} else {
		/* INFORMATIONAL { D(IKE) } --> ; <-- { } */
		expect_next(&hx, IKE_EXCH_INFORMATIONAL, 2, 0);
		CHECK_EQ(hx_run(&hx, 4), 2);
		CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_DEAD);
		CHECK_EQ(ike_sa_state(hx.side[HX_R].sa), IKE_S_DEAD);
		CHECK_EQ(hx.side[HX_I].n_established, 0);
		CHECK_EQ(hx.side[HX_I].n_failed, 1);
		CHECK_EQ(hx.side[HX_R].n_deleted, 1);
	}
	hx_free(&hx);
}

/* A lost IKE_AUTH request is retransmitted; a duplicated one is answered
 * from the response cache without a second Child SA. */
static void test_loss_and_duplicates(void)
{
	struct hx hx;
	hx_init(&hx, PSK, PSK);
	CHECK_EQ(hx_start(&hx), 0);
	CHECK_EQ(hx_step(&hx), HX_R);
	CHECK_EQ(hx_step(&hx), HX_I);
	/* IKE_AUTH --> lost */
	CHECK_EQ(hx_drop(&hx), HX_R);
	CHECK_EQ(hx.n_q, 0);
	uint64_t t0 = hx.now_ms;
	CHECK_EQ(hx_fire_timer(&hx), 0);
	CHECK_EQ(hx.now_ms - t0, 1000);
	/* IKE_AUTH --> again, same message ID */
	expect_next(&hx, IKE_EXCH_AUTH, 1, 0);
	CHECK_EQ(hx_dup(&hx), HX_R);   /* the responder sees it twice */
	CHECK_EQ(hx_step(&hx), HX_R);
	CHECK_EQ(hx.n_q, 2);            /* two identical answers */
	CHECK_EQ(hx.q[0]->len, hx.q[1]->len);
	CHECK_MEM(hx.q[0]->data, hx.q[1]->data, hx.q[0]->len);
	CHECK_EQ(hx_run(&hx, 10), 2);
	check_established_pair(&hx);
	CHECK_EQ(hx.side[HX_R].n_child_up, 1);
	hx_free(&hx);
}

/* No answer at all: 1 + 2 + 4 + 8 + 16 s of retransmissions, then give up. */
static void test_retransmit_give_up(void)
{
	struct hx hx;
	hx_init(&hx, PSK, PSK);
	CHECK_EQ(hx_start(&hx), 0);
	uint64_t t0 = hx.now_ms;
	int sends = 0;
	while (hx_drop(&hx) >= 0 || hx_fire_timer(&hx) == 0) {
		if (ike_sa_state(hx.side[HX_I].sa) == IKE_S_DEAD)
			break;
		if (++sends > 20)
			break;
	}
	CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_DEAD);
	CHECK_EQ(hx.side[HX_I].n_failed, 1);
	CHECK_EQ(hx.side[HX_I].last_err, -ETIMEDOUT);
	CHECK_EQ(hx.side[HX_I].sent, 6);
	CHECK_EQ(hx.now_ms - t0, 1000 + 2000 + 4000 + 8000 + 16000 + 32000);
	CHECK(hx.side[HX_I].timer_at == UINT64_MAX);
	hx_free(&hx);
}

/* Garbage after authentication is dropped; the SAs are unharmed and still
 * work (a delete exchange completes afterwards). */
static void test_garbage_after_auth(void)
{
	struct hx hx;
	hx_init(&hx, PSK, PSK);
	CHECK_EQ(hx_start(&hx), 0);
	CHECK_EQ(hx_run(&hx, 10), 4);
	check_established_pair(&hx);

	uint8_t junk[300];
	for (size_t k = 0; k < sizeof(junk); k++)
		junk[k] = (uint8_t)(k * 37 + 11);
	CHECK(hx_inject(&hx, HX_R, junk, sizeof(junk)) < 0);
	CHECK(hx_inject(&hx, HX_R, junk, 10) < 0);
	/* A well-formed header with our SPIs but a forged SK payload. */
	uint8_t spi_i[8], spi_r[8];
	ike_sa_spis(hx.side[HX_R].sa, spi_i, spi_r);
	uint8_t forged[28 + 4 + 40];
	memset(forged, 0xab, sizeof(forged));
	memcpy(forged, spi_i, 8);
	memcpy(forged + 8, spi_r, 8);
	forged[16] = IKE_PLD_SK;
	forged[17] = 0x20;
	forged[18] = IKE_EXCH_INFORMATIONAL;
	forged[19] = 0x08;
	memset(forged + 20, 0, 3);
	forged[23] = 2;
	forged[24] = 0;
	forged[25] = 0;
	forged[26] = 0;
	forged[27] = sizeof(forged);
	forged[28] = 0;
	forged[29] = 0;
	forged[30] = 0;
	forged[31] = 44;
	CHECK(hx_inject(&hx, HX_R, forged, sizeof(forged)) < 0);
	/* A replay of the IKE_AUTH request id 1 gets the cached answer only. */
	CHECK_EQ(hx.n_q, 0);
	CHECK_EQ(ike_sa_state(hx.side[HX_R].sa), IKE_S_ESTABLISHED);
	CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_ESTABLISHED);

	/* INFORMATIONAL { D(IKE) } --> ; <-- INFORMATIONAL { } */
	CHECK_EQ(ike_sa_delete(hx.side[HX_I].sa), 0);
	expect_next(&hx, IKE_EXCH_INFORMATIONAL, 2, 0);
	CHECK_EQ(hx_step(&hx), HX_R);
	CHECK_EQ(ike_sa_state(hx.side[HX_R].sa), IKE_S_DEAD);
	CHECK_EQ(hx.side[HX_R].n_deleted, 1);
	CHECK_EQ(hx.side[HX_R].n_child_down, 1);
	expect_next(&hx, IKE_EXCH_INFORMATIONAL, 2, 1);
	CHECK_EQ(hx_step(&hx), HX_I);
	CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_DEAD);
	CHECK_EQ(hx.side[HX_I].n_deleted, 1);
	CHECK_EQ(hx.side[HX_I].n_child_down, 1);
	hx_free(&hx);
}

/* Hostile or stale input at every stage leaves both SAs as they were:
 * a replayed IKE_SA_INIT, a replayed IKE_AUTH request (answered from the
 * cache, nothing new installed), a duplicated response, wrong SPIs, a
 * response nobody asked for, and oversize or forged fragments. */
static void test_hostile(void)
{
	struct hx hx;
	struct hx_msg *saved[4] = { 0 };

	hx_init(&hx, PSK, PSK);
	CHECK_EQ(hx_start(&hx), 0);
	for (int k = 0; k < 4; k++) {
		/* keep a copy of each handshake message before delivering it */
		saved[k] = malloc(sizeof(*saved[k]));
		memcpy(saved[k], hx.q[0], sizeof(*saved[k]));
		hx_step(&hx);
	}
	check_established_pair(&hx);
	struct hx_side *i = &hx.side[HX_I], *r = &hx.side[HX_R];

	/* IKE_SA_INIT request again --> : stale message ID, dropped. */
	CHECK(hx_inject(&hx, HX_R, saved[0]->data, saved[0]->len) < 0);
	CHECK_EQ(hx.n_q, 0);
	/* IKE_AUTH request again --> : the cached answer, byte for byte. */
	CHECK_EQ(hx_inject(&hx, HX_R, saved[2]->data, saved[2]->len), 0);
	CHECK_EQ(hx.n_q, 1);
	CHECK_EQ(hx.q[0]->len, saved[3]->len);
	CHECK_MEM(hx.q[0]->data, saved[3]->data, saved[3]->len);
	/* <-- that answer a second time: the initiator has moved on. */
	CHECK(hx_step(&hx) == HX_I);
	CHECK_EQ(r->n_child_up, 1);
	CHECK_EQ(i->n_child_up, 1);
	/* IKE_SA_INIT response again: not for an exchange in flight. */
	CHECK(hx_inject(&hx, HX_I, saved[1]->data, saved[1]->len) < 0);
	/* Wrong SPIs. */
	struct hx_msg *m = saved[2];
	m->data[3] ^= 0x55;
	CHECK_EQ(hx_inject(&hx, HX_R, m->data, m->len), -ENOENT);
	m->data[3] ^= 0x55;
	m->data[12] ^= 0x55;
	CHECK_EQ(hx_inject(&hx, HX_R, m->data, m->len), -ENOENT);
	m->data[12] ^= 0x55;
	/* The Initiator flag of a message from ourselves: refused. */
	m->data[19] &= (uint8_t)~0x08;
	CHECK(hx_inject(&hx, HX_R, m->data, m->len) < 0);
	m->data[19] |= 0x08;
	/* A bit flipped in the ciphertext of the next request: not authentic. */
	m->data[23] = 2; /* message ID 2, the next one the responder expects */
	m->data[m->len - 20] ^= 1;
	CHECK(hx_inject(&hx, HX_R, m->data, m->len) < 0);
	/* An SKF whose fragment number exceeds its total, and one claiming
	 * more fragments than the cap. */
	uint8_t skf[28 + 8 + 40];
	memset(skf, 0x5a, sizeof(skf));
	memcpy(skf, m->data, 16);
	skf[16] = IKE_PLD_SKF;
	skf[17] = 0x20;
	skf[18] = IKE_EXCH_INFORMATIONAL;
	skf[19] = 0x08;
	memset(skf + 20, 0, 4);
	skf[23] = 2;
	memset(skf + 24, 0, 3);
	skf[27] = sizeof(skf);
	skf[28] = 0;
	skf[29] = 0;
	skf[30] = 0;
	skf[31] = 48;
	skf[32] = 0;
	skf[33] = 5; /* fragment 5 ... */
	skf[34] = 0;
	skf[35] = 2; /* ... of 2 */
	CHECK(hx_inject(&hx, HX_R, skf, sizeof(skf)) < 0);
	skf[33] = 1;
	skf[34] = 0x01; /* 256 fragments: over PT_IKE_FRAGS_MAX */
	skf[35] = 0x00;
	CHECK(hx_inject(&hx, HX_R, skf, sizeof(skf)) < 0);
	CHECK_EQ(hx.n_q, 0);
	CHECK_EQ(ike_sa_state(i->sa), IKE_S_ESTABLISHED);
	CHECK_EQ(ike_sa_state(r->sa), IKE_S_ESTABLISHED);
	/* Both still work: a liveness check each way. */
	CHECK_EQ(ike_sa_dpd(i->sa), 0);
	CHECK_EQ(hx_run(&hx, 4), 2);
	CHECK_EQ(ike_sa_dpd(r->sa), 0);
	CHECK_EQ(hx_run(&hx, 4), 2);
	CHECK_EQ(ike_sa_state(i->sa), IKE_S_ESTABLISHED);
	CHECK_EQ(ike_sa_state(r->sa), IKE_S_ESTABLISHED);
	for (int k = 0; k < 4; k++)
		free(saved[k]);
	hx_free(&hx);
}

/* The gateway deletes the IKE SA (RFC 7296 1.4.1): the client answers,
 * removes its Child SA and reports DELETED. */
static void test_gateway_delete(void)
{
	struct hx hx;
	hx_init(&hx, PSK, PSK);
	CHECK_EQ(hx_start(&hx), 0);
	CHECK_EQ(hx_run(&hx, 10), 4);
	check_established_pair(&hx);
	CHECK_EQ(ike_sa_delete(hx.side[HX_R].sa), 0);
	/* INFORMATIONAL { D(IKE) } from the responder, its message ID 0 */
	expect_next(&hx, IKE_EXCH_INFORMATIONAL, 0, 0);
	CHECK_EQ(hx_step(&hx), HX_I);
	CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_DEAD);
	CHECK_EQ(hx.side[HX_I].n_deleted, 1);
	CHECK_EQ(hx.side[HX_I].n_child_down, 1);
	CHECK_EQ(hx.side[HX_I].n_live, 0);
	/* <-- INFORMATIONAL { } */
	expect_next(&hx, IKE_EXCH_INFORMATIONAL, 0, 1);
	CHECK_EQ(hx_step(&hx), HX_R);
	CHECK_EQ(ike_sa_state(hx.side[HX_R].sa), IKE_S_DEAD);
	CHECK_EQ(hx.side[HX_R].n_deleted, 1);
	CHECK_EQ(hx.side[HX_R].n_live, 0);
	CHECK(hx.side[HX_I].timer_at == UINT64_MAX);
	hx_free(&hx);
}

/* The gateway forgot the SA (it restarted): the client's next request
 * gets an unprotected INVALID_IKE_SPI (RFC 7296 2.21.4), which the client
 * takes without changing any state; a response is never answered. */
static void test_unknown_spi(void)
{
	struct hx hx;
	hx_init(&hx, PSK, PSK);
	CHECK_EQ(hx_start(&hx), 0);
	CHECK_EQ(hx_run(&hx, 10), 4);
	check_established_pair(&hx);
	CHECK_EQ(ike_sa_dpd(hx.side[HX_I].sa), 0);
	CHECK_EQ(hx.n_q, 1);
	struct hx_msg req = *hx.q[0];
	hx_drop(&hx);
	uint8_t out[64];
	size_t n = 0;
	CHECK_EQ(ike_answer_unknown_spi(req.data, req.len, out, sizeof(out), &n), 0);
	CHECK_EQ(n, 36);
	struct ike_msg m;
	struct ike_diag d = { 0 };
	CHECK_EQ(ike_msg_decode(out, n, &m, &d), 0);
	CHECK_MEM(m.hdr.spi_i, req.data, 16);
	CHECK_EQ(m.hdr.exch, IKE_EXCH_INFORMATIONAL);
	CHECK_EQ(m.hdr.flags, IKE_HDR_F_RESPONSE);
	CHECK_EQ(m.hdr.msg_id, 2);
	CHECK_EQ(m.chain.n, 1);
	struct ike_notify nt;
	CHECK_EQ(ike_notify_decode(&m.chain.pld[0], &nt), 0);
	CHECK_EQ(nt.type, IKE_N_INVALID_IKE_SPI);
	/* MUST NOT respond, MUST NOT change the state of any SA; the owner
	 * hears of it once (IKE_EV_UNKNOWN: petreld's cue to resume). */
	CHECK_EQ(hx_inject(&hx, HX_I, out, n), 0);
	CHECK_EQ(hx.side[HX_I].n_unknown, 1);
	CHECK_EQ(hx.n_q, 0);
	CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_ESTABLISHED);
	/* The request was not lost to it: its retransmission gets through. */
	CHECK_EQ(hx_fire_timer(&hx), 0);
	CHECK_EQ(hx_run(&hx, 4), 2);
	CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_ESTABLISHED);
	CHECK(hx.side[HX_I].timer_at == UINT64_MAX || hx.side[HX_I].timer_at > hx.now_ms);
	/* From the other end: the gateway's request to a client that forgot. */
	CHECK_EQ(ike_sa_dpd(hx.side[HX_R].sa), 0);
	CHECK_EQ(ike_answer_unknown_spi(hx.q[0]->data, hx.q[0]->len, out, sizeof(out), &n), 0);
	CHECK_EQ(ike_msg_decode(out, n, &m, &d), 0);
	CHECK_EQ(m.hdr.flags, IKE_HDR_F_RESPONSE | IKE_HDR_F_INITIATOR);
	/* and its response, which is never answered */
	CHECK_EQ(hx_step(&hx), HX_I);
	CHECK_EQ(hx.n_q, 1);
	CHECK_EQ(ike_answer_unknown_spi(hx.q[0]->data, hx.q[0]->len, out, sizeof(out), &n), -EALREADY);
	CHECK_EQ(ike_answer_unknown_spi(out, 20, out, sizeof(out), &n), -EBADMSG);
	CHECK_EQ(ike_answer_unknown_spi(req.data, req.len, out, 30, &n), -ENOBUFS);
	hx_run(&hx, 4);
	hx_free(&hx);
}

int main(void)
{
	test_psk_handshake();
	test_suites();
	test_wrong_psk();
	test_invalid_ke();
	test_cookie();
	test_force_natt();
	test_no_proposal();
	test_ts_unacceptable(0);
	test_ts_unacceptable(1);
	test_loss_and_duplicates();
	test_retransmit_give_up();
	test_garbage_after_auth();
	test_hostile();
	test_gateway_delete();
	test_unknown_spi();
	return test_done();
}
