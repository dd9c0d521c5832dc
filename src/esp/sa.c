/* ESP SAs: algorithms, keys and sequence-number limits (see sa.h). */
#include "esp/sa.h"

#include <errno.h>
#include <stdlib.h>

#include "crypto/aead.h"
#include "crypto/cbc_hmac.h"
#include "crypto/secret.h"
#include "ike/ike.h"
#include "ike/pld/pld.h"

static int sa_aead(struct esp_sa *sa, const struct esp_sa_params *p)
{
	unsigned bits = p->encr_bits;
	if (p->encr == ESP_ENCR_CHACHA20_POLY1305 && bits == 0)
		bits = 256;                      /* RFC 7634 3: no Key Length attribute */
	if (p->integ != ESP_INTEG_NONE)
		return -EINVAL;                  /* RFC 4106 8.4: AEAD has no INTEG */
	size_t need = crypto_aead_keymat_len(p->encr, bits);
	if (!need || p->key_len != need)
		return -EINVAL;
	sa->iv_len = ESP_AEAD_IV_LEN;
	sa->icv_len = ESP_AEAD_ICV_LEN;
	sa->align = ESP_AEAD_ALIGN;
	return crypto_aead_new(p->encr, p->key, p->key_len, &sa->aead);
}

static int sa_cbc(struct esp_sa *sa, const struct esp_sa_params *p)
{
	if (p->esn)
		return -ENOTSUP;
	size_t ek = p->encr_bits / 8u, ik = crypto_integ_key_len(p->integ);
	if (!ik)
		return -ENOTSUP;
	if ((ek != 16 && ek != 24 && ek != 32) || p->key_len != ek + ik)
		return -EINVAL;
	sa->iv_len = ESP_CBC_IV_LEN;
	sa->icv_len = (uint8_t)crypto_integ_icv_len(p->integ);
	sa->align = ESP_CBC_ALIGN;
	return crypto_cbc_hmac_new(p->key, ek, p->integ, p->key + ek, ik, &sa->cbc);
}

int esp_sa_new(const struct esp_sa_params *p, enum esp_dir dir, struct esp_sa **out)
{
	if (p->spi <= ESP_SPI_RESERVED_MAX || (dir != ESP_DIR_IN && dir != ESP_DIR_OUT) ||
	    (!p->key && p->key_len))
		return -EINVAL;
	struct esp_sa *sa = calloc(1, sizeof(*sa));
	if (!sa)
		return -ENOMEM;
	sa->spi = p->spi;
	sa->dir = (uint8_t)dir;
	sa->esn = p->esn ? 1 : 0;
	sa->encr = p->encr;
	sa->check_pad = 1;
	int err;
	switch (p->encr) {
	case ESP_ENCR_AES_GCM_16:
	case ESP_ENCR_CHACHA20_POLY1305:
		err = sa_aead(sa, p);
		break;
	case ESP_ENCR_AES_CBC:
		err = sa_cbc(sa, p);
		break;
	default:
		err = -ENOTSUP;
		break;
	}
	if (err) {
		esp_sa_free(sa);
		return err;
	}
	esp_sa_set_seq_limits(sa, sa->esn ? ESP_SEQ_SOFT_64 : ESP_SEQ_SOFT_32,
			      sa->esn ? ESP_SEQ_MAX_64 : ESP_SEQ_MAX_32);
	esp_replay_init(&sa->replay);
	*out = sa;
	return 0;
}

int esp_sa_from_child(const struct ike_child *c, enum esp_dir dir, struct esp_sa **out)
{
	const struct secret *k = dir == ESP_DIR_IN ? c->key_in : c->key_out;
	if (!k)
		return -EINVAL;
	struct esp_sa_params p = {
		.spi = dir == ESP_DIR_IN ? c->spi_in : c->spi_out,
		.encr = c->alg.encr,
		.encr_bits = c->alg.encr_bits,
		.integ = c->alg.integ,
		.esn = c->alg.esn == IKE_ESN_YES,
		.key = k->p,
		.key_len = k->len,
	};
	return esp_sa_new(&p, dir, out);
}

void esp_sa_free(struct esp_sa *sa)
{
	if (!sa)
		return;
	crypto_aead_free(sa->aead);
	crypto_cbc_hmac_free(sa->cbc);
	free(sa);
}

void esp_sa_set_seq_limits(struct esp_sa *sa, uint64_t soft, uint64_t hard)
{
	uint64_t space = sa->esn ? ESP_SEQ_MAX_64 : ESP_SEQ_MAX_32;
	if (hard > space)
		hard = space;
	if (soft > hard)
		soft = hard;
	sa->seq_soft = soft;
	sa->seq_hard = hard;
	sa->rekey_needed = sa->seq >= soft;
}
