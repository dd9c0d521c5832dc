/* Exchange tests for the transport extensions: SEPARATE_TRANSPORTS in
 * IKE_SA_INIT (draft-ietf-ipsecme-ikev2-reliable-transport), the stream
 * rules once IKE runs on TCP (RFC 9329: no retransmission, no
 * fragmentation), and ENCRYPTED_PING_SUPPORTED in IKE_AUTH
 * (draft-ietf-ipsecme-encrypted-esp-ping). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "ike/pld/consts.h"
#include "test.h"

#define PSK "a-lab-psk-of-reasonable-length-0123456789"

/* 1 when the first queued message carries a status notify of this type
 * with no SPI and no data (Protocol ID 0, SPI Size 0, type; RFC 7296 3.10),
 * found by its payload header: length 8, then the notify body. */
static int queued_has_notify(const struct hx *hx, uint16_t type)
{
	if (!hx->n_q)
		return 0;
	const uint8_t *p = hx->q[0]->data;
	size_t len = hx->q[0]->len;
	uint8_t want[8] = { 0, 0, 0, 8, 0, 0, (uint8_t)(type >> 8), (uint8_t)type };
	for (size_t i = 28; i + 8 <= len; i++)
		if (!memcmp(p + i + 1, want + 1, 7) && (p[i + 1] & 0x7f) == 0)
			return 1;
	return 0;
}

static void test_separate_agreed(void)
{
	struct hx hx;
	hx_init(&hx, PSK, PSK);
	hx.side[HX_I].cfg.separate = 1;
	hx.side[HX_R].cfg.separate = 1;
	CHECK_EQ(hx_start(&hx), 0);
	CHECK(queued_has_notify(&hx, IKE_CP_DEFAULT_SEPARATE_TRANSPORTS));
	CHECK_EQ(hx_step(&hx), HX_R);
	CHECK(queued_has_notify(&hx, IKE_CP_DEFAULT_SEPARATE_TRANSPORTS));
	CHECK_EQ(hx_run(&hx, 10), 3);
	CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_ESTABLISHED);
	CHECK_EQ(ike_sa_separate(hx.side[HX_I].sa), 1);
	CHECK_EQ(ike_sa_separate(hx.side[HX_R].sa), 1);
	CHECK_EQ(ike_sa_echo(hx.side[HX_I].sa), 0);
	hx_free(&hx);
}

/* Offered but not answered, or answered without an offer: not agreed. */
static void test_separate_one_sided(void)
{
	for (int who = 0; who < 2; who++) {
		struct hx hx;
		hx_init(&hx, PSK, PSK);
		hx.side[who].cfg.separate = 1;
		CHECK_EQ(hx_start(&hx), 0);
		CHECK_EQ(queued_has_notify(&hx, IKE_CP_DEFAULT_SEPARATE_TRANSPORTS), who == HX_I);
		CHECK_EQ(hx_step(&hx), HX_R);
		CHECK_EQ(queued_has_notify(&hx, IKE_CP_DEFAULT_SEPARATE_TRANSPORTS), 0);
		CHECK_EQ(hx_run(&hx, 10), 3);
		CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_ESTABLISHED);
		CHECK_EQ(ike_sa_separate(hx.side[HX_I].sa), 0);
		CHECK_EQ(ike_sa_separate(hx.side[HX_R].sa), 0);
		hx_free(&hx);
	}
}

/* The TBD numbers come from configuration: both sides must use the same. */
static void test_codepoints(void)
{
	struct ike_codepoints a = *ike_codepoints_default(), b = a;
	a.n_separate_transports = 50001;
	a.n_encrypted_ping_supported = 50002;
	b.n_separate_transports = 50001;
	b.n_encrypted_ping_supported = 50003;
	struct hx hx;
	hx_init(&hx, PSK, PSK);
	for (int who = 0; who < 2; who++) {
		hx.side[who].cfg.separate = hx.side[who].cfg.echo = 1;
		hx.side[who].cfg.cp = who ? &b : &a;
	}
	CHECK_EQ(hx_start(&hx), 0);
	CHECK(queued_has_notify(&hx, 50001));
	CHECK(!queued_has_notify(&hx, IKE_CP_DEFAULT_SEPARATE_TRANSPORTS));
	CHECK_EQ(hx_run(&hx, 10), 4);
	CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_ESTABLISHED);
	CHECK_EQ(ike_sa_separate(hx.side[HX_I].sa), 1);
	CHECK_EQ(ike_sa_echo(hx.side[HX_I].sa), 0); /* 50002 against 50003 */
	CHECK_EQ(ike_sa_echo(hx.side[HX_R].sa), 0);
	hx_free(&hx);
}

static void test_echo(void)
{
	for (int mask = 0; mask < 4; mask++) {
		struct hx hx;
		hx_init(&hx, PSK, PSK);
		hx.side[HX_I].cfg.echo = mask & 1;
		hx.side[HX_R].cfg.echo = !!(mask & 2);
		CHECK_EQ(hx_start(&hx), 0);
		CHECK_EQ(hx_run(&hx, 10), 4);
		CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_ESTABLISHED);
		CHECK_EQ(ike_sa_echo(hx.side[HX_I].sa), mask == 3);
		CHECK_EQ(ike_sa_echo(hx.side[HX_R].sa), mask == 3);
		hx_free(&hx);
	}
}

/* Once IKE runs on a stream, a lost request is not sent again: it fails
 * after the time the whole UDP schedule would have taken. */
static void test_stream_no_retransmit(void)
{
	struct hx hx;
	hx_init(&hx, PSK, PSK);
	hx.side[HX_I].cfg.separate = 1;
	hx.side[HX_R].cfg.separate = 1;
	CHECK_EQ(hx_start(&hx), 0);
	CHECK_EQ(hx_step(&hx), HX_R);
	CHECK_EQ(hx_step(&hx), HX_I);  /* IKE_SA_INIT done; IKE_AUTH queued */
	int sent = hx.side[HX_I].sent;
	uint64_t t0 = hx.now_ms;
	CHECK_EQ(hx_drop(&hx), HX_R);
	CHECK_EQ(hx_fire_timer(&hx), 0);
	CHECK_EQ(hx.side[HX_I].sent, sent);
	CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_DEAD);
	CHECK_EQ(hx.side[HX_I].last_err, -ETIMEDOUT);
	CHECK_EQ(hx.now_ms - t0, 1000 + 2000 + 4000 + 8000 + 16000 + 32000);
	hx_free(&hx);
}

/* A new stream: the request in flight goes out once more, and a request
 * the responder already answered gets the same response again. */
static void test_stream_resend(void)
{
	struct hx hx;
	hx_init(&hx, PSK, PSK);
	hx.side[HX_I].cfg.separate = 1;
	hx.side[HX_R].cfg.separate = 1;
	CHECK_EQ(hx_start(&hx), 0);
	CHECK_EQ(hx_run(&hx, 10), 4);
	CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_ESTABLISHED);
	CHECK_EQ(ike_sa_dpd(hx.side[HX_I].sa), 0);
	CHECK_EQ(hx_step(&hx), HX_R);  /* the request arrives ... */
	CHECK_EQ(hx_drop(&hx), HX_I);  /* ... its answer is lost with the stream */
	int sent = hx.side[HX_I].sent;
	ike_sa_resend(hx.side[HX_I].sa);
	CHECK_EQ(hx.side[HX_I].sent, sent + 1);
	CHECK_EQ(hx_run(&hx, 10), 2);
	CHECK(hx.side[HX_I].timer_at == UINT64_MAX || hx.side[HX_I].timer_at > hx.now_ms + 1000);
	CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_ESTABLISHED);
	CHECK_EQ(hx.side[HX_I].n_failed, 0);
	/* Nothing in flight: resend sends nothing. */
	sent = hx.side[HX_I].sent;
	ike_sa_resend(hx.side[HX_I].sa);
	CHECK_EQ(hx.side[HX_I].sent, sent);
	/* Back on UDP (ike_sa_set_reliable(0)): retransmission again. */
	ike_sa_set_reliable(hx.side[HX_I].sa, 0);
	CHECK_EQ(ike_sa_dpd(hx.side[HX_I].sa), 0);
	CHECK_EQ(hx_drop(&hx), HX_R);
	CHECK_EQ(hx_fire_timer(&hx), 0);
	CHECK_EQ(hx.side[HX_I].sent, sent + 2);
	CHECK_EQ(hx_run(&hx, 10), 2);
	CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_ESTABLISHED);
	hx_free(&hx);
}

int main(void)
{
	test_separate_agreed();
	test_separate_one_sided();
	test_codepoints();
	test_echo();
	test_stream_no_retransmit();
	test_stream_resend();
	return test_done();
}
