/* SA payload (RFC 7296 3.3): proposals, transforms, attributes.
 *
 * SA payload body: one or more proposals.
 *
 * Proposal substructure (RFC 7296 3.3.1):
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Last Substruc |   RESERVED    |         Proposal Length       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Proposal Num  |  Protocol ID  |    SPI Size   |Num  Transforms|
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                        SPI (variable)                         ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                        <Transforms>                           ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Transform substructure (RFC 7296 3.3.2):
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Last Substruc |   RESERVED    |        Transform Length       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Transform Type |   RESERVED    |          Transform ID         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                      Transform Attributes                     ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Data attribute (RFC 7296 3.3.5):
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |A|       Attribute Type        |    AF=0  Attribute Length     |
 * |F|                             |    AF=1  Attribute Value      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                   AF=0  Attribute Value                       |
 * |                   AF=1  Not Transmitted                       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
#include "ike/pld/pld_int.h"

#define LAST_PROP   0u
#define MORE_PROP   2u /* RFC 7296 3.3.1 */
#define MORE_XFORM  3u /* RFC 7296 3.3.2 */
#define ATTR_AF     0x8000u

static int decode_attrs(struct rd *r, struct ike_sa_pld *sa, struct ike_xform *xf)
{
	xf->attr_off = (uint16_t)sa->n_attr;
	xf->n_attr = 0;
	while (rd_left(r)) {
		uint16_t at, v;
		if (xf->n_attr == PT_IKE_ATTRS_MAX || sa->n_attr == PT_IKE_SA_ATTRS_MAX)
			return -E2BIG;
		if (rd_u16(r, &at) || rd_u16(r, &v))
			return -EBADMSG;
		struct ike_attr *a = &sa->attr[sa->n_attr];
		a->type = at & (uint16_t)~ATTR_AF;
		a->tv = (at & ATTR_AF) != 0;
		a->value = a->tv ? v : 0;
		a->data = NULL;
		a->len = 0;
		if (!a->tv) {
			if (rd_ref(r, v, &a->data))
				return -EBADMSG;
			a->len = v;
		}
		sa->n_attr++;
		xf->n_attr++;
	}
	return 0;
}

static int decode_xforms(struct rd *r, uint8_t count, struct ike_sa_pld *sa, struct ike_prop *pr)
{
	pr->xf_off = (uint16_t)sa->n_xf;
	pr->n_xf = 0;
	for (unsigned i = 0; i < count; i++) {
		uint8_t last, rsvd, rsvd2;
		uint16_t tlen;
		struct rd sub;

		if (sa->n_xf == PT_IKE_SA_XFORMS_MAX)
			return -E2BIG;
		struct ike_xform *xf = &sa->xf[sa->n_xf];
		if (rd_u8(r, &last) || rd_u8(r, &rsvd) || rd_u16(r, &tlen))
			return -EBADMSG;
		if (tlen < 8 || rd_sub(r, tlen - 4u, &sub))
			return -EBADMSG;
		rd_u8(&sub, &xf->type);
		rd_u8(&sub, &rsvd2);
		rd_u16(&sub, &xf->id);
		/* "Last Substruc" must agree with Num Transforms. */
		if (last != (i + 1 < count ? MORE_XFORM : LAST_PROP))
			return -EBADMSG;
		int err = decode_attrs(&sub, sa, xf);
		if (err)
			return err;
		sa->n_xf++;
		pr->n_xf++;
	}
	/* Num Transforms and Proposal Length must describe the same bytes. */
	return rd_left(r) ? -EBADMSG : 0;
}

int ike_sa_pld_decode(const struct ike_pld *p, struct ike_sa_pld *sa)
{
	struct rd r;
	ike_pld_rd(p, &r);
	sa->n_prop = sa->n_xf = sa->n_attr = 0;
	if (!rd_left(&r))
		return -EBADMSG; /* RFC 7296 3.3: one or more proposals */
	while (rd_left(&r)) {
		uint8_t last, rsvd, nxf;
		uint16_t plen;
		struct rd sub;

		if (sa->n_prop == PT_IKE_PROPOSALS_MAX)
			return -E2BIG;
		struct ike_prop *pr = &sa->prop[sa->n_prop];
		if (rd_u8(&r, &last) || rd_u8(&r, &rsvd) || rd_u16(&r, &plen))
			return -EBADMSG;
		if (plen < 8 || rd_sub(&r, plen - 4u, &sub))
			return -EBADMSG;
		rd_u8(&sub, &pr->num);
		rd_u8(&sub, &pr->proto);
		rd_u8(&sub, &pr->spi_len);
		rd_u8(&sub, &nxf);
		if (last != (rd_left(&r) ? MORE_PROP : LAST_PROP))
			return -EBADMSG;
		if (pr->spi_len > PT_IKE_SPI_MAX_LEN)
			return -EBADMSG;
		if (rd_bytes(&sub, pr->spi, pr->spi_len))
			return -EBADMSG;
		if (nxf == 0)
			return -EBADMSG; /* a proposal offers at least one transform */
		if (nxf > PT_IKE_TRANSFORMS_MAX)
			return -E2BIG;
		int err = decode_xforms(&sub, nxf, sa, pr);
		if (err)
			return err;
		sa->n_prop++;
	}
	return 0;
}

int ike_sa_pld_encode(struct wb *w, const struct ike_sa_pld *sa)
{
	if (sa->n_prop == 0 || sa->n_prop > PT_IKE_PROPOSALS_MAX ||
	    sa->n_xf > PT_IKE_SA_XFORMS_MAX || sa->n_attr > PT_IKE_SA_ATTRS_MAX)
		return -EINVAL;
	for (size_t i = 0; i < sa->n_prop; i++) {
		const struct ike_prop *pr = &sa->prop[i];
		if (pr->spi_len > PT_IKE_SPI_MAX_LEN || pr->n_xf == 0 || pr->n_xf > 255 ||
		    pr->xf_off > sa->n_xf || pr->n_xf > sa->n_xf - pr->xf_off)
			return -EINVAL;
		size_t pat = wb_len(w);
		wb_u8(w, i + 1 < sa->n_prop ? MORE_PROP : LAST_PROP);
		wb_u8(w, 0);
		wb_u16(w, 0);
		wb_u8(w, pr->num);
		wb_u8(w, pr->proto);
		wb_u8(w, pr->spi_len);
		wb_u8(w, (uint8_t)pr->n_xf);
		wb_put(w, pr->spi, pr->spi_len);
		for (size_t j = 0; j < pr->n_xf; j++) {
			const struct ike_xform *xf = &sa->xf[pr->xf_off + j];
			if (xf->attr_off > sa->n_attr || xf->n_attr > sa->n_attr - xf->attr_off)
				return -EINVAL;
			size_t tat = wb_len(w);
			wb_u8(w, j + 1 < pr->n_xf ? MORE_XFORM : LAST_PROP);
			wb_u8(w, 0);
			wb_u16(w, 0);
			wb_u8(w, xf->type);
			wb_u8(w, 0);
			wb_u16(w, xf->id);
			for (size_t k = 0; k < xf->n_attr; k++) {
				const struct ike_attr *a = &sa->attr[xf->attr_off + k];
				if (a->type & ATTR_AF)
					return -EINVAL;
				if (a->tv) {
					wb_u16(w, (uint16_t)(a->type | ATTR_AF));
					wb_u16(w, a->value);
				} else {
					wb_u16(w, a->type);
					wb_u16(w, a->len);
					wb_put(w, a->data, a->len);
				}
			}
			if (wb_len(w) - tat > UINT16_MAX)
				return -ENOBUFS;
			wb_set_u16(w, tat + 2, (uint16_t)(wb_len(w) - tat));
		}
		if (wb_len(w) - pat > UINT16_MAX)
			return -ENOBUFS;
		wb_set_u16(w, pat + 2, (uint16_t)(wb_len(w) - pat));
	}
	return wb_err(w);
}

int ike_xform_key_len(const struct ike_sa_pld *sa, const struct ike_xform *xf, uint16_t *bits)
{
	for (size_t k = 0; k < xf->n_attr; k++) {
		const struct ike_attr *a = &sa->attr[xf->attr_off + k];
		/* RFC 7296 3.3.5: Key Length is TV only. */
		if (a->type == IKE_ATTR_KEY_LENGTH && a->tv) {
			*bits = a->value;
			return 0;
		}
	}
	return -ENOENT;
}
