/* RFC 5723 tickets: what both sides share about them. */
#include "ike/ike.h"

#include "crypto/secret.h"

void ike_resume_state_wipe(struct ike_resume_state *st)
{
	if (st)
		crypto_wipe(st, sizeof(*st));
}
