/* petrel-gw's small parts and the identities: ike_ident parse/format,
 * address pools, PSK files, EAP users (gw_creds), selector text.
 * Table-driven. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gw/creds.h"
#include "gw/pool.h"
#include "ike/eap/eap.h"
#include "ike/ike.h"
#include "crypto/secret_file.h"
#include "ike/ident.h"
#include "ike/pld/consts.h"
#include "net/addr.h"
#include "test.h"

static const struct {
	const char *in;
	int rc;
	uint8_t type;
	const char *str;
} idents[] = {
	{ "gw.example", 0, IKE_ID_FQDN, "fqdn:gw.example" },
	{ "vpn-1.corp.example.com", 0, IKE_ID_FQDN, "fqdn:vpn-1.corp.example.com" },
	{ "client@psk.example", 0, IKE_ID_RFC822_ADDR, "rfc822:client@psk.example" },
	{ "198.51.100.1", 0, IKE_ID_IPV4_ADDR, "ipv4:198.51.100.1" },
	{ "2001:db8::1", 0, IKE_ID_IPV6_ADDR, "ipv6:2001:db8::1" },
	{ "", -EINVAL, 0, NULL },
	{ "gw example", -EINVAL, 0, NULL },
	{ "@example", -EINVAL, 0, NULL },
	{ "user@", -EINVAL, 0, NULL },
	{ "a@b@c", -EINVAL, 0, NULL },
	{ ".example", -EINVAL, 0, NULL },
	{ "a..example", -EINVAL, 0, NULL },
	{ "gw/example", -EINVAL, 0, NULL },
	{ "CN=gw, O=example", 0, IKE_ID_DER_ASN1_DN, "dn:CN=gw, O=example" },
	{ "C=XX,O=petrel e2e ,  CN=moon.example", 0, IKE_ID_DER_ASN1_DN, "dn:C=XX, O=petrel e2e, CN=moon.example" },
	{ "C=XX, O=petrel, OU=lab, CN=alice@example", 0, IKE_ID_DER_ASN1_DN,
	  "dn:C=XX, O=petrel, OU=lab, CN=alice@example" },
	{ "NOSUCHKEY=x", -EINVAL, 0, NULL },
	{ "CN=", -EINVAL, 0, NULL },
	{ "CN=a, ", -EINVAL, 0, NULL },
	{ "CN=a\\,b", -EINVAL, 0, NULL },
	{ "C=XXX", -EINVAL, 0, NULL }, /* countryName is two letters */
	{ "gw,example", -EINVAL, 0, NULL },
	{ "tab\there", -EINVAL, 0, NULL },
};

static void test_ident(void)
{
	for (size_t i = 0; i < sizeof(idents) / sizeof(idents[0]); i++) {
		struct ike_ident id;
		char s[300];
		int rc = ike_ident_parse(idents[i].in, &id);
		CHECK_EQ(rc, idents[i].rc);
		if (rc)
			continue;
		CHECK_EQ(id.type, idents[i].type);
		CHECK_EQ(ike_ident_str(&id, s, sizeof(s)), 0);
		if (strcmp(s, idents[i].str) != 0)
			fprintf(stderr, "ident %zu: '%s' != '%s'\n", i, s, idents[i].str);
		CHECK(strcmp(s, idents[i].str) == 0);
		struct ike_ident again;
		ike_ident_parse(idents[i].in, &again);
		CHECK(ike_ident_eq(&id, &again));
	}
	/* DNs compare on the canonical form: case and spacing in values aside,
	 * and not at all across a different order or value. */
	struct ike_ident d1, d2;
	CHECK_EQ(ike_ident_parse("C=XX, O=petrel e2e, CN=moon", &d1), 0);
	CHECK_EQ(ike_ident_parse("C=xx,O=PETREL  E2E,CN=Moon", &d2), 0);
	CHECK(d1.len != d2.len || memcmp(d1.data, d2.data, d1.len) != 0);
	CHECK(ike_ident_eq(&d1, &d2));
	CHECK_EQ(ike_ident_parse("O=petrel e2e, C=XX, CN=moon", &d2), 0);
	CHECK(!ike_ident_eq(&d1, &d2));
	CHECK_EQ(ike_ident_parse("C=XX, O=petrel e2e, CN=sun", &d2), 0);
	CHECK(!ike_ident_eq(&d1, &d2));
	d2 = d1;
	d2.data[d2.len - 1] ^= 0x20; /* other bytes (moon -> mooN), the same canonical Name */
	CHECK(ike_ident_eq(&d1, &d2));
	d2.len--; /* and one that is not a Name */
	CHECK(!ike_ident_eq(&d1, &d2));
	char ds[300];
	CHECK_EQ(ike_ident_str(&d2, ds, sizeof(ds)), 0);
	CHECK(strncmp(ds, "DER_ASN1_DN:30", 14) == 0);
	CHECK_EQ(ike_ident_str(&d1, ds, 12), -ENOBUFS);

	char long_name[IKE_ID_MAX_LEN + 2];
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	struct ike_ident id;
	CHECK_EQ(ike_ident_parse(long_name, &id), -ENAMETOOLONG);

	/* What a peer sent is formatted safely: control bytes as \xNN, other
	 * types as hex, truncation reported. */
	id.type = IKE_ID_FQDN;
	id.len = 4;
	memcpy(id.data, "a\nb\\", 4);
	char s[64];
	CHECK_EQ(ike_ident_str(&id, s, sizeof(s)), 0);
	CHECK(strcmp(s, "fqdn:a\\x0ab\\x5c") == 0);
	id.type = IKE_ID_KEY_ID;
	id.len = 2;
	id.data[0] = 0xde;
	id.data[1] = 0xad;
	CHECK_EQ(ike_ident_str(&id, s, sizeof(s)), 0);
	CHECK(strcmp(s, "KEY_ID:dead") == 0);
	id.type = IKE_ID_IPV4_ADDR;
	id.len = 3; /* malformed address: falls back to hex */
	CHECK_EQ(ike_ident_str(&id, s, sizeof(s)), 0);
	CHECK(strncmp(s, "IPV4_ADDR:", 10) == 0);
	CHECK_EQ(ike_ident_str(&id, s, 5), -ENOBUFS);
	CHECK_EQ(strlen(s) < 5, 1);
}

static void test_pool(void)
{
	struct gw_pool p;
	uint8_t a[4], b[4], got[4];
	int cut;

	inet_pton(AF_INET, "203.0.113.254", a);
	inet_pton(AF_INET, "203.0.114.1", b);
	CHECK_EQ(gw_pool_init(&p, AF_INET, a, b, &cut), 0);
	CHECK_EQ(cut, 0);
	CHECK_EQ(p.size, 4); /* .254 .255 114.0 114.1: carries across octets */
	const char *want[] = { "203.0.113.254", "203.0.113.255", "203.0.114.0", "203.0.114.1" };
	for (int i = 0; i < 4; i++) {
		char s[INET_ADDRSTRLEN];
		CHECK_EQ(gw_pool_take(&p, got), 0);
		inet_ntop(AF_INET, got, s, sizeof(s));
		CHECK(strcmp(s, want[i]) == 0);
	}
	CHECK_EQ(gw_pool_take(&p, got), -ENOSPC);
	inet_pton(AF_INET, "203.0.113.255", a);
	gw_pool_put(&p, a);
	gw_pool_put(&p, a); /* twice: ignored */
	inet_pton(AF_INET, "192.0.2.1", b);
	gw_pool_put(&p, b); /* not ours: ignored */
	CHECK_EQ(p.used, 3);
	CHECK_EQ(gw_pool_take(&p, got), 0);
	CHECK_MEM(got, a, 4);
	gw_pool_free(&p);

	/* order and size limits */
	inet_pton(AF_INET, "203.0.113.10", a);
	inet_pton(AF_INET, "203.0.113.9", b);
	CHECK_EQ(gw_pool_init(&p, AF_INET, a, b, &cut), -EINVAL);
	uint8_t s6[16], e6[16], g6[16];
	inet_pton(AF_INET6, "2001:db8:113::", s6);
	inet_pton(AF_INET6, "2001:db8:113::ffff:ffff", e6);
	CHECK_EQ(gw_pool_init(&p, AF_INET6, s6, e6, &cut), 0);
	CHECK_EQ(cut, 1);
	CHECK_EQ(p.size, GW_POOL_MAX);
	CHECK_EQ(gw_pool_take(&p, g6), 0);
	CHECK_MEM(g6, s6, 16);
	gw_pool_free(&p);
	CHECK_EQ(gw_pool_take(&p, g6), -ENOSPC);
}

static int write_file(const char *path, const char *data, size_t len, mode_t mode)
{
	unlink(path);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0)
		return -1;
	ssize_t w = write(fd, data, len);
	close(fd);
	return w == (ssize_t)len && chmod(path, mode) == 0 ? 0 : -1;
}

static void test_psk(void)
{
	char dir[] = "/tmp/petrel-test-psk-XXXXXX", path[128], link_path[160];
	struct secret *s;
	const char *why;

	if (!mkdtemp(dir)) {
		CHECK(0);
		return;
	}
	snprintf(path, sizeof(path), "%s/key", dir);
	static const struct {
		const char *data;
		size_t len;
		mode_t mode;
		int rc;
		size_t key_len;
	} cases[] = {
		{ "secret\n", 7, 0600, 0, 6 },        /* one newline stripped */
		{ "secret\n\n", 8, 0600, 0, 7 },      /* only one */
		{ "secret\r\n", 8, 0400, 0, 6 },      /* CRLF, read-only file */
		{ "secret", 6, 0600, 0, 6 },
		{ "secret\n", 7, 0640, -EPERM, 0 },   /* group may read */
		{ "secret\n", 7, 0604, -EPERM, 0 },   /* others may read */
		{ "secret\n", 7, 0620, -EPERM, 0 },   /* group may write */
		{ "\n", 1, 0600, -EINVAL, 0 },        /* empty */
		{ "", 0, 0600, -EINVAL, 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK_EQ(write_file(path, cases[i].data, cases[i].len, cases[i].mode), 0);
		int rc = crypto_secret_load_file(path, &s, &why);
		if (rc != cases[i].rc)
			fprintf(stderr, "psk case %zu: rc %d (%s)\n", i, rc, why);
		CHECK_EQ(rc, cases[i].rc);
		if (!rc) {
			CHECK_EQ(s->len, cases[i].key_len);
			CHECK(memcmp(s->p, cases[i].data, s->len) == 0);
		} else {
			CHECK(s == NULL);
			CHECK(why[0] != '\0');
		}
		crypto_secret_free(s);
	}
	/* too long */
	char big[SECRET_FILE_MAX_LEN + 10];
	memset(big, 'k', sizeof(big));
	CHECK_EQ(write_file(path, big, sizeof(big), 0600), 0);
	CHECK_EQ(crypto_secret_load_file(path, &s, &why), -EINVAL);
	CHECK_EQ(write_file(path, big, SECRET_FILE_MAX_LEN, 0600), 0);
	CHECK_EQ(crypto_secret_load_file(path, &s, &why), 0);
	crypto_secret_free(s);
	/* symlinks and directories are refused; a missing file says so */
	snprintf(link_path, sizeof(link_path), "%s/link", dir);
	CHECK_EQ(symlink(path, link_path), 0);
	CHECK_EQ(crypto_secret_load_file(link_path, &s, &why), -ELOOP);
	CHECK_EQ(crypto_secret_load_file(dir, &s, &why), -EINVAL);
	unlink(path);
	CHECK_EQ(crypto_secret_load_file(path, &s, &why), -ENOENT);
	unlink(link_path);
	rmdir(dir);
}

static void test_ts_str(void)
{
	static const struct {
		const char *start, *end;
		int v6;
		uint8_t proto;
		const char *want;
	} cases[] = {
		{ "203.0.113.0", "203.0.113.255", 0, 0, "203.0.113.0/24" },
		{ "203.0.113.10", "203.0.113.10", 0, 0, "203.0.113.10" },
		{ "0.0.0.0", "255.255.255.255", 0, 0, "0.0.0.0/0" },
		{ "203.0.113.10", "203.0.113.20", 0, 0, "203.0.113.10-203.0.113.20" },
		{ "203.0.113.0", "203.0.113.255", 0, 17, "203.0.113.0/24[17/0-65535]" },
		{ "2001:db8:113::", "2001:db8:113::ffff:ffff:ffff:ffff", 1, 0, "2001:db8:113::/64" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ike_ts_cfg ts = { 0 };
		char s[128];
		ts.type = cases[i].v6 ? IKE_TS_IPV6_ADDR_RANGE : IKE_TS_IPV4_ADDR_RANGE;
		ts.proto = cases[i].proto;
		ts.end_port = 65535;
		inet_pton(cases[i].v6 ? AF_INET6 : AF_INET, cases[i].start, ts.start);
		inet_pton(cases[i].v6 ? AF_INET6 : AF_INET, cases[i].end, ts.end);
		net_ts_str(&ts, s, sizeof(s));
		if (strcmp(s, cases[i].want) != 0)
			fprintf(stderr, "ts %zu: '%s' != '%s'\n", i, s, cases[i].want);
		CHECK(strcmp(s, cases[i].want) == 0);
	}
	struct sockaddr_storage ss;
	char s[NET_ADDR_STR_MAX];
	CHECK_EQ(net_sa_parse("2001:db8::1", 4500, &ss), 0);
	CHECK(strcmp(net_sa_str((struct sockaddr *)&ss, s, sizeof(s)), "[2001:db8::1]:4500") == 0);
	CHECK_EQ(net_sa_parse("gw.example", 500, &ss), -EINVAL);
}

/* EAP-MSCHAPv2 users: password files read at startup, found by their exact
 * identity, a copy handed out per lookup; a bad file stops the load. */
static void test_eap_users(void)
{
	char dir[] = "/tmp/petrel-test-gwcreds-XXXXXX";
	struct conf_gw c;
	struct gw_creds cr;
	struct ike_cfg cfg;
	struct secret *pw = NULL;

	if (!mkdtemp(dir)) {
		CHECK(0);
		return;
	}
	memset(&c, 0, sizeof(c));
	snprintf(c.file, sizeof(c.file), "gw.yaml");
	c.client_auth = CONF_GW_CLIENT_EAP_MSCHAPV2;
	c.n_eap_users = 2;
	snprintf(c.eap_users[0].name, sizeof(c.eap_users[0].name), "alice");
	snprintf(c.eap_users[0].password_file, sizeof(c.eap_users[0].password_file), "%s/alice", dir);
	snprintf(c.eap_users[1].name, sizeof(c.eap_users[1].name), "bob@example.com");
	snprintf(c.eap_users[1].password_file, sizeof(c.eap_users[1].password_file), "%s/bob", dir);
	snprintf(c.psk_file, sizeof(c.psk_file), "%s/psk", dir);
	CHECK_EQ(write_file(c.eap_users[0].password_file, "alice pw\n", 9, 0600), 0);
	CHECK_EQ(write_file(c.eap_users[1].password_file, "bob pw", 6, 0400), 0);
	CHECK_EQ(write_file(c.psk_file, "gateway psk\n", 12, 0600), 0);

	CHECK_EQ(gw_creds_load(&cr, &c), 0);
	memset(&cfg, 0, sizeof(cfg));
	gw_creds_apply(&cr, &cfg);
	CHECK_EQ(cfg.auth, IKE_AUTHK_PSK);
	CHECK_EQ(cfg.peer_auth, IKE_AUTHK_EAP);
	CHECK_EQ(cfg.eap_method, EAP_MSCHAPV2);
	CHECK(cfg.psk != NULL && cfg.psk->len == 11);
	CHECK(cfg.eap_lookup == gw_creds_eap_lookup);
	CHECK_EQ(cfg.eap_lookup(cfg.eap_lookup_arg, (const uint8_t *)"alice", 5, &pw), 0);
	CHECK(pw && pw->len == 8 && memcmp(pw->p, "alice pw", 8) == 0);
	crypto_secret_free(pw);
	CHECK_EQ(gw_creds_eap_lookup(&cr, (const uint8_t *)"bob@example.com", 15, &pw), 0);
	CHECK(pw && pw->len == 6);
	crypto_secret_free(pw);
	/* exact match only: no prefix, no case folding */
	CHECK_EQ(gw_creds_eap_lookup(&cr, (const uint8_t *)"alic", 4, &pw), -ENOENT);
	CHECK(pw == NULL);
	CHECK_EQ(gw_creds_eap_lookup(&cr, (const uint8_t *)"Alice", 5, &pw), -ENOENT);
	CHECK_EQ(gw_creds_eap_lookup(&cr, (const uint8_t *)"alice\0", 6, &pw), -ENOENT);
	char str[64];
	gw_creds_client_str(&cr, str, sizeof(str));
	CHECK(strcmp(str, "EAP-MSCHAPv2 (2 users)") == 0);
	CHECK(strcmp(gw_creds_own_name(&cr), "PSK") == 0);
	gw_creds_free(&cr);

	/* a password file others may read stops the load */
	CHECK_EQ(chmod(c.eap_users[1].password_file, 0644), 0);
	CHECK_EQ(gw_creds_load(&cr, &c), -EPERM);
	gw_creds_free(&cr);
	unlink(c.eap_users[1].password_file);
	CHECK_EQ(gw_creds_load(&cr, &c), -ENOENT);
	gw_creds_free(&cr);
	/* a missing certificate or CA file is named, not crashed on */
	snprintf(c.cert, sizeof(c.cert), "%s/none.pem", dir);
	snprintf(c.key, sizeof(c.key), "%s/none.key", dir);
	CHECK(gw_creds_load(&cr, &c) < 0);
	gw_creds_free(&cr);
	c.cert[0] = c.key[0] = '\0';
	c.client_auth = CONF_GW_CLIENT_CERT;
	snprintf(c.ca, sizeof(c.ca), "%s/psk", dir); /* not a certificate */
	CHECK(gw_creds_load(&cr, &c) < 0);
	gw_creds_free(&cr);
	unlink(c.eap_users[0].password_file);
	unlink(c.psk_file);
	rmdir(dir);
}

int main(void)
{
	test_ident();
	test_pool();
	test_psk();
	test_eap_users();
	test_ts_str();
	return test_done();
}
