/* Protecting and unprotecting whole IKE messages: the Encrypted payload SK
 * (RFC 7296 3.14; RFC 5282 for AEAD) and, for one fragment, the Encrypted
 * Fragment payload SKF (RFC 7383 2.5).
 *
 *   HDR | SK hdr (4)          | IV | E(inner | padding | pad length) | ICV
 *   HDR | SKF hdr (4) num/tot | IV | E(chunk | padding | pad length) | ICV
 *
 * AEAD (AES-GCM-16, ChaCha20-Poly1305): 8-octet IV from a per-key counter
 * (RFC 5282 3.1 asks only that it never repeats under one key), AAD = the
 * IKE header through the end of the SK/SKF header (RFC 5282 5.1, RFC 7383
 * 2.5.3: Fragment Number and Total Fragments included), 16-octet ICV, no
 * padding beyond the Pad Length octet.
 * AES-CBC + HMAC: a random 16-octet IV, padding to the block, ICV = HMAC over
 * the IKE header through the last ciphertext octet, truncated (RFC 4868 2.1).
 *
 * The IKE header's Length is known before anything is sealed, so the ICV
 * always covers the final header. Nothing is allocated per message: the
 * contexts live in struct ike_keymat. No unprotected payloads precede the SK
 * payload in what ike_sk_protect() writes (none of petrel's messages need any). */
#ifndef PETREL_IKE_SK_H
#define PETREL_IKE_SK_H

#include <stddef.h>
#include <stdint.h>

#include "base/wbuf.h"
#include "ike/keymat.h"
#include "ike/pld/pld.h"

/* Random bytes for CBC IVs (the ops struct's random, or crypto_random): 0 or
 * a negative errno. Not called for AEAD. */
typedef int (*ike_rng_fn)(void *ctx, uint8_t *buf, size_t len);

/* Length of the message ike_sk_protect() (type IKE_PLD_SK) or
 * ike_skf_protect() (IKE_PLD_SKF) writes for inner_len plaintext octets. */
size_t ike_sk_msg_len(const struct ike_keymat *km, uint8_t type, size_t inner_len);

/* Append to out: hdr (its next and len replaced: next = SK, len = the whole
 * message) and one SK payload whose Next Payload is first_inner, carrying
 * the inner chain inner[0..inner_len) (already encoded, e.g. with
 * ike_bld_chain). inner may lie inside out's buffer (it is moved, not
 * copied). 0, -E2BIG (past PT_IKE_MSG_MAX_LEN), -ENOBUFS (out too small;
 * out is left as it was), -EOVERFLOW (AEAD IV counter exhausted: rekey),
 * -EINVAL (no rng for CBC), or the rng's or the cipher's error. */
int ike_sk_protect(struct ike_keymat *km, const struct ike_hdr *hdr, uint8_t first_inner,
		   const uint8_t *inner, size_t inner_len, ike_rng_fn rng, void *rng_ctx,
		   struct wb *out);

/* One RFC 7383 fragment: the same with an SKF payload (Fragment Number
 * frag_num of total; inner_next is the first inner payload's type in
 * fragment 1 and must be 0 in the others). */
int ike_skf_protect(struct ike_keymat *km, const struct ike_hdr *hdr, uint8_t inner_next,
		    uint16_t frag_num, uint16_t total, const uint8_t *chunk, size_t chunk_len,
		    ike_rng_fn rng, void *rng_ctx, struct wb *out);

/* Check and decrypt the SK or SKF payload `sk` of the message msg[0..len)
 * (sk from ike_msg_decode() of the same buffer; it must be the last payload
 * and end the message). The ICV is checked in constant time before any
 * plaintext is used; on success plain[0..*plain_len) is the inner chain (for
 * SKF: this fragment's chunk) without padding. plain needs room for the
 * ciphertext (IV and ICV excluded). Returns 0, -EBADMSG (too short for
 * IV + ICV + Pad Length, ciphertext not a multiple of the block, Pad Length
 * past the plaintext), -EACCES (ICV mismatch: plain holds nothing useful),
 * -ENOBUFS (cap too small), -EINVAL (sk is not SK/SKF of msg). */
int ike_sk_unprotect(const struct ike_keymat *km, const uint8_t *msg, size_t len,
		     const struct ike_pld *sk, uint8_t *plain, size_t cap, size_t *plain_len);

#endif
