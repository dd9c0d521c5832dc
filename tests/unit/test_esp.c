/* src/esp framing: encap/decap round trips for every algorithm and every
 * inner size 0..1500 (IPv4 and IPv6), known-answer packets built with
 * crypto_aead directly, tampering, truncation, trailer checks, sequence
 * limits, the packet pool and the RFC 3948 helpers. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "crypto/secret.h"
#include "esp/natt.h"
#include "ike/ike.h"
#include "test.h"
#include "test_esp.h"

#define SPI_UP   0x11223344u
#define SPI_DOWN 0x55667788u

/* An inner packet of n octets: an IPv4 or IPv6 header when it fits (version
 * nibble, lengths, documentation addresses), then a pattern. */
static void mk_inner(uint8_t *b, size_t n, int v6, unsigned salt)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(i * 13u + salt);
	if (!v6 && n >= 20) {
		b[0] = 0x45; b[2] = (uint8_t)(n >> 8); b[3] = (uint8_t)n; b[9] = 17;
		memcpy(b + 12, (const uint8_t[]){ 203, 0, 113, 2 }, 4);
		memcpy(b + 16, (const uint8_t[]){ 198, 18, 0, 1 }, 4);
	} else if (v6 && n >= 40) {
		b[0] = 0x60; b[4] = (uint8_t)((n - 40) >> 8); b[5] = (uint8_t)(n - 40); b[6] = 17;
		memcpy(b + 8, (const uint8_t[]){ 0x20, 0x01, 0x0d, 0xb8 }, 4);
		memcpy(b + 24, (const uint8_t[]){ 0x20, 0x01, 0x0d, 0xb8 }, 4);
	}
}

static void test_round_trips(void)
{
	static uint8_t inner[1500];
	struct esp_pkt *p = pkt_new();
	for (size_t c = 0; c < N_ALG_CASES; c++) {
		const struct alg_case *a = &alg_cases[c];
		struct duo d;
		CHECK_EQ(duo_open(&d, a, SPI_UP, SPI_DOWN), 0);
		struct esp_sa *out = must(esp_table_out(d.us, d.us_slot));
		struct esp_sa *back = must(esp_table_out(d.peer, d.peer_slot));
		int fails = 0;
		for (size_t n = 0; n <= 1500; n++) {
			for (int v6 = 0; v6 < 2; v6++) {
				uint8_t nh = v6 ? ESP_NH_IPV6 : ESP_NH_IPV4;
				mk_inner(inner, n, v6, (unsigned)c);
				/* us -> peer */
				pkt_set(p, inner, n);
				int e1 = esp_encap(out, p, nh);
				size_t wire = p->len;
				int align_ok = wire == n + esp_overhead(out, n) &&
					       (wire - ESP_HDR_LEN - out->iv_len - out->icv_len) % out->align == 0 &&
					       esp_pkt_headroom(p) == ESP_PKT_HEADROOM - ESP_HDR_LEN - out->iv_len;
				struct esp_rx rx;
				int e2 = esp_decap(d.peer, p, &rx);
				/* peer -> us, the other SA pair */
				int ok = !e1 && !e2 && align_ok && p->len == n && rx.next_header == nh &&
					 !memcmp(p->data, inner, n) && rx.sa->spi == SPI_UP &&
					 esp_pkt_headroom(p) == ESP_PKT_HEADROOM;
				pkt_set(p, inner, n);
				ok = ok && !esp_encap(back, p, nh) && !esp_decap(d.us, p, &rx) &&
				     p->len == n && !memcmp(p->data, inner, n) && rx.next_header == nh;
				if (!ok && fails++ < 3)
					fprintf(stderr, "round trip %s n=%zu v6=%d: e1=%d e2=%d align=%d\n",
						a->name, n, v6, e1, e2, align_ok);
			}
		}
		CHECK_EQ(fails, 0);
		struct esp_stats st;
		esp_table_stats(d.peer, &st);
		CHECK_EQ(st.rx_packets, 1501 * 2);
		CHECK_EQ(st.tx_packets, 1501 * 2);
		CHECK_EQ(st.rx_auth + st.rx_bad_len + st.rx_replay_dup + st.rx_no_sa, 0);
		CHECK_EQ(out->seq, 1501 * 2);
		duo_close(&d);
	}
	free(p);
}

/* Known answer: the packet esp_encap() makes equals the one built by hand
 * from crypto_aead with the RFC 4106 layout (nonce salt | seq64, AAD SPI |
 * [hi |] lo, padding 1, 2, 3, pad length, next header), octet for octet. */
static void test_kat(void)
{
	static const struct { int alg; unsigned bits; int esn; uint64_t seq; size_t n; } kc[] = {
		{ CRYPTO_AEAD_AES_GCM16, 128, 0, 1, 0 },
		{ CRYPTO_AEAD_AES_GCM16, 128, 0, 0x12345678u, 33 },
		{ CRYPTO_AEAD_AES_GCM16, 256, 1, 0x00000001fffffff0ull, 61 },
		{ CRYPTO_AEAD_CHACHA20_POLY1305, 256, 0, 7, 40 },
		{ CRYPTO_AEAD_CHACHA20_POLY1305, 256, 1, 0x0000000200000003ull, 1 },
	};
	struct esp_pkt *p = pkt_new();
	for (size_t i = 0; i < sizeof(kc) / sizeof(kc[0]); i++) {
		uint8_t keymat[36];
		size_t kl = crypto_aead_keymat_len(kc[i].alg, kc[i].bits);
		for (size_t k = 0; k < kl; k++)
			keymat[k] = (uint8_t)k;
		memcpy(keymat + kl - 4, (const uint8_t[]){ 0xca, 0xfe, 0xba, 0xbe }, 4);
		struct esp_sa_params prm = { .spi = 0x0a0b0c0d, .encr = (uint16_t)kc[i].alg,
					     .encr_bits = (uint16_t)kc[i].bits, .esn = kc[i].esn,
					     .key = keymat, .key_len = kl };
		struct esp_sa *sa = NULL;
		CHECK_EQ(esp_sa_new(&prm, ESP_DIR_OUT, &sa), 0);
		if (!sa)
			continue;
		sa->seq = kc[i].seq - 1;
		uint8_t inner[64], plain[80], want[160];
		mk_inner(inner, kc[i].n, 0, 5);
		size_t pad = (4 - (kc[i].n + 2) % 4) % 4, pl = 0;
		memcpy(plain, inner, kc[i].n);
		pl = kc[i].n;
		for (size_t k = 1; k <= pad; k++)
			plain[pl++] = (uint8_t)k;
		plain[pl++] = (uint8_t)pad;
		plain[pl++] = ESP_NH_IPV4;
		size_t wl = raw_seal(kc[i].alg, keymat, kl, 0x0a0b0c0d, kc[i].seq, kc[i].esn, plain, pl, want);
		CHECK(wl > 0);
		pkt_set(p, inner, kc[i].n);
		CHECK_EQ(esp_encap(sa, p, ESP_NH_IPV4), 0);
		CHECK_EQ(p->len, wl);
		CHECK_MEM(p->data, want, wl);
		/* The fixed framing, spelled out: SPI, seq low 32, IV = seq64. */
		CHECK_MEM(p->data, ((const uint8_t[]){ 0x0a, 0x0b, 0x0c, 0x0d }), 4);
		CHECK_EQ(p->data[7], (uint8_t)kc[i].seq);
		CHECK_EQ(p->data[11], (uint8_t)(kc[i].seq >> 32));
		esp_sa_free(sa);
	}
	free(p);
}

/* Every single-octet change of a valid packet is refused and counted once;
 * the original still passes afterwards (the window did not move). */
static void test_tamper(void)
{
	for (size_t c = 0; c < N_ALG_CASES; c++) {
		struct duo d;
		CHECK_EQ(duo_open(&d, &alg_cases[c], SPI_UP, SPI_DOWN), 0);
		struct esp_sa *out = must(esp_table_out(d.us, d.us_slot));
		struct esp_pkt *p = pkt_new();
		uint8_t inner[100], wire[256];
		mk_inner(inner, sizeof(inner), 0, 9);
		pkt_set(p, inner, sizeof(inner));
		CHECK_EQ(esp_encap(out, p, ESP_NH_IPV4), 0);
		size_t wl = p->len;
		memcpy(wire, p->data, wl);
		int bad = 0;
		for (size_t i = 0; i < wl; i++) {
			for (int bit = 0; bit < 8; bit += 7) {
				struct esp_stats before, after;
				esp_table_stats(d.peer, &before);
				pkt_set(p, wire, wl);
				p->data[i] ^= (uint8_t)(1u << bit);
				struct esp_rx rx;
				int e = esp_decap(d.peer, p, &rx);
				esp_table_stats(d.peer, &after);
				uint64_t drops = (after.rx_no_sa - before.rx_no_sa) +
						 (after.rx_auth - before.rx_auth) +
						 (after.rx_replay_old - before.rx_replay_old);
				/* SPI octets: no SA; seq/IV/ciphertext/ICV: the ICV fails
				 * (or, for seq 0, the replay check refuses it first). */
				int want_ok = i < 4 ? e == -ENOENT && after.rx_no_sa == before.rx_no_sa + 1
						    : (e == -EACCES || e == -EALREADY);
				if (!(want_ok && drops == 1 && after.rx_packets == before.rx_packets)) {
					if (bad++ < 3)
						fprintf(stderr, "%s: flip octet %zu bit %d: %d\n",
							alg_cases[c].name, i, bit, e);
				}
			}
		}
		CHECK_EQ(bad, 0);
		struct esp_stats st;
		esp_table_stats(d.peer, &st);
		CHECK_EQ(st.rx_no_sa, 8);
		CHECK_EQ(st.rx_auth + st.rx_replay_old, 2 * (wl - 4));
		pkt_set(p, wire, wl);
		struct esp_rx rx;
		CHECK_EQ(esp_decap(d.peer, p, &rx), 0);
		CHECK_MEM(p->data, inner, sizeof(inner));
		/* And once accepted, the same packet is a replay. */
		pkt_set(p, wire, wl);
		CHECK_EQ(esp_decap(d.peer, p, &rx), -EALREADY);
		free(p);
		duo_close(&d);
	}
}

/* Every truncation (and a few extensions) of a valid packet is refused. */
static void test_truncation(void)
{
	for (size_t c = 0; c < N_ALG_CASES; c++) {
		struct duo d;
		CHECK_EQ(duo_open(&d, &alg_cases[c], SPI_UP, SPI_DOWN), 0);
		struct esp_sa *out = must(esp_table_out(d.us, d.us_slot));
		struct esp_pkt *p = pkt_new();
		uint8_t inner[64], wire[256];
		mk_inner(inner, sizeof(inner), 1, 3);
		pkt_set(p, inner, sizeof(inner));
		CHECK_EQ(esp_encap(out, p, ESP_NH_IPV6), 0);
		size_t wl = p->len;
		memcpy(wire, p->data, wl);
		wire[wl] = wire[wl + 1] = wire[wl + 2] = wire[wl + 3] = 0;
		int bad = 0;
		for (size_t n = 0; n < wl + 4; n++) {
			if (n == wl)
				continue;
			pkt_set(p, wire, n);
			struct esp_rx rx;
			int e = esp_decap(d.peer, p, &rx);
			if (e != -EBADMSG && e != -EACCES && !(n >= 4 && n < 8 && e == -ENOENT)) {
				if (bad++ < 3)
					fprintf(stderr, "%s: length %zu of %zu: %d\n", alg_cases[c].name, n, wl, e);
			}
		}
		CHECK_EQ(bad, 0);
		struct esp_stats st;
		esp_table_stats(d.peer, &st);
		CHECK_EQ(st.rx_bad_len + st.rx_auth, wl + 3);
		CHECK(st.rx_bad_len >= 36);
		CHECK_EQ(st.rx_packets, 0);
		free(p);
		duo_close(&d);
	}
}

/* Trailer checks after authentication, with packets sealed by hand so the
 * ICV is right and only the plaintext is odd. */
static void test_trailer(void)
{
	uint8_t keymat[20];
	fill_key(keymat, sizeof(keymat), 1);  /* = mk_sa(aes128gcm16, seed 1) */
	struct duo d;
	CHECK_EQ(duo_open(&d, &alg_cases[0], SPI_UP, SPI_DOWN), 0);
	struct esp_pkt *p = pkt_new();
	struct { const uint8_t *plain; size_t len; int want; const char *what; } tc[] = {
		{ (const uint8_t[]){ 0x45, 0, 0, 0, 1, 2, 2, 4 }, 8, 0, "padding 1 2" },
		{ (const uint8_t[]){ 0x45, 0, 0, 0, 1, 3, 2, 4 }, 8, -EBADMSG, "padding 1 3" },
		{ (const uint8_t[]){ 0x45, 0, 0, 0, 0, 0, 2, 4 }, 8, -EBADMSG, "padding 0 0" },
		{ (const uint8_t[]){ 0x45, 0, 7, 4 }, 4, -EBADMSG, "pad length past the data" },
		{ (const uint8_t[]){ 1, 2, 2, 4 }, 4, 0, "all padding, empty inner" },
		{ (const uint8_t[]){ 0x45, 0, 0, 59 }, 4, -ENODATA, "dummy (59)" },
		{ (const uint8_t[]){ 0x45, 0, 0, 17 }, 4, -EPROTONOSUPPORT, "next header 17" },
		{ (const uint8_t[]){ 0x45, 0, 0, 144 }, 4, 0, "echo next header" },
		{ (const uint8_t[]){ 0x45, 0, 0, 0, 0, 0, 2, 4, 0 }, 9, -EBADMSG, "not 4-aligned" },
	};
	uint8_t wire[128];
	for (size_t i = 0; i < sizeof(tc) / sizeof(tc[0]); i++) {
		size_t wl = raw_seal(CRYPTO_AEAD_AES_GCM16, keymat, sizeof(keymat), SPI_UP, i + 1, 0,
				     tc[i].plain, tc[i].len, wire);
		pkt_set(p, wire, wl);
		struct esp_rx rx;
		int e = esp_decap(d.peer, p, &rx);
		if (e != tc[i].want)
			fprintf(stderr, "trailer case '%s': %d, want %d\n", tc[i].what, e, tc[i].want);
		CHECK_EQ(e, tc[i].want);
	}
	struct esp_stats st;
	esp_table_stats(d.peer, &st);
	CHECK_EQ(st.rx_bad_pad, 3);
	CHECK_EQ(st.rx_dummy, 1);
	CHECK_EQ(st.rx_bad_nh, 1);
	CHECK_EQ(st.rx_bad_len, 1);
	CHECK_EQ(st.rx_packets, 3);
	/* Authenticated packets move the window even when the trailer is bad:
	 * the same bad packet again is a replay, not a second parse. */
	size_t wl = raw_seal(CRYPTO_AEAD_AES_GCM16, keymat, sizeof(keymat), SPI_UP, 2, 0,
			     tc[1].plain, tc[1].len, wire);
	pkt_set(p, wire, wl);
	struct esp_rx rx;
	CHECK_EQ(esp_decap(d.peer, p, &rx), -EALREADY);
	/* The padding check can be turned off per SA (RFC 4303 2.4 "SHOULD"). */
	must(esp_table_lookup(d.peer, SPI_UP))->check_pad = 0;
	wl = raw_seal(CRYPTO_AEAD_AES_GCM16, keymat, sizeof(keymat), SPI_UP, 100, 0,
		      tc[1].plain, tc[1].len, wire);
	pkt_set(p, wire, wl);
	CHECK_EQ(esp_decap(d.peer, p, &rx), 0);
	CHECK_EQ(p->len, 4);
	/* The echo next header is the table's: another value makes 144 foreign. */
	esp_table_set_echo_nh(d.peer, 200);
	wl = raw_seal(CRYPTO_AEAD_AES_GCM16, keymat, sizeof(keymat), SPI_UP, 101, 0,
		      tc[7].plain, tc[7].len, wire);
	pkt_set(p, wire, wl);
	CHECK_EQ(esp_decap(d.peer, p, &rx), -EPROTONOSUPPORT);
	/* Dummy packets are something the sender can make (RFC 4303 2.6). */
	struct esp_sa *out = must(esp_table_out(d.us, d.us_slot));
	out->seq = 1000;                     /* past the hand-made ones */
	esp_pkt_reset(p);
	CHECK_EQ(esp_encap(out, p, ESP_NH_NONE), 0);
	CHECK_EQ(esp_decap(d.peer, p, &rx), -ENODATA);
	free(p);
	duo_close(&d);
}

/* Sequence numbers: the rekey flag at the soft limit, a hard stop, never a wrap. */
static void test_seq_limits(void)
{
	struct esp_sa *sa = mk_sa(&alg_cases[0], SPI_UP, 1, ESP_DIR_OUT);
	struct esp_pkt *p = pkt_new();
	CHECK(sa != NULL);
	CHECK_EQ(sa->seq_soft, ESP_SEQ_SOFT_32);
	CHECK_EQ(sa->seq_hard, ESP_SEQ_MAX_32);
	esp_sa_set_seq_limits(sa, 5, 8);
	for (int i = 1; i <= 8; i++) {
		esp_pkt_reset(p);
		CHECK_EQ(esp_encap(sa, p, ESP_NH_IPV4), 0);
		CHECK_EQ(esp_sa_rekey_needed(sa), i >= 5);
	}
	esp_pkt_reset(p);
	CHECK_EQ(esp_encap(sa, p, ESP_NH_IPV4), -EKEYEXPIRED);
	CHECK_EQ(p->len, 0);
	CHECK_EQ(sa->seq, 8);
	CHECK_EQ(sa->st.tx_seq_exhausted, 1);
	/* 32-bit space: the last number is 2^32 - 1, then nothing. */
	esp_sa_set_seq_limits(sa, ESP_SEQ_SOFT_32, ESP_SEQ_MAX_64);
	CHECK_EQ(sa->seq_hard, ESP_SEQ_MAX_32);
	sa->seq = ESP_SEQ_MAX_32 - 1;
	esp_pkt_reset(p);
	CHECK_EQ(esp_encap(sa, p, ESP_NH_IPV4), 0);
	CHECK_EQ(p->data[4] & p->data[5] & p->data[6] & p->data[7], 0xff);
	esp_pkt_reset(p);
	CHECK_EQ(esp_encap(sa, p, ESP_NH_IPV4), -EKEYEXPIRED);
	esp_sa_free(sa);
	/* ESN: the 64-bit space. */
	sa = mk_sa(&alg_cases[1], SPI_UP, 1, ESP_DIR_OUT);
	CHECK_EQ(sa->seq_hard, ESP_SEQ_MAX_64);
	CHECK_EQ(sa->seq_soft, ESP_SEQ_SOFT_64);
	sa->seq = ESP_SEQ_MAX_32;
	esp_pkt_reset(p);
	CHECK_EQ(esp_encap(sa, p, ESP_NH_IPV4), 0);
	CHECK_EQ(p->data[7], 0);       /* low half 0 on the wire ... */
	CHECK_EQ(p->data[11], 1);      /* ... the IV carries the whole 2^32 */
	esp_sa_free(sa);
	/* Not enough room: refused, counted, packet untouched. */
	sa = mk_sa(&alg_cases[2], SPI_UP, 1, ESP_DIR_OUT);
	esp_pkt_reset(p);
	p->data = p->buf + 4;
	CHECK_EQ(esp_encap(sa, p, ESP_NH_IPV4), -ENOBUFS);
	esp_pkt_reset(p);
	CHECK(esp_pkt_put(p, ESP_PKT_SIZE - ESP_PKT_HEADROOM - 10) != NULL);
	CHECK_EQ(esp_encap(sa, p, ESP_NH_IPV4), -ENOBUFS);
	CHECK_EQ(sa->st.tx_no_room, 2);
	CHECK_EQ(sa->seq, 0);
	esp_sa_free(sa);
	free(p);
}

static void test_params(void)
{
	uint8_t key[100] = { 0 };
	struct esp_sa *sa = NULL;
	struct esp_sa_params p = { .spi = 0x1000, .encr = ESP_ENCR_AES_GCM_16, .encr_bits = 256,
				   .key = key, .key_len = 36 };
	CHECK_EQ(esp_sa_new(&p, ESP_DIR_IN, &sa), 0);
	esp_sa_free(sa);
	p.key_len = 32;
	CHECK_EQ(esp_sa_new(&p, ESP_DIR_IN, &sa), -EINVAL);      /* no salt */
	p.key_len = 36;
	p.spi = 255;
	CHECK_EQ(esp_sa_new(&p, ESP_DIR_IN, &sa), -EINVAL);      /* reserved SPI */
	p.spi = 0x1000;
	p.integ = ESP_INTEG_HMAC_SHA2_256_128;
	CHECK_EQ(esp_sa_new(&p, ESP_DIR_IN, &sa), -EINVAL);      /* AEAD with INTEG */
	p.integ = 0;
	p.encr = 19;                                              /* AES-GCM-12 */
	CHECK_EQ(esp_sa_new(&p, ESP_DIR_IN, &sa), -ENOTSUP);
	p.encr = ESP_ENCR_AES_CBC;
	p.encr_bits = 128;
	p.integ = ESP_INTEG_HMAC_SHA2_256_128;
	p.key_len = 48;
	CHECK_EQ(esp_sa_new(&p, ESP_DIR_IN, &sa), 0);
	esp_sa_free(sa);
	p.esn = 1;
	CHECK_EQ(esp_sa_new(&p, ESP_DIR_IN, &sa), -ENOTSUP);     /* CBC + ESN: see sa.h */
	p.esn = 0;
	p.integ = 0;
	CHECK_EQ(esp_sa_new(&p, ESP_DIR_IN, &sa), -ENOTSUP);     /* CBC without integrity */
	/* From the IKE engine's Child SA. */
	struct secret *kin = NULL, *kout = NULL;
	CHECK_EQ(crypto_secret_from(key, 36, &kin), 0);
	CHECK_EQ(crypto_secret_from(key, 36, &kout), 0);
	struct ike_child ch = { .spi_in = 0xabcd0001, .spi_out = 0xabcd0002,
				.key_in = kin, .key_out = kout };
	ch.alg.encr = ESP_ENCR_CHACHA20_POLY1305;
	ch.alg.esn = IKE_ESN_YES;
	CHECK_EQ(esp_sa_from_child(&ch, ESP_DIR_IN, &sa), 0);
	CHECK(sa && sa->spi == 0xabcd0001 && sa->esn && sa->dir == ESP_DIR_IN);
	esp_sa_free(sa);
	CHECK_EQ(esp_sa_from_child(&ch, ESP_DIR_OUT, &sa), 0);
	CHECK(sa && sa->spi == 0xabcd0002 && sa->dir == ESP_DIR_OUT);
	/* An inbound SA cannot seal. */
	struct esp_pkt *pk = pkt_new();
	CHECK_EQ(esp_encap(sa, pk, 4), 0);
	esp_sa_free(sa);
	CHECK_EQ(esp_sa_from_child(&ch, ESP_DIR_IN, &sa), 0);
	esp_pkt_reset(pk);
	CHECK_EQ(esp_encap(sa, pk, 4), -EINVAL);
	esp_sa_free(sa);
	free(pk);
	crypto_secret_free(kin);
	crypto_secret_free(kout);
}

static void test_pool(void)
{
	struct esp_pool *pool = NULL;
	CHECK_EQ(esp_pool_new(0, &pool), -EINVAL);
	CHECK_EQ(esp_pool_new(4, &pool), 0);
	struct esp_pkt *got[4];
	for (int i = 0; i < 4; i++) {
		got[i] = esp_pool_get(pool);
		CHECK(got[i] != NULL);
		CHECK_EQ(esp_pkt_headroom(got[i]), ESP_PKT_HEADROOM);
		CHECK_EQ(esp_pkt_tailroom(got[i]), ESP_PKT_SIZE - ESP_PKT_HEADROOM);
		CHECK_EQ((uintptr_t)got[i]->buf % 64, 0);
	}
	CHECK(esp_pool_get(pool) == NULL);
	CHECK(esp_pool_get(pool) == NULL);
	struct esp_pool_stats st;
	esp_pool_stats(pool, &st);
	CHECK_EQ(st.exhausted, 2);
	CHECK_EQ(st.gets, 4);
	CHECK_EQ(st.free, 0);
	CHECK_EQ(st.low_water, 0);
	got[2]->len = 99;
	esp_pool_put(pool, got[2]);
	struct esp_pkt *again = esp_pool_get(pool);
	CHECK(again == got[2]);
	CHECK_EQ(again->len, 0);
	for (int i = 0; i < 4; i++)
		esp_pool_put(pool, got[i]);
	esp_pool_stats(pool, &st);
	CHECK_EQ(st.free, 4);
	CHECK_EQ(st.total, 4);
	esp_pool_free(pool);
	/* push/pull/put/trim bounds */
	struct esp_pkt *p = pkt_new();
	CHECK(esp_pkt_push(p, ESP_PKT_HEADROOM + 1) == NULL);
	CHECK(esp_pkt_push(p, ESP_PKT_HEADROOM) == p->buf);
	CHECK_EQ(esp_pkt_pull(p, ESP_PKT_HEADROOM + 1), -EINVAL);
	CHECK_EQ(esp_pkt_pull(p, ESP_PKT_HEADROOM), 0);
	CHECK(esp_pkt_put(p, ESP_PKT_SIZE) == NULL);
	CHECK(esp_pkt_put(p, ESP_PKT_SIZE - ESP_PKT_HEADROOM) != NULL);
	esp_pkt_trim(p, 10);
	CHECK_EQ(p->len, 10);
	free(p);
}

static void test_natt(void)
{
	static const uint8_t ka[] = { 0xff };
	static const uint8_t not_ka[] = { 0xfe };
	uint8_t ike[4 + 28] = { 0 };
	uint8_t esp[8] = { 0x12, 0x34, 0x56, 0x78, 0, 0, 0, 1 };
	uint8_t esp_res[8] = { 0, 0, 0, 0xff, 0, 0, 0, 1 };
	CHECK_EQ(esp_natt_classify(ka, 1), ESP_NATT_KEEPALIVE_PKT);
	CHECK_EQ(esp_natt_classify(not_ka, 1), ESP_NATT_BAD);
	CHECK_EQ(esp_natt_classify(ka, 0), ESP_NATT_BAD);
	CHECK_EQ(esp_natt_classify(ike, sizeof(ike)), ESP_NATT_IKE);
	CHECK_EQ(esp_natt_classify(ike, sizeof(ike) - 1), ESP_NATT_BAD);
	CHECK_EQ(esp_natt_classify(ike, 3), ESP_NATT_BAD);
	CHECK_EQ(esp_natt_classify(esp, sizeof(esp)), ESP_NATT_ESP);
	CHECK_EQ(esp_natt_classify(esp, 7), ESP_NATT_BAD);
	CHECK_EQ(esp_natt_classify(esp_res, sizeof(esp_res)), ESP_NATT_BAD);
	uint8_t out[4] = { 0 };
	CHECK_EQ(esp_natt_keepalive(out, sizeof(out)), 1);
	CHECK_EQ(out[0], 0xff);
	CHECK_EQ(esp_natt_keepalive(out, 0), 0);
}

int main(void)
{
	test_round_trips();
	test_kat();
	test_tamper();
	test_truncation();
	test_trailer();
	test_seq_limits();
	test_params();
	test_pool();
	test_natt();
	return test_done();
}
