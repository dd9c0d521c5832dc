/* IKE_AUTH identities and authentication (RFC 7296 1.2, 2.15), PSK here.
 *
 *   HDR, SK { IDi, [IDr,] AUTH, ... } -->
 *   <-- HDR, SK { IDr, AUTH, ... }
 *
 * AUTH = prf(prf(PSK, "Key Pad for IKEv2"), RealMessage | Nonce | prf(SK_p, ID)),
 * where the initiator signs its IKE_SA_INIT request and Nr, the responder
 * its IKE_SA_INIT response and Ni. The gateway is always authenticated:
 * the initiator refuses a response without a valid AUTH. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/prf.h"
#include "ike/sa_int.h"

#define KEY_PAD "Key Pad for IKEv2"

struct task_auth {
	struct ike_task t;
};

/* The ID payload body (RestOfIDPayload: type, 3 reserved octets, data). */
static int id_body(const struct ike_ident *id, uint8_t *out, size_t cap, size_t *len)
{
	struct wb w;
	struct ike_id i = { .type = id->type, .data = id->data, .len = id->len };
	wb_init(&w, out, cap);
	ike_id_encode(&w, &i);
	*len = wb_len(&w);
	return wb_err(&w);
}

/* The PSK AUTH value of one side: for_initiator selects which messages,
 * nonce and SK_p are signed. */
static int psk_auth(struct ike_sa *sa, int for_initiator, const uint8_t *idb, size_t idb_len,
		    uint8_t *out, size_t *out_len)
{
	const struct secret *skp = ike_sa_sk_p(sa, for_initiator);
	const struct ike_dgram *real = for_initiator ? &sa->init_i : &sa->init_r;
	struct crypto_prf *prf = NULL;
	uint8_t macid[64], padkey[64];
	size_t n = crypto_prf_len(sa->alg.prf);
	int rc;

	if (!sa->cfg.psk || !skp || !real->p || n == 0 || n > sizeof(macid))
		return -EINVAL;
	struct crypto_buf idp = { idb, idb_len };
	if ((rc = crypto_prf_new(sa->alg.prf, skp->p, skp->len, &prf)) ||
	    (rc = crypto_prf_run(prf, &idp, 1, macid)))
		goto out;
	crypto_prf_free(prf);
	prf = NULL;
	struct crypto_buf pad = { (const uint8_t *)KEY_PAD, strlen(KEY_PAD) };
	if ((rc = crypto_prf_new(sa->alg.prf, sa->cfg.psk->p, sa->cfg.psk->len, &prf)) ||
	    (rc = crypto_prf_run(prf, &pad, 1, padkey)))
		goto out;
	crypto_prf_free(prf);
	prf = NULL;
	struct crypto_buf parts[] = {
		{ real->p, real->len },
		{ for_initiator ? sa->nr : sa->ni, for_initiator ? sa->nr_len : sa->ni_len },
		{ macid, n },
	};
	if ((rc = crypto_prf_new(sa->alg.prf, padkey, n, &prf)) ||
	    (rc = crypto_prf_run(prf, parts, 3, out)))
		goto out;
	*out_len = n;
out:
	crypto_prf_free(prf);
	crypto_wipe(padkey, sizeof(padkey));
	return rc;
}

static int id_matches(const struct ike_ident *want, const struct ike_id *got)
{
	if (want->type == 0)
		return 1; /* any identity, authenticated by the PSK */
	return want->type == got->type && want->len == got->len &&
	       memcmp(want->data, got->data, got->len) == 0; /* public-memcmp: identity */
}

static int add_id_auth(struct ike_sa *sa, struct ike_msg_out *m, uint8_t id_type_pld,
		       const struct ike_ident *id, int for_initiator)
{
	uint8_t idb[IKE_ID_MAX_LEN + 4], auth[64];
	size_t idb_len, auth_len;
	int rc;

	if ((rc = id_body(id, idb, sizeof(idb), &idb_len)))
		return rc;
	ike_bld_raw(&m->b, id_type_pld, 0, idb, idb_len);
	if ((rc = psk_auth(sa, for_initiator, idb, idb_len, auth, &auth_len)))
		return rc;
	struct ike_auth a = { .method = IKE_AUTH_PSK, .data = auth, .len = auth_len };
	ike_bld_begin(&m->b, IKE_PLD_AUTH, 0);
	ike_auth_encode(&m->w, &a);
	rc = ike_bld_end(&m->b);
	crypto_wipe(auth, sizeof(auth));
	return rc;
}

/* Check the peer's ID and AUTH payloads. 0 or -EACCES. */
static int verify_peer(struct ike_sa *sa, const struct ike_msg_in *m, uint8_t id_type_pld,
		       int peer_is_initiator)
{
	const struct ike_pld *pid = ike_chain_find(m->chain, id_type_pld, NULL);
	const struct ike_pld *pauth = ike_chain_find(m->chain, IKE_PLD_AUTH, NULL);
	struct ike_id id;
	struct ike_auth a;
	uint8_t want[64];
	size_t want_len;

	if (!pid || !pauth || ike_id_decode(pid, &id) || ike_auth_decode(pauth, &a))
		return -EACCES;
	if (!id_matches(&sa->cfg.remote_id, &id)) {
		log_warn(IKE_LOG, "IKE_AUTH: the peer's identity is not the one configured");
		return -EACCES;
	}
	if (a.method != IKE_AUTH_PSK || sa->cfg.auth != IKE_AUTHK_PSK) {
		log_warn(IKE_LOG, "IKE_AUTH: the peer authenticates with %s, expected PSK",
			 ike_auth_name(a.method));
		return -EACCES;
	}
	if (psk_auth(sa, peer_is_initiator, pid->body, pid->body_len, want, &want_len) ||
	    a.len != want_len || !crypto_memeq(a.data, want, want_len)) {
		crypto_wipe(want, sizeof(want));
		log_warn(IKE_LOG, "IKE_AUTH: the peer's AUTH value is wrong (PSK mismatch)");
		return -EACCES;
	}
	crypto_wipe(want, sizeof(want));
	return 0;
}

static int build_i(struct ike_task *t, struct ike_sa *sa, struct ike_msg_out *m)
{
	int rc = add_id_auth(sa, m, IKE_PLD_IDI, &sa->cfg.local_id, 1);
	if (rc)
		return rc;
	/* IDr tells a gateway with several identities which one we expect
	 * (RFC 7296 2.15); only when we know it. */
	if (sa->cfg.remote_id.type) {
		uint8_t idb[IKE_ID_MAX_LEN + 4];
		size_t idb_len;
		if ((rc = id_body(&sa->cfg.remote_id, idb, sizeof(idb), &idb_len)))
			return rc;
		ike_bld_raw(&m->b, IKE_PLD_IDR, 0, idb, idb_len);
	}
	ike_sa_set_state(sa, IKE_S_AUTH_SENT);
	return 0;
}

static int process_i(struct ike_task *t, struct ike_sa *sa, const struct ike_msg_in *m)
{
	uint16_t err = ike_in_error(m);
	if (err) {
		log_warn(IKE_LOG, "IKE_AUTH refused by the gateway: %s", ike_notify_name(err));
		return -EACCES;
	}
	if (verify_peer(sa, m, IKE_PLD_IDR, 0))
		return -EACCES;
	ike_sa_set_state(sa, IKE_S_ESTABLISHED);
	return 0;
}

static int process_r(struct ike_task *t, struct ike_sa *sa, const struct ike_msg_in *m)
{
	if (sa->state != IKE_S_INIT_DONE) {
		ike_sa_refuse(sa, IKE_N_INVALID_SYNTAX, NULL, 0);
		return -EPROTO;
	}
	if (verify_peer(sa, m, IKE_PLD_IDI, 1)) {
		ike_sa_refuse(sa, IKE_N_AUTHENTICATION_FAILED, NULL, 0);
		return -EACCES;
	}
	return 0;
}

static int build_r(struct ike_task *t, struct ike_sa *sa, struct ike_msg_out *m)
{
	int rc = add_id_auth(sa, m, IKE_PLD_IDR, &sa->cfg.local_id, 0);
	if (!rc)
		ike_sa_set_state(sa, IKE_S_ESTABLISHED);
	return rc;
}

static void task_free(struct ike_task *t) { free(t); }

static const struct ike_task_ops ops_i = { "auth", IKE_EXCH_AUTH, build_i, process_i, task_free };
static const struct ike_task_ops ops_r = { "auth", IKE_EXCH_AUTH, build_r, process_r, task_free };

int ike_task_auth_new(struct ike_sa *sa, int initiator, struct ike_task **out)
{
	struct task_auth *ta = calloc(1, sizeof(*ta));
	if (!ta)
		return -ENOMEM;
	if (sa->cfg.auth != IKE_AUTHK_PSK) {
		free(ta);
		return -ENOTSUP;
	}
	ta->t.ops = initiator ? &ops_i : &ops_r;
	ta->t.initiator = initiator;
	*out = &ta->t;
	return 0;
}
