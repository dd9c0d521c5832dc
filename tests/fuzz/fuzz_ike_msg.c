/* Fuzz target: a whole IKE message from the network (the outermost trust
 * boundary). Decode, rules, per-payload checks; a message that decodes
 * must re-encode to exactly its input, and every payload that passes its
 * typed decoder must re-encode to a body that decodes to the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec/typed.h"
#include "ike/pld/pld.h"
#include "ike/pld/rules.h"

static uint8_t out[PT_IKE_MSG_MAX_LEN];

static void typed_idempotent(const struct ike_pld *p)
{
	static union typed_any u;
	static uint8_t a[PT_IKE_MSG_MAX_LEN], b[PT_IKE_MSG_MAX_LEN];
	struct wb wa, wbb;
	wb_init(&wa, a, sizeof(a));
	if (typed_reencode(p, &wa, &u) != 0)
		return;
	if (wb_len(&wa) != p->body_len)
		abort();
	struct ike_pld q = *p;
	q.body = a;
	q.body_len = wb_len(&wa);
	wb_init(&wbb, b, sizeof(b));
	if (typed_reencode(&q, &wbb, &u) != 0 || wb_len(&wbb) != wb_len(&wa) ||
	    memcmp(a, b, wb_len(&wa)) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ike_msg m;
	static struct ike_chain in;
	struct ike_diag d;

	if (ike_msg_decode(data, size, &m, &d) != 0)
		return 0;
	struct wb w;
	wb_init(&w, out, sizeof(out));
	if (ike_msg_encode(&w, &m.hdr, &m.chain) != 0 || wb_len(&w) != size ||
	    memcmp(out, data, size) != 0)
		abort();
	(void)ike_rules_check_outer(&m.hdr, &m.chain, &d);
	(void)ike_chain_validate(&m.chain, &d);
	for (size_t i = 0; i < m.chain.n; i++)
		typed_idempotent(&m.chain.pld[i]);

	/* Treat an SK body as if it were already plaintext: the inner chain
	 * decoder sees arbitrary bytes too. */
	const struct ike_pld *sk = ike_chain_find(&m.chain, IKE_PLD_SK, NULL);
	if (sk && ike_chain_decode(sk->body, sk->body_len, sk->inner_next, 1, 0, &in, &d) == 0) {
		(void)ike_rules_check_inner(&m.hdr, &in, &d);
		(void)ike_chain_validate(&in, &d);
	}
	return 0;
}
