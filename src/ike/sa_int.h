/* Inside the IKE engine: the IKE SA object, the task interface, and the
 * message structures tasks read and write. Not for code outside src/ike. */
#ifndef PETREL_IKE_SA_INT_H
#define PETREL_IKE_SA_INT_H

#include "base/err.h"
#include "base/log.h"
#include "crypto/ke.h"
#include "ike/ike.h"
#include "ike/pld/pld.h"
#include "ike/pld/rules.h"

struct ike_keymat;
struct ike_reasm;

/* A received message as tasks see it: the raw bytes (AUTH signs them), the
 * header, and the payloads (the decrypted inner chain for SK exchanges). */
struct ike_msg_in {
	const uint8_t *raw;
	size_t len;
	struct ike_hdr hdr;
	const struct ike_chain *chain;
};

/* A message being built: tasks add payloads through b (the outer chain
 * for IKE_SA_INIT, the inner chain otherwise). */
struct ike_msg_out {
	struct ike_hdr hdr;
	struct ike_bld b;
	struct wb w;
};

/* Task results: 0 done, IKE_TASK_MORE another round of the same exchange
 * is needed, or a negative errno (the SA fails). */
#define IKE_TASK_MORE 1

struct ike_task;
struct ike_task_ops {
	const char *name;
	uint8_t exch;
	/* initiator: build the request, process the response;
	 * responder: process the request, build the response. */
	int (*build)(struct ike_task *t, struct ike_sa *sa, struct ike_msg_out *m);
	int (*process)(struct ike_task *t, struct ike_sa *sa, const struct ike_msg_in *m);
	void (*free)(struct ike_task *t);
};

struct ike_task {
	const struct ike_task_ops *ops;
	struct ike_task *next;
	int initiator;
	uint8_t exch;      /* the exchange of its next round; 0: ops->exch */
	int keep;          /* responder: waits for an IKE_FOLLOWUP_KE (RFC 9370) */
};

/* One datagram kept for retransmission or as a cached response. */
struct ike_dgram {
	uint8_t *p;
	size_t len;
};

struct ike_dgrams {
	size_t n;
	struct ike_dgram d[PT_IKE_FRAGS_MAX];
};

/* A Child SA of this IKE SA: what the data plane was given, and its keys. */
#define IKE_CHILDREN_MAX 4u
struct ike_child_sa {
	struct ike_child c;
	struct secret *key_in, *key_out;
	uint8_t used;
	uint8_t rekeyed;   /* replaced by a newer Child SA; deleted soon */
	uint8_t deleting;  /* our Delete for it is in flight */
};

/* How long the peer's redundant IKE SA (2.8.2) is kept for its Delete, and
 * after answering it, for retransmissions of that Delete. */
#define IKE_REDUNDANT_WAIT_MS 300000u
#define IKE_REDUNDANT_LINGER_MS 60000u

/* The IKE SA that a CREATE_CHILD_SA rekey made (RFC 7296 2.18): it takes
 * over when the old one's Delete completes. */
struct ike_next {
	uint8_t spi_i[8], spi_r[8];
	struct ike_keymat *km;
	struct ike_chosen alg;
	uint8_t ni[PT_IKE_NONCE_MAX_LEN], nr[PT_IKE_NONCE_MAX_LEN];
	size_t ni_len, nr_len;
	enum ike_role role;     /* whoever started the rekey is the new initiator */
};

struct ike_sa {
	struct ike_cfg cfg;
	struct ike_ops ops;
	void *user;
	enum ike_state state;
	enum ike_role role;
	uint8_t spi_i[8], spi_r[8];

	/* IKE_SA_INIT results. */
	struct ike_chosen alg;
	struct ike_keymat *km;
	struct ike_reasm *reasm;           /* RFC 7383, made on the first SKF */
	uint8_t ni[PT_IKE_NONCE_MAX_LEN], nr[PT_IKE_NONCE_MAX_LEN];
	size_t ni_len, nr_len;
	struct ike_dgram init_i, init_r;   /* the IKE_SA_INIT messages, for AUTH */
	int nat_local, nat_remote;
	int peer_frag;                     /* RFC 7383 IKEV2_FRAGMENTATION_SUPPORTED */
	int separate;                      /* both sent SEPARATE_TRANSPORTS */
	int intermediate;                  /* both sent INTERMEDIATE_EXCHANGE_SUPPORTED */
	/* RFC 9370: additional key exchanges done (the last ADDKEn), and the
	 * responder's shared secret waiting for its response to go out. */
	unsigned addke_done, pending_addke;
	struct secret *pending_ke;
	/* RFC 9242 3.2: the IntAuth chains and the IKE_INTERMEDIATE exchanges
	 * done (IKE_AUTH's first message ID is that count + 1). */
	uint8_t intauth_i[64], intauth_r[64];
	size_t intauth_i_len, intauth_r_len;
	uint32_t n_inter;
	int echo;                          /* both sent ENCRYPTED_PING_SUPPORTED */
	int reliable;                      /* IKE runs on a stream (RFC 9329) */
	uint16_t peer_sig_hashes;          /* RFC 7427 4: bit n for hash ID n */

	/* Message IDs (RFC 7296 2.3), window size 1. */
	uint32_t next_req_id;              /* our next request */
	uint32_t peer_req_id;              /* the next request we accept */

	/* Responder: IKE_AUTH tasks kept across the rounds of an EAP
	 * conversation (RFC 7296 2.16). */
	struct ike_task *auth_tasks;
	int eap_failed;                    /* responder: an EAP Failure is being sent */
	struct ike_task *followup;         /* responder: a rekey waiting for IKE_FOLLOWUP_KE */
	uint16_t child_failed;             /* initiator: why IKE_AUTH made no Child SA */
	int fail_after_delete;             /* report FAILED, not DELETED, when the Delete is done */

	/* Exchanges we start: the queue, and the tasks of the one in flight. */
	struct ike_task *queue, *active;
	uint8_t active_exch;
	struct ike_dgrams req;             /* what was sent, for retransmission */
	uint32_t retx_count;
	uint64_t retx_at;                  /* UINT64_MAX: nothing to retransmit */

	/* A responder task's refusal: the response is this notify alone. */
	uint16_t resp_error;
	uint8_t resp_error_data[PT_IKE_COOKIE_MAX_LEN];
	size_t resp_error_len;

	/* Responses we sent, answered again to a retransmitted request. */
	uint32_t resp_id;
	struct ike_dgrams resp;

	/* Child SAs and configuration results. */
	struct ike_cp_result cp;
	struct ike_child_sa children[IKE_CHILDREN_MAX];
	struct ike_next *next;            /* a rekeyed IKE SA waiting to take over */
	struct ike_next *next_peer;       /* the peer's colliding rekey, until ours completes */
	struct ike_next *redundant;       /* the peer's losing rekey (2.8.2), kept to answer its Delete */
	uint64_t redundant_until;         /* ... until then (ms) */

	/* RFC 5723: resumed (the IKE_SESSION_RESUME messages stand in
	 * init_i/init_r for AUTH), the state from the ticket (initiator: what it
	 * presented; responder: what the ticket opened to), and the last
	 * ticket the gateway gave an initiator. */
	int resumed;
	struct ike_ticket *resume;
	struct ike_ticket *ticket;
	struct ike_ident peer_id;          /* as authenticated (tickets carry it) */
	/* RFC 4555 */
	int mobike;
	/* Events a task saw, told once its exchange is done (IKE_EV_TICKET,
	 * IKE_EV_UPDATED as bits 1 << ev). */
	unsigned pending_ev;
	uint32_t unknown_told;             /* INVALID_IKE_SPI told for request id - 1 */

	/* Timers besides retransmission (UINT64_MAX: off). */
	uint64_t dpd_at, rekey_child_at, rekey_ike_at;

	/* Scratch for building and for decrypted payloads. */
	uint8_t out_buf[PT_IKE_MSG_MAX_LEN];
	uint8_t inner_buf[PT_IKE_MSG_MAX_LEN];
	uint8_t plain_buf[PT_IKE_MSG_MAX_LEN];
	struct ike_chain chain_buf;
};

/* Payload helpers (task/common.c). */
int ike_in_nonce(const struct ike_msg_in *m, uint8_t *out, size_t *len);
int ike_out_nonce(struct ike_msg_out *m, const uint8_t *n, size_t len);
int ike_out_ts(struct ike_msg_out *m, uint8_t type, const struct ike_ts_cfg *ts, size_t n);
int ike_in_ts(const struct ike_msg_in *m, uint8_t type, struct ike_ts_cfg *out, size_t *n);
/* SA payloads: our offer, our answer; the responder's choice from a
 * request (-ENOENT: nothing acceptable, -EBADMSG: no or a bad SA payload)
 * and the initiator's check of an answer (-EPROTO). */
int ike_out_sa_offer(struct ike_msg_out *m, const struct ike_prop_cfg *props, size_t n,
		     const uint8_t *spi, uint8_t spi_len);
int ike_out_sa_chosen(struct ike_msg_out *m, const struct ike_chosen *c, const uint8_t *spi,
		      uint8_t spi_len);
int ike_in_sa_select(const struct ike_msg_in *m, const struct ike_prop_cfg *props, size_t n,
		     struct ike_chosen *out);
int ike_in_sa_accept(const struct ike_msg_in *m, const struct ike_prop_cfg *props, size_t n,
		     struct ike_chosen *out);

/* ESP SPIs travel as 4 octets in network order. */
static inline uint32_t ike_spi32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void ike_spi32_put(uint32_t v, uint8_t *b)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

/* Child SAs (child_sa.c). */
/* Derive KEYMAT (RFC 7296 2.17: prf+(SK_d, [g^ir] | Ni | Nr), with RFC 9370's
 * SK(1..n) after the nonces when ke[] has more than one; the keys for
 * the exchange initiator's outbound direction first) and hand the SA to the
 * data plane. exch_initiator: 1 when we started the exchange that made it. */
int ike_child_install(struct ike_sa *sa, const struct ike_chosen *alg, uint32_t spi_in,
		      uint32_t spi_out, const struct ike_ts_cfg *ts_l, size_t n_l,
		      const struct ike_ts_cfg *ts_r, size_t n_r, const struct secret *const *ke,
		      size_t n_ke, const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
		      int exch_initiator, struct ike_child_sa **out);
void ike_child_remove(struct ike_sa *sa, struct ike_child_sa *c);
void ike_children_remove_all(struct ike_sa *sa);
struct ike_child_sa *ike_child_by_spi_in(struct ike_sa *sa, uint32_t spi);
struct ike_child_sa *ike_child_by_spi_out(struct ike_sa *sa, uint32_t spi);
/* The newest Child SA that is not being replaced or deleted. */
struct ike_child_sa *ike_child_current(struct ike_sa *sa);
int ike_child_new_spi(struct ike_sa *sa, uint32_t *spi);
size_t ike_child_encr_key_len(const struct ike_chosen *c);

/* Tasks (src/ike/task/). */
int ike_task_init_new(struct ike_sa *sa, int initiator, struct ike_task **out);
int ike_task_inter_new(struct ike_sa *sa, int initiator, struct ike_task **out);
/* RFC 9370 / RFC 9242 helpers (task/inter.c): the responder's key update
 * once its response is out, and one IKE_INTERMEDIATE message into its
 * sender's IntAuth chain. */
int ike_sa_apply_pending_ke(struct ike_sa *sa);
int ike_sa_intauth(struct ike_sa *sa, const struct ike_hdr *h, uint8_t first, const uint8_t *plain,
		   size_t plain_len);
/* Put a task first in the queue (an exchange that must come next). */
void ike_sa_queue_front(struct ike_sa *sa, struct ike_task *t);
int ike_task_auth_new(struct ike_sa *sa, int initiator, struct ike_task **out);
/* RFC 5723 (task/resume.c): IKE_SESSION_RESUME, and the resumed IKE_AUTH's
 * identities and AUTH in place of ike_task_auth_new's. */
int ike_task_resume_new(struct ike_sa *sa, int initiator, struct ike_task **out);
int ike_task_resume_auth_new(struct ike_sa *sa, int initiator, struct ike_task **out);
/* RFC 5723 tickets and RFC 4555 MOBIKE notifies riding in IKE_AUTH, and
 * their INFORMATIONAL exchanges (task/ticket.c, task/mobike.c). */
int ike_task_ticket_new(struct ike_sa *sa, int initiator, struct ike_task **out);
int ike_task_ticket_info_new(struct ike_sa *sa, struct ike_task **out);
int ike_task_mobike_new(struct ike_sa *sa, int initiator, struct ike_task **out);
int ike_task_mobike_update_new(struct ike_sa *sa, struct ike_task **out);
/* RFC 7296 2.15 (task/auth.c): the ID payload body of an identity, and the
 * octets one side signs (a new buffer), for the resumed IKE_AUTH too. */
int ike_auth_id_body(const struct ike_ident *id, uint8_t *out, size_t cap, size_t *len);
int ike_auth_signed_octets(struct ike_sa *sa, int for_initiator, const uint8_t *idb,
			   size_t idb_len, uint8_t **out, size_t *out_len);
/* RFC 7296 2.23 (task/init.c): our NAT_DETECTION notifies for the current
 * addresses, and the peer's checked against them. */
int ike_out_nat_d(struct ike_sa *sa, struct ike_msg_out *m);
void ike_in_nat_d(struct ike_sa *sa, const struct ike_msg_in *m);
/* RFC 7296 2.6 (RFC 5723 4.3.1 too): with cfg.require_cookie, 0 when the
 * request carries our cookie, else -EAGAIN after refusing it with one. */
int ike_check_cookie(struct ike_sa *sa, const struct ike_msg_in *m);
/* The tasks that answer the request `in` (exchanges.c); -ENOTSUP when no
 * task serves its exchange here. Free a list with ike_tasks_free(). */
int ike_sa_responder_tasks(struct ike_sa *sa, const struct ike_msg_in *in, struct ike_task **out);
void ike_tasks_free(struct ike_task *t);
/* RFC 7296 2.21.4 (sa_roam.c): 1 when this response is an unprotected
 * INVALID_IKE_SPI to our request (the owner hears of it once), else 0. */
int ike_sa_unknown_spi_answer(struct ike_sa *sa, const struct ike_msg *outer);
/* 1 for IKE_SA_INIT and IKE_SESSION_RESUME: unencrypted, message ID 0,
 * SPIr still zero in the request. */
int ike_exch_first(uint8_t exch);
int ike_task_child_new(struct ike_sa *sa, int initiator, struct ike_task **out);
int ike_task_cfg_new(struct ike_sa *sa, int initiator, struct ike_task **out);
int ike_task_info_new(struct ike_sa *sa, int initiator, struct ike_task **out);
int ike_task_delete_new(struct ike_sa *sa, int initiator, struct ike_task **out);
int ike_task_dpd_new(struct ike_sa *sa, struct ike_task **out);
/* Initiator: delete one Child SA (identified by its inbound SPI). */
int ike_task_delete_child_new(struct ike_sa *sa, uint32_t spi_in, struct ike_task **out);
/* CREATE_CHILD_SA: rekey a Child SA / the IKE SA; responder side chosen
 * from the request (ike_task_ccsa_r_new). */
int ike_task_rekey_child_new(struct ike_sa *sa, uint32_t spi_in, struct ike_task **out);
int ike_task_rekey_ike_new(struct ike_sa *sa, struct ike_task **out);
int ike_task_ccsa_r_new(struct ike_sa *sa, const struct ike_msg_in *m, struct ike_task **out);
int ike_task_rekey_child_r_new(struct ike_sa *sa, struct ike_task **out);
int ike_task_rekey_ike_r_new(struct ike_sa *sa, struct ike_task **out);
/* The active (in flight) task of our own of this kind, or NULL. */
struct ike_task *ike_sa_active_task(struct ike_sa *sa, const char *name);
/* Queue a task to run after the current exchanges. */
void ike_sa_queue(struct ike_sa *sa, struct ike_task *t);
/* Replace the IKE SA's SPIs, keys and message IDs with sa->next
 * (RFC 7296 2.18); the Child SAs stay. */
void ike_sa_take_over(struct ike_sa *sa);
void ike_next_free(struct ike_next *n);
/* Protect a message with other keys than the SA's own (a redundant SA
 * after a rekey collision). */
int ike_sa_protect_with(struct ike_sa *sa, struct ike_keymat *km, const struct ike_hdr *h,
			uint8_t first, const uint8_t *inner, size_t inner_len, struct wb *out);

/* Helpers tasks share (sa.c). */
int ike_sa_random(struct ike_sa *sa, void *buf, size_t len);
void ike_sa_set_state(struct ike_sa *sa, enum ike_state st);
void ike_sa_fail(struct ike_sa *sa, int err, const char *why);
/* Responder: answer the request being processed with this error notify
 * (and data, at most PT_IKE_COOKIE_MAX_LEN octets) instead of the tasks' payloads. */
void ike_sa_refuse(struct ike_sa *sa, uint16_t notify, const uint8_t *data, size_t len);
int ike_dgrams_add(struct ike_dgrams *d, const uint8_t *p, size_t len);
/* Replace *d with a copy of p[0..len). */
int ike_dgram_copy(struct ike_dgram *d, const uint8_t *p, size_t len);
/* Add a Notify payload (no SPI) to the message being built. */
int ike_out_notify(struct ike_msg_out *m, uint16_t type, const uint8_t *data, size_t len);
/* The first Notify of a type in a received message, or NULL. */
const struct ike_pld *ike_in_notify(const struct ike_msg_in *m, uint16_t type,
				    struct ike_notify *n);
/* The first error notify in a received message (0 when none). */
uint16_t ike_in_error(const struct ike_msg_in *m);

/* CERTREQ for the CAs we trust, when we require a certificate (auth.c). */
int ike_auth_add_certreq(struct ike_sa *sa, struct ike_msg_out *m);

/* Protection (sa_sk.c): derive IKE keys from g^ir, protect an inner chain,
 * unprotect a received SK/SKF message. */
int ike_sa_derive_keys(struct ike_sa *sa, const struct secret *gir);
int ike_sa_protect(struct ike_sa *sa, const struct ike_hdr *h, uint8_t first,
		   const uint8_t *inner, size_t inner_len, struct ike_dgrams *out);
int ike_sa_unprotect(struct ike_sa *sa, const uint8_t *msg, size_t len,
		     const struct ike_msg *outer, const uint8_t **plain, size_t *plain_len,
		     uint8_t *first);
void ike_sa_keys_free(struct ike_sa *sa);
/* A request under sa->redundant's SPIs: answered (an INFORMATIONAL, at
 * most its Delete) and dropped otherwise. */
int ike_sa_answer_redundant(struct ike_sa *sa, const uint8_t *msg, size_t len,
			    const struct ike_msg *outer);
/* SK_pi (for_initiator) or SK_pr; NULL before IKE_SA_INIT completed. */
const struct secret *ike_sa_sk_p(const struct ike_sa *sa, int for_initiator);
/* SK_d, for Child SA keys and rekeys. */
const struct secret *ike_sa_sk_d(const struct ike_sa *sa);

#define IKE_LOG "ike"

#endif
