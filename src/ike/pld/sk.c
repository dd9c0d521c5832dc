/* Encrypted payload SK (RFC 7296 3.14) and Encrypted Fragment SKF (RFC 7383 2.5).
 *
 * SK:
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     Initialization Vector                     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                    Encrypted IKE Payloads                     ~
 * +               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |               |             Padding (0-255 octets)            |
 * +-+-+-+-+-+-+-+-+                               +-+-+-+-+-+-+-+-+
 * |                                               |  Pad Length   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                    Integrity Checksum Data                    ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * SKF:
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |        Fragment Number        |        Total Fragments        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     Initialization Vector                     |
 * ~                      Encrypted content                        ~
 * ~                    Integrity Checksum Data                    ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Both are opaque here (IV | ciphertext | ICV): the crypto layer splits
 * them by the negotiated transforms and hands the plaintext inner payloads
 * to ike_chain_decode() with depth 1 and the Next Payload kept here. */
#include "ike/pld/pld_int.h"

int ike_sk_decode(const struct ike_pld *p, struct ike_sk *sk)
{
	sk->inner_next = p->inner_next;
	sk->data = p->body;
	sk->len = p->body_len;
	return 0;
}

int ike_sk_encode(struct wb *w, const struct ike_sk *sk)
{
	return wb_put(w, sk->data, sk->len);
}

static int skf_ok(const struct ike_skf *skf)
{
	/* RFC 7383 2.5: numbers start at 1, never past the total; only the
	 * first fragment names the first inner payload. */
	if (skf->frag_num == 0 || skf->total == 0 || skf->frag_num > skf->total)
		return -EBADMSG;
	if (skf->frag_num != 1 && skf->inner_next != IKE_PLD_NONE)
		return -EBADMSG;
	if (skf->total > PT_IKE_FRAGS_MAX)
		return -E2BIG;
	return 0;
}

int ike_skf_decode(const struct ike_pld *p, struct ike_skf *skf)
{
	struct rd r;
	ike_pld_rd(p, &r);
	skf->inner_next = p->inner_next;
	if (rd_u16(&r, &skf->frag_num) || rd_u16(&r, &skf->total))
		return -EBADMSG;
	skf->len = rd_left(&r);
	rd_ref(&r, skf->len, &skf->data);
	return skf_ok(skf);
}

int ike_skf_encode(struct wb *w, const struct ike_skf *skf)
{
	if (skf_ok(skf))
		return -EINVAL;
	wb_u16(w, skf->frag_num);
	wb_u16(w, skf->total);
	return wb_put(w, skf->data, skf->len);
}
