/* Fuzz target: ESP receive (trust boundary: every ESP packet from the
 * network, src/esp decap, the replay window, the trailer, ESP Echo).
 *
 * A table with four Child SAs under fixed test keys: AES-GCM-16-128 (32-bit
 * sequence numbers), AES-GCM-16-256 + ESN, ChaCha20-Poly1305 + ESN,
 * AES-CBC-128 + HMAC-SHA2-256-128. Replay windows and counters are reset for
 * every input, so a run is deterministic.
 *
 * Input: one mode octet, then records.
 *   mode bit 0 = 0  raw: records [u16 length][bytes], each decapsulated as it
 *                   is (nearly all fail the ICV: this covers the length, SPI,
 *                   ESN and replay checks before authentication);
 *   mode bit 0 = 1  sealed: records [sa][flags][u32 seq][u16 length][bytes].
 *                   The harness seals with the SA's real keys so the packet
 *                   authenticates, and the post-ICV code (window update,
 *                   padding, next header, echo parsing and answering) runs:
 *                   flags bit 0 = 0: bytes are the whole plaintext, trailer
 *                   included (any padding, pad length, next header);
 *                   bit 0 = 1: bytes are an inner packet for esp_encap() with
 *                   the next header picked by bits 4-5 (4, 41, 59, echo);
 *                   bits 1-2: high half of the sequence number (ESN SAs);
 *                   bit 3: flip one octet after sealing (a forgery).
 *   mode bit 1      the echo code points 253/7/8 instead of 144/2/3.
 * Invariants (abort on violation): the window never moves for a packet that
 * was refused before or at the ICV; a delivered payload lies inside the
 * buffer; an echo reply is never longer than its request. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/aead.h"
#include "crypto/cbc_hmac.h"
#include "esp/echo.h"
#include "esp/encap.h"
#include "esp/natt.h"
#include "esp/pkt.h"
#include "esp/sa.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define N_SA 4

static const struct {
	uint16_t encr, bits, integ;
	int esn;
	uint32_t spi_in, spi_out;
	size_t key_len, enc_len;
} defs[N_SA] = {
	{ ESP_ENCR_AES_GCM_16, 128, 0, 0, 0x00001001, 0x00002001, 20, 20 },
	{ ESP_ENCR_AES_GCM_16, 256, 0, 1, 0x00001002, 0x00002002, 36, 36 },
	{ ESP_ENCR_CHACHA20_POLY1305, 256, 0, 1, 0x00001003, 0x00002003, 36, 36 },
	{ ESP_ENCR_AES_CBC, 128, ESP_INTEG_HMAC_SHA2_256_128, 0, 0x00001004, 0x00002004, 48, 16 },
};

static struct esp_table *table;
static struct esp_sa *sealer[N_SA];       /* the peer's outbound SAs (our inbound) */
static struct crypto_aead *raw_aead[N_SA];
static struct crypto_cbc_hmac *raw_cbc[N_SA];
static uint8_t keys[N_SA][64];
static struct esp_pkt *pkt;
static struct esp_probes probes;

static void die(void)
{
	abort();
}

static void setup(void)
{
	if (esp_table_new(&table))
		die();
	pkt = aligned_alloc(_Alignof(struct esp_pkt), sizeof(*pkt));
	if (!pkt)
		die();
	for (int i = 0; i < N_SA; i++) {
		for (size_t k = 0; k < defs[i].key_len; k++)
			keys[i][k] = (uint8_t)(i * 64 + k * 3 + 1);
		struct esp_sa_params p = { .spi = defs[i].spi_in, .encr = defs[i].encr,
					   .encr_bits = defs[i].bits, .integ = defs[i].integ,
					   .esn = defs[i].esn, .key = keys[i], .key_len = defs[i].key_len };
		struct esp_sa *in, *out;
		if (esp_sa_new(&p, ESP_DIR_IN, &in) || esp_sa_new(&p, ESP_DIR_OUT, &sealer[i]))
			die();
		p.spi = defs[i].spi_out;
		if (esp_sa_new(&p, ESP_DIR_OUT, &out) || esp_table_add(table, in, out, NULL))
			die();
		if (defs[i].integ) {
			if (crypto_cbc_hmac_new(keys[i], defs[i].enc_len, defs[i].integ,
						keys[i] + defs[i].enc_len,
						defs[i].key_len - defs[i].enc_len, &raw_cbc[i]))
				die();
		} else if (crypto_aead_new(defs[i].encr, keys[i], defs[i].key_len, &raw_aead[i])) {
			die();
		}
	}
}

static void reset(int alt)
{
	for (int i = 0; i < N_SA; i++) {
		struct esp_sa *in = esp_table_lookup(table, defs[i].spi_in);
		if (!in)
			die();
		esp_replay_init(&in->replay);
		struct esp_sa *out = esp_table_out(table, in->slot);
		if (!out)
			die();
		out->seq = 0;
	}
	memset(&table->st, 0, sizeof(table->st));
	esp_table_set_echo_nh(table, alt ? 253 : 144);
	esp_probes_init(&probes, 0x7e57);
	for (int i = 0; i < 4; i++)
		esp_probes_add(&probes, (uint64_t)i);
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

/* Seal plain[0..n) as the whole ESP plaintext of SA i at seq, by hand. */
static int seal_raw(int i, uint64_t seq, const uint8_t *plain, size_t n)
{
	const int cbc = defs[i].integ != 0;
	const size_t iv_len = cbc ? 16 : 8, icv_len = 16;
	if (cbc)
		n -= n % 16;
	esp_pkt_reset(pkt);
	if (8 + iv_len + n + icv_len > esp_pkt_tailroom(pkt))
		return -1;
	uint8_t *h = pkt->data;
	put32(h, defs[i].spi_in);
	put32(h + 4, (uint32_t)seq);
	put32(h + 8, (uint32_t)(seq >> 32));
	put32(h + 12, (uint32_t)seq);
	if (cbc)
		memset(h + 16, 0x5a, 8);
	uint8_t *body = h + 8 + iv_len;
	if (n)
		memcpy(body, plain, n);
	pkt->len = 8 + iv_len + n + icv_len;
	if (cbc)
		return crypto_cbc_hmac_seal(raw_cbc[i], h + 8, h, 8, body, n, body + n);
	uint8_t aad[12];
	put32(aad, defs[i].spi_in);
	size_t aad_len = 8;
	if (defs[i].esn) {
		put32(aad + 4, (uint32_t)(seq >> 32));
		put32(aad + 8, (uint32_t)seq);
		aad_len = 12;
	} else {
		put32(aad + 4, (uint32_t)seq);
	}
	return crypto_aead_seal(raw_aead[i], h + 8, aad, aad_len, body, n, body + n);
}

/* Decap pkt and act on it as the data plane would; check the invariants. */
static void receive(const struct esp_echo_cfg *cfg)
{
	uint64_t tops[N_SA];
	for (int i = 0; i < N_SA; i++)
		tops[i] = esp_table_lookup(table, defs[i].spi_in)->replay.top;
	size_t wire = pkt->len;
	const uint64_t bad_pad = table->st.rx_bad_pad;
	(void)esp_natt_classify(pkt->data, pkt->len);
	struct esp_rx rx;
	int e = esp_decap(table, pkt, &rx);
	if (e == -EBADMSG || e == -ENOENT || e == -EALREADY || e == -EACCES) {
		/* -EBADMSG after the ICV (padding) may move the window; before
		 * it (length) it must not: tell them apart by the counter. */
		if (e != -EBADMSG || table->st.rx_bad_pad == bad_pad) {
			for (int i = 0; i < N_SA; i++)
				if (esp_table_lookup(table, defs[i].spi_in)->replay.top != tops[i])
					die();
		}
		return;
	}
	if (e)
		return;
	if (pkt->data < pkt->buf || pkt->len > wire ||
	    esp_pkt_headroom(pkt) + pkt->len > ESP_PKT_SIZE)
		die();
	if (rx.next_header != cfg->next_header)
		return;
	struct esp_echo m;
	if (esp_echo_parse(cfg, pkt->data, pkt->len, &m))
		return;
	if (!m.is_request) {
		uint64_t rtt;
		(void)esp_probes_match(&probes, &m, 10, &rtt);
		return;
	}
	struct esp_sa *back = esp_echo_reply_sa(table, rx.sa, &m);
	if (!back)
		return;
	size_t req_len = pkt->len;
	if (esp_echo_reply(cfg, pkt, &m))
		die();
	if (pkt->len > req_len)
		die();
	struct esp_echo r;
	if (esp_echo_parse(cfg, pkt->data, pkt->len, &r) || r.is_request || r.id != m.id ||
	    r.seq != m.seq)
		die();
	(void)esp_encap(back, pkt, cfg->next_header);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	if (!ready) {
		setup();
		ready = 1;
	}
	if (size < 1)
		return 0;
	const uint8_t mode = data[0];
	static const struct esp_echo_cfg alt = { 253, 7, 8 };
	const struct esp_echo_cfg *cfg = mode & 2 ? &alt : &esp_echo_cfg_default;
	reset(mode & 2);
	size_t off = 1;
	for (int rec = 0; rec < 64 && off < size; rec++) {
		if (!(mode & 1)) {
			if (size - off < 2)
				break;
			size_t n = (size_t)data[off] << 8 | data[off + 1];
			off += 2;
			if (n > size - off)
				n = size - off;
			esp_pkt_reset(pkt);
			if (n > esp_pkt_tailroom(pkt))
				n = esp_pkt_tailroom(pkt);
			memcpy(pkt->data, data + off, n);
			pkt->len = n;
			off += n;
			receive(cfg);
			continue;
		}
		if (size - off < 8)
			break;
		const int i = data[off] % N_SA;
		const uint8_t flags = data[off + 1];
		uint64_t seq = (uint32_t)data[off + 2] << 24 | (uint32_t)data[off + 3] << 16 |
			       (uint32_t)data[off + 4] << 8 | data[off + 5];
		size_t n = (size_t)data[off + 6] << 8 | data[off + 7];
		off += 8;
		if (n > size - off)
			n = size - off;
		const uint8_t *b = data + off;
		off += n;
		if (defs[i].esn)
			seq |= (uint64_t)((flags >> 1) & 3) << 32;
		if (flags & 1) {
			static const uint8_t nhs[4] = { ESP_NH_IPV4, ESP_NH_IPV6, ESP_NH_NONE, 0 };
			uint8_t nh = nhs[(flags >> 4) & 3] ? nhs[(flags >> 4) & 3] : cfg->next_header;
			if (n > 1500)
				n = 1500;
			esp_pkt_reset(pkt);
			memcpy(pkt->data, b, n);
			pkt->len = n;
			sealer[i]->seq = seq ? seq - 1 : 0;
			if (esp_encap(sealer[i], pkt, nh))
				continue;
		} else if (seal_raw(i, seq, b, n)) {
			continue;
		}
		if ((flags & 8) && pkt->len)
			pkt->data[(size_t)(seq * 7u + flags) % pkt->len] ^= 0x01;
		receive(cfg);
	}
#ifdef FUZZ_ESP_VERBOSE
	/* Seed check: cmake -DCMAKE_C_FLAGS=-DFUZZ_ESP_VERBOSE, replay a file. */
	struct esp_stats st;
	esp_table_stats(table, &st);
	fprintf(stderr, "rx %llu len %llu nosa %llu dup %llu old %llu auth %llu pad %llu nh %llu dummy %llu\n",
		(unsigned long long)st.rx_packets, (unsigned long long)st.rx_bad_len,
		(unsigned long long)st.rx_no_sa, (unsigned long long)st.rx_replay_dup,
		(unsigned long long)st.rx_replay_old, (unsigned long long)st.rx_auth,
		(unsigned long long)st.rx_bad_pad, (unsigned long long)st.rx_bad_nh,
		(unsigned long long)st.rx_dummy);
#endif
	return 0;
}
