/* src/conf: YAML configuration to a validated, immutable struct. The only
 * code in petrel that includes <yaml.h>.
 *
 * Two file shapes are accepted (PRODUCT.md "Interfaces"):
 *   /etc/petrel/petrel.yaml     { profiles: { NAME: PROFILE, ... },
 *                                 codepoints: { ... }, log_level: info }
 *   /etc/petrel/profiles.d/NAME.yaml{ NAME: PROFILE, ... }
 * Every error names the file, line and column; loading goes on after an
 * error so that one run reports all of them (up to PT_CONF_DIAGS_MAX). A
 * file with any error adds nothing to the configuration. The configuration
 * holds paths to secrets, never secrets. */
#ifndef PETREL_CONF_CONF_H
#define PETREL_CONF_CONF_H

#include <stddef.h>
#include <stdint.h>

#include "base/limits.h"

#define CONF_NAME_MAX 64
#define CONF_STR_MAX 256
#define CONF_PATH_MAX 1024
#define CONF_LIST_MAX 16
#define CONF_PROPOSAL_MAX 128

enum conf_auth_method {
	CONF_AUTH_PSK,
	CONF_AUTH_CERT,
	CONF_AUTH_EAP_MSCHAPV2,
	CONF_AUTH_EAP_TLS,
	CONF_AUTH_EAP_MD5,
};

enum conf_transport {
	CONF_TRANSPORT_AUTO,     /* separate, with the fallbacks */
	CONF_TRANSPORT_SEPARATE, /* IKE_SA_INIT on UDP, the rest of IKE on TCP, ESP on UDP */
	CONF_TRANSPORT_TCP,      /* IKE and ESP in TCP (RFC 9329) */
	CONF_TRANSPORT_UDP,      /* IKE and ESP on UDP (RFC 7296, RFC 3948) */
};

enum conf_pq { CONF_PQ_PREFERRED, CONF_PQ_REQUIRED, CONF_PQ_OFF };
enum conf_routes { CONF_ROUTES_FULL, CONF_ROUTES_SPLIT, CONF_ROUTES_LIST };
enum conf_dns { CONF_DNS_AUTO, CONF_DNS_OFF, CONF_DNS_LIST };

struct conf_addr {
	int family;        /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	uint8_t prefix_len; /* 32/128 for a plain address */
};

struct conf_auth {
	enum conf_auth_method method;
	char user[CONF_STR_MAX];      /* EAP identity */
	char psk_file[CONF_PATH_MAX]; /* psk: file holding the key (0600) */
	char cert[CONF_PATH_MAX];     /* cert, eap-tls: our certificate */
	char key[CONF_PATH_MAX];      /* cert, eap-tls: our private key */
};

struct conf_profile {
	char name[CONF_NAME_MAX];
	char file[CONF_PATH_MAX]; /* where it was defined */
	unsigned line;
	char gateway[CONF_STR_MAX]; /* host name or address, without the port */
	uint16_t port;
	char remote_id[CONF_STR_MAX];
	char local_id[CONF_STR_MAX];
	char ca[CONF_PATH_MAX];
	struct conf_auth auth;
	enum conf_transport transport;
	enum conf_pq pq;
	char ike_proposals[CONF_LIST_MAX][CONF_PROPOSAL_MAX];
	unsigned n_ike_proposals;
	char esp_proposals[CONF_LIST_MAX][CONF_PROPOSAL_MAX];
	unsigned n_esp_proposals;
	enum conf_routes routes;
	struct conf_addr route_list[CONF_LIST_MAX];
	unsigned n_routes;
	enum conf_dns dns;
	struct conf_addr dns_list[CONF_LIST_MAX];
	unsigned n_dns;
	int resume;       /* RFC 5723: ask for tickets, resume after a move or wake */
	int mobike;       /* RFC 4555: offer MOBIKE, update the SA's addresses after a move */
	int kill_switch;
	int encap_udp;    /* encap: udp puts ESP in UDP/4500 even without a NAT (auto: only with one) */
	unsigned mtu; /* 0: derive from the path */
	/* Rekey the Child SA after this many seconds (0: one hour). Not in the
	 * documented schema: tests use it to rekey under traffic (issue 4). */
	unsigned rekey_child_s;
	/* ESP Echo probes of the datagram path: one every interval_ms while
	 * it works (0: only after setup), a probe unanswered for timeout_ms is
	 * sent again, `retries` unanswered in a row move ESP into TCP. */
	unsigned echo_interval_ms, echo_timeout_ms, echo_retries;
	/* Separate transports when TCP/4500 does not connect: 0 start again on
	 * UDP without SEPARATE_TRANSPORTS (RFC 7383 fragments), 1 fail. */
	int tcp_blocked_fail;
};

/* The draft code points that are still TBD (PRODUCT.md "Code points"). A
 * field is 0 when the file did not set it; the engine keeps its default. */
struct conf_codepoints {
	uint16_t separate_transports;
	uint16_t encrypted_ping_supported;
	uint8_t echo_next_header;
	uint8_t echo_request;
	uint8_t echo_reply;
};

struct conf {
	struct conf_profile *profiles;
	unsigned n_profiles;
	struct conf_codepoints codepoints;
	int log_level; /* -1: not set; else enum pt_log_level */
};

struct conf_diag {
	char file[CONF_PATH_MAX];
	unsigned line; /* 1-based; 0 when the error is about the whole file */
	unsigned col;  /* 1-based */
	char msg[256];
};

struct conf_diags {
	struct conf_diag items[PT_CONF_DIAGS_MAX];
	unsigned n;
	unsigned dropped; /* errors past PT_CONF_DIAGS_MAX */
};

void conf_init(struct conf *c);
void conf_free(struct conf *c);

/* Load one file, or a buffer named `name` (for tests and fuzzing). Returns 0,
 * or -EINVAL when diags received errors, or -errno when the file could not
 * be read (also reported as a diag). */
int conf_load_file(struct conf *c, const char *path, struct conf_diags *d);
int conf_load_buf(struct conf *c, const char *name, const char *buf, size_t len,
		  struct conf_diags *d);
/* Load DIR/petrel.yaml (if present) and DIR/profiles.d/ *.yaml in name order. */
int conf_load_dir(struct conf *c, const char *dir, struct conf_diags *d);

const struct conf_profile *conf_profile_find(const struct conf *c, const char *name);

/* "file:line:col: message" */
int conf_diag_format(const struct conf_diag *dg, char *out, size_t out_len);

const char *conf_transport_name(enum conf_transport t);
const char *conf_pq_name(enum conf_pq p);
const char *conf_auth_method_name(enum conf_auth_method m);

/* ---- petrel-gw (conf_gw.c) -------------------------------------------
 * The gateway's file: { gateway: { listen, id, psk_file, cert, key, chain,
 * client_auth, ca, eap_users, pool, pool6, dns, subnets, proposals: { ike,
 * esp }, cookie_threshold, log_level } }.
 * The gateway authenticates with its certificate (cert + key, sent as CERT
 * with the chain) or else with the PSK; clients as client_auth says: psk
 * (psk_file), cert (a certificate from the CAs in ca) or eap-mschapv2 (the
 * users in eap_users, each NAME: password file). Files are absolute paths;
 * petrel-gw reads them at startup (keys and passwords 0600).
 * Proposal strings are kept with the place they were written so petrel-gw
 * can parse them with the engine's parser (conf does not depend on src/ike)
 * and point at file:line:col for a bad one. */
#define CONF_GW_SUBNETS_MAX 4 /* IKE_CFG_TS_MAX */
#define CONF_GW_DNS_MAX 4     /* IKE_CFG_DNS_MAX */
#define CONF_GW_CHAIN_MAX 4   /* intermediate certificates sent after ours */
#define CONF_GW_EAP_USERS_MAX CONF_LIST_MAX

enum conf_gw_client_auth {
	CONF_GW_CLIENT_PSK,
	CONF_GW_CLIENT_CERT,
	CONF_GW_CLIENT_EAP_MSCHAPV2,
};

struct conf_gw_eap_user {
	char name[CONF_STR_MAX];          /* the EAP identity, as sent in EAP-Identity */
	char password_file[CONF_PATH_MAX];
	unsigned line, col;               /* of the entry, for petrel-gw's diagnostics */
};

struct conf_gw_prop {
	char s[CONF_PROPOSAL_MAX];
	unsigned line, col;
};

struct conf_gw_range {
	struct conf_addr start, end; /* same family, start <= end */
};

struct conf_gw {
	char file[CONF_PATH_MAX];
	struct conf_addr listen;
	char id[CONF_STR_MAX];
	char psk_file[CONF_PATH_MAX];      /* "" when no side uses a PSK */
	char cert[CONF_PATH_MAX], key[CONF_PATH_MAX]; /* "" or both */
	char chain[CONF_GW_CHAIN_MAX][CONF_PATH_MAX];
	unsigned n_chain;
	enum conf_gw_client_auth client_auth;
	char ca[CONF_PATH_MAX];            /* client_auth cert */
	struct conf_gw_eap_user eap_users[CONF_GW_EAP_USERS_MAX]; /* client_auth eap-mschapv2 */
	unsigned n_eap_users;
	int has_pool, has_pool6;
	struct conf_gw_range pool;   /* IPv4 */
	struct conf_gw_range pool6;  /* IPv6 */
	struct conf_addr dns[CONF_GW_DNS_MAX];
	unsigned n_dns;
	char dns_domains[4][254];  /* RFC 8598 INTERNAL_DNS_DOMAIN: a name of at most 253 octets */
	unsigned n_dns_domains;
	struct conf_addr subnets[CONF_GW_SUBNETS_MAX];
	unsigned n_subnets;
	struct conf_gw_prop ike_proposals[CONF_LIST_MAX];
	unsigned n_ike_proposals;
	struct conf_gw_prop esp_proposals[CONF_LIST_MAX];
	unsigned n_esp_proposals;
	unsigned cookie_threshold; /* half-open SAs before COOKIEs are required */
	int log_level;             /* -1: not set; else enum pt_log_level */
	/* The data path: a TUN named `tun` ("" = none: IKE only) carrying the
	 * clients' packets, with the gateway's own inside addresses on it. */
	char tun[16];
	struct conf_addr tun_addrs[2];
	unsigned n_tun_addrs;
	/* Transports (all on by default): listen on TCP/4500 for RFC 9329
	 * streams; agree to SEPARATE_TRANSPORTS; agree to
	 * ENCRYPTED_PING_SUPPORTED and answer ESP Echo; the draft code points
	 * (0: the default). */
	int tcp;
	int separate_transports;
	int echo;
	struct conf_codepoints codepoints;
	/* Roaming: agree to MOBIKE (RFC 4555); RFC 5723 tickets (lifetime 0:
	 * none; a new sealing key every rotate_s; key_file "" keeps keys in
	 * memory only, a file keeps one key across restarts, for tests). */
	int mobike;
	unsigned ticket_lifetime_s, ticket_rotate_s;
	char ticket_key_file[CONF_PATH_MAX];
};

/* Load petrel-gw's configuration. 0, -EINVAL with diags, or -errno when the
 * file cannot be read (also a diag). *g is complete only on 0. */
int conf_gw_load_buf(struct conf_gw *g, const char *name, const char *buf, size_t len,
		     struct conf_diags *d);
int conf_gw_load_file(struct conf_gw *g, const char *path, struct conf_diags *d);

#endif
