/* Micro-benchmark of petrel's crypto data path, through its own API: one
 * context per key, sealing and opening in place, as ESP does. Prints
 * "name op bytes MB/s" lines (MB = 10^6 bytes); micro.sh puts them next to
 * `openssl speed`. Not a test: numbers, no verdict.
 *
 *   bench_micro [seconds per case, default 0.3] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/aead.h"
#include "crypto/prf.h"

static const size_t sizes[] = { 64, 512, 1420 };

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Run fn in batches until secs have passed; bytes per second. */
#define MEASURE(secs, len, body)                                              \
	({                                                                   \
		double t0_ = now_s(), t_;                                    \
		unsigned long n_ = 0;                                        \
		do {                                                         \
			for (int b_ = 0; b_ < 256; b_++) {                   \
				body;                                        \
			}                                                    \
			n_ += 256;                                           \
			t_ = now_s() - t0_;                                  \
		} while (t_ < (secs));                                       \
		(double)n_ * (double)(len) / t_;                             \
	})

static void bench_aead(const char *name, int alg, unsigned bits, double secs)
{
	uint8_t keymat[36], iv[8] = { 0 }, aad[8] = { 1 }, tag[16], buf[1420];
	struct crypto_aead *a;
	for (size_t i = 0; i < sizeof(keymat); i++)
		keymat[i] = (uint8_t)i;
	memset(buf, 0x5a, sizeof(buf));
	if (crypto_aead_new(alg, keymat, crypto_aead_keymat_len(alg, bits), &a)) {
		fprintf(stderr, "%s: not available\n", name);
		return;
	}
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		size_t len = sizes[s];
		uint64_t seq = 0;
		double seal = MEASURE(secs, len, {
			seq++;
			memcpy(iv, &seq, sizeof(iv));
			crypto_aead_seal(a, iv, aad, sizeof(aad), buf, len, tag);
		});
		/* Open a valid packet each time: seal once, then open a copy
		 * restored from it (the copy is part of the cost, as small as a
		 * packet copy can be; measured separately below and removed). */
		uint8_t ct[1420], ct_tag[16];
		memcpy(ct, buf, len);
		crypto_aead_seal(a, iv, aad, sizeof(aad), ct, len, ct_tag);
		double copy = MEASURE(secs / 3, len, { memcpy(buf, ct, len); __asm__ volatile("" ::: "memory"); });
		double open_copy = MEASURE(secs, len, {
			memcpy(buf, ct, len);
			if (crypto_aead_open(a, iv, aad, sizeof(aad), buf, len, ct_tag)) {
				fprintf(stderr, "open failed\n");
				exit(1);
			}
		});
		/* time(open) = time(open+copy) - time(copy) */
		double open = 1.0 / (1.0 / open_copy - 1.0 / copy);
		printf("%s seal %zu %.1f\n", name, len, seal / 1e6);
		printf("%s open %zu %.1f\n", name, len, open / 1e6);
	}
	crypto_aead_free(a);
}

static void bench_prf(double secs)
{
	uint8_t key[32] = { 3 }, in[1420], out[32];
	struct crypto_prf *prf;
	memset(in, 0x11, sizeof(in));
	if (crypto_prf_new(CRYPTO_PRF_HMAC_SHA2_256, key, sizeof(key), &prf))
		return;
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		size_t len = sizes[s];
		struct crypto_buf seed = { in, len };
		/* One prf+ block: HMAC over the input and the counter octet. */
		double r = MEASURE(secs, len, { crypto_prf_plus(prf, &seed, 1, out, sizeof(out)); });
		printf("hmac-sha256 prf+ %zu %.1f\n", len, r / 1e6);
	}
	crypto_prf_free(prf);
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 0.3;
	if (secs <= 0 || secs > 10)
		secs = 0.3;
	bench_aead("aes-128-gcm", CRYPTO_AEAD_AES_GCM16, 128, secs);
	bench_aead("aes-256-gcm", CRYPTO_AEAD_AES_GCM16, 256, secs);
	bench_aead("chacha20-poly1305", CRYPTO_AEAD_CHACHA20_POLY1305, 256, secs);
	bench_prf(secs);
	return 0;
}
