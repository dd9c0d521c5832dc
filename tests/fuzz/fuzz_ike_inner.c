/* Fuzz target: a decrypted (and reassembled) SK payload content, the trust
 * boundary right after integrity checking. Input: the first inner payload
 * type, the exchange type, the header flags, then the inner chain. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ike/pld/pld.h"
#include "ike/pld/rules.h"

static uint8_t out[PT_IKE_MSG_MAX_LEN];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ike_chain c;
	struct ike_diag d;
	struct ike_hdr h;

	if (size < 3)
		return 0;
	memset(&h, 0, sizeof(h));
	h.exch = data[1];
	h.flags = data[2];
	h.version = IKE_VERSION_2_0;
	if (ike_chain_decode(data + 3, size - 3, data[0], 1, 0, &c, &d) != 0)
		return 0;
	struct wb w;
	wb_init(&w, out, sizeof(out));
	/* A chain that decodes re-encodes exactly (an empty one is "no payloads"). */
	if (ike_chain_encode(&w, &c) != 0 || wb_len(&w) != size - 3 ||
	    memcmp(out, data + 3, size - 3) != 0)
		abort();
	(void)ike_rules_check_inner(&h, &c, &d);
	(void)ike_chain_validate(&c, &d);
	return 0;
}
