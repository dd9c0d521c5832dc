/* ESP data-plane throughput (not a test): esp_encap() and esp_decap() on one
 * core, in place on one pooled packet, for AES-256-GCM-16 and
 * ChaCha20-Poly1305 at 64, 512 and 1420 inner octets.
 *
 * Prints one line per case: alg bytes encap_MB/s encap_pps decap_MB/s
 * decap_pps pair_MB/s pair_pps, MB = 10^6 inner (payload) octets.
 * decap is measured as (encap+decap) minus encap, since a decap needs a fresh
 * sealed packet each time. tests/bench/esp_bench.sh puts `openssl speed -evp`
 * next to it.
 *
 * usage: esp_bench [seconds per measurement, default 0.5] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "esp/encap.h"
#include "esp/pkt.h"
#include "esp/sa.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct rate { double pps, mbs; };

/* Run fn-in-a-loop for about secs; packets per second. */
static struct rate run(int pair, struct esp_sa *out, struct esp_table *t, struct esp_pkt *p,
		       size_t len, double secs)
{
	uint64_t n = 0;
	double t0 = now_s(), t1;
	do {
		for (int k = 0; k < 1024; k++) {
			p->data = p->buf + ESP_PKT_HEADROOM;   /* esp_pkt_reset without the write */
			p->len = len;
			if (esp_encap(out, p, ESP_NH_IPV4))
				exit(2);
			if (pair) {
				struct esp_rx rx;
				if (esp_decap(t, p, &rx))
					exit(3);
			}
		}
		n += 1024;
		t1 = now_s();
	} while (t1 - t0 < secs);
	struct rate r = { (double)n / (t1 - t0), 0 };
	r.mbs = r.pps * (double)len / 1e6;
	return r;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? strtod(argv[1], NULL) : 0.5;
	if (!(secs > 0 && secs < 60))
		secs = 0.5;
	static const struct { const char *name; uint16_t encr, bits; } algs[] = {
		{ "aes-256-gcm", ESP_ENCR_AES_GCM_16, 256 },
		{ "chacha20-poly1305", ESP_ENCR_CHACHA20_POLY1305, 256 },
	};
	static const size_t sizes[] = { 64, 512, 1420 };
	struct esp_pool *pool;
	if (esp_pool_new(1, &pool))
		return 1;
	struct esp_pkt *p = esp_pool_get(pool);
	if (!p)
		return 1;
	memset(p->buf, 0xa5, sizeof(p->buf));
	uint8_t key[36];
	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(i * 11u + 3u);
	for (size_t a = 0; a < sizeof(algs) / sizeof(algs[0]); a++) {
		for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			struct esp_sa_params prm = { .spi = 0x10203040, .encr = algs[a].encr,
						     .encr_bits = algs[a].bits, .esn = 1,
						     .key = key, .key_len = sizeof(key) };
			struct esp_sa *out, *in;
			struct esp_table *t;
			unsigned slot;
			struct esp_sa *dummy_out;
			if (esp_sa_new(&prm, ESP_DIR_OUT, &out) || esp_sa_new(&prm, ESP_DIR_IN, &in) ||
			    esp_sa_new(&prm, ESP_DIR_OUT, &dummy_out) || esp_table_new(&t) ||
			    esp_table_add(t, in, dummy_out, &slot))
				return 1;
			run(1, out, t, p, sizes[s], secs / 5);            /* warm up */
			struct esp_rate_pair { struct rate enc, pair; } r;
			r.enc = run(0, out, t, p, sizes[s], secs);
			/* The decap side must see fresh numbers: the pair loop continues
			 * the sender's sequence, which is ahead of the window. */
			r.pair = run(1, out, t, p, sizes[s], secs);
			double dec_s = 1.0 / r.pair.pps - 1.0 / r.enc.pps;
			double dec_pps = dec_s > 0 ? 1.0 / dec_s : 0;
			printf("%s %zu %.1f %.0f %.1f %.0f %.1f %.0f\n", algs[a].name, sizes[s],
			       r.enc.mbs, r.enc.pps, dec_pps * (double)sizes[s] / 1e6, dec_pps,
			       r.pair.mbs, r.pair.pps);
			fflush(stdout);
			esp_sa_free(out);
			esp_table_free(t);
		}
	}
	esp_pool_put(pool, p);
	esp_pool_free(pool);
	return 0;
}
