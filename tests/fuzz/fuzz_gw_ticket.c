/* Fuzz target: RFC 5723 tickets a client presents to petrel-gw (trust
 * boundary: TICKET_OPAQUE, in the clear in IKE_SESSION_RESUME;
 * src/gw/ticket.c gw_ticket_open).
 *
 * At start a key file with a fixed key (id 5eed0001, octet i of the key
 * i * 29 + 7) is written to a mkdtemp directory, so the harness can seal
 * plaintexts of its own and reach the code behind the tag. Input: one mode
 * octet, then:
 *   mode bit 0 = 0  raw: the rest is the ticket, opened as it is (length,
 *                   version, key id and tag checks; seeds are real tickets
 *                   under the fixed key);
 *   mode bit 0 = 1  sealed: the rest, zero-filled or cut to GW_TICKET_PT_LEN,
 *                   is a plaintext the harness seals under the fixed key, so
 *                   it authenticates and the state decoder, the time checks
 *                   and the replay cache run;
 *   mode bit 1      the clock is the plaintext's issue time + (mode >> 2)
 *                   instead of the fixed one (sealed mode).
 * A fresh gw_tickets per input (keys from the file), so runs are
 * deterministic.
 * Invariants (abort on violation): a failed open leaves the state all zero;
 * a state that opens has every length in range, cannot be opened twice and
 * seals again to the same plaintext but for the times (one encoding per
 * state). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/hex.h"
#include "crypto/aead.h"
#include "gw/ticket.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW 1767225600u /* 2026-01-01T00:00:00Z */

static char dir[] = "/tmp/petrel-fuzz-ticket-XXXXXX";
static char path[sizeof(dir) + 8];
static uint8_t raw[4 + GW_TICKET_KEY_LEN] = { 0x5e, 0xed, 0x00, 0x01 };
static struct crypto_aead *aead;

static void cleanup(void)
{
	unlink(path);
	rmdir(dir);
}

static void setup(void)
{
	char hex[GW_TICKET_FILE_HEX_LEN + 2];
	int fd;

	for (size_t i = 0; i < GW_TICKET_KEY_LEN; i++)
		raw[4 + i] = (uint8_t)(i * 29 + 7);
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof(path), "%s/key", dir);
	atexit(cleanup);
	if (hex_encode(hex, sizeof(hex), raw, sizeof(raw)))
		abort();
	hex[GW_TICKET_FILE_HEX_LEN] = '\n';
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, hex, GW_TICKET_FILE_HEX_LEN + 1) != GW_TICKET_FILE_HEX_LEN + 1 ||
	    close(fd))
		abort();
	if (crypto_aead_new(CRYPTO_AEAD_AES_GCM16, raw + 4, GW_TICKET_KEY_LEN, &aead))
		abort();
}

static int all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint8_t any = 0;
	for (size_t i = 0; i < n; i++)
		any |= b[i];
	return !any;
}

/* Header (version, the fixed key id, a nonce from the input's length) and
 * the plaintext sealed under the fixed key. */
static void seal_pt(const uint8_t pt[GW_TICKET_PT_LEN], size_t salt, uint8_t tk[GW_TICKET_LEN])
{
	tk[0] = GW_TICKET_VERSION;
	memcpy(tk + 1, raw, 4);
	for (size_t i = 0; i < GW_TICKET_NONCE_LEN; i++)
		tk[5 + i] = (uint8_t)(salt >> (i % 8 * 8));
	memcpy(tk + GW_TICKET_HDR_LEN, pt, GW_TICKET_PT_LEN);
	if (crypto_aead_seal_nonce(aead, tk + 5, tk, GW_TICKET_HDR_LEN, tk + GW_TICKET_HDR_LEN,
				   GW_TICKET_PT_LEN, tk + GW_TICKET_HDR_LEN + GW_TICKET_PT_LEN))
		abort();
}

static void check_opened(struct gw_tickets *t, const uint8_t *tk, size_t len, uint64_t now,
			 const struct ike_resume_state *st, const uint8_t *pt)
{
	struct ike_resume_state again;
	uint8_t tk2[GW_TICKET_LEN], pt2[GW_TICKET_PT_LEN];
	uint32_t life;
	size_t len2;

	if (st->sk_d_len > IKE_SKD_MAX_LEN || st->idi.len > IKE_ID_MAX_LEN ||
	    st->idr.len > IKE_ID_MAX_LEN || st->alg.spi_len > sizeof(st->alg.spi))
		abort();
	if (gw_ticket_open(t, tk, len, now, &again) != -EALREADY ||
	    !all_zero(&again, sizeof(again)))
		abort();
	if (!pt || gw_ticket_seal(t, st, now, 0, tk2, sizeof(tk2), &len2, &life))
		return;
	if (memcmp(tk2 + 1, raw, 4))
		abort();
	memcpy(pt2, tk2 + GW_TICKET_HDR_LEN, sizeof(pt2));
	if (crypto_aead_open_nonce(aead, tk2 + 5, tk2, GW_TICKET_HDR_LEN, pt2, sizeof(pt2),
				   tk2 + GW_TICKET_HDR_LEN + GW_TICKET_PT_LEN))
		abort();
	if (memcmp(pt2 + 16, pt + 16, GW_TICKET_PT_LEN - 16))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	uint8_t pt[GW_TICKET_PT_LEN], tk[GW_TICKET_LEN];
	struct ike_resume_state out;
	struct gw_tickets *t;
	const char *why;
	uint64_t now = NOW;
	int rc;

	if (!ready) {
		setup();
		ready = 1;
	}
	if (size < 1)
		return 0;
	uint8_t mode = data[0];
	data++;
	size--;
	if (gw_tickets_new(3600, 86400, path, &t, &why))
		abort();
	if (mode & 1) {
		memset(pt, 0, sizeof(pt));
		memcpy(pt, data, size < sizeof(pt) ? size : sizeof(pt));
		seal_pt(pt, size, tk);
		data = tk;
		size = sizeof(tk);
		if (mode & 2) {
			now = 0;
			for (int i = 0; i < 8; i++)
				now = now << 8 | pt[i];
			now += mode >> 2;
		}
	}
	memset(&out, 0xa5, sizeof(out));
	rc = gw_ticket_open(t, data, size, now, &out);
	if (rc && !all_zero(&out, sizeof(out)))
		abort();
	if (!rc)
		check_opened(t, data, size, now, &out, mode & 1 ? pt : NULL);
	gw_tickets_free(t);
	return 0;
}
