/* SK and SKF protection of whole IKE messages (RFC 7296 3.14, RFC 5282,
 * RFC 7383 2.5). See sk.h.
 *
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  (SKF only) Fragment Number   |        Total Fragments        |
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
 */
#include <errno.h>
#include <string.h>

#include "crypto/aead.h"
#include "crypto/cbc_hmac.h"
#include "crypto/secret.h"
#include "ike/sk.h"

static size_t enc_hdr_len(uint8_t type)
{
	/* RFC 7383 2.5: SKF adds Fragment Number and Total Fragments. */
	return type == IKE_PLD_SKF ? IKE_PLD_HDR_LEN + 4u : IKE_PLD_HDR_LEN;
}

/* Inner octets + Pad Length octet, rounded up to the cipher's block. */
static size_t ct_len_for(const struct ike_sk_ctx *x, size_t inner_len)
{
	size_t n = inner_len + 1;
	return (n + x->block_len - 1) / x->block_len * x->block_len;
}

size_t ike_sk_msg_len(const struct ike_keymat *km, uint8_t type, size_t inner_len)
{
	const struct ike_sk_ctx *x = &km->out;
	return IKE_HDR_LEN + enc_hdr_len(type) + x->iv_len + ct_len_for(x, inner_len) + x->icv_len;
}

static int seal(struct ike_keymat *km, const struct ike_hdr *hdr, uint8_t type,
		uint8_t inner_next, uint16_t frag_num, uint16_t total,
		const uint8_t *inner, size_t inner_len, ike_rng_fn rng, void *rng_ctx,
		struct wb *out)
{
	const struct ike_sk_ctx *x = &km->out;
	size_t start = wb_len(out);
	size_t eh = enc_hdr_len(type);
	size_t ct_len, msg_len;
	struct ike_hdr h = *hdr;
	uint8_t *iv, *ct, *icv;
	int err;

	if (wb_err(out))
		return wb_err(out);
	if (!x->aead && !x->cbc)
		return -EINVAL;
	if (inner_len > PT_IKE_MSG_MAX_LEN)
		return -E2BIG;
	ct_len = ct_len_for(x, inner_len);
	msg_len = ike_sk_msg_len(km, type, inner_len);
	if (msg_len > PT_IKE_MSG_MAX_LEN)
		return -E2BIG;
	if (msg_len > wb_room(out))
		return -ENOBUFS;
	if (x->cbc && !rng)
		return -EINVAL;
	if (x->aead && km->iv_next == UINT64_MAX)
		return -EOVERFLOW; /* RFC 5282 3.1: never reuse an IV; rekey first */

	/* Move the inner chain into place first: it may be in out already. */
	memmove(out->p + start + IKE_HDR_LEN + eh + x->iv_len, inner, inner_len);

	h.next = type;
	h.len = (uint32_t)msg_len; /* final before the ICV is computed */
	ike_hdr_encode(out, &h);
	wb_u8(out, inner_next);
	wb_u8(out, 0); /* C bit and RESERVED: 0 (RFC 7296 3.2) */
	wb_u16(out, (uint16_t)(msg_len - IKE_HDR_LEN));
	if (type == IKE_PLD_SKF) {
		wb_u16(out, frag_num);
		wb_u16(out, total);
	}
	iv = wb_reserve(out, x->iv_len);
	ct = wb_reserve(out, ct_len);
	icv = wb_reserve(out, x->icv_len);
	if (!iv || !ct || !icv) { /* cannot happen after the room check */
		out->len = start;
		return -ENOBUFS;
	}
	/* RFC 7296 3.14: padding may hold any value; zeros. The last octet
	 * says how many precede it. */
	memset(ct + inner_len, 0, ct_len - inner_len - 1);
	ct[ct_len - 1] = (uint8_t)(ct_len - inner_len - 1);

	if (x->aead) {
		/* RFC 5282 3.1: a counter gives unique IVs under one key. */
		uint64_t n = km->iv_next++;
		for (int i = 7; i >= 0; i--, n >>= 8)
			iv[i] = (uint8_t)n;
		err = crypto_aead_seal(x->aead, iv, out->p + start, IKE_HDR_LEN + eh,
				       ct, ct_len, icv);
	} else {
		err = rng(rng_ctx, iv, x->iv_len);
		if (!err)
			err = crypto_cbc_hmac_seal(x->cbc, iv, out->p + start, IKE_HDR_LEN + eh,
						   ct, ct_len, icv);
	}
	if (err) {
		crypto_wipe(out->p + start, msg_len);
		out->len = start;
		return err;
	}
	return 0;
}

int ike_sk_protect(struct ike_keymat *km, const struct ike_hdr *hdr, uint8_t first_inner,
		   const uint8_t *inner, size_t inner_len, ike_rng_fn rng, void *rng_ctx,
		   struct wb *out)
{
	return seal(km, hdr, IKE_PLD_SK, first_inner, 0, 0, inner, inner_len, rng, rng_ctx, out);
}

int ike_skf_protect(struct ike_keymat *km, const struct ike_hdr *hdr, uint8_t inner_next,
		    uint16_t frag_num, uint16_t total, const uint8_t *chunk, size_t chunk_len,
		    ike_rng_fn rng, void *rng_ctx, struct wb *out)
{
	/* RFC 7383 2.5: 1 <= number <= total; Next Payload only in fragment 1. */
	if (frag_num == 0 || total == 0 || frag_num > total || total > PT_IKE_FRAGS_MAX ||
	    (frag_num != 1 && inner_next != IKE_PLD_NONE))
		return -EINVAL;
	return seal(km, hdr, IKE_PLD_SKF, inner_next, frag_num, total, chunk, chunk_len,
		    rng, rng_ctx, out);
}

int ike_sk_unprotect(const struct ike_keymat *km, const uint8_t *msg, size_t len,
		     const struct ike_pld *sk, uint8_t *plain, size_t cap, size_t *plain_len)
{
	const struct ike_sk_ctx *x = &km->in;
	size_t aad_len, data_len, ct_len;
	const uint8_t *iv, *ct, *icv;
	uint8_t pad_len;
	int err;

	*plain_len = 0;
	if (!x->aead && !x->cbc)
		return -EINVAL;
	if (sk->type != IKE_PLD_SK && sk->type != IKE_PLD_SKF)
		return -EINVAL;
	/* The payload must be the one decoded from msg, and last: it runs to
	 * the end of the message (RFC 7296 3.14), so the ICV is the message's
	 * last octets. */
	if (sk->off < IKE_HDR_LEN || sk->off > len || IKE_PLD_HDR_LEN > len - sk->off ||
	    sk->body_len != len - sk->off - IKE_PLD_HDR_LEN ||
	    sk->body != msg + sk->off + IKE_PLD_HDR_LEN)
		return -EINVAL;
	if (enc_hdr_len(sk->type) - IKE_PLD_HDR_LEN > sk->body_len)
		return -EBADMSG;
	aad_len = sk->off + enc_hdr_len(sk->type);
	data_len = len - aad_len;

	/* IV, at least the Pad Length octet, ICV. */
	if (data_len < x->iv_len + x->icv_len + 1)
		return -EBADMSG;
	ct_len = data_len - x->iv_len - x->icv_len;
	if (ct_len % x->block_len)
		return -EBADMSG; /* RFC 7296 3.14: CBC ciphertext is whole blocks */
	if (ct_len > cap)
		return -ENOBUFS;
	iv = msg + aad_len;
	ct = iv + x->iv_len;
	icv = ct + ct_len;

	memcpy(plain, ct, ct_len);
	/* Both open calls check the ICV in constant time before the plaintext
	 * is released (AEAD wipes it on failure; CBC decrypts only after). */
	if (x->aead)
		err = crypto_aead_open(x->aead, iv, msg, aad_len, plain, ct_len, icv);
	else
		err = crypto_cbc_hmac_open(x->cbc, iv, msg, aad_len, plain, ct_len, icv);
	if (err) {
		crypto_wipe(plain, ct_len);
		return err;
	}

	/* RFC 7296 3.14: any Pad Length that fits is accepted; the padding's
	 * contents are not checked. */
	pad_len = plain[ct_len - 1];
	if ((size_t)pad_len + 1 > ct_len) {
		crypto_wipe(plain, ct_len);
		return -EBADMSG;
	}
	*plain_len = ct_len - 1 - pad_len;
	return 0;
}
