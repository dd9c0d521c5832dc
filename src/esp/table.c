/* The SA table: slots of Child SAs, inbound lookup by SPI (see sa.h). */
#include "esp/sa.h"

#include <errno.h>
#include <stdlib.h>

#include "ike/pld/codepoints.h"

#define HMASK (ESP_TABLE_HASH - 1u)

static unsigned h_of(uint32_t spi)
{
	/* SPIs are random (RFC 4303 2.1 lets the receiver pick them), but a
	 * peer's choice is not ours: mix so that sequential SPIs spread too. */
	return (unsigned)((spi * 2654435761u) >> 24) & HMASK;
}

struct esp_sa *esp_table_lookup(const struct esp_table *t, uint32_t spi)
{
	for (unsigned i = h_of(spi), n = 0; n < ESP_TABLE_HASH; i = (i + 1) & HMASK, n++) {
		struct esp_sa *sa = t->hash[i];
		if (!sa)
			return NULL;
		if (sa->spi == spi)
			return sa;
	}
	return NULL;
}

static int h_add(struct esp_table *t, struct esp_sa *sa)
{
	for (unsigned i = h_of(sa->spi), n = 0; n < ESP_TABLE_HASH; i = (i + 1) & HMASK, n++) {
		if (!t->hash[i]) {
			t->hash[i] = sa;
			return 0;
		}
		if (t->hash[i]->spi == sa->spi)
			return -EEXIST;
	}
	return -E2BIG;
}

/* Linear probing removal with backward shift: no tombstones. */
static void h_del(struct esp_table *t, const struct esp_sa *sa)
{
	unsigned i = h_of(sa->spi), n = 0;
	while (t->hash[i] != sa) {
		if (!t->hash[i] || ++n >= ESP_TABLE_HASH)
			return;
		i = (i + 1) & HMASK;
	}
	t->hash[i] = NULL;
	for (unsigned j = (i + 1) & HMASK; t->hash[j]; j = (j + 1) & HMASK) {
		unsigned home = h_of(t->hash[j]->spi);
		/* Move j into the hole at i when its home is not in (i, j]. */
		if (((j - home) & HMASK) >= ((j - i) & HMASK)) {
			t->hash[i] = t->hash[j];
			t->hash[j] = NULL;
			i = j;
		}
	}
}

int esp_table_new(struct esp_table **out)
{
	struct esp_table *t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	for (unsigned i = 0; i < ESP_TABLE_SLOTS_MAX; i++)
		atomic_init(&t->slots[i].out, NULL);
	t->echo_nh = IKE_CP_DEFAULT_ESP_ECHO_NEXT_HEADER;
	*out = t;
	return 0;
}

void esp_table_set_echo_nh(struct esp_table *t, uint8_t nh)
{
	t->echo_nh = nh;
}

/* Keep a freed SA's counters in the table's totals. */
static void retire(struct esp_table *t, struct esp_sa *sa)
{
	if (!sa)
		return;
	if (sa->dir == ESP_DIR_OUT) {
		t->st.tx_packets += sa->st.packets;
		t->st.tx_bytes += sa->st.bytes;
		t->st.tx_no_room += sa->st.tx_no_room;
		t->st.tx_seq_exhausted += sa->st.tx_seq_exhausted;
		t->st.tx_err += sa->st.tx_err;
	} else {
		h_del(t, sa);
	}
	esp_sa_free(sa);
}

void esp_table_free(struct esp_table *t)
{
	if (!t)
		return;
	for (unsigned i = 0; i < ESP_TABLE_SLOTS_MAX; i++)
		esp_table_del(t, i);
	free(t);
}

static int pair_ok(const struct esp_sa *in, const struct esp_sa *out)
{
	return in && out && in->dir == ESP_DIR_IN && out->dir == ESP_DIR_OUT;
}

int esp_table_add(struct esp_table *t, struct esp_sa *in, struct esp_sa *out, unsigned *slot)
{
	if (!pair_ok(in, out))
		return -EINVAL;
	unsigned s = 0;
	while (s < ESP_TABLE_SLOTS_MAX && t->slots[s].used)
		s++;
	if (s == ESP_TABLE_SLOTS_MAX)
		return -E2BIG;
	int err = h_add(t, in);
	if (err)
		return err;
	struct esp_table_slot *sl = &t->slots[s];
	sl->used = 1;
	sl->in = in;
	in->slot = out->slot = s;
	atomic_store_explicit(&sl->out, out, memory_order_release);
	if (slot)
		*slot = s;
	return 0;
}

void esp_table_drop_prev(struct esp_table *t, unsigned slot)
{
	if (slot >= ESP_TABLE_SLOTS_MAX || !t->slots[slot].used)
		return;
	struct esp_table_slot *sl = &t->slots[slot];
	retire(t, sl->prev_in);
	retire(t, sl->prev_out);
	sl->prev_in = sl->prev_out = NULL;
}

int esp_table_rekey(struct esp_table *t, unsigned slot, struct esp_sa *in, struct esp_sa *out)
{
	if (!pair_ok(in, out) || slot >= ESP_TABLE_SLOTS_MAX || !t->slots[slot].used)
		return -EINVAL;
	if (esp_table_lookup(t, in->spi))
		return -EEXIST;
	struct esp_table_slot *sl = &t->slots[slot];
	esp_table_drop_prev(t, slot);
	int err = h_add(t, in);
	if (err)
		return err;
	in->slot = out->slot = slot;
	sl->prev_in = sl->in;
	sl->in = in;
	/* RFC 7296 2.8: send on the new SA at once; keep receiving on both. */
	sl->prev_out = atomic_exchange_explicit(&sl->out, out, memory_order_acq_rel);
	return 0;
}

void esp_table_del(struct esp_table *t, unsigned slot)
{
	if (slot >= ESP_TABLE_SLOTS_MAX || !t->slots[slot].used)
		return;
	struct esp_table_slot *sl = &t->slots[slot];
	esp_table_drop_prev(t, slot);
	retire(t, sl->in);
	retire(t, atomic_exchange_explicit(&sl->out, NULL, memory_order_acq_rel));
	sl->in = NULL;
	sl->used = 0;
}

int esp_table_remove_spi(struct esp_table *t, uint32_t spi_in)
{
	struct esp_sa *sa = esp_table_lookup(t, spi_in);
	if (!sa)
		return -ENOENT;
	struct esp_table_slot *sl = &t->slots[sa->slot];
	if (sl->prev_in == sa)
		esp_table_drop_prev(t, sa->slot);
	else
		esp_table_del(t, sa->slot);
	return 0;
}

void esp_table_stats(const struct esp_table *t, struct esp_stats *out)
{
	*out = t->st;
	for (unsigned i = 0; i < ESP_TABLE_SLOTS_MAX; i++) {
		const struct esp_table_slot *sl = &t->slots[i];
		if (!sl->used)
			continue;
		const struct esp_sa *o[2] = {
			atomic_load_explicit(&sl->out, memory_order_acquire), sl->prev_out };
		for (int k = 0; k < 2; k++) {
			if (!o[k])
				continue;
			out->tx_packets += o[k]->st.packets;
			out->tx_bytes += o[k]->st.bytes;
			out->tx_no_room += o[k]->st.tx_no_room;
			out->tx_seq_exhausted += o[k]->st.tx_seq_exhausted;
			out->tx_err += o[k]->st.tx_err;
		}
	}
}
