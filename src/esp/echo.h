/* ESP Echo inside a Child SA (draft-ietf-ipsecme-encrypted-esp-ping-03,
 * Mode 2; specs/transport.md 3.3). The echo message is an ESP payload whose
 * Next Header is the configured value (AGGFRAG, 144, by default):
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------+-+-------------+-------------------------------+
 * |   Sub-Type    |R|  Flags (0)  |          Data Length          |
 * +---------------+-+-------------+-------------------------------+
 * |           Identifier          |        Sequence Number        |
 * +-------------------------------+-------------------------------+
 * |           Return SPI (only when R is set; requests only)      |
 * +---------------------------------------------------------------+
 * ~                 Data (Data Length octets, echoed)             ~
 * +---------------------------------------------------------------+
 *
 * Sub-types are TBD in the draft (implementations: request 2, reply 3) and
 * come from ike_codepoints. Pure functions and a small probe table: when to
 * send, how often to retry and what a missing reply means are the caller's. */
#ifndef PETREL_ESP_ECHO_H
#define PETREL_ESP_ECHO_H

#include <stddef.h>
#include <stdint.h>

#include "esp/esp.h"
#include "esp/pkt.h"
#include "esp/sa.h"

#define ESP_ECHO_HDR_LEN 8u
#define ESP_ECHO_FLAG_R  0x80u   /* a Return SPI follows */

struct esp_echo_cfg {
	uint8_t next_header;     /* ike_codepoints.esp_echo_next_header */
	uint8_t request;         /* ike_codepoints.esp_echo_request */
	uint8_t reply;           /* ike_codepoints.esp_echo_reply */
};

/* 144 / 2 / 3, as IKE_CP_DEFAULT_ESP_ECHO_* in ike/pld/codepoints.h. */
extern const struct esp_echo_cfg esp_echo_cfg_default;

/* A decoded echo message; data points into the parsed buffer. */
struct esp_echo {
	int is_request;          /* 1 request, 0 reply */
	uint16_t id, seq;
	int has_return_spi;
	uint32_t return_spi;
	const uint8_t *data;
	uint16_t data_len;
};

/* Make pkt (reset, empty) an echo request: id, seq, data_len zero octets of
 * data (<= ESP_ECHO_DATA_MAX: padding to probe a path's size), and a Return
 * SPI when return_spi is not 0. Seal it with esp_encap(out_sa, pkt,
 * cfg->next_header). 0, -EINVAL, -ENOBUFS. */
int esp_echo_request(const struct esp_echo_cfg *cfg, struct esp_pkt *pkt, uint16_t id,
		     uint16_t seq, size_t data_len, uint32_t return_spi);

/* Decode a decapsulated echo payload. 0, -EBADMSG (short, Data Length past
 * the end, R in a reply), -EPROTONOSUPPORT (another sub-type, such as the
 * RFC 9347 IP-TFS ones). Octets after the data are ignored. */
int esp_echo_parse(const struct esp_echo_cfg *cfg, const uint8_t *p, size_t len,
		   struct esp_echo *out);

/* Turn the request in pkt (parsed into req, pointing into pkt) into its
 * reply, in place: reply sub-type, flags 0, same identifier and sequence
 * number, no Return SPI, the data up to ESP_ECHO_DATA_MAX octets. The reply
 * is never longer than the request. 0 or -EINVAL (req is not a request). */
int esp_echo_reply(const struct esp_echo_cfg *cfg, struct esp_pkt *pkt, const struct esp_echo *req);

/* The SA a reply to req (received on inbound SA `in`) goes out on: the
 * outbound SA of the same Child SA. A Return SPI must name exactly that SA
 * (draft 4.3, return path validation: never an SA of another peer).
 * NULL: do not answer. */
struct esp_sa *esp_echo_reply_sa(struct esp_table *t, const struct esp_sa *in,
				 const struct esp_echo *req);

/* Outstanding probes of one Child SA: identifier, sequence numbers and the
 * send times, matched against replies for the round-trip time. */
struct esp_probe {
	uint16_t seq;
	uint8_t used;
	uint64_t sent_ms;
};

struct esp_probes {
	uint16_t id;
	uint16_t next_seq;
	struct esp_probe p[ESP_PROBES_MAX];
	uint64_t sent, matched, unmatched;
};

void esp_probes_init(struct esp_probes *pr, uint16_t id);
/* Record a probe sent at now_ms and return its sequence number; a full table
 * forgets its oldest probe. */
uint16_t esp_probes_add(struct esp_probes *pr, uint64_t now_ms);
/* A reply: 0 with *rtt_ms when it answers an outstanding probe (then
 * forgotten), else -ENOENT (wrong identifier, unknown or answered sequence
 * number; counted in unmatched) and the caller drops it. */
int esp_probes_match(struct esp_probes *pr, const struct esp_echo *reply, uint64_t now_ms,
		     uint64_t *rtt_ms);
size_t esp_probes_outstanding(const struct esp_probes *pr);
/* Forget every outstanding probe (a path change: old replies mean nothing). */
void esp_probes_clear(struct esp_probes *pr);

/* Build the next probe in pkt and record it: esp_echo_request() with the
 * table's identifier and a new sequence number. */
int esp_echo_probe(const struct esp_echo_cfg *cfg, struct esp_probes *pr, struct esp_pkt *pkt,
		   uint64_t now_ms, size_t data_len);

#endif
