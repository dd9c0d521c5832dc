/* Proposals: the strings a profile names them with, the SA payload they
 * become, and the responder's choice (RFC 7296 2.7, 3.3).
 *
 * A proposal string is algorithm keywords joined by '-', as in
 * "aes256gcm16-prfsha384-x25519-ke1_mlkem768" (IKE) or "aes256gcm16-esn"
 * (ESP). Several keywords of one type make a proposal that offers each of
 * them. "keN_<method>" is the additional key exchange N of RFC 9370 (1..7);
 * "keN_none" makes it optional. */
#ifndef PETREL_IKE_PROPOSAL_H
#define PETREL_IKE_PROPOSAL_H

#include <stddef.h>
#include <stdint.h>

#include "base/wbuf.h"
#include "ike/pld/pld.h"

#define IKE_PROP_XF_MAX 24u
#define IKE_PROP_TYPES 13u /* transform types 1..12 (ADDKE7), index 0 unused */

struct ike_xf_cfg {
	uint8_t type;      /* enum ike_xform_type */
	uint16_t id;
	uint16_t key_bits; /* 0: no Key Length attribute */
};

/* One configured proposal. */
struct ike_prop_cfg {
	uint8_t proto; /* IKE_PROTO_IKE or IKE_PROTO_ESP */
	size_t n;
	struct ike_xf_cfg xf[IKE_PROP_XF_MAX];
};

/* What was chosen: one transform per type (id 0 where the type is absent:
 * INTEG with an AEAD, ADDKEn not used). ke[0] is the KE transform, ke[n]
 * ADDKEn. */
struct ike_chosen {
	uint8_t proto;
	uint16_t encr, encr_bits;
	uint16_t prf;
	uint16_t integ;
	uint16_t ke[8];
	uint16_t esn; /* ESP: IKE_ESN_NO/YES */
	uint8_t spi_len;
	uint8_t spi[8];  /* the peer's SPI from the chosen proposal (ESP: 4 octets) */
	uint8_t num;     /* proposal number */
};

/* Parse one proposal string for proto. 0, or -EINVAL with *why (static text
 * naming the problem; the offending keyword is copied into bad[]). */
int ike_prop_parse(const char *s, uint8_t proto, struct ike_prop_cfg *out,
		   const char **why, char bad[32]);

/* The proposals petrel offers when a profile names none: AEAD first, ESN
 * both ways for ESP. IKE: pq IKE_PQ_OFF classic groups only; IKE_PQ_ONLY
 * the hybrid X25519/ECP + ML-KEM-768 proposals only (none when this OpenSSL
 * has no ML-KEM); IKE_PQ_FIRST the hybrid ones first, then the classic
 * ones (classic only without ML-KEM). */
enum { IKE_PQ_OFF = 0, IKE_PQ_ONLY = 1, IKE_PQ_FIRST = 2 };
size_t ike_prop_defaults(uint8_t proto, int pq, struct ike_prop_cfg *out, size_t cap);

/* Fill an SA payload from proposals; each gets spi[0..spi_len) (IKE_SA_INIT:
 * spi_len 0; IKE rekey: 8; ESP: 4). ke_only: keep only this KE method in
 * every proposal's KE transform (INVALID_KE_PAYLOAD retry keeps the others
 * out of the way) — 0 to keep them all. */
int ike_prop_to_sa(const struct ike_prop_cfg *props, size_t n, const uint8_t *spi,
		   uint8_t spi_len, struct ike_sa_pld *sa);

/* Responder: choose from the peer's SA payload the first proposal (in the
 * peer's order) that one of ours accepts. 0, or -ENOENT (NO_PROPOSAL_CHOSEN). */
int ike_prop_select(const struct ike_sa_pld *peer, const struct ike_prop_cfg *ours, size_t n,
		    struct ike_chosen *out);

/* Initiator: check that the responder's answer is one proposal with one
 * transform of each type, taken from what we offered. 0 or -EPROTO. */
int ike_prop_accept(const struct ike_sa_pld *answer, const struct ike_prop_cfg *offered,
		    size_t n, struct ike_chosen *out);

/* The SA payload that answers with `c` (one proposal, one transform each). */
int ike_prop_chosen_to_sa(const struct ike_chosen *c, const uint8_t *spi, uint8_t spi_len,
			  struct ike_sa_pld *sa);

/* "AES_GCM_16_256/PRF_HMAC_SHA2_384/CURVE25519+ML_KEM_768" for logs and status. */
/* RFC 9370: the next additional key exchange (ADDKEn, n in 1..7) after
 * `after` that c negotiated, 0 when none is left. */
unsigned ike_chosen_next_addke(const struct ike_chosen *c, unsigned after);
int ike_chosen_str(const struct ike_chosen *c, char *out, size_t len);

#endif
