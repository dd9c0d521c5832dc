/* Inside src/ike/eap: the conversation objects and the method hooks.
 *
 * eap.c owns the EAP header (Code, Identifier, Length, Type), identifiers,
 * retransmissions, Identity/Notification/Nak and Success/Failure; a method
 * sees only its Type-Data and writes only Type-Data. */
#ifndef PETREL_IKE_EAP_INT_H
#define PETREL_IKE_EAP_INT_H

#include <stddef.h>
#include <stdint.h>

#include "base/cursor.h"
#include "base/wbuf.h"
#include "crypto/mschap.h"
#include "crypto/secret.h"
#include "ike/eap/eap.h"

#define EAP_SUBSYS "eap"
#define EAP_HDR_LEN 4u

/* MSCHAPv2 per-conversation state (both roles). */
struct eap_mschap {
	uint8_t auth_chal[CRYPTO_MSCHAP_CHAL_LEN];
	uint8_t peer_chal[CRYPTO_MSCHAP_CHAL_LEN];
	uint8_t nt_resp[CRYPTO_MSCHAP_NTRESP_LEN];
	uint8_t auth_resp[CRYPTO_MSCHAP_AUTHR_LEN]; /* expected / sent S= value */
	uint8_t ms_id;                              /* MS-CHAPv2-ID */
	int state;                                  /* eap_mschapv2.c's enum */
};

struct eap_md5 {
	uint8_t chal[16];
	int state;
};

enum eap_c_state {
	EAP_C_IDLE = 0,   /* no method Request yet (Identity/Notification/Nak only) */
	EAP_C_METHOD,     /* the method is running */
	EAP_C_OVER,       /* Success or an error: every call is -EPROTO */
};

struct eap_tls;  /* eap_tls.c */

struct eap_client {
	uint8_t method;
	enum eap_c_state state;
	int method_done;          /* the method finished its side: Success is acceptable */
	unsigned rounds;
	uint8_t *identity;
	size_t identity_len;
	struct secret *password;
	struct secret *msk;
	/* RFC 3748 4.1 retransmissions: the last Request's identifier and the
	 * Response we gave. */
	int have_last;
	uint8_t last_id;
	size_t cache_len;         /* 0: too big to cache */
	uint8_t cache[EAP_CACHE_MAX_LEN];
	union {
		struct eap_mschap mschap;
		struct eap_md5 md5;
	} m;
	struct eap_tls *tls;      /* EAP_TLS, from eap_client_new */
};

enum eap_s_state {
	EAP_S_NEW = 0,
	EAP_S_IDENTITY,   /* Identity Request sent */
	EAP_S_METHOD,     /* method Request sent */
	EAP_S_OVER,
};

struct eap_server {
	uint8_t method;
	enum eap_s_state state;
	int succeeded;            /* Success sent: auth_id and msk may be handed out */
	unsigned rounds;
	uint8_t id;               /* identifier of the outstanding Request */
	uint8_t *identity;        /* EAP-Identity, or the cfg's */
	size_t identity_len;
	uint8_t *auth_id;         /* the identity the method authenticated */
	size_t auth_id_len;
	eap_password_fn lookup;
	void *lookup_arg;
	uint8_t *user;
	size_t user_len;
	struct secret *password;
	char name[64];
	struct secret *msk;
	union {
		struct eap_mschap mschap;
		struct eap_md5 md5;
	} m;
	struct eap_tls *tls;      /* EAP_TLS, from eap_server_new */
};

/* The server's password for id (lookup or the fixed pair): 0, -ENOENT. */
int eap_server_password(struct eap_server *s, const uint8_t *id, size_t id_len,
			struct secret **pw);
/* Record the identity the method authenticated. 0 or -ENOMEM. */
int eap_server_set_auth_id(struct eap_server *s, const uint8_t *id, size_t len);

/* Method hooks. Client: answer a Request's Type-Data `in` (identifier id)
 * with Type-Data in w; 0 or negative. Set c->method_done when the method
 * has finished its side, c->msk when it made one.
 * Server start: write the first Request's Type-Data. Server process: a
 * Response's Type-Data; EAP_CONTINUE (next Type-Data in w), EAP_SUCCESS
 * (nothing written; eap.c sends Success), or negative (-EACCES: eap.c sends
 * Failure). */
int eap_md5_client(struct eap_client *c, uint8_t id, struct rd *in, struct wb *w);
int eap_md5_server_start(struct eap_server *s, struct wb *w);
int eap_md5_server_process(struct eap_server *s, struct rd *in, struct wb *w);

int eap_mschapv2_client(struct eap_client *c, uint8_t id, struct rd *in, struct wb *w);
int eap_mschapv2_server_start(struct eap_server *s, struct wb *w);
int eap_mschapv2_server_process(struct eap_server *s, struct rd *in, struct wb *w);

/* EAP-TLS: the per-conversation state (a TLS object, fragments in and out)
 * made from the cfg when the conversation is made. */
int eap_tls_new(const struct eap_tls_cfg *cfg, int server, struct eap_tls **out);
void eap_tls_free(struct eap_tls *t);
int eap_tls_client(struct eap_client *c, uint8_t id, struct rd *in, struct wb *w);
int eap_tls_server_start(struct eap_server *s, struct wb *w);
int eap_tls_server_process(struct eap_server *s, struct rd *in, struct wb *w);

#endif
