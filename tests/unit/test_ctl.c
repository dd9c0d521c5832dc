/* src/ctl: the control socket end to end in one process. A server with fake
 * handlers (ctl_harness.h) on a uv loop and a temporary socket; clients are
 * non-blocking sockets, and the loop is pumped until their answers arrive.
 * Every error class, id echo, one response per request, pipelining, writes
 * split at every byte, over-long lines, subscriptions with rate limits, a
 * slow subscriber, attention round trips, and the permission check through
 * the authorize seam. */
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "ctl_harness.h"
#include "test.h"

static uv_loop_t *loop;
static char sock_path[108];
static struct fake fk;

struct tc {
	int fd;
	int eof;
	size_t len;
	char buf[1 << 20];
};

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void pump(unsigned ms)
{
	uint64_t end = now_ms() + ms;
	do {
		uv_run(loop, UV_RUN_NOWAIT);
		usleep(500);
	} while (now_ms() < end);
}

static struct tc *tc_open(void)
{
	struct tc *c = calloc(1, sizeof(*c));
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	memcpy(sa.sun_path, sock_path, strlen(sock_path) + 1);
	c->fd = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	fcntl(c->fd, F_SETFL, O_NONBLOCK);
	pump(2); /* accept */
	return c;
}

static void tc_close(struct tc *c)
{
	close(c->fd);
	free(c);
	pump(2);
}

static void tc_write(struct tc *c, const char *data, size_t len)
{
	while (len) {
		ssize_t w = send(c->fd, data, len, MSG_NOSIGNAL);
		if (w < 0 && errno == EAGAIN) {
			pump(1);
			continue;
		}
		if (w <= 0)
			return;
		data += w;
		len -= (size_t)w;
	}
}

static void tc_send(struct tc *c, const char *s) { tc_write(c, s, strlen(s)); }

static void tc_recv(struct tc *c)
{
	for (;;) {
		if (c->len == sizeof(c->buf))
			return;
		ssize_t r = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
		if (r > 0)
			c->len += (size_t)r;
		else {
			if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
				c->eof = 1;
			return;
		}
	}
}

static int lines_in(const struct tc *c)
{
	int n = 0;
	for (size_t i = 0; i < c->len; i++)
		n += c->buf[i] == '\n';
	return n;
}

/* Wait until n lines are there (or 2 s). */
static int tc_wait(struct tc *c, int n)
{
	uint64_t end = now_ms() + 2000;
	for (;;) {
		uv_run(loop, UV_RUN_NOWAIT);
		tc_recv(c);
		if (lines_in(c) >= n || c->eof || now_ms() > end)
			return lines_in(c) >= n;
		usleep(200);
	}
}

/* The next line, without '\n' (caller frees), or NULL after 2 s. */
static char *tc_line(struct tc *c)
{
	if (!tc_wait(c, 1))
		return NULL;
	char *nl = memchr(c->buf, '\n', c->len);
	size_t n = (size_t)(nl - c->buf);
	char *s = malloc(n + 1);
	memcpy(s, c->buf, n);
	s[n] = '\0';
	memmove(c->buf, nl + 1, c->len - n - 1);
	c->len -= n + 1;
	return s;
}

static cJSON *tc_msg(struct tc *c)
{
	char *s = tc_line(c);
	cJSON *j = s ? cJSON_Parse(s) : NULL;
	if (!j)
		fprintf(stderr, "expected a JSON line, got %s\n", s ? s : "(nothing)");
	free(s);
	return j;
}

/* Nothing more arrives within ms. */
static int tc_quiet(struct tc *c, unsigned ms)
{
	pump(ms);
	tc_recv(c);
	return c->len == 0;
}

static int closed_by_server(struct tc *c)
{
	uint64_t end = now_ms() + 2000;
	while (!c->eof && now_ms() < end) {
		uv_run(loop, UV_RUN_NOWAIT);
		c->len = 0;
		tc_recv(c);
		usleep(200);
	}
	return c->eof;
}

static int err_code(const cJSON *m)
{
	const cJSON *e = cJSON_GetObjectItem(m, "error");
	return e ? cJSON_GetObjectItem(e, "code")->valueint : 0;
}

static const char *err_msg(const cJSON *m)
{
	const cJSON *e = cJSON_GetObjectItem(m, "error");
	return e ? cJSON_GetObjectItem(e, "message")->valuestring : "";
}

static const cJSON *result(const cJSON *m) { return cJSON_GetObjectItem(m, "result"); }
static const char *str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItem(o, k);
	return cJSON_IsString(v) ? v->valuestring : "";
}
static const char *method(const cJSON *m) { return str(m, "method"); }

/* Send one line, expect one response: its error code (0 for a result). */
static int rpc_code(struct tc *c, const char *line, const char *want_msg)
{
	tc_send(c, line);
	cJSON *m = tc_msg(c);
	if (!m)
		return 999;
	int code = err_code(m);
	if (want_msg && !strstr(err_msg(m), want_msg)) {
		fprintf(stderr, "for %s: message '%s' lacks '%s'\n", line, err_msg(m), want_msg);
		code = 998;
	}
	cJSON_Delete(m);
	return code;
}

/* ---- servers ---------------------------------------------------------------- */

static int peer_mode; /* 0: real credentials; 1: fake unprivileged; 2: fake group member */
static const char *member_group = "daemon"; /* a group that exists on Debian (gid 1) */

static int test_authorize(void *ctx, int fd, struct ctl_peer *peer)
{
	if (peer_mode == 0) {
		if (ctl_peer_get(fd, peer) != 0)
			return -1;
		return ctl_peer_may_control(peer, member_group);
	}
	peer->pid = 4242;
	if (peer_mode == 1) {
		peer->uid = 65534;
		peer->gid = 65534;
	} else {
		struct group *g = getgrnam(member_group);
		peer->uid = 65534;
		peer->gid = g ? g->gr_gid : 65534;
	}
	return ctl_peer_may_control(peer, member_group);
}

static void closed_cb(void *arg) { *(int *)arg = 1; }

static struct ctl_server *server_open(const struct ctl_server_config *extra)
{
	struct ctl_server_config cfg = { 0 };
	struct ctl_server *s = NULL;

	if (extra)
		cfg = *extra;
	cfg.path = sock_path;
	cfg.group = member_group;
	if (!cfg.handlers.ctx) {
		cfg.handlers = fake_handlers;
		cfg.handlers.ctx = &fk;
	}
	if (!cfg.authorize)
		cfg.authorize = test_authorize;
	fake_init(&fk);
	CHECK_EQ(ctl_server_open(&s, loop, &cfg), 0);
	fk.srv = s;
	return s;
}

static void server_close(struct ctl_server *s)
{
	int closed = 0;
	ctl_server_close(s, closed_cb, &closed);
	for (int i = 0; i < 1000 && !closed; i++)
		uv_run(loop, UV_RUN_NOWAIT);
	CHECK(closed);
	fk.srv = NULL;
}

/* ---- tests -------------------------------------------------------------------- */

static void test_methods(void)
{
	struct ctl_server *s = server_open(NULL);
	struct tc *c = tc_open();
	cJSON *m;

	tc_send(c, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"version\"}\n");
	m = tc_msg(c);
	CHECK(m && strcmp(str(result(m), "version"), "0.1.0") == 0);
	CHECK_EQ(cJSON_GetObjectItem(result(m), "protocol")->valueint, PETREL_CTL_PROTOCOL_VERSION);
	CHECK_EQ(cJSON_GetObjectItem(m, "id")->valueint, 1);
	CHECK(strcmp(str(m, "jsonrpc"), "2.0") == 0);
	cJSON_Delete(m);

	tc_send(c, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"status\",\"params\":{}}\n");
	m = tc_msg(c);
	const cJSON *ps = cJSON_GetObjectItem(result(m), "profiles");
	CHECK_EQ(cJSON_GetArraySize(ps), 3);
	CHECK(strcmp(str(cJSON_GetArrayItem(ps, 0), "name"), "work") == 0);
	CHECK(strcmp(str(cJSON_GetArrayItem(ps, 0), "state"), "disconnected") == 0);
	CHECK(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(ps, 0), "since")));
	CHECK_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(result(m), "attention")), 0);
	cJSON_Delete(m);

	tc_send(c, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"profiles\"}\n");
	m = tc_msg(c);
	ps = cJSON_GetObjectItem(result(m), "profiles");
	CHECK_EQ(cJSON_GetArraySize(ps), 3);
	CHECK(strcmp(str(cJSON_GetArrayItem(ps, 1), "auth"), "psk") == 0);
	CHECK(strcmp(str(cJSON_GetArrayItem(ps, 1), "file"), "/etc/petrel/profiles.d/home.yaml") == 0);
	cJSON_Delete(m);

	/* up / down and their petrel error codes */
	CHECK_EQ(rpc_code(c, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"up\",\"params\":{\"profile\":\"nosuch\"}}\n",
			  "no profile named 'nosuch'"), PETREL_E_NO_SUCH_PROFILE);
	tc_send(c, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"up\",\"params\":{\"profile\":\"home\"}}\n");
	m = tc_msg(c);
	CHECK(strcmp(str(result(m), "profile"), "home") == 0);
	CHECK(strcmp(str(result(m), "state"), "connected") == 0);
	cJSON_Delete(m);
	CHECK_EQ(rpc_code(c, "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"up\",\"params\":{\"profile\":\"home\"}}\n",
			  "home is already connected"), PETREL_E_ALREADY_CONNECTED);
	CHECK_EQ(rpc_code(c, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"down\",\"params\":{\"profile\":\"work\"}}\n",
			  "work is not connected"), PETREL_E_NOT_CONNECTED);
	CHECK_EQ(rpc_code(c, "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"up\",\"params\":{\"profile\":\"busy\"}}\n",
			  "busy"), PETREL_E_BUSY);
	tc_send(c, "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"down\"}\n");
	m = tc_msg(c);
	CHECK(cJSON_IsNull(cJSON_GetObjectItem(result(m), "profile")));
	CHECK(strcmp(str(result(m), "state"), "disconnected") == 0);
	cJSON_Delete(m);
	CHECK_EQ(fk.st[1].state, PETREL_STATE_DISCONNECTED);
	CHECK_EQ(rpc_code(c, "{\"jsonrpc\":\"2.0\",\"id\":10,\"method\":\"down\"}\n", "nothing is connected"),
		 PETREL_E_NOT_CONNECTED);

	/* check through the daemon: a file with errors lists them */
	char yaml[] = "/tmp/petrel-ctl-check-XXXXXX";
	int fd = mkstemp(yaml);
	const char *doc = "work:\n  gateway: vpn.example.com\n  transport: carrier-pigeon\n";
	CHECK(write(fd, doc, strlen(doc)) == (ssize_t)strlen(doc));
	close(fd);
	char req[256];
	snprintf(req, sizeof(req), "{\"jsonrpc\":\"2.0\",\"id\":11,\"method\":\"check\",\"params\":{\"path\":\"%s\"}}\n", yaml);
	tc_send(c, req);
	m = tc_msg(c);
	CHECK(cJSON_IsFalse(cJSON_GetObjectItem(result(m), "valid")));
	const cJSON *e0 = cJSON_GetArrayItem(cJSON_GetObjectItem(result(m), "errors"), 0);
	CHECK(e0 && cJSON_GetObjectItem(e0, "line")->valueint == 3);
	CHECK(e0 && strcmp(str(e0, "file"), yaml) == 0);
	cJSON_Delete(m);
	unlink(yaml);
	tc_close(c);
	server_close(s);
}

/* Ids come back exactly; an id that cannot be used gets null. */
static void test_ids(void)
{
	struct ctl_server *s = server_open(NULL);
	struct tc *c = tc_open();
	static const struct { const char *id, *want; } ok[] = {
		{ "\"abc\"", "\"abc\"" }, { "42", "42" }, { "-5", "-5" }, { "0", "0" },
		{ "9007199254740991", "9007199254740991" }, { "\"\"", "\"\"" }, { "1e3", "1000" },
		{ "\"\\u00e9\"", "\"\xc3\xa9\"" },
	};
	static const char *const bad[] = { "1.5", "true", "{}", "[]", "null", "1e300",
		("\"0123456789012345678901234567890123456789012345678901234567890123456789"
		 "012345678901234567890123456789012345678901234567890123456789\"") };
	char line[512];

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(line, sizeof(line), "{\"jsonrpc\":\"2.0\",\"method\":\"version\",\"id\":%s}\n", ok[i].id);
		tc_send(c, line);
		char *r = tc_line(c);
		char want[256];
		snprintf(want, sizeof(want), "\"id\":%s,\"result\"", ok[i].want);
		CHECK(r && strstr(r, want));
		if (r && !strstr(r, want))
			fprintf(stderr, "id %s: %s\n", ok[i].id, r);
		free(r);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(line, sizeof(line), "{\"jsonrpc\":\"2.0\",\"method\":\"version\",\"id\":%s}\n", bad[i]);
		tc_send(c, line);
		cJSON *m = tc_msg(c);
		CHECK(m && cJSON_IsNull(cJSON_GetObjectItem(m, "id")));
		CHECK_EQ(err_code(m), PETREL_E_INVALID_REQUEST);
		cJSON_Delete(m);
	}
	/* an invalid request whose id is readable still echoes it */
	tc_send(c, "{\"jsonrpc\":\"1.0\",\"method\":\"version\",\"id\":77}\n");
	cJSON *m = tc_msg(c);
	CHECK_EQ(cJSON_GetObjectItem(m, "id")->valueint, 77);
	CHECK_EQ(err_code(m), PETREL_E_INVALID_REQUEST);
	cJSON_Delete(m);
	tc_close(c);
	server_close(s);
}

/* Every error class, each with its code and a message that says what. */
static void test_errors(void)
{
	struct ctl_server *s = server_open(NULL);
	struct tc *c = tc_open();
	static const struct { const char *line; int code; const char *msg; } cases[] = {
		{ "{\"jsonrpc\":\"2.0\"\n", PETREL_E_PARSE, "invalid JSON" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ver\xffsion\"}\n", PETREL_E_PARSE, "invalid UTF-8 at byte 38" },
		{ "{\"id\":\"\xc0\xaf\"}\n", PETREL_E_PARSE, "invalid UTF-8 at byte 8" },       /* overlong '/' */
		{ "{\"id\":\"\xed\xa0\x80\"}\n", PETREL_E_PARSE, "invalid UTF-8" },           /* surrogate */
		{ "{\"id\":\"\xf4\x90\x80\x80\"}\n", PETREL_E_PARSE, "invalid UTF-8" },       /* > U+10FFFF */
		{ "{\"id\":\"a\x01\"}\n", PETREL_E_PARSE, "control character 0x01 at byte 9" },
		{ "{\"id\":1,\"method\":\"up\",\"params\":{\"profile\":\"wo\\u0000rk\"}}\n", PETREL_E_PARSE, "\\u0000" },
		{ "\x00{}\n", PETREL_E_PARSE, "control character 0x00" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"version\"} {}\n", PETREL_E_PARSE, "data after the JSON value at byte 45" },
		{ "42\n", PETREL_E_INVALID_REQUEST, "must be a JSON object" },
		{ "\"version\"\n", PETREL_E_INVALID_REQUEST, "must be a JSON object" },
		{ "null\n", PETREL_E_INVALID_REQUEST, "must be a JSON object" },
		{ "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"version\"}]\n", PETREL_E_INVALID_REQUEST, "batch requests are not supported" },
		{ "[]\n", PETREL_E_INVALID_REQUEST, "batch" },
		{ "{\"id\":1,\"method\":\"version\"}\n", PETREL_E_INVALID_REQUEST, "'jsonrpc' must be \"2.0\"" },
		{ "{\"jsonrpc\":2,\"id\":1,\"method\":\"version\"}\n", PETREL_E_INVALID_REQUEST, "'jsonrpc'" },
		{ "{\"jsonrpc\":\"2.0\",\"method\":\"version\"}\n", PETREL_E_INVALID_REQUEST, "'id' is required" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1}\n", PETREL_E_INVALID_REQUEST, "'method' must be a string" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":7}\n", PETREL_E_INVALID_REQUEST, "'method' must be a string" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"version\",\"extra\":1}\n", PETREL_E_INVALID_REQUEST, "unexpected member 'extra'" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"id\":2,\"method\":\"version\"}\n", PETREL_E_INVALID_REQUEST, "member 'id' appears twice" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"reboot\"}\n", PETREL_E_METHOD_NOT_FOUND, "no method 'reboot'" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"UP\"}\n", PETREL_E_METHOD_NOT_FOUND, "no method 'UP'" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"up\",\"params\":[\"work\"]}\n", PETREL_E_INVALID_PARAMS, "'params' must be an object" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"up\"}\n", PETREL_E_INVALID_PARAMS, "missing parameter 'profile'" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"up\",\"params\":{}}\n", PETREL_E_INVALID_PARAMS, "missing parameter 'profile'" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"up\",\"params\":{\"profile\":5}}\n", PETREL_E_INVALID_PARAMS, "'profile' must be a string" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"up\",\"params\":{\"profile\":\"\"}}\n", PETREL_E_INVALID_PARAMS, "'profile' must be 1 to 63 bytes" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"up\",\"params\":{\"profile\":\"0123456789012345678901234567890123456789012345678901234567890123\"}}\n", PETREL_E_INVALID_PARAMS, "1 to 63 bytes" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"up\",\"params\":{\"profile\":\"work\",\"force\":true}}\n", PETREL_E_INVALID_PARAMS, "unknown parameter 'force'" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"up\",\"params\":{\"profile\":\"a\",\"profile\":\"b\"}}\n", PETREL_E_INVALID_PARAMS, "parameter 'profile' appears twice" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"status\",\"params\":{\"verbose\":1}}\n", PETREL_E_INVALID_PARAMS, "unknown parameter 'verbose'" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"check\",\"params\":{}}\n", PETREL_E_INVALID_PARAMS, "missing parameter 'path'" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"attention.reply\",\"params\":{\"id\":0,\"value\":\"x\"}}\n", PETREL_E_INVALID_PARAMS, "'id' must be a positive integer" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"attention.reply\",\"params\":{\"id\":\"1\",\"value\":\"x\"}}\n", PETREL_E_INVALID_PARAMS, "'id' must be a positive integer" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"attention.reply\",\"params\":{\"id\":1}}\n", PETREL_E_INVALID_PARAMS, "missing parameter 'value'" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"attention.reply\",\"params\":{\"id\":1,\"value\":1}}\n", PETREL_E_INVALID_PARAMS, "'value' must be a string" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"attention.reply\",\"params\":{\"id\":99,\"value\":\"x\"}}\n", PETREL_E_NO_SUCH_ATTENTION, "no pending attention request 99" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *l = cases[i].line;
		size_t n = strlen(l);
		if (l[0] == '\0')
			n = 4; /* the NUL case */
		tc_write(c, l, n);
		cJSON *m = tc_msg(c);
		int code = m ? err_code(m) : 999;
		CHECK_EQ(code, cases[i].code);
		if (!m || !strstr(err_msg(m), cases[i].msg)) {
			fprintf(stderr, "case %zu: message '%s' lacks '%s'\n", i, m ? err_msg(m) : "(none)", cases[i].msg);
			CHECK(0);
		}
		/* data.name is the stable name of the code */
		const cJSON *data = m ? cJSON_GetObjectItem(cJSON_GetObjectItem(m, "error"), "data") : NULL;
		CHECK(data && strcmp(str(data, "name"), ctl_error_name(cases[i].code)) == 0);
		cJSON_Delete(m);
	}
	/* long messages: each a single response; the connection still works */
	CHECK_EQ(rpc_code(c, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"version\"}\n", NULL), 0);
	CHECK(tc_quiet(c, 20));

	/* a 1 MiB value of 3000 nested arrays stays within the line cap and
	 * parses (cJSON's nesting limit), without harm */
	char *deep = malloc(8000);
	size_t k = 0;
	k += (size_t)snprintf(deep, 8000, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"version\",\"params\":");
	for (int i = 0; i < 3000; i++)
		deep[k++] = '[';
	deep[k++] = '\n';
	tc_write(c, deep, k);
	free(deep);
	CHECK_EQ(rpc_code(c, "", NULL), PETREL_E_PARSE);

	/* a handler the daemon did not register: -32601 */
	struct ctl_server_config cfg = { 0 };
	tc_close(c);
	server_close(s);
	cfg.handlers = fake_handlers;
	cfg.handlers.ctx = &fk;
	cfg.handlers.check = NULL;
	s = server_open(&cfg);
	c = tc_open();
	CHECK_EQ(rpc_code(c, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"check\",\"params\":{\"path\":\"/x\"}}\n",
			  "does not implement 'check'"), PETREL_E_METHOD_NOT_FOUND);
	tc_close(c);
	server_close(s);
}

/* Several requests in one write: one response each, in order; blank lines
 * and CRLF are fine; a last line without '\n' before EOF is answered. */
static void test_pipelining(void)
{
	struct ctl_server *s = server_open(NULL);
	struct tc *c = tc_open();
	char buf[4096];
	size_t n = 0;

	for (int i = 1; i <= 20; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"%s\"}%s",
				      i % 5 == 0 ? "\n  \n" : "", i, i % 3 ? "version" : "nope", i % 4 ? "\n" : "\r\n");
	tc_write(c, buf, n);
	for (int i = 1; i <= 20; i++) {
		cJSON *m = tc_msg(c);
		CHECK(m && cJSON_GetObjectItem(m, "id")->valueint == i);
		CHECK_EQ(err_code(m), i % 3 ? 0 : PETREL_E_METHOD_NOT_FOUND);
		cJSON_Delete(m);
	}
	CHECK(tc_quiet(c, 20));

	const char *last = "{\"jsonrpc\":\"2.0\",\"id\":\"last\",\"method\":\"version\"}";
	tc_send(c, last);
	shutdown(c->fd, SHUT_WR);
	cJSON *m = tc_msg(c);
	CHECK(m && strcmp(str(m, "id"), "last") == 0);
	cJSON_Delete(m);
	CHECK(closed_by_server(c));
	tc_close(c);
	server_close(s);
}

/* A request split at every byte arrives as one request. */
static void test_split_writes(void)
{
	struct ctl_server *s = server_open(NULL);
	struct tc *c = tc_open();
	const char *req = "{\"jsonrpc\":\"2.0\",\"id\":\"s\xc3\xa9\",\"method\":\"up\",\"params\":{\"profile\":\"nosuch\"}}\n";
	size_t n = strlen(req);
	unsigned answered = 0;

	for (size_t k = 1; k < n; k++) {
		tc_write(c, req, k);
		pump(1);
		tc_recv(c);
		CHECK_EQ(c->len, 0); /* nothing before the newline */
		tc_write(c, req + k, n - k);
		cJSON *m = tc_msg(c);
		answered += m && err_code(m) == PETREL_E_NO_SUCH_PROFILE &&
			    strcmp(str(m, "id"), "s\xc3\xa9") == 0;
		cJSON_Delete(m);
	}
	CHECK_EQ(answered, n - 1);
	/* and byte by byte */
	for (size_t k = 0; k < n; k++) {
		tc_write(c, req + k, 1);
		uv_run(loop, UV_RUN_NOWAIT);
	}
	cJSON *m = tc_msg(c);
	CHECK_EQ(err_code(m), PETREL_E_NO_SUCH_PROFILE);
	cJSON_Delete(m);
	CHECK(tc_quiet(c, 10));
	CHECK_EQ(fk.up_calls, n);
	tc_close(c);
	server_close(s);
}

/* An over-long line: one parse error (id null), then the connection is
 * closed; another client sees nothing of it. A line of exactly the cap is
 * still read. */
static void test_long_line(void)
{
	struct ctl_server *s = server_open(NULL);
	struct tc *bad = tc_open(), *good = tc_open();
	size_t cap = PT_CTL_REQUEST_MAX_LEN;
	char *big = malloc(cap + 10);

	/* exactly the cap, '\n' included: a valid request padded with spaces */
	const char *req = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"version\"}";
	memset(big, ' ', cap);
	memcpy(big, req, strlen(req));
	big[cap - 1] = '\n';
	tc_write(good, big, cap);
	CHECK_EQ(rpc_code(good, "", NULL), 0);

	memset(big, 'x', cap + 10);
	big[0] = '"';
	tc_write(bad, big, cap + 10);
	cJSON *m = tc_msg(bad);
	CHECK_EQ(err_code(m), PETREL_E_PARSE);
	CHECK(strstr(err_msg(m), "longer than 65536 bytes") != NULL);
	CHECK(m && cJSON_IsNull(cJSON_GetObjectItem(m, "id")));
	cJSON_Delete(m);
	CHECK(closed_by_server(bad));
	CHECK_EQ(rpc_code(good, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"status\"}\n", NULL), 0);
	free(big);
	tc_close(bad);
	tc_close(good);
	server_close(s);
}

static cJSON *next_note(struct tc *c, const char *want_method)
{
	cJSON *m = tc_msg(c);
	if (!m || strcmp(method(m), want_method) != 0 || cJSON_GetObjectItem(m, "id")) {
		fprintf(stderr, "expected a '%s' notification\n", want_method);
		CHECK(0);
	}
	return m;
}

/* subscribe: the response, the complete state, then events in order. */
static void test_subscribe(void)
{
	struct ctl_server_config cfg = { .stats_interval_ms = 100, .log_rate_per_s = 10, .log_burst = 5 };
	cfg.handlers = fake_handlers;
	cfg.handlers.ctx = &fk;
	struct ctl_server *s = server_open(&cfg);
	struct tc *c = tc_open(), *other = tc_open();
	cJSON *m;

	tc_send(c, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"subscribe\"}\n");
	m = tc_msg(c);
	CHECK(m && cJSON_IsObject(result(m)) && cJSON_GetObjectItem(m, "id")->valueint == 1);
	cJSON_Delete(m);
	m = next_note(c, "state");
	CHECK_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetObjectItem(m, "params"), "profiles")), 3);
	cJSON_Delete(m);
	CHECK_EQ(rpc_code(c, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"subscribe\"}\n", NULL), 0);
	CHECK(tc_quiet(c, 10)); /* a second subscribe sends no second snapshot */

	struct ctl_path_event pe = { .profile = "home", .ike = PETREL_PATH_TCP, .esp = PETREL_PATH_TCP,
				     .reason = "ESP echo unanswered" };
	ctl_server_emit_path(s, &pe);
	m = next_note(c, "path");
	const cJSON *p = cJSON_GetObjectItem(m, "params");
	CHECK(strcmp(str(p, "esp"), "tcp") == 0 && strcmp(str(p, "reason"), "ESP echo unanswered") == 0);
	cJSON_Delete(m);

	/* state changes from a request: the event comes before the response */
	tc_send(c, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"up\",\"params\":{\"profile\":\"home\"}}\n");
	m = next_note(c, "state");
	CHECK(strcmp(str(cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(m, "params"), "profiles"), 1), "state"), "connected") == 0);
	cJSON_Delete(m);
	m = tc_msg(c);
	CHECK(m && cJSON_GetObjectItem(m, "id")->valueint == 3);
	cJSON_Delete(m);

	/* stats: the first goes out, the rest coalesce to the latest per interval */
	for (unsigned i = 1; i <= 50; i++) {
		struct ctl_stats_event se = { .profile = "home", .bytes_in = i, .bytes_out = 2 * i };
		ctl_server_emit_stats(s, &se);
		struct ctl_stats_event se2 = { .profile = "work", .bytes_in = 1000 + i };
		ctl_server_emit_stats(s, &se2);
	}
	m = next_note(c, "stats");
	CHECK_EQ(cJSON_GetObjectItem(cJSON_GetObjectItem(m, "params"), "bytes_in")->valueint, 1);
	cJSON_Delete(m);
	m = next_note(c, "stats");
	CHECK_EQ(cJSON_GetObjectItem(cJSON_GetObjectItem(m, "params"), "bytes_in")->valueint, 1001);
	cJSON_Delete(m);
	CHECK(tc_quiet(c, 30)); /* within the interval: nothing */
	pump(100);
	int got_home = 0, got_work = 0;
	for (int i = 0; i < 2; i++) {
		m = next_note(c, "stats");
		const cJSON *sp = cJSON_GetObjectItem(m, "params");
		if (strcmp(str(sp, "profile"), "home") == 0)
			got_home = cJSON_GetObjectItem(sp, "bytes_in")->valueint == 50 &&
				   cJSON_GetObjectItem(sp, "bytes_out")->valueint == 100;
		else
			got_work = cJSON_GetObjectItem(sp, "bytes_in")->valueint == 1050;
		cJSON_Delete(m);
	}
	CHECK(got_home && got_work);
	CHECK(tc_quiet(c, 150)); /* nothing new: the timer does not repeat */

	/* log: a burst of 5, then 10 per second; drops are counted */
	for (int i = 0; i < 100; i++) {
		char line[32];
		snprintf(line, sizeof(line), "line %d", i);
		ctl_server_emit_log(s, PT_LOG_INFO, "ike", line);
	}
	for (int i = 0; i < 5; i++) {
		m = next_note(c, "log");
		char want[32];
		snprintf(want, sizeof(want), "line %d", i);
		CHECK(strcmp(str(cJSON_GetObjectItem(m, "params"), "message"), want) == 0);
		cJSON_Delete(m);
	}
	CHECK(tc_quiet(c, 10));
	pump(150); /* 1.5 tokens */
	ctl_server_emit_log(s, PT_LOG_ERR, "esp", "after the pause");
	m = next_note(c, "log");
	CHECK(strcmp(str(cJSON_GetObjectItem(m, "params"), "message"), "95 log messages dropped by the rate limit") == 0);
	cJSON_Delete(m);
	m = next_note(c, "log");
	p = cJSON_GetObjectItem(m, "params");
	CHECK(strcmp(str(p, "message"), "after the pause") == 0 && strcmp(str(p, "level"), "err") == 0 &&
	      strcmp(str(p, "subsys"), "esp") == 0);
	cJSON_Delete(m);

	/* what petreld writes is UTF-8 whatever the daemon logs */
	pump(120);
	ctl_server_emit_log(s, PT_LOG_INFO, "ike", "peer id 'caf\xe9' \xc3\xa9");
	m = next_note(c, "log");
	CHECK(strcmp(str(cJSON_GetObjectItem(m, "params"), "message"), "peer id 'caf?' \xc3\xa9") == 0);
	cJSON_Delete(m);

	/* the client that did not subscribe got nothing */
	CHECK(tc_quiet(other, 5));
	tc_close(c);
	tc_close(other);
	server_close(s);
}

/* A subscriber that does not read is dropped when its queue passes the cap;
 * the daemon never blocks and the others keep their events. */
static void test_slow_subscriber(void)
{
	struct ctl_server_config cfg = { .client_out_max_len = 8192 };
	cfg.handlers = fake_handlers;
	cfg.handlers.ctx = &fk;
	struct ctl_server *s = server_open(&cfg);
	struct tc *slow = tc_open(), *fast = tc_open();
	int sz = 4096;

	setsockopt(slow->fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	tc_send(slow, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"subscribe\"}\n");
	tc_send(fast, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"subscribe\"}\n");
	CHECK(tc_wait(slow, 2));
	CHECK(tc_wait(fast, 2));
	fast->len = 0;
	slow->len = 0;
	unsigned fast_lines = 0, sent = 0;
	struct ctl_path_event pe = { .profile = "home", .ike = PETREL_PATH_UDP, .esp = PETREL_PATH_UDP,
				     .reason = "a reason long enough to fill the queue sooner ....................." };
	for (int round = 0; round < 400; round++) {
		uint64_t t0 = now_ms();
		for (int i = 0; i < 50; i++, sent++)
			ctl_server_emit_path(s, &pe);
		CHECK(now_ms() - t0 < 1000); /* never blocks */
		uv_run(loop, UV_RUN_NOWAIT);
		tc_recv(fast);
		fast_lines += (unsigned)lines_in(fast);
		fast->len = 0;
	}
	pump(20);
	tc_recv(fast);
	fast_lines += (unsigned)lines_in(fast);
	CHECK_EQ(fast_lines, sent);
	CHECK(closed_by_server(slow)); /* what was queued, then EOF */
	tc_close(slow);
	tc_close(fast);
	server_close(s);
}

static void attn_cb_count(void *arg, uint64_t id, const char *value)
{
	int *n = arg;
	(*n)++;
	CHECK(value == NULL);
}

/* The daemon asks; every subscriber sees it; the first valid reply wins. */
static void test_attention(void)
{
	struct ctl_server *s = server_open(NULL);
	struct tc *a = tc_open(), *b = tc_open();
	cJSON *m;

	tc_send(a, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"subscribe\"}\n");
	tc_send(b, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"subscribe\"}\n");
	CHECK(tc_wait(a, 2) && tc_wait(b, 2));
	a->len = b->len = 0;

	tc_send(a, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"up\",\"params\":{\"profile\":\"work\"}}\n");
	m = next_note(a, "state"); /* connecting */
	cJSON_Delete(m);
	m = next_note(a, "attention");
	const cJSON *p = cJSON_GetObjectItem(m, "params");
	uint64_t id = (uint64_t)cJSON_GetObjectItem(p, "id")->valuedouble;
	CHECK(id == fk.attn_id && id > 0);
	CHECK(strcmp(str(p, "status"), "pending") == 0 && strcmp(str(p, "kind"), "password") == 0 &&
	      strcmp(str(p, "profile"), "work") == 0 && strcmp(str(p, "prompt"), "Password for alice@example.com") == 0);
	CHECK(cJSON_IsFalse(cJSON_GetObjectItem(p, "echo")));
	cJSON_Delete(m);
	m = tc_msg(a);
	CHECK(strcmp(str(result(m), "state"), "connecting") == 0);
	cJSON_Delete(m);
	CHECK(tc_wait(b, 2));
	b->len = 0;

	/* a late subscriber finds the pending request in the state */
	struct tc *late = tc_open();
	tc_send(late, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"subscribe\"}\n");
	cJSON_Delete(tc_msg(late));
	m = next_note(late, "state");
	const cJSON *att = cJSON_GetObjectItem(cJSON_GetObjectItem(m, "params"), "attention");
	CHECK_EQ(cJSON_GetArraySize(att), 1);
	CHECK((uint64_t)cJSON_GetObjectItem(cJSON_GetArrayItem(att, 0), "id")->valuedouble == id);
	cJSON_Delete(m);

	char req[256];
	snprintf(req, sizeof(req), "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"attention.reply\",\"params\":{\"id\":%llu,\"value\":\"x\"}}\n",
		 (unsigned long long)id + 1);
	CHECK_EQ(rpc_code(b, req, "no pending attention request"), PETREL_E_NO_SUCH_ATTENTION);
	CHECK_EQ(fk.attn_cb_calls, 0);

	snprintf(req, sizeof(req), "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"attention.reply\",\"params\":{\"value\":\"secret\",\"id\":%llu}}\n",
		 (unsigned long long)id);
	tc_send(b, req);
	m = next_note(b, "state"); /* the callback connected "work" */
	CHECK(strcmp(str(cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(m, "params"), "profiles"), 0), "state"), "connected") == 0);
	cJSON_Delete(m);
	m = next_note(b, "attention");
	CHECK(strcmp(str(cJSON_GetObjectItem(m, "params"), "status"), "answered") == 0);
	cJSON_Delete(m);
	m = tc_msg(b);
	CHECK(m && cJSON_GetObjectItem(m, "id")->valueint == 4 && result(m));
	cJSON_Delete(m);
	CHECK_EQ(fk.attn_cb_calls, 1);
	CHECK(strcmp(fk.last_value, "secret") == 0);

	/* the other subscriber saw the same, and its own late answer loses */
	m = next_note(a, "state");
	cJSON_Delete(m);
	m = next_note(a, "attention");
	CHECK(strcmp(str(cJSON_GetObjectItem(m, "params"), "status"), "answered") == 0);
	cJSON_Delete(m);
	snprintf(req, sizeof(req), "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"attention.reply\",\"params\":{\"id\":%llu,\"value\":\"other\"}}\n",
		 (unsigned long long)id);
	CHECK_EQ(rpc_code(a, req, NULL), PETREL_E_NO_SUCH_ATTENTION);
	CHECK_EQ(fk.attn_cb_calls, 1);

	/* cancel: the callback runs once with NULL; subscribers see "cancelled" */
	int cancelled = 0;
	uint64_t id2 = 0;
	struct ctl_attention q = { .profile = "home", .kind = PETREL_ATTN_OTP, .prompt = "OTP", .echo = 1 };
	CHECK_EQ(ctl_server_attention_ask(s, &q, attn_cb_count, &cancelled, &id2), 0);
	CHECK(id2 > id);
	m = next_note(a, "attention");
	CHECK(strcmp(str(cJSON_GetObjectItem(m, "params"), "kind"), "otp") == 0);
	CHECK(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(m, "params"), "echo")));
	cJSON_Delete(m);
	CHECK_EQ(ctl_server_attention_cancel(s, id2), 0);
	CHECK_EQ(cancelled, 1);
	CHECK_EQ(ctl_server_attention_cancel(s, id2), -ENOENT);
	m = next_note(a, "attention");
	CHECK(strcmp(str(cJSON_GetObjectItem(m, "params"), "status"), "cancelled") == 0);
	cJSON_Delete(m);

	/* the table is bounded; closing the server ends every request once */
	int closed_n = 0;
	for (unsigned i = 0; i < CTL_ATTENTION_MAX; i++)
		CHECK_EQ(ctl_server_attention_ask(s, &q, attn_cb_count, &closed_n, NULL), 0);
	CHECK_EQ(ctl_server_attention_ask(s, &q, attn_cb_count, &closed_n, NULL), -E2BIG);
	struct ctl_attention bad = { .profile = "", .kind = PETREL_ATTN_PIN };
	CHECK_EQ(ctl_server_attention_ask(s, &bad, attn_cb_count, &closed_n, NULL), -EINVAL);

	/* a wrong password: the callback fails the connection */
	tc_close(a);
	tc_close(b);
	tc_close(late);
	server_close(s);
	CHECK_EQ(closed_n, (int)CTL_ATTENTION_MAX);

	s = server_open(NULL);
	a = tc_open();
	CHECK_EQ(rpc_code(a, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"up\",\"params\":{\"profile\":\"work\"}}\n", NULL), 0);
	snprintf(req, sizeof(req), "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"attention.reply\",\"params\":{\"id\":%llu,\"value\":\"wrong\"}}\n",
		 (unsigned long long)fk.attn_id);
	CHECK_EQ(rpc_code(a, req, NULL), 0);
	CHECK_EQ(fk.st[0].state, PETREL_STATE_DISCONNECTED);
	CHECK(strstr(fk.st[0].error, "AUTHENTICATION_FAILED") != NULL);
	tc_close(a);
	server_close(s);
}

/* Root and the group may control; others may ask only for the version. */
static void test_permissions(void)
{
	struct ctl_server *s = server_open(NULL);
	struct tc *c;
	static const char *const control[] = {
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"status\"}\n",
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"profiles\"}\n",
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"subscribe\"}\n",
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"up\",\"params\":{\"profile\":\"home\"}}\n",
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"down\"}\n",
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"check\",\"params\":{\"path\":\"/etc/shadow\"}}\n",
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"attention.reply\",\"params\":{\"id\":1,\"value\":\"x\"}}\n",
	};

	peer_mode = 1;
	c = tc_open();
	for (size_t i = 0; i < sizeof(control) / sizeof(control[0]); i++)
		CHECK_EQ(rpc_code(c, control[i], "permission denied: only root and members of group 'daemon'"),
			 PETREL_E_PERMISSION_DENIED);
	CHECK_EQ(rpc_code(c, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"version\"}\n", NULL), 0);
	/* a denied subscriber gets no events */
	ctl_server_emit_state(s);
	CHECK(tc_quiet(c, 10));
	CHECK_EQ(fk.up_calls, 0);
	CHECK_EQ(fk.status_calls, 0);
	tc_close(c);

	if (getgrnam(member_group)) {
		peer_mode = 2;
		c = tc_open();
		CHECK_EQ(rpc_code(c, control[0], NULL), 0);
		tc_close(c);
	}
	peer_mode = 0; /* real SO_PEERCRED: this process */
	c = tc_open();
	int code = rpc_code(c, control[0], NULL);
	if (geteuid() == 0)
		CHECK_EQ(code, 0);
	else
		CHECK(code == 0 || code == PETREL_E_PERMISSION_DENIED);
	tc_close(c);
	server_close(s);

	struct ctl_peer root = { .uid = 0, .gid = 0 }, nobody = { .uid = 65534, .gid = 65534 };
	CHECK_EQ(ctl_peer_may_control(&root, "petrel-no-such-group"), 1);
	CHECK_EQ(ctl_peer_may_control(&nobody, "petrel-no-such-group"), 0);
	CHECK_EQ(ctl_peer_may_control(&nobody, "daemon"), 0);
	struct group *g = getgrnam("daemon");
	if (g) {
		struct ctl_peer member = { .uid = 65534, .gid = g->gr_gid };
		CHECK_EQ(ctl_peer_may_control(&member, "daemon"), 1);
	}

	/* the seam refusing the credentials closes the connection */
	struct ctl_peer me;
	int sv[2];
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK_EQ(ctl_peer_get(sv[0], &me), 0);
	CHECK_EQ(me.uid, geteuid());
	CHECK_EQ(me.pid, getpid());
	close(sv[0]);
	close(sv[1]);
}

/* The socket file: mode 0660, a stale one replaced, a live one kept, a
 * regular file never removed, gone after close; too many clients refused. */
static void test_socket_file(void)
{
	struct stat st;
	struct ctl_server *s = server_open(NULL), *s2 = NULL;
	struct ctl_server_config cfg = { .path = sock_path };

	CHECK(stat(sock_path, &st) == 0 && S_ISSOCK(st.st_mode));
	CHECK_EQ(st.st_mode & 0777, 0660);
	CHECK_EQ(ctl_server_open(&s2, loop, &cfg), -EADDRINUSE);
	CHECK(s2 == NULL);

	struct tc *cs[CTL_CLIENTS_MAX + 1];
	for (unsigned i = 0; i < CTL_CLIENTS_MAX; i++)
		cs[i] = tc_open();
	cs[CTL_CLIENTS_MAX] = tc_open();
	cJSON *m = tc_msg(cs[CTL_CLIENTS_MAX]);
	CHECK_EQ(err_code(m), PETREL_E_BUSY);
	cJSON_Delete(m);
	CHECK(closed_by_server(cs[CTL_CLIENTS_MAX]));
	CHECK_EQ(rpc_code(cs[0], "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"version\"}\n", NULL), 0);
	for (unsigned i = 0; i <= CTL_CLIENTS_MAX; i++)
		tc_close(cs[i]);
	server_close(s);
	CHECK(stat(sock_path, &st) != 0);

	/* a stale socket (nobody listening) is replaced */
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	memcpy(sa.sun_path, sock_path, strlen(sock_path) + 1);
	CHECK(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	close(fd);
	s = server_open(NULL);
	struct tc *c = tc_open();
	CHECK_EQ(rpc_code(c, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"version\"}\n", NULL), 0);
	tc_close(c);
	server_close(s);

	/* a regular file is not ours to delete */
	fd = open(sock_path, O_CREAT | O_WRONLY, 0600);
	close(fd);
	CHECK_EQ(ctl_server_open(&s2, loop, &cfg), -EEXIST);
	CHECK(stat(sock_path, &st) == 0 && S_ISREG(st.st_mode));
	unlink(sock_path);
	uv_run(loop, UV_RUN_NOWAIT);

	/* a missing directory is made 0755 whatever the umask (petreld's is 077) */
	char sub[64], saved[sizeof(sock_path)];
	memcpy(saved, sock_path, sizeof(saved));
	snprintf(sub, sizeof(sub), "%.40s.d", saved);
	snprintf(sock_path, sizeof(sock_path), "%.50s/control.sock", sub);
	mode_t old = umask(077);
	s = server_open(NULL);
	umask(old);
	CHECK(stat(sub, &st) == 0 && (st.st_mode & 0777) == 0755);
	CHECK(stat(sock_path, &st) == 0 && (st.st_mode & 0777) == 0660);
	server_close(s);
	rmdir(sub);
	memcpy(sock_path, saved, sizeof(saved));
}

int main(void)
{
	char dir[] = "/tmp/petrel-ctl-XXXXXX";

	CHECK(mkdtemp(dir) != NULL);
	snprintf(sock_path, sizeof(sock_path), "%s/control.sock", dir);
	loop = uv_default_loop();
	pt_log_set_level(PT_LOG_ERR);

	test_methods();
	test_ids();
	test_errors();
	test_pipelining();
	test_split_writes();
	test_long_line();
	test_subscribe();
	test_slow_subscriber();
	test_attention();
	test_permissions();
	test_socket_file();

	uv_run(loop, UV_RUN_NOWAIT);
	CHECK_EQ(uv_loop_close(loop), 0);
	rmdir(dir);
	return test_done();
}
