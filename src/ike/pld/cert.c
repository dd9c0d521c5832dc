/* Certificate (RFC 7296 3.6) and Certificate Request (3.7) payloads.
 *
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Cert Encoding |                                               |
 * +-+-+-+-+-+-+-+-+                                               |
 * ~            Certificate Data / Certification Authority         ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * CERTREQ with X.509 signature encoding: the Certification Authority field
 * is a concatenation of 20-octet SHA-1 hashes of trust anchors' public keys
 * (RFC 7296 3.7); it may be empty. */
#include "ike/pld/pld_int.h"

#define HASH_URL_MIN (IKE_CERTREQ_HASH_LEN + 1u) /* RFC 7296 3.6: hash then URL */

static int cert_ok(const struct ike_cert *c)
{
	if (c->len > PT_IKE_CERT_MAX_LEN)
		return -E2BIG;
	if (c->len == 0)
		return -EBADMSG;
	if ((c->enc == IKE_CERT_HASH_URL_CERT || c->enc == IKE_CERT_HASH_URL_BUNDLE) &&
	    c->len < HASH_URL_MIN)
		return -EBADMSG;
	return 0;
}

static int certreq_ok(const struct ike_cert *c)
{
	if (c->len > PT_IKE_CERT_MAX_LEN)
		return -E2BIG;
	if (c->enc == IKE_CERT_X509_SIG && c->len % IKE_CERTREQ_HASH_LEN)
		return -EBADMSG;
	return 0;
}

static void decode_common(const struct ike_pld *p, struct ike_cert *c)
{
	struct rd r;
	ike_pld_rd(p, &r);
	rd_u8(&r, &c->enc); /* the chain walk checked the body has one octet */
	c->len = rd_left(&r);
	rd_ref(&r, c->len, &c->data);
}

int ike_cert_decode(const struct ike_pld *p, struct ike_cert *c)
{
	if (p->body_len < 1)
		return -EBADMSG;
	decode_common(p, c);
	return cert_ok(c);
}

int ike_certreq_decode(const struct ike_pld *p, struct ike_cert *c)
{
	if (p->body_len < 1)
		return -EBADMSG;
	decode_common(p, c);
	return certreq_ok(c);
}

int ike_cert_encode(struct wb *w, const struct ike_cert *c)
{
	if (cert_ok(c))
		return -EINVAL;
	wb_u8(w, c->enc);
	return wb_put(w, c->data, c->len);
}

int ike_certreq_encode(struct wb *w, const struct ike_cert *c)
{
	if (certreq_ok(c))
		return -EINVAL;
	wb_u8(w, c->enc);
	return wb_put(w, c->data, c->len);
}
