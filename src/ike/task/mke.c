/* RFC 9370 2.2.4 IKE_FOLLOWUP_KE rounds (mke.h). */
#include "ike/task/mke.h"

#include <errno.h>
#include <string.h>

#include "crypto/ke.h"

void ike_mke_init(struct ike_mke *k, const struct ike_chosen *alg)
{
	ike_mke_clear(k);
	k->alg = *alg;
}

unsigned ike_mke_next(const struct ike_mke *k)
{
	return ike_chosen_next_addke(&k->alg, k->n);
}

void ike_mke_first(struct ike_mke *k, struct secret *sk0)
{
	crypto_secret_free(k->sk[0]);
	k->sk[0] = sk0;
	k->n_sk = 1;
	k->n = 0;
}

static int read_link(struct ike_mke *k, const struct ike_msg_in *m)
{
	struct ike_notify n;
	if (!ike_in_notify(m, IKE_N_ADDITIONAL_KEY_EXCHANGE, &n) || !n.len || n.len > sizeof(k->link))
		return -EPROTO;
	memcpy(k->link, n.data, n.len);
	k->link_len = n.len;
	return 0;
}

static int add_ke(struct ike_msg_out *m, uint16_t method, const uint8_t *data, size_t len)
{
	struct ike_ke ke = { .method = method, .data = data, .len = len };
	ike_bld_begin(&m->b, IKE_PLD_KE, 0);
	ike_ke_encode(&m->w, &ke);
	return ike_bld_end(&m->b);
}

int ike_mke_start_i(struct ike_mke *k, const struct ike_msg_in *m)
{
	int rc = read_link(k, m);
	if (rc)
		return rc;
	k->n = ike_mke_next(k);
	return k->n ? 0 : -EPROTO;
}

int ike_mke_build_i(struct ike_mke *k, struct ike_msg_out *m)
{
	int rc;
	crypto_ke_free(k->ke);
	k->ke = NULL;
	if ((rc = crypto_ke_new(k->alg.ke[k->n], &k->ke)))
		return rc;
	size_t len;
	const uint8_t *pub = crypto_ke_public(k->ke, &len);
	if ((rc = add_ke(m, k->alg.ke[k->n], pub, len)))
		return rc;
	return ike_out_notify(m, IKE_N_ADDITIONAL_KEY_EXCHANGE, k->link, k->link_len);
}

int ike_mke_process_i(struct ike_mke *k, const struct ike_msg_in *m)
{
	struct ike_ke ke;
	int rc;

	uint16_t err = ike_in_error(m);
	if (err) {
		log_warn(IKE_LOG, "IKE_FOLLOWUP_KE refused: %s", ike_notify_name(err));
		return -EPROTO;
	}
	const struct ike_pld *p = ike_chain_find(m->chain, IKE_PLD_KE, NULL);
	if (!p || ike_ke_decode(p, &ke) || ke.method != k->alg.ke[k->n] || k->n_sk >= IKE_MKE_MAX)
		return -EPROTO;
	struct secret *s = NULL;
	if ((rc = crypto_ke_finish(k->ke, ke.data, ke.len, &s)))
		return rc;
	crypto_ke_free(k->ke);
	k->ke = NULL;
	k->sk[k->n_sk++] = s;
	log_info(IKE_LOG, "IKE_FOLLOWUP_KE: additional key exchange %u (%s) done", k->n,
		 ike_ke_name(k->alg.ke[k->n]));
	unsigned next = ike_mke_next(k);
	if (!next)
		return 0;
	if ((rc = read_link(k, m)))
		return rc;
	k->n = next;
	return 1;
}

int ike_mke_new_link(struct ike_mke *k, struct ike_sa *sa)
{
	k->link_len = IKE_MKE_LINK_LEN;
	return ike_sa_random(sa, k->link, k->link_len);
}

int ike_mke_add_link(const struct ike_mke *k, struct ike_msg_out *m)
{
	return ike_out_notify(m, IKE_N_ADDITIONAL_KEY_EXCHANGE, k->link, k->link_len);
}

int ike_mke_process_r(struct ike_mke *k, struct ike_sa *sa, const struct ike_msg_in *m)
{
	struct ike_notify n;
	struct ike_ke ke;
	int rc;

	if (!ike_in_notify(m, IKE_N_ADDITIONAL_KEY_EXCHANGE, &n) || n.len != k->link_len ||
	    !crypto_memeq(n.data, k->link, k->link_len)) {
		ike_sa_refuse(sa, IKE_N_STATE_NOT_FOUND, NULL, 0);
		return -ENOENT;
	}
	k->n = ike_mke_next(k);
	const struct ike_pld *p = ike_chain_find(m->chain, IKE_PLD_KE, NULL);
	if (!k->n || !p || ike_ke_decode(p, &ke) || k->n_sk >= IKE_MKE_MAX) {
		ike_sa_refuse(sa, IKE_N_INVALID_SYNTAX, NULL, 0);
		return -EBADMSG;
	}
	if (ke.method != k->alg.ke[k->n]) {
		uint8_t want[2] = { (uint8_t)(k->alg.ke[k->n] >> 8), (uint8_t)k->alg.ke[k->n] };
		ike_sa_refuse(sa, IKE_N_INVALID_KE_PAYLOAD, want, 2);
		return -EPROTO;
	}
	struct secret *s = NULL;
	if (crypto_ke_respond(ke.method, ke.data, ke.len, k->ke_r, sizeof(k->ke_r), &k->ke_r_len, &s)) {
		ike_sa_refuse(sa, IKE_N_INVALID_SYNTAX, NULL, 0);
		return -EBADMSG;
	}
	k->sk[k->n_sk++] = s;
	log_info(IKE_LOG, "IKE_FOLLOWUP_KE: additional key exchange %u (%s) answered", k->n,
		 ike_ke_name(k->alg.ke[k->n]));
	if (ike_mke_next(k) && (rc = ike_mke_new_link(k, sa)))
		return rc;
	return 0;
}

int ike_mke_build_r(struct ike_mke *k, struct ike_msg_out *m)
{
	int rc = add_ke(m, k->alg.ke[k->n], k->ke_r, k->ke_r_len);
	if (rc || !ike_mke_next(k))
		return rc;
	return ike_mke_add_link(k, m);
}

void ike_mke_clear(struct ike_mke *k)
{
	crypto_ke_free(k->ke);
	for (unsigned i = 0; i < IKE_MKE_MAX; i++)
		crypto_secret_free(k->sk[i]);
	crypto_wipe(k, sizeof(*k));
}
