/* The IKEv2 wire codec (RFC 7296 3): the message header, the payload chain,
 * and one typed codec per payload.
 *
 * Decoding is zero copy: every pointer in a decoded struct points into the
 * buffer that was decoded, which must outlive it. Checks run in the order of
 * STYLE.md "Bytes from a peer":
 *
 *   ike_msg_decode()      header, then the payload chain (count cap, loops
 *                         end, critical unknown payloads, fixed body parts)
 *   ike_rules_check_*()   which payloads this exchange may carry (rules.h)
 *   ike_chain_validate()  every known payload through its typed decoder
 *                         (per-payload semantic limits)
 *   ike_<pld>_decode()    what the task reads
 *
 * Return values: 0, -EBADMSG (malformed), -EPROTO (against the protocol),
 * -E2BIG (a cap from limits.h), -ENOBUFS (encoding did not fit). Where a
 * responder would answer with a notify, struct ike_diag names it.
 *
 * Encoders write exactly what the decoders read: encode(decode(x)) == x for
 * well-formed x (reserved fields zero, as RFC 7296 3.2 says to send). The
 * message encoder copies payload bodies as they are, so a decoded message,
 * unknown payloads and the SK/SKF envelope included, re-encodes byte for byte. */
#ifndef PETREL_IKE_PLD_PLD_H
#define PETREL_IKE_PLD_PLD_H

#include <stddef.h>
#include <stdint.h>

#include "base/cursor.h"
#include "base/limits.h"
#include "base/wbuf.h"
#include "ike/pld/consts.h"

#define IKE_HDR_LEN     28u
#define IKE_PLD_HDR_LEN 4u
#define IKE_SPI_LEN     8u
#define IKE_PLD_MAX_LEN 65535u /* the generic header's 16-bit length */

/* Why a decode or a rules check failed: enough for one log line and for the
 * notify a responder would send back. */
struct ike_diag {
	const char *reason; /* static text, never NULL after a failure */
	uint16_t notify;    /* INVALID_SYNTAX, UNSUPPORTED_CRITICAL_PAYLOAD, INVALID_MAJOR_VERSION or 0 */
	uint8_t pld_type;   /* the payload concerned; for UNSUPPORTED_CRITICAL_PAYLOAD the notify data */
	size_t off;         /* offset in the decoded buffer */
};

/* ---- message header (RFC 7296 3.1) ---- */

struct ike_hdr {
	uint8_t spi_i[IKE_SPI_LEN];
	uint8_t spi_r[IKE_SPI_LEN];
	uint8_t next;     /* first payload type */
	uint8_t version;  /* major << 4 | minor, as received */
	uint8_t exch;     /* enum ike_exch */
	uint8_t flags;    /* IKE_HDR_F_*, reserved bits as received */
	uint32_t msg_id;
	uint32_t len;     /* whole message */
};

static inline int ike_hdr_is_response(const struct ike_hdr *h)
{
	return (h->flags & IKE_HDR_F_RESPONSE) != 0;
}

/* ---- payload chain (RFC 7296 3.2) ---- */

struct ike_pld {
	uint8_t type;       /* enum ike_pld_type */
	uint8_t flags;      /* critical bit and reserved bits as received */
	uint8_t inner_next; /* SK/SKF: the type of the first inner payload; else 0 */
	uint8_t known;      /* 1: petrel decodes this type; 0: kept opaque */
	const uint8_t *body;
	size_t body_len;    /* after the 4-octet generic header */
	size_t off;         /* where the generic header starts in the decoded buffer */
};

struct ike_chain {
	size_t n;
	struct ike_pld pld[PT_IKE_PAYLOADS_MAX];
};

struct ike_msg {
	struct ike_hdr hdr;
	struct ike_chain chain;
};

/* 1 for the payload types petrel decodes (RFC 7296 3.2: others are skipped
 * unless critical). */
int ike_pld_supported(unsigned type);

/* Decode the 28-octet header and check it against the datagram length:
 * -EBADMSG if truncated or the length field differs from len, -E2BIG past
 * PT_IKE_MSG_MAX_LEN, -EPROTO (notify INVALID_MAJOR_VERSION) when the major
 * version is not 2. *h is filled in as far as it was read, so an answer can
 * name the SPIs. */
int ike_hdr_decode(const uint8_t *p, size_t len, struct ike_hdr *h, struct ike_diag *d);
int ike_hdr_encode(struct wb *w, const struct ike_hdr *h);

/* Walk a payload chain of exactly len octets whose first payload is `first`.
 * depth 0 is the message's own chain, 1 a decrypted SK/SKF content; an SK
 * or SKF ends the chain (it must be the last payload) and may not appear at
 * depth >= PT_IKE_SK_DEPTH_MAX. `base` is the offset of p in the message
 * (for diag.off). Unknown payloads with the critical bit fail with -EPROTO,
 * diag notify UNSUPPORTED_CRITICAL_PAYLOAD and diag pld_type the type. */
int ike_chain_decode(const uint8_t *p, size_t len, uint8_t first, unsigned depth,
		     size_t base, struct ike_chain *c, struct ike_diag *d);

/* Header plus chain of a whole datagram (without the non-ESP marker). */
int ike_msg_decode(const uint8_t *p, size_t len, struct ike_msg *m, struct ike_diag *d);

/* Run every known payload of the chain through its typed decoder. */
int ike_chain_validate(const struct ike_chain *c, struct ike_diag *d);

/* The i-th payload of a type from index *from on (NULL when none); *from
 * moves past it, so a loop can visit all of them. from may be NULL. */
const struct ike_pld *ike_chain_find(const struct ike_chain *c, uint8_t type, size_t *from);
size_t ike_chain_count(const struct ike_chain *c, uint8_t type);

/* Re-encode: a chain (no header; for SK contents) or a whole message, from
 * the payload bodies, with next-payload fields and lengths recomputed. */
int ike_chain_encode(struct wb *w, const struct ike_chain *c);
int ike_msg_encode(struct wb *w, const struct ike_hdr *h, const struct ike_chain *c);

/* ---- building a message ----
 *
 *   struct ike_bld b;
 *   ike_bld_msg(&b, &w, &hdr);              (or ike_bld_chain for SK contents)
 *   ike_bld_begin(&b, IKE_PLD_NONCE, 0);  ike_nonce_encode(&w, &n);  ike_bld_end(&b);
 *   ike_bld_begin_sk(&b, IKE_PLD_SK, first_inner);  ...body...;  ike_bld_end(&b);
 *   ike_bld_finish(&b, &len);
 *
 * Next-payload fields and lengths are patched as payloads are added; errors
 * are sticky and reported by ike_bld_end()/ike_bld_finish(). */
struct ike_bld {
	struct wb *w;
	size_t start;     /* offset of the header (or of the chain) in w */
	size_t next_at;   /* where the next payload's type goes; SIZE_MAX: nowhere yet */
	size_t pld_at;    /* the open payload's generic header; SIZE_MAX: none open */
	uint8_t first;    /* type of the first payload (for an inner chain's SK header) */
	uint8_t has_hdr;
	uint8_t sealed;   /* an SK/SKF was added: nothing may follow */
	size_t n;
	int err;
};

void ike_bld_msg(struct ike_bld *b, struct wb *w, const struct ike_hdr *h);
void ike_bld_chain(struct ike_bld *b, struct wb *w);
int ike_bld_begin(struct ike_bld *b, uint8_t type, uint8_t flags);
int ike_bld_begin_sk(struct ike_bld *b, uint8_t type, uint8_t inner_next);
int ike_bld_end(struct ike_bld *b);
/* A whole payload from body bytes (not SK/SKF: use ike_bld_begin_sk). */
int ike_bld_raw(struct ike_bld *b, uint8_t type, uint8_t flags, const uint8_t *body, size_t len);
/* Patches the header length (message builds); *len gets the octets written
 * since ike_bld_msg/ike_bld_chain. */
int ike_bld_finish(struct ike_bld *b, size_t *len);

/* ---- typed payloads: decode from a chain entry, encode the body ----
 * Each ike_<x>_decode(const struct ike_pld *, struct ike_<x> *) reads only
 * p->body/p->body_len; each ike_<x>_encode(struct wb *, const ...) writes
 * only the body (the builder adds the generic header). */

/* SA (RFC 7296 3.3): proposals, their transforms and attributes in flat
 * arrays; a proposal names its slice of xf[], a transform its slice of attr[]. */
struct ike_attr {
	uint16_t type;       /* without the AF bit */
	uint8_t tv;          /* 1: TV format (value), 0: TLV (data/len) */
	uint16_t value;
	const uint8_t *data;
	uint16_t len;
};

struct ike_xform {
	uint8_t type;        /* enum ike_xform_type */
	uint16_t id;
	uint16_t attr_off, n_attr;
};

struct ike_prop {
	uint8_t num;
	uint8_t proto;       /* enum ike_proto */
	uint8_t spi_len;
	uint8_t spi[PT_IKE_SPI_MAX_LEN];
	uint16_t xf_off, n_xf;
};

struct ike_sa_pld {
	size_t n_prop, n_xf, n_attr;
	struct ike_prop prop[PT_IKE_PROPOSALS_MAX];
	struct ike_xform xf[PT_IKE_SA_XFORMS_MAX];
	struct ike_attr attr[PT_IKE_SA_ATTRS_MAX];
};

int ike_sa_pld_decode(const struct ike_pld *p, struct ike_sa_pld *sa);
int ike_sa_pld_encode(struct wb *w, const struct ike_sa_pld *sa);
/* The Key Length attribute (RFC 7296 3.3.5) of a transform, in bits:
 * 0 when found, -ENOENT when the transform has none. */
int ike_xform_key_len(const struct ike_sa_pld *sa, const struct ike_xform *xf, uint16_t *bits);

/* KE (RFC 7296 3.4). */
struct ike_ke {
	uint16_t method;     /* enum ike_ke_method */
	const uint8_t *data;
	size_t len;          /* 1..PT_KE_MAX_LEN */
};
int ike_ke_decode(const struct ike_pld *p, struct ike_ke *ke);
int ike_ke_encode(struct wb *w, const struct ike_ke *ke);

/* IDi / IDr (RFC 7296 3.5). */
struct ike_id {
	uint8_t type;        /* enum ike_id_type */
	const uint8_t *data;
	size_t len;
};
int ike_id_decode(const struct ike_pld *p, struct ike_id *id);
int ike_id_encode(struct wb *w, const struct ike_id *id);

/* CERT (RFC 7296 3.6) and CERTREQ (3.7): encoding + data. For CERTREQ with
 * X.509 signature encoding the data is a run of 20-octet SHA-1 hashes. */
struct ike_cert {
	uint8_t enc;         /* enum ike_cert_enc */
	const uint8_t *data;
	size_t len;
};
#define IKE_CERTREQ_HASH_LEN 20u
int ike_cert_decode(const struct ike_pld *p, struct ike_cert *c);
int ike_cert_encode(struct wb *w, const struct ike_cert *c);
int ike_certreq_decode(const struct ike_pld *p, struct ike_cert *c);
int ike_certreq_encode(struct wb *w, const struct ike_cert *c);

/* AUTH (RFC 7296 3.8). */
struct ike_auth {
	uint8_t method;      /* enum ike_auth_method */
	const uint8_t *data;
	size_t len;
};
int ike_auth_decode(const struct ike_pld *p, struct ike_auth *a);
int ike_auth_encode(struct wb *w, const struct ike_auth *a);

/* Nonce (RFC 7296 3.9) and Vendor ID (3.12): opaque data. */
struct ike_blob {
	const uint8_t *data;
	size_t len;
};
int ike_nonce_decode(const struct ike_pld *p, struct ike_blob *n);
int ike_nonce_encode(struct wb *w, const struct ike_blob *n);
int ike_vid_decode(const struct ike_pld *p, struct ike_blob *v);
int ike_vid_encode(struct wb *w, const struct ike_blob *v);

/* Notify (RFC 7296 3.10). */
struct ike_notify {
	uint8_t proto;       /* enum ike_proto; 0 for IKE SA notifies */
	uint8_t spi_len;     /* 0, 4 or 8 */
	uint16_t type;       /* enum ike_notify_type or a TBD code point */
	uint8_t spi[PT_IKE_SPI_MAX_LEN];
	const uint8_t *data;
	size_t len;
};
int ike_notify_decode(const struct ike_pld *p, struct ike_notify *n);
int ike_notify_encode(struct wb *w, const struct ike_notify *n);
static inline int ike_notify_is_error(uint16_t type) { return type < IKE_N_STATUS_MIN; }

/* Delete (RFC 7296 3.11). */
struct ike_delete {
	uint8_t proto;       /* IKE: no SPIs; AH/ESP: 4-octet SPIs */
	uint8_t spi_len;
	uint16_t n_spi;
	const uint8_t *spis; /* n_spi * spi_len octets */
};
int ike_delete_decode(const struct ike_pld *p, struct ike_delete *del);
int ike_delete_encode(struct wb *w, const struct ike_delete *del);
/* The i-th SPI as a 32-bit number (ESP/AH). */
uint32_t ike_delete_spi(const struct ike_delete *del, size_t i);

/* TSi / TSr (RFC 7296 3.13). Types 7 and 8 are decoded; others (FC,
 * SECLABEL) keep their body after the 4-octet selector header in data. */
struct ike_ts {
	uint8_t type;        /* enum ike_ts_type */
	uint8_t proto;       /* IP protocol (0 any); the reserved octet for other types */
	uint16_t start_port, end_port;
	uint8_t start[16], end[16]; /* 4 octets used for IPv4 */
	const uint8_t *data;
	uint16_t len;
};
struct ike_tsp {
	size_t n;
	struct ike_ts ts[PT_IKE_TS_MAX];
};
int ike_ts_decode(const struct ike_pld *p, struct ike_tsp *t);
int ike_ts_encode(struct wb *w, const struct ike_tsp *t);

/* SK (RFC 7296 3.14): IV | ciphertext | ICV, opaque here; the crypto layer
 * splits it. inner_next is the first inner payload's type. */
struct ike_sk {
	uint8_t inner_next;
	const uint8_t *data;
	size_t len;
};
int ike_sk_decode(const struct ike_pld *p, struct ike_sk *sk);
int ike_sk_encode(struct wb *w, const struct ike_sk *sk);

/* SKF (RFC 7383 2.5). */
struct ike_skf {
	uint8_t inner_next;  /* non-zero only in fragment 1 */
	uint16_t frag_num;   /* 1..total */
	uint16_t total;      /* 1..PT_IKE_FRAGS_MAX */
	const uint8_t *data;
	size_t len;
};
int ike_skf_decode(const struct ike_pld *p, struct ike_skf *skf);
int ike_skf_encode(struct wb *w, const struct ike_skf *skf);

/* CP (RFC 7296 3.15). Attribute values may be empty (a request). */
struct ike_cp_attr {
	uint16_t type;       /* enum ike_cp_attr_type, without the reserved bit */
	const uint8_t *val;
	uint16_t len;
};
struct ike_cp {
	uint8_t type;        /* enum ike_cfg_type */
	size_t n;
	struct ike_cp_attr attr[PT_IKE_CP_ATTRS_MAX];
};
int ike_cp_decode(const struct ike_pld *p, struct ike_cp *cp);
int ike_cp_encode(struct wb *w, const struct ike_cp *cp);

/* EAP (RFC 7296 3.16, RFC 3748 4). Request/Response carry a type (and
 * data after it); Success/Failure are exactly 4 octets. */
struct ike_eap {
	uint8_t code;        /* enum ike_eap_code */
	uint8_t id;
	uint8_t type;        /* Request/Response only; 0 otherwise */
	const uint8_t *data; /* Type-Data */
	size_t len;
};
int ike_eap_decode(const struct ike_pld *p, struct ike_eap *eap);
int ike_eap_encode(struct wb *w, const struct ike_eap *eap);

#endif
