/* IKEv2 pseudorandom functions and key derivation.
 *
 * prf: HMAC-SHA1 and HMAC-SHA2-256/384/512 (RFC 7296 3.3.2, RFC 4868 2.1),
 * keyed once per crypto_prf. prf+ (RFC 7296 2.13) and every SKEYSEED/keymat
 * formula of RFC 7296 2.14, 2.17, 2.18, RFC 9370 2.2.2/2.2.4 and RFC 5723 5.1.
 * All derived keys are struct secret. */
#ifndef PETREL_CRYPTO_PRF_H
#define PETREL_CRYPTO_PRF_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/secret.h"

/* IKEv2 Transform Type 2 (PRF) Transform IDs (IANA, RFC 7296 3.3.2). */
enum crypto_prf_alg {
	CRYPTO_PRF_HMAC_SHA1 = 2,
	CRYPTO_PRF_HMAC_SHA2_256 = 5,   /* RFC 4868 */
	CRYPTO_PRF_HMAC_SHA2_384 = 6,
	CRYPTO_PRF_HMAC_SHA2_512 = 7,
};

/* Most pieces one prf input may be given in. */
#define CRYPTO_PRF_PARTS_MAX 12u

struct crypto_prf;

/* Output length of the prf, which is also its preferred key length
 * (RFC 7296 2.13); 0 when alg is unknown. */
size_t crypto_prf_len(int alg);

/* 0, -ENOTSUP (unknown alg), -ENOMEM. */
int crypto_prf_new(int alg, const uint8_t *key, size_t key_len, struct crypto_prf **out);
void crypto_prf_free(struct crypto_prf *prf);
/* out = prf(K, parts...), crypto_prf_len() bytes. */
int crypto_prf_run(struct crypto_prf *prf, const struct crypto_buf *parts, size_t n,
		   uint8_t *out);
/* out = the first out_len bytes of prf+(K, parts...) (RFC 7296 2.13);
 * -EINVAL past 255 blocks or too many parts. */
int crypto_prf_plus(struct crypto_prf *prf, const struct crypto_buf *parts, size_t n,
		    uint8_t *out, size_t out_len);

/* The IKE SA keys of RFC 7296 2.14, in the order prf+ yields them. */
struct crypto_ike_keys {
	struct secret *sk_d, *sk_ai, *sk_ar, *sk_ei, *sk_er, *sk_pi, *sk_pr;
};

/* RFC 7296 2.14: SKEYSEED = prf(Ni | Nr, g^ir). */
int crypto_kdf_skeyseed(int alg, struct crypto_buf ni, struct crypto_buf nr,
			const struct secret *gir, struct secret **out);

/* SKEYSEED = prf(SK_d(old), ke[0] | Ni | Nr | ke[1] | ... | ke[n-1]), which is:
 *   RFC 7296 2.18 IKE SA rekey, ke = { g^ir(new) };
 *   RFC 9370 2.2.4 rekey with additional exchanges, ke = { g^ir, SK(1) ... };
 *   RFC 9370 2.2.2 IKE_INTERMEDIATE update, SKEYSEED(n) with sk_d = SK_d(n-1)
 *   and ke = { SK(n) }. */
int crypto_kdf_skeyseed_rekey(int alg, const struct secret *sk_d,
			      const struct secret *const *ke, size_t n_ke,
			      struct crypto_buf ni, struct crypto_buf nr,
			      struct secret **out);

/* RFC 5723 5.1: SKEYSEED = prf(SK_d(old), "Resumption" | Ni | Nr). */
int crypto_kdf_skeyseed_resume(int alg, const struct secret *sk_d_old,
			       struct crypto_buf ni, struct crypto_buf nr,
			       struct secret **out);

/* RFC 7296 2.14: {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr}
 *   = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr).
 * SK_d, SK_pi, SK_pr are crypto_prf_len(alg) bytes; SK_a* integ_key_len (0
 * for AEAD); SK_e* encr_key_len (including the AEAD salt, RFC 5282 7.1). */
int crypto_kdf_ike_keys(int alg, const struct secret *skeyseed,
			struct crypto_buf ni, struct crypto_buf nr,
			const uint8_t spi_i[8], const uint8_t spi_r[8],
			size_t integ_key_len, size_t encr_key_len,
			struct crypto_ike_keys *out);
void crypto_ike_keys_free(struct crypto_ike_keys *k);

/* RFC 7296 2.17: KEYMAT = prf+(SK_d, [g^ir(new) |] Ni | Nr), with RFC 9370
 * 2.2.4's additional shared secrets after the nonces:
 * prf+(SK_d, SK(0) | Ni | Nr | SK(1) | ... | SK(n)); ke may be empty. */
int crypto_kdf_child(int alg, const struct secret *sk_d,
		     const struct secret *const *ke, size_t n_ke,
		     struct crypto_buf ni, struct crypto_buf nr,
		     size_t len, struct secret **out);

#endif
