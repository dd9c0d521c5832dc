/* IKE_AUTH identities and authentication (RFC 7296 1.2, 2.15): a shared
 * key, or a certificate and a signature (RFC 7427 Digital Signature,
 * RFC 4754 ECDSA).
 *
 *   HDR, SK { IDi, [CERT+,] [CERTREQ,] [IDr,] AUTH, ... } -->
 *   <-- HDR, SK { IDr, [CERT+,] AUTH, ... }
 *
 * Both sides sign the same octets: the initiator its IKE_SA_INIT request,
 * Nr and prf(SK_pi, IDi); the responder its IKE_SA_INIT response, Ni and
 * prf(SK_pr, IDr). With a PSK, AUTH = prf(prf(PSK, "Key Pad for IKEv2"),
 * octets). The gateway is always authenticated: the initiator refuses a
 * response whose AUTH, certificate chain or identity does not verify.
 *
 * EAP (2.16): the initiator leaves out AUTH; the responder answers with
 * its own IDr, CERT and AUTH and the first EAP Request; EAP runs in further
 * IKE_AUTH rounds; after EAP Success both sides send AUTH computed as for a
 * PSK with the EAP MSK as the key (SK_pi / SK_pr when the method has none):
 *
 *   HDR, SK { IDi, [CERTREQ,] [IDr,] CP, SA, TSi, TSr } -->
 *   <-- HDR, SK { IDr, CERT, AUTH, EAP(Request) }
 *   HDR, SK { EAP(Response) } -->           ... <-- HDR, SK { EAP(Success) }
 *   HDR, SK { AUTH } -->                    <-- HDR, SK { AUTH, CP, SA, TSi, TSr } */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/prf.h"
#include "crypto/x509.h"
#include "ike/eap/eap.h"
#include "ike/sa_int.h"
#include "ike/sigalg.h"

#define KEY_PAD "Key Pad for IKEv2"
#define AUTH_MAX_LEN 1024u /* RSA-8192 signature plus the RFC 7427 header */

struct task_auth {
	struct ike_task t;
	/* EAP */
	struct eap_client *eap_c;       /* initiator */
	struct eap_server *eap_s;       /* responder */
	int peer_verified;              /* initiator: the responder's first AUTH checked */
	int eap_done;                   /* EAP Success seen: AUTH with the MSK is next */
	int final;                      /* responder: the initiator's MSK AUTH checked */
	int initial_contact;            /* responder: N(INITIAL_CONTACT) came */
	struct secret *msk;
	uint8_t peer_idb[IKE_ID_MAX_LEN + 4]; /* the peer's ID body, for the MSK AUTH */
	size_t peer_idb_len;
	uint8_t eap_out[EAP_MSG_MAX_LEN];  /* the next EAP packet we send */
	size_t eap_out_len;
};

static enum ike_auth_kind peer_kind(const struct ike_sa *sa)
{
	return sa->cfg.peer_auth ? sa->cfg.peer_auth : sa->cfg.auth;
}

/* The ID payload body (RestOfIDPayload: type, 3 reserved octets, data). */
int ike_auth_id_body(const struct ike_ident *id, uint8_t *out, size_t cap, size_t *len)
{
	struct wb w;
	struct ike_id i = { .type = id->type, .data = id->data, .len = id->len };
	wb_init(&w, out, cap);
	ike_id_encode(&w, &i);
	*len = wb_len(&w);
	return wb_err(&w);
}

/* The octets one side signs (RFC 7296 2.15), in a new buffer. */
int ike_auth_signed_octets(struct ike_sa *sa, int for_initiator, const uint8_t *idb,
			   size_t idb_len, uint8_t **out, size_t *out_len)
{
	const struct secret *skp = ike_sa_sk_p(sa, for_initiator);
	const struct ike_dgram *real = for_initiator ? &sa->init_i : &sa->init_r;
	const uint8_t *nonce = for_initiator ? sa->nr : sa->ni;
	size_t nonce_len = for_initiator ? sa->nr_len : sa->ni_len;
	size_t n = crypto_prf_len(sa->alg.prf);
	struct crypto_prf *prf = NULL;
	int rc;

	if (!skp || !real->p || n == 0)
		return -EINVAL;
	/* RFC 9242 3.3.2: after IKE_INTERMEDIATE, both sides also sign
	 * IntAuth = IntAuth_iN | IntAuth_rN | IKE_AUTH_MID. */
	size_t ia = sa->n_inter ? sa->intauth_i_len + sa->intauth_r_len + 4 : 0;
	uint8_t *buf = malloc(real->len + nonce_len + n + ia);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, real->p, real->len);
	memcpy(buf + real->len, nonce, nonce_len);
	struct crypto_buf idp = { idb, idb_len };
	rc = crypto_prf_new(sa->alg.prf, skp->p, skp->len, &prf);
	if (!rc)
		rc = crypto_prf_run(prf, &idp, 1, buf + real->len + nonce_len);
	crypto_prf_free(prf);
	if (rc) {
		free(buf);
		return rc;
	}
	if (ia) {
		uint8_t *p = buf + real->len + nonce_len + n;
		uint32_t mid = sa->n_inter + 1; /* IKE_SA_INIT is 0, IKE_INTERMEDIATE 1..N */
		memcpy(p, sa->intauth_i, sa->intauth_i_len);
		memcpy(p + sa->intauth_i_len, sa->intauth_r, sa->intauth_r_len);
		p += sa->intauth_i_len + sa->intauth_r_len;
		p[0] = (uint8_t)(mid >> 24);
		p[1] = (uint8_t)(mid >> 16);
		p[2] = (uint8_t)(mid >> 8);
		p[3] = (uint8_t)mid;
	}
	*out = buf;
	*out_len = real->len + nonce_len + n + ia;
	return 0;
}

/* AUTH = prf(prf(key, "Key Pad for IKEv2"), octets) for a PSK (and, later,
 * an EAP MSK). */
static int keyed_auth(struct ike_sa *sa, const struct secret *key, const uint8_t *octets,
		      size_t octets_len, uint8_t *out, size_t *out_len)
{
	struct crypto_prf *prf = NULL;
	uint8_t padkey[64];
	size_t n = crypto_prf_len(sa->alg.prf);
	int rc;

	if (!key || n == 0 || n > sizeof(padkey))
		return -EINVAL;
	struct crypto_buf pad = { (const uint8_t *)KEY_PAD, strlen(KEY_PAD) };
	struct crypto_buf oct = { octets, octets_len };
	rc = crypto_prf_new(sa->alg.prf, key->p, key->len, &prf);
	if (!rc)
		rc = crypto_prf_run(prf, &pad, 1, padkey);
	crypto_prf_free(prf);
	prf = NULL;
	if (!rc)
		rc = crypto_prf_new(sa->alg.prf, padkey, n, &prf);
	if (!rc)
		rc = crypto_prf_run(prf, &oct, 1, out);
	crypto_prf_free(prf);
	crypto_wipe(padkey, sizeof(padkey));
	if (!rc)
		*out_len = n;
	return rc;
}

/* The signature scheme and AUTH method for our key, given what the peer
 * announced in SIGNATURE_HASH_ALGORITHMS (RFC 7427 4). */
static int choose_scheme(const struct ike_sa *sa, int *scheme, uint8_t *method)
{
	int type = crypto_pkey_type(sa->cfg.key);
	int have = sa->peer_sig_hashes != 0;

	switch (type) {
	case CRYPTO_PKEY_RSA:
		*scheme = CRYPTO_SIG_RSA_PSS_SHA256;
		break;
	case CRYPTO_PKEY_EC_P256:
		*scheme = have ? CRYPTO_SIG_ECDSA_SHA256 : CRYPTO_SIG_ECDSA_P256_RAW;
		break;
	case CRYPTO_PKEY_EC_P384:
		*scheme = have ? CRYPTO_SIG_ECDSA_SHA384 : CRYPTO_SIG_ECDSA_P384_RAW;
		break;
	case CRYPTO_PKEY_EC_P521:
		*scheme = have ? CRYPTO_SIG_ECDSA_SHA512 : CRYPTO_SIG_ECDSA_P521_RAW;
		break;
	case CRYPTO_PKEY_ED25519: *scheme = CRYPTO_SIG_ED25519; break;
	case CRYPTO_PKEY_ED448: *scheme = CRYPTO_SIG_ED448; break;
	default: return -ENOTSUP;
	}
	switch (*scheme) {
	case CRYPTO_SIG_ECDSA_P256_RAW: *method = IKE_AUTH_ECDSA_256; return 0;
	case CRYPTO_SIG_ECDSA_P384_RAW: *method = IKE_AUTH_ECDSA_384; return 0;
	case CRYPTO_SIG_ECDSA_P521_RAW: *method = IKE_AUTH_ECDSA_521; return 0;
	}
	/* RFC 7427 needs the peer to accept the hash; RSA and EdDSA have no
	 * older method we would use (RSA with SHA-1 is not offered). */
	uint16_t h = ike_sigalg_hash(*scheme);
	if (!(sa->peer_sig_hashes & (1u << h)))
		return -ENOTSUP;
	*method = IKE_AUTH_DIGITAL_SIG;
	return 0;
}

static int make_auth(struct ike_sa *sa, int for_initiator, const uint8_t *idb, size_t idb_len,
		     struct ike_auth *a, uint8_t *buf, size_t cap)
{
	uint8_t *octets = NULL;
	size_t octets_len, len = 0;
	int rc = ike_auth_signed_octets(sa, for_initiator, idb, idb_len, &octets, &octets_len);
	if (rc)
		return rc;
	if (sa->cfg.auth == IKE_AUTHK_PSK) {
		a->method = IKE_AUTH_PSK;
		rc = keyed_auth(sa, sa->cfg.psk, octets, octets_len, buf, &len);
	} else if (sa->cfg.auth == IKE_AUTHK_CERT && sa->cfg.key) {
		int scheme;
		size_t hdr = 0, sig_len = 0;
		rc = choose_scheme(sa, &scheme, &a->method);
		if (!rc && a->method == IKE_AUTH_DIGITAL_SIG) {
			/* RFC 7427 3: length | AlgorithmIdentifier | signature */
			size_t der_len;
			const uint8_t *der = ike_sigalg_der(scheme, &der_len);
			buf[0] = (uint8_t)der_len;
			memcpy(buf + 1, der, der_len);
			hdr = 1 + der_len;
		}
		if (!rc)
			rc = crypto_sig_sign(sa->cfg.key, scheme, octets, octets_len, buf + hdr,
					     cap - hdr, &sig_len);
		len = hdr + sig_len;
	} else {
		rc = -ENOTSUP;
	}
	free(octets);
	a->data = buf;
	a->len = len;
	return rc;
}

static int add_certs(struct ike_sa *sa, struct ike_msg_out *m)
{
	if (sa->cfg.auth != IKE_AUTHK_CERT || !sa->cfg.cert)
		return 0;
	for (size_t i = 0; i <= sa->cfg.n_chain; i++) {
		const struct crypto_cert *c = i == 0 ? sa->cfg.cert : sa->cfg.chain[i - 1];
		struct ike_cert pc = { .enc = IKE_CERT_X509_SIG };
		pc.data = crypto_cert_der(c, &pc.len);
		ike_bld_begin(&m->b, IKE_PLD_CERT, 0);
		ike_cert_encode(&m->w, &pc);
		ike_bld_end(&m->b);
	}
	return m->b.err;
}

int ike_auth_add_certreq(struct ike_sa *sa, struct ike_msg_out *m)
{
	if (peer_kind(sa) != IKE_AUTHK_CERT || !sa->cfg.n_ca_hashes)
		return 0;
	struct ike_cert cr = { .enc = IKE_CERT_X509_SIG, .data = sa->cfg.ca_hashes[0],
			       .len = sa->cfg.n_ca_hashes * IKE_CERTREQ_HASH_LEN };
	ike_bld_begin(&m->b, IKE_PLD_CERTREQ, 0);
	ike_certreq_encode(&m->w, &cr);
	return ike_bld_end(&m->b);
}

static int add_id_auth(struct ike_sa *sa, struct ike_msg_out *m, uint8_t id_pld,
		       int for_initiator, int with_certreq)
{
	uint8_t idb[IKE_ID_MAX_LEN + 4];
	uint8_t *buf = malloc(AUTH_MAX_LEN);
	size_t idb_len;
	struct ike_auth a;
	int rc;

	if (!buf)
		return -ENOMEM;
	rc = ike_auth_id_body(&sa->cfg.local_id, idb, sizeof(idb), &idb_len);
	if (!rc) {
		ike_bld_raw(&m->b, id_pld, 0, idb, idb_len);
		rc = add_certs(sa, m);
	}
	if (!rc && with_certreq)
		rc = ike_auth_add_certreq(sa, m);
	if (!rc && for_initiator && sa->cfg.remote_id.type) {
		/* IDr tells a gateway with several identities which one we
		 * expect (RFC 7296 2.15). */
		uint8_t rid[IKE_ID_MAX_LEN + 4];
		size_t rid_len;
		rc = ike_auth_id_body(&sa->cfg.remote_id, rid, sizeof(rid), &rid_len);
		if (!rc)
			ike_bld_raw(&m->b, IKE_PLD_IDR, 0, rid, rid_len);
	}
	if (!rc)
		rc = make_auth(sa, for_initiator, idb, idb_len, &a, buf, AUTH_MAX_LEN);
	if (!rc) {
		ike_bld_begin(&m->b, IKE_PLD_AUTH, 0);
		ike_auth_encode(&m->w, &a);
		rc = ike_bld_end(&m->b);
	}
	crypto_wipe(buf, AUTH_MAX_LEN);
	free(buf);
	return rc;
}

static int id_matches(const struct ike_ident *want, const struct ike_id *got)
{
	if (want->type == 0)
		return 1; /* any identity the credentials prove */
	if (want->type == IKE_ID_DER_ASN1_DN && got->type == IKE_ID_DER_ASN1_DN)
		return crypto_dn_eq(want->data, want->len, got->data, got->len);
	return want->type == got->type && want->len == got->len &&
	       memcmp(want->data, got->data, got->len) == 0; /* public-memcmp: identity */
}

/* The identity the peer proved, for tickets (RFC 5723 4.3.4). */
static void keep_peer_id(struct ike_sa *sa, const struct ike_id *id)
{
	if (id->len > sizeof(sa->peer_id.data))
		return;
	sa->peer_id.type = id->type;
	sa->peer_id.len = id->len;
	memcpy(sa->peer_id.data, id->data, id->len);
}

/* The peer's certificate chain, verified against our anchors for the
 * identity it claims; its public key in *key. */
static int verify_chain(struct ike_sa *sa, const struct ike_msg_in *m, const struct ike_id *id,
			struct crypto_pkey **key)
{
	struct crypto_cert *certs[PT_IKE_CERTS_MAX];
	size_t n = 0, from = 0;
	const struct ike_pld *p;
	int rc = 0;

	while ((p = ike_chain_find(m->chain, IKE_PLD_CERT, &from))) {
		struct ike_cert c;
		if (ike_cert_decode(p, &c) || c.enc != IKE_CERT_X509_SIG)
			continue; /* other encodings (hash and URL) we do not fetch */
		if (n >= PT_IKE_CERTS_MAX) {
			rc = -E2BIG;
			break;
		}
		if (crypto_cert_load(c.data, c.len, &certs[n])) {
			rc = -EBADMSG;
			break;
		}
		n++;
	}
	if (!rc && n == 0) {
		log_warn(IKE_LOG, "IKE_AUTH: the peer sent no certificate");
		rc = -EACCES;
	}
	if (!rc && !sa->cfg.ca)
		rc = -EACCES;
	if (!rc) {
		rc = crypto_cert_verify(sa->cfg.ca, certs[0], (const struct crypto_cert *const *)certs + 1,
					n - 1, 0, id->type, id->data, id->len);
		if (rc)
			log_warn(IKE_LOG, "IKE_AUTH: the peer's certificate does not verify for %s (%s)",
				 ike_id_name(id->type), pt_strerror(rc));
	}
	if (!rc)
		rc = crypto_cert_pubkey(certs[0], key);
	for (size_t i = 0; i < n; i++)
		crypto_cert_free(certs[i]);
	return rc ? -EACCES : 0;
}

static int sig_scheme_of(const struct ike_auth *a, const uint8_t **sig, size_t *sig_len)
{
	switch (a->method) {
	case IKE_AUTH_ECDSA_256: *sig = a->data; *sig_len = a->len; return CRYPTO_SIG_ECDSA_P256_RAW;
	case IKE_AUTH_ECDSA_384: *sig = a->data; *sig_len = a->len; return CRYPTO_SIG_ECDSA_P384_RAW;
	case IKE_AUTH_ECDSA_521: *sig = a->data; *sig_len = a->len; return CRYPTO_SIG_ECDSA_P521_RAW;
	case IKE_AUTH_DIGITAL_SIG: {
		if (a->len < 1 || a->data[0] >= a->len)
			return -EBADMSG;
		size_t der_len = a->data[0];
		*sig = a->data + 1 + der_len;
		*sig_len = a->len - 1 - der_len;
		return ike_sigalg_scheme(a->data + 1, der_len);
	}
	default:
		return -ENOTSUP;
	}
}

/* Check the peer's ID, credentials and AUTH. 0 or -EACCES. */
static int verify_peer(struct ike_sa *sa, const struct ike_msg_in *m, uint8_t id_pld,
		       int peer_is_initiator)
{
	const struct ike_pld *pid = ike_chain_find(m->chain, id_pld, NULL);
	const struct ike_pld *pauth = ike_chain_find(m->chain, IKE_PLD_AUTH, NULL);
	struct ike_id id;
	struct ike_auth a;
	uint8_t *octets = NULL;
	size_t octets_len;
	int rc;

	if (!pid || !pauth || ike_id_decode(pid, &id) || ike_auth_decode(pauth, &a))
		return -EACCES;
	if (!id_matches(&sa->cfg.remote_id, &id)) {
		log_warn(IKE_LOG, "IKE_AUTH: the peer's identity (%s) is not the one configured",
			 ike_id_name(id.type));
		return -EACCES;
	}
	if (ike_auth_signed_octets(sa, peer_is_initiator, pid->body, pid->body_len, &octets, &octets_len))
		return -EACCES;
	rc = -EACCES;
	if (peer_kind(sa) == IKE_AUTHK_PSK && a.method == IKE_AUTH_PSK) {
		uint8_t want[64];
		size_t want_len;
		if (keyed_auth(sa, sa->cfg.psk, octets, octets_len, want, &want_len) == 0 &&
		    a.len == want_len && crypto_memeq(a.data, want, want_len))
			rc = 0;
		else
			log_warn(IKE_LOG, "IKE_AUTH: the peer's AUTH value is wrong (PSK mismatch)");
		crypto_wipe(want, sizeof(want));
	} else if (peer_kind(sa) == IKE_AUTHK_CERT && a.method != IKE_AUTH_PSK) {
		struct crypto_pkey *key = NULL;
		const uint8_t *sig;
		size_t sig_len;
		int scheme = sig_scheme_of(&a, &sig, &sig_len);
		if (scheme < 0)
			log_warn(IKE_LOG, "IKE_AUTH: unsupported signature (%s)", ike_auth_name(a.method));
		else if (verify_chain(sa, m, &id, &key) == 0) {
			rc = crypto_sig_verify(key, scheme, octets, octets_len, sig, sig_len) ? -EACCES : 0;
			if (rc)
				log_warn(IKE_LOG, "IKE_AUTH: the peer's signature does not verify");
		}
		crypto_pkey_free(key);
	} else {
		log_warn(IKE_LOG, "IKE_AUTH: the peer authenticates with %s, not what we require",
			 ike_auth_name(a.method));
	}
	free(octets);
	if (rc == 0)
		keep_peer_id(sa, &id);
	return rc;
}

/* ---- EAP helpers ---- */

/* The key for an AUTH after EAP: the MSK, or SK_pi / SK_pr (2.16). */
static const struct secret *eap_key(struct task_auth *ta, struct ike_sa *sa, int for_initiator)
{
	return ta->msk ? ta->msk : ike_sa_sk_p(sa, for_initiator);
}

static int add_eap(struct ike_msg_out *m, const uint8_t *pkt, size_t len)
{
	return ike_bld_raw(&m->b, IKE_PLD_EAP, 0, pkt, len);
}

static int add_msk_auth(struct task_auth *ta, struct ike_sa *sa, struct ike_msg_out *m,
			int for_initiator, const uint8_t *idb, size_t idb_len)
{
	uint8_t *octets = NULL, val[64];
	size_t octets_len, val_len;
	int rc = ike_auth_signed_octets(sa, for_initiator, idb, idb_len, &octets, &octets_len);
	if (!rc)
		rc = keyed_auth(sa, eap_key(ta, sa, for_initiator), octets, octets_len, val, &val_len);
	free(octets);
	if (rc)
		return rc;
	struct ike_auth a = { .method = IKE_AUTH_PSK, .data = val, .len = val_len };
	ike_bld_begin(&m->b, IKE_PLD_AUTH, 0);
	ike_auth_encode(&m->w, &a);
	rc = ike_bld_end(&m->b);
	crypto_wipe(val, sizeof(val));
	return rc;
}

static int check_msk_auth(struct task_auth *ta, struct ike_sa *sa, const struct ike_msg_in *m,
			  int peer_is_initiator)
{
	const struct ike_pld *pauth = ike_chain_find(m->chain, IKE_PLD_AUTH, NULL);
	struct ike_auth a;
	uint8_t *octets = NULL, want[64];
	size_t octets_len, want_len;
	int rc = -EACCES;

	if (!pauth || ike_auth_decode(pauth, &a) || a.method != IKE_AUTH_PSK)
		return -EACCES;
	if (ike_auth_signed_octets(sa, peer_is_initiator, ta->peer_idb, ta->peer_idb_len, &octets, &octets_len))
		return -EACCES;
	if (keyed_auth(sa, eap_key(ta, sa, peer_is_initiator), octets, octets_len, want, &want_len) == 0 &&
	    a.len == want_len && crypto_memeq(a.data, want, want_len))
		rc = 0;
	free(octets);
	crypto_wipe(want, sizeof(want));
	if (rc)
		log_warn(IKE_LOG, "IKE_AUTH: the AUTH after EAP does not verify");
	return rc;
}

static int take_msk(struct task_auth *ta, int rc_msk)
{
	/* A method without a key (EAP-MD5) falls back to SK_p (2.16). */
	if (rc_msk == -ENOENT)
		return 0;
	return rc_msk;
}

/* ---- initiator ---- */

static int build_i(struct ike_task *t, struct ike_sa *sa, struct ike_msg_out *m)
{
	struct task_auth *ta = (struct task_auth *)t;
	int rc;

	if (sa->state == IKE_S_INIT_DONE && sa->cfg.echo)
		ike_out_notify(m, sa->cfg.cp->n_encrypted_ping_supported, NULL, 0);
	if (sa->state == IKE_S_INIT_DONE && sa->cfg.initial_contact)
		ike_out_notify(m, IKE_N_INITIAL_CONTACT, NULL, 0);
	if (sa->cfg.auth != IKE_AUTHK_EAP) {
		rc = add_id_auth(sa, m, IKE_PLD_IDI, 1, 1);
		if (!rc)
			ike_sa_set_state(sa, IKE_S_AUTH_SENT);
		return rc;
	}
	if (sa->state == IKE_S_INIT_DONE) {
		/* First round: identities, no AUTH: "use EAP" (2.16). */
		uint8_t idb[IKE_ID_MAX_LEN + 4];
		size_t idb_len;
		if ((rc = ike_auth_id_body(&sa->cfg.local_id, idb, sizeof(idb), &idb_len)))
			return rc;
		ike_bld_raw(&m->b, IKE_PLD_IDI, 0, idb, idb_len);
		if ((rc = ike_auth_add_certreq(sa, m)))
			return rc;
		if (sa->cfg.remote_id.type) {
			if ((rc = ike_auth_id_body(&sa->cfg.remote_id, idb, sizeof(idb), &idb_len)))
				return rc;
			ike_bld_raw(&m->b, IKE_PLD_IDR, 0, idb, idb_len);
		}
		ike_sa_set_state(sa, IKE_S_AUTH_SENT);
		return 0;
	}
	if (ta->eap_done) {
		uint8_t idb[IKE_ID_MAX_LEN + 4];
		size_t idb_len;
		if ((rc = ike_auth_id_body(&sa->cfg.local_id, idb, sizeof(idb), &idb_len)))
			return rc;
		return add_msk_auth(ta, sa, m, 1, idb, idb_len);
	}
	return add_eap(m, ta->eap_out, ta->eap_out_len);
}

/* RFC 7296 2.21.2: these end the IKE SA; other errors in an IKE_AUTH
 * response concern only its Child SA (or CP), and AUTH is still checked. */
static int fatal_for_ike(uint16_t err)
{
	switch (err) {
	case 0:
		return 0;
	case IKE_N_NO_PROPOSAL_CHOSEN:
	case IKE_N_TS_UNACCEPTABLE:
	case IKE_N_SINGLE_PAIR_REQUIRED:
	case IKE_N_INTERNAL_ADDRESS_FAILURE:
	case IKE_N_FAILED_CP_REQUIRED:
	case IKE_N_TEMPORARY_FAILURE:
	case IKE_N_INVALID_SELECTORS:
		return 0;
	default:
		return 1; /* AUTHENTICATION_FAILED, INVALID_SYNTAX, unknown ... */
	}
}

static int process_i(struct ike_task *t, struct ike_sa *sa, const struct ike_msg_in *m)
{
	struct task_auth *ta = (struct task_auth *)t;

	uint16_t err = ike_in_error(m);
	if (fatal_for_ike(err)) {
		log_warn(IKE_LOG, "IKE_AUTH refused by the gateway: %s", ike_notify_name(err));
		return -EACCES;
	}
	struct ike_notify en;
	if (sa->cfg.echo && ike_in_notify(m, sa->cfg.cp->n_encrypted_ping_supported, &en))
		sa->echo = 1;
	if (sa->cfg.auth != IKE_AUTHK_EAP) {
		if (verify_peer(sa, m, IKE_PLD_IDR, 0))
			return -EACCES;
		ike_sa_set_state(sa, IKE_S_ESTABLISHED);
		return 0;
	}
	if (!ta->peer_verified) {
		/* The gateway proves itself before we say anything secret. */
		const struct ike_pld *pid = ike_chain_find(m->chain, IKE_PLD_IDR, NULL);
		if (!pid || pid->body_len > sizeof(ta->peer_idb) || verify_peer(sa, m, IKE_PLD_IDR, 0))
			return -EACCES;
		memcpy(ta->peer_idb, pid->body, pid->body_len);
		ta->peer_idb_len = pid->body_len;
		ta->peer_verified = 1;
	} else if (ta->eap_done) {
		if (check_msk_auth(ta, sa, m, 0))
			return -EACCES;
		ike_sa_set_state(sa, IKE_S_ESTABLISHED);
		return 0;
	}
	const struct ike_pld *pe = ike_chain_find(m->chain, IKE_PLD_EAP, NULL);
	if (!pe) {
		log_warn(IKE_LOG, "IKE_AUTH: the gateway sent no EAP request");
		return -EPROTO;
	}
	int rc = eap_client_process(ta->eap_c, pe->body, pe->body_len, ta->eap_out,
				    sizeof(ta->eap_out), &ta->eap_out_len);
	if (rc == EAP_CONTINUE)
		return IKE_TASK_MORE;
	if (rc == EAP_SUCCESS) {
		ta->eap_done = 1;
		if ((rc = take_msk(ta, eap_client_msk(ta->eap_c, &ta->msk))))
			return rc;
		log_info(IKE_LOG, "IKE_AUTH: EAP succeeded");
		return IKE_TASK_MORE;
	}
	log_warn(IKE_LOG, "IKE_AUTH: EAP failed (%s)", pt_strerror(rc));
	return -EACCES;
}

/* ---- responder ---- */

static int eap_lookup(void *arg, const uint8_t *id, size_t id_len, struct secret **pw)
{
	struct ike_sa *sa = arg;
	if (sa->cfg.eap_lookup)
		return sa->cfg.eap_lookup(sa->cfg.eap_lookup_arg, id, id_len, pw);
	return -ENOENT;
}

/* RFC 7296 2.4: once the peer is authenticated, its other IKE SAs with us
 * are stale; the owner retires them (and may give this one their
 * addresses: the CP answer comes after). */
static void initial_contact(struct task_auth *ta, struct ike_sa *sa)
{
	if (ta->initial_contact)
		sa->ops.event(sa->ops.ctx, sa, IKE_EV_INITIAL_CONTACT, 0);
	ta->initial_contact = 0;
}

static int process_r(struct ike_task *t, struct ike_sa *sa, const struct ike_msg_in *m)
{
	struct task_auth *ta = (struct task_auth *)t;
	struct ike_notify en;
	int rc;

	if (sa->state == IKE_S_INIT_DONE && ike_in_notify(m, IKE_N_INITIAL_CONTACT, &en))
		ta->initial_contact = 1;

	if (sa->cfg.echo && ike_in_notify(m, sa->cfg.cp->n_encrypted_ping_supported, &en))
		sa->echo = 1; /* answered in the response that ends IKE_AUTH */
	if (ta->eap_s) {
		if (ta->eap_done) {
			if (check_msk_auth(ta, sa, m, 1)) {
				ike_sa_refuse(sa, IKE_N_AUTHENTICATION_FAILED, NULL, 0);
				return -EACCES;
			}
			ta->final = 1;
			initial_contact(ta, sa);
			return 0;
		}
		const struct ike_pld *pe = ike_chain_find(m->chain, IKE_PLD_EAP, NULL);
		if (!pe) {
			ike_sa_refuse(sa, IKE_N_AUTHENTICATION_FAILED, NULL, 0);
			return -EPROTO;
		}
		rc = eap_server_process(ta->eap_s, pe->body, pe->body_len, ta->eap_out,
					sizeof(ta->eap_out), &ta->eap_out_len);
		if (rc == EAP_SUCCESS) {
			ta->eap_done = 1;
			return take_msk(ta, eap_server_msk(ta->eap_s, &ta->msk));
		}
		if (rc == -EACCES && ta->eap_out_len) {
			sa->eap_failed = 1; /* the Failure packet goes out, then the SA ends */
			return 0;
		}
		if (rc < 0) {
			ike_sa_refuse(sa, IKE_N_AUTHENTICATION_FAILED, NULL, 0);
			return rc;
		}
		return 0;
	}
	if (sa->state != IKE_S_INIT_DONE) {
		ike_sa_refuse(sa, IKE_N_INVALID_SYNTAX, NULL, 0);
		return -EPROTO;
	}
	if (!ike_chain_find(m->chain, IKE_PLD_AUTH, NULL) && peer_kind(sa) == IKE_AUTHK_EAP) {
		/* The initiator asks for EAP (2.16). */
		const struct ike_pld *pid = ike_chain_find(m->chain, IKE_PLD_IDI, NULL);
		struct ike_id id;
		if (!pid || ike_id_decode(pid, &id) || pid->body_len > sizeof(ta->peer_idb) ||
		    !id_matches(&sa->cfg.remote_id, &id)) {
			ike_sa_refuse(sa, IKE_N_AUTHENTICATION_FAILED, NULL, 0);
			return -EACCES;
		}
		memcpy(ta->peer_idb, pid->body, pid->body_len);
		ta->peer_idb_len = pid->body_len;
		keep_peer_id(sa, &id);
		struct eap_server_cfg ec = {
			.method = sa->cfg.eap_method, .lookup = eap_lookup, .lookup_arg = sa,
			.tls = {
				.cert = sa->cfg.eap_tls_cert ? sa->cfg.eap_tls_cert : sa->cfg.cert,
				.key = sa->cfg.eap_tls_key ? sa->cfg.eap_tls_key : sa->cfg.key,
				.ca = sa->cfg.eap_tls_ca ? sa->cfg.eap_tls_ca : sa->cfg.ca,
				.min_version = sa->cfg.eap_tls_min_version,
				.max_version = sa->cfg.eap_tls_max_version,
				.frag_len = sa->cfg.eap_tls_frag_len,
			},
		};
		if ((rc = eap_server_new(&ec, &ta->eap_s)) ||
		    (rc = eap_server_start(ta->eap_s, ta->eap_out, sizeof(ta->eap_out), &ta->eap_out_len)) < 0) {
			ike_sa_refuse(sa, IKE_N_AUTHENTICATION_FAILED, NULL, 0);
			return rc < 0 ? rc : -EPROTO;
		}
		return 0;
	}
	if (peer_kind(sa) == IKE_AUTHK_EAP || verify_peer(sa, m, IKE_PLD_IDI, 1)) {
		ike_sa_refuse(sa, IKE_N_AUTHENTICATION_FAILED, NULL, 0);
		return -EACCES;
	}
	initial_contact(ta, sa);
	return 0;
}

static int build_r(struct ike_task *t, struct ike_sa *sa, struct ike_msg_out *m)
{
	struct task_auth *ta = (struct task_auth *)t;
	int rc;

	if (sa->echo && (!ta->eap_s || ta->final))
		ike_out_notify(m, sa->cfg.cp->n_encrypted_ping_supported, NULL, 0);
	if (!ta->eap_s) {
		rc = add_id_auth(sa, m, IKE_PLD_IDR, 0, 0);
		if (!rc)
			ike_sa_set_state(sa, IKE_S_ESTABLISHED);
		return rc;
	}
	if (ta->final) {
		uint8_t idb[IKE_ID_MAX_LEN + 4];
		size_t idb_len;
		if ((rc = ike_auth_id_body(&sa->cfg.local_id, idb, sizeof(idb), &idb_len)) ||
		    (rc = add_msk_auth(ta, sa, m, 0, idb, idb_len)))
			return rc;
		ike_sa_set_state(sa, IKE_S_ESTABLISHED);
		return 0;
	}
	if (!ta->eap_done && sa->state == IKE_S_INIT_DONE && !ta->peer_verified) {
		/* First round: our IDr, CERT and AUTH with the first Request. */
		ta->peer_verified = 1;
		if ((rc = add_id_auth(sa, m, IKE_PLD_IDR, 0, 0)))
			return rc;
	}
	return add_eap(m, ta->eap_out, ta->eap_out_len);
}

static void task_free(struct ike_task *t)
{
	struct task_auth *ta = (struct task_auth *)t;
	eap_client_free(ta->eap_c);
	eap_server_free(ta->eap_s);
	crypto_secret_free(ta->msk);
	crypto_wipe(ta, sizeof(*ta));
	free(ta);
}

static const struct ike_task_ops ops_i = { "auth", IKE_EXCH_AUTH, build_i, process_i, task_free };
static const struct ike_task_ops ops_r = { "auth", IKE_EXCH_AUTH, build_r, process_r, task_free };

int ike_task_auth_new(struct ike_sa *sa, int initiator, struct ike_task **out)
{
	enum ike_auth_kind mine = sa->cfg.auth, theirs = peer_kind(sa);
	int rc;

	/* We authenticate with a PSK or a certificate, or (initiator) EAP;
	 * the gateway always with a PSK or a certificate. */
	if (mine != IKE_AUTHK_PSK && mine != IKE_AUTHK_CERT && !(initiator && mine == IKE_AUTHK_EAP))
		return -ENOTSUP;
	if (theirs != IKE_AUTHK_PSK && theirs != IKE_AUTHK_CERT && !(!initiator && theirs == IKE_AUTHK_EAP))
		return -ENOTSUP;
	if (initiator && mine == IKE_AUTHK_EAP && theirs == IKE_AUTHK_EAP)
		return -ENOTSUP;
	struct task_auth *ta = calloc(1, sizeof(*ta));
	if (!ta)
		return -ENOMEM;
	ta->t.ops = initiator ? &ops_i : &ops_r;
	ta->t.initiator = initiator;
	if (initiator && mine == IKE_AUTHK_EAP) {
		const struct ike_ident *sid = sa->cfg.eap_tls_server_id.type ?
			&sa->cfg.eap_tls_server_id : &sa->cfg.remote_id;
		struct eap_client_cfg ec = {
			.method = sa->cfg.eap_method, .identity = sa->cfg.eap_id,
			.identity_len = sa->cfg.eap_id_len, .password = sa->cfg.eap_password,
			.tls = {
				.cert = sa->cfg.eap_tls_cert, .key = sa->cfg.eap_tls_key,
				.ca = sa->cfg.eap_tls_ca ? sa->cfg.eap_tls_ca : sa->cfg.ca,
				.peer_id_type = sid->type, .peer_id = sid->type ? sid->data : NULL,
				.peer_id_len = sid->len,
				.min_version = sa->cfg.eap_tls_min_version,
				.max_version = sa->cfg.eap_tls_max_version,
				.frag_len = sa->cfg.eap_tls_frag_len,
			},
		};
		if ((rc = eap_client_new(&ec, &ta->eap_c))) {
			free(ta);
			return rc;
		}
	}
	*out = &ta->t;
	return 0;
}
