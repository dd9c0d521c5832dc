/* src/esp receive state: the anti-replay window (table-driven, on the window
 * alone and through decap), ESN recovery across 2^32, the window moving only
 * after authentication, and rekeying in the SA table. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "esp/replay.h"
#include "test.h"
#include "test_esp.h"

#define SPI_UP   0x0badcafeu
#define SPI_DOWN 0x0c0ffee0u
#define W        ESP_REPLAY_WINDOW_EFF

enum { OK = ESP_REPLAY_OK, DUP = ESP_REPLAY_DUP, OLD = ESP_REPLAY_OLD };

/* The window alone: check, then update when the check passed (as if the
 * ICV verified). */
static void test_window_table(void)
{
	static const struct { uint64_t seq; int want; uint64_t top_after; } steps[] = {
		{ 0, OLD, 0 },                 /* never sent */
		{ 1, OK, 1 },
		{ 2, OK, 2 },
		{ 3, OK, 3 },
		{ 2, DUP, 3 },
		{ 10, OK, 10 },
		{ 5, OK, 10 },                 /* reordered inside the window */
		{ 5, DUP, 10 },
		{ 4, OK, 10 },
		{ 10, DUP, 10 },
		{ 2000, OK, 2000 },
		{ 2000 - W, OLD, 2000 },       /* just left of the window */
		{ 2000 - W + 1, OK, 2000 },    /* the oldest it still takes */
		{ 2000 - W + 1, DUP, 2000 },
		{ 1999, OK, 2000 },
		{ 10, OLD, 2000 },
		{ 2064, OK, 2064 },            /* next block */
		{ 2001, OK, 2064 },
		{ 2001 + 64 * 31, OK, 2001 + 64 * 31 },
		{ 2001, OLD, 2001 + 64 * 31 },
		{ 2002 + 64 * 30, OK, 2001 + 64 * 31 },
		{ 1000000, OK, 1000000 },      /* a jump clears every block */
		{ 1000000 - 1, OK, 1000000 },
		{ 1000000 - 64 * 32, OLD, 1000000 },
		{ 1000000 - W + 1, OK, 1000000 },
		{ 2001 + 64 * 31, OLD, 1000000 },
	};
	struct esp_replay r;
	esp_replay_init(&r);
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		int v = (int)esp_replay_check(&r, steps[i].seq);
		if (v != steps[i].want)
			fprintf(stderr, "window step %zu (seq %llu): %d, want %d\n", i,
				(unsigned long long)steps[i].seq, v, steps[i].want);
		CHECK_EQ(v, steps[i].want);
		if (v == OK)
			esp_replay_update(&r, steps[i].seq);
		CHECK_EQ(r.top, steps[i].top_after);
	}
	/* A dense run: every number once, in a shuffled order inside the window. */
	esp_replay_init(&r);
	int bad = 0;
	for (uint64_t base = 1; base < 200000; base += 1000) {
		for (uint64_t k = 0; k < 1000; k++) {
			uint64_t s = base + (k * 613) % 1000;
			if (esp_replay_check(&r, s) != ESP_REPLAY_OK)
				bad++;
			esp_replay_update(&r, s);
			if (esp_replay_check(&r, s) != ESP_REPLAY_DUP)
				bad++;
		}
	}
	CHECK_EQ(bad, 0);
}

/* RFC 4303 A2.2 recovery of the high half. */
static void test_esn_recovery(void)
{
	static const struct { uint64_t top; uint32_t lo; uint64_t want; } tc[] = {
		{ 0, 1, 1 },
		{ 0, 0xfffffff0u, 0xfffffff0u },          /* no subspace before 0 */
		{ 100, 50, 50 },
		{ 0xfffffff0u, 0xfffffff5u, 0xfffffff5u },
		{ 0xfffffff0u, 0xffffff00u, 0xffffff00u },/* behind, same subspace */
		{ 0xfffffff0u, 3, 0x100000003ull },       /* the sender crossed 2^32 */
		{ 0x100000005ull, 0xfffffffdu, 0xfffffffdu }, /* late one from before */
		{ 0x100000005ull, 9, 0x100000009ull },
		{ 0x100000000ull + W, 1, 0x100000001ull },   /* the window's oldest */
		{ 0x100000000ull + W, 0, 0x200000000ull },   /* below it: next subspace */
		{ 0x100000000ull + W - 2, 0xffffffffu, 0xffffffffu },
		{ 0x5fffffff0ull, 0x10, 0x600000010ull },
	};
	struct esp_replay r;
	for (size_t i = 0; i < sizeof(tc) / sizeof(tc[0]); i++) {
		esp_replay_init(&r);
		r.top = tc[i].top;
		uint64_t got = esp_replay_seq(&r, tc[i].lo, 1);
		if (got != tc[i].want)
			fprintf(stderr, "esn case %zu: %#llx, want %#llx\n", i,
				(unsigned long long)got, (unsigned long long)tc[i].want);
		CHECK_EQ(got, tc[i].want);
		CHECK_EQ(esp_replay_seq(&r, tc[i].lo, 0), tc[i].lo);
	}
}

/* Send seq through us -> peer; the decap result. */
static int send_seq(struct duo *d, uint64_t seq, struct esp_pkt *p)
{
	struct esp_sa *out = must(esp_table_out(d->us, d->us_slot));
	out->seq = seq - 1;
	pkt_fill(p, 0, 20);
	p->data[0] = 0x45;
	if (esp_encap(out, p, ESP_NH_IPV4))
		return 1;
	struct esp_rx rx;
	int e = esp_decap(d->peer, p, &rx);
	if (!e && rx.seq != seq)
		return 2;
	return e;
}

/* The same table, through real packets, for each AEAD and ESN on/off. With
 * ESN a number left of the window is read as the next 2^32 subspace
 * (RFC 4303 A2.2, case A), so the ICV refuses it rather than the window. */
static void test_window_decap(void)
{
	static const struct { uint64_t seq; int want, want_esn; } steps[] = {
		{ 1, 0, 0 }, { 3, 0, 0 }, { 2, 0, 0 }, { 2, -EALREADY, -EALREADY }, { 3000, 0, 0 },
		{ 3000 - W, -EALREADY, -EACCES }, { 3000 - W + 1, 0, 0 },
		{ 3000 - W + 1, -EALREADY, -EALREADY }, { 2999, 0, 0 }, { 3001, 0, 0 },
		{ 1, -EALREADY, -EACCES },
	};
	struct esp_pkt *p = pkt_new();
	for (size_t c = 0; c < 6; c++) {             /* the AEAD cases */
		struct duo d;
		const int esn = alg_cases[c].esn;
		CHECK_EQ(duo_open(&d, &alg_cases[c], SPI_UP, SPI_DOWN), 0);
		for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
			int e = send_seq(&d, steps[i].seq, p);
			int want = esn ? steps[i].want_esn : steps[i].want;
			if (e != want)
				fprintf(stderr, "%s step %zu: %d\n", alg_cases[c].name, i, e);
			CHECK_EQ(e, want);
		}
		struct esp_stats st;
		esp_table_stats(d.peer, &st);
		CHECK_EQ(st.rx_replay_dup, 2);
		CHECK_EQ(st.rx_replay_old, esn ? 0 : 2);
		CHECK_EQ(st.rx_auth, esn ? 2 : 0);
		CHECK_EQ(st.rx_packets, 7);
		struct esp_sa *in = esp_table_lookup(d.peer, SPI_UP);
		CHECK_EQ(in->replay.top, 3001);
		duo_close(&d);
	}
	free(p);
}

/* A forged packet with a huge sequence number passes the pre-check, fails
 * the ICV, and must not move the window. */
static void test_window_after_auth(void)
{
	struct esp_pkt *p = pkt_new();
	for (size_t c = 0; c < N_ALG_CASES; c++) {
		struct duo d;
		CHECK_EQ(duo_open(&d, &alg_cases[c], SPI_UP, SPI_DOWN), 0);
		CHECK_EQ(send_seq(&d, 5, p), 0);
		/* Forge: seal with the wrong key (a stranger's SA with our SPI). */
		struct esp_sa *forger = must(mk_sa(&alg_cases[c], SPI_UP, 99, ESP_DIR_OUT));
		forger->seq = 0x7ffffff0u;
		pkt_fill(p, 0x45, 20);
		CHECK_EQ(esp_encap(forger, p, ESP_NH_IPV4), 0);
		struct esp_rx rx;
		CHECK_EQ(esp_decap(d.peer, p, &rx), -EACCES);
		/* Also a real packet with its ICV flipped. */
		struct esp_sa *out = must(esp_table_out(d.us, d.us_slot));
		out->seq = 0x7ffffff5u;
		pkt_fill(p, 0x45, 20);
		CHECK_EQ(esp_encap(out, p, ESP_NH_IPV4), 0);
		p->data[p->len - 1] ^= 1;
		CHECK_EQ(esp_decap(d.peer, p, &rx), -EACCES);
		struct esp_sa *in = esp_table_lookup(d.peer, SPI_UP);
		CHECK_EQ(in->replay.top, 5);
		/* So seq 4 and 6 are still welcome. */
		CHECK_EQ(send_seq(&d, 4, p), 0);
		CHECK_EQ(send_seq(&d, 6, p), 0);
		struct esp_stats st;
		esp_table_stats(d.peer, &st);
		CHECK_EQ(st.rx_auth, 2);
		esp_sa_free(forger);
		duo_close(&d);
	}
	free(p);
}

/* ESN through decap: a run across 2^32, reordering at the boundary, and the
 * high half in the ICV (a receiver that guesses another one fails). */
static void test_esn_decap(void)
{
	struct esp_pkt *p = pkt_new();
	for (size_t c = 0; c < 6; c++) {
		if (!alg_cases[c].esn)
			continue;
		struct duo d;
		CHECK_EQ(duo_open(&d, &alg_cases[c], SPI_UP, SPI_DOWN), 0);
		const uint64_t b = 0x100000000ull;
		int bad = 0;
		for (uint64_t s = b - 20; s < b + 20; s++) {
			if (s == b - 3 || s == b + 1)
				continue;                  /* held back: arrive late */
			bad += send_seq(&d, s, p) != 0;
		}
		CHECK_EQ(bad, 0);
		CHECK_EQ(send_seq(&d, b - 3, p), 0);      /* from the old subspace */
		CHECK_EQ(send_seq(&d, b + 1, p), 0);
		CHECK_EQ(send_seq(&d, b - 3, p), -EALREADY);
		CHECK_EQ(send_seq(&d, b + 5, p), -EALREADY);
		struct esp_sa *in = esp_table_lookup(d.peer, SPI_UP);
		CHECK_EQ(in->replay.top, b + 19);
		/* Wire low half 0x20 with the sender at 2^33 + 0x20: the receiver
		 * (window at 2^32 + 19) guesses 2^32 + 0x20, the ICV fails, the
		 * window stays. */
		CHECK_EQ(send_seq(&d, 2 * b + 0x20, p), -EACCES);
		CHECK_EQ(in->replay.top, b + 19);
		/* Far ahead in the same subspace is fine (the window jumps). */
		CHECK_EQ(send_seq(&d, b + 0x70000000u, p), 0);
		/* Next subspace, low half below the window: taken as 2^33 + x. */
		CHECK_EQ(send_seq(&d, 2 * b + 0x20, p), 0);
		CHECK_EQ(in->replay.top, 2 * b + 0x20);
		duo_close(&d);
	}
	/* Without ESN the wire number is the number: 2^32 - 1 is the last. */
	struct duo d;
	CHECK_EQ(duo_open(&d, &alg_cases[0], SPI_UP, SPI_DOWN), 0);
	CHECK_EQ(send_seq(&d, 0xffffffffu, p), 0);
	CHECK_EQ(send_seq(&d, 0xfffffffeu, p), 0);
	CHECK_EQ(send_seq(&d, 0xffffffffu, p), -EALREADY);
	duo_close(&d);
	free(p);
}

/* Rekey (RFC 7296 2.8): the new pair takes over outbound at once; the old
 * inbound SA decaps until the old Child SA is deleted. */
static void test_rekey(void)
{
	const struct alg_case *a = &alg_cases[3];
	struct duo d;
	CHECK_EQ(duo_open(&d, a, SPI_UP, SPI_DOWN), 0);
	struct esp_pkt *p = pkt_new();
	struct esp_rx rx;
	struct esp_sa *old_out = must(esp_table_out(d.us, d.us_slot));
	struct esp_sa *peer_old_out = must(esp_table_out(d.peer, d.peer_slot));

	/* New keys, new SPIs, both sides. */
	struct esp_sa *in2 = mk_sa(a, 0x2000beef, 4, ESP_DIR_IN);
	struct esp_sa *out2 = mk_sa(a, 0x2000cafe, 3, ESP_DIR_OUT);
	struct esp_sa *pin2 = mk_sa(a, 0x2000cafe, 3, ESP_DIR_IN);
	struct esp_sa *pout2 = mk_sa(a, 0x2000beef, 4, ESP_DIR_OUT);
	/* A duplicate SPI is refused and changes nothing. */
	struct esp_sa *dup_in = mk_sa(a, SPI_DOWN, 4, ESP_DIR_IN);
	CHECK_EQ(esp_table_rekey(d.us, d.us_slot, dup_in, out2), -EEXIST);
	CHECK_EQ(esp_table_rekey(d.us, d.us_slot, out2, in2), -EINVAL);
	CHECK_EQ(esp_table_rekey(d.us, ESP_TABLE_SLOTS_MAX, in2, out2), -EINVAL);
	esp_sa_free(dup_in);
	CHECK(must(esp_table_out(d.us, d.us_slot)) == old_out);

	CHECK_EQ(esp_table_rekey(d.us, d.us_slot, in2, out2), 0);
	CHECK(must(esp_table_out(d.us, d.us_slot)) == out2);
	CHECK(esp_table_lookup(d.us, SPI_DOWN) != NULL);      /* previous, still there */
	CHECK(esp_table_lookup(d.us, 0x2000beef) == in2);

	/* The peer has not rekeyed yet: it still sends with the old SA, which
	 * we accept. */
	pkt_fill(p, 0x60, 40);
	CHECK_EQ(esp_encap(peer_old_out, p, ESP_NH_IPV6), 0);
	CHECK_EQ(esp_decap(d.us, p, &rx), 0);
	CHECK_EQ(rx.sa->spi, SPI_DOWN);
	CHECK_EQ(rx.sa->slot, d.us_slot);
	/* We send on the new one: the peer needs its new inbound SA. */
	pkt_fill(p, 0x60, 40);
	CHECK_EQ(esp_encap(must(esp_table_out(d.us, d.us_slot)), p, ESP_NH_IPV6), 0);
	CHECK_EQ(p->data[0] << 24 | p->data[1] << 16 | p->data[2] << 8 | p->data[3], 0x2000cafe);
	CHECK_EQ(esp_decap(d.peer, p, &rx), -ENOENT);
	CHECK_EQ(esp_table_rekey(d.peer, d.peer_slot, pin2, pout2), 0);
	pkt_fill(p, 0x60, 40);
	CHECK_EQ(esp_encap(must(esp_table_out(d.us, d.us_slot)), p, ESP_NH_IPV6), 0);
	CHECK_EQ(esp_decap(d.peer, p, &rx), 0);
	/* Peer's new outbound reaches our new inbound. */
	pkt_fill(p, 0x60, 40);
	CHECK_EQ(esp_encap(must(esp_table_out(d.peer, d.peer_slot)), p, ESP_NH_IPV6), 0);
	CHECK_EQ(esp_decap(d.us, p, &rx), 0);
	CHECK(rx.sa == in2);

	/* The old Child SA is deleted: its packets have no SA now. */
	pkt_fill(p, 0x60, 40);
	CHECK_EQ(esp_encap(peer_old_out, p, ESP_NH_IPV6), 0);  /* peer still holds it */
	CHECK_EQ(esp_table_remove_spi(d.us, SPI_DOWN), 0);
	CHECK(esp_table_lookup(d.us, SPI_DOWN) == NULL);
	CHECK(esp_table_lookup(d.us, 0x2000beef) == in2);
	CHECK_EQ(esp_decap(d.us, p, &rx), -ENOENT);
	CHECK_EQ(esp_table_remove_spi(d.us, SPI_DOWN), -ENOENT);

	/* Counters of the retired outbound SA survive in the table's totals. */
	struct esp_stats st;
	esp_table_stats(d.us, &st);
	CHECK_EQ(st.tx_packets, 2);
	CHECK_EQ(st.rx_packets, 2);
	CHECK_EQ(st.rx_no_sa, 1);

	/* Deleting the current inbound SPI deletes the slot. */
	CHECK_EQ(esp_table_remove_spi(d.us, 0x2000beef), 0);
	CHECK(esp_table_out(d.us, d.us_slot) == NULL);
	esp_table_stats(d.us, &st);
	CHECK_EQ(st.tx_packets, 2);
	free(p);
	duo_close(&d);
}

/* The table's hash under load: many slots, deletes in between, lookups right. */
static void test_table_many(void)
{
	struct esp_table *t = NULL;
	CHECK_EQ(esp_table_new(&t), 0);
	const struct alg_case *a = &alg_cases[0];
	unsigned slots[ESP_TABLE_SLOTS_MAX];
	for (unsigned i = 0; i < ESP_TABLE_SLOTS_MAX; i++) {
		/* Sequential SPIs, the worst case for a plain mask. */
		struct esp_sa *in = mk_sa(a, 0x1000 + i, 1, ESP_DIR_IN);
		struct esp_sa *out = mk_sa(a, 0x9000 + i, 1, ESP_DIR_OUT);
		CHECK_EQ(esp_table_add(t, in, out, &slots[i]), 0);
	}
	struct esp_sa *in = mk_sa(a, 0x5000, 1, ESP_DIR_IN);
	struct esp_sa *out = mk_sa(a, 0x5001, 1, ESP_DIR_OUT);
	unsigned s;
	CHECK_EQ(esp_table_add(t, in, out, &s), -E2BIG);
	esp_sa_free(in);
	esp_sa_free(out);
	/* Rekey every other slot, delete every third. */
	for (unsigned i = 0; i < ESP_TABLE_SLOTS_MAX; i += 2)
		CHECK_EQ(esp_table_rekey(t, slots[i], mk_sa(a, 0x2000 + i, 1, ESP_DIR_IN),
					 mk_sa(a, 0xa000 + i, 1, ESP_DIR_OUT)), 0);
	for (unsigned i = 0; i < ESP_TABLE_SLOTS_MAX; i += 3)
		esp_table_del(t, slots[i]);
	int bad = 0;
	for (unsigned i = 0; i < ESP_TABLE_SLOTS_MAX; i++) {
		int gone = i % 3 == 0;
		struct esp_sa *cur = esp_table_lookup(t, 0x1000 + i);
		struct esp_sa *nxt = esp_table_lookup(t, 0x2000 + i);
		bad += gone ? (cur || nxt) : !cur || cur->spi != 0x1000 + i;
		bad += !gone && i % 2 == 0 && (!nxt || nxt->slot != slots[i]);
		bad += !gone && i % 2 == 1 && nxt != NULL;
	}
	CHECK_EQ(bad, 0);
	for (unsigned i = 0; i < ESP_TABLE_SLOTS_MAX; i += 2)
		esp_table_drop_prev(t, slots[i]);
	for (unsigned i = 0; i < ESP_TABLE_SLOTS_MAX; i++)
		bad += i % 2 == 0 && esp_table_lookup(t, 0x1000 + i) != NULL;
	CHECK_EQ(bad, 0);
	esp_table_free(t);
}

int main(void)
{
	test_window_table();
	test_esn_recovery();
	test_window_decap();
	test_window_after_auth();
	test_esn_decap();
	test_rekey();
	test_table_many();
	return test_done();
}
