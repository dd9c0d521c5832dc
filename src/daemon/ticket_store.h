/* The client's store for RFC 5723 session-resumption tickets: one file per
 * profile, <dir>/<profile>.ticket, holding the gateway's opaque ticket, its
 * lifetime, the resumption state (with the old IKE SA's SK_d) and the
 * profile and gateway it was issued for.
 *
 * Whoever reads a ticket file can resume as the client, so it is treated
 * like a key file (crypto/secret_file.c): the directory must be ours, not a
 * symbolic link and not writable by group or others; a file must be a
 * regular file we own with mode 0600. Writes are atomic (a temporary made
 * with O_EXCL, fsync, rename), and every buffer that held SK_d is wiped.
 * Tickets are single use: the caller deletes the file once it has been
 * tried, and on logout or a DELETE from the gateway.
 *
 * The file (all integers network order, no struct is ever copied as bytes):
 *
 *   magic      "PTRLTKT1" (8)              the last octet is the version
 *   received   u64                         unix seconds the ticket arrived
 *   lifetime   u32                         TICKET_LT_OPAQUE (RFC 5723 4.3.2)
 *   profile    u16 len, len octets         1..TICKET_STORE_PROFILE_MAX_LEN
 *   gateway    u16 len, len octets         1..TICKET_STORE_GATEWAY_MAX_LEN
 *   ticket     u16 len, len octets         1..IKE_TICKET_MAX_LEN
 *   alg        u8 proto, u16 encr, u16 encr_bits, u16 prf, u16 integ,
 *              u16 ke[8], u16 esn, u8 spi_len (0..8), spi_len octets, u8 num
 *   sk_d       u8 len, len octets          1..IKE_SKD_MAX_LEN
 *   idi, idr   u8 type, u16 len, len octets    len 0..IKE_ID_MAX_LEN
 *   spi_i      8 octets
 *   spi_r      8 octets
 *   auth       u8                          enum ike_auth_kind (1..3)
 *   crc        u32                         CRC-32 (IEEE 802.3) of all above
 *
 * The CRC catches a torn or corrupted file (a flipped byte in the lifetime
 * would otherwise pass as a valid ticket); it is no protection against
 * someone who may write the file, the ownership and mode checks are. */
#ifndef PETREL_DAEMON_TICKET_STORE_H
#define PETREL_DAEMON_TICKET_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "ike/ike.h"

#define TICKET_STORE_MAGIC "PTRLTKT1"
#define TICKET_STORE_MAGIC_LEN 8u
#define TICKET_STORE_PROFILE_MAX_LEN 63u  /* conf's CONF_NAME_MAX - 1 */
#define TICKET_STORE_GATEWAY_MAX_LEN 255u /* conf's CONF_STR_MAX - 1 */
#define TICKET_STORE_FILE_MAX_LEN 2048u   /* the largest file the format allows fits */
/* A ticket this close to its end is treated as expired: by the time
 * IKE_SESSION_RESUME reaches the gateway it may be. */
#define TICKET_STORE_EXPIRY_MARGIN_S 30u

/* Save t for profile, as received from gateway at received_unix. dir is
 * created 0700 if missing (its missing parents 0755). 0, or a negative errno
 * with *why: -EINVAL (bad profile name, ticket fields out of range), -EPERM
 * (dir is a symbolic link, not ours or group/other writable), or the
 * system's error. */
int ticket_store_save(const char *dir, const char *profile, const char *gateway,
		      const struct ike_ticket *t, uint64_t received_unix, const char **why);

/* Load the profile's ticket if it exists, was stored for this same gateway
 * string and does not expire within TICKET_STORE_EXPIRY_MARGIN_S of
 * now_unix. 0 with *t and *expires_unix (received + lifetime); -ENOENT no
 * ticket; -ETIME expired, or received after now_unix (the clock was set
 * back: its age is unknown) (the file is deleted); -ESTALE stored for
 * another gateway (deleted); -EBADMSG malformed, unknown version or another
 * profile's name inside (deleted; *why says what); -EPERM the directory or
 * file is a symbolic link, not ours, or its mode lets others in (not
 * deleted; *why says which); -EINVAL bad profile name. On any error *t is
 * zeroed. The caller wipes *t (ike_resume_state_wipe) when done. */
int ticket_store_load(const char *dir, const char *profile, const char *gateway,
		      uint64_t now_unix, struct ike_ticket *t, uint64_t *expires_unix,
		      const char **why);

/* Delete the profile's ticket: overwritten with zeros, then unlinked.
 * 0, -ENOENT, -EINVAL (bad profile name), -EPERM (the directory is a
 * symbolic link or not ours) or the system's error. */
int ticket_store_delete(const char *dir, const char *profile);

/* The file format above, without the file system (save, load, tests,
 * fuzz_ticket_store). encode: 0, -EINVAL (a name or field out of range) or
 * -ENOBUFS (cap too small; TICKET_STORE_FILE_MAX_LEN always suffices).
 * decode: 0 with gateway_out (NUL-terminated), *t and *received_unix;
 * -EBADMSG with *why, *t zeroed; -EINVAL bad profile argument; -ENOBUFS the
 * stored gateway does not fit gw_cap. profile is the name the file must
 * hold. */
int ticket_store_encode(const char *profile, const char *gateway, const struct ike_ticket *t,
			uint64_t received_unix, uint8_t *out, size_t cap, size_t *len);
int ticket_store_decode(const uint8_t *in, size_t len, const char *profile, char *gateway_out,
			size_t gw_cap, struct ike_ticket *t, uint64_t *received_unix,
			const char **why);

/* The file's CRC-32 (IEEE 802.3, as zlib's crc32()), for the fuzzer to
 * make mutated files whose checksum holds. */
uint32_t ticket_store_crc32(const uint8_t *p, size_t len);

#endif
