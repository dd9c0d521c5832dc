/* Shared fixtures of the ESP unit tests: fixed keys, SA pairs, two tables
 * facing each other ("us" and "peer"), and a raw sealer that builds ESP
 * packets straight from crypto_aead so the framing is checked independently. */
#ifndef PETREL_TEST_ESP_H
#define PETREL_TEST_ESP_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/aead.h"
#include "esp/encap.h"
#include "esp/esp.h"
#include "esp/pkt.h"
#include "esp/sa.h"

struct alg_case {
	const char *name;
	uint16_t encr, bits, integ;
	int esn;
};

static const struct alg_case alg_cases[] = {
	{ "aes128gcm16", ESP_ENCR_AES_GCM_16, 128, 0, 0 },
	{ "aes128gcm16-esn", ESP_ENCR_AES_GCM_16, 128, 0, 1 },
	{ "aes256gcm16", ESP_ENCR_AES_GCM_16, 256, 0, 0 },
	{ "aes256gcm16-esn", ESP_ENCR_AES_GCM_16, 256, 0, 1 },
	{ "chacha20poly1305", ESP_ENCR_CHACHA20_POLY1305, 256, 0, 0 },
	{ "chacha20poly1305-esn", ESP_ENCR_CHACHA20_POLY1305, 0, 0, 1 },
	{ "aes128-sha256", ESP_ENCR_AES_CBC, 128, ESP_INTEG_HMAC_SHA2_256_128, 0 },
	{ "aes256-sha384", ESP_ENCR_AES_CBC, 256, ESP_INTEG_HMAC_SHA2_384_192, 0 },
	{ "aes256-sha512", ESP_ENCR_AES_CBC, 256, ESP_INTEG_HMAC_SHA2_512_256, 0 },
};
#define N_ALG_CASES (sizeof(alg_cases) / sizeof(alg_cases[0]))

static inline size_t alg_key_len(const struct alg_case *a)
{
	switch (a->encr) {
	case ESP_ENCR_AES_GCM_16: return a->bits / 8u + 4u;
	case ESP_ENCR_CHACHA20_POLY1305: return 36;
	default:
		return a->bits / 8u + (a->integ == ESP_INTEG_HMAC_SHA2_256_128 ? 32u :
				       a->integ == ESP_INTEG_HMAC_SHA2_384_192 ? 48u : 64u);
	}
}

/* Key octets derived from a seed, so each direction has its own. */
static inline void fill_key(uint8_t *k, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		k[i] = (uint8_t)(seed * 31u + i * 7u + 1u);
}

static struct esp_sa *mk_sa(const struct alg_case *a, uint32_t spi, uint8_t seed, enum esp_dir d)
{
	uint8_t key[128];
	size_t kl = alg_key_len(a);
	fill_key(key, kl, seed);
	struct esp_sa_params p = { .spi = spi, .encr = a->encr, .encr_bits = a->bits,
				   .integ = a->integ, .esn = a->esn, .key = key, .key_len = kl };
	struct esp_sa *sa = NULL;
	if (esp_sa_new(&p, d, &sa))
		return NULL;
	return sa;
}

/* Two tables facing each other, one Child SA: us -> peer on spi_up (seed 1),
 * peer -> us on spi_down (seed 2). */
struct duo {
	struct esp_table *us, *peer;
	unsigned us_slot, peer_slot;
};

static inline int duo_open(struct duo *d, const struct alg_case *a, uint32_t spi_up, uint32_t spi_down)
{
	memset(d, 0, sizeof(*d));
	if (esp_table_new(&d->us) || esp_table_new(&d->peer))
		return -1;
	struct esp_sa *us_in = mk_sa(a, spi_down, 2, ESP_DIR_IN);
	struct esp_sa *us_out = mk_sa(a, spi_up, 1, ESP_DIR_OUT);
	struct esp_sa *pe_in = mk_sa(a, spi_up, 1, ESP_DIR_IN);
	struct esp_sa *pe_out = mk_sa(a, spi_down, 2, ESP_DIR_OUT);
	if (!us_in || !us_out || !pe_in || !pe_out ||
	    esp_table_add(d->us, us_in, us_out, &d->us_slot) ||
	    esp_table_add(d->peer, pe_in, pe_out, &d->peer_slot))
		return -1;
	return 0;
}

static inline void duo_close(struct duo *d)
{
	esp_table_free(d->us);
	esp_table_free(d->peer);
}

/* A packet of its own (tests do not need a pool). */
static struct esp_pkt *pkt_new(void)
{
	struct esp_pkt *p = aligned_alloc(_Alignof(struct esp_pkt), sizeof(*p));
	if (p)
		esp_pkt_reset(p);
	return p;
}

static inline void pkt_set(struct esp_pkt *p, const uint8_t *b, size_t n)
{
	esp_pkt_reset(p);
	if (n > esp_pkt_tailroom(p))
		abort();
	memcpy(p->data, b, n);
	p->len = n;
}

/* n octets of `byte` as the packet's data. */
static inline void pkt_fill(struct esp_pkt *p, uint8_t byte, size_t n)
{
	esp_pkt_reset(p);
	if (n > esp_pkt_tailroom(p))
		abort();
	memset(p->data, byte, n);
	p->len = n;
}

/* A pointer the test knows is there (keeps gcc's -Wnull-dereference quiet). */
static inline struct esp_sa *must(struct esp_sa *sa)
{
	if (!sa)
		abort();
	return sa;
}

static inline void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

/* An AEAD ESP packet built by hand: SPI | seq_lo | IV = seq64 | seal(plain) | tag,
 * AAD SPI | [seq_hi |] seq_lo. Returns its length. */
static inline size_t raw_seal(int alg, const uint8_t *keymat, size_t keymat_len, uint32_t spi,
		       uint64_t seq, int esn, const uint8_t *plain, size_t plain_len, uint8_t *out)
{
	struct crypto_aead *a = NULL;
	if (crypto_aead_new(alg, keymat, keymat_len, &a))
		return 0;
	put_be32(out, spi);
	put_be32(out + 4, (uint32_t)seq);
	put_be32(out + 8, (uint32_t)(seq >> 32));
	put_be32(out + 12, (uint32_t)seq);
	uint8_t aad[12];
	size_t aad_len;
	put_be32(aad, spi);
	if (esn) {
		put_be32(aad + 4, (uint32_t)(seq >> 32));
		put_be32(aad + 8, (uint32_t)seq);
		aad_len = 12;
	} else {
		put_be32(aad + 4, (uint32_t)seq);
		aad_len = 8;
	}
	memcpy(out + 16, plain, plain_len);
	int err = crypto_aead_seal(a, out + 8, aad, aad_len, out + 16, plain_len, out + 16 + plain_len);
	crypto_aead_free(a);
	return err ? 0 : 16 + plain_len + 16;
}

#endif
