/* petrel-gw's credentials (see creds.h). */
#include "gw/creds.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"
#include "base/log.h"
#include "crypto/secret_file.h"
#include "crypto/sig.h"
#include "crypto/x509.h"
#include "ike/eap/eap.h"
#include "ike/ike.h"

#define CREDS_LOG "gw"

/* What a failed load of a certificate or key file means to the user. */
static const char *file_why(int rc, const char *what)
{
	return rc == -EBADMSG || rc == -E2BIG || rc == -ENOTSUP ? what : "cannot be read";
}

/* A private key file: as a secret file, nobody but its owner may read it. */
static int key_file_private(const char *path)
{
	struct stat st;
	if (stat(path, &st))
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if (st.st_mode & (S_IRWXG | S_IRWXO))
		return -EPERM;
	return 0;
}

/* The key signs what the certificate's public key verifies. */
static int key_fits_cert(const struct crypto_pkey *key, const struct crypto_cert *cert)
{
	static const uint8_t msg[] = "petrel-gw: does this key belong to this certificate?";
	struct crypto_pkey *pub = NULL;
	uint8_t sig[1200];
	size_t sig_len = 0;
	int scheme, rc;

	switch (crypto_pkey_type(key)) {
	case CRYPTO_PKEY_RSA: scheme = CRYPTO_SIG_RSA_PSS_SHA256; break;
	case CRYPTO_PKEY_EC_P256: scheme = CRYPTO_SIG_ECDSA_SHA256; break;
	case CRYPTO_PKEY_EC_P384: scheme = CRYPTO_SIG_ECDSA_SHA384; break;
	case CRYPTO_PKEY_EC_P521: scheme = CRYPTO_SIG_ECDSA_SHA512; break;
	case CRYPTO_PKEY_ED25519: scheme = CRYPTO_SIG_ED25519; break;
	case CRYPTO_PKEY_ED448: scheme = CRYPTO_SIG_ED448; break;
	default: return -ENOTSUP;
	}
	if ((rc = crypto_cert_pubkey(cert, &pub)))
		return rc;
	rc = crypto_sig_sign(key, scheme, msg, sizeof(msg), sig, sizeof(sig), &sig_len);
	if (!rc)
		rc = crypto_sig_verify(pub, scheme, msg, sizeof(msg), sig, sig_len) ? -EACCES : 0;
	crypto_pkey_free(pub);
	return rc;
}

static int load_own_cert(struct gw_creds *cr, const struct conf_gw *c)
{
	int rc;

	if ((rc = crypto_cert_load_file(c->cert, &cr->cert))) {
		log_err(CREDS_LOG, "cert %s: %s: %s", c->cert, file_why(rc, "not a certificate (PEM or DER)"),
			pt_strerror(rc));
		return rc;
	}
	if ((rc = key_file_private(c->key))) {
		log_err(CREDS_LOG, "key %s: %s", c->key,
			rc == -EPERM ? "is readable or writable by group or others (chmod 600 it)"
				     : pt_strerror(rc));
		return rc;
	}
	if ((rc = crypto_pkey_load_file(c->key, &cr->key))) {
		log_err(CREDS_LOG, "key %s: %s: %s", c->key,
			file_why(rc, "not an unencrypted private key (PEM or DER)"), pt_strerror(rc));
		return rc;
	}
	if ((rc = key_fits_cert(cr->key, cr->cert))) {
		log_err(CREDS_LOG, "key %s does not belong to cert %s (%s)", c->key, c->cert,
			rc == -ENOTSUP ? "a key type petrel does not sign with" : "signatures do not verify");
		return rc;
	}
	for (unsigned i = 0; i < c->n_chain; i++) {
		if ((rc = crypto_cert_load_file(c->chain[i], &cr->chain[i]))) {
			log_err(CREDS_LOG, "chain %s: %s: %s", c->chain[i],
				file_why(rc, "not a certificate (PEM or DER)"), pt_strerror(rc));
			return rc;
		}
		cr->n_chain++;
	}
	return 0;
}

static int load_users(struct gw_creds *cr, const struct conf_gw *c)
{
	const char *why;
	int rc;

	for (unsigned i = 0; i < c->n_eap_users; i++) {
		struct gw_eap_user *u = &cr->users[i];
		snprintf(u->name, sizeof(u->name), "%s", c->eap_users[i].name);
		u->len = strlen(u->name);
		if ((rc = crypto_secret_load_file(c->eap_users[i].password_file, &u->password, &why))) {
			log_err(CREDS_LOG, "%s:%u:%u: eap_users: %s: password file %s %s: %s", c->file,
				c->eap_users[i].line, c->eap_users[i].col, u->name,
				c->eap_users[i].password_file, why, pt_strerror(rc));
			return rc;
		}
		cr->n_users++;
	}
	return 0;
}

int gw_creds_load(struct gw_creds *cr, const struct conf_gw *c)
{
	const char *why;
	int rc;

	memset(cr, 0, sizeof(*cr));
	cr->client_auth = c->client_auth;
	if (c->psk_file[0] && (rc = crypto_secret_load_file(c->psk_file, &cr->psk, &why))) {
		log_err(CREDS_LOG, "psk_file %s %s: %s", c->psk_file, why, pt_strerror(rc));
		return rc;
	}
	if (c->cert[0] && (rc = load_own_cert(cr, c)))
		return rc;
	if (c->client_auth == CONF_GW_CLIENT_CERT) {
		if ((rc = crypto_castore_new(&cr->ca)) || (rc = crypto_castore_load_file(cr->ca, c->ca)) ||
		    (rc = crypto_cert_load_file(c->ca, &cr->ca_first)) ||
		    (rc = crypto_cert_spki_sha1(cr->ca_first, cr->ca_hash[0]))) {
			log_err(CREDS_LOG, "ca %s: %s: %s", c->ca, file_why(rc, "no CA certificate in it"),
				pt_strerror(rc));
			return rc;
		}
	}
	if (c->client_auth == CONF_GW_CLIENT_EAP_MSCHAPV2 && (rc = load_users(cr, c)))
		return rc;
	return 0;
}

void gw_creds_apply(struct gw_creds *cr, struct ike_cfg *cfg)
{
	cfg->psk = cr->psk;
	if (cr->cert) {
		cfg->auth = IKE_AUTHK_CERT;
		cfg->cert = cr->cert;
		cfg->key = cr->key;
		cfg->chain = (const struct crypto_cert *const *)cr->chain;
		cfg->n_chain = cr->n_chain;
	} else {
		cfg->auth = IKE_AUTHK_PSK;
	}
	switch (cr->client_auth) {
	case CONF_GW_CLIENT_PSK:
		cfg->peer_auth = IKE_AUTHK_PSK;
		break;
	case CONF_GW_CLIENT_CERT:
		/* RFC 7296 3.7: CERTREQ names the CA by the SHA-1 of its key;
		 * the engine sends it in the IKE_SA_INIT response (1.2). */
		cfg->peer_auth = IKE_AUTHK_CERT;
		cfg->ca = cr->ca;
		cfg->ca_hashes = (const uint8_t(*)[20])cr->ca_hash;
		cfg->n_ca_hashes = 1;
		break;
	case CONF_GW_CLIENT_EAP_MSCHAPV2:
		cfg->peer_auth = IKE_AUTHK_EAP;
		cfg->eap_method = EAP_MSCHAPV2;
		cfg->eap_lookup = gw_creds_eap_lookup;
		cfg->eap_lookup_arg = cr;
		break;
	}
}

int gw_creds_eap_lookup(void *arg, const uint8_t *id, size_t id_len, struct secret **password)
{
	const struct gw_creds *cr = arg;

	*password = NULL;
	for (unsigned i = 0; i < cr->n_users; i++) {
		const struct gw_eap_user *u = &cr->users[i];
		/* names are not secret; a plain compare is fine */
		if (u->len == id_len && memcmp(u->name, id, id_len) == 0)
			return crypto_secret_from(u->password->p, u->password->len, password);
	}
	log_info(CREDS_LOG, "EAP identity of %zu octets is not one of the %u eap_users", id_len, cr->n_users);
	return -ENOENT;
}

const char *gw_creds_own_name(const struct gw_creds *cr)
{
	return cr->cert ? "certificate" : "PSK";
}

int gw_creds_client_str(const struct gw_creds *cr, char *out, size_t cap)
{
	switch (cr->client_auth) {
	case CONF_GW_CLIENT_CERT: return snprintf(out, cap, "certificates");
	case CONF_GW_CLIENT_EAP_MSCHAPV2:
		return snprintf(out, cap, "EAP-MSCHAPv2 (%u user%s)", cr->n_users, cr->n_users == 1 ? "" : "s");
	case CONF_GW_CLIENT_PSK:
	default: return snprintf(out, cap, "PSK");
	}
}

void gw_creds_free(struct gw_creds *cr)
{
	crypto_secret_free(cr->psk);
	crypto_cert_free(cr->cert);
	for (size_t i = 0; i < cr->n_chain; i++)
		crypto_cert_free(cr->chain[i]);
	crypto_pkey_free(cr->key);
	crypto_castore_free(cr->ca);
	crypto_cert_free(cr->ca_first);
	for (unsigned i = 0; i < cr->n_users; i++)
		crypto_secret_free(cr->users[i].password);
	crypto_wipe(cr, sizeof(*cr));
}
