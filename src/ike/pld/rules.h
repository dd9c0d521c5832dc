/* Per-exchange payload rules (RFC 7296 1.2-1.5, RFC 5723 4, RFC 9242 3,
 * RFC 9370 2, RFC 7383 2.5), checked after the chain walk and before any
 * typed decode or task sees the message (strongSwan does the same with its
 * payload_rules tables in message.c).
 *
 * One table row per exchange and direction lists the payloads that may
 * appear and how often. IKE_SA_INIT and IKE_SESSION_RESUME are unencrypted:
 * their rows apply to the message's own chain. Every other exchange carries
 * exactly one SK or SKF as its last payload; the rows apply to the decrypted
 * (and reassembled) inner chain, checked separately once it exists.
 *
 * Error responses pass: a response that carries an error notify, or one of
 * the corrective status notifies (COOKIE, TICKET_NACK, REDIRECT), needs none
 * of the otherwise required payloads (RFC 7296 2.21, RFC 5723 4.3.2). An
 * unprotected INFORMATIONAL made only of Notify payloads is allowed outside
 * an IKE SA (RFC 7296 1.5); the task must treat it as a hint only. */
#ifndef PETREL_IKE_PLD_RULES_H
#define PETREL_IKE_PLD_RULES_H

#include "ike/pld/pld.h"

/* 1 when this exchange's payloads travel inside SK/SKF; 0 when not; -EPROTO
 * for an exchange type petrel does not know. */
int ike_exch_encrypted(uint8_t exch);

/* The message's own chain: for unencrypted exchanges the full payload
 * rules, for the others the SK/SKF envelope. Returns 0 or -EPROTO with
 * d->reason and d->pld_type set. */
int ike_rules_check_outer(const struct ike_hdr *h, const struct ike_chain *outer,
			  struct ike_diag *d);

/* The decrypted inner chain of an encrypted exchange. */
int ike_rules_check_inner(const struct ike_hdr *h, const struct ike_chain *inner,
			  struct ike_diag *d);

#endif
