/* Payload helpers several tasks share: nonces, traffic selectors, SPIs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ike/sa_int.h"
#include "ike/ts.h"

int ike_in_nonce(const struct ike_msg_in *m, uint8_t *out, size_t *len)
{
	const struct ike_pld *p = ike_chain_find(m->chain, IKE_PLD_NONCE, NULL);
	struct ike_blob b;
	/* The codec already held the length to RFC 7296 2.10's 16..256. */
	if (!p || ike_nonce_decode(p, &b) || b.len > PT_IKE_NONCE_MAX_LEN)
		return -EBADMSG;
	memcpy(out, b.data, b.len);
	*len = b.len;
	return 0;
}

int ike_out_nonce(struct ike_msg_out *m, const uint8_t *n, size_t len)
{
	struct ike_blob b = { n, len };
	ike_bld_begin(&m->b, IKE_PLD_NONCE, 0);
	ike_nonce_encode(&m->w, &b);
	return ike_bld_end(&m->b);
}

int ike_out_ts(struct ike_msg_out *m, uint8_t type, const struct ike_ts_cfg *ts, size_t n)
{
	struct ike_tsp w = { .n = n };
	for (size_t i = 0; i < n && i < PT_IKE_TS_MAX; i++)
		ike_ts_to_wire(&ts[i], &w.ts[i]);
	ike_bld_begin(&m->b, type, 0);
	ike_ts_encode(&m->w, &w);
	return ike_bld_end(&m->b);
}

int ike_in_ts(const struct ike_msg_in *m, uint8_t type, struct ike_ts_cfg *out, size_t *n)
{
	const struct ike_pld *p = ike_chain_find(m->chain, type, NULL);
	struct ike_tsp w;
	*n = 0;
	if (!p || ike_ts_decode(p, &w))
		return -EBADMSG;
	/* Address ranges only; other selector types are not ours to honour. */
	for (size_t i = 0; i < w.n && *n < IKE_CFG_TS_MAX; i++)
		if (w.ts[i].type == IKE_TS_IPV4_ADDR_RANGE || w.ts[i].type == IKE_TS_IPV6_ADDR_RANGE)
			ike_ts_from_wire(&w.ts[i], &out[(*n)++]);
	return 0;
}

/* SA payloads: the decoded form is large (proposal, transform and attribute
 * arrays), so it lives on the heap for the moment it is needed. */

int ike_out_sa_offer(struct ike_msg_out *m, const struct ike_prop_cfg *props, size_t n,
		     const uint8_t *spi, uint8_t spi_len)
{
	struct ike_sa_pld *sap = malloc(sizeof(*sap));
	int rc;
	if (!sap)
		return -ENOMEM;
	rc = ike_prop_to_sa(props, n, spi, spi_len, sap);
	if (!rc) {
		ike_bld_begin(&m->b, IKE_PLD_SA, 0);
		ike_sa_pld_encode(&m->w, sap);
		rc = ike_bld_end(&m->b);
	}
	free(sap);
	return rc;
}

int ike_out_sa_chosen(struct ike_msg_out *m, const struct ike_chosen *c, const uint8_t *spi,
		      uint8_t spi_len)
{
	struct ike_sa_pld *sap = malloc(sizeof(*sap));
	int rc;
	if (!sap)
		return -ENOMEM;
	rc = ike_prop_chosen_to_sa(c, spi, spi_len, sap);
	if (!rc) {
		ike_bld_begin(&m->b, IKE_PLD_SA, 0);
		ike_sa_pld_encode(&m->w, sap);
		rc = ike_bld_end(&m->b);
	}
	free(sap);
	return rc;
}

int ike_in_sa_select(const struct ike_msg_in *m, const struct ike_prop_cfg *props, size_t n,
		     struct ike_chosen *out)
{
	const struct ike_pld *p = ike_chain_find(m->chain, IKE_PLD_SA, NULL);
	struct ike_sa_pld *sap;
	int rc;
	if (!p)
		return -EBADMSG;
	if (!(sap = malloc(sizeof(*sap))))
		return -ENOMEM;
	rc = ike_sa_pld_decode(p, sap);
	if (!rc && ike_prop_select(sap, props, n, out))
		rc = -ENOENT;
	free(sap);
	return rc;
}

int ike_in_sa_accept(const struct ike_msg_in *m, const struct ike_prop_cfg *props, size_t n,
		     struct ike_chosen *out)
{
	const struct ike_pld *p = ike_chain_find(m->chain, IKE_PLD_SA, NULL);
	struct ike_sa_pld *sap;
	int rc;
	if (!p)
		return -EPROTO;
	if (!(sap = malloc(sizeof(*sap))))
		return -ENOMEM;
	rc = ike_sa_pld_decode(p, sap);
	if (!rc)
		rc = ike_prop_accept(sap, props, n, out);
	free(sap);
	return rc ? -EPROTO : 0;
}
