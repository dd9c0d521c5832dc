/* Code points the drafts still leave TBD (PRODUCT.md "Code points still TBD",
 * transport.md 1): one table, defaults in private-use space, overridable by
 * configuration so petrel can interoperate with other draft implementations.
 *
 *   SEPARATE_TRANSPORTS       draft-ietf-ipsecme-ikev2-reliable-transport, notify status TBD
 *   ENCRYPTED_PING_SUPPORTED  draft-ietf-ipsecme-encrypted-esp-ping, notify status TBD
 *   ESP echo next header      144 (AGGFRAG, RFC 9347); echo request/reply sub-types TBD,
 *                             implementations of the echo draft use 2 and 3.
 *
 * Defaults squat on no future IANA number: the notifies are private-use
 * values (RFC 7296 3.10.1: 40960-65535), away from those other stacks
 * already give meaning to: strongSwan 40960-40969 (40961 is its
 * USE_BEET_MODE, which would ask for a BEET-mode Child SA), Libreswan 40960
 * (NULL_AUTH). */
#ifndef PETREL_IKE_PLD_CODEPOINTS_H
#define PETREL_IKE_PLD_CODEPOINTS_H

#include <stdint.h>

struct ike_codepoints {
	uint16_t n_separate_transports;
	uint16_t n_encrypted_ping_supported;
	uint8_t esp_echo_next_header;
	uint8_t esp_echo_request;
	uint8_t esp_echo_reply;
};

#define IKE_CP_DEFAULT_SEPARATE_TRANSPORTS      48900u
#define IKE_CP_DEFAULT_ENCRYPTED_PING_SUPPORTED 48901u
#define IKE_CP_DEFAULT_ESP_ECHO_NEXT_HEADER     144u  /* AGGFRAG, RFC 9347 */
#define IKE_CP_DEFAULT_ESP_ECHO_REQUEST         2u
#define IKE_CP_DEFAULT_ESP_ECHO_REPLY           3u

/* The built-in defaults. */
const struct ike_codepoints *ike_codepoints_default(void);

/* Check `want` and copy it into *dst; *dst is untouched on failure.
 * Rules: both notifies are status types (>= 16384), distinct, and not a
 * registered notify from consts.h; the echo next header is not one the
 * tunnel carries itself (0, 4 IPv4, 41 IPv6, 50 ESP, 59 no-next-header);
 * the echo sub-types are distinct and not the RFC 9347 ones (0 IP-TFS data,
 * 1 congestion control). Returns 0 or -EINVAL with *why set (static). */
int ike_codepoints_set(struct ike_codepoints *dst, const struct ike_codepoints *want,
		       const char **why);

/* The defaults with each non-zero value given here put over them, checked
 * as ike_codepoints_set() does; *out is the defaults on failure. */
int ike_codepoints_with(uint16_t separate_transports, uint16_t encrypted_ping_supported,
			uint8_t echo_next_header, uint8_t echo_request, uint8_t echo_reply,
			struct ike_codepoints *out, const char **why);

/* Name of a notify type including the configured TBD ones, for logs. */
const char *ike_codepoints_notify_name(const struct ike_codepoints *cp, unsigned type);

#endif
