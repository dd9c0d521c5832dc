/* The TBD draft code points: defaults and validated overrides. */
#include "ike/pld/codepoints.h"

#include <errno.h>
#include <stddef.h>

#include "ike/pld/consts.h"

static const struct ike_codepoints defaults = {
	.n_separate_transports = IKE_CP_DEFAULT_SEPARATE_TRANSPORTS,
	.n_encrypted_ping_supported = IKE_CP_DEFAULT_ENCRYPTED_PING_SUPPORTED,
	.esp_echo_next_header = IKE_CP_DEFAULT_ESP_ECHO_NEXT_HEADER,
	.esp_echo_request = IKE_CP_DEFAULT_ESP_ECHO_REQUEST,
	.esp_echo_reply = IKE_CP_DEFAULT_ESP_ECHO_REPLY,
};

const struct ike_codepoints *ike_codepoints_default(void)
{
	return &defaults;
}

static const char *check_notify(unsigned v)
{
	/* Both are status notifies: an error type would fail the exchange at
	 * a peer that does not know it (RFC 7296 3.10.1). */
	if (v < IKE_N_STATUS_MIN)
		return "notify type is not in the status range (16384-65535)";
	if (ike_notify_registered(v))
		return "notify type collides with a registered notify";
	return NULL;
}

int ike_codepoints_set(struct ike_codepoints *dst, const struct ike_codepoints *want,
		       const char **why)
{
	const char *bad = check_notify(want->n_separate_transports);
	if (!bad)
		bad = check_notify(want->n_encrypted_ping_supported);
	if (!bad && want->n_separate_transports == want->n_encrypted_ping_supported)
		bad = "SEPARATE_TRANSPORTS and ENCRYPTED_PING_SUPPORTED must differ";
	if (!bad) {
		switch (want->esp_echo_next_header) {
		case 0: case 4: case 41: case 50: case 59:
			bad = "ESP echo next header collides with a protocol the tunnel carries";
			break;
		default:
			break;
		}
	}
	if (!bad && (want->esp_echo_request < 2 || want->esp_echo_reply < 2))
		bad = "ESP echo sub-types 0 and 1 are assigned by RFC 9347";
	if (!bad && want->esp_echo_request == want->esp_echo_reply)
		bad = "ESP echo request and reply sub-types must differ";
	if (bad) {
		if (why)
			*why = bad;
		return -EINVAL;
	}
	*dst = *want;
	return 0;
}

const char *ike_codepoints_notify_name(const struct ike_codepoints *cp, unsigned type)
{
	if (type == cp->n_separate_transports)
		return "SEPARATE_TRANSPORTS";
	if (type == cp->n_encrypted_ping_supported)
		return "ENCRYPTED_PING_SUPPORTED";
	return ike_notify_name(type);
}

int ike_codepoints_with(uint16_t separate_transports, uint16_t encrypted_ping_supported,
			uint8_t echo_next_header, uint8_t echo_request, uint8_t echo_reply,
			struct ike_codepoints *out, const char **why)
{
	struct ike_codepoints want = *ike_codepoints_default();
	if (separate_transports)
		want.n_separate_transports = separate_transports;
	if (encrypted_ping_supported)
		want.n_encrypted_ping_supported = encrypted_ping_supported;
	if (echo_next_header)
		want.esp_echo_next_header = echo_next_header;
	if (echo_request)
		want.esp_echo_request = echo_request;
	if (echo_reply)
		want.esp_echo_reply = echo_reply;
	*out = *ike_codepoints_default();
	return ike_codepoints_set(out, &want, why);
}
