/* What an owner reads from an IKE SA, and the small setters (ike.h). */
#include <string.h>

#include "ike/sa_int.h"

enum ike_state ike_sa_state(const struct ike_sa *sa) { return sa->state; }
void ike_sa_spis(const struct ike_sa *sa, uint8_t spi_i[8], uint8_t spi_r[8])
{
	memcpy(spi_i, sa->spi_i, 8);
	memcpy(spi_r, sa->spi_r, 8);
}
int ike_sa_claims_spis(const struct ike_sa *sa, const uint8_t spi_i[8], const uint8_t spi_r[8])
{
	const struct ike_next *n = sa->redundant;
	if (memcmp(spi_i, sa->spi_i, 8) == 0 && memcmp(spi_r, sa->spi_r, 8) == 0) /* public-memcmp: SPIs */
		return 1;
	return n && memcmp(spi_i, n->spi_i, 8) == 0 && memcmp(spi_r, n->spi_r, 8) == 0; /* public-memcmp: SPIs */
}
const struct ike_chosen *ike_sa_ike_alg(const struct ike_sa *sa) { return &sa->alg; }
const struct ike_cp_result *ike_sa_cp(const struct ike_sa *sa) { return &sa->cp; }
int ike_sa_nat_local(const struct ike_sa *sa) { return sa->nat_local; }
int ike_sa_separate(const struct ike_sa *sa) { return sa->separate; }
uint16_t ike_sa_child_refused(const struct ike_sa *sa) { return sa->child_failed; }
int ike_sa_echo(const struct ike_sa *sa) { return sa->echo; }

int ike_sa_nat_remote(const struct ike_sa *sa) { return sa->nat_remote; }
void *ike_sa_user(const struct ike_sa *sa) { return sa->user; }
int ike_sa_mobike(const struct ike_sa *sa) { return sa->mobike; }
const struct ike_ident *ike_sa_peer_id(const struct ike_sa *sa) { return &sa->peer_id; }
void ike_sa_set_user(struct ike_sa *sa, void *user) { sa->user = user; }
