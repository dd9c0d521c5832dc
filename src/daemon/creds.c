#include "daemon/creds.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "crypto/ke.h"
#include "crypto/secret_file.h"
#include "ike/eap/eap.h"
#include "ike/ident.h"
#include "ike/pld/consts.h"

static int parse_props(const char (*strs)[CONF_PROPOSAL_MAX], unsigned n, uint8_t proto,
		       int pq, struct ike_prop_cfg *out, size_t *n_out, char *why, size_t why_len)
{
	const char *reason;
	char bad[32];

	*n_out = 0;
	if (n == 0) {
		*n_out = ike_prop_defaults(proto, pq, out, IKE_CFG_PROPS_MAX);
		return *n_out ? 0 : -EINVAL;
	}
	for (unsigned i = 0; i < n && i < IKE_CFG_PROPS_MAX; i++) {
		if (ike_prop_parse(strs[i], proto, &out[*n_out], &reason, bad)) {
			snprintf(why, why_len, "proposal '%s': %s%s%s", strs[i], reason,
				 bad[0] ? ": " : "", bad);
			return -EINVAL;
		}
		(*n_out)++;
	}
	return 0;
}

/* RFC 9370 with ML-KEM in any proposal? */
static int has_mlkem(const struct ike_prop_cfg *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < p[i].n; j++)
			if ((p[i].xf[j].type == IKE_XF_KE || p[i].xf[j].type >= IKE_XF_ADDKE1) &&
			    crypto_ke_is_kem(p[i].xf[j].id))
				return 1;
	return 0;
}

int creds_load(const struct conf_profile *p, struct creds *c, struct ike_cfg *cfg, char *why,
	       size_t why_len)
{
	const char *reason = "";
	int rc;

	memset(c, 0, sizeof(*c));
	memset(cfg, 0, sizeof(*cfg));
	cfg->role = IKE_ROLE_INITIATOR;
	/* pq: preferred offers the hybrid proposals first and the classic
	 * ones after them (a classic gateway still connects); required only
	 * the hybrid ones. */
	int pq = p->pq == CONF_PQ_OFF ? IKE_PQ_OFF : p->pq == CONF_PQ_REQUIRED ? IKE_PQ_ONLY : IKE_PQ_FIRST;
	if (p->pq == CONF_PQ_REQUIRED && !crypto_ke_supported(IKE_KE_MLKEM768)) {
		snprintf(why, why_len, "profile '%s' requires post-quantum key exchange, but this "
			 "OpenSSL provides no ML-KEM (needs OpenSSL >= 3.5 or oqsprovider)", p->name);
		return -ENOTSUP;
	}
	if ((rc = parse_props(p->ike_proposals, p->n_ike_proposals, IKE_PROTO_IKE, pq, cfg->ike_props,
			      &cfg->n_ike_props, why, why_len)) ||
	    (rc = parse_props(p->esp_proposals, p->n_esp_proposals, IKE_PROTO_ESP, 0, cfg->esp_props,
			      &cfg->n_esp_props, why, why_len)))
		return rc;
	if (p->pq == CONF_PQ_REQUIRED && !has_mlkem(cfg->ike_props, cfg->n_ike_props)) {
		snprintf(why, why_len, "profile '%s' requires post-quantum key exchange, but its IKE "
			 "proposals name no ML-KEM method", p->name);
		return -EINVAL;
	}
	if (ike_ident_parse(p->local_id, &cfg->local_id)) {
		snprintf(why, why_len, "local_id '%s' is not an identity", p->local_id);
		return -EINVAL;
	}
	if (ike_ident_parse(p->remote_id, &cfg->remote_id)) {
		snprintf(why, why_len, "remote_id '%s' is not an identity", p->remote_id);
		return -EINVAL;
	}
	/* The gateway: by PSK, or by a certificate from `ca`. */
	if (p->ca[0]) {
		if ((rc = crypto_castore_new(&c->ca)) || (rc = crypto_cert_load_file(p->ca, &c->ca_cert)) ||
		    (rc = crypto_castore_add(c->ca, c->ca_cert)) ||
		    (rc = crypto_cert_spki_sha1(c->ca_cert, c->ca_hashes[0]))) {
			snprintf(why, why_len, "ca %s: cannot load a CA certificate (%s)", p->ca, strerror(-rc));
			return rc;
		}
		cfg->ca = c->ca;
		cfg->ca_hashes = (const uint8_t(*)[20])c->ca_hashes;
		cfg->n_ca_hashes = 1;
	}
	switch (p->auth.method) {
	case CONF_AUTH_PSK:
		if ((rc = crypto_secret_load_file(p->auth.psk_file, &c->psk, &reason))) {
			snprintf(why, why_len, "psk_file %s: %s", p->auth.psk_file, reason);
			return rc;
		}
		cfg->auth = IKE_AUTHK_PSK;
		cfg->psk = c->psk;
		cfg->peer_auth = p->ca[0] ? IKE_AUTHK_CERT : IKE_AUTHK_PSK;
		break;
	case CONF_AUTH_CERT:
		if ((rc = crypto_cert_load_file(p->auth.cert, &c->cert))) {
			snprintf(why, why_len, "auth.cert %s: cannot load the certificate (%s)", p->auth.cert,
				 strerror(-rc));
			return rc;
		}
		if ((rc = crypto_pkey_load_file(p->auth.key, &c->key))) {
			snprintf(why, why_len, "auth.key %s: cannot load the private key (%s)", p->auth.key,
				 strerror(-rc));
			return rc;
		}
		cfg->auth = IKE_AUTHK_CERT;
		cfg->cert = c->cert;
		cfg->key = c->key;
		cfg->peer_auth = IKE_AUTHK_CERT;
		break;
	case CONF_AUTH_EAP_MSCHAPV2:
	case CONF_AUTH_EAP_MD5:
		cfg->auth = IKE_AUTHK_EAP;
		cfg->peer_auth = IKE_AUTHK_CERT;
		cfg->eap_method = p->auth.method == CONF_AUTH_EAP_MSCHAPV2 ? EAP_MSCHAPV2 : EAP_MD5;
		snprintf(c->eap_user, sizeof(c->eap_user), "%s", p->auth.user);
		cfg->eap_id = (const uint8_t *)c->eap_user;
		cfg->eap_id_len = strlen(c->eap_user);
		break;
	case CONF_AUTH_EAP_TLS:
		snprintf(why, why_len, "auth method eap-tls is not available yet");
		return -ENOTSUP;
	}
	/* Full tunnel unless the profile says otherwise; the gateway narrows. */
	cfg->cp_want_v4 = 1;
	cfg->cp_want_v6 = 1;
	cfg->child_required = 1; /* a VPN without its tunnel is no VPN */
	cfg->dpd_ms = 30000;
	cfg->rekey_child_ms = (p->rekey_child_s ? p->rekey_child_s : 3600u) * 1000u;
	cfg->rekey_ike_ms = 4u * 3600u * 1000u;
	return 0;
}

int creds_set_eap_password(struct creds *c, struct ike_cfg *cfg, const char *password, size_t len)
{
	crypto_secret_free(c->eap_password);
	c->eap_password = NULL;
	int rc = crypto_secret_from(password, len, &c->eap_password);
	if (!rc)
		cfg->eap_password = c->eap_password;
	return rc;
}

void creds_free(struct creds *c)
{
	crypto_secret_free(c->psk);
	crypto_secret_free(c->eap_password);
	crypto_cert_free(c->cert);
	crypto_pkey_free(c->key);
	crypto_castore_free(c->ca);
	crypto_cert_free(c->ca_cert);
	memset(c, 0, sizeof(*c));
}
