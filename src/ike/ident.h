/* Identities (RFC 7296 3.5) between the strings of configuration files and
 * logs and struct ike_ident:
 *   "192.0.2.1"         ID_IPV4_ADDR
 *   "2001:db8::1"       ID_IPV6_ADDR
 *   "user@example.com"  ID_RFC822_ADDR
 *   "gw.example.com"    ID_FQDN
 *   "C=CH, O=Example, CN=gw.example"  ID_DER_ASN1_DN (any string with '=';
 *                       RDNs in DER order, as strongSwan writes them)
 * DNs compare on their canonical form (crypto_dn_eq), the rest byte for
 * byte. */
#ifndef PETREL_IKE_IDENT_H
#define PETREL_IKE_IDENT_H

#include <stddef.h>

#include "ike/ike.h"

/* 0, or -EINVAL (empty, control characters, not a name/address, a DN
 * with an unknown attribute or escapes), -ENAMETOOLONG past IKE_ID_MAX_LEN
 * (text or DER). */
int ike_ident_parse(const char *s, struct ike_ident *out);
/* "fqdn:gw.example", "rfc822:user@example", "ipv4:192.0.2.1", "ipv6:..",
 * "dn:C=CH, O=Example, CN=gw.example",
 * other types as "<TYPE>:<hex>"; non-printable octets as \xNN. Always
 * NUL-terminates (truncating); 0 or -ENOBUFS when truncated. */
int ike_ident_str(const struct ike_ident *id, char *out, size_t len);
/* 1 when both have the same type and bytes. */
int ike_ident_eq(const struct ike_ident *a, const struct ike_ident *b);

#endif
