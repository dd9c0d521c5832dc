/* RFC 5723 session resumption: IKE_SESSION_RESUME in place of IKE_SA_INIT,
 * then an IKE_AUTH whose AUTH is a MAC with the new SK_pi / SK_pr.
 *
 *   HDR(SPIi, 0), [N(COOKIE)], Ni, N(TICKET_OPAQUE), N(NAT_D_SRC), N(NAT_D_DST),
 *        N(FRAG_SUP), [N(SEP_TR)] -->
 *   <-- HDR(SPIi, SPIr), Nr, N(NAT_D_SRC), N(NAT_D_DST), N(FRAG_SUP), [N(SEP_TR)]
 *   <-- HDR(SPIi, 0), N(TICKET_NACK)          (refused: a full IKE_SA_INIT follows)
 *
 *   SKEYSEED = prf(SK_d(old), "Resumption" | Ni | Nr) with the old SA's PRF;
 *   the SK_* from it with the new SPIs (RFC 7296 2.14); no new key exchange.
 *
 *   HDR, SK { IDi, [IDr,] AUTH, ... } -->   <-- HDR, SK { IDr, AUTH, ... }
 *
 * The identities must be the ticket's. AUTH uses method 2 (Shared Key
 * Message Integrity Code) keyed with SK_px directly, no "Key Pad", over
 * either the sender's own IKE_SESSION_RESUME message (Libreswan) or the
 * RFC 7296 2.15 octets built on it (Rockhopper): cfg.resume_auth picks
 * what we send, and either is accepted. The NAT_DETECTION and
 * SEPARATE_TRANSPORTS notifies are ours (RFC 5723 allows further notifies):
 * the path after a move is what they are about; a peer that does not know
 * them ignores them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/prf.h"
#include "ike/keymat.h"
#include "ike/sa_int.h"

#define NONCE_LEN 32u
#define RESUME_RETRIES_MAX 2u /* COOKIE rounds */

struct task_resume {
	struct ike_task t;
	uint8_t cookie[PT_IKE_COOKIE_MAX_LEN];
	size_t cookie_len;
	unsigned rounds;
};

static int add_caps(struct ike_sa *sa, struct ike_msg_out *m)
{
	ike_out_notify(m, IKE_N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0);
	if (sa->cfg.separate && (sa->role == IKE_ROLE_INITIATOR || sa->separate))
		ike_out_notify(m, sa->cfg.cp->n_separate_transports, NULL, 0);
	return m->b.err;
}

static void read_caps(struct ike_sa *sa, const struct ike_msg_in *m)
{
	struct ike_notify n;
	sa->peer_frag = ike_in_notify(m, IKE_N_IKEV2_FRAGMENTATION_SUPPORTED, &n) != NULL;
	sa->separate = sa->cfg.separate &&
		ike_in_notify(m, sa->cfg.cp->n_separate_transports, &n) != NULL;
	sa->reliable = sa->separate;
}

/* The new IKE SA's keys from the old one's SK_d (RFC 5723 5.1). */
static int derive(struct ike_sa *sa)
{
	const struct ike_resume_state *st = &sa->resume->st;
	struct crypto_buf ni = { sa->ni, sa->ni_len }, nr = { sa->nr, sa->nr_len };
	struct secret *skd = NULL, *skeyseed = NULL;
	int rc;

	sa->alg = st->alg;
	if ((rc = crypto_secret_from(st->sk_d, st->sk_d_len, &skd)))
		return rc;
	rc = crypto_kdf_skeyseed_resume(st->alg.prf, skd, ni, nr, &skeyseed);
	crypto_secret_free(skd);
	if (rc)
		return rc;
	ike_keymat_free(sa->km);
	sa->km = NULL;
	rc = ike_keymat_new_skeyseed(&sa->alg, sa->role == IKE_ROLE_INITIATOR, skeyseed, ni, nr,
				     sa->spi_i, sa->spi_r, &sa->km);
	crypto_secret_free(skeyseed);
	if (!rc)
		sa->resumed = 1;
	return rc;
}

static int add_nonce(struct ike_msg_out *m, const uint8_t *n, size_t len)
{
	struct ike_blob b = { n, len };
	ike_bld_begin(&m->b, IKE_PLD_NONCE, 0);
	ike_nonce_encode(&m->w, &b);
	return ike_bld_end(&m->b);
}

/* ---- IKE_SESSION_RESUME, initiator ---- */

static int build_i(struct ike_task *t, struct ike_sa *sa, struct ike_msg_out *m)
{
	struct task_resume *tr = (struct task_resume *)t;
	int rc;

	if (tr->cookie_len) /* RFC 5723 4.3.1: the COOKIE notify comes first */
		ike_out_notify(m, IKE_N_COOKIE, tr->cookie, tr->cookie_len);
	if (!sa->ni_len) {
		if ((rc = ike_sa_random(sa, sa->ni, NONCE_LEN)))
			return rc;
		sa->ni_len = NONCE_LEN;
	}
	if ((rc = add_nonce(m, sa->ni, sa->ni_len)))
		return rc;
	ike_out_notify(m, IKE_N_TICKET_OPAQUE, sa->resume->opaque, sa->resume->opaque_len);
	if ((rc = ike_out_nat_d(sa, m)))
		return rc;
	return add_caps(sa, m);
}

static int process_i(struct ike_task *t, struct ike_sa *sa, const struct ike_msg_in *m)
{
	struct task_resume *tr = (struct task_resume *)t;
	struct ike_notify n;
	int rc;

	if (ike_in_notify(m, IKE_N_COOKIE, &n)) {
		if (++tr->rounds > RESUME_RETRIES_MAX || n.len < 1 || n.len > sizeof(tr->cookie))
			return -EPROTO;
		memcpy(tr->cookie, n.data, n.len);
		tr->cookie_len = n.len;
		log_info(IKE_LOG, "IKE_SESSION_RESUME: the gateway asks for a COOKIE; sending again");
		return IKE_TASK_MORE;
	}
	if (ike_in_notify(m, IKE_N_TICKET_NACK, &n)) {
		log_info(IKE_LOG, "IKE_SESSION_RESUME: the gateway refused the ticket (TICKET_NACK)");
		return -ESTALE;
	}
	uint16_t err = ike_in_error(m);
	if (err) {
		log_warn(IKE_LOG, "IKE_SESSION_RESUME refused: %s", ike_notify_name(err));
		return -EPROTO;
	}
	if ((rc = ike_in_nonce(m, sa->nr, &sa->nr_len)))
		return rc;
	ike_in_nat_d(sa, m);
	read_caps(sa, m);
	if ((rc = ike_dgram_copy(&sa->init_r, m->raw, m->len)) ||
	    (rc = ike_dgram_copy(&sa->init_i, sa->req.d[0].p, sa->req.d[0].len)) ||
	    (rc = derive(sa)))
		return rc;
	ike_sa_set_state(sa, IKE_S_INIT_DONE);
	return 0;
}

/* ---- IKE_SESSION_RESUME, responder ---- */

static int process_r(struct ike_task *t, struct ike_sa *sa, const struct ike_msg_in *m)
{
	struct ike_notify n;
	struct ike_ticket *tk;
	int rc;

	(void)t;
	/* RFC 5723 4.3.1: before opening the ticket, the cookie, as for
	 * IKE_SA_INIT */
	if ((rc = ike_check_cookie(sa, m)))
		return rc;
	if (!ike_in_notify(m, IKE_N_TICKET_OPAQUE, &n) || n.len == 0) {
		log_info(IKE_LOG, "IKE_SESSION_RESUME without a ticket");
		ike_sa_refuse(sa, IKE_N_TICKET_NACK, NULL, 0);
		return -EBADMSG;
	}
	if ((rc = ike_in_nonce(m, sa->ni, &sa->ni_len))) {
		ike_sa_refuse(sa, IKE_N_INVALID_SYNTAX, NULL, 0);
		return rc;
	}
	if (!(tk = calloc(1, sizeof(*tk))))
		return -ENOMEM;
	sa->resume = tk;
	rc = sa->cfg.ticket_open(sa->cfg.ticket_arg, n.data, n.len, &tk->st);
	if (rc) {
		log_info(IKE_LOG, "IKE_SESSION_RESUME: ticket refused (%s); answering TICKET_NACK",
			 pt_strerror(rc));
		ike_sa_refuse(sa, IKE_N_TICKET_NACK, NULL, 0);
		return rc;
	}
	size_t key_len, integ_len;
	if (ike_keymat_lengths(&tk->st.alg, &key_len, &integ_len) ||
	    crypto_prf_len(tk->st.alg.prf) != tk->st.sk_d_len) {
		ike_sa_refuse(sa, IKE_N_TICKET_NACK, NULL, 0);
		return -EINVAL;
	}
	if ((rc = ike_sa_random(sa, sa->nr, NONCE_LEN)))
		return rc;
	sa->nr_len = NONCE_LEN;
	ike_in_nat_d(sa, m);
	read_caps(sa, m);
	if ((rc = ike_dgram_copy(&sa->init_i, m->raw, m->len)) || (rc = derive(sa)))
		return rc;
	sa->peer_id = tk->st.idi;
	ike_sa_set_state(sa, IKE_S_INIT_DONE);
	return 0;
}

static int build_r(struct ike_task *t, struct ike_sa *sa, struct ike_msg_out *m)
{
	int rc;

	(void)t;
	if ((rc = add_nonce(m, sa->nr, sa->nr_len)) || (rc = ike_out_nat_d(sa, m)))
		return rc;
	return add_caps(sa, m);
}

static void task_free(struct ike_task *t)
{
	crypto_wipe(t, sizeof(struct task_resume));
	free(t);
}

static const struct ike_task_ops ops_i = { "resume", IKE_EXCH_SESSION_RESUME, build_i, process_i, task_free };
static const struct ike_task_ops ops_r = { "resume", IKE_EXCH_SESSION_RESUME, build_r, process_r, task_free };

int ike_task_resume_new(struct ike_sa *sa, int initiator, struct ike_task **out)
{
	struct task_resume *tr;

	if (initiator && !sa->resume)
		return -EINVAL;
	if (!(tr = calloc(1, sizeof(*tr))))
		return -ENOMEM;
	tr->t.ops = initiator ? &ops_i : &ops_r;
	tr->t.initiator = initiator;
	*out = &tr->t;
	return 0;
}

/* ---- the resumed IKE_AUTH ---- */

struct task_rauth {
	struct ike_task t;
	enum ike_resume_auth form;  /* responder: the one the initiator used */
};

/* AUTH = prf(SK_px, own IKE_SESSION_RESUME message) or prf(SK_px, RFC 7296
 * 2.15 octets); idb is the sender's ID payload body. */
static int resume_mac(struct ike_sa *sa, int for_initiator, enum ike_resume_auth form,
		      const uint8_t *idb, size_t idb_len, uint8_t out[64], size_t *out_len)
{
	const struct secret *skp = ike_sa_sk_p(sa, for_initiator);
	const struct ike_dgram *own = for_initiator ? &sa->init_i : &sa->init_r;
	struct crypto_prf *prf = NULL;
	uint8_t *octets = NULL;
	size_t n = crypto_prf_len(sa->alg.prf), octets_len;
	int rc;

	if (!skp || !own->p || n == 0 || n > 64)
		return -EINVAL;
	if (form == IKE_RESUME_AUTH_FULL) {
		if ((rc = ike_auth_signed_octets(sa, for_initiator, idb, idb_len, &octets, &octets_len)))
			return rc;
	}
	struct crypto_buf part = form == IKE_RESUME_AUTH_FULL ? (struct crypto_buf){ octets, octets_len }
							      : (struct crypto_buf){ own->p, own->len };
	rc = crypto_prf_new(sa->alg.prf, skp->p, skp->len, &prf);
	if (!rc)
		rc = crypto_prf_run(prf, &part, 1, out);
	crypto_prf_free(prf);
	free(octets);
	if (!rc)
		*out_len = n;
	return rc;
}

static int add_id(struct ike_msg_out *m, uint8_t pld, const struct ike_ident *id, uint8_t *idb,
		  size_t *idb_len)
{
	int rc = ike_auth_id_body(id, idb, IKE_ID_MAX_LEN + 4, idb_len);
	if (!rc)
		rc = ike_bld_raw(&m->b, pld, 0, idb, *idb_len);
	return rc;
}

static int add_auth(struct ike_sa *sa, struct ike_msg_out *m, int for_initiator,
		    enum ike_resume_auth form, const uint8_t *idb, size_t idb_len)
{
	uint8_t mac[64];
	size_t mac_len;
	int rc = resume_mac(sa, for_initiator, form, idb, idb_len, mac, &mac_len);
	if (rc)
		return rc;
	struct ike_auth a = { .method = IKE_AUTH_PSK, .data = mac, .len = mac_len };
	ike_bld_begin(&m->b, IKE_PLD_AUTH, 0);
	ike_auth_encode(&m->w, &a);
	rc = ike_bld_end(&m->b);
	crypto_wipe(mac, sizeof(mac));
	return rc;
}

static int same_id(const struct ike_ident *want, const struct ike_pld *p)
{
	struct ike_id got;
	if (!p || ike_id_decode(p, &got))
		return 0;
	return want->type == got.type && want->len == got.len &&
	       memcmp(want->data, got.data, got.len) == 0; /* public-memcmp: identity */
}

/* The peer's AUTH in either form; which one in *form. 0 or -EACCES. */
static int check_auth(struct ike_sa *sa, const struct ike_msg_in *m, int peer_is_initiator,
		      const struct ike_pld *pid, enum ike_resume_auth *form)
{
	const struct ike_pld *pauth = ike_chain_find(m->chain, IKE_PLD_AUTH, NULL);
	struct ike_auth a;

	if (!pauth || ike_auth_decode(pauth, &a) || a.method != IKE_AUTH_PSK) {
		log_warn(IKE_LOG, "resumed IKE_AUTH: no Shared Key Message Integrity Code AUTH");
		return -EACCES;
	}
	const enum ike_resume_auth forms[] = { sa->cfg.resume_auth, !sa->cfg.resume_auth };
	for (size_t i = 0; i < 2; i++) {
		uint8_t want[64];
		size_t want_len;
		int ok = resume_mac(sa, peer_is_initiator, forms[i], pid->body, pid->body_len, want,
				    &want_len) == 0 &&
			 a.len == want_len && crypto_memeq(a.data, want, want_len);
		crypto_wipe(want, sizeof(want));
		if (ok) {
			*form = forms[i];
			return 0;
		}
	}
	log_warn(IKE_LOG, "resumed IKE_AUTH: the peer's AUTH does not verify");
	return -EACCES;
}

static int rauth_build_i(struct ike_task *t, struct ike_sa *sa, struct ike_msg_out *m)
{
	uint8_t idb[IKE_ID_MAX_LEN + 4], rid[IKE_ID_MAX_LEN + 4];
	size_t idb_len, rid_len;
	int rc;

	(void)t;
	if (sa->cfg.echo)
		ike_out_notify(m, sa->cfg.cp->n_encrypted_ping_supported, NULL, 0);
	if ((rc = add_id(m, IKE_PLD_IDI, &sa->resume->st.idi, idb, &idb_len)))
		return rc;
	if (sa->resume->st.idr.type && (rc = add_id(m, IKE_PLD_IDR, &sa->resume->st.idr, rid, &rid_len)))
		return rc;
	if ((rc = add_auth(sa, m, 1, sa->cfg.resume_auth, idb, idb_len)))
		return rc;
	ike_sa_set_state(sa, IKE_S_AUTH_SENT);
	return 0;
}

static int rauth_process_i(struct ike_task *t, struct ike_sa *sa, const struct ike_msg_in *m)
{
	struct task_rauth *ta = (struct task_rauth *)t;
	const struct ike_pld *pid = ike_chain_find(m->chain, IKE_PLD_IDR, NULL);
	struct ike_notify en;
	uint16_t err = ike_in_error(m);

	if (err == IKE_N_AUTHENTICATION_FAILED || err == IKE_N_INVALID_SYNTAX ||
	    err == IKE_N_TICKET_NACK) {
		log_warn(IKE_LOG, "resumed IKE_AUTH refused by the gateway: %s", ike_notify_name(err));
		return -EACCES;
	}
	if (sa->cfg.echo && ike_in_notify(m, sa->cfg.cp->n_encrypted_ping_supported, &en))
		sa->echo = 1;
	if (!pid || (sa->resume->st.idr.type && !same_id(&sa->resume->st.idr, pid))) {
		log_warn(IKE_LOG, "resumed IKE_AUTH: the gateway's identity is not the ticket's");
		return -EACCES;
	}
	if (check_auth(sa, m, 0, pid, &ta->form))
		return -EACCES;
	sa->peer_id = sa->resume->st.idr;
	ike_sa_set_state(sa, IKE_S_ESTABLISHED);
	return 0;
}

static int rauth_process_r(struct ike_task *t, struct ike_sa *sa, const struct ike_msg_in *m)
{
	struct task_rauth *ta = (struct task_rauth *)t;
	const struct ike_resume_state *st = &sa->resume->st;
	const struct ike_pld *pid = ike_chain_find(m->chain, IKE_PLD_IDI, NULL);
	const struct ike_pld *pidr = ike_chain_find(m->chain, IKE_PLD_IDR, NULL);
	struct ike_notify en;

	if (sa->cfg.echo && ike_in_notify(m, sa->cfg.cp->n_encrypted_ping_supported, &en))
		sa->echo = 1;
	if (sa->state != IKE_S_INIT_DONE || ike_chain_find(m->chain, IKE_PLD_EAP, NULL) ||
	    ike_chain_find(m->chain, IKE_PLD_CERT, NULL)) {
		/* RFC 5723 4.3.4: no EAP and no certificates after resumption */
		ike_sa_refuse(sa, IKE_N_AUTHENTICATION_FAILED, NULL, 0);
		return -EACCES;
	}
	if (!same_id(&st->idi, pid) || (pidr && !same_id(&st->idr, pidr))) {
		log_warn(IKE_LOG, "resumed IKE_AUTH: the identities are not the ticket's");
		ike_sa_refuse(sa, IKE_N_AUTHENTICATION_FAILED, NULL, 0);
		return -EACCES;
	}
	if (check_auth(sa, m, 1, pid, &ta->form)) {
		ike_sa_refuse(sa, IKE_N_AUTHENTICATION_FAILED, NULL, 0);
		return -EACCES;
	}
	return 0;
}

static int rauth_build_r(struct ike_task *t, struct ike_sa *sa, struct ike_msg_out *m)
{
	struct task_rauth *ta = (struct task_rauth *)t;
	uint8_t idb[IKE_ID_MAX_LEN + 4];
	size_t idb_len;
	int rc;

	if (sa->echo)
		ike_out_notify(m, sa->cfg.cp->n_encrypted_ping_supported, NULL, 0);
	if ((rc = add_id(m, IKE_PLD_IDR, &sa->resume->st.idr, idb, &idb_len)) ||
	    (rc = add_auth(sa, m, 0, ta->form, idb, idb_len)))
		return rc;
	ike_sa_set_state(sa, IKE_S_ESTABLISHED);
	return 0;
}

static void rauth_free(struct ike_task *t)
{
	free(t);
}

static const struct ike_task_ops rauth_i = { "auth", IKE_EXCH_AUTH, rauth_build_i, rauth_process_i, rauth_free };
static const struct ike_task_ops rauth_r = { "auth", IKE_EXCH_AUTH, rauth_build_r, rauth_process_r, rauth_free };

int ike_task_resume_auth_new(struct ike_sa *sa, int initiator, struct ike_task **out)
{
	struct task_rauth *ta;

	if (!sa->resume)
		return -EINVAL;
	if (!(ta = calloc(1, sizeof(*ta))))
		return -ENOMEM;
	ta->t.ops = initiator ? &rauth_i : &rauth_r;
	ta->t.initiator = initiator;
	ta->form = sa->cfg.resume_auth;
	*out = &ta->t;
	return 0;
}
