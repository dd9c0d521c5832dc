/* src/conf/conf_gw.c: petrel-gw's YAML. Table-driven: each case is a
 * document and either nothing wrong with it or the first error it must
 * produce (line, column and a piece of the message). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "conf/conf.h"
#include "test.h"

#define GOOD_HEAD \
	"gateway:\n" \
	"  listen: 198.51.100.1\n" \
	"  id: gw.example\n" \
	"  psk_file: /etc/petrel/gw.psk\n"

static const char full[] =
	GOOD_HEAD
	"  pool: 203.0.113.10-203.0.113.250\n"
	"  pool6: \"2001:db8:113::1000-2001:db8:113::1fff\"\n"
	"  dns: [203.0.113.53]\n"
	"  subnets: [203.0.113.0/24, \"2001:db8:113::/64\"]\n"
	"  proposals:\n"
	"    ike: [aes256gcm16-prfsha256-x25519, chacha20poly1305-prfsha256-ecp256]\n"
	"    esp: [aes256gcm16]\n"
	"  cookie_threshold: 3\n"
	"  log_level: debug\n";

static void test_full(void)
{
	struct conf_gw g;
	struct conf_diags d = { 0 };
	uint8_t a[16];

	CHECK_EQ(conf_gw_load_buf(&g, "gw.yaml", full, strlen(full), &d), 0);
	CHECK_EQ(d.n, 0);
	CHECK_EQ(g.listen.family, AF_INET);
	inet_pton(AF_INET, "198.51.100.1", a);
	CHECK_MEM(g.listen.addr, a, 4);
	CHECK(strcmp(g.id, "gw.example") == 0);
	CHECK(strcmp(g.psk_file, "/etc/petrel/gw.psk") == 0);
	CHECK_EQ(g.has_pool, 1);
	inet_pton(AF_INET, "203.0.113.250", a);
	CHECK_MEM(g.pool.end.addr, a, 4);
	CHECK_EQ(g.has_pool6, 1);
	inet_pton(AF_INET6, "2001:db8:113::1000", a);
	CHECK_MEM(g.pool6.start.addr, a, 16);
	CHECK_EQ(g.n_dns, 1);
	CHECK_EQ(g.n_subnets, 2);
	CHECK_EQ(g.subnets[0].prefix_len, 24);
	CHECK_EQ(g.subnets[1].family, AF_INET6);
	CHECK_EQ(g.subnets[1].prefix_len, 64);
	CHECK_EQ(g.n_ike_proposals, 2);
	CHECK(strcmp(g.ike_proposals[1].s, "chacha20poly1305-prfsha256-ecp256") == 0);
	/* where each proposal was written, for petrel-gw's own diagnostics */
	CHECK_EQ(g.ike_proposals[0].line, 10);
	CHECK_EQ(g.ike_proposals[0].col, 11);
	CHECK_EQ(g.ike_proposals[1].col, 41);
	CHECK_EQ(g.n_esp_proposals, 1);
	CHECK_EQ(g.cookie_threshold, 3);
	CHECK_EQ(g.log_level, 3);
}

static void test_defaults(void)
{
	static const char doc[] = GOOD_HEAD "  pool: 203.0.113.10\n  subnets: [203.0.113.0/24]\n";
	struct conf_gw g;
	struct conf_diags d = { 0 };

	CHECK_EQ(conf_gw_load_buf(&g, "gw.yaml", doc, strlen(doc), &d), 0);
	CHECK_EQ(g.cookie_threshold, 10);
	CHECK_EQ(g.log_level, -1);
	CHECK_EQ(g.n_ike_proposals, 0);
	CHECK_EQ(g.has_pool6, 0);
	CHECK_MEM(g.pool.start.addr, g.pool.end.addr, 4); /* one address */
	/* transports: all on; code points: 0 (the engine's defaults) */
	CHECK_EQ(g.tcp, 1);
	CHECK_EQ(g.separate_transports, 1);
	CHECK_EQ(g.echo, 1);
	CHECK_EQ(g.codepoints.separate_transports, 0);
	CHECK_EQ(g.codepoints.encrypted_ping_supported, 0);
	CHECK_EQ(g.codepoints.echo_next_header, 0);
	CHECK_EQ(g.codepoints.echo_request, 0);
	CHECK_EQ(g.codepoints.echo_reply, 0);
	/* roaming: MOBIKE agreed, tickets for an hour, keys in memory */
	CHECK_EQ(g.mobike, 1);
	CHECK_EQ(g.ticket_lifetime_s, 3600);
	CHECK_EQ(g.ticket_rotate_s, 0);
	CHECK_EQ(g.ticket_key_file[0], '\0');
}

/* mobike and tickets (RFC 4555, RFC 5723). */
static void test_roaming(void)
{
	static const char doc[] = GOOD_HEAD "  pool: 203.0.113.10\n  subnets: [203.0.113.0/24]\n"
		"  mobike: false\n"
		"  tickets: { lifetime_s: 600, rotate_s: 1200, key_file: /var/lib/petrel/gw-ticket.key }\n";
	struct conf_gw g;
	struct conf_diags d = { 0 };
	CHECK_EQ(conf_gw_load_buf(&g, "gw.yaml", doc, strlen(doc), &d), 0);
	CHECK_EQ(d.n, 0);
	CHECK_EQ(g.mobike, 0);
	CHECK_EQ(g.ticket_lifetime_s, 600);
	CHECK_EQ(g.ticket_rotate_s, 1200);
	CHECK(strcmp(g.ticket_key_file, "/var/lib/petrel/gw-ticket.key") == 0);
	static const char off[] = GOOD_HEAD "  pool: 203.0.113.10\n  subnets: [203.0.113.0/24]\n"
		"  tickets:\n    lifetime_s: 0\n";
	CHECK_EQ(conf_gw_load_buf(&g, "gw.yaml", off, strlen(off), &d), 0);
	CHECK_EQ(g.ticket_lifetime_s, 0);
}

/* tcp, separate_transports, echo (booleans, each on its own) and the draft
 * code points, as the daemon's top-level codepoints: map. */
static void test_transports(void)
{
	static const struct {
		const char *keys;
		int tcp, separate, echo;
	} cases[] = {
		{ "  tcp: false\n", 0, 1, 1 },
		{ "  separate_transports: no\n", 1, 0, 1 },
		{ "  echo: off\n", 1, 1, 0 },
		{ "  tcp: on\n  separate_transports: yes\n  echo: true\n", 1, 1, 1 },
		{ "  tcp: off\n  separate_transports: false\n  echo: no\n", 0, 0, 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char doc[512];
		struct conf_gw g;
		struct conf_diags d = { 0 };
		snprintf(doc, sizeof(doc), "%s  pool: 203.0.113.10\n  subnets: [203.0.113.0/24]\n%s",
			 GOOD_HEAD, cases[i].keys);
		CHECK_EQ(conf_gw_load_buf(&g, "gw.yaml", doc, strlen(doc), &d), 0);
		CHECK_EQ(d.n, 0);
		CHECK_EQ(g.tcp, cases[i].tcp);
		CHECK_EQ(g.separate_transports, cases[i].separate);
		CHECK_EQ(g.echo, cases[i].echo);
	}

	static const char cp[] = GOOD_HEAD "  pool: 203.0.113.10\n  subnets: [203.0.113.0/24]\n"
		"  codepoints:\n"
		"    separate_transports: 40970\n"
		"    encrypted_ping_supported: 65535\n"
		"    echo_next_header: 253\n"
		"    echo_request: 0\n"
		"    echo_reply: 255\n";
	struct conf_gw g;
	struct conf_diags d = { 0 };
	CHECK_EQ(conf_gw_load_buf(&g, "gw.yaml", cp, strlen(cp), &d), 0);
	CHECK_EQ(d.n, 0);
	CHECK_EQ(g.codepoints.separate_transports, 40970);
	CHECK_EQ(g.codepoints.encrypted_ping_supported, 65535);
	CHECK_EQ(g.codepoints.echo_next_header, 253);
	CHECK_EQ(g.codepoints.echo_request, 0);
	CHECK_EQ(g.codepoints.echo_reply, 255);
	CHECK_EQ(g.tcp, 1);

	static const char cp2[] = GOOD_HEAD "  pool: 203.0.113.10\n  subnets: [203.0.113.0/24]\n"
		"  codepoints: { encrypted_ping_supported: 16384 }\n";
	CHECK_EQ(conf_gw_load_buf(&g, "gw.yaml", cp2, strlen(cp2), &d), 0);
	CHECK_EQ(d.n, 0);
	CHECK_EQ(g.codepoints.separate_transports, 0);
	CHECK_EQ(g.codepoints.encrypted_ping_supported, 16384);
}

#define CERT_HEAD \
	"gateway:\n" \
	"  listen: 198.51.100.1\n" \
	"  id: gw.example\n" \
	"  cert: /etc/petrel/gw.pem\n" \
	"  key: /etc/petrel/gw.key\n"

/* The gateway with a certificate, EAP-MSCHAPv2 clients. */
static void test_cert_eap(void)
{
	static const char doc[] = CERT_HEAD
		"  chain: [/etc/petrel/int.pem]\n"
		"  client_auth: eap-mschapv2\n"
		"  eap_users:\n"
		"    alice: /etc/petrel/users/alice.pw\n"
		"    \"bob@example.com\": /etc/petrel/users/bob.pw\n"
		"  pool: 203.0.113.10\n"
		"  subnets: [203.0.113.0/24]\n";
	struct conf_gw g;
	struct conf_diags d = { 0 };

	CHECK_EQ(conf_gw_load_buf(&g, "gw.yaml", doc, strlen(doc), &d), 0);
	CHECK_EQ(d.n, 0);
	CHECK(strcmp(g.cert, "/etc/petrel/gw.pem") == 0);
	CHECK(strcmp(g.key, "/etc/petrel/gw.key") == 0);
	CHECK_EQ(g.n_chain, 1);
	CHECK(strcmp(g.chain[0], "/etc/petrel/int.pem") == 0);
	CHECK_EQ(g.psk_file[0], '\0');
	CHECK_EQ(g.client_auth, CONF_GW_CLIENT_EAP_MSCHAPV2);
	CHECK_EQ(g.n_eap_users, 2);
	CHECK(strcmp(g.eap_users[0].name, "alice") == 0);
	CHECK(strcmp(g.eap_users[0].password_file, "/etc/petrel/users/alice.pw") == 0);
	CHECK(strcmp(g.eap_users[1].name, "bob@example.com") == 0);
	CHECK_EQ(g.eap_users[1].line, 10);
	CHECK_EQ(g.eap_users[1].col, 5);
}

/* Certificates both ways; and a PSK gateway whose clients use certificates. */
static void test_cert_cert(void)
{
	static const char doc[] = CERT_HEAD "  client_auth: cert\n  ca: /etc/petrel/ca.pem\n"
		"  pool: 203.0.113.10\n  subnets: [203.0.113.0/24]\n";
	static const char doc2[] = GOOD_HEAD "  client_auth: cert\n  ca: /etc/petrel/ca.pem\n"
		"  pool: 203.0.113.10\n  subnets: [203.0.113.0/24]\n";
	struct conf_gw g;
	struct conf_diags d = { 0 };

	CHECK_EQ(conf_gw_load_buf(&g, "gw.yaml", doc, strlen(doc), &d), 0);
	CHECK_EQ(d.n, 0);
	CHECK_EQ(g.client_auth, CONF_GW_CLIENT_CERT);
	CHECK(strcmp(g.ca, "/etc/petrel/ca.pem") == 0);
	CHECK_EQ(g.n_eap_users, 0);
	CHECK_EQ(conf_gw_load_buf(&g, "gw.yaml", doc2, strlen(doc2), &d), 0);
	CHECK_EQ(d.n, 0);
	CHECK_EQ(g.cert[0], '\0');
	CHECK_EQ(g.client_auth, CONF_GW_CLIENT_CERT);
}

struct bad_case {
	const char *doc;
	unsigned line, col;
	const char *msg;
};

#define SUBNETS "  subnets: [203.0.113.0/24]\n"
#define POOL "  pool: 203.0.113.10-203.0.113.250\n"

static const struct bad_case bad[] = {
	{ "gateway: 5\n", 1, 10, "must be a map" },
	{ "gw: {}\n", 1, 1, "unknown key 'gw'" },
	{ "{}\n", 1, 1, "'gateway:' map" },
	{ GOOD_HEAD POOL, 2, 3, "'subnets' is required" },
	{ GOOD_HEAD SUBNETS, 2, 3, "'pool' or 'pool6' is required" },
	{ "gateway:\n  id: gw.example\n  psk_file: /k\n" POOL SUBNETS, 2, 3, "'listen' is required" },
	{ GOOD_HEAD POOL SUBNETS "  colour: blue\n", 7, 3, "unknown key 'colour'" },
	{ GOOD_HEAD POOL SUBNETS "  id: again\n", 7, 3, "'id' is given twice" },
	{ "gateway:\n  listen: gw.example\n  id: a\n  psk_file: /k\n" POOL SUBNETS, 2, 11,
	  "not an IPv4 or IPv6 address" },
	{ "gateway:\n  listen: 198.51.100.1/24\n  id: a\n  psk_file: /k\n" POOL SUBNETS, 2, 11,
	  "without a prefix length" },
	{ "gateway:\n  listen: 198.51.100.1\n  id: a\n  psk_file: gw.psk\n" POOL SUBNETS, 4, 13,
	  "must be an absolute path" },
	{ GOOD_HEAD "  pool: 203.0.113.250-203.0.113.10\n" SUBNETS, 5, 9, "ends before it starts" },
	{ GOOD_HEAD "  pool: 203.0.113.10-\n" SUBNETS, 5, 9, "not an IPv4 range" },
	{ GOOD_HEAD "  pool: 2001:db8::1-2001:db8::9\n" SUBNETS, 5, 9, "not an IPv4 range" },
	{ GOOD_HEAD "  pool6: 203.0.113.1-203.0.113.9\n" SUBNETS, 5, 10, "not an IPv6 range" },
	{ GOOD_HEAD POOL "  subnets: []\n", 6, 12, "the list is empty" },
	{ GOOD_HEAD POOL "  subnets: 203.0.113.0/24\n", 6, 12, "must be a list" },
	{ GOOD_HEAD POOL "  subnets: [203.0.113.0/33]\n", 6, 13, "too long" },
	{ GOOD_HEAD POOL "  subnets: [10.0.0.0/8, 10.1.0.0/16, 10.2.0.0/16, 10.3.0.0/16, 10.4.0.0/16]\n",
	  6, 64, "more than 4 entries" },
	{ GOOD_HEAD POOL SUBNETS "  dns_domains: [ok.example, \"bad name!\"]\n", 7, 29,
	  "dns_domains: 'bad name!' is not a domain name" },
	{ GOOD_HEAD POOL SUBNETS "  proposals: { ike: [] }\n", 7, 21, "the list is empty" },
	{ GOOD_HEAD POOL SUBNETS "  proposals: { ah: [sha256] }\n", 7, 16, "unknown key 'ah'" },
	{ GOOD_HEAD POOL SUBNETS "  cookie_threshold: -1\n", 7, 21, "whole number" },
	{ GOOD_HEAD POOL SUBNETS "  cookie_threshold: 100001\n", 7, 21, "between 0 and 100000" },
	{ GOOD_HEAD POOL SUBNETS "  log_level: loud\n", 7, 14, "expected one of: err, warn, info, debug" },
	{ "gateway: &a { listen: *a }\n", 1, 10, "aliases" },
	{ "gateway:\n  listen: [\n", 3, 1, "YAML syntax" },
	{ GOOD_HEAD POOL SUBNETS "---\ngateway: {}\n", 8, 1, "only one YAML document" },
	/* credentials */
	{ CERT_HEAD POOL SUBNETS, 2, 3, "client_auth psk needs 'psk_file'" },
	{ CERT_HEAD POOL SUBNETS "  client_auth: cert\n", 8, 16, "client_auth cert needs 'ca'" },
	{ CERT_HEAD POOL SUBNETS "  client_auth: eap-mschapv2\n", 8, 16, "needs 'eap_users'" },
	{ CERT_HEAD POOL SUBNETS "  client_auth: radius\n", 8, 16,
	  "expected one of: psk, cert, eap-mschapv2" },
	{ GOOD_HEAD POOL SUBNETS "  ca: /etc/petrel/ca.pem\n", 7, 7, "'ca' is used only with client_auth: cert" },
	{ GOOD_HEAD POOL SUBNETS "  eap_users: { alice: /a }\n", 7, 14, "'eap_users' is used only" },
	{ CERT_HEAD POOL SUBNETS "  client_auth: eap-mschapv2\n  eap_users: {}\n", 9, 14, "the map is empty" },
	{ CERT_HEAD POOL SUBNETS "  client_auth: eap-mschapv2\n  eap_users: { alice: alice.pw }\n", 9, 23,
	  "must be an absolute path" },
	{ CERT_HEAD POOL SUBNETS "  client_auth: eap-mschapv2\n  eap_users: [alice]\n", 9, 14, "must be a map" },
	{ CERT_HEAD POOL SUBNETS "  client_auth: eap-mschapv2\n  eap_users: { alice: /a, alice: /b }\n", 9, 27,
	  "'alice' is given twice" },
	{ "gateway:\n  listen: 198.51.100.1\n  id: gw.example\n  cert: /etc/petrel/gw.pem\n" POOL SUBNETS,
	  4, 9, "'cert' and 'key' go together" },
	{ "gateway:\n  listen: 198.51.100.1\n  id: gw.example\n" POOL SUBNETS, 2, 3,
	  "'psk_file' or 'cert' and 'key' is required" },
	{ GOOD_HEAD POOL SUBNETS "  chain: [/etc/petrel/int.pem]\n", 7, 10, "'chain' is sent after 'cert'" },
	{ "gateway:\n  listen: 198.51.100.1\n  id: gw.example\n  cert: /etc/petrel/gw.pem\n  key: gw.key\n"
	  POOL SUBNETS "  psk_file: /k\n", 5, 8, "key must be an absolute path" },
	/* transports */
	{ GOOD_HEAD POOL SUBNETS "  tcp: maybe\n", 7, 8,
	  "tcp: unknown value 'maybe' (expected one of: false, true, no, yes, off, on)" },
	{ GOOD_HEAD POOL SUBNETS "  separate_transports: 1\n", 7, 24,
	  "separate_transports: unknown value '1' (expected one of: false, true, no, yes, off, on)" },
	{ GOOD_HEAD POOL SUBNETS "  echo: { interval_ms: 5 }\n", 7, 9, "echo must be a value, not a map" },
	{ GOOD_HEAD POOL SUBNETS "  tcp: true\n  tcp: false\n", 8, 3, "gateway: 'tcp' is given twice" },
	/* code points */
	{ GOOD_HEAD POOL SUBNETS "  codepoints: { encrypted_ping_supported: 100 }\n", 7, 43,
	  "encrypted_ping_supported must be between 16384 and 65535, not 100" },
	{ GOOD_HEAD POOL SUBNETS "  codepoints: { separate_transports: 65536 }\n", 7, 38,
	  "separate_transports must be between 16384 and 65535, not 65536" },
	{ GOOD_HEAD POOL SUBNETS "  codepoints: { echo_next_header: 0 }\n", 7, 35,
	  "echo_next_header must be between 1 and 255, not 0" },
	{ GOOD_HEAD POOL SUBNETS "  codepoints:\n    echo_reply: 256\n", 8, 17,
	  "echo_reply must be between 0 and 255, not 256" },
	{ GOOD_HEAD POOL SUBNETS "  codepoints: { echo_request: x }\n", 7, 31,
	  "echo_request must be a whole number, not 'x'" },
	{ GOOD_HEAD POOL SUBNETS "  codepoints: { ping: 1 }\n", 7, 17, "codepoints: unknown key 'ping'" },
	{ GOOD_HEAD POOL SUBNETS "  codepoints: { separate_transports: 40969, encrypted_ping_supported: 40969 }\n",
	  7, 15, "codepoints: separate_transports and encrypted_ping_supported must differ" },
	{ GOOD_HEAD POOL SUBNETS "  codepoints: { echo_request: 7, echo_reply: 7 }\n", 7, 15,
	  "codepoints: echo_request and echo_reply must differ" },
	{ GOOD_HEAD POOL SUBNETS "  codepoints: [40970]\n", 7, 15, "codepoints must be a map" },
	/* roaming */
	{ GOOD_HEAD POOL SUBNETS "  mobike: sometimes\n", 7, 11,
	  "mobike: unknown value 'sometimes' (expected one of: false, true, no, yes, off, on)" },
	{ GOOD_HEAD POOL SUBNETS "  tickets: { lifetime_s: 90000 }\n", 7, 26,
	  "tickets.lifetime_s must be between 0 and 86400, not 90000" },
	{ GOOD_HEAD POOL SUBNETS "  tickets: { key_file: gw.key }\n", 7, 24,
	  "tickets.key_file must be an absolute path" },
	{ GOOD_HEAD POOL SUBNETS "  tickets: { lifetime: 5 }\n", 7, 14, "tickets: unknown key 'lifetime'" },
	{ GOOD_HEAD POOL SUBNETS "  tickets: 3600\n", 7, 12, "tickets must be a map" },
};

static void test_bad(void)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct conf_gw g;
		struct conf_diags d = { 0 };
		int rc = conf_gw_load_buf(&g, "gw.yaml", bad[i].doc, strlen(bad[i].doc), &d);
		CHECK_EQ(rc, -EINVAL);
		CHECK(d.n >= 1);
		if (d.n < 1)
			continue;
		int ok = d.items[0].line == bad[i].line && d.items[0].col == bad[i].col &&
			 strstr(d.items[0].msg, bad[i].msg) != NULL;
		if (!ok)
			fprintf(stderr, "case %zu: got %u:%u: %s (want %u:%u: ...%s...)\n", i,
				d.items[0].line, d.items[0].col, d.items[0].msg, bad[i].line, bad[i].col,
				bad[i].msg);
		CHECK(ok);
	}
}

static void test_file(void)
{
	struct conf_gw g;
	struct conf_diags d = { 0 };
	char line[1200];

	CHECK_EQ(conf_gw_load_file(&g, "/nonexistent/petrel-gw.yaml", &d), -ENOENT);
	CHECK_EQ(d.n, 1);
	conf_diag_format(&d.items[0], line, sizeof(line));
	CHECK(strstr(line, "/nonexistent/petrel-gw.yaml: cannot open") == line);
}

int main(void)
{
	test_roaming();
	test_full();
	test_defaults();
	test_transports();
	test_cert_eap();
	test_cert_cert();
	test_bad();
	test_file();
	return test_done();
}
