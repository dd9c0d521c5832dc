/* Exchange tests for roaming: RFC 5723 tickets and IKE_SESSION_RESUME, and
 * RFC 4555 MOBIKE's UPDATE_SA_ADDRESSES. The responder's tickets here are
 * an index into a table the test holds (the real sealing is petrel-gw's
 * src/gw/ticket.c, unit-tested on its own): what matters is what the
 * engines do with them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "harness.h"
#include "ike/pld/consts.h"
#include "test.h"

#define PSK "a-lab-psk-of-reasonable-length-0123456789"

/* ---- a ticket store for the responder ---- */

#define STORE_MAX 8
struct store {
	struct ike_resume_state st[STORE_MAX];
	int used[STORE_MAX], n;
	int refuse_all;  /* as a gateway that lost its ticket key */
	int n_sealed, n_opened, n_refused;
};

static int seal(void *arg, const struct ike_resume_state *st, uint8_t *out, size_t cap,
		size_t *len, uint32_t *lifetime_s)
{
	struct store *s = arg;
	if (s->n >= STORE_MAX || cap < 8)
		return -ENOSPC;
	s->st[s->n] = *st;
	memcpy(out, "TICKET", 6);
	out[6] = 0;
	out[7] = (uint8_t)s->n++;
	*len = 8;
	*lifetime_s = 3600;
	s->n_sealed++;
	return 0;
}

static int open_ticket(void *arg, const uint8_t *t, size_t len, struct ike_resume_state *st)
{
	struct store *s = arg;
	if (s->refuse_all || len != 8 || memcmp(t, "TICKET", 6) != 0 || t[7] >= s->n) {
		s->n_refused++;
		return -EKEYREJECTED;
	}
	if (s->used[t[7]]++) {
		s->n_refused++;
		return -EALREADY; /* single use */
	}
	*st = s->st[t[7]];
	s->n_opened++;
	return 0;
}

static void with_tickets(struct hx *hx, struct store *s)
{
	hx->side[HX_I].cfg.ticket_request = 1;
	hx->side[HX_R].cfg.ticket_seal = seal;
	hx->side[HX_R].cfg.ticket_open = open_ticket;
	hx->side[HX_R].cfg.ticket_arg = s;
}

/* A full IKE_SA_INIT + IKE_AUTH that asks for a ticket; *t gets it. */
static void first_session(struct store *s, struct ike_ticket *t, uint8_t old_spi_i[8],
			  uint8_t old_spi_r[8])
{
	struct hx hx;
	hx_init(&hx, PSK, PSK);
	with_tickets(&hx, s);
	CHECK_EQ(hx_start(&hx), 0);
	CHECK_EQ(hx_run(&hx, 10), 4);
	CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_ESTABLISHED);
	CHECK_EQ(hx.side[HX_I].n_ticket, 1);
	CHECK_EQ(s->n_sealed, 1);
	CHECK_EQ(ike_sa_ticket(hx.side[HX_I].sa, t), 0);
	CHECK_EQ(t->opaque_len, 8);
	CHECK_EQ(t->lifetime_s, 3600);
	CHECK_EQ(t->st.sk_d_len, 32); /* PRF_HMAC_SHA2_256 */
	/* Both sides put the same state behind the ticket. */
	const struct ike_resume_state *g = &s->st[s->n - 1];
	CHECK(memcmp(g->sk_d, t->st.sk_d, 32) == 0);
	CHECK_EQ(g->idi.len, t->st.idi.len);
	CHECK(memcmp(g->idi.data, t->st.idi.data, g->idi.len) == 0);
	CHECK_EQ(g->idr.len, t->st.idr.len);
	CHECK(memcmp(g->idr.data, t->st.idr.data, g->idr.len) == 0);
	CHECK(memcmp(&g->alg, &t->st.alg, sizeof(g->alg)) == 0);
	ike_sa_spis(hx.side[HX_I].sa, old_spi_i, old_spi_r);
	CHECK(memcmp(g->spi_i, old_spi_i, 8) == 0 && memcmp(g->spi_r, old_spi_r, 8) == 0);
	hx_free(&hx);
}

/* A fresh pair that resumes with *t (new SPIs and nonces); started unless
 * the caller configures it first. */
static void resume_pair(struct hx *hx, struct store *s, const struct ike_ticket *t, int start)
{
	hx_init(hx, PSK, PSK);
	hx->rng += 0x9e3779b97f4a7c15ull; /* other SPIs and nonces than the first session's */
	with_tickets(hx, s);
	hx->side[HX_I].cfg.resume = t;
	if (start)
		CHECK_EQ(hx_start(hx), 0);
}

static void test_no_ticket_unasked(void)
{
	struct hx hx;
	struct store s = { 0 };
	hx_init(&hx, PSK, PSK);
	with_tickets(&hx, &s);
	hx.side[HX_I].cfg.ticket_request = 0;
	CHECK_EQ(hx_start(&hx), 0);
	CHECK_EQ(hx_run(&hx, 10), 4);
	CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_ESTABLISHED);
	CHECK_EQ(s.n_sealed, 0);
	struct ike_ticket t;
	CHECK_EQ(ike_sa_ticket(hx.side[HX_I].sa, &t), -ENOENT);
	CHECK_EQ(hx.side[HX_I].n_ticket, 0);
	hx_free(&hx);
}

/* Asked of a gateway without tickets: TICKET_NACK, and the SA is fine. */
static void test_ticket_nack(void)
{
	struct hx hx;
	hx_init(&hx, PSK, PSK);
	hx.side[HX_I].cfg.ticket_request = 1;
	CHECK_EQ(hx_start(&hx), 0);
	CHECK_EQ(hx_run(&hx, 10), 4);
	CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_ESTABLISHED);
	struct ike_ticket t;
	CHECK_EQ(ike_sa_ticket(hx.side[HX_I].sa, &t), -ENOENT);
	hx_free(&hx);
}

static void test_resume(enum ike_resume_auth form_i, enum ike_resume_auth form_r)
{
	struct store s = { 0 };
	struct ike_ticket t;
	uint8_t old_i[8], old_r[8], new_i[8], new_r[8];
	struct hx hx;

	first_session(&s, &t, old_i, old_r);
	resume_pair(&hx, &s, &t, 0);
	/* resumption does not use the PSK */
	hx.side[HX_R].psk->p[0] ^= 1;
	hx.side[HX_I].cfg.resume_auth = form_i;
	hx.side[HX_R].cfg.resume_auth = form_r;
	CHECK_EQ(hx_start(&hx), 0);
	uint32_t id;
	int resp;
	CHECK_EQ(hx_peek_exch(&hx, &id, &resp), IKE_EXCH_SESSION_RESUME);
	CHECK_EQ(id, 0);
	CHECK_EQ(hx_step(&hx), HX_R);
	CHECK_EQ(hx_peek_exch(&hx, &id, &resp), IKE_EXCH_SESSION_RESUME);
	CHECK_EQ(resp, 1);
	CHECK_EQ(hx_step(&hx), HX_I);
	CHECK_EQ(hx_peek_exch(&hx, &id, &resp), IKE_EXCH_AUTH);
	CHECK_EQ(id, 1);
	CHECK_EQ(hx_run(&hx, 10), 2); /* two round trips in all */
	CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_ESTABLISHED);
	CHECK_EQ(ike_sa_state(hx.side[HX_R].sa), IKE_S_ESTABLISHED);
	CHECK_EQ(hx.side[HX_I].n_established, 1);
	CHECK_EQ(hx.side[HX_R].n_established, 1);
	int n;
	CHECK(hx_children_paired(&hx, &n));
	CHECK_EQ(n, 1);
	CHECK_EQ(s.n_opened, 1);
	/* New SPIs; the old SA named to the responder; the same transforms. */
	ike_sa_spis(hx.side[HX_I].sa, new_i, new_r);
	CHECK(memcmp(new_i, old_i, 8) != 0 && memcmp(new_r, old_r, 8) != 0);
	struct ike_resume_state old;
	CHECK_EQ(ike_sa_resumed(hx.side[HX_R].sa, &old), 1);
	CHECK(memcmp(old.spi_i, old_i, 8) == 0 && memcmp(old.spi_r, old_r, 8) == 0);
	CHECK_EQ(ike_sa_resumed(hx.side[HX_I].sa, NULL), 0);
	CHECK(memcmp(ike_sa_ike_alg(hx.side[HX_I].sa), &t.st.alg, sizeof(t.st.alg)) == 0);
	/* A new ticket for the next move, and the SA works: a Child SA rekey
	 * and a liveness check. */
	CHECK_EQ(hx.side[HX_I].n_ticket, 1);
	struct ike_ticket t2;
	CHECK_EQ(ike_sa_ticket(hx.side[HX_I].sa, &t2), 0);
	CHECK(memcmp(t2.opaque, t.opaque, t.opaque_len) != 0);
	CHECK_EQ(ike_sa_rekey_child(hx.side[HX_I].sa), 0);
	hx_run(&hx, 10);
	CHECK(hx_children_paired(&hx, &n));
	CHECK_EQ(n, 1);
	CHECK_EQ(ike_sa_dpd(hx.side[HX_R].sa), 0);
	hx_run(&hx, 10);
	CHECK_EQ(ike_sa_state(hx.side[HX_R].sa), IKE_S_ESTABLISHED);
	hx_free(&hx);
	crypto_wipe(&t, sizeof(t));
}

/* Refused (lost key, replay): TICKET_NACK, -ESTALE for the owner (who
 * then does a full handshake), and no state on the responder. */
static void test_refused(void)
{
	struct store s = { 0 };
	struct ike_ticket t;
	uint8_t oi[8], or_[8];
	struct hx hx;

	first_session(&s, &t, oi, or_);
	s.refuse_all = 1;
	resume_pair(&hx, &s, &t, 1);
	CHECK_EQ(hx_step(&hx), HX_R);
	CHECK(hx.side[HX_R].sa == NULL);
	CHECK_EQ(hx_step(&hx), HX_I);
	CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_DEAD);
	CHECK_EQ(hx.side[HX_I].n_failed, 1);
	CHECK_EQ(hx.side[HX_I].last_err, -ESTALE);
	hx_free(&hx);

	/* Replay: the first use works, the second is refused. */
	s.refuse_all = 0;
	resume_pair(&hx, &s, &t, 1);
	hx_run(&hx, 10);
	CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_ESTABLISHED);
	hx_free(&hx);
	resume_pair(&hx, &s, &t, 1);
	hx_run(&hx, 10);
	CHECK_EQ(hx.side[HX_I].last_err, -ESTALE);
	CHECK_EQ(s.n_refused, 2);
	hx_free(&hx);
}

/* RFC 5723 4.3.2: a new ticket on request, also after an IKE SA rekey
 * (for the new SK_d); resuming with it works. */
static void test_ticket_refresh(void)
{
	struct store s = { 0 };
	struct ike_ticket t1, t2, t3;
	struct hx hx;

	hx_init(&hx, PSK, PSK);
	with_tickets(&hx, &s);
	CHECK_EQ(hx_start(&hx), 0);
	CHECK_EQ(hx_run(&hx, 10), 4);
	CHECK_EQ(ike_sa_ticket(hx.side[HX_I].sa, &t1), 0);
	CHECK_EQ(ike_sa_request_ticket(hx.side[HX_R].sa), -EINVAL); /* the initiator asks */
	CHECK_EQ(ike_sa_request_ticket(hx.side[HX_I].sa), 0);
	CHECK_EQ(hx_run(&hx, 10), 2);
	CHECK_EQ(hx.side[HX_I].n_ticket, 2);
	CHECK_EQ(ike_sa_ticket(hx.side[HX_I].sa, &t2), 0);
	CHECK(t2.opaque[7] != t1.opaque[7]);
	CHECK(memcmp(t2.st.sk_d, t1.st.sk_d, 32) == 0);
	CHECK_EQ(ike_sa_rekey_ike(hx.side[HX_I].sa), 0);
	hx_run(&hx, 10);
	CHECK_EQ(hx.side[HX_I].n_rekeyed, 1);
	CHECK_EQ(ike_sa_request_ticket(hx.side[HX_I].sa), 0);
	CHECK_EQ(hx_run(&hx, 10), 2);
	CHECK_EQ(ike_sa_ticket(hx.side[HX_I].sa, &t3), 0);
	CHECK(memcmp(t3.st.sk_d, t1.st.sk_d, 32) != 0); /* the rekeyed SA's SK_d */
	uint8_t si[8], sr[8];
	ike_sa_spis(hx.side[HX_I].sa, si, sr);
	CHECK(memcmp(t3.st.spi_i, si, 8) == 0 && memcmp(t3.st.spi_r, sr, 8) == 0);
	hx_free(&hx);
	resume_pair(&hx, &s, &t3, 1);
	hx_run(&hx, 10);
	CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_ESTABLISHED);
	struct ike_resume_state old;
	CHECK_EQ(ike_sa_resumed(hx.side[HX_R].sa, &old), 1);
	CHECK(memcmp(old.spi_i, si, 8) == 0);
	hx_free(&hx);
}

/* A gateway without tickets, and an empty ticket: TICKET_NACK, no state. */
static void test_nack_cases(void)
{
	struct store s = { 0 };
	struct ike_ticket t;
	uint8_t oi[8], or_[8];
	struct hx hx;

	first_session(&s, &t, oi, or_);
	for (int which = 0; which < 2; which++) {
		struct ike_ticket e = t;
		if (which == 1)
			e.opaque_len = 0;
		resume_pair(&hx, &s, &e, 0);
		if (which == 0)
			hx.side[HX_R].cfg.ticket_open = NULL;
		CHECK_EQ(hx_start(&hx), 0);
		CHECK_EQ(hx_step(&hx), HX_R);
		CHECK(hx.side[HX_R].sa == NULL);
		if (which == 1) {
			/* an empty TICKET_OPAQUE is malformed (RFC 5723 4.3.1):
			 * dropped unanswered, as bad unprotected requests are */
			CHECK_EQ(hx.n_q, 0);
			hx_free(&hx);
			continue;
		}
		CHECK_EQ(hx_step(&hx), HX_I);
		CHECK_EQ(hx.side[HX_I].last_err, -ESTALE);
		CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_DEAD);
		hx_free(&hx);
	}
	CHECK_EQ(s.n_opened, 0);
}

/* RFC 5723 4.3.1: a responder under load asks for a COOKIE before it
 * opens a ticket; the initiator sends the request again with it. */
static void test_resume_cookie(void)
{
	struct store s = { 0 };
	struct ike_ticket t;
	uint8_t oi[8], or_[8];
	struct hx hx;
	struct secret *k = NULL;

	first_session(&s, &t, oi, or_);
	resume_pair(&hx, &s, &t, 0);
	CHECK_EQ(crypto_secret_from("a cookie secret of 32 octets....", 32, &k), 0);
	hx.side[HX_R].cfg.require_cookie = 1;
	hx.side[HX_R].cfg.cookie_secret = k;
	CHECK_EQ(hx_start(&hx), 0);
	CHECK_EQ(hx_step(&hx), HX_R);
	CHECK(hx.side[HX_R].sa == NULL);
	CHECK_EQ(s.n_opened, 0); /* not before the cookie */
	hx_run(&hx, 10);
	CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_ESTABLISHED);
	CHECK_EQ(s.n_opened, 1);
	hx_free(&hx);
	crypto_secret_free(k);
}

/* A ticket without its SK_d, or presented for another identity, gets
 * through IKE_SESSION_RESUME but not IKE_AUTH. */
static void test_wrong_secrets(void)
{
	for (int which = 0; which < 3; which++) {
		struct store s = { 0 };
		struct ike_ticket t;
		uint8_t oi[8], or_[8];
		struct hx hx;

		first_session(&s, &t, oi, or_);
		if (which == 0)
			t.st.sk_d[0] ^= 1;
		else if (which == 1)
			t.st.idi.data[0] ^= 1;
		else
			t.st.idr.data[0] ^= 1; /* the gateway's identity */
		resume_pair(&hx, &s, &t, 1);
		/* A wrong SK_d makes keys the gateway cannot read: it drops the
		 * request, and the client gives up after its retransmissions. */
		for (int i = 0; i < 10 && ike_sa_state(hx.side[HX_I].sa) != IKE_S_DEAD; i++) {
			hx_run(&hx, 10);
			hx_fire_timer(&hx);
		}
		CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_DEAD);
		CHECK_EQ(hx.side[HX_I].n_established, 0);
		CHECK_EQ(hx.side[HX_R].n_established, 0);
		CHECK_EQ(hx.side[HX_I].n_child_up, 0);
		hx_free(&hx);
	}
}

/* A resume whose answer is lost is sent again, like IKE_SA_INIT. */
static void test_resume_loss(void)
{
	struct store s = { 0 };
	struct ike_ticket t;
	uint8_t oi[8], or_[8];
	struct hx hx;

	first_session(&s, &t, oi, or_);
	resume_pair(&hx, &s, &t, 1);
	CHECK_EQ(hx_drop(&hx), HX_R);
	CHECK_EQ(hx_fire_timer(&hx), 0);
	hx_run(&hx, 10);
	CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_ESTABLISHED);
	hx_free(&hx);
}

/* ---- MOBIKE ---- */

static void set_ip(struct ike_addr *a, const uint8_t ip[4], uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	memcpy(a->ip, ip, 4);
	a->port = port;
}

/* An established pair; MOBIKE configured on the initiator / responder. */
static void mobike_pair(struct hx *hx, int on_i, int on_r)
{
	hx_init(hx, PSK, PSK);
	hx->side[HX_I].cfg.mobike = on_i;
	hx->side[HX_R].cfg.mobike = on_r;
	CHECK_EQ(hx_start(hx), 0);
	CHECK_EQ(hx_run(hx, 10), 4);
}

static void test_mobike(void)
{
	struct hx hx;
	mobike_pair(&hx, 1, 1);
	CHECK_EQ(ike_sa_mobike(hx.side[HX_I].sa), 1);
	CHECK_EQ(ike_sa_mobike(hx.side[HX_R].sa), 1);
	CHECK_EQ(ike_sa_nat_local(hx.side[HX_I].sa), 0);

	/* The client moves to a new address the gateway sees as it is. */
	static const uint8_t b[4] = { 198, 51, 100, 70 };
	set_ip(&hx.side[HX_I].local, b, 4500);
	set_ip(&hx.side[HX_R].remote, b, 4500);
	CHECK_EQ(ike_sa_update_addresses(hx.side[HX_I].sa), 0);
	CHECK_EQ(ike_sa_update_addresses(hx.side[HX_I].sa), 0); /* in flight: one more follows */
	CHECK_EQ(ike_sa_update_addresses(hx.side[HX_I].sa), 0); /* that one is queued: no third */
	CHECK_EQ(hx_run(&hx, 10), 4);
	CHECK_EQ(hx.side[HX_I].n_updated, 2);
	CHECK_EQ(hx.side[HX_R].n_updated, 2);
	CHECK_EQ(ike_sa_update_addresses(hx.side[HX_I].sa), 0);
	CHECK_EQ(hx_run(&hx, 10), 2);
	CHECK_EQ(hx.side[HX_I].n_updated, 3);
	CHECK_EQ(hx.side[HX_R].n_updated, 3);
	CHECK_EQ(ike_sa_nat_local(hx.side[HX_I].sa), 0);
	CHECK_EQ(ike_sa_nat_remote(hx.side[HX_R].sa), 0);

	/* ... then behind a NAT: the gateway sees another address. */
	static const uint8_t c[4] = { 192, 0, 2, 200 }, nat[4] = { 198, 51, 100, 254 };
	set_ip(&hx.side[HX_I].local, c, 4500);
	set_ip(&hx.side[HX_R].remote, nat, 40001);
	CHECK_EQ(ike_sa_update_addresses(hx.side[HX_I].sa), 0);
	CHECK_EQ(hx_run(&hx, 10), 2);
	CHECK_EQ(hx.side[HX_I].n_updated, 4);
	CHECK_EQ(hx.side[HX_R].n_updated, 4);
	CHECK_EQ(ike_sa_nat_local(hx.side[HX_I].sa), 1);
	CHECK_EQ(ike_sa_nat_remote(hx.side[HX_R].sa), 1);
	CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_ESTABLISHED);
	hx_free(&hx);
}

/* Only one side wants MOBIKE: not agreed, no update possible; an
 * UPDATE_SA_ADDRESSES the responder did not agree to changes nothing. */
static void test_mobike_one_sided(void)
{
	for (int who = 0; who < 2; who++) {
		struct hx hx;
		mobike_pair(&hx, who == HX_I, who == HX_R);
		CHECK_EQ(ike_sa_mobike(hx.side[HX_I].sa), 0);
		CHECK_EQ(ike_sa_mobike(hx.side[HX_R].sa), 0);
		CHECK_EQ(ike_sa_update_addresses(hx.side[HX_I].sa), -ENOTSUP);
		hx_free(&hx);
	}
}

/* A lost UPDATE_SA_ADDRESSES is retransmitted; an answer that never
 * comes ends the SA (the owner then resumes or starts again). */
static void test_mobike_lost(void)
{
	struct hx hx;
	mobike_pair(&hx, 1, 1);
	CHECK_EQ(ike_sa_update_addresses(hx.side[HX_I].sa), 0);
	CHECK_EQ(hx_drop(&hx), HX_R);
	CHECK_EQ(hx_fire_timer(&hx), 0);
	CHECK_EQ(hx_run(&hx, 10), 2);
	CHECK_EQ(hx.side[HX_I].n_updated, 1);
	CHECK_EQ(ike_sa_update_addresses(hx.side[HX_I].sa), 0);
	for (int i = 0; i < 8 && ike_sa_state(hx.side[HX_I].sa) != IKE_S_DEAD; i++) {
		while (hx_drop(&hx) >= 0)
			;
		hx_fire_timer(&hx);
	}
	CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_DEAD);
	CHECK_EQ(hx.side[HX_I].last_err, -ETIMEDOUT);
	hx_free(&hx);
}

/* A gateway that lost the SA answers our request with an unprotected
 * INVALID_IKE_SPI (RFC 7296 2.21.4): the owner hears it once (its cue to
 * resume); the SA and its request stay as they were. */
static void test_unknown_spi_hint(void)
{
	struct hx hx;
	uint8_t ans[64];
	size_t n;

	mobike_pair(&hx, 0, 0);
	CHECK_EQ(ike_sa_dpd(hx.side[HX_I].sa), 0);
	CHECK_EQ(hx.n_q, 1);
	CHECK_EQ(ike_answer_unknown_spi(hx.q[0]->data, hx.q[0]->len, ans, sizeof(ans), &n), 0);
	CHECK_EQ(hx_inject(&hx, HX_I, ans, n), 0);
	CHECK_EQ(hx_inject(&hx, HX_I, ans, n), 0); /* told once */
	CHECK_EQ(hx.side[HX_I].n_unknown, 1);
	CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_ESTABLISHED);
	/* the real answer still completes the exchange */
	CHECK_EQ(hx_run(&hx, 4), 2);
	CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_ESTABLISHED);
	CHECK_EQ(hx.side[HX_I].n_failed, 0);
	hx_free(&hx);
}

/* RFC 7296 2.4: INITIAL_CONTACT reaches the responder's owner once the
 * initiator is authenticated, before the CP answer (which it may change). */
static int ic_seen;
static void ic_event(void *ctx, struct ike_sa *sa, enum ike_event ev, int err)
{
	(void)ctx, (void)err;
	if (ev == IKE_EV_INITIAL_CONTACT) {
		static const uint8_t v4[4] = { 203, 0, 113, 77 };
		ic_seen = ike_sa_peer_id(sa)->type == IKE_ID_RFC822_ADDR;
		ike_sa_set_cp(sa, v4, NULL);
	}
}

static void test_initial_contact(void)
{
	for (int on = 0; on < 2; on++) {
		struct hx hx;
		hx_init(&hx, PSK, PSK);
		hx.side[HX_I].cfg.initial_contact = on;
		hx.ops[HX_R].event = ic_event;
		ic_seen = 0;
		CHECK_EQ(hx_start(&hx), 0);
		CHECK_EQ(hx_run(&hx, 10), 4);
		CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_ESTABLISHED);
		CHECK_EQ(ic_seen, on);
		const struct ike_cp_result *cp = ike_sa_cp(hx.side[HX_I].sa);
		CHECK_EQ(cp->v4[3], on ? 77 : 10);
		hx_free(&hx);
	}
}

int main(void)
{
	test_no_ticket_unasked();
	test_ticket_nack();
	test_resume(IKE_RESUME_AUTH_MESSAGE, IKE_RESUME_AUTH_MESSAGE);
	test_resume(IKE_RESUME_AUTH_FULL, IKE_RESUME_AUTH_FULL);
	test_resume(IKE_RESUME_AUTH_FULL, IKE_RESUME_AUTH_MESSAGE);
	test_resume(IKE_RESUME_AUTH_MESSAGE, IKE_RESUME_AUTH_FULL);
	test_refused();
	test_nack_cases();
	test_ticket_refresh();
	test_initial_contact();
	test_wrong_secrets();
	test_resume_loss();
	test_resume_cookie();
	test_mobike();
	test_mobike_one_sided();
	test_mobike_lost();
	test_unknown_spi_hint();
	return test_done();
}
