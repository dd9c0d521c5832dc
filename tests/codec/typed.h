/* Test and fuzz support: run a known payload through its typed decoder and
 * write the body back with its typed encoder. */
#ifndef PETREL_TESTS_CODEC_TYPED_H
#define PETREL_TESTS_CODEC_TYPED_H

#include "ike/pld/pld.h"

union typed_any {
	struct ike_sa_pld sa;
	struct ike_ke ke;
	struct ike_id id;
	struct ike_cert cert;
	struct ike_auth auth;
	struct ike_blob blob;
	struct ike_notify n;
	struct ike_delete del;
	struct ike_tsp ts;
	struct ike_sk sk;
	struct ike_skf skf;
	struct ike_cp cp;
	struct ike_eap eap;
};

/* 0 and the body in w; the decoder's error; or 1 for an opaque type. */
static inline int typed_reencode(const struct ike_pld *p, struct wb *w, union typed_any *u)
{
	int err;
#define TYPED(dec, enc, field) \
	return (err = dec(p, &u->field)) ? err : enc(w, &u->field)
	switch (p->type) {
	case IKE_PLD_SA: TYPED(ike_sa_pld_decode, ike_sa_pld_encode, sa);
	case IKE_PLD_KE: TYPED(ike_ke_decode, ike_ke_encode, ke);
	case IKE_PLD_IDI: case IKE_PLD_IDR: TYPED(ike_id_decode, ike_id_encode, id);
	case IKE_PLD_CERT: TYPED(ike_cert_decode, ike_cert_encode, cert);
	case IKE_PLD_CERTREQ: TYPED(ike_certreq_decode, ike_certreq_encode, cert);
	case IKE_PLD_AUTH: TYPED(ike_auth_decode, ike_auth_encode, auth);
	case IKE_PLD_NONCE: TYPED(ike_nonce_decode, ike_nonce_encode, blob);
	case IKE_PLD_NOTIFY: TYPED(ike_notify_decode, ike_notify_encode, n);
	case IKE_PLD_DELETE: TYPED(ike_delete_decode, ike_delete_encode, del);
	case IKE_PLD_VID: TYPED(ike_vid_decode, ike_vid_encode, blob);
	case IKE_PLD_TSI: case IKE_PLD_TSR: TYPED(ike_ts_decode, ike_ts_encode, ts);
	case IKE_PLD_SK: TYPED(ike_sk_decode, ike_sk_encode, sk);
	case IKE_PLD_SKF: TYPED(ike_skf_decode, ike_skf_encode, skf);
	case IKE_PLD_CP: TYPED(ike_cp_decode, ike_cp_encode, cp);
	case IKE_PLD_EAP: TYPED(ike_eap_decode, ike_eap_encode, eap);
	default: return 1;
	}
#undef TYPED
}

#endif
