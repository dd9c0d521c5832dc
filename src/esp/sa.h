/* ESP Security Associations and the table the receive path looks them up in.
 *
 * An esp_sa is one direction of a Child SA: its SPI, one crypto context made
 * at creation (crypto_aead for AES-GCM-16 / ChaCha20-Poly1305, crypto_cbc_hmac
 * for AES-CBC + HMAC-SHA2), and either the outbound 64-bit sequence counter or
 * the inbound replay window. Nothing is allocated per packet.
 *
 * The table holds up to ESP_TABLE_SLOTS_MAX Child SAs ("slots"). Each slot has
 * the current inbound and outbound SA and, between a rekey and the deletion
 * of the old Child SA (RFC 7296 2.8), the previous pair: packets the peer
 * sealed with the old keys still decap. Inbound lookup is by SPI over current
 * and previous SAs (open addressing on the SPI, which is random). The
 * outbound pointer of a slot is swapped with one atomic store, so a reader
 * on another thread sees the old or the new SA, never a mix; SAs are freed
 * only when the previous pair is dropped or the slot deleted. One writer. */
#ifndef PETREL_ESP_SA_H
#define PETREL_ESP_SA_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "esp/esp.h"
#include "esp/replay.h"

struct crypto_aead;
struct crypto_cbc_hmac;
struct ike_child;

/* IKEv2 transform IDs (IANA Transform Type 1 and 3) this module accepts. */
#define ESP_ENCR_AES_CBC            12u  /* RFC 3602 */
#define ESP_ENCR_AES_GCM_16         20u  /* RFC 4106 */
#define ESP_ENCR_CHACHA20_POLY1305  28u  /* RFC 7634 */
#define ESP_INTEG_NONE              0u
#define ESP_INTEG_HMAC_SHA2_256_128 12u  /* RFC 4868 */
#define ESP_INTEG_HMAC_SHA2_384_192 13u
#define ESP_INTEG_HMAC_SHA2_512_256 14u

enum esp_dir { ESP_DIR_IN = 0, ESP_DIR_OUT = 1 };

struct esp_sa_params {
	uint32_t spi;            /* host order; >= 256 (RFC 4303 2.1) */
	uint16_t encr;           /* ESP_ENCR_* */
	uint16_t encr_bits;      /* GCM 128/256, CBC 128/192/256, ChaCha20 256 (0 = 256) */
	uint16_t integ;          /* ESP_INTEG_NONE with an AEAD, HMAC-SHA2 with CBC */
	int esn;                 /* RFC 4303 2.2.1 extended sequence numbers */
	const uint8_t *key;      /* encryption key (+ 4-octet salt), then integrity key */
	size_t key_len;          /* exactly what the algorithms need (RFC 7296 2.17) */
};

/* Per-SA counters (lifetimes by packets/bytes, status). */
struct esp_sa_stats {
	uint64_t packets;        /* out: sealed; in: authenticated */
	uint64_t bytes;          /* inner octets of those */
	uint64_t tx_no_room;     /* out: headroom or tailroom too small */
	uint64_t tx_seq_exhausted; /* out: refused at the hard sequence limit */
	uint64_t tx_err;         /* out: the cipher failed */
};

struct esp_sa {
	uint32_t spi;
	uint8_t dir;             /* enum esp_dir */
	uint8_t esn;
	uint8_t iv_len;          /* 8 AEAD, 16 CBC */
	uint8_t icv_len;         /* 16 AEAD; 16/24/32 HMAC */
	uint8_t align;           /* 4 AEAD, 16 CBC */
	uint8_t check_pad;       /* RFC 4303 2.4: check the 1, 2, 3... padding (default 1) */
	uint16_t encr;
	struct crypto_aead *aead;      /* AEAD, or NULL */
	struct crypto_cbc_hmac *cbc;   /* CBC+HMAC, or NULL */
	/* Outbound. */
	uint64_t seq;            /* last sequence number sent; 0 before the first */
	uint64_t seq_soft;       /* at this, rekey_needed is raised */
	uint64_t seq_hard;       /* the last number that may be sent */
	int rekey_needed;
	/* Inbound. */
	struct esp_replay replay;
	unsigned slot;           /* the table slot holding it */
	struct esp_sa_stats st;
};

/* 0, -EINVAL (SPI, key length, bits), -ENOTSUP (algorithm, or CBC with ESN:
 * the ICV would need seq_hi after the ciphertext, which crypto_cbc_hmac does
 * not take), -ENOMEM. */
int esp_sa_new(const struct esp_sa_params *p, enum esp_dir dir, struct esp_sa **out);
/* The inbound (key_in, spi_in) or outbound (key_out, spi_out) SA of a Child SA
 * the IKE engine negotiated. */
int esp_sa_from_child(const struct ike_child *c, enum esp_dir dir, struct esp_sa **out);
void esp_sa_free(struct esp_sa *sa);

/* Outbound: raise rekey_needed once `soft` numbers are used and refuse to go
 * past `hard` (clamped to the 32/64-bit space; soft <= hard). */
void esp_sa_set_seq_limits(struct esp_sa *sa, uint64_t soft, uint64_t hard);

static inline int esp_sa_rekey_needed(const struct esp_sa *sa) { return sa->rekey_needed; }

/* Receive-path counters of a table (drops per reason), plus the sums of the
 * per-SA counters of every SA it holds or held. */
struct esp_stats {
	uint64_t rx_packets;     /* decapsulated and handed back (IP and echo) */
	uint64_t rx_bytes;       /* their inner octets */
	uint64_t rx_bad_len;     /* too short, or not a whole number of blocks */
	uint64_t rx_no_sa;       /* no SA with that SPI */
	uint64_t rx_replay_dup;  /* already seen (inside the window) */
	uint64_t rx_replay_old;  /* left of the window */
	uint64_t rx_auth;        /* ICV did not verify */
	uint64_t rx_bad_pad;     /* pad length past the data, or padding not 1, 2, 3... */
	uint64_t rx_bad_nh;      /* a next header the tunnel does not carry */
	uint64_t rx_dummy;       /* next header 59 (RFC 4303 2.6), dropped silently */
	uint64_t tx_packets;
	uint64_t tx_bytes;
	uint64_t tx_no_room;
	uint64_t tx_seq_exhausted;
	uint64_t tx_err;
};

struct esp_table_slot {
	struct esp_sa *in, *prev_in;
	_Atomic(struct esp_sa *) out;
	struct esp_sa *prev_out;
	int used;
};

#define ESP_TABLE_HASH 256u  /* > 2 x 2 x slots: lookups stay short */

struct esp_table {
	struct esp_table_slot slots[ESP_TABLE_SLOTS_MAX];
	struct esp_sa *hash[ESP_TABLE_HASH];   /* inbound SAs, current and previous */
	uint8_t echo_nh;                        /* next header of ESP Echo; 0: none */
	struct esp_stats st;                    /* rx drops, and counters of freed SAs */
};

/* 0 or -ENOMEM. The echo next header starts at the default (144). */
int esp_table_new(struct esp_table **out);
/* Frees every SA in it. */
void esp_table_free(struct esp_table *t);
/* The next header decap reports as an echo (ike_codepoints.esp_echo_next_header). */
void esp_table_set_echo_nh(struct esp_table *t, uint8_t nh);

/* A new Child SA: the table takes both SAs on success (the slot in *slot).
 * -EEXIST (inbound SPI in use), -E2BIG (no free slot), -EINVAL (directions). */
int esp_table_add(struct esp_table *t, struct esp_sa *in, struct esp_sa *out, unsigned *slot);
/* A rekey of slot's Child SA (RFC 7296 2.8): the new pair becomes current,
 * the outbound SA switches at once, the old pair stays as previous (any older
 * previous pair is freed). Takes both SAs on success. */
int esp_table_rekey(struct esp_table *t, unsigned slot, struct esp_sa *in, struct esp_sa *out);
/* Drop slot's previous pair (the old Child SA was deleted). */
void esp_table_drop_prev(struct esp_table *t, unsigned slot);
/* Delete a whole slot. */
void esp_table_del(struct esp_table *t, unsigned slot);
/* What an IKE Delete names: the inbound SPI of a current SA (deletes its
 * slot) or of a previous one (drops that pair). 0 or -ENOENT. */
int esp_table_remove_spi(struct esp_table *t, uint32_t spi_in);

/* The inbound SA with this SPI, current or previous, or NULL. */
struct esp_sa *esp_table_lookup(const struct esp_table *t, uint32_t spi);
/* The outbound SA of a slot, or NULL. */
static inline struct esp_sa *esp_table_out(struct esp_table *t, unsigned slot)
{
	if (slot >= ESP_TABLE_SLOTS_MAX)
		return NULL;
	return atomic_load_explicit(&t->slots[slot].out, memory_order_acquire);
}

void esp_table_stats(const struct esp_table *t, struct esp_stats *out);

#endif
