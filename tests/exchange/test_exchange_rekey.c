/* Exchange tests for CREATE_CHILD_SA rekeys (RFC 7296 1.3.2, 1.3.3, 2.8,
 * 2.8.1, 2.18, 2.25) and liveness checks (1.4), started by either side. */
#include <errno.h>
#include <string.h>

#include "harness.h"
#include "ike/pld/consts.h"
#include "test.h"

#define PSK "a-lab-psk-of-reasonable-length-0123456789"

static void up(struct hx *hx, const char *esp)
{
	hx_init(hx, PSK, PSK);
	if (esp) {
		hx_props(hx, HX_I, NULL, esp);
		hx_props(hx, HX_R, NULL, esp);
	}
	CHECK_EQ(hx_start(hx), 0);
	CHECK_EQ(hx_run(hx, 10), 4);
	CHECK_EQ(ike_sa_state(hx->side[HX_I].sa), IKE_S_ESTABLISHED);
	CHECK_EQ(ike_sa_state(hx->side[HX_R].sa), IKE_S_ESTABLISHED);
}

static void expect_next(struct hx *hx, uint8_t exch, uint32_t id, int response)
{
	uint32_t got_id = 0;
	int got_resp = -1;
	CHECK_EQ(hx_peek_exch(hx, &got_id, &got_resp), exch);
	CHECK_EQ(got_id, id);
	CHECK_EQ(got_resp, response);
}

static void check_one_child(struct hx *hx, uint32_t not_spi)
{
	int n = 0;
	CHECK(hx_children_paired(hx, &n));
	CHECK_EQ(n, 1);
	CHECK(hx->side[HX_I].live_in[0] != not_spi);
}

/* Child rekey started by `who`, then the old pair deleted by `who`. */
static void test_child_rekey(int who, const char *esp)
{
	struct hx hx;
	up(&hx, esp);
	int other = !who;
	uint32_t old_in = hx.side[HX_I].live_in[0];
	uint32_t id = who == HX_I ? 2 : 0;

	CHECK_EQ(ike_sa_rekey_child(hx.side[who].sa), 0);
	/* CREATE_CHILD_SA { N(REKEY_SA), SA, Ni, [KEi,] TSi, TSr } --> */
	expect_next(&hx, IKE_EXCH_CREATE_CHILD_SA, id, 0);
	CHECK_EQ(hx_step(&hx), other);
	CHECK_EQ(hx.side[other].n_live, 2); /* ready on the new pair before answering */
	/* <-- CREATE_CHILD_SA { SA, Nr, [KEr,] TSi, TSr } */
	expect_next(&hx, IKE_EXCH_CREATE_CHILD_SA, id, 1);
	CHECK_EQ(hx_step(&hx), who);
	CHECK_EQ(hx.side[who].n_live, 2);
	/* INFORMATIONAL { D(ESP, old) } --> ; <-- INFORMATIONAL { D(ESP, old) } */
	expect_next(&hx, IKE_EXCH_INFORMATIONAL, id + 1, 0);
	CHECK_EQ(hx_run(&hx, 4), 2);
	check_one_child(&hx, old_in);
	CHECK_EQ(hx.side[HX_I].n_child_up, 2);
	CHECK_EQ(hx.side[HX_I].n_child_down, 1);
	CHECK_EQ(hx.side[HX_R].n_child_down, 1);
	CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_ESTABLISHED);
	CHECK_EQ(ike_sa_state(hx.side[HX_R].sa), IKE_S_ESTABLISHED);
	hx_free(&hx);
}

/* IKE SA rekey started by `who`: new SPIs, the Child SA kept, message IDs
 * from zero, and the new SA works (a liveness check, then a delete). */
static void test_ike_rekey(int who)
{
	struct hx hx;
	uint8_t si0[8], sr0[8], si1[8], sr1[8], si2[8], sr2[8];
	up(&hx, NULL);
	int other = !who;
	ike_sa_spis(hx.side[HX_I].sa, si0, sr0);

	CHECK_EQ(ike_sa_rekey_ike(hx.side[who].sa), 0);
	/* CREATE_CHILD_SA { SA(IKE, new SPI), Ni, KEi } --> ; <-- { SA, Nr, KEr } */
	expect_next(&hx, IKE_EXCH_CREATE_CHILD_SA, who == HX_I ? 2 : 0, 0);
	CHECK_EQ(hx_step(&hx), other);
	CHECK_EQ(hx_step(&hx), who);
	/* INFORMATIONAL { D(IKE) } on the old SA --> ; <-- { } */
	expect_next(&hx, IKE_EXCH_INFORMATIONAL, who == HX_I ? 3 : 1, 0);
	CHECK_EQ(hx_run(&hx, 4), 2);
	ike_sa_spis(hx.side[HX_I].sa, si1, sr1);
	ike_sa_spis(hx.side[HX_R].sa, si2, sr2);
	CHECK(memcmp(si0, si1, 8) != 0 && memcmp(sr0, sr1, 8) != 0);
	CHECK_MEM(si1, si2, 8);
	CHECK_MEM(sr1, sr2, 8);
	CHECK_EQ(hx.side[HX_I].n_rekeyed, 1);
	CHECK_EQ(hx.side[HX_R].n_rekeyed, 1);
	CHECK_EQ(hx.side[HX_I].n_child_down, 0);
	CHECK_EQ(hx.side[HX_R].n_child_down, 0);
	int n = 0;
	CHECK(hx_children_paired(&hx, &n));
	CHECK_EQ(n, 1);
	CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_ESTABLISHED);
	CHECK_EQ(ike_sa_state(hx.side[HX_R].sa), IKE_S_ESTABLISHED);

	/* The new SA: INFORMATIONAL { } --> with message ID 0. */
	CHECK_EQ(ike_sa_dpd(hx.side[HX_I].sa), 0);
	expect_next(&hx, IKE_EXCH_INFORMATIONAL, 0, 0);
	CHECK_EQ(hx_run(&hx, 4), 2);
	/* A Child rekey on the new SA derives from the new SK_d. */
	CHECK_EQ(ike_sa_rekey_child(hx.side[HX_I].sa), 0);
	CHECK_EQ(hx_run(&hx, 8), 4);
	CHECK(hx_children_paired(&hx, &n));
	CHECK_EQ(n, 1);
	CHECK_EQ(ike_sa_delete(hx.side[HX_I].sa), 0);
	CHECK_EQ(hx_run(&hx, 4), 2);
	CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_DEAD);
	CHECK_EQ(ike_sa_state(hx.side[HX_R].sa), IKE_S_DEAD);
	CHECK_EQ(hx.side[HX_I].n_deleted, 1);
	CHECK_EQ(hx.side[HX_R].n_deleted, 1);
	hx_free(&hx);
}

/* Both rekey the same Child SA at once (2.8.1): each answers the other;
 * the redundant pair and the old pair are deleted; one pair remains. */
static void test_child_collision(void)
{
	struct hx hx;
	up(&hx, NULL);
	uint32_t old_in = hx.side[HX_I].live_in[0];
	CHECK_EQ(ike_sa_rekey_child(hx.side[HX_I].sa), 0);
	CHECK_EQ(ike_sa_rekey_child(hx.side[HX_R].sa), 0);
	CHECK_EQ(hx.n_q, 2);
	/* Both requests cross, then both answers. */
	CHECK_EQ(hx_step(&hx), HX_R);
	CHECK_EQ(hx_step(&hx), HX_I);
	CHECK_EQ(hx.side[HX_I].n_live, 2);
	CHECK_EQ(hx.side[HX_R].n_live, 2);
	hx_run(&hx, 20);
	check_one_child(&hx, old_in);
	CHECK_EQ(hx.side[HX_I].n_child_up, 3);
	CHECK_EQ(hx.side[HX_I].n_child_down, 2);
	CHECK_EQ(hx.side[HX_R].n_child_down, 2);
	CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_ESTABLISHED);
	CHECK_EQ(ike_sa_state(hx.side[HX_R].sa), IKE_S_ESTABLISHED);
	hx_free(&hx);
}

/* Both rekey the IKE SA at once (RFC 7296 2.8.2): each answers the other;
 * the new SA of the exchange with the lowest nonce is redundant and deleted
 * by its initiator, the other initiator deletes the old SA, and both end on
 * the same new SPIs with the Child SA kept. */
static void test_ike_collision(void)
{
	struct hx hx;
	uint8_t si0[8], sr0[8], si1[8], sr1[8], si2[8], sr2[8];
	up(&hx, NULL);
	ike_sa_spis(hx.side[HX_I].sa, si0, sr0);
	CHECK_EQ(ike_sa_rekey_ike(hx.side[HX_I].sa), 0);
	CHECK_EQ(ike_sa_rekey_ike(hx.side[HX_R].sa), 0);
	CHECK_EQ(hx.n_q, 2);
	/* CREATE_CHILD_SA --> and <-- cross; both are answered normally */
	CHECK_EQ(hx_step(&hx), HX_R);
	CHECK_EQ(hx_step(&hx), HX_I);
	CHECK_EQ(hx.n_q, 2);
	/* then the two answers, the redundant SA's Delete, the old SA's
	 * Delete, and an answer to each Delete: the redundant SA's too
	 * (its sender has dropped that SA and takes the answer as unknown). */
	int n_msgs = 0, n_info_resp = 0, n_unknown = 0, n_dels = 0;
	static struct hx_msg dels[2];
	while (hx.n_q && n_msgs < 20) {
		uint32_t id = 0;
		int resp = 0, to = hx.q[0]->to;
		uint8_t exch = hx_peek_exch(&hx, &id, &resp);
		struct hx_msg m = *hx.q[0];
		hx_drop(&hx);
		if (exch == IKE_EXCH_INFORMATIONAL && !resp && n_dels < 2)
			dels[n_dels++] = m;
		int rc = hx_inject(&hx, to, m.data, m.len);
		n_msgs++;
		n_info_resp += exch == IKE_EXCH_INFORMATIONAL && resp;
		n_unknown += rc != 0;
	}
	CHECK_EQ(n_msgs, 6);
	CHECK_EQ(n_info_resp, 2);
	CHECK_EQ(n_unknown, 1);
	CHECK_EQ(n_dels, 2);
	/* Both Deletes again (their answers lost): the old SA is gone, but the
	 * redundant SA's Delete is answered once more ... */
	int n_served = 0;
	for (int i = 0; i < n_dels; i++)
		n_served += hx_inject(&hx, dels[i].to, dels[i].data, dels[i].len) == 0;
	CHECK_EQ(n_served, 1);
	CHECK_EQ(hx.n_q, 1);
	while (hx_drop(&hx) >= 0)
		;
	/* ... until a minute later, when its keys are gone. */
	uint64_t t0 = hx.now_ms;
	for (int i = 0; i < 10 && hx.now_ms - t0 < 60000; i++) {
		if (hx_fire_timer(&hx))
			break;
		hx_run(&hx, 8);
	}
	CHECK(hx.now_ms - t0 >= 60000);
	n_served = 0;
	for (int i = 0; i < n_dels; i++)
		n_served += hx_inject(&hx, dels[i].to, dels[i].data, dels[i].len) == 0;
	CHECK_EQ(n_served, 0);
	ike_sa_spis(hx.side[HX_I].sa, si1, sr1);
	ike_sa_spis(hx.side[HX_R].sa, si2, sr2);
	CHECK(memcmp(si0, si1, 8) != 0);
	CHECK_MEM(si1, si2, 8);
	CHECK_MEM(sr1, sr2, 8);
	CHECK_EQ(hx.side[HX_I].n_rekeyed, 1);
	CHECK_EQ(hx.side[HX_R].n_rekeyed, 1);
	CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_ESTABLISHED);
	CHECK_EQ(ike_sa_state(hx.side[HX_R].sa), IKE_S_ESTABLISHED);
	CHECK_EQ(hx.side[HX_I].n_child_down, 0);
	int n = 0;
	CHECK(hx_children_paired(&hx, &n));
	CHECK_EQ(n, 1);
	/* the surviving SA works both ways */
	CHECK_EQ(ike_sa_dpd(hx.side[HX_I].sa), 0);
	CHECK_EQ(hx_run(&hx, 4), 2);
	CHECK_EQ(ike_sa_dpd(hx.side[HX_R].sa), 0);
	CHECK_EQ(hx_run(&hx, 4), 2);
	CHECK_EQ(ike_sa_rekey_child(hx.side[HX_I].sa), 0);
	CHECK_EQ(hx_run(&hx, 8), 4);
	CHECK(hx_children_paired(&hx, &n));
	CHECK_EQ(n, 1);
	CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_ESTABLISHED);
	CHECK_EQ(ike_sa_state(hx.side[HX_R].sa), IKE_S_ESTABLISHED);
	hx_free(&hx);
}

/* Liveness checks on a timer; a silent peer is declared dead. */
static void test_dpd(void)
{
	struct hx hx;
	hx_init(&hx, PSK, PSK);
	hx.side[HX_I].cfg.dpd_ms = 30000;
	CHECK_EQ(hx_start(&hx), 0);
	CHECK_EQ(hx_run(&hx, 10), 4);
	CHECK(hx.side[HX_I].timer_at != UINT64_MAX);
	uint64_t t0 = hx.now_ms;
	CHECK_EQ(hx_fire_timer(&hx), 0);
	CHECK_EQ(hx.now_ms - t0, 30000);
	/* INFORMATIONAL { } --> ; <-- { } */
	expect_next(&hx, IKE_EXCH_INFORMATIONAL, 2, 0);
	CHECK_EQ(hx_run(&hx, 4), 2);
	CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_ESTABLISHED);
	/* Now the gateway vanishes. */
	int rounds = 0;
	while (ike_sa_state(hx.side[HX_I].sa) != IKE_S_DEAD && rounds++ < 20) {
		while (hx_drop(&hx) >= 0)
			;
		hx.side[HX_R].timer_at = UINT64_MAX;
		if (hx_fire_timer(&hx))
			break;
	}
	CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_DEAD);
	CHECK_EQ(hx.side[HX_I].last_err, -ETIMEDOUT);
	CHECK_EQ(hx.side[HX_I].n_live, 0);
	hx_free(&hx);
}

int main(void)
{
	test_child_rekey(HX_I, NULL);
	test_child_rekey(HX_R, NULL);
	test_child_rekey(HX_I, "aes256gcm16-x25519");
	test_child_rekey(HX_R, "chacha20poly1305-ecp256");
	test_ike_rekey(HX_I);
	test_ike_rekey(HX_R);
	test_child_collision();
	test_ike_collision();
	test_dpd();
	return test_done();
}
