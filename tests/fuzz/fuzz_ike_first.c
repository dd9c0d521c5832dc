/* Fuzz target: the unprotected first exchanges as the engine processes them
 * (not only decodes them): IKE_SA_INIT and RFC 5723 IKE_SESSION_RESUME
 * requests into a responder with tickets and cookies on, and their responses
 * into an initiator waiting for them. Each run makes a real message with the
 * exchange harness (two engines, deterministic), then changes it as the
 * input says, so the fuzzer starts next to valid messages:
 *
 *   input[0]      what: 0 IKE_SA_INIT request, 1 IKE_SESSION_RESUME request,
 *                 2 IKE_SA_INIT response, 3 IKE_SESSION_RESUME response
 *                 (bit 3: the resumed AUTH form the initiator uses)
 *   input[1..2]   a new length (0 or longer: kept)
 *   then          3-octet edits: 16-bit offset (modulo the length), XOR byte
 *
 * After the changed message the exchange runs on for a few messages, so a
 * message that got through is followed into IKE_AUTH. Nothing may crash,
 * leak or read out of bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "exchange/harness.h"
#include "ike/pld/consts.h"

#define PSK "a-fuzzing-psk-of-reasonable-length-0123456789"

static struct ike_ticket ticket;      /* the client's */
static struct ike_resume_state state; /* what the gateway's ticket opens to */

static int seal(void *arg, const struct ike_resume_state *st, uint8_t *out, size_t cap,
		size_t *len, uint32_t *lifetime_s)
{
	(void)arg, (void)st;
	if (cap < 8)
		return -1;
	memcpy(out, "FUZZTKT1", 8);
	*len = 8;
	*lifetime_s = 60;
	return 0;
}

static int open_ticket(void *arg, const uint8_t *t, size_t len, struct ike_resume_state *st)
{
	(void)arg;
	if (len != 8 || memcmp(t, "FUZZTKT1", 8) != 0)
		return -1;
	*st = state;
	return 0;
}

static void init_state(void)
{
	memset(&state, 0, sizeof(state));
	state.alg.proto = IKE_PROTO_IKE;
	state.alg.encr = IKE_ENCR_AES_GCM_16;
	state.alg.encr_bits = 256;
	state.alg.prf = IKE_PRF_HMAC_SHA2_256;
	state.alg.ke[0] = IKE_KE_CURVE25519;
	state.sk_d_len = 32;
	memset(state.sk_d, 0x5a, 32);
	state.idi.type = IKE_ID_RFC822_ADDR;
	state.idi.len = strlen("client@psk.example");
	memcpy(state.idi.data, "client@psk.example", state.idi.len);
	state.idr.type = IKE_ID_FQDN;
	state.idr.len = strlen("gw.example");
	memcpy(state.idr.data, "gw.example", state.idr.len);
	state.auth = IKE_AUTHK_PSK;
	memset(&ticket, 0, sizeof(ticket));
	memcpy(ticket.opaque, "FUZZTKT1", 8);
	ticket.opaque_len = 8;
	ticket.lifetime_s = 60;
	ticket.st = state;
}

static void mutate(struct hx_msg *m, const uint8_t *edits, size_t n)
{
	if (n >= 2) {
		size_t len = (size_t)edits[0] << 8 | edits[1];
		if (len && len < m->len)
			m->len = len;
		edits += 2;
		n -= 2;
	}
	for (; n >= 3 && m->len; edits += 3, n -= 3) {
		size_t at = ((size_t)edits[0] << 8 | edits[1]) % m->len;
		m->data[at] ^= edits[2];
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct hx hx;
	static int ready;

	if (!ready) {
		pt_log_set_level(PT_LOG_ERR);
		init_state();
		ready = 1;
	}
	if (size < 1)
		return 0;
	unsigned what = data[0] & 3;
	hx_init(&hx, PSK, PSK);
	hx.side[HX_I].cfg.ticket_request = 1;
	hx.side[HX_R].cfg.ticket_seal = seal;
	hx.side[HX_R].cfg.ticket_open = open_ticket;
	hx.side[HX_I].cfg.resume_auth = (data[0] >> 3) & 1 ? IKE_RESUME_AUTH_FULL : IKE_RESUME_AUTH_MESSAGE;
	if (what & 1)
		hx.side[HX_I].cfg.resume = &ticket;
	if (hx_start(&hx) == 0 && hx.n_q == 1) {
		if (what >= 2)
			hx_step(&hx); /* the request, unchanged: its response is what changes */
		if (hx.n_q >= 1) {
			mutate(hx.q[0], data + 1, size - 1);
			hx_run(&hx, 6);
		}
	}
	hx_free(&hx);
	return 0;
}
