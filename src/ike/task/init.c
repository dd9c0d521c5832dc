/* IKE_SA_INIT (RFC 7296 1.2): proposals, key exchange, nonces, NAT
 * detection (2.23), COOKIE (2.6), INVALID_KE_PAYLOAD (1.2), and the
 * capability notifies IKEV2_FRAGMENTATION_SUPPORTED (RFC 7383 2.3),
 * SEPARATE_TRANSPORTS (draft-ietf-ipsecme-ikev2-reliable-transport, when
 * configured) and SIGNATURE_HASH_ALGORITHMS (RFC 7427 4).
 *
 *   HDR, SAi1, KEi, Ni, N(NAT_D_SRC), N(NAT_D_DST), N(FRAG_SUP), [N(SEP_TR),] N(SIG_HASH) -->
 *   <-- HDR, SAr1, KEr, Nr, N(NAT_D_SRC), N(NAT_D_DST), N(FRAG_SUP), [N(SEP_TR),] N(SIG_HASH)
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "crypto/prf.h"
#include "crypto/sig.h"
#include "ike/sa_int.h"

#define NONCE_LEN 32u
#define INIT_RETRIES_MAX 3u /* COOKIE and INVALID_KE rounds together */

struct task_init {
	struct ike_task t;
	struct crypto_ke *ke;         /* initiator's key pair */
	uint16_t ke_method;
	uint8_t cookie[PT_IKE_COOKIE_MAX_LEN];
	size_t cookie_len;
	unsigned rounds;
	uint8_t ke_r[PT_KE_MAX_LEN];  /* responder's KE data */
	size_t ke_r_len;
};

/* RFC 7427 4: the hashes we can verify signatures with (2, 3, 4) and
 * "Identity" (5) for Ed25519. */
static const uint8_t sig_hashes[] = { 0, 2, 0, 3, 0, 4, 0, 5 };

/* RFC 7296 2.23: SHA-1(SPIi | SPIr | IP | port). */
static int nat_hash(const uint8_t spi_i[8], const uint8_t spi_r[8], const struct ike_addr *a,
		    uint8_t out[20])
{
	uint8_t port[2] = { (uint8_t)(a->port >> 8), (uint8_t)a->port };
	struct crypto_buf parts[] = {
		{ spi_i, 8 }, { spi_r, 8 },
		{ a->ip, a->family == AF_INET6 ? 16u : 4u }, { port, 2 },
	};
	return crypto_hash(CRYPTO_HASH_SHA1, parts, 4, out);
}

int ike_out_nat_d(struct ike_sa *sa, struct ike_msg_out *m)
{
	struct ike_addr local, remote;
	uint8_t h[20];
	int rc;

	memset(&local, 0, sizeof(local));
	memset(&remote, 0, sizeof(remote));
	sa->ops.addrs(sa->ops.ctx, sa, &local, &remote);
	if ((rc = nat_hash(m->hdr.spi_i, m->hdr.spi_r, &local, h)))
		return rc;
	/* Forced UDP encapsulation: a source hash that matches no address
	 * makes the peer see a NAT in front of us, so both ends put ESP in
	 * UDP/4500 (RFC 3948), as strongSwan's encap=yes does. */
	if (sa->cfg.force_natt && (rc = ike_sa_random(sa, h, sizeof(h))))
		return rc;
	ike_out_notify(m, IKE_N_NAT_DETECTION_SOURCE_IP, h, sizeof(h));
	if ((rc = nat_hash(m->hdr.spi_i, m->hdr.spi_r, &remote, h)))
		return rc;
	return ike_out_notify(m, IKE_N_NAT_DETECTION_DESTINATION_IP, h, sizeof(h));
}

/* Compare the peer's NAT_D notifies with what our addresses hash to:
 * their DESTINATION names us, their SOURCE names them (RFC 7296 2.23). */
void ike_in_nat_d(struct ike_sa *sa, const struct ike_msg_in *m)
{
	struct ike_addr local, remote;
	uint8_t h_local[20], h_remote[20];
	size_t from = 0;
	const struct ike_pld *p;
	struct ike_notify n;
	int seen_src = 0, seen_dst = 0, src_match = 0, dst_match = 0;

	memset(&local, 0, sizeof(local));
	memset(&remote, 0, sizeof(remote));
	sa->ops.addrs(sa->ops.ctx, sa, &local, &remote);
	if (nat_hash(m->hdr.spi_i, m->hdr.spi_r, &local, h_local) ||
	    nat_hash(m->hdr.spi_i, m->hdr.spi_r, &remote, h_remote))
		return;
	while ((p = ike_chain_find(m->chain, IKE_PLD_NOTIFY, &from))) {
		if (ike_notify_decode(p, &n) || n.len != 20)
			continue;
		if (n.type == IKE_N_NAT_DETECTION_SOURCE_IP) {
			seen_src = 1;
			src_match |= crypto_memeq(n.data, h_remote, 20);
		} else if (n.type == IKE_N_NAT_DETECTION_DESTINATION_IP) {
			seen_dst = 1;
			dst_match |= crypto_memeq(n.data, h_local, 20);
		}
	}
	sa->nat_remote = seen_src && !src_match;
	sa->nat_local = (seen_dst && !dst_match) || sa->cfg.force_natt;
}

/* SEPARATE_TRANSPORTS (draft-ietf-ipsecme-ikev2-reliable-transport 3.1):
 * the initiator offers it when configured; the responder answers it only
 * when offered and configured. */
/* 1 when some proposal of ours has an additional key exchange (RFC 9370). */
static int offers_addke(const struct ike_sa *sa)
{
	for (size_t i = 0; i < sa->cfg.n_ike_props; i++)
		for (size_t j = 0; j < sa->cfg.ike_props[i].n; j++)
			if (sa->cfg.ike_props[i].xf[j].type >= IKE_XF_ADDKE1 &&
			    sa->cfg.ike_props[i].xf[j].type <= IKE_XF_ADDKE7)
				return 1;
	return 0;
}

static int add_caps(struct ike_sa *sa, struct ike_msg_out *m)
{
	ike_out_notify(m, IKE_N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0);
	/* RFC 9242 3.1 (RFC 9370 2.2.1): the initiator when it offers an
	 * additional key exchange, the responder when it was asked. */
	if (sa->role == IKE_ROLE_INITIATOR ? offers_addke(sa) : sa->intermediate)
		ike_out_notify(m, IKE_N_INTERMEDIATE_EXCHANGE_SUPPORTED, NULL, 0);
	if (sa->cfg.separate && (sa->role == IKE_ROLE_INITIATOR || sa->separate))
		ike_out_notify(m, sa->cfg.cp->n_separate_transports, NULL, 0);
	return ike_out_notify(m, IKE_N_SIGNATURE_HASH_ALGORITHMS, sig_hashes, sizeof(sig_hashes));
}

static void read_caps(struct ike_sa *sa, const struct ike_msg_in *m)
{
	struct ike_notify n;
	sa->peer_frag = ike_in_notify(m, IKE_N_IKEV2_FRAGMENTATION_SUPPORTED, &n) != NULL;
	/* Agreed: every later exchange runs on a stream, so nothing of it is
	 * fragmented or retransmitted (the owner moves it to TCP). */
	sa->separate = sa->cfg.separate &&
		ike_in_notify(m, sa->cfg.cp->n_separate_transports, &n) != NULL;
	sa->intermediate = ike_in_notify(m, IKE_N_INTERMEDIATE_EXCHANGE_SUPPORTED, &n) != NULL &&
		(sa->role == IKE_ROLE_RESPONDER || offers_addke(sa));
	sa->reliable = sa->separate;
	sa->peer_sig_hashes = 0;
	if (ike_in_notify(m, IKE_N_SIGNATURE_HASH_ALGORITHMS, &n))
		for (size_t i = 0; i + 1 < n.len; i += 2) {
			unsigned h = (unsigned)n.data[i] << 8 | n.data[i + 1];
			if (h < 16)
				sa->peer_sig_hashes |= (uint16_t)(1u << h);
		}
}

static int offered_ke(const struct ike_sa *sa, uint16_t method)
{
	for (size_t i = 0; i < sa->cfg.n_ike_props; i++)
		for (size_t j = 0; j < sa->cfg.ike_props[i].n; j++)
			if (sa->cfg.ike_props[i].xf[j].type == IKE_XF_KE &&
			    sa->cfg.ike_props[i].xf[j].id == method)
				return 1;
	return 0;
}

/* ---- initiator ---- */

static int build_i(struct ike_task *t, struct ike_sa *sa, struct ike_msg_out *m)
{
	struct task_init *ti = (struct task_init *)t;
	int rc;

	if (ti->cookie_len) /* RFC 7296 2.6: the COOKIE notify comes first */
		ike_out_notify(m, IKE_N_COOKIE, ti->cookie, ti->cookie_len);
	if ((rc = ike_out_sa_offer(m, sa->cfg.ike_props, sa->cfg.n_ike_props, NULL, 0)))
		return rc;
	if (!ti->ke && (rc = crypto_ke_new(ti->ke_method, &ti->ke)))
		return rc;
	struct ike_ke ke = { .method = ti->ke_method };
	ke.data = crypto_ke_public(ti->ke, &ke.len);
	ike_bld_begin(&m->b, IKE_PLD_KE, 0);
	ike_ke_encode(&m->w, &ke);
	ike_bld_end(&m->b);
	if (!sa->ni_len) {
		if ((rc = ike_sa_random(sa, sa->ni, NONCE_LEN)))
			return rc;
		sa->ni_len = NONCE_LEN;
	}
	struct ike_blob n = { sa->ni, sa->ni_len };
	ike_bld_begin(&m->b, IKE_PLD_NONCE, 0);
	ike_nonce_encode(&m->w, &n);
	ike_bld_end(&m->b);
	if ((rc = ike_out_nat_d(sa, m)))
		return rc;
	return add_caps(sa, m);
}

static int process_i(struct ike_task *t, struct ike_sa *sa, const struct ike_msg_in *m)
{
	struct task_init *ti = (struct task_init *)t;
	struct ike_notify n;
	int rc;

	if (ike_in_notify(m, IKE_N_COOKIE, &n)) {
		/* RFC 7296 2.6: send the same request again with the cookie. */
		if (++ti->rounds > INIT_RETRIES_MAX || n.len < 1 || n.len > sizeof(ti->cookie))
			return -EPROTO;
		memcpy(ti->cookie, n.data, n.len);
		ti->cookie_len = n.len;
		log_info(IKE_LOG, "IKE_SA_INIT: the responder asks for a COOKIE; sending again");
		return IKE_TASK_MORE;
	}
	if (ike_in_notify(m, IKE_N_INVALID_KE_PAYLOAD, &n)) {
		/* RFC 7296 1.2: retry with the method the responder names, if we
		 * offered it (else it is an attack or a broken peer). */
		if (n.len != 2 || ++ti->rounds > INIT_RETRIES_MAX)
			return -EPROTO;
		uint16_t want = (uint16_t)(n.data[0] << 8 | n.data[1]);
		if (want == ti->ke_method || !offered_ke(sa, want) || !crypto_ke_supported(want))
			return -EPROTO;
		log_info(IKE_LOG, "IKE_SA_INIT: the responder wants %s instead of %s",
			 ike_ke_name(want), ike_ke_name(ti->ke_method));
		crypto_ke_free(ti->ke);
		ti->ke = NULL;
		ti->ke_method = want;
		return IKE_TASK_MORE;
	}
	uint16_t err = ike_in_error(m);
	if (err) {
		log_warn(IKE_LOG, "IKE_SA_INIT refused: %s", ike_notify_name(err));
		return -EPROTO;
	}
	if ((rc = ike_in_sa_accept(m, sa->cfg.ike_props, sa->cfg.n_ike_props, &sa->alg)))
		return rc;
	struct ike_ke ke;
	const struct ike_pld *p = ike_chain_find(m->chain, IKE_PLD_KE, NULL);
	if (!p || ike_ke_decode(p, &ke) || ke.method != ti->ke_method || sa->alg.ke[0] != ti->ke_method)
		return -EPROTO;
	if ((rc = ike_in_nonce(m, sa->nr, &sa->nr_len)))
		return rc;
	struct secret *gir = NULL;
	if ((rc = crypto_ke_finish(ti->ke, ke.data, ke.len, &gir)))
		return rc;
	ike_in_nat_d(sa, m);
	read_caps(sa, m);
	if ((rc = ike_dgram_copy(&sa->init_r, m->raw, m->len)) ||
	    (rc = ike_dgram_copy(&sa->init_i, sa->req.d[0].p, sa->req.d[0].len))) {
		crypto_secret_free(gir);
		return rc;
	}
	rc = ike_sa_derive_keys(sa, gir);
	crypto_secret_free(gir);
	if (rc)
		return rc;
	if (ike_chosen_next_addke(&sa->alg, 0)) {
		/* RFC 9370 2.2.1: additional key exchanges need IKE_INTERMEDIATE */
		struct ike_task *it;
		if (!sa->intermediate) {
			log_warn(IKE_LOG, "IKE_SA_INIT: the responder chose an additional key exchange without INTERMEDIATE_EXCHANGE_SUPPORTED");
			return -EPROTO;
		}
		if ((rc = ike_task_inter_new(sa, 1, &it)))
			return rc;
		ike_sa_queue_front(sa, it);
	}
	ike_sa_set_state(sa, IKE_S_INIT_DONE);
	return 0;
}

/* ---- responder ---- */

/* RFC 7296 2.6: Cookie = <VersionIDofSecret> | Hash(Ni | IPi | SPIi |
 * <secret>), here as a version octet (0; TODO(issue 3): rotate the secret)
 * and PRF-HMAC-SHA2-256 keyed with the secret. Stateless: the same request
 * always gets the same cookie while the secret stands. */
#define COOKIE_LEN 33u

static int make_cookie(struct ike_sa *sa, const struct ike_msg_in *m, const uint8_t *ni,
		       size_t ni_len, uint8_t out[COOKIE_LEN])
{
	struct ike_addr local, remote;
	struct crypto_prf *prf;
	int rc;

	memset(&local, 0, sizeof(local));
	memset(&remote, 0, sizeof(remote));
	sa->ops.addrs(sa->ops.ctx, sa, &local, &remote);
	const struct secret *k = sa->cfg.cookie_secret;
	if (!k || !k->len)
		return -EINVAL;
	if ((rc = crypto_prf_new(IKE_PRF_HMAC_SHA2_256, k->p, k->len, &prf)))
		return rc;
	struct crypto_buf parts[] = {
		{ ni, ni_len }, { remote.ip, remote.family == AF_INET6 ? 16u : 4u },
		{ m->hdr.spi_i, 8 },
	};
	out[0] = 0;
	rc = crypto_prf_run(prf, parts, 3, out + 1);
	crypto_prf_free(prf);
	return rc;
}

/* 0 when the request may go on; -EAGAIN after refusing it with N(COOKIE). */
int ike_check_cookie(struct ike_sa *sa, const struct ike_msg_in *m)
{
	uint8_t ni[PT_IKE_NONCE_MAX_LEN], want[COOKIE_LEN];
	size_t ni_len;
	struct ike_notify n;
	int rc;

	if (!sa->cfg.require_cookie)
		return 0;
	if ((rc = ike_in_nonce(m, ni, &ni_len)) || (rc = make_cookie(sa, m, ni, ni_len, want)))
		return rc;
	if (ike_in_notify(m, IKE_N_COOKIE, &n) && n.len == COOKIE_LEN &&
	    crypto_memeq(n.data, want, COOKIE_LEN))
		return 0;
	log_info(IKE_LOG, "%s: %s; answering with N(COOKIE)", ike_exch_name(m->hdr.exch),
		 ike_in_notify(m, IKE_N_COOKIE, &n) ? "the cookie is not ours" : "a cookie is required");
	ike_sa_refuse(sa, IKE_N_COOKIE, want, COOKIE_LEN);
	return -EAGAIN;
}

static int process_r(struct ike_task *t, struct ike_sa *sa, const struct ike_msg_in *m)
{
	struct task_init *ti = (struct task_init *)t;
	int rc;

	/* RFC 7296 2.6: before any work (and before any state), the cookie. */
	if ((rc = ike_check_cookie(sa, m)))
		return rc;
	rc = ike_in_sa_select(m, sa->cfg.ike_props, sa->cfg.n_ike_props, &sa->alg);
	if (rc == -ENOENT) {
		log_info(IKE_LOG, "IKE_SA_INIT: no acceptable proposal");
		ike_sa_refuse(sa, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
		return -ENOENT;
	}
	if (rc)
		return rc;
	read_caps(sa, m);
	if (ike_chosen_next_addke(&sa->alg, 0) && !sa->intermediate) {
		/* RFC 9370 2.2.1: the additional exchanges could not happen */
		log_info(IKE_LOG, "IKE_SA_INIT: additional key exchanges proposed without INTERMEDIATE_EXCHANGE_SUPPORTED");
		ike_sa_refuse(sa, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
		return -ENOENT;
	}
	struct ike_ke ke;
	const struct ike_pld *p = ike_chain_find(m->chain, IKE_PLD_KE, NULL);
	if (!p || ike_ke_decode(p, &ke))
		return -EBADMSG;
	if (ke.method != sa->alg.ke[0]) {
		/* RFC 7296 1.2: name the method we chose; keep no state. */
		uint8_t want[2] = { (uint8_t)(sa->alg.ke[0] >> 8), (uint8_t)sa->alg.ke[0] };
		ike_sa_refuse(sa, IKE_N_INVALID_KE_PAYLOAD, want, 2);
		return -EPROTO;
	}
	if ((rc = ike_in_nonce(m, sa->ni, &sa->ni_len)))
		return rc;
	struct secret *gir = NULL;
	rc = crypto_ke_respond(ke.method, ke.data, ke.len, ti->ke_r, sizeof(ti->ke_r),
			       &ti->ke_r_len, &gir);
	if (rc) {
		log_info(IKE_LOG, "IKE_SA_INIT: the initiator's %s value is unusable",
			 ike_ke_name(ke.method));
		ike_sa_refuse(sa, IKE_N_INVALID_SYNTAX, NULL, 0);
		return rc;
	}
	if ((rc = ike_sa_random(sa, sa->nr, NONCE_LEN))) {
		crypto_secret_free(gir);
		return rc;
	}
	sa->nr_len = NONCE_LEN;
	ike_in_nat_d(sa, m);
	rc = ike_dgram_copy(&sa->init_i, m->raw, m->len);
	if (!rc)
		rc = ike_sa_derive_keys(sa, gir);
	crypto_secret_free(gir);
	if (rc)
		return rc;
	ike_sa_set_state(sa, IKE_S_INIT_DONE);
	return 0;
}

static int build_r(struct ike_task *t, struct ike_sa *sa, struct ike_msg_out *m)
{
	struct task_init *ti = (struct task_init *)t;
	int rc;

	if ((rc = ike_out_sa_chosen(m, &sa->alg, NULL, 0)))
		return rc;
	struct ike_ke ke = { .method = sa->alg.ke[0], .data = ti->ke_r, .len = ti->ke_r_len };
	ike_bld_begin(&m->b, IKE_PLD_KE, 0);
	ike_ke_encode(&m->w, &ke);
	ike_bld_end(&m->b);
	struct ike_blob n = { sa->nr, sa->nr_len };
	ike_bld_begin(&m->b, IKE_PLD_NONCE, 0);
	ike_nonce_encode(&m->w, &n);
	ike_bld_end(&m->b);
	if ((rc = ike_out_nat_d(sa, m)))
		return rc;
	if ((rc = add_caps(sa, m)))
		return rc;
	/* RFC 7296 1.2: the responder asks for a certificate here. */
	return ike_auth_add_certreq(sa, m);
}

static void task_free(struct ike_task *t)
{
	struct task_init *ti = (struct task_init *)t;
	crypto_ke_free(ti->ke);
	crypto_wipe(ti, sizeof(*ti));
	free(ti);
}

static const struct ike_task_ops ops_i = { "init", IKE_EXCH_SA_INIT, build_i, process_i, task_free };
static const struct ike_task_ops ops_r = { "init", IKE_EXCH_SA_INIT, build_r, process_r, task_free };

int ike_task_init_new(struct ike_sa *sa, int initiator, struct ike_task **out)
{
	struct task_init *ti = calloc(1, sizeof(*ti));
	if (!ti)
		return -ENOMEM;
	ti->t.ops = initiator ? &ops_i : &ops_r;
	ti->t.initiator = initiator;
	if (initiator) {
		/* The first KE method of the first proposal this OpenSSL can do. */
		for (size_t i = 0; i < sa->cfg.n_ike_props && !ti->ke_method; i++)
			for (size_t j = 0; j < sa->cfg.ike_props[i].n && !ti->ke_method; j++)
				if (sa->cfg.ike_props[i].xf[j].type == IKE_XF_KE &&
				    crypto_ke_supported(sa->cfg.ike_props[i].xf[j].id))
					ti->ke_method = sa->cfg.ike_props[i].xf[j].id;
		if (!ti->ke_method) {
			free(ti);
			return -ENOTSUP;
		}
	}
	*out = &ti->t;
	return 0;
}
