/* IKE SA keys (RFC 7296 2.14, 2.18; RFC 9370 2.2.2) and the SK contexts made
 * from them. See keymat.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/aead.h"
#include "crypto/cbc_hmac.h"
#include "ike/keymat.h"
#include "ike/pld/consts.h"
#include "ike/pld/pld.h"
struct ike_sa_pld; /* named by proposal.h's prototypes */
#include "ike/proposal.h"

int ike_keymat_lengths(const struct ike_chosen *c, size_t *encr_key_len, size_t *integ_key_len)
{
	*encr_key_len = 0;
	*integ_key_len = 0;
	if (crypto_prf_len(c->prf) == 0)
		return -ENOTSUP;
	switch (c->encr) {
	case IKE_ENCR_AES_GCM_16:
	case IKE_ENCR_CHACHA20_POLY1305: {
		/* RFC 7634 2: ChaCha20 has one key size and no Key Length attribute. */
		unsigned bits = c->encr == IKE_ENCR_CHACHA20_POLY1305 && c->encr_bits == 0
			? 256u : c->encr_bits;
		/* RFC 5282 8 / RFC 7634 4: an AEAD is negotiated without INTEG. */
		if (c->integ != IKE_INTEG_NONE)
			return -ENOTSUP;
		*encr_key_len = crypto_aead_keymat_len(c->encr, bits);
		return *encr_key_len ? 0 : -ENOTSUP;
	}
	case IKE_ENCR_AES_CBC:
		if (c->encr_bits != 128 && c->encr_bits != 192 && c->encr_bits != 256)
			return -ENOTSUP;
		*integ_key_len = crypto_integ_key_len(c->integ);
		if (*integ_key_len == 0)
			return -ENOTSUP;
		*encr_key_len = c->encr_bits / 8u;
		return 0;
	default:
		return -ENOTSUP;
	}
}

static void ctx_free(struct ike_sk_ctx *x)
{
	crypto_aead_free(x->aead);
	crypto_cbc_hmac_free(x->cbc);
	memset(x, 0, sizeof(*x));
}

static int ctx_new(const struct ike_keymat *km, const struct secret *sk_e,
		   const struct secret *sk_a, struct ike_sk_ctx *x)
{
	int err;

	memset(x, 0, sizeof(*x));
	if (km->encr == IKE_ENCR_AES_CBC) {
		err = crypto_cbc_hmac_new(sk_e->p, sk_e->len, km->integ,
					  sk_a ? sk_a->p : NULL, sk_a ? sk_a->len : 0, &x->cbc);
		if (err)
			return err;
		x->iv_len = CRYPTO_CBC_IV_LEN;
		x->icv_len = crypto_cbc_hmac_icv_len(x->cbc);
		x->block_len = CRYPTO_CBC_BLOCK_LEN;
		return 0;
	}
	err = crypto_aead_new(km->encr, sk_e->p, sk_e->len, &x->aead);
	if (err)
		return err;
	x->iv_len = CRYPTO_AEAD_IV_LEN;
	x->icv_len = CRYPTO_AEAD_ICV_LEN;
	/* RFC 5282 3: GCM and ChaCha20 need no alignment; only the Pad Length
	 * octet is added. */
	x->block_len = 1;
	return 0;
}

/* Build both contexts from keys, then move SK_d/SK_pi/SK_pr into km. On
 * failure nothing in km or k changes. */
static int install(struct ike_keymat *km, struct crypto_ike_keys *k)
{
	struct ike_sk_ctx o, i;
	size_t e_len, a_len;
	struct ike_chosen c = { .encr = km->encr, .encr_bits = km->encr_bits,
				.prf = km->prf, .integ = km->integ };
	int err = ike_keymat_lengths(&c, &e_len, &a_len);

	if (err)
		return err;
	/* Every key present with the length the transforms want. */
	if (!k->sk_d || !k->sk_pi || !k->sk_pr || !k->sk_ei || !k->sk_er ||
	    k->sk_ei->len != e_len || k->sk_er->len != e_len ||
	    k->sk_d->len != crypto_prf_len(km->prf) ||
	    (a_len && (!k->sk_ai || !k->sk_ar || k->sk_ai->len != a_len ||
		       k->sk_ar->len != a_len)))
		return -EINVAL;

	const struct secret *ea = km->initiator ? k->sk_ei : k->sk_er;
	const struct secret *aa = km->initiator ? k->sk_ai : k->sk_ar;
	const struct secret *eb = km->initiator ? k->sk_er : k->sk_ei;
	const struct secret *ab = km->initiator ? k->sk_ar : k->sk_ai;
	if ((err = ctx_new(km, ea, a_len ? aa : NULL, &o)))
		return err;
	if ((err = ctx_new(km, eb, a_len ? ab : NULL, &i))) {
		ctx_free(&o);
		return err;
	}

	ctx_free(&km->out);
	ctx_free(&km->in);
	crypto_secret_free(km->sk_d);
	crypto_secret_free(km->sk_pi);
	crypto_secret_free(km->sk_pr);
	km->out = o;
	km->in = i;
	km->sk_d = k->sk_d;
	km->sk_pi = k->sk_pi;
	km->sk_pr = k->sk_pr;
	k->sk_d = k->sk_pi = k->sk_pr = NULL;
	/* A new outbound key: its IV space starts afresh (RFC 5282 3.1 asks
	 * for uniqueness per key only). */
	km->iv_next = 0;
	return 0;
}

static struct ike_keymat *km_alloc(const struct ike_chosen *c, int initiator)
{
	struct ike_keymat *km = calloc(1, sizeof(*km));
	if (!km)
		return NULL;
	km->encr = c->encr;
	km->encr_bits = c->encr == IKE_ENCR_CHACHA20_POLY1305 && c->encr_bits == 0
		? 256 : c->encr_bits;
	km->prf = c->prf;
	km->integ = c->integ;
	km->initiator = initiator ? 1 : 0;
	return km;
}

int ike_keymat_new_keys(const struct ike_chosen *c, int initiator,
			struct crypto_ike_keys *keys, struct ike_keymat **out)
{
	struct ike_keymat *km = km_alloc(c, initiator);
	int err;

	*out = NULL;
	if (!km)
		return -ENOMEM;
	if ((err = install(km, keys))) {
		free(km);
		return err;
	}
	*out = km;
	return 0;
}

/* prf+(SKEYSEED, Ni | Nr | SPIi | SPIr) with the transforms of km, into km. */
static int derive_into(struct ike_keymat *km, const struct secret *skeyseed,
		       struct crypto_buf ni, struct crypto_buf nr,
		       const uint8_t spi_i[8], const uint8_t spi_r[8])
{
	struct crypto_ike_keys k = { 0 };
	struct ike_chosen c = { .encr = km->encr, .encr_bits = km->encr_bits,
				.prf = km->prf, .integ = km->integ };
	size_t e_len, a_len;
	int err = ike_keymat_lengths(&c, &e_len, &a_len);

	if (err)
		return err;
	err = crypto_kdf_ike_keys(km->prf, skeyseed, ni, nr, spi_i, spi_r, a_len, e_len, &k);
	if (!err)
		err = install(km, &k);
	crypto_ike_keys_free(&k);
	return err;
}

int ike_keymat_new_skeyseed(const struct ike_chosen *c, int initiator,
			    const struct secret *skeyseed,
			    struct crypto_buf ni, struct crypto_buf nr,
			    const uint8_t spi_i[8], const uint8_t spi_r[8],
			    struct ike_keymat **out)
{
	struct ike_keymat *km = km_alloc(c, initiator);
	int err;

	*out = NULL;
	if (!km)
		return -ENOMEM;
	if ((err = derive_into(km, skeyseed, ni, nr, spi_i, spi_r))) {
		free(km);
		return err;
	}
	*out = km;
	return 0;
}

int ike_keymat_new(const struct ike_chosen *c, int initiator, const struct secret *gir,
		   struct crypto_buf ni, struct crypto_buf nr,
		   const uint8_t spi_i[8], const uint8_t spi_r[8], struct ike_keymat **out)
{
	struct secret *skeyseed = NULL;
	int err;

	*out = NULL;
	/* RFC 7296 2.14: SKEYSEED = prf(Ni | Nr, g^ir). */
	if ((err = crypto_kdf_skeyseed(c->prf, ni, nr, gir, &skeyseed)))
		return err;
	err = ike_keymat_new_skeyseed(c, initiator, skeyseed, ni, nr, spi_i, spi_r, out);
	crypto_secret_free(skeyseed);
	return err;
}

int ike_keymat_new_rekey(const struct ike_keymat *old, const struct ike_chosen *c,
			 int initiator, const struct secret *const *ke, size_t n_ke,
			 struct crypto_buf ni, struct crypto_buf nr,
			 const uint8_t spi_i[8], const uint8_t spi_r[8],
			 struct ike_keymat **out)
{
	struct secret *skeyseed = NULL;
	int err;

	*out = NULL;
	/* RFC 7296 2.18: the rekeying exchange belongs to the old IKE SA, so
	 * SKEYSEED is computed with the old SA's PRF; the SK_* expansion then
	 * uses the new SA's. */
	err = crypto_kdf_skeyseed_rekey(old->prf, old->sk_d, ke, n_ke, ni, nr, &skeyseed);
	if (err)
		return err;
	err = ike_keymat_new_skeyseed(c, initiator, skeyseed, ni, nr, spi_i, spi_r, out);
	crypto_secret_free(skeyseed);
	return err;
}

int ike_keymat_update(struct ike_keymat *km, const struct secret *ke_secret,
		      struct crypto_buf ni, struct crypto_buf nr,
		      const uint8_t spi_i[8], const uint8_t spi_r[8])
{
	struct secret *skeyseed = NULL;
	const struct secret *ke[1] = { ke_secret };
	int err;

	/* RFC 9370 2.2.2: SKEYSEED(n) = prf(SK_d(n-1), SK(n) | Ni | Nr); the
	 * IKE SA's own PRF, SPIs and nonces. */
	err = crypto_kdf_skeyseed_rekey(km->prf, km->sk_d, ke, 1, ni, nr, &skeyseed);
	if (err)
		return err;
	err = derive_into(km, skeyseed, ni, nr, spi_i, spi_r);
	crypto_secret_free(skeyseed);
	return err;
}

void ike_keymat_free(struct ike_keymat *km)
{
	if (!km)
		return;
	ctx_free(&km->out);
	ctx_free(&km->in);
	crypto_secret_free(km->sk_d);
	crypto_secret_free(km->sk_pi);
	crypto_secret_free(km->sk_pr);
	crypto_wipe(km, sizeof(*km));
	free(km);
}
