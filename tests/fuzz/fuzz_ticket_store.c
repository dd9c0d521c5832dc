/* Fuzz target: an RFC 5723 ticket file as petreld reads it back from its
 * state directory (src/daemon/ticket_store.c). Trust boundary: a file a
 * crash may have torn, a disk may have corrupted, or an older or newer
 * petrel may have written.
 *
 * Each input is decoded twice: as it is, and with its last four octets
 * replaced by the CRC of the rest, so that mutations reach every field
 * behind the checksum. Whatever the input: 0 or -EBADMSG (with a reason),
 * nothing of a refused ticket left in the output, and a ticket that
 * decodes encodes back to the very same octets (the format has one
 * spelling for each ticket). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/ticket_store.h"

#define PROFILE "fuzz"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void one(const uint8_t *in, size_t len)
{
	static uint8_t again[TICKET_STORE_FILE_MAX_LEN];
	static const struct ike_ticket zero;
	static struct ike_ticket t;
	char gw[TICKET_STORE_GATEWAY_MAX_LEN + 1];
	const char *why = NULL;
	uint64_t received;
	size_t n;

	int rc = ticket_store_decode(in, len, PROFILE, gw, sizeof(gw), &t, &received, &why);
	if (rc != 0) {
		if (rc != -EBADMSG || !why || !why[0] || memcmp(&t, &zero, sizeof(t)) != 0 || received || gw[0])
			abort();
		return;
	}
	if (ticket_store_encode(PROFILE, gw, &t, received, again, sizeof(again), &n) != 0 || n != len ||
	    memcmp(again, in, len) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t fixed[TICKET_STORE_FILE_MAX_LEN + 16];

	one(data, size);
	if (size >= 4 && size <= sizeof(fixed)) {
		memcpy(fixed, data, size);
		uint32_t c = ticket_store_crc32(fixed, size - 4);
		fixed[size - 4] = (uint8_t)(c >> 24);
		fixed[size - 3] = (uint8_t)(c >> 16);
		fixed[size - 2] = (uint8_t)(c >> 8);
		fixed[size - 1] = (uint8_t)c;
		one(fixed, size);
	}
	return 0;
}
