/* Distinguished Names as text (ID_DER_ASN1_DN identities in configuration
 * and logs, RFC 7296 3.5, RFC 4945 3.1.5). The text lists the RDNs in the
 * order of the DER encoding, as strongSwan and Libreswan write them:
 * "C=CH, O=Example, CN=gw.example". Comparison is on OpenSSL's canonical
 * form, so string types and letter case do not matter. */
#include "crypto/x509.h"

#include <errno.h>
#include <string.h>

#include <openssl/objects.h>
#include <openssl/x509.h>

#define DN_TEXT_MAX 512u

/* "KEY=value" with spaces around both trimmed; 0 or -EINVAL. */
static int add_rdn(X509_NAME *name, char *part)
{
	char *eq = strchr(part, '=');
	if (!eq)
		return -EINVAL;
	*eq = '\0';
	char *k = part, *v = eq + 1, *e;
	while (*k == ' ')
		k++;
	for (e = eq; e > k && e[-1] == ' '; e--)
		e[-1] = '\0';
	while (*v == ' ')
		v++;
	for (e = v + strlen(v); e > v && e[-1] == ' '; e--)
		e[-1] = '\0';
	if (!*k || !*v || OBJ_txt2nid(k) == NID_undef)
		return -EINVAL;
	return X509_NAME_add_entry_by_txt(name, k, MBSTRING_UTF8, (const unsigned char *)v, -1, -1, 0) == 1
		       ? 0 : -EINVAL;
}

int crypto_dn_parse(const char *text, uint8_t *der, size_t cap, size_t *len)
{
	char buf[DN_TEXT_MAX];
	size_t n = strlen(text);
	int rc = 0;

	if (n == 0 || n >= sizeof(buf) || strchr(text, '\\') || strchr(text, '"'))
		return -EINVAL; /* escapes and quoting are not supported */
	memcpy(buf, text, n + 1);
	X509_NAME *name = X509_NAME_new();
	if (!name)
		return -ENOMEM;
	for (char *part = buf, *comma; part && !rc; part = comma ? comma + 1 : NULL) {
		comma = strchr(part, ',');
		if (comma)
			*comma = '\0';
		rc = add_rdn(name, part);
	}
	if (!rc) {
		int dl = i2d_X509_NAME(name, NULL);
		if (dl <= 0)
			rc = -EINVAL;
		else if ((size_t)dl > cap)
			rc = -ENAMETOOLONG;
		else {
			unsigned char *p = der;
			*len = (size_t)i2d_X509_NAME(name, &p);
		}
	}
	X509_NAME_free(name);
	return rc;
}

static X509_NAME *dn_decode(const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	X509_NAME *n = d2i_X509_NAME(NULL, &p, (long)len);
	if (n && (size_t)(p - der) != len) {
		X509_NAME_free(n);
		n = NULL;
	}
	return n;
}

int crypto_dn_eq(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	X509_NAME *x = dn_decode(a, al), *y = dn_decode(b, bl);
	int eq = x && y && X509_NAME_cmp(x, y) == 0;
	X509_NAME_free(x);
	X509_NAME_free(y);
	return eq;
}

int crypto_dn_str(const uint8_t *der, size_t len, char *out, size_t cap)
{
	X509_NAME *n = dn_decode(der, len);
	if (!cap)
		return -ENOBUFS;
	out[0] = '\0';
	if (!n)
		return -EBADMSG;
	size_t used = 0;
	int rc = 0;
	for (int i = 0; i < X509_NAME_entry_count(n) && !rc; i++) {
		const X509_NAME_ENTRY *e = X509_NAME_get_entry(n, i);
		const char *key = OBJ_nid2sn(OBJ_obj2nid(X509_NAME_ENTRY_get_object(e)));
		unsigned char *v = NULL;
		int vl = ASN1_STRING_to_UTF8(&v, X509_NAME_ENTRY_get_data(e));
		if (vl < 0 || !key) {
			rc = -EBADMSG;
		} else {
			int w = snprintf(out + used, cap - used, "%s%s=%.*s", i ? ", " : "", key, vl, v);
			if (w < 0 || (size_t)w >= cap - used)
				rc = -ENOBUFS;
			else
				used += (size_t)w;
		}
		OPENSSL_free(v);
	}
	if (rc == -ENOBUFS)
		out[used] = '\0';
	X509_NAME_free(n);
	return rc;
}
