/* RFC 5723 session-resumption tickets, as petrel-gw seals and opens them.
 *
 * A ticket is opaque to the client: only the gateway reads it, so its
 * format is ours. It carries the state of the old IKE SA
 * (struct ike_resume_state) under AES-256-GCM with a key only the gateway
 * holds (RFC 5723 Appendix A gives the same shape: key id, IV, encrypted
 * state, MAC):
 *
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |    Version    |                    Key ID                     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |               |                                               |
 * +-+-+-+-+-+-+-+-+          Nonce (12 octets, random)            +
 * |                                                               |
 * +               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |               |                                               |
 * +-+-+-+-+-+-+-+-+                                               +
 * ~            Encrypted state (GW_TICKET_PT_LEN octets)          ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                       Tag (16 octets)                         ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * The 17-octet header is the AAD; the nonce is also the ticket's id in the
 * replay cache. The state, every integer in network order:
 *   issue time u64, expiry u64 (Unix seconds, absolute);
 *   alg: proto u8, encr u16, encr_bits u16, prf u16, integ u16, ke[8] u16,
 *        esn u16, spi_len u8, spi 8 octets (zero past spi_len), num u8;
 *   sk_d_len u8, sk_d 64 octets (zero past sk_d_len);
 *   idi, idr: type u8, len u16, data 256 octets (zero past len);
 *   spi_i 8, spi_r 8, auth u8.
 * Every field has its maximum size, so every ticket is GW_TICKET_LEN long:
 * the ticket travels in the clear in IKE_SESSION_RESUME (RFC 5723 4.3)
 * and its length says nothing about the identities inside.
 *
 * Keys are 32 random octets in a struct secret, one AEAD context each, made
 * once. The current key seals; after rotate_s it becomes the previous key,
 * which only opens, and it is forgotten rotate_s later (at most two keys).
 * rotate_s >= lifetime_s, so the previous key outlives every ticket it
 * sealed. Tickets are single use: a successful open records the nonce
 * until the ticket expires, so a copied ticket is refused.
 *
 * One loop thread at a time (the AEAD contexts are not shared). */
#ifndef PETREL_GW_TICKET_H
#define PETREL_GW_TICKET_H

#include <stddef.h>
#include <stdint.h>

#include "ike/ike.h"

#define GW_TICKET_VERSION   1u
#define GW_TICKET_KEY_LEN   32u    /* AES-256-GCM */
#define GW_TICKET_NONCE_LEN 12u
#define GW_TICKET_TAG_LEN   16u
#define GW_TICKET_HDR_LEN   (1u + 4u + GW_TICKET_NONCE_LEN)
#define GW_TICKET_ALG_LEN   (1u + 2u * 4u + 2u * 8u + 2u + 1u + 8u + 1u)
#define GW_TICKET_ID_LEN    (1u + 2u + IKE_ID_MAX_LEN)
#define GW_TICKET_PT_LEN    (8u + 8u + GW_TICKET_ALG_LEN + 1u + IKE_SKD_MAX_LEN + \
			     2u * GW_TICKET_ID_LEN + 8u + 8u + 1u)
#define GW_TICKET_LEN       (GW_TICKET_HDR_LEN + GW_TICKET_PT_LEN + GW_TICKET_TAG_LEN)
#define GW_TICKET_SEEN_MAX  4096u  /* ticket ids the replay cache holds */
#define GW_TICKET_SKEW_S    60u    /* how far in the future an issue time may be */
/* The key file: hex of key id (4 octets) | key (32), one line. */
#define GW_TICKET_FILE_HEX_LEN (2u * (4u + GW_TICKET_KEY_LEN))

struct gw_tickets;

/* lifetime_s: what TICKET_LT_OPAQUE announces (e.g. 3600); rotate_s: how
 * often a new sealing key is made, at least lifetime_s. key_file NULL: keys
 * live only in memory, each made by the first seal that needs it. Otherwise
 * the key is read from key_file (gw_tickets_new refuses one that is not a
 * regular file owned by us or root, with group or other bits, or not
 * GW_TICKET_FILE_HEX_LEN hex digits) or, when the file does not exist,
 * made and written there with mode 0600; it is never rotated. For tests
 * that restart the gateway.
 * 0, -EINVAL, -EPERM, -ENOMEM, -EIO or an errno from the file, with *why:
 * static text; for the file, a predicate to follow its name ("is readable
 * or writable by group or others (chmod 600 it)"). */
int gw_tickets_new(uint32_t lifetime_s, uint32_t rotate_s, const char *key_file,
		   struct gw_tickets **out, const char **why);
/* Wipes the keys; NULL is fine. */
void gw_tickets_free(struct gw_tickets *t);

/* Seal st into out[0..cap) at now (Unix seconds); *len gets GW_TICKET_LEN
 * and *lifetime_s the lifetime to announce: lifetime_s, or max_lifetime_s
 * when that is not 0 and shorter (the IKE SA's remaining life). 0, -EINVAL
 * (a length in st out of range), -ENOBUFS (cap < GW_TICKET_LEN), -ENOMEM,
 * -EIO (no randomness). out holds nothing of st on failure. */
int gw_ticket_seal(struct gw_tickets *t, const struct ike_resume_state *st, uint64_t now,
		   uint32_t max_lifetime_s, uint8_t *out, size_t cap, size_t *len,
		   uint32_t *lifetime_s);

/* Open a ticket a client presented, at now. 0 and *out; -EBADMSG wrong
 * length, unknown version or a state that does not decode; -EKEYREJECTED
 * unknown key id or the tag does not match; -ETIME expired (now >= expiry)
 * or issued more than GW_TICKET_SKEW_S in the future; -EALREADY opened
 * before; -ENOSPC the replay cache holds GW_TICKET_SEEN_MAX live ids (the
 * client falls back to a full handshake). out is wiped on failure. */
int gw_ticket_open(struct gw_tickets *t, const uint8_t *ticket, size_t len, uint64_t now,
		   struct ike_resume_state *out);

/* Forget every key and the replay cache, and stop using key_file: what a
 * restarted gateway without key_file has. The next seal makes a new key.
 * For tests. */
void gw_tickets_rekey(struct gw_tickets *t);

/* Short text for the errors of gw_ticket_open (others: pt_strerror). */
const char *gw_ticket_strerror(int err);

#endif
