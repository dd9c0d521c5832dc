/* src/conf: profiles from YAML, and an error with file:line:col for every
 * mistake. Table-driven: each case is a document and either the fields it
 * must yield or the first error it must produce. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/conf.h"
#include "test.h"

static const char good_eap[] =
	"work:\n"
	"  gateway: vpn.example.com\n"
	"  remote_id: vpn.example.com\n"
	"  ca: /etc/petrel/ca/corp-root.pem\n"
	"  local_id: alice@example.com\n"
	"  auth: { method: eap-mschapv2, user: alice }\n"
	"  transport: auto\n"
	"  pq: preferred\n"
	"  proposals: { ike: [aes256gcm16-prfsha384-x25519-ke1_mlkem768], esp: [aes256gcm16, chacha20poly1305] }\n"
	"  routes: full\n"
	"  dns: auto\n"
	"  resume: true\n"
	"  kill_switch: true\n";

static void test_product_example(void)
{
	struct conf c;
	struct conf_diags d = { 0 };

	conf_init(&c);
	CHECK_EQ(conf_load_buf(&c, "work.yaml", good_eap, strlen(good_eap), &d), 0);
	CHECK_EQ(d.n, 0);
	CHECK_EQ(c.n_profiles, 1);
	const struct conf_profile *p = conf_profile_find(&c, "work");
	CHECK(p != NULL);
	if (!p)
		return;
	CHECK(strcmp(p->gateway, "vpn.example.com") == 0);
	CHECK_EQ(p->port, 4500);
	CHECK_EQ(p->auth.method, CONF_AUTH_EAP_MSCHAPV2);
	CHECK(strcmp(p->auth.user, "alice") == 0);
	CHECK_EQ(p->transport, CONF_TRANSPORT_AUTO);
	CHECK_EQ(p->pq, CONF_PQ_PREFERRED);
	CHECK_EQ(p->n_ike_proposals, 1);
	CHECK_EQ(p->n_esp_proposals, 2);
	CHECK(strcmp(p->esp_proposals[1], "chacha20poly1305") == 0);
	CHECK_EQ(p->routes, CONF_ROUTES_FULL);
	CHECK_EQ(p->dns, CONF_DNS_AUTO);
	CHECK_EQ(p->resume, 1);
	CHECK_EQ(p->mobike, 1); /* the default */
	CHECK_EQ(p->line, 1);
	CHECK(conf_profile_find(&c, "home") == NULL);
	conf_free(&c);
}

static void test_main_file(void)
{
	static const char doc[] =
		"log_level: debug\n"
		"codepoints: { separate_transports: 40970, encrypted_ping_supported: 40971, echo_request: 2, echo_reply: 3 }\n"
		"profiles:\n"
		"  lab:\n"
		"    gateway: \"[2001:db8::1]:4501\"\n"
		"    auth: { method: psk, psk_file: /etc/petrel/lab.psk }\n"
		"    local_id: client@psk.example\n"
		"    transport: udp\n"
		"    routes: [203.0.113.0/24, \"2001:db8:113::/64\"]\n"
		"    dns: [203.0.113.53]\n"
		"    mtu: 1400\n"
		"    rekey_child_s: 3\n"
		"  lab2:\n"
		"    gateway: 198.51.100.1:4500\n"
		"    ca: /ca.pem\n"
		"    auth: { method: cert, cert: /c.pem, key: /k.pem }\n"
		"    local_id: client1@ikelab.test\n";
	struct conf c;
	struct conf_diags d = { 0 };

	conf_init(&c);
	CHECK_EQ(conf_load_buf(&c, "petrel.yaml", doc, strlen(doc), &d), 0);
	CHECK_EQ(d.n, 0);
	CHECK_EQ(c.n_profiles, 2);
	CHECK_EQ(c.log_level, 3);
	CHECK_EQ(c.codepoints.separate_transports, 40970);
	CHECK_EQ(c.codepoints.echo_reply, 3);
	const struct conf_profile *p = conf_profile_find(&c, "lab");
	CHECK(p && strcmp(p->gateway, "2001:db8::1") == 0 && p->port == 4501);
	CHECK(p && strcmp(p->remote_id, "2001:db8::1") == 0);
	CHECK(p && p->routes == CONF_ROUTES_LIST && p->n_routes == 2);
	CHECK(p && p->route_list[1].family == AF_INET6 && p->route_list[1].prefix_len == 64);
	CHECK(p && p->dns == CONF_DNS_LIST && p->n_dns == 1 && p->dns_list[0].prefix_len == 32);
	CHECK(p && p->mtu == 1400);
	CHECK(p && p->rekey_child_s == 3);
	p = conf_profile_find(&c, "lab2");
	CHECK(p && strcmp(p->gateway, "198.51.100.1") == 0 && p->port == 4500);
	CHECK(p && p->rekey_child_s == 0);
	conf_free(&c);
}

/* A profile that is good up to line 5. */
#define PSK_HEAD "w:\n  gateway: gw\n  auth: {method: psk, psk_file: /p}\n  local_id: a\n"

/* Each bad document and the first error it must give. */
static const struct {
	const char *doc;
	unsigned line, col;
	const char *msg;
} bad[] = {
	{ "w:\n  gateway: gw\n  auth: {method: psk, psk_file: /p}\n  local_id: a\n  transprot: tcp\n",
	  5, 3, "w: unknown key 'transprot'" },
	{ "w:\n  gateway: gw\n  auth: {method: psk, psk_file: /p}\n  local_id: a\n  transport: quic\n",
	  5, 14, "transport: unknown value 'quic' (expected one of: auto, separate, tcp, udp)" },
	{ "w:\n  auth: {method: psk, psk_file: /p}\n  local_id: a\n", 1, 1, "profile 'w': 'gateway' is required" },
	{ "w:\n  gateway: gw\n  local_id: a\n", 1, 1, "profile 'w': 'auth' is required" },
	{ "w:\n  gateway: gw\n  auth: {method: psk}\n  local_id: a\n", 3, 9, "auth: method psk needs psk_file" },
	{ "w:\n  gateway: gw\n  auth: {method: cert, cert: /c}\n  ca: /ca\n  local_id: a\n", 3, 9,
	  "auth: method cert needs cert and key" },
	{ "w:\n  gateway: gw\n  auth: {method: eap-mschapv2, user: u}\n", 1, 1,
	  "profile 'w': 'ca' is required to authenticate the gateway's certificate" },
	{ "w:\n  gateway: gw:99999\n  auth: {method: psk, psk_file: /p}\n  local_id: a\n", 2, 12,
	  "gateway: port '99999' is not a number from 1 to 65535" },
	{ "w:\n  gateway: gw/x\n  auth: {method: psk, psk_file: /p}\n  local_id: a\n", 2, 12,
	  "gateway: 'gw/x' is not a host name or address (optionally with :port)" },
	{ "w:\n  gateway: gw\n  auth: {method: psk, psk_file: /p}\n  local_id: a\n  routes: [10.0.0.0/33]\n", 5, 12,
	  "routes: prefix length /33 is too long for '10.0.0.0'" },
	{ "w:\n  gateway: gw\n  auth: {method: psk, psk_file: /p}\n  local_id: a\n  dns: [192.0.2.1/24]\n", 5, 9,
	  "dns must be an address without a prefix length, not '192.0.2.1/24'" },
	{ "w:\n  gateway: gw\n  auth: {method: psk, psk_file: /p}\n  local_id: a\n  mtu: 70000\n", 5, 8,
	  "mtu must be between 576 and 9000, not 70000" },
	{ "w:\n  gateway: gw\n  auth: {method: psk, psk_file: /p}\n  local_id: a\n  rekey_child_s: 1\n", 5, 18,
	  "rekey_child_s must be between 2 and 86400, not 1" },
	{ "w:\n  gateway: gw\n  auth: {method: psk, psk_file: /p}\n  local_id: a\n  resume: maybe\n", 5, 11,
	  "resume: unknown value 'maybe' (expected one of: false, true, no, yes, off, on)" },
	{ "w:\n  gateway: gw\n  auth: {method: psk, psk_file: /p}\n  local_id: a\n  mobike: [yes]\n", 5, 11,
	  "mobike must be a value, not a list" },
	/* echo: { interval_ms 0..3600000, timeout_ms 50..60000, retries 1..20 } */
	{ PSK_HEAD "  echo: { interval_ms: 3600001 }\n", 5, 24,
	  "echo.interval_ms must be between 0 and 3600000, not 3600001" },
	{ PSK_HEAD "  echo: { interval_ms: -1 }\n", 5, 24, "echo.interval_ms must be a whole number, not '-1'" },
	{ PSK_HEAD "  echo: { timeout_ms: 49 }\n", 5, 23, "echo.timeout_ms must be between 50 and 60000, not 49" },
	{ PSK_HEAD "  echo: { timeout_ms: 60001 }\n", 5, 23,
	  "echo.timeout_ms must be between 50 and 60000, not 60001" },
	{ PSK_HEAD "  echo: { retries: 0 }\n", 5, 20, "echo.retries must be between 1 and 20, not 0" },
	{ PSK_HEAD "  echo:\n    retries: 21\n", 6, 14, "echo.retries must be between 1 and 20, not 21" },
	{ PSK_HEAD "  echo: { interval: 5000 }\n", 5, 11, "echo: unknown key 'interval'" },
	{ PSK_HEAD "  echo: { retries: 2, retries: 3 }\n", 5, 23, "echo: 'retries' is given twice" },
	{ PSK_HEAD "  echo: 5000\n", 5, 9, "echo must be a map (key: value), not a value" },
	{ PSK_HEAD "  tcp_blocked: tcp\n", 5, 16,
	  "tcp_blocked: unknown value 'tcp' (expected one of: udp, fail)" },
	{ PSK_HEAD "  tcp_blocked: [udp]\n", 5, 16, "tcp_blocked must be a value, not a list" },
	{ "w:\n  gateway: gw\n  gateway: gw2\n", 3, 3, "w: 'gateway' is given twice" },
	{ "w:\n  gateway: [a, b]\n", 2, 12, "gateway must be a value, not a list" },
	{ "w:\n  gateway: gw\n  auth: {method: psk, psk_file: /p}\n  local_id: a\n  proposals: {ike: [AES-GCM]}\n", 5, 21,
	  "proposals.ike: 'AES-GCM' is not a proposal" },
	{ "w: [1, 2\n", 2, 1, "YAML syntax: did not find expected ',' or ']' while parsing a flow sequence" },
	{ "- a\n- b\n", 1, 1, "the file must be a map of profiles" },
	{ "a: &x {b: *x}\n", 1, 4, "aliases (*name) are not supported" },
	{ "a: {b: {c: {d: {e: {f: {g: {h: {i: {j: 1}}}}}}}}}\n", 1, 33, "nested deeper than 8 levels" },
	{ "bad name!:\n  gateway: gw\n", 1, 1, "profile name 'bad name!' must be" },
	{ "codepoints: {separate_transports: 12}\n", 1, 35, "separate_transports must be between 16384 and 65535" },
	{ "codepoints: {separate_transports: 40960, encrypted_ping_supported: 40960}\n", 1, 13,
	  "codepoints: separate_transports and encrypted_ping_supported must differ" },
	{ "w:\n  gateway: gw\n---\nx: 1\n", 4, 1, "only one YAML document per file" },
	{ "", 0, 0, "the file is empty" },
};

static void test_bad(void)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct conf c;
		struct conf_diags d = { 0 };
		char line[600];

		conf_init(&c);
		CHECK_EQ(conf_load_buf(&c, "t.yaml", bad[i].doc, strlen(bad[i].doc), &d), -EINVAL);
		CHECK_EQ(c.n_profiles, 0); /* a file with errors adds nothing */
		CHECK(d.n >= 1);
		if (d.n < 1) {
			conf_free(&c);
			continue;
		}
		conf_diag_format(&d.items[0], line, sizeof(line));
		if (d.items[0].line != bad[i].line || d.items[0].col != bad[i].col ||
		    strstr(d.items[0].msg, bad[i].msg) != d.items[0].msg) {
			fprintf(stderr, "case %zu: got \"%s\", want %u:%u \"%s\"\n", i, line,
				bad[i].line, bad[i].col, bad[i].msg);
			test_failures++;
		}
		conf_free(&c);
	}
}

/* echo: and tcp_blocked: their defaults, both ends of each range, and the
 * flow and block forms. */
static void test_echo_tcp_blocked(void)
{
	static const struct {
		const char *doc;
		unsigned interval_ms, timeout_ms, retries;
		int tcp_blocked_fail;
	} cases[] = {
		{ PSK_HEAD, 10000, 1000, 3, 0 },
		{ PSK_HEAD "  echo: {}\n  tcp_blocked: udp\n", 10000, 1000, 3, 0 },
		{ PSK_HEAD "  echo: { interval_ms: 0, timeout_ms: 50, retries: 1 }\n  tcp_blocked: fail\n",
		  0, 50, 1, 1 },
		{ PSK_HEAD "  echo:\n    interval_ms: 3600000\n    timeout_ms: 60000\n    retries: 20\n",
		  3600000, 60000, 20, 0 },
		/* one sub-key: the others keep their defaults */
		{ PSK_HEAD "  echo: { timeout_ms: 250 }\n", 10000, 250, 3, 0 },
		{ PSK_HEAD "  tcp_blocked: fail\n  echo: { retries: 7 }\n", 10000, 1000, 7, 1 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct conf c;
		struct conf_diags d = { 0 };

		conf_init(&c);
		CHECK_EQ(conf_load_buf(&c, "t.yaml", cases[i].doc, strlen(cases[i].doc), &d), 0);
		CHECK_EQ(d.n, 0);
		const struct conf_profile *p = conf_profile_find(&c, "w");
		CHECK(p != NULL);
		if (p) {
			CHECK_EQ(p->echo_interval_ms, cases[i].interval_ms);
			CHECK_EQ(p->echo_timeout_ms, cases[i].timeout_ms);
			CHECK_EQ(p->echo_retries, cases[i].retries);
			CHECK_EQ(p->tcp_blocked_fail, cases[i].tcp_blocked_fail);
		}
		conf_free(&c);
	}

	/* every bad sub-key of echo: is reported, each at its own column */
	static const char doc[] = PSK_HEAD "  echo: { interval_ms: x, timeout_ms: 1, retries: 99 }\n";
	static const unsigned cols[] = { 24, 39, 51 };
	struct conf c;
	struct conf_diags d = { 0 };
	conf_init(&c);
	CHECK_EQ(conf_load_buf(&c, "t.yaml", doc, strlen(doc), &d), -EINVAL);
	CHECK_EQ(c.n_profiles, 0);
	CHECK_EQ(d.n, 3);
	for (unsigned i = 0; i < 3 && i < d.n; i++) {
		CHECK_EQ(d.items[i].line, 5);
		CHECK_EQ(d.items[i].col, cols[i]);
	}
	/* file:line:col in the formatted diagnostic */
	char line[600];
	if (d.n >= 1) {
		conf_diag_format(&d.items[0], line, sizeof(line));
		CHECK(strcmp(line, "t.yaml:5:24: echo.interval_ms must be a whole number, not 'x'") == 0);
	}
	conf_free(&c);
}

/* All errors of a file are reported, not just the first. */
static void test_every_error(void)
{
	static const char doc[] =
		"w:\n  gateway: gw\n  auth: {method: psk, psk_file: /p}\n  local_id: a\n"
		"  transport: x\n  pq: y\n  color: blue\n";
	struct conf c;
	struct conf_diags d = { 0 };

	conf_init(&c);
	conf_load_buf(&c, "t.yaml", doc, strlen(doc), &d);
	CHECK_EQ(d.n, 3);
	CHECK_EQ(d.items[0].line, 5);
	CHECK_EQ(d.items[1].line, 6);
	CHECK_EQ(d.items[2].line, 7);
	conf_free(&c);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* A directory: petrel.yaml plus profiles.d/ in name order; a name defined
 * twice is an error pointing at the first definition. */
static void test_dir(void)
{
	char dir[] = "/tmp/petrel-conf-XXXXXX", path[256];
	struct conf c;
	struct conf_diags d = { 0 };

	if (!mkdtemp(dir)) {
		CHECK(0);
		return;
	}
	snprintf(path, sizeof(path), "%s/profiles.d", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/profiles.d/a.yaml", dir);
	write_file(path, "one:\n  gateway: gw\n  auth: {method: psk, psk_file: /p}\n  local_id: a\n");
	snprintf(path, sizeof(path), "%s/profiles.d/b.yaml", dir);
	write_file(path, "one:\n  gateway: gw2\n  auth: {method: psk, psk_file: /p}\n  local_id: a\n");
	snprintf(path, sizeof(path), "%s/profiles.d/notes.txt", dir);
	write_file(path, "not yaml");
	conf_init(&c);
	CHECK_EQ(conf_load_dir(&c, dir, &d), -EINVAL);
	CHECK_EQ(c.n_profiles, 1);
	CHECK_EQ(d.n, 1);
	CHECK(strstr(d.items[0].msg, "is already defined at") != NULL);
	CHECK(strstr(d.items[0].file, "b.yaml") != NULL);
	conf_free(&c);

	struct conf_diags d2 = { 0 };
	conf_init(&c);
	snprintf(path, sizeof(path), "%s/missing.yaml", dir);
	CHECK_EQ(conf_load_file(&c, path, &d2), -ENOENT);
	CHECK(strstr(d2.items[0].msg, "cannot open") != NULL);
	conf_free(&c);

	snprintf(path, sizeof(path), "%s/profiles.d/a.yaml", dir); unlink(path);
	snprintf(path, sizeof(path), "%s/profiles.d/b.yaml", dir); unlink(path);
	snprintf(path, sizeof(path), "%s/profiles.d/notes.txt", dir); unlink(path);
	snprintf(path, sizeof(path), "%s/profiles.d", dir); rmdir(path);
	rmdir(dir);
}

/* petrel.yaml with only a log level is the main file, not a profile named
 * "log_level"; a map under that name is still a profile. */
static void test_log_level_only(void)
{
	struct conf c;
	struct conf_diags d = { 0 };
	conf_init(&c);
	CHECK_EQ(conf_load_buf(&c, "petrel.yaml", "log_level: debug\n", 17, &d), 0);
	CHECK_EQ(d.n, 0);
	CHECK_EQ(c.n_profiles, 0);
	CHECK_EQ(c.log_level, 3);
	conf_free(&c);
}

int main(void)
{
	test_product_example();
	test_main_file();
	test_log_level_only();
	test_bad();
	test_every_error();
	test_echo_tcp_blocked();
	test_dir();
	return test_done();
}
