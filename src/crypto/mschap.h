/* MS-CHAPv2 and MPPE key derivation (RFC 2759 8, RFC 3079 3.4), and MD5 for
 * EAP-MD5 (RFC 3748 5.4, RFC 1994 4.1).
 *
 * MS-CHAPv2 needs MD4 and single DES, which OpenSSL 3 keeps in its "legacy"
 * provider. They are fetched from a private library context (the legacy and
 * default providers loaded into it once), so the rest of petrel never sees
 * legacy algorithms. When the legacy provider is missing every MS-CHAPv2
 * function returns -ENOTSUP after one log line naming the reason.
 *
 * Lengths are fixed by RFC 2759: challenges 16 octets, ChallengeHash 8,
 * PasswordHash 16, NT-Response 24, AuthenticatorResponse 20 (binary; the wire
 * form "S=<40 hex>" is the EAP layer's). Passwords are UTF-8 and are turned
 * into UTF-16LE here (RFC 2759 8.3 "Unicode"). */
#ifndef PETREL_CRYPTO_MSCHAP_H
#define PETREL_CRYPTO_MSCHAP_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/secret.h"

#define CRYPTO_MD5_LEN            16u
#define CRYPTO_MSCHAP_CHAL_LEN    16u  /* Authenticator- and Peer-Challenge */
#define CRYPTO_MSCHAP_HASH_LEN    16u  /* PasswordHash, PasswordHashHash */
#define CRYPTO_MSCHAP_NTRESP_LEN  24u
#define CRYPTO_MSCHAP_AUTHR_LEN   20u  /* AuthenticatorResponse, binary */
#define CRYPTO_MSCHAP_KEY_LEN     16u  /* MasterKey and the 128-bit start keys */
/* RFC 2759 8.3: a password is at most 256 Unicode characters. */
#define CRYPTO_MSCHAP_PASSWORD_MAX_CHARS 256u

/* out = MD5(parts...). MD5 is in the default provider. 0 or -EIO. */
int crypto_md5(const struct crypto_buf *parts, size_t n, uint8_t out[CRYPTO_MD5_LEN]);

/* 0 when MD4 and DES-ECB can be used, else -ENOTSUP (logged once). */
int crypto_mschap_available(void);

/* UTF-8 to UTF-16LE (supplementary planes as surrogate pairs). Rejects
 * malformed UTF-8, overlong forms, surrogates and code points past U+10FFFF
 * with -EINVAL, more than CRYPTO_MSCHAP_PASSWORD_MAX_CHARS UTF-16 units with
 * -E2BIG, and -ENOBUFS when out is too small (2 * 256 octets always fit). */
int crypto_utf8_to_utf16le(const uint8_t *in, size_t len, uint8_t *out, size_t cap,
			   size_t *out_len);

/* RFC 2759 8.3 NtPasswordHash: MD4(UTF-16LE(password)). password is UTF-8. */
int crypto_nt_password_hash(const uint8_t *password, size_t len,
			    uint8_t out[CRYPTO_MSCHAP_HASH_LEN]);
/* RFC 2759 8.4 HashNtPasswordHash: MD4(PasswordHash). */
int crypto_nt_hash_hash(const uint8_t hash[CRYPTO_MSCHAP_HASH_LEN],
			uint8_t out[CRYPTO_MSCHAP_HASH_LEN]);

/* RFC 2759 8.2 ChallengeHash: first 8 octets of SHA-1(PeerChallenge |
 * AuthenticatorChallenge | UserName). UserName without a "DOMAIN\" prefix is
 * the caller's job (crypto_mschap_user_part). */
int crypto_mschap_challenge_hash(const uint8_t peer_chal[CRYPTO_MSCHAP_CHAL_LEN],
				 const uint8_t auth_chal[CRYPTO_MSCHAP_CHAL_LEN],
				 const uint8_t *user, size_t user_len, uint8_t out[8]);

/* RFC 2759 8.5 ChallengeResponse: three DES encryptions of the 8-octet
 * challenge under the 21-octet zero-padded PasswordHash cut into 7-octet keys. */
int crypto_mschap_challenge_response(const uint8_t challenge[8],
				     const uint8_t pw_hash[CRYPTO_MSCHAP_HASH_LEN],
				     uint8_t out[CRYPTO_MSCHAP_NTRESP_LEN]);

/* RFC 2759 8.1 GenerateNTResponse, from the PasswordHash. */
int crypto_mschap_nt_response(const uint8_t auth_chal[CRYPTO_MSCHAP_CHAL_LEN],
			      const uint8_t peer_chal[CRYPTO_MSCHAP_CHAL_LEN],
			      const uint8_t *user, size_t user_len,
			      const uint8_t pw_hash[CRYPTO_MSCHAP_HASH_LEN],
			      uint8_t out[CRYPTO_MSCHAP_NTRESP_LEN]);

/* RFC 2759 8.7 GenerateAuthenticatorResponse (the 20 binary octets). */
int crypto_mschap_auth_response(const uint8_t pw_hash[CRYPTO_MSCHAP_HASH_LEN],
				const uint8_t nt_resp[CRYPTO_MSCHAP_NTRESP_LEN],
				const uint8_t peer_chal[CRYPTO_MSCHAP_CHAL_LEN],
				const uint8_t auth_chal[CRYPTO_MSCHAP_CHAL_LEN],
				const uint8_t *user, size_t user_len,
				uint8_t out[CRYPTO_MSCHAP_AUTHR_LEN]);

/* RFC 3079 3.4 GetMasterKey: first 16 octets of SHA-1(PasswordHashHash |
 * NT-Response | Magic1). */
int crypto_mppe_master_key(const uint8_t pw_hash_hash[CRYPTO_MSCHAP_HASH_LEN],
			   const uint8_t nt_resp[CRYPTO_MSCHAP_NTRESP_LEN],
			   uint8_t out[CRYPTO_MSCHAP_KEY_LEN]);

/* RFC 3079 3.4 GetAsymmetricStartKey for 128-bit keys: first 16 octets of
 * SHA-1(MasterKey | SHSpad1 | s | SHSpad2), where s is Magic2 ("On the client
 * side, this is the send key; ...") for the client's send key and the
 * server's receive key, and Magic3 for the other two. */
int crypto_mppe_start_key(const uint8_t master_key[CRYPTO_MSCHAP_KEY_LEN], int is_send,
			  int is_server, uint8_t out[CRYPTO_MSCHAP_KEY_LEN]);

/* The 64-octet EAP-MSCHAPv2 MSK both ends of IKEv2 use (the same on client
 * and server): client MasterSendKey (Magic2) | client MasterReceiveKey
 * (Magic3) | 32 zero octets. This is the server's receive key followed by its
 * send key, as strongSwan's eap_mschapv2 and wpa_supplicant/hostapd (32
 * octets there; the zero tail does not change an HMAC key) build it. */
#define CRYPTO_MSCHAP_MSK_LEN 64u
int crypto_mschap_msk(const uint8_t pw_hash[CRYPTO_MSCHAP_HASH_LEN],
		      const uint8_t nt_resp[CRYPTO_MSCHAP_NTRESP_LEN], struct secret **out);

/* The user name ChallengeHash takes (RFC 2759 8.2: "excluding any prepended
 * domain name"): the part after the first backslash, or all of it. */
void crypto_mschap_user_part(const uint8_t *name, size_t len, const uint8_t **user,
			     size_t *user_len);

#endif
