/* The Child SAs of an IKE SA: keys (RFC 7296 2.17), SPIs, and handing them
 * to and taking them from the data plane through ops. During a rekey the
 * old and the new Child SA exist together until the old one is deleted. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/aead.h"
#include "crypto/cbc_hmac.h"
#include "crypto/prf.h"
#include "ike/sa_int.h"

size_t ike_child_encr_key_len(const struct ike_chosen *c)
{
	if (c->encr == IKE_ENCR_AES_GCM_16)
		return crypto_aead_keymat_len(c->encr, c->encr_bits);
	if (c->encr == IKE_ENCR_CHACHA20_POLY1305)
		return crypto_aead_keymat_len(c->encr, 256);
	if (c->encr == IKE_ENCR_AES_CBC)
		return c->encr_bits / 8u;
	return 0;
}

int ike_child_new_spi(struct ike_sa *sa, uint32_t *spi)
{
	uint8_t b[4];
	/* RFC 4303 2.1: 1-255 are reserved; never reuse one of ours. */
	for (int tries = 0; tries < 16; tries++) {
		int rc = ike_sa_random(sa, b, 4);
		if (rc)
			return rc;
		uint32_t v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
		if (v >= 256 && !ike_child_by_spi_in(sa, v)) {
			*spi = v;
			return 0;
		}
	}
	return -EAGAIN;
}

int ike_child_install(struct ike_sa *sa, const struct ike_chosen *alg, uint32_t spi_in,
		      uint32_t spi_out, const struct ike_ts_cfg *ts_l, size_t n_l,
		      const struct ike_ts_cfg *ts_r, size_t n_r, const struct secret *const *ke,
		      size_t n_ke, const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
		      int exch_initiator, struct ike_child_sa **out)
{
	size_t ek = ike_child_encr_key_len(alg);
	size_t ik = alg->integ ? crypto_integ_key_len(alg->integ) : 0;
	const struct secret *sk_d = ike_sa_sk_d(sa);
	struct ike_child_sa *c = NULL;
	struct secret *keymat = NULL, *k_ir = NULL, *k_ri = NULL;
	int rc;

	if (!ek || !sk_d || n_l > IKE_CFG_TS_MAX || n_r > IKE_CFG_TS_MAX)
		return -ENOTSUP;
	for (size_t i = 0; i < IKE_CHILDREN_MAX && !c; i++)
		if (!sa->children[i].used)
			c = &sa->children[i];
	if (!c)
		return -E2BIG;
	struct crypto_buf bni = { ni, ni_len }, bnr = { nr, nr_len };
	rc = crypto_kdf_child(sa->alg.prf, sk_d, ke, n_ke, bni, bnr, 2 * (ek + ik), &keymat);
	if (!rc)
		rc = crypto_secret_slice(keymat, 0, ek + ik, &k_ir);
	if (!rc)
		rc = crypto_secret_slice(keymat, ek + ik, ek + ik, &k_ri);
	crypto_secret_free(keymat);
	if (rc) {
		crypto_secret_free(k_ir);
		return rc;
	}
	memset(c, 0, sizeof(*c));
	c->key_out = exch_initiator ? k_ir : k_ri;
	c->key_in = exch_initiator ? k_ri : k_ir;
	c->c.alg = *alg;
	c->c.spi_in = spi_in;
	c->c.spi_out = spi_out;
	c->c.key_in = c->key_in;
	c->c.key_out = c->key_out;
	memcpy(c->c.ts_local, ts_l, n_l * sizeof(*ts_l));
	memcpy(c->c.ts_remote, ts_r, n_r * sizeof(*ts_r));
	c->c.n_ts_local = n_l;
	c->c.n_ts_remote = n_r;
	rc = sa->ops.child_up(sa->ops.ctx, sa, &c->c);
	if (rc) {
		crypto_secret_free(c->key_in);
		crypto_secret_free(c->key_out);
		memset(c, 0, sizeof(*c));
		return rc;
	}
	c->used = 1;
	char algs[160];
	ike_chosen_str(alg, algs, sizeof(algs));
	log_info(IKE_LOG, "Child SA up: SPIs in %08x out %08x, %s", spi_in, spi_out, algs);
	if (out)
		*out = c;
	return 0;
}

void ike_child_remove(struct ike_sa *sa, struct ike_child_sa *c)
{
	if (!c || !c->used)
		return;
	log_info(IKE_LOG, "Child SA down: SPIs in %08x out %08x", c->c.spi_in, c->c.spi_out);
	sa->ops.child_down(sa->ops.ctx, sa, &c->c);
	crypto_secret_free(c->key_in);
	crypto_secret_free(c->key_out);
	memset(c, 0, sizeof(*c));
}

void ike_children_remove_all(struct ike_sa *sa)
{
	for (size_t i = 0; i < IKE_CHILDREN_MAX; i++)
		ike_child_remove(sa, &sa->children[i]);
}

struct ike_child_sa *ike_child_by_spi_in(struct ike_sa *sa, uint32_t spi)
{
	for (size_t i = 0; i < IKE_CHILDREN_MAX; i++)
		if (sa->children[i].used && sa->children[i].c.spi_in == spi)
			return &sa->children[i];
	return NULL;
}

struct ike_child_sa *ike_child_by_spi_out(struct ike_sa *sa, uint32_t spi)
{
	for (size_t i = 0; i < IKE_CHILDREN_MAX; i++)
		if (sa->children[i].used && sa->children[i].c.spi_out == spi)
			return &sa->children[i];
	return NULL;
}

struct ike_child_sa *ike_child_current(struct ike_sa *sa)
{
	struct ike_child_sa *best = NULL;
	for (size_t i = 0; i < IKE_CHILDREN_MAX; i++) {
		struct ike_child_sa *c = &sa->children[i];
		if (c->used && !c->rekeyed && !c->deleting)
			best = c;
	}
	return best;
}
