/* Identities: parse and format (see ident.h). */
#include "ike/ident.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "crypto/x509.h"
#include "ike/pld/consts.h"

int ike_ident_parse(const char *s, struct ike_ident *out)
{
	size_t n = strlen(s);
	uint8_t a[16];

	memset(out, 0, sizeof(*out));
	if (n == 0)
		return -EINVAL;
	if (n > IKE_ID_MAX_LEN)
		return -ENAMETOOLONG;
	if (strchr(s, '=')) {
		/* A Distinguished Name, "C=CH, O=Example, CN=gw.example". */
		size_t dl = 0;
		int rc = crypto_dn_parse(s, out->data, IKE_ID_MAX_LEN, &dl);
		if (rc)
			return rc;
		out->type = IKE_ID_DER_ASN1_DN;
		out->len = dl;
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x21 || s[i] == 0x7f)
			return -EINVAL; /* no spaces or control characters in a name */
	if (inet_pton(AF_INET, s, a) == 1) {
		out->type = IKE_ID_IPV4_ADDR;
		out->len = 4;
		memcpy(out->data, a, 4);
		return 0;
	}
	if (inet_pton(AF_INET6, s, a) == 1) {
		out->type = IKE_ID_IPV6_ADDR;
		out->len = 16;
		memcpy(out->data, a, 16);
		return 0;
	}
	if (strchr(s, ','))
		return -EINVAL; /* a DN needs KEY=value parts */
	const char *at = strchr(s, '@');
	if (at) {
		/* RFC 7296 3.5: "jsmith@example.com", one '@' with text around. */
		if (at == s || !at[1] || strchr(at + 1, '@'))
			return -EINVAL;
		out->type = IKE_ID_RFC822_ADDR;
	} else {
		if (s[0] == '.' || s[0] == '-' || strstr(s, ".."))
			return -EINVAL;
		for (const char *c = s; *c; c++)
			if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			      (*c >= '0' && *c <= '9') || *c == '.' || *c == '-' || *c == '_'))
				return -EINVAL;
		out->type = IKE_ID_FQDN;
	}
	out->len = n;
	memcpy(out->data, s, n);
	return 0;
}

int ike_ident_str(const struct ike_ident *id, char *out, size_t len)
{
	size_t used = 0;
	int w;
	char tmp[INET6_ADDRSTRLEN];

	if (!len)
		return -ENOBUFS;
	out[0] = '\0';
	size_t n = id->len <= IKE_ID_MAX_LEN ? id->len : IKE_ID_MAX_LEN;
	switch (id->type) {
	case IKE_ID_IPV4_ADDR:
	case IKE_ID_IPV6_ADDR: {
		int v6 = id->type == IKE_ID_IPV6_ADDR;
		if (n != (v6 ? 16u : 4u) || !inet_ntop(v6 ? AF_INET6 : AF_INET, id->data, tmp, sizeof(tmp)))
			break;
		w = snprintf(out, len, "%s:%s", v6 ? "ipv6" : "ipv4", tmp);
		return w < 0 || (size_t)w >= len ? -ENOBUFS : 0;
	}
	case IKE_ID_FQDN:
	case IKE_ID_RFC822_ADDR:
		w = snprintf(out, len, "%s:", id->type == IKE_ID_FQDN ? "fqdn" : "rfc822");
		if (w < 0 || (size_t)w >= len)
			return -ENOBUFS;
		used = (size_t)w;
		for (size_t i = 0; i < n; i++) {
			uint8_t c = id->data[i];
			int printable = c >= 0x21 && c < 0x7f && c != '\\';
			w = printable ? snprintf(out + used, len - used, "%c", c)
				      : snprintf(out + used, len - used, "\\x%02x", c);
			if (w < 0 || (size_t)w >= len - used) {
				out[used] = '\0';
				return -ENOBUFS;
			}
			used += (size_t)w;
		}
		return 0;
	case IKE_ID_DER_ASN1_DN:
		w = snprintf(out, len, "dn:");
		if (w < 0 || (size_t)w >= len)
			return -ENOBUFS;
		if (crypto_dn_str(id->data, n, out + w, len - (size_t)w) == 0)
			return 0;
		out[0] = '\0';
		break; /* not a Name: as hex */
	default:
		break;
	}
	/* Anything else (or a malformed address): type name and hex. */
	w = snprintf(out, len, "%s:", ike_id_name(id->type));
	if (w < 0 || (size_t)w >= len)
		return -ENOBUFS;
	used = (size_t)w;
	for (size_t i = 0; i < n; i++) {
		w = snprintf(out + used, len - used, "%02x", id->data[i]);
		if (w < 0 || (size_t)w >= len - used) {
			out[used] = '\0';
			return -ENOBUFS;
		}
		used += (size_t)w;
	}
	return 0;
}

int ike_ident_eq(const struct ike_ident *a, const struct ike_ident *b)
{
	if (a->type == IKE_ID_DER_ASN1_DN && b->type == IKE_ID_DER_ASN1_DN && a->len <= IKE_ID_MAX_LEN &&
	    b->len <= IKE_ID_MAX_LEN)
		return crypto_dn_eq(a->data, a->len, b->data, b->len);
	return a->type == b->type && a->len == b->len && a->len <= IKE_ID_MAX_LEN &&
	       memcmp(a->data, b->data, a->len) == 0; /* public-memcmp: identities */
}
