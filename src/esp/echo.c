/* ESP Echo messages and probes (see echo.h). */
#include "esp/echo.h"

#include <errno.h>
#include <string.h>

#include "base/cursor.h"
#include "base/wbuf.h"
#include "ike/pld/codepoints.h"

const struct esp_echo_cfg esp_echo_cfg_default = {
	.next_header = IKE_CP_DEFAULT_ESP_ECHO_NEXT_HEADER,
	.request = IKE_CP_DEFAULT_ESP_ECHO_REQUEST,
	.reply = IKE_CP_DEFAULT_ESP_ECHO_REPLY,
};

int esp_echo_request(const struct esp_echo_cfg *cfg, struct esp_pkt *pkt, uint16_t id,
		     uint16_t seq, size_t data_len, uint32_t return_spi)
{
	if (data_len > ESP_ECHO_DATA_MAX || pkt->len)
		return -EINVAL;
	size_t len = ESP_ECHO_HDR_LEN + (return_spi ? 4u : 0u) + data_len;
	uint8_t *at = esp_pkt_put(pkt, len);
	if (!at)
		return -ENOBUFS;
	struct wb w;
	wb_init(&w, at, len);
	wb_u8(&w, cfg->request);
	wb_u8(&w, return_spi ? ESP_ECHO_FLAG_R : 0);
	wb_u16(&w, (uint16_t)data_len);
	wb_u16(&w, id);
	wb_u16(&w, seq);
	if (return_spi)
		wb_u32(&w, return_spi);
	wb_zero(&w, data_len);
	return wb_err(&w);
}

int esp_echo_parse(const struct esp_echo_cfg *cfg, const uint8_t *p, size_t len,
		   struct esp_echo *out)
{
	struct rd r;
	uint8_t type, flags;
	uint16_t dlen;
	rd_init(&r, p, len);
	if (rd_u8(&r, &type) || rd_u8(&r, &flags) || rd_u16(&r, &dlen) ||
	    rd_u16(&r, &out->id) || rd_u16(&r, &out->seq))
		return -EBADMSG;
	if (type == cfg->request)
		out->is_request = 1;
	else if (type == cfg->reply)
		out->is_request = 0;
	else
		return -EPROTONOSUPPORT;
	out->has_return_spi = (flags & ESP_ECHO_FLAG_R) != 0;
	out->return_spi = 0;
	if (out->has_return_spi) {
		if (!out->is_request)
			return -EBADMSG;     /* R is never set in a reply */
		if (rd_u32(&r, &out->return_spi))
			return -EBADMSG;
	}
	if (rd_ref(&r, dlen, &out->data))
		return -EBADMSG;
	out->data_len = dlen;
	return 0;
}

int esp_echo_reply(const struct esp_echo_cfg *cfg, struct esp_pkt *pkt, const struct esp_echo *req)
{
	if (!req->is_request || pkt->len < ESP_ECHO_HDR_LEN ||
	    req->data < pkt->data || (size_t)(req->data - pkt->data) > pkt->len ||
	    req->data_len > pkt->len - (size_t)(req->data - pkt->data))
		return -EINVAL;
	size_t dlen = req->data_len > ESP_ECHO_DATA_MAX ? ESP_ECHO_DATA_MAX : req->data_len;
	/* The data moves 4 octets forward when the Return SPI goes. */
	memmove(pkt->data + ESP_ECHO_HDR_LEN, req->data, dlen);
	struct wb w;
	wb_init(&w, pkt->data, ESP_ECHO_HDR_LEN);
	wb_u8(&w, cfg->reply);
	wb_u8(&w, 0);
	wb_u16(&w, (uint16_t)dlen);
	wb_u16(&w, req->id);
	wb_u16(&w, req->seq);
	pkt->len = ESP_ECHO_HDR_LEN + dlen;
	return 0;
}

struct esp_sa *esp_echo_reply_sa(struct esp_table *t, const struct esp_sa *in,
				 const struct esp_echo *req)
{
	if (!in || in->dir != ESP_DIR_IN || !req->is_request)
		return NULL;
	struct esp_sa *out = esp_table_out(t, in->slot);
	if (!out)
		return NULL;
	if (req->has_return_spi && req->return_spi != out->spi)
		return NULL;
	return out;
}

void esp_probes_init(struct esp_probes *pr, uint16_t id)
{
	memset(pr, 0, sizeof(*pr));
	pr->id = id;
}

uint16_t esp_probes_add(struct esp_probes *pr, uint64_t now_ms)
{
	size_t slot = 0;
	for (size_t i = 0; i < ESP_PROBES_MAX; i++) {
		if (!pr->p[i].used) {
			slot = i;
			break;
		}
		if (pr->p[i].sent_ms < pr->p[slot].sent_ms)
			slot = i;           /* full so far: the oldest goes */
	}
	uint16_t seq = pr->next_seq++;
	pr->p[slot].seq = seq;
	pr->p[slot].used = 1;
	pr->p[slot].sent_ms = now_ms;
	pr->sent++;
	return seq;
}

int esp_probes_match(struct esp_probes *pr, const struct esp_echo *reply, uint64_t now_ms,
		     uint64_t *rtt_ms)
{
	if (!reply->is_request && reply->id == pr->id) {
		for (size_t i = 0; i < ESP_PROBES_MAX; i++) {
			struct esp_probe *p = &pr->p[i];
			if (!p->used || p->seq != reply->seq)
				continue;
			p->used = 0;
			pr->matched++;
			if (rtt_ms)
				*rtt_ms = now_ms >= p->sent_ms ? now_ms - p->sent_ms : 0;
			return 0;
		}
	}
	pr->unmatched++;
	return -ENOENT;
}

size_t esp_probes_outstanding(const struct esp_probes *pr)
{
	size_t n = 0;
	for (size_t i = 0; i < ESP_PROBES_MAX; i++)
		n += pr->p[i].used;
	return n;
}

void esp_probes_clear(struct esp_probes *pr)
{
	for (size_t i = 0; i < ESP_PROBES_MAX; i++)
		pr->p[i].used = 0;
}

int esp_echo_probe(const struct esp_echo_cfg *cfg, struct esp_probes *pr, struct esp_pkt *pkt,
		   uint64_t now_ms, size_t data_len)
{
	if (data_len > ESP_ECHO_DATA_MAX || pkt->len)
		return -EINVAL;
	uint16_t seq = pr->next_seq;
	int err = esp_echo_request(cfg, pkt, pr->id, seq, data_len, 0);
	if (err)
		return err;
	esp_probes_add(pr, now_ms);
	return 0;
}
