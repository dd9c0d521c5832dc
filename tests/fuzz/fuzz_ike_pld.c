/* Fuzz target: one payload body through its typed decoder, compiled once per
 * payload type with -DPLD_TYPE=<type> (see CMakeLists.txt). For SK/SKF the
 * first input octet is the generic header's Next Payload. A body that
 * decodes re-encodes to the same length, and that encoding is a fixed point
 * (reserved fields come back as zero). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec/typed.h"
#include "ike/pld/pld.h"

#ifndef PLD_TYPE
#error "compile with -DPLD_TYPE=<payload type>"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static union typed_any u;
	static uint8_t a[PT_IKE_MSG_MAX_LEN], b[PT_IKE_MSG_MAX_LEN];
	struct ike_pld p = { .type = PLD_TYPE, .known = 1, .body = data, .body_len = size };

	if (PLD_TYPE == IKE_PLD_SK || PLD_TYPE == IKE_PLD_SKF) {
		if (size < 1)
			return 0;
		p.inner_next = data[0];
		p.body = data + 1;
		p.body_len = size - 1;
	}
	if (p.body_len > IKE_PLD_MAX_LEN - IKE_PLD_HDR_LEN)
		return 0;
	struct wb wa, wbb;
	wb_init(&wa, a, sizeof(a));
	if (typed_reencode(&p, &wa, &u) != 0)
		return 0;
	if (wb_len(&wa) != p.body_len)
		abort();
	p.body = a;
	p.body_len = wb_len(&wa);
	wb_init(&wbb, b, sizeof(b));
	if (typed_reencode(&p, &wbb, &u) != 0 || wb_len(&wbb) != wb_len(&wa) ||
	    memcmp(a, b, wb_len(&wa)) != 0)
		abort();
	return 0;
}
