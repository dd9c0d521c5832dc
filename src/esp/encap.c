/* ESP encap/decap in place (see encap.h). */
#include "esp/encap.h"

#include <errno.h>
#include <string.h>

#include "crypto/aead.h"
#include "crypto/cbc_hmac.h"
#include "crypto/secret.h"

static inline void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* RFC 4303 2.4: the smallest padding that makes payload | padding | trailer
 * a multiple of the alignment. */
static inline size_t pad_len(const struct esp_sa *sa, size_t inner_len)
{
	size_t a = sa->align;
	return (a - (inner_len + ESP_TRAILER_LEN) % a) % a;
}

size_t esp_overhead(const struct esp_sa *sa, size_t inner_len)
{
	return ESP_HDR_LEN + sa->iv_len + pad_len(sa, inner_len) + ESP_TRAILER_LEN + sa->icv_len;
}

/* AAD: SPI | seq (RFC 4106 5), or SPI | seq_hi | seq_lo with ESN. */
static inline size_t make_aad(const struct esp_sa *sa, uint64_t seq, uint8_t aad[12])
{
	put32(aad, sa->spi);
	if (sa->esn) {
		put32(aad + 4, (uint32_t)(seq >> 32));
		put32(aad + 8, (uint32_t)seq);
		return 12;
	}
	put32(aad + 4, (uint32_t)seq);
	return 8;
}

int esp_encap(struct esp_sa *sa, struct esp_pkt *pkt, uint8_t next_header)
{
	if (sa->dir != ESP_DIR_OUT)
		return -EINVAL;
	if (sa->seq >= sa->seq_hard) {
		sa->st.tx_seq_exhausted++;
		sa->rekey_needed = 1;
		return -EKEYEXPIRED;
	}
	const size_t inner = pkt->len;
	const size_t pad = pad_len(sa, inner);
	const size_t head = ESP_HDR_LEN + sa->iv_len;
	if (esp_pkt_headroom(pkt) < head ||
	    esp_pkt_tailroom(pkt) < pad + ESP_TRAILER_LEN + sa->icv_len) {
		sa->st.tx_no_room++;
		return -ENOBUFS;
	}

	const uint64_t seq = ++sa->seq;
	if (seq >= sa->seq_soft)
		sa->rekey_needed = 1;

	/* Room was checked above: the layout is plain pointer arithmetic.
	 * Trailer: padding 1, 2, 3... (RFC 4303 2.4), Pad Length, Next Header. */
	uint8_t *body = pkt->data;
	uint8_t *t = body + inner;
	for (size_t i = 0; i < pad; i++)
		t[i] = (uint8_t)(i + 1);
	t[pad] = (uint8_t)pad;
	t[pad + 1] = next_header;
	const size_t plain = inner + pad + ESP_TRAILER_LEN;  /* payload | padding | trailer */
	uint8_t *icv = body + plain;

	uint8_t *h = body - head;
	put32(h, sa->spi);
	put32(h + 4, (uint32_t)seq);
	uint8_t *iv = h + ESP_HDR_LEN;
	pkt->data = h;
	pkt->len = head + plain + sa->icv_len;

	int err;
	if (sa->aead) {
		/* RFC 4106 3.1: the IV is the 64-bit sequence number; it never
		 * repeats under one key because seq never wraps. */
		put32(iv, (uint32_t)(seq >> 32));
		put32(iv + 4, (uint32_t)seq);
		uint8_t aad[12];
		size_t aad_len = make_aad(sa, seq, aad);
		err = crypto_aead_seal(sa->aead, iv, aad, aad_len, body, plain, icv);
	} else {
		/* RFC 3602 2.1: CBC needs an unpredictable IV. ICV over
		 * SPI | seq | IV | ciphertext (no ESN with CBC, see sa.h). */
		err = crypto_random(iv, ESP_CBC_IV_LEN);
		if (!err)
			err = crypto_cbc_hmac_seal(sa->cbc, iv, h, ESP_HDR_LEN, body, plain, icv);
	}
	if (err) {
		sa->st.tx_err++;
		return err;
	}
	sa->st.packets++;
	sa->st.bytes += inner;
	return 0;
}

/* RFC 4303 2.4: padding written as 1, 2, 3... when the check is on. */
static int pad_ok(const uint8_t *pad, size_t n)
{
	uint8_t bad = 0;
	for (size_t i = 0; i < n; i++)
		bad |= (uint8_t)(pad[i] ^ (uint8_t)(i + 1));
	return bad == 0;
}

int esp_decap(struct esp_table *t, struct esp_pkt *pkt, struct esp_rx *rx)
{
	/* 1. Length: enough for a header before anything is read. */
	if (pkt->len < ESP_HDR_LEN + ESP_AEAD_IV_LEN + ESP_AEAD_ALIGN + ESP_AEAD_ICV_LEN) {
		t->st.rx_bad_len++;
		return -EBADMSG;
	}
	uint8_t *h = pkt->data;
	const uint32_t spi = get32(h);
	const uint32_t seq_lo = get32(h + 4);

	/* 2. SPI lookup (current and previous inbound SAs). */
	struct esp_sa *sa = esp_table_lookup(t, spi);
	if (!sa) {
		t->st.rx_no_sa++;
		return -ENOENT;
	}
	/* The SA's own lengths: IV, ICV, and whole blocks of at least the
	 * trailer in between. */
	const size_t fixed = ESP_HDR_LEN + (size_t)sa->iv_len + sa->icv_len;
	if (pkt->len < fixed + ESP_TRAILER_LEN || (pkt->len - fixed) % sa->align) {
		t->st.rx_bad_len++;
		return -EBADMSG;
	}
	const size_t ct_len = pkt->len - fixed;
	uint8_t *iv = h + ESP_HDR_LEN;
	uint8_t *body = iv + sa->iv_len;
	const uint8_t *icv = body + ct_len;

	/* 3. Replay pre-check, on the recovered 64-bit number. */
	const uint64_t seq = esp_replay_seq(&sa->replay, seq_lo, sa->esn);
	enum esp_replay_verdict v = esp_replay_check(&sa->replay, seq);
	if (v != ESP_REPLAY_OK) {
		if (v == ESP_REPLAY_DUP)
			t->st.rx_replay_dup++;
		else
			t->st.rx_replay_old++;
		return -EALREADY;
	}

	/* 4. Authenticate and decrypt in place. */
	int err;
	if (sa->aead) {
		uint8_t aad[12];
		size_t aad_len = make_aad(sa, seq, aad);
		err = crypto_aead_open(sa->aead, iv, aad, aad_len, body, ct_len, icv);
	} else {
		err = crypto_cbc_hmac_open(sa->cbc, iv, h, ESP_HDR_LEN, body, ct_len, icv);
	}
	if (err) {
		t->st.rx_auth++;
		return -EACCES;
	}

	/* 5. Only now move the window (RFC 4303 3.4.3). */
	esp_replay_update(&sa->replay, seq);

	/* 6. Trailer. */
	const uint8_t nh = body[ct_len - 1];
	const size_t pad = body[ct_len - 2];
	if (pad > ct_len - ESP_TRAILER_LEN ||
	    (sa->check_pad && !pad_ok(body + ct_len - ESP_TRAILER_LEN - pad, pad))) {
		t->st.rx_bad_pad++;
		return -EBADMSG;
	}
	const size_t inner = ct_len - ESP_TRAILER_LEN - pad;
	if (nh == ESP_NH_NONE) {
		t->st.rx_dummy++;
		return -ENODATA;
	}
	if (nh != ESP_NH_IPV4 && nh != ESP_NH_IPV6 && (nh != t->echo_nh || !t->echo_nh)) {
		t->st.rx_bad_nh++;
		return -EPROTONOSUPPORT;
	}
	pkt->data = body;
	pkt->len = inner;
	sa->st.packets++;
	sa->st.bytes += inner;
	t->st.rx_packets++;
	t->st.rx_bytes += inner;
	rx->sa = sa;
	rx->seq = seq;
	rx->next_header = nh;
	return 0;
}
