/* petrel-gw's credentials (conf.h "petrel-gw"): what it proves itself with
 * (a PSK, or a certificate with its key and intermediates, sent as CERT
 * payloads) and how it checks clients (the PSK, certificates from the
 * configured CAs with CERTREQ naming them, or EAP-MSCHAPv2 users with a
 * password file each). Everything is read once at startup, so that a bad
 * file stops petrel-gw with a message naming it, never a handshake later.
 * Keys and passwords: files 0600 (PRODUCT.md "Secrets"). */
#ifndef PETREL_GW_CREDS_H
#define PETREL_GW_CREDS_H

#include <stddef.h>
#include <stdint.h>

#include "conf/conf.h"
#include "crypto/secret.h"

struct crypto_cert;
struct crypto_pkey;
struct crypto_castore;
struct ike_cfg;

struct gw_eap_user {
	char name[CONF_STR_MAX];
	size_t len;
	struct secret *password;
};

struct gw_creds {
	struct secret *psk;
	struct crypto_cert *cert;
	struct crypto_cert *chain[CONF_GW_CHAIN_MAX];
	size_t n_chain;
	struct crypto_pkey *key;
	struct crypto_castore *ca;
	struct crypto_cert *ca_first;  /* named in CERTREQ */
	uint8_t ca_hash[1][20];
	struct gw_eap_user users[CONF_GW_EAP_USERS_MAX];
	unsigned n_users;
	enum conf_gw_client_auth client_auth;
};

/* Load what c names into cr (zeroed first). 0, or a negative errno after a
 * log line naming the file and what is wrong with it. */
int gw_creds_load(struct gw_creds *cr, const struct conf_gw *c);
/* Point cfg (the template of every SA) at the credentials: auth, peer_auth,
 * psk, key/cert/chain, ca/ca_hashes, the EAP method and lookup. cr must
 * outlive every SA made from cfg. */
void gw_creds_apply(struct gw_creds *cr, struct ike_cfg *cfg);
void gw_creds_free(struct gw_creds *cr);
/* ike_cfg.eap_lookup: a new copy of the user's password, -ENOENT for an
 * identity that is not a user. */
int gw_creds_eap_lookup(void *arg, const uint8_t *id, size_t id_len, struct secret **password);
/* "certificate", "PSK"; "PSK", "certificates", "EAP-MSCHAPv2 (N users)". */
const char *gw_creds_own_name(const struct gw_creds *cr);
int gw_creds_client_str(const struct gw_creds *cr, char *out, size_t cap);

#endif
