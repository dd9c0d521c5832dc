/* ESP wire format and every ESP limit in one place (STYLE.md "Bytes from a
 * peer"; RFC 4303 2, RFC 4106, RFC 7634, RFC 3948).
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ ----
 * |               Security Parameters Index (SPI)                 | ^ ICV
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ | (AAD)
 * |            Sequence Number (low 32 bits of the 64)            | |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ | ---
 * |  IV: 8 octets (AEAD: the 64-bit sequence number, RFC 4106 3.1) | |  ^
 * |      16 octets (AES-CBC: random, RFC 3602 2.1)                 | |  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ |  |
 * ~     Payload Data: the inner IPv4/IPv6 packet, or an echo      ~ | enc
 * +               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ |  |
 * |               |     Padding 1, 2, 3 ... (0-255 octets)        | |  |
 * +-+-+-+-+-+-+-+-+               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ |  |
 * |                               |  Pad Length   | Next Header   | v  v
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ ----
 * |     ICV: 16 octets (GCM-16, Poly1305), 16/24/32 (HMAC-SHA2)   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * With ESN the high 32 bits of the sequence number are never sent: they are
 * in the AEAD's AAD (SPI | seq_hi | seq_lo, RFC 4106 5) and recovered by the
 * receiver from its replay window (RFC 4303 appendix A). */
#ifndef PETREL_ESP_ESP_H
#define PETREL_ESP_ESP_H

#include <stdint.h>

/* RFC 4303 2. */
#define ESP_HDR_LEN            8u    /* SPI | sequence number */
#define ESP_TRAILER_LEN        2u    /* Pad Length | Next Header */
#define ESP_AEAD_IV_LEN        8u    /* RFC 4106 3.1, RFC 7634 2 */
#define ESP_CBC_IV_LEN         16u   /* RFC 3602 2.1 */
#define ESP_AEAD_ICV_LEN       16u
#define ESP_ICV_MAX_LEN        32u   /* HMAC-SHA2-512-256 */
#define ESP_IV_MAX_LEN         16u
#define ESP_AEAD_ALIGN         4u    /* RFC 4303 2.4: trailer ends on 4 octets */
#define ESP_CBC_ALIGN          16u   /* the AES block */
#define ESP_PAD_MAX            255u  /* RFC 4303 2.4 */
#define ESP_SPI_RESERVED_MAX   255u  /* RFC 4303 2.1: 1-255 reserved, 0 never sent */

/* Next Header values the data plane acts on (IANA IP protocol numbers). */
#define ESP_NH_IPV4            4u    /* tunnel mode, IPv4 inside */
#define ESP_NH_IPV6            41u   /* tunnel mode, IPv6 inside */
#define ESP_NH_NONE            59u   /* RFC 4303 2.6: dummy packet, drop silently */

/* Limits (the caps of this module; STYLE.md "Every growable thing has a cap"). */
#define ESP_REPLAY_WINDOW      2048u /* bitmap bits (RFC 6479 blocks of 64) */
#define ESP_REPLAY_WINDOW_EFF  (ESP_REPLAY_WINDOW - 64u) /* packets the window accepts
							    * behind its right edge: 1984 */
#define ESP_TABLE_SLOTS_MAX    64u   /* Child SAs in one table */
#define ESP_ECHO_DATA_MAX      512u  /* echo data we send or echo back (transport.md 3.3) */
#define ESP_PROBES_MAX         16u   /* outstanding echo probes per Child SA */

/* Sequence-number budget (RFC 4303 3.3.3: never cycle; STYLE.md: rekey well
 * before exhaustion). The soft limit raises the SA's rekey flag, the hard
 * limit stops encap with -EKEYEXPIRED: the last sequence number sent is at
 * most the hard limit. Defaults: 3/4 of the space for the flag. */
#define ESP_SEQ_MAX_32         0xffffffffull
#define ESP_SEQ_MAX_64         0xffffffffffffffffull
#define ESP_SEQ_SOFT_32        0xc0000000ull
#define ESP_SEQ_SOFT_64        0xc000000000000000ull

#endif
