/* The IKE engine's public face: an IKE SA driven only through an ops
 * struct (send, timer, clock, randomness, Child SA install/remove, events),
 * so that petreld, petrel-gw and the exchange tests run the same code with
 * real sockets or with fakes (STYLE.md "Layout"). No libuv, no sockets here.
 *
 * The owner calls:
 *   ike_sa_new()        with a configuration and its ops;
 *   ike_sa_initiate()   (initiator) to start IKE_SA_INIT;
 *   ike_sa_new_r()      (responder) for an IKE_SA_INIT request with SPIr 0;
 *   ike_sa_recv()       for every IKE message addressed to the SA;
 *   ike_sa_on_timer()   when the timer the SA armed fires;
 *   ike_sa_free().
 * The SA calls back through ops; callbacks never free the SA. */
#ifndef PETREL_IKE_IKE_H
#define PETREL_IKE_IKE_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/secret.h"
#include "ike/pld/codepoints.h"
#include "ike/proposal.h"

#define IKE_ID_MAX_LEN 256u
#define IKE_CFG_PROPS_MAX 8u
#define IKE_CFG_TS_MAX 4u
#define IKE_CFG_DNS_MAX 4u
#define IKE_CFG_DOMAINS_MAX 4u
#define IKE_DOMAIN_MAX 254u /* RFC 8598 4: a name, at most 253 octets */

enum ike_role { IKE_ROLE_RESPONDER = 0, IKE_ROLE_INITIATOR = 1 };

/* States, named after the last event (STYLE.md). */
enum ike_state {
	IKE_S_NEW,
	IKE_S_INIT_SENT,       /* I: IKE_SA_INIT request out */
	IKE_S_INIT_DONE,       /* keys derived; R: waiting for IKE_AUTH */
	IKE_S_AUTH_SENT,       /* I: IKE_AUTH request out */
	IKE_S_ESTABLISHED,
	IKE_S_DELETE_SENT,
	IKE_S_DEAD,            /* failed, deleted or timed out: free it */
};
const char *ike_state_name(enum ike_state s);

struct ike_addr {
	int family;            /* AF_INET or AF_INET6 */
	uint8_t ip[16];
	uint16_t port;
};

struct ike_ident {
	uint8_t type;          /* enum ike_id_type */
	size_t len;
	uint8_t data[IKE_ID_MAX_LEN];
};

/* A traffic selector range (RFC 7296 3.13.1), host form. */
struct ike_ts_cfg {
	uint8_t type;          /* IKE_TS_IPV4_ADDR_RANGE or IKE_TS_IPV6_ADDR_RANGE */
	uint8_t proto;
	uint16_t start_port, end_port;
	uint8_t start[16], end[16];
};

/* How a side authenticates (RFC 7296 2.15, 2.16). */
enum ike_auth_kind {
	IKE_AUTHK_PSK = 1,   /* shared key */
	IKE_AUTHK_CERT = 2,  /* certificate and signature (RFC 7427, RFC 4754) */
	IKE_AUTHK_EAP = 3,   /* initiator only: EAP, then AUTH from the MSK (2.16) */
};

struct crypto_pkey;
struct crypto_cert;
struct crypto_castore;

/* RFC 5723 session resumption: the state of an IKE SA that a ticket
 * stands for. The gateway seals it into the ticket (the client never reads
 * a ticket); the client keeps it beside the opaque ticket it was given.
 * sk_d is the old IKE SA's SK_d: whoever holds it and the ticket can
 * resume as the client, so it is wiped after use (ike_resume_state_wipe). */
#define IKE_TICKET_MAX_LEN 1024u
#define IKE_SKD_MAX_LEN 64u
struct ike_resume_state {
	struct ike_chosen alg;          /* the old IKE SA's transforms */
	uint8_t sk_d[IKE_SKD_MAX_LEN];
	size_t sk_d_len;
	struct ike_ident idi, idr;      /* as authenticated in the old IKE SA */
	uint8_t spi_i[8], spi_r[8];     /* the old IKE SA (the gateway deletes it) */
	uint8_t auth;                   /* enum ike_auth_kind the client used */
};

/* A client's ticket: the gateway's opaque bytes, their lifetime as given in
 * TICKET_LT_OPAQUE (seconds from when it arrived) and the state. */
struct ike_ticket {
	uint8_t opaque[IKE_TICKET_MAX_LEN];
	size_t opaque_len;
	uint32_t lifetime_s;
	struct ike_resume_state st;
};

void ike_resume_state_wipe(struct ike_resume_state *st);


struct ike_cfg {
	enum ike_role role;
	struct ike_prop_cfg ike_props[IKE_CFG_PROPS_MAX];
	size_t n_ike_props;
	struct ike_prop_cfg esp_props[IKE_CFG_PROPS_MAX];
	size_t n_esp_props;
	struct ike_ident local_id;
	struct ike_ident remote_id;    /* what the peer must prove; type 0: any (responder) */
	enum ike_auth_kind auth;       /* how we authenticate */
	enum ike_auth_kind peer_auth;  /* what we require of the peer; 0: as auth */
	const struct secret *psk;      /* IKE_AUTHK_PSK; the owner keeps it alive */
	/* IKE_AUTHK_CERT: our key, certificate and intermediates (sent as CERT
	 * payloads), all owned by the caller. */
	const struct crypto_pkey *key;
	const struct crypto_cert *cert;
	const struct crypto_cert *const *chain;
	size_t n_chain;
	/* Verifying a peer's certificate: the trust anchors, and the SHA-1 of
	 * each anchor's public key for CERTREQ (RFC 7296 3.7). */
	const struct crypto_castore *ca;
	const uint8_t (*ca_hashes)[20];
	size_t n_ca_hashes;
	/* EAP (RFC 7296 2.16). Initiator (auth IKE_AUTHK_EAP): the one method
	 * it accepts (26 MSCHAPv2, 4 MD5 for tests), its EAP identity and
	 * password. Responder (peer_auth IKE_AUTHK_EAP): the method it runs,
	 * and the password of an EAP identity through eap_lookup. */
	uint8_t eap_method;
	const uint8_t *eap_id;
	size_t eap_id_len;
	const struct secret *eap_password;
	int (*eap_lookup)(void *arg, const uint8_t *id, size_t id_len, struct secret **password);
	void *eap_lookup_arg;
	/* EAP-TLS (eap_method 13; RFC 5216, RFC 9190), all borrowed.
	 * Initiator: our certificate and key inside TLS, the trust anchors for
	 * the EAP server's certificate (NULL: ca) and the identity it must
	 * prove (type 0: remote_id). Responder: the EAP server's certificate
	 * and key (NULL: cert and key) and the anchors for client certificates
	 * (NULL: ca); a client certificate must prove the EAP-Identity. Both:
	 * TLS version bounds (0: 1.2 .. 1.3) and TLS octets per EAP packet
	 * (0: 1000). */
	const struct crypto_cert *eap_tls_cert;
	const struct crypto_pkey *eap_tls_key;
	const struct crypto_castore *eap_tls_ca;
	struct ike_ident eap_tls_server_id;
	uint16_t eap_tls_min_version, eap_tls_max_version;
	size_t eap_tls_frag_len;
	/* Child SA traffic selectors: ours and the peer's side. */
	struct ike_ts_cfg ts_local[IKE_CFG_TS_MAX], ts_remote[IKE_CFG_TS_MAX];
	size_t n_ts_local, n_ts_remote;
	/* Initiator: ask for a virtual address and DNS (RFC 7296 3.15). */
	int cp_want_v4, cp_want_v6;
	/* Responder: the pool to hand out from (one address per SA here; the
	 * gateway's pool manager picks it) and the DNS servers. */
	uint8_t cp_v4[4], cp_v6[16];
	int cp_has_v4, cp_has_v6;
	uint8_t dns_v4[IKE_CFG_DNS_MAX][4];
	size_t n_dns_v4;
	uint8_t dns_v6[IKE_CFG_DNS_MAX][16];
	size_t n_dns_v6;
	/* RFC 8598: the DNS domains names under them resolve in (search and
	 * split-DNS domains). */
	char dns_domains[IKE_CFG_DOMAINS_MAX][IKE_DOMAIN_MAX];
	size_t n_dns_domains;
	/* Retransmission (RFC 7296 2.1): first timeout, doubling, give up after
	 * `retx_tries` sends. 0 takes the defaults (1000 ms, 6 tries). */
	uint32_t retx_base_ms;
	uint32_t retx_tries;
	/* Liveness check after this long without a message from the peer, and
	 * rekeys after these lifetimes (RFC 7296 2.4, 2.8); 0: never. */
	uint32_t dpd_ms;
	uint32_t rekey_child_ms;
	uint32_t rekey_ike_ms;
	/* Initiator: an IKE SA without its first Child SA is of no use (remote
	 * access): delete it and report IKE_EV_FAILED. 0: report ESTABLISHED
	 * (with no Child SA) and keep it (RFC 7296 2.21.2). */
	int child_required;
	/* Put ESP in UDP/4500 even without a NAT (RFC 3948): our NAT-D source
	 * hash is made not to match, so the peer sees a NAT in front of us. */
	int force_natt;
	/* Responder: ask for a COOKIE (RFC 7296 2.6) before doing any work. */
	int require_cookie;
	const struct secret *cookie_secret;
	/* The draft code points (NULL: ike_codepoints_default()). */
	const struct ike_codepoints *cp;
	/* draft-ietf-ipsecme-ikev2-reliable-transport: the initiator offers
	 * N(SEPARATE_TRANSPORTS) in IKE_SA_INIT; the responder agrees when it
	 * is offered. ike_sa_separate() tells whether both did. */
	int separate;
	/* draft-ietf-ipsecme-encrypted-esp-ping: N(ENCRYPTED_PING_SUPPORTED)
	 * in IKE_AUTH (the initiator offers, the responder answers when
	 * offered); ike_sa_echo() tells whether both did. */
	int echo;
	/* RFC 5723 session resumption. Initiator: ask for a ticket in IKE_AUTH
	 * (ticket_request); with `resume` set, ike_sa_initiate() starts with
	 * IKE_SESSION_RESUME instead of IKE_SA_INIT (the ticket is copied;
	 * local_id and remote_id are taken from it). resume_auth: what the AUTH
	 * of a resumed IKE_AUTH covers (implementations differ, see
	 * docs/ike-engine.md); either is accepted from the peer.
	 * Responder: ticket_seal makes a ticket for an IKE SA's state (and the
	 * lifetime to announce), ticket_open checks one presented (a negative
	 * errno refuses it with TICKET_NACK). Both NULL: no tickets. */
	int ticket_request;
	const struct ike_ticket *resume;
	enum ike_resume_auth {
		IKE_RESUME_AUTH_MESSAGE = 0, /* prf(SK_px, own IKE_SESSION_RESUME message) */
		IKE_RESUME_AUTH_FULL = 1,    /* prf(SK_px, RFC 7296 2.15 signed octets) */
	} resume_auth;
	int (*ticket_seal)(void *arg, const struct ike_resume_state *st, uint8_t *out, size_t cap,
			   size_t *len, uint32_t *lifetime_s);
	int (*ticket_open)(void *arg, const uint8_t *ticket, size_t len, struct ike_resume_state *st);
	void *ticket_arg;
	/* RFC 4555 MOBIKE: N(MOBIKE_SUPPORTED) in IKE_AUTH (the initiator
	 * offers, the responder answers when offered); ike_sa_mobike() tells
	 * whether both did. */
	int mobike;
	/* RFC 7296 2.4: the initiator says N(INITIAL_CONTACT) in IKE_AUTH (this is
	 * its only IKE SA with the gateway: any other it had is gone, as after a
	 * move); a responder reports it with IKE_EV_INITIAL_CONTACT. */
	int initial_contact;
};

/* A Child SA the engine hands to ops->child_up: keys for each direction as
 * encryption key (+ AEAD salt) followed by the integrity key (RFC 7296 2.17). */
struct ike_child {
	uint32_t spi_in, spi_out;      /* host order */
	struct ike_chosen alg;
	const struct secret *key_in, *key_out;
	struct ike_ts_cfg ts_local[IKE_CFG_TS_MAX], ts_remote[IKE_CFG_TS_MAX];
	size_t n_ts_local, n_ts_remote;
};

/* What the configuration payload gave the initiator. */
struct ike_cp_result {
	int has_v4, has_v6;
	uint8_t v4[4], v6[16];
	uint8_t v6_prefix;
	size_t n_dns_v4, n_dns_v6;
	uint8_t dns_v4[IKE_CFG_DNS_MAX][4];
	uint8_t dns_v6[IKE_CFG_DNS_MAX][16];
	size_t n_domains;                     /* RFC 8598 INTERNAL_DNS_DOMAIN */
	char domains[IKE_CFG_DOMAINS_MAX][IKE_DOMAIN_MAX];
};

enum ike_event {
	IKE_EV_ESTABLISHED,    /* IKE SA and its first Child SA are up */
	IKE_EV_FAILED,         /* err says why; the SA is IKE_S_DEAD */
	IKE_EV_DELETED,        /* the peer or we deleted it */
	IKE_EV_REKEYED,        /* new SPIs and keys (RFC 7296 2.18); Child SAs kept */
	IKE_EV_TICKET,         /* initiator: the gateway gave a ticket (ike_sa_ticket) */
	IKE_EV_UNKNOWN,        /* our request was answered, unprotected, with
	                        * INVALID_IKE_SPI (RFC 7296 2.21.4): the peer
	                        * lost the SA. Unauthenticated: a hint to act on
	                        * (resume), the SA itself is unchanged */
	IKE_EV_INITIAL_CONTACT, /* responder, inside IKE_AUTH once the peer is
	                        * authenticated (before its CP is answered): it
	                        * has no other IKE SA with us; ike_sa_peer_id() */
	IKE_EV_UPDATED,        /* RFC 4555: initiator: the gateway took our new
	                        * addresses; responder: the peer moved (ops->addrs
	                        * has the new ones); NAT state is fresh */
};

struct ike_sa;

struct ike_ops {
	void *ctx;
	/* Send one IKE message (the transport adds any marker or framing). */
	int (*send)(void *ctx, struct ike_sa *sa, const uint8_t *msg, size_t len);
	/* Arm the SA's one timer delay_ms from now (replacing any earlier);
	 * UINT64_MAX cancels it. */
	void (*timer)(void *ctx, struct ike_sa *sa, uint64_t delay_ms);
	uint64_t (*now_ms)(void *ctx);
	int (*random)(void *ctx, void *buf, size_t len);
	/* The addresses the SA's messages use now (NAT detection). */
	void (*addrs)(void *ctx, struct ike_sa *sa, struct ike_addr *local, struct ike_addr *remote);
	int (*child_up)(void *ctx, struct ike_sa *sa, const struct ike_child *c);
	void (*child_down)(void *ctx, struct ike_sa *sa, const struct ike_child *c);
	void (*event)(void *ctx, struct ike_sa *sa, enum ike_event ev, int err);
};

/* RFC 7296 2.21.4: the answer to a request for an IKE SA we do not know
 * (not an IKE_SA_INIT): an unprotected INFORMATIONAL response with the
 * request's SPIs and message ID and one INVALID_IKE_SPI notify, to go back
 * to where the request came from. 0 and out[0..*out_len), -EALREADY for a
 * response (never answered), -EBADMSG for what is not an IKE header,
 * -ENOBUFS when cap is under 36 octets. The caller rate-limits. */
int ike_answer_unknown_spi(const uint8_t *req, size_t len, uint8_t *out, size_t cap,
			   size_t *out_len);

int ike_sa_new(const struct ike_cfg *cfg, const struct ike_ops *ops, struct ike_sa **out);
void ike_sa_free(struct ike_sa *sa);
int ike_sa_initiate(struct ike_sa *sa);
/* Responder: a new SA answering this IKE_SA_INIT request (which it
 * processes). When a COOKIE is required and missing, or the request must be
 * refused, the answer is sent and *out stays NULL with a return of 0. */
int ike_sa_new_r(const struct ike_cfg *cfg, const struct ike_ops *ops, const uint8_t *msg,
		 size_t len, struct ike_sa **out);
/* A message for this SA. Bad input is dropped (or answered with the notify
 * RFC 7296 asks for) and never harms an established SA: the return value
 * says what happened to this message only. */
int ike_sa_recv(struct ike_sa *sa, const uint8_t *msg, size_t len);
void ike_sa_on_timer(struct ike_sa *sa);
/* Start an INFORMATIONAL Delete of the IKE SA. */
int ike_sa_delete(struct ike_sa *sa);
/* Start a CREATE_CHILD_SA rekey of the current Child SA / of the IKE SA,
 * or a liveness check, now (the timers in ike_cfg start them too). */
int ike_sa_rekey_child(struct ike_sa *sa);
int ike_sa_rekey_ike(struct ike_sa *sa);
int ike_sa_dpd(struct ike_sa *sa);

enum ike_state ike_sa_state(const struct ike_sa *sa);
void ike_sa_spis(const struct ike_sa *sa, uint8_t spi_i[8], uint8_t spi_r[8]);
/* 1 when a message with these SPIs belongs to this SA: its own, or the
 * peer's redundant SA of an IKE rekey collision, until the peer deletes it
 * (RFC 7296 2.8.2). Owners that route by SPI ask this when no SA matches. */
int ike_sa_claims_spis(const struct ike_sa *sa, const uint8_t spi_i[8], const uint8_t spi_r[8]);
const struct ike_chosen *ike_sa_ike_alg(const struct ike_sa *sa);
const struct ike_cp_result *ike_sa_cp(const struct ike_sa *sa);
/* 1 when NAT detection found a NAT in front of us / the peer. */
int ike_sa_nat_local(const struct ike_sa *sa);
int ike_sa_nat_remote(const struct ike_sa *sa);
/* Initiator: the notify the gateway refused the first Child SA with
 * (NO_PROPOSAL_CHOSEN, TS_UNACCEPTABLE, TEMPORARY_FAILURE...), 0 if none;
 * with child_required this is why IKE_EV_FAILED came. */
uint16_t ike_sa_child_refused(const struct ike_sa *sa);
/* 1 when both sides sent N(SEPARATE_TRANSPORTS) in IKE_SA_INIT: every
 * later IKE exchange of this SA runs over TCP (the owner moves it). */
int ike_sa_separate(const struct ike_sa *sa);
/* 1 when both sides sent N(ENCRYPTED_PING_SUPPORTED): ESP Echo may be used
 * on this SA's Child SAs. */
int ike_sa_echo(const struct ike_sa *sa);
/* The owner moved the SA onto a reliable stream (RFC 9329 TCP) or back to
 * UDP. On a stream nothing is fragmented (RFC 9329 5) and a request is not
 * retransmitted: it fails after the whole UDP schedule's time. */
void ike_sa_set_reliable(struct ike_sa *sa, int on);
/* Send the request in flight once more (the stream it went out on was
 * replaced: RFC 9329 6, the originator resends on the new connection). */
void ike_sa_resend(struct ike_sa *sa);
/* RFC 5723. Initiator: the last ticket the gateway gave (0), -ENOENT.
 * Responder: 1 and the ticket's state when the SA was made by
 * IKE_SESSION_RESUME (the owner deletes what is left of the old SA), 0. */
int ike_sa_ticket(const struct ike_sa *sa, struct ike_ticket *out);
/* RFC 5723 4.3.2: ask for a new ticket now, in an INFORMATIONAL exchange
 * (before the last one expires, or after an IKE SA rekey changed SK_d);
 * IKE_EV_TICKET when it comes. -EINVAL unless ESTABLISHED. */
int ike_sa_request_ticket(struct ike_sa *sa);
int ike_sa_resumed(const struct ike_sa *sa, struct ike_resume_state *old);
/* Responder: the virtual addresses its CP hands out from now on (NULL: none
 * of that family); before IKE_AUTH, e.g. once a resumed SA is known to
 * take over an old one's addresses. */
void ike_sa_set_cp(struct ike_sa *sa, const uint8_t v4[4], const uint8_t v6[16]);
/* The identity the peer authenticated with (type 0 before IKE_AUTH). */
const struct ike_ident *ike_sa_peer_id(const struct ike_sa *sa);
/* RFC 4555: 1 when both sides sent MOBIKE_SUPPORTED. */
int ike_sa_mobike(const struct ike_sa *sa);
/* RFC 4555 3.5: the initiator's addresses changed (ops->addrs gives the new
 * ones): send INFORMATIONAL { UPDATE_SA_ADDRESSES, NAT-D, COOKIE2 } once the
 * exchange in flight, if any, is done (its retransmissions already use the
 * new path). IKE_EV_UPDATED when the gateway answers; IKE_EV_FAILED when it
 * does not. -ENOTSUP without MOBIKE, -EINVAL before ESTABLISHED. */
int ike_sa_update_addresses(struct ike_sa *sa);
void *ike_sa_user(const struct ike_sa *sa);
void ike_sa_set_user(struct ike_sa *sa, void *user);

#endif
