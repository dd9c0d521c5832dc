/* The IKE message header, the payload chain walk, and the builder.
 *
 * Message header (RFC 7296 3.1):
 *
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       IKE SA Initiator's SPI                  |
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       IKE SA Responder's SPI                  |
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Next Payload | MjVer | MnVer | Exchange Type |     Flags     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                          Message ID                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                            Length                             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Generic payload header (RFC 7296 3.2):
 *
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
#include <stdint.h>

#include "ike/pld/pld_int.h"

int ike_pld_supported(unsigned type)
{
	return (type >= IKE_PLD_SA && type <= IKE_PLD_EAP) || type == IKE_PLD_SKF;
}

/* The fixed part of each known body, checked during the chain walk so that
 * the rules may peek at it (a Notify's type) before the typed decoders run. */
static size_t body_min(uint8_t type)
{
	switch (type) {
	case IKE_PLD_SA: return 8;        /* one proposal header */
	case IKE_PLD_KE: return 4;
	case IKE_PLD_IDI: case IKE_PLD_IDR: return 4;
	case IKE_PLD_CERT: case IKE_PLD_CERTREQ: return 1;
	case IKE_PLD_AUTH: return 4;
	case IKE_PLD_NOTIFY: return 4;
	case IKE_PLD_DELETE: return 4;
	case IKE_PLD_TSI: case IKE_PLD_TSR: return 4;
	case IKE_PLD_CP: return 4;
	case IKE_PLD_EAP: return 4;
	case IKE_PLD_SKF: return 4;
	default: return 0;
	}
}

int ike_hdr_decode(const uint8_t *p, size_t len, struct ike_hdr *h, struct ike_diag *d)
{
	struct rd r;
	rd_init(&r, p, len);
	if (len < IKE_HDR_LEN)
		return ike_fail(d, -EBADMSG, "truncated IKE header", 0, 0, 0);
	rd_bytes(&r, h->spi_i, IKE_SPI_LEN);
	rd_bytes(&r, h->spi_r, IKE_SPI_LEN);
	rd_u8(&r, &h->next);
	rd_u8(&r, &h->version);
	rd_u8(&r, &h->exch);
	rd_u8(&r, &h->flags);
	rd_u32(&r, &h->msg_id);
	rd_u32(&r, &h->len);
	if (len > PT_IKE_MSG_MAX_LEN)
		return ike_fail(d, -E2BIG, "IKE message longer than PT_IKE_MSG_MAX_LEN", 0, 0, 0);
	if (h->len != len)
		return ike_fail(d, -EBADMSG, "IKE header length differs from the datagram", 0, 0, 24);
	/* RFC 7296 3.1: a higher major version is answered with
	 * INVALID_MAJOR_VERSION; a lower one (IKEv1) is not IKEv2 at all. */
	if (h->version >> 4 != 2)
		return ike_fail(d, -EPROTO, "IKE major version is not 2",
				h->version >> 4 > 2 ? IKE_N_INVALID_MAJOR_VERSION : 0, 0, 17);
	return 0;
}

int ike_hdr_encode(struct wb *w, const struct ike_hdr *h)
{
	wb_put(w, h->spi_i, IKE_SPI_LEN);
	wb_put(w, h->spi_r, IKE_SPI_LEN);
	wb_u8(w, h->next);
	wb_u8(w, h->version);
	wb_u8(w, h->exch);
	wb_u8(w, h->flags);
	wb_u32(w, h->msg_id);
	return wb_u32(w, h->len);
}

int ike_chain_decode(const uint8_t *p, size_t len, uint8_t first, unsigned depth,
		     size_t base, struct ike_chain *c, struct ike_diag *d)
{
	struct rd r;
	uint8_t type = first;
	int sealed = 0;

	rd_init(&r, p, len);
	c->n = 0;
	/* Every turn consumes at least 4 octets and one slot of a bounded
	 * array, so the walk ends. */
	while (type != IKE_PLD_NONE) {
		size_t at = base + r.off;
		uint8_t next = 0, flags = 0;
		uint16_t plen = 0;

		if (c->n == PT_IKE_PAYLOADS_MAX)
			return ike_fail(d, -E2BIG, "more payloads than PT_IKE_PAYLOADS_MAX", 0, type, at);
		if (rd_left(&r) < IKE_PLD_HDR_LEN)
			return ike_fail(d, -EBADMSG, "truncated generic payload header",
					IKE_N_INVALID_SYNTAX, type, at);
		rd_u8(&r, &next);
		rd_u8(&r, &flags);
		rd_u16(&r, &plen);
		if (plen < IKE_PLD_HDR_LEN)
			return ike_fail(d, -EBADMSG, "payload length below 4",
					IKE_N_INVALID_SYNTAX, type, at);
		if (rd_need(&r, plen - IKE_PLD_HDR_LEN))
			return ike_fail(d, -EBADMSG, "payload length past the end",
					IKE_N_INVALID_SYNTAX, type, at);

		struct ike_pld *pl = &c->pld[c->n];
		pl->type = type;
		pl->flags = flags;
		pl->inner_next = 0;
		pl->known = (uint8_t)ike_pld_supported(type);
		pl->off = at;
		pl->body_len = plen - IKE_PLD_HDR_LEN;
		rd_ref(&r, pl->body_len, &pl->body);

		/* RFC 7296 2.5: an unknown payload stops the message only when
		 * its sender marked it critical. */
		if (!pl->known && (flags & IKE_PLD_F_CRITICAL))
			return ike_fail(d, -EPROTO, "unsupported critical payload",
					IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD, type, at);
		if (pl->known && pl->body_len < body_min(type))
			return ike_fail(d, -EBADMSG, "payload shorter than its fixed fields",
					IKE_N_INVALID_SYNTAX, type, at);
		c->n++;

		if (type == IKE_PLD_SK || type == IKE_PLD_SKF) {
			/* RFC 7296 3.14: SK is last and its Next Payload names
			 * the first inner payload; SK never nests. */
			if (depth >= PT_IKE_SK_DEPTH_MAX)
				return ike_fail(d, -EBADMSG, "SK/SKF inside an encrypted payload",
						IKE_N_INVALID_SYNTAX, type, at);
			pl->inner_next = next;
			sealed = 1;
			break;
		}
		type = next;
	}
	if (rd_left(&r))
		return ike_fail(d, -EBADMSG,
				sealed ? "SK/SKF is not the last payload"
				       : "octets after the last payload",
				IKE_N_INVALID_SYNTAX, 0, base + r.off);
	return 0;
}

int ike_msg_decode(const uint8_t *p, size_t len, struct ike_msg *m, struct ike_diag *d)
{
	int err = ike_hdr_decode(p, len, &m->hdr, d);
	m->chain.n = 0;
	if (err)
		return err;
	return ike_chain_decode(p + IKE_HDR_LEN, len - IKE_HDR_LEN, m->hdr.next, 0,
				IKE_HDR_LEN, &m->chain, d);
}

/* One typed decode per known payload; the result is thrown away. */
static int validate_one(const struct ike_pld *p)
{
	union {
		struct ike_sa_pld sa;
		struct ike_ke ke;
		struct ike_id id;
		struct ike_cert cert;
		struct ike_auth auth;
		struct ike_blob blob;
		struct ike_notify n;
		struct ike_delete del;
		struct ike_tsp ts;
		struct ike_sk sk;
		struct ike_skf skf;
		struct ike_cp cp;
		struct ike_eap eap;
	} u;

	switch (p->type) {
	case IKE_PLD_SA: return ike_sa_pld_decode(p, &u.sa);
	case IKE_PLD_KE: return ike_ke_decode(p, &u.ke);
	case IKE_PLD_IDI: case IKE_PLD_IDR: return ike_id_decode(p, &u.id);
	case IKE_PLD_CERT: return ike_cert_decode(p, &u.cert);
	case IKE_PLD_CERTREQ: return ike_certreq_decode(p, &u.cert);
	case IKE_PLD_AUTH: return ike_auth_decode(p, &u.auth);
	case IKE_PLD_NONCE: return ike_nonce_decode(p, &u.blob);
	case IKE_PLD_NOTIFY: return ike_notify_decode(p, &u.n);
	case IKE_PLD_DELETE: return ike_delete_decode(p, &u.del);
	case IKE_PLD_VID: return ike_vid_decode(p, &u.blob);
	case IKE_PLD_TSI: case IKE_PLD_TSR: return ike_ts_decode(p, &u.ts);
	case IKE_PLD_SK: return ike_sk_decode(p, &u.sk);
	case IKE_PLD_SKF: return ike_skf_decode(p, &u.skf);
	case IKE_PLD_CP: return ike_cp_decode(p, &u.cp);
	case IKE_PLD_EAP: return ike_eap_decode(p, &u.eap);
	default: return 0; /* unknown, non-critical: kept opaque */
	}
}

int ike_chain_validate(const struct ike_chain *c, struct ike_diag *d)
{
	for (size_t i = 0; i < c->n; i++) {
		int err = validate_one(&c->pld[i]);
		if (err)
			return ike_fail(d, err,
					err == -E2BIG ? "payload exceeds a cap from limits.h"
						      : "payload fails its semantic checks",
					err == -E2BIG ? 0 : IKE_N_INVALID_SYNTAX,
					c->pld[i].type, c->pld[i].off);
	}
	return 0;
}

const struct ike_pld *ike_chain_find(const struct ike_chain *c, uint8_t type, size_t *from)
{
	for (size_t i = from ? *from : 0; i < c->n; i++) {
		if (c->pld[i].type == type) {
			if (from)
				*from = i + 1;
			return &c->pld[i];
		}
	}
	if (from)
		*from = c->n;
	return NULL;
}

size_t ike_chain_count(const struct ike_chain *c, uint8_t type)
{
	size_t n = 0;
	for (size_t i = 0; i < c->n; i++)
		n += c->pld[i].type == type;
	return n;
}

/* ---- the builder ---- */

static void bld_init(struct ike_bld *b, struct wb *w)
{
	b->w = w;
	b->start = wb_len(w);
	b->next_at = SIZE_MAX;
	b->pld_at = SIZE_MAX;
	b->first = IKE_PLD_NONE;
	b->has_hdr = 0;
	b->sealed = 0;
	b->n = 0;
	b->err = wb_err(w);
}

void ike_bld_msg(struct ike_bld *b, struct wb *w, const struct ike_hdr *h)
{
	struct ike_hdr hh = *h;
	bld_init(b, w);
	b->has_hdr = 1;
	hh.next = IKE_PLD_NONE;
	hh.len = 0;
	ike_hdr_encode(w, &hh);
	b->next_at = b->start + 2 * IKE_SPI_LEN;
	b->err = wb_err(w);
}

void ike_bld_chain(struct ike_bld *b, struct wb *w)
{
	bld_init(b, w);
}

static int bld_open(struct ike_bld *b, uint8_t type, uint8_t next, uint8_t flags)
{
	if (b->err)
		return b->err;
	if (b->pld_at != SIZE_MAX)
		return b->err = -EINVAL; /* the previous payload is still open */
	if (b->sealed)
		return b->err = -EPROTO; /* RFC 7296 3.14: SK is the last payload */
	if (b->n == PT_IKE_PAYLOADS_MAX)
		return b->err = -E2BIG;
	if (b->next_at != SIZE_MAX)
		wb_set_u8(b->w, b->next_at, type);
	else if (b->n == 0)
		b->first = type;
	b->pld_at = wb_len(b->w);
	wb_u8(b->w, next);
	wb_u8(b->w, flags);
	wb_u16(b->w, 0);
	b->next_at = b->pld_at;
	b->n++;
	return b->err = wb_err(b->w);
}

int ike_bld_begin(struct ike_bld *b, uint8_t type, uint8_t flags)
{
	if (type == IKE_PLD_SK || type == IKE_PLD_SKF)
		return b->err = b->err ? b->err : -EINVAL; /* use ike_bld_begin_sk */
	return bld_open(b, type, IKE_PLD_NONE, flags);
}

static int bld_open_sk(struct ike_bld *b, uint8_t type, uint8_t inner_next, uint8_t flags)
{
	if (type != IKE_PLD_SK && type != IKE_PLD_SKF)
		return b->err = b->err ? b->err : -EINVAL;
	int err = bld_open(b, type, inner_next, flags);
	if (err)
		return err;
	b->next_at = SIZE_MAX;
	b->sealed = 1;
	return 0;
}

int ike_bld_begin_sk(struct ike_bld *b, uint8_t type, uint8_t inner_next)
{
	return bld_open_sk(b, type, inner_next, 0);
}

int ike_bld_end(struct ike_bld *b)
{
	if (b->err)
		return b->err;
	if (b->pld_at == SIZE_MAX)
		return b->err = -EINVAL;
	if (wb_err(b->w))
		return b->err = wb_err(b->w);
	size_t plen = wb_len(b->w) - b->pld_at;
	if (plen > IKE_PLD_MAX_LEN)
		return b->err = -ENOBUFS;
	wb_set_u16(b->w, b->pld_at + 2, (uint16_t)plen);
	b->pld_at = SIZE_MAX;
	return b->err = wb_err(b->w);
}

int ike_bld_raw(struct ike_bld *b, uint8_t type, uint8_t flags, const uint8_t *body, size_t len)
{
	int err = ike_bld_begin(b, type, flags);
	if (err)
		return err;
	wb_put(b->w, body, len);
	return ike_bld_end(b);
}

int ike_bld_finish(struct ike_bld *b, size_t *len)
{
	if (!b->err && b->pld_at != SIZE_MAX)
		b->err = -EINVAL;
	if (!b->err)
		b->err = wb_err(b->w);
	if (b->err)
		return b->err;
	size_t total = wb_len(b->w) - b->start;
	if (b->has_hdr) {
		if (total > PT_IKE_MSG_MAX_LEN)
			return b->err = -ENOBUFS;
		wb_set_u32(b->w, b->start + 24, (uint32_t)total);
	}
	if (len)
		*len = total;
	return b->err = wb_err(b->w);
}

static int encode_chain(struct ike_bld *b, const struct ike_chain *c)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct ike_pld *p = &c->pld[i];
		int err = p->type == IKE_PLD_SK || p->type == IKE_PLD_SKF
			? bld_open_sk(b, p->type, p->inner_next, p->flags)
			: ike_bld_begin(b, p->type, p->flags);
		if (err)
			return err;
		wb_put(b->w, p->body, p->body_len);
		if ((err = ike_bld_end(b)))
			return err;
	}
	return ike_bld_finish(b, NULL);
}

int ike_chain_encode(struct wb *w, const struct ike_chain *c)
{
	struct ike_bld b;
	ike_bld_chain(&b, w);
	return encode_chain(&b, c);
}

int ike_msg_encode(struct wb *w, const struct ike_hdr *h, const struct ike_chain *c)
{
	struct ike_bld b;
	ike_bld_msg(&b, w, h);
	return encode_chain(&b, c);
}
