/* A TLS conversation for EAP-TLS (RFC 5216, RFC 9190), either end, over
 * memory: the EAP layer pushes the TLS bytes a peer sent, runs the
 * handshake, and pulls the bytes to send. No sockets, no EAP framing.
 *
 * One OpenSSL SSL_CTX and SSL per conversation (made in crypto_tls_new,
 * freed in crypto_tls_free), TLS 1.2 and 1.3 only, no session resumption
 * and no renegotiation. Both ends require the other's certificate and
 * verify it with crypto_cert_verify(): the chain up to the configured CA
 * store, the validity time, and that the leaf proves the expected identity
 * (subjectAltName dNSName / rfc822Name / iPAddress, or the subject DN), the
 * same checks IKE applies to a CERT payload.
 *
 *   crypto_tls_new -> [crypto_tls_set_peer_id] -> loop {
 *       crypto_tls_push(bytes from the peer); crypto_tls_handshake();
 *       crypto_tls_pull(bytes to the peer) }
 *   -> CRYPTO_TLS_DONE -> crypto_tls_eap_keys()
 *
 * TLS 1.3 end of handshake (RFC 9190 2.5): the server sends one octet 0x00
 * of application data once it has verified the client (crypto_tls_write);
 * the client reads it with crypto_tls_read before it trusts the outcome. */
#ifndef PETREL_CRYPTO_TLS_EAP_H
#define PETREL_CRYPTO_TLS_EAP_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/secret.h"
#include "crypto/x509.h"

#define CRYPTO_TLS_V12 0x0303u
#define CRYPTO_TLS_V13 0x0304u
#define CRYPTO_TLS_MSK_LEN  64u  /* RFC 5216 2.3, RFC 9190 2.3 */
#define CRYPTO_TLS_EMSK_LEN 64u

struct crypto_tls;

struct crypto_tls_cfg {
	int server;                         /* 1: TLS server (EAP authenticator) */
	/* Our certificate and key (required at both ends: EAP-TLS authenticates
	 * the peer by its certificate, RFC 5216 2.1.1). */
	const struct crypto_cert *cert;
	const struct crypto_pkey *key;
	/* Trust anchors for the peer's certificate; borrowed: the caller keeps
	 * it alive until crypto_tls_free. */
	const struct crypto_castore *ca;
	/* The identity the peer's certificate must prove (enum crypto_id_type
	 * and its bytes, copied). Required before the first push; may instead
	 * be given later with crypto_tls_set_peer_id (a server learns it from
	 * the EAP-Identity). */
	int peer_id_type;
	const uint8_t *peer_id;
	size_t peer_id_len;
	/* Version bounds, CRYPTO_TLS_V12 or CRYPTO_TLS_V13; 0: 1.2 and 1.3. */
	uint16_t min_version, max_version;
	/* Verification time in Unix seconds; 0: the system clock. */
	int64_t now_s;
};

/* 0, -EINVAL (missing cert/key/ca, key not matching cert, bad versions,
 * identity longer than 1024 octets), -ENOMEM, -EIO. */
int crypto_tls_new(const struct crypto_tls_cfg *cfg, struct crypto_tls **out);
void crypto_tls_free(struct crypto_tls *t);
/* Set or replace the identity the peer must prove (before the handshake
 * reaches the peer's certificate). 0, -EINVAL, -ENOMEM. */
int crypto_tls_set_peer_id(struct crypto_tls *t, int type, const uint8_t *id, size_t len);

/* Bytes from the peer, for the next crypto_tls_handshake / crypto_tls_read.
 * 0, -ENOMEM. */
int crypto_tls_push(struct crypto_tls *t, const uint8_t *p, size_t n);

enum crypto_tls_result {
	CRYPTO_TLS_AGAIN = 1,  /* wants more from the peer (pull what is pending first) */
	CRYPTO_TLS_DONE = 2,   /* our side of the handshake is complete */
};
/* Run the handshake as far as the pushed bytes allow. CRYPTO_TLS_AGAIN,
 * CRYPTO_TLS_DONE, or -EACCES: the handshake failed (the peer's certificate
 * did not verify, an alert came from the peer, or its records are broken);
 * an alert for the peer may be pending. -EINVAL: no peer identity set.
 * Reason logged once. After -EACCES every call returns -EACCES. */
int crypto_tls_handshake(struct crypto_tls *t);

/* Octets waiting to go to the peer. */
size_t crypto_tls_pending(const struct crypto_tls *t);
/* Move up to cap pending octets to out; how many. */
size_t crypto_tls_pull(struct crypto_tls *t, uint8_t *out, size_t cap);

/* After CRYPTO_TLS_DONE: application data. write: 0 or -EIO. read: 0 with
 * *n octets (0: none yet), or -EACCES (an alert or a broken record). */
int crypto_tls_write(struct crypto_tls *t, const uint8_t *p, size_t n);
int crypto_tls_read(struct crypto_tls *t, uint8_t *out, size_t cap, size_t *n);

/* The negotiated version (CRYPTO_TLS_V12 / V13), 0 before ServerHello. */
unsigned crypto_tls_version(const struct crypto_tls *t);

/* After CRYPTO_TLS_DONE: the EAP-TLS MSK and EMSK, 64 octets each.
 * TLS 1.2 (RFC 5216 2.3): PRF(master_secret, "client EAP encryption",
 * client.random | server.random), which is the RFC 5705 exporter with that
 * label and no context. TLS 1.3 (RFC 9190 2.3): TLS-Exporter(
 * "EXPORTER_EAP_TLS_Key_Material", 0x0D, 128). 0, -EPROTO, -ENOMEM. */
int crypto_tls_eap_keys(struct crypto_tls *t, struct secret **msk, struct secret **emsk);

#endif
