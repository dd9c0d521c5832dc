/* A profile (src/conf) turned into what the IKE engine needs: proposals,
 * identities and credentials loaded from their files. Everything loaded is
 * owned here and released (secrets wiped) by creds_free(). */
#ifndef PETREL_DAEMON_CREDS_H
#define PETREL_DAEMON_CREDS_H

#include "conf/conf.h"
#include "crypto/secret.h"
#include "crypto/x509.h"
#include "ike/ike.h"

struct creds {
	struct secret *psk;
	struct crypto_cert *cert;
	struct crypto_pkey *key;
	struct crypto_castore *ca;
	uint8_t ca_hashes[1][20];
	struct crypto_cert *ca_cert;
	struct secret *eap_password;
	char eap_user[CONF_STR_MAX];
};

/* Fill cfg (role initiator) from profile p. On failure: a negative errno and
 * a message for the user in why[0..why_len) naming the file or setting. */
int creds_load(const struct conf_profile *p, struct creds *c, struct ike_cfg *cfg, char *why,
	       size_t why_len);
/* EAP: the password the user typed (attention reply), copied. */
int creds_set_eap_password(struct creds *c, struct ike_cfg *cfg, const char *password, size_t len);
void creds_free(struct creds *c);

#endif
