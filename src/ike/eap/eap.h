/* EAP methods for IKEv2 (RFC 7296 2.16): one object per EAP conversation, for
 * either end, fed whole EAP packets (RFC 3748 4: the bytes inside the IKE EAP
 * payload) and writing whole EAP packets back. No IKE state, no I/O: the
 * IKE_AUTH task carries the bytes and asks for the MSK at the end.
 *
 *   client (RFC 3748 "peer", the IKE initiator)
 *     eap_client_new(cfg) -> eap_client_process(Request) -> Response ... ->
 *     eap_client_process(Success) == EAP_SUCCESS -> eap_client_msk()
 *   server (RFC 3748 "authenticator": petrel-gw and tests)
 *     eap_server_new(cfg) -> eap_server_start() -> Request ->
 *     eap_server_process(Response) ... == EAP_SUCCESS (Success written)
 *
 * Methods: EAP-MD5 (RFC 3748 5.4; no key, no server authentication: tests
 * only), EAP-MSCHAPv2 (draft-kamath-pppext-eap-mschapv2-02, RFC 2759, MSK as
 * RFC 3079 keys, see crypto/mschap.h), EAP-TLS (RFC 5216 with TLS 1.2, RFC 9190
 * with TLS 1.3; see eap_tls.c and crypto/tls_eap.h). EAP-Identity (1),
 * Notification (2) and Nak (3) are handled here for every method.
 *
 * Returns: EAP_CONTINUE (a packet to send was written), EAP_SUCCESS, or a
 * negative errno: -EACCES authentication failed (Failure received or, on the
 * server, written; a wrong MSCHAPv2 authenticator response; a Success the
 * method had not earned), -EBADMSG malformed, -EPROTO unexpected code, type,
 * identifier or state, -ENOBUFS the response does not fit cap, -ENOTSUP the
 * method's algorithms are missing (MS-CHAPv2 without OpenSSL's legacy
 * provider). After any negative return the conversation is over and every
 * later call returns -EPROTO (give a cap of EAP_MSG_MAX_LEN, or at least the
 * IKE payload room, to avoid -ENOBUFS). */
#ifndef PETREL_IKE_EAP_EAP_H
#define PETREL_IKE_EAP_EAP_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/secret.h"

/* EAP Request/Response types (IANA "Method Types", RFC 3748 5). */
#define EAP_TYPE_TABLE(X)                                                       \
	X(EAP_IDENTITY,     1,  "Identity",     "RFC 3748 5.1")                 \
	X(EAP_NOTIFICATION, 2,  "Notification", "RFC 3748 5.2")                 \
	X(EAP_NAK,          3,  "Nak",          "RFC 3748 5.3.1")               \
	X(EAP_MD5,          4,  "MD5-Challenge", "RFC 3748 5.4")                \
	X(EAP_TLS,          13, "TLS",          "RFC 5216, RFC 9190")           \
	X(EAP_MSCHAPV2,     26, "MSCHAPv2",     "draft-kamath-pppext-eap-mschapv2") \
	X(EAP_EXPANDED,     254, "Expanded",    "RFC 3748 5.7")

#define EAP_TYPE_ENUM(name, val, str, ref) name = val,
enum eap_type { EAP_TYPE_TABLE(EAP_TYPE_ENUM) };
#undef EAP_TYPE_ENUM
/* "Identity", "MSCHAPv2", ... or "unknown". */
const char *eap_type_name(unsigned type);

/* Positive results of the process calls. */
enum eap_result {
	EAP_CONTINUE = 1,  /* resp holds a packet to send */
	EAP_SUCCESS = 2,   /* done; server: resp holds the Success packet */
};

/* Caps (STYLE.md: everything a peer can grow has one). */
#define EAP_IDENTITY_MAX_LEN   253u   /* RADIUS User-Name (RFC 2865 5.1) */
#define EAP_PASSWORD_MAX_LEN   1024u  /* UTF-8 octets; 256 UTF-16 units for MSCHAPv2 */
#define EAP_ROUNDS_MAX         64u    /* Requests in one conversation */
#define EAP_MSG_MAX_LEN        65531u /* IKE payload max minus its header */
#define EAP_CACHE_MAX_LEN      1500u  /* last Response kept for a retransmitted Request */
/* EAP-TLS: TLS octets per EAP packet (RFC 5216 3.1 fragments; small so IKE
 * messages stay small), and the Requests a conversation may take (a 64 KiB
 * TLS message at 1000 octets is 66 fragments). */
#define EAP_TLS_FRAG_DEFAULT_LEN 1000u
#define EAP_TLS_FRAG_MIN_LEN     64u
#define EAP_TLS_FRAG_MAX_LEN     1400u  /* + 10 octets of headers fits EAP_CACHE_MAX_LEN */
#define EAP_TLS_ROUNDS_MAX       256u

struct eap_client;
struct eap_server;
struct crypto_cert;
struct crypto_pkey;
struct crypto_castore;

/* EAP-TLS credentials and checks, for either end (method EAP_TLS; ignored
 * by the other methods). cert, key and ca are borrowed: the caller keeps
 * them alive until the conversation is freed. */
struct eap_tls_cfg {
	const struct crypto_cert *cert;   /* ours, sent in TLS Certificate */
	const struct crypto_pkey *key;
	const struct crypto_castore *ca;  /* trust anchors for the peer's certificate */
	/* The identity the peer's certificate must prove (enum crypto_id_type:
	 * FQDN, RFC822, IPv4/IPv6, DER DN; the same checks as an IKE CERT).
	 * Client: required, the EAP server's name. Server: optional; when 0
	 * the client's certificate must prove its EAP-Identity, as an
	 * rfc822Name if it holds an '@', else as a dNSName. */
	int peer_id_type;
	const uint8_t *peer_id;
	size_t peer_id_len;
	/* CRYPTO_TLS_V12 (0x0303) or CRYPTO_TLS_V13 (0x0304); 0: 1.2 .. 1.3. */
	uint16_t min_version, max_version;
	/* TLS octets per EAP packet, EAP_TLS_FRAG_MIN_LEN..EAP_TLS_FRAG_MAX_LEN;
	 * 0: EAP_TLS_FRAG_DEFAULT_LEN. */
	size_t frag_len;
	int64_t now_s;                    /* certificate time check; 0: the clock */
};

struct eap_client_cfg {
	uint8_t method;             /* the one method allowed: EAP_MSCHAPV2, EAP_MD5, EAP_TLS */
	const uint8_t *identity;    /* EAP-Identity and the MSCHAPv2/MD5 Name */
	size_t identity_len;        /* 1..EAP_IDENTITY_MAX_LEN */
	const struct secret *password; /* UTF-8; copied (not used by EAP-TLS) */
	struct eap_tls_cfg tls;     /* EAP_TLS: cert, key, ca, peer_id required */
};

/* 0, -EINVAL (method not allowed here, identity or password length, an
 * MSCHAPv2 password that is not UTF-8 of at most 256 UTF-16 units; EAP-TLS:
 * a missing cert, key, ca or peer_id, a key that is not the cert's, bad
 * versions or frag_len),
 * -ENOTSUP (MSCHAPv2 without MD4/DES), -ENOMEM. */
int eap_client_new(const struct eap_client_cfg *cfg, struct eap_client **out);
void eap_client_free(struct eap_client *c);
/* One packet from the server in msg[0..len); the response goes to
 * resp[0..cap) with its length in *resp_len (0 unless EAP_CONTINUE).
 * A Request naming a method other than cfg->method before any method began
 * is answered with a Nak listing ours (EAP_CONTINUE). A Request with the
 * identifier of the last one is a retransmission: the same Response again
 * (RFC 3748 4.1). */
int eap_client_process(struct eap_client *c, const uint8_t *msg, size_t len, uint8_t *resp,
		       size_t cap, size_t *resp_len);
/* After EAP_SUCCESS: a new copy of the MSK for the caller to free
 * (crypto_secret_free). -ENOENT when the method makes none (MD5) or before
 * success. */
int eap_client_msk(const struct eap_client *c, struct secret **msk);

/* The server's password lookup: a new secret (UTF-8) for the identity, which
 * the EAP layer frees; -ENOENT for an unknown user (answered as a failed
 * authentication, like a wrong password). */
typedef int (*eap_password_fn)(void *arg, const uint8_t *id, size_t id_len,
			       struct secret **password);

struct eap_server_cfg {
	uint8_t method;             /* EAP_MSCHAPV2, EAP_MD5 */
	/* The peer's identity when already known (e.g. from IDi): the method
	 * starts at once. NULL: eap_server_start() sends an Identity Request. */
	const uint8_t *identity;
	size_t identity_len;
	/* Either a lookup, or one fixed user and password. */
	eap_password_fn lookup;
	void *lookup_arg;
	const uint8_t *user;
	size_t user_len;
	const struct secret *password;
	const char *name;           /* our Name in challenges; NULL: "petrel" */
	struct eap_tls_cfg tls;     /* EAP_TLS (no password then): cert, key, ca required */
};

int eap_server_new(const struct eap_server_cfg *cfg, struct eap_server **out);
void eap_server_free(struct eap_server *s);
/* The first Request. EAP_CONTINUE or negative. */
int eap_server_start(struct eap_server *s, uint8_t *resp, size_t cap, size_t *resp_len);
/* One packet from the client. EAP_CONTINUE (next Request in resp),
 * EAP_SUCCESS (Success in resp), -EACCES (Failure in resp), or -EBADMSG /
 * -EPROTO (nothing written; the conversation is over). */
int eap_server_process(struct eap_server *s, const uint8_t *msg, size_t len, uint8_t *resp,
		       size_t cap, size_t *resp_len);
/* As eap_client_msk, the server's copy (equal to the client's). */
int eap_server_msk(const struct eap_server *s, struct secret **msk);
/* The identity the method authenticated (MSCHAPv2: its Name; MD5: the
 * EAP-Identity; TLS: the identity the client's certificate proved, the
 * cfg's peer_id or else the EAP-Identity), valid while s lives; -ENOENT
 * before EAP_SUCCESS. */
int eap_server_identity(const struct eap_server *s, const uint8_t **id, size_t *len);

#endif
