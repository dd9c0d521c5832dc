/* RFC 9370 2.2.4: the additional key exchanges of a CREATE_CHILD_SA (an IKE
 * SA or Child SA rekey), one IKE_FOLLOWUP_KE exchange each:
 *
 *   CREATE_CHILD_SA { SA, Ni, KEi(0) ... }  -->
 *                  <-- { SA, Nr, KEr(0), N(ADDITIONAL_KEY_EXCHANGE)(link) }
 *   IKE_FOLLOWUP_KE { KEi(1), N(ADDITIONAL_KEY_EXCHANGE)(link) }  -->
 *                  <-- { KEr(1) [, N(ADDITIONAL_KEY_EXCHANGE)(next link)] }
 *   ...
 *
 * The responder's link data names its waiting state; the initiator echoes
 * the latest. A task that rekeys keeps one struct ike_mke and collects
 * SK(0..n) in it for the key derivation (SK(0) | Ni | Nr | SK(1) | ...). */
#ifndef PETREL_IKE_TASK_MKE_H
#define PETREL_IKE_TASK_MKE_H

#include <stddef.h>
#include <stdint.h>

#include "ike/sa_int.h"

#define IKE_MKE_MAX 8u        /* KE plus ADDKE1..7 */
#define IKE_MKE_LINK_LEN 8u   /* our link data: random, one value per SA state */

struct ike_mke {
	struct ike_chosen alg;         /* ke[0] the KE, ke[n] ADDKEn, 0: none */
	unsigned n;                    /* the exchange in progress: 0 CREATE_CHILD_SA */
	struct secret *sk[IKE_MKE_MAX];
	size_t n_sk;
	struct crypto_ke *ke;          /* initiator: the pair of exchange n */
	uint8_t ke_r[PT_KE_MAX_LEN];   /* responder: its KE data of exchange n */
	size_t ke_r_len;
	uint8_t link[64];
	size_t link_len;
};

/* From a chosen proposal: the methods, nothing exchanged yet. */
void ike_mke_init(struct ike_mke *k, const struct ike_chosen *alg);
/* The next additional exchange after n, 0 when none is left. */
unsigned ike_mke_next(const struct ike_mke *k);
/* Take SK(0) (the CREATE_CHILD_SA's shared secret); k owns it. */
void ike_mke_first(struct ike_mke *k, struct secret *sk0);

/* Initiator. After the CREATE_CHILD_SA response: read the link (-EPROTO
 * when additional exchanges follow but there is none) and move to the next
 * exchange. build: KEi(n) and the link. process: KEr(n) -> SK(n) and the
 * next link; 1 when another exchange follows, 0 when done, < 0 on error
 * (an error notify such as STATE_NOT_FOUND ends the rekey). */
int ike_mke_start_i(struct ike_mke *k, const struct ike_msg_in *m);
int ike_mke_build_i(struct ike_mke *k, struct ike_msg_out *m);
int ike_mke_process_i(struct ike_mke *k, const struct ike_msg_in *m);

/* Responder. new_link: a fresh link value (after the CREATE_CHILD_SA
 * request and each IKE_FOLLOWUP_KE but the last). process: checks the
 * link (refusing with STATE_NOT_FOUND) and KEi(n), makes KEr(n) and SK(n);
 * build: KEr(n) and, when another exchange follows, the link notify. */
int ike_mke_new_link(struct ike_mke *k, struct ike_sa *sa);
int ike_mke_add_link(const struct ike_mke *k, struct ike_msg_out *m);
int ike_mke_process_r(struct ike_mke *k, struct ike_sa *sa, const struct ike_msg_in *m);
int ike_mke_build_r(struct ike_mke *k, struct ike_msg_out *m);

void ike_mke_clear(struct ike_mke *k);

#endif
