/* The keys of one IKE SA (RFC 7296 2.14) and the two SK protection contexts
 * made from them, once, when the keys are derived (STYLE.md "Data path":
 * OpenSSL contexts per SA, never per message).
 *
 *   SK_d                    kept for Child SA keys and rekeys (RFC 7296 2.17, 2.18)
 *   SK_pi / SK_pr           kept for the AUTH payloads (RFC 7296 2.15)
 *   SK_ei|SK_ai, SK_er|SK_ar
 *                           used only inside the contexts: `out` protects what
 *                           we send (the initiator's SK_ei/SK_ai when we are the
 *                           original initiator), `in` checks what the peer sends.
 *
 * Key lengths follow the chosen transforms: AEAD SK_e* include the 4-octet
 * salt (RFC 5282 7.1 for AES-GCM, RFC 7634 2 for ChaCha20-Poly1305) and there
 * is no SK_a*; AES-CBC takes encr_bits/8 octets of SK_e* and the INTEG
 * transform's key length of SK_a* (RFC 4868 2.1.1). */
#ifndef PETREL_IKE_KEYMAT_H
#define PETREL_IKE_KEYMAT_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/prf.h"
#include "crypto/secret.h"

struct ike_chosen; /* ike/proposal.h */
struct crypto_aead;
struct crypto_cbc_hmac;

/* One direction of SK protection (RFC 7296 3.14). Exactly one of aead/cbc. */
struct ike_sk_ctx {
	struct crypto_aead *aead;
	struct crypto_cbc_hmac *cbc;
	size_t iv_len;    /* 8 (AEAD, RFC 5282 3.1) or 16 (AES-CBC, RFC 3602 2.3) */
	size_t icv_len;   /* 16 (AEAD) or the truncated HMAC length (RFC 4868 2.1) */
	size_t block_len; /* ciphertext alignment: 16 for CBC, 1 for AEAD */
};

struct ike_keymat {
	uint16_t encr, encr_bits, prf, integ; /* from struct ike_chosen */
	uint8_t initiator;                    /* 1: we are the original initiator */
	struct secret *sk_d, *sk_pi, *sk_pr;
	struct ike_sk_ctx out, in;
	/* RFC 5282 3.1: the AEAD IV must never repeat under one key; a counter
	 * per key is enough. Reset whenever the outbound key changes. */
	uint64_t iv_next;
};

/* 1 when petrel can protect SK payloads with this encr/encr_bits/integ:
 * AES-GCM-16 (128/192/256), ChaCha20-Poly1305 (256, or no Key Length), AES-CBC
 * (128/192/256) with HMAC-SHA2-256/384/512. Key lengths for crypto_kdf_ike_keys. */
int ike_keymat_lengths(const struct ike_chosen *c, size_t *encr_key_len, size_t *integ_key_len);

/* IKE_SA_INIT (RFC 7296 2.14): SKEYSEED = prf(Ni | Nr, g^ir), then the SK_*.
 * initiator: 1 when we are the original initiator of this IKE SA. ni/nr are
 * the nonce payload data; spi_i/spi_r the IKE header's SPIs.
 * 0, -ENOTSUP (transforms petrel cannot protect with), -ENOMEM, -EINVAL. */
int ike_keymat_new(const struct ike_chosen *c, int initiator, const struct secret *gir,
		   struct crypto_buf ni, struct crypto_buf nr,
		   const uint8_t spi_i[8], const uint8_t spi_r[8], struct ike_keymat **out);

/* The same from a SKEYSEED computed elsewhere (RFC 7296 2.14, second step). */
int ike_keymat_new_skeyseed(const struct ike_chosen *c, int initiator,
			    const struct secret *skeyseed,
			    struct crypto_buf ni, struct crypto_buf nr,
			    const uint8_t spi_i[8], const uint8_t spi_r[8],
			    struct ike_keymat **out);

/* The keys of a new IKE SA made by rekeying `old` (RFC 7296 2.18, with RFC
 * 9370 2.2.4's additional shared secrets in ke[1..]): SKEYSEED =
 * prf_old(SK_d(old), ke[0] | Ni | Nr | ke[1] | ...) with the old SA's PRF, then the
 * new SA's prf+ over the new SPIs. initiator: our role in the new SA (whoever
 * started the rekey). */
int ike_keymat_new_rekey(const struct ike_keymat *old, const struct ike_chosen *c,
			 int initiator, const struct secret *const *ke, size_t n_ke,
			 struct crypto_buf ni, struct crypto_buf nr,
			 const uint8_t spi_i[8], const uint8_t spi_r[8],
			 struct ike_keymat **out);

/* From keys given directly (tests, and keys from a peer's log): moves the
 * secrets out of *keys (they become NULL) on success; on failure *keys is left
 * as it was. Call crypto_ike_keys_free(keys) either way. */
int ike_keymat_new_keys(const struct ike_chosen *c, int initiator,
			struct crypto_ike_keys *keys, struct ike_keymat **out);

/* RFC 9370 2.2.2: after each IKE_INTERMEDIATE exchange with a key exchange,
 *   SKEYSEED(n) = prf(SK_d(n-1), SK(n) | Ni | Nr)
 *   {SK_d(n) | SK_ai(n) | ... | SK_pr(n)} = prf+(SKEYSEED(n), Ni | Nr | SPIi | SPIr)
 * Every key and both contexts are replaced; the SPIs and nonces are those of
 * IKE_SA_INIT. On failure km is unchanged. */
int ike_keymat_update(struct ike_keymat *km, const struct secret *ke_secret,
		      struct crypto_buf ni, struct crypto_buf nr,
		      const uint8_t spi_i[8], const uint8_t spi_r[8]);

/* Wipes every key and frees the contexts; NULL is fine. */
void ike_keymat_free(struct ike_keymat *km);

#endif
