/* cli/petrel: the built binary against an in-process control server with
 * fake handlers (ctl_harness.h). Exact output lines and exit codes for every
 * command, --json, the errors (no daemon, permission, unknown profile, bad
 * arguments), the password prompt on a terminal (a pty) and without one,
 * and `petrel check` on YAML files with errors (file:line:col).
 * argv[1]: the petrel binary. */
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "ctl_harness.h"
#include "test.h"

static const char *petrel_bin;
static uv_loop_t *loop;
static char sock_path[108], dir[64];
static struct fake fk;
static int unprivileged;

struct run {
	int status; /* exit code, or 128 + signal */
	char out[32768], err[8192];
	size_t out_len, err_len;
};

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void drain(int fd, char *buf, size_t cap, size_t *len)
{
	for (;;) {
		if (*len + 1 >= cap)
			return;
		ssize_t r = read(fd, buf + *len, cap - 1 - *len);
		if (r <= 0)
			return;
		*len += (size_t)r;
		buf[*len] = '\0';
	}
}

/* Called while the child runs: may emit events, answer a pty, or stop it. */
typedef void (*tick_fn)(int pty_fd, struct run *r, uint64_t elapsed_ms, pid_t pid);

/* Run petrel ARGS... with TZ=UTC; pty: under a new pseudo-terminal (stdout
 * and stderr go to it), else in a new session with no terminal at all. */
static void run_petrel(struct run *r, const char *const *args, int pty, tick_fn tick)
{
	char *argv[24];
	int n = 0, out[2], err[2], master = -1;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	argv[n++] = strdup(petrel_bin);
	for (; *args && n < 23; args++)
		argv[n++] = strdup(*args);
	argv[n] = NULL;
	CHECK(pipe(out) == 0 && pipe(err) == 0);
	pid = pty ? forkpty(&master, NULL, NULL, NULL) : fork();
	if (pid == 0) {
		if (!pty) {
			setsid();
			dup2(out[1], 1);
			dup2(err[1], 2);
		}
		close(out[0]);
		close(err[0]);
		setenv("TZ", "UTC", 1);
		unsetenv(PETREL_CTL_SOCKET_ENV);
		execv(petrel_bin, argv);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	fcntl(err[0], F_SETFL, O_NONBLOCK);
	if (master >= 0)
		fcntl(master, F_SETFL, O_NONBLOCK);
	uint64_t t0 = now_ms();
	int st = 0;
	for (;;) {
		uv_run(loop, UV_RUN_NOWAIT);
		drain(out[0], r->out, sizeof(r->out), &r->out_len);
		drain(err[0], r->err, sizeof(r->err), &r->err_len);
		if (master >= 0)
			drain(master, r->out, sizeof(r->out), &r->out_len);
		if (tick)
			tick(master, r, now_ms() - t0, pid);
		pid_t w = waitpid(pid, &st, WNOHANG);
		if (w == pid)
			break;
		if (now_ms() - t0 > 10000) {
			fprintf(stderr, "petrel %s: still running after 10 s, killed\n", argv[1]);
			kill(pid, SIGKILL);
		}
		usleep(300);
	}
	drain(out[0], r->out, sizeof(r->out), &r->out_len);
	drain(err[0], r->err, sizeof(r->err), &r->err_len);
	if (master >= 0) {
		drain(master, r->out, sizeof(r->out), &r->out_len);
		close(master);
	}
	close(out[0]);
	close(err[0]);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	for (int i = 0; i < n; i++)
		free(argv[i]);
}

/* Exit code, stdout and stderr exactly. */
static void expect(const char *const *args, int status, const char *out, const char *err)
{
	struct run r;

	run_petrel(&r, args, 0, NULL);
	CHECK_EQ(r.status, status);
	if (out && strcmp(r.out, out) != 0) {
		fprintf(stderr, "petrel %s: stdout\n--- got\n%s--- want\n%s---\n", args[0], r.out, out);
		CHECK(0);
	}
	if (err && strcmp(r.err, err) != 0) {
		fprintf(stderr, "petrel %s: stderr\n--- got\n%s--- want\n%s---\n", args[0], r.err, err);
		CHECK(0);
	}
}

static int authorize(void *ctx, int fd, struct ctl_peer *peer)
{
	peer->uid = unprivileged ? 65534 : 0;
	peer->gid = unprivileged ? 65534 : 0;
	peer->pid = 1;
	return ctl_peer_may_control(peer, "daemon");
}

static void closed_cb(void *arg) { *(int *)arg = 1; }

static struct ctl_server *server_open(void)
{
	struct ctl_server_config cfg = { .path = sock_path, .group = "daemon", .authorize = authorize };
	struct ctl_server *s = NULL;

	cfg.handlers = fake_handlers;
	cfg.handlers.ctx = &fk;
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
	fk.srv = NULL;
}

static int starts(const char *s, const char *prefix) { return strncmp(s, prefix, strlen(prefix)) == 0; }

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void test_usage(void)
{
	struct run r;

	run_petrel(&r, ARGS("--help"), 0, NULL);
	CHECK_EQ(r.status, 0);
	CHECK(starts(r.out, "usage: petrel [--socket PATH] [--json] COMMAND [ARGS]\n"));
	run_petrel(&r, ARGS("--nope"), 0, NULL);
	CHECK_EQ(r.status, 2);
	CHECK(starts(r.err, "petrel: unknown option '--nope'\nusage: petrel"));
	run_petrel(&r, ARGS(NULL), 0, NULL);
	CHECK_EQ(r.status, 2);
	CHECK(starts(r.err, "petrel: a command is required\n"));
	run_petrel(&r, ARGS("frobnicate"), 0, NULL);
	CHECK_EQ(r.status, 2);
	CHECK(starts(r.err, "petrel: unknown command 'frobnicate'\n"));
	expect(ARGS("up"), 2, "", "petrel up: missing argument\nusage: petrel up [--no-wait] [--json] PROFILE\n");
	expect(ARGS("up", "a", "b"), 2, "", "petrel up: too many arguments\nusage: petrel up [--no-wait] [--json] PROFILE\n");
	expect(ARGS("status", "--no-wait"), 2, "", "petrel status: --no-wait is only for up and down\nusage: petrel status [--json]\n");
	expect(ARGS("--socket"), 2, NULL, NULL);
	expect(ARGS("up", "0123456789012345678901234567890123456789012345678901234567890123"), 2, "",
	       "petrel up: a profile name is 1 to 63 characters\nusage: petrel up [--no-wait] [--json] PROFILE\n");
	expect(ARGS("down", "--help"), 0,
	       "usage: petrel down [--no-wait] [--json] [PROFILE]\n\n"
	       "Disconnect PROFILE, or every profile when none is named, and wait until\n"
	       "it is disconnected.\n", "");
}

static void test_no_daemon(void)
{
	char want[256];

	snprintf(want, sizeof(want), "petrel: petreld is not running (no socket at %s)\n", sock_path);
	expect(ARGS("--socket", sock_path, "status"), 3, "", want);
	expect(ARGS("up", "work", "--socket", sock_path), 3, "", want);
	snprintf(want, sizeof(want), "petrel 0.1.0 (control protocol 1)\npetreld is not running (no socket at %s)\n", sock_path);
	expect(ARGS("--socket", sock_path, "version"), 0, want, "");
}

static const char status_human[] =
	"work: disconnected\n"
	"\n"
	"home: connected\n"
	"  gateway:        198.51.100.1 (192.0.2.1:4500)\n"
	"  since:          2023-11-14 22:14:20 UTC\n"
	"  virtual IPs:    203.0.113.5, 2001:db8::5\n"
	"  IKE:            TCP (RFC 9329)\n"
	"  ESP:            UDP\n"
	"  traffic:        1.5 KiB in, 3.0 MiB out (12/34 packets)\n"
	"  last handshake: 2023-11-14 22:14:21 UTC\n"
	"\n"
	"busy: disconnected\n";

static void test_queries(void)
{
	struct ctl_server *s = server_open();
	struct run r;

	expect(ARGS("--socket", sock_path, "version"), 0,
	       "petrel 0.1.0 (control protocol 1)\npetreld 0.1.0 (control protocol 1)\n", "");
	expect(ARGS("--socket", sock_path, "profiles"), 0,
	       "PROFILE  STATE         GATEWAY          AUTH          TRANSPORT\n"
	       "work     disconnected  vpn.example.com  eap-mschapv2  auto\n"
	       "home     disconnected  198.51.100.1     psk           auto\n"
	       "busy     disconnected  192.0.2.9        cert          auto\n", "");

	fk.srv = NULL; /* change state without events */
	fake_set(&fk, &fk.st[1], PETREL_STATE_CONNECTED, NULL);
	fk.srv = s;
	expect(ARGS("--socket", sock_path, "status"), 0, status_human, "");
	fk.st[2].state = PETREL_STATE_DISCONNECTED;
	snprintf(fk.st[2].error, sizeof(fk.st[2].error), "gateway unreachable (TCP/4500 and UDP/4500)");
	run_petrel(&r, ARGS("status", "--socket", sock_path), 0, NULL);
	CHECK(strstr(r.out, "busy: disconnected (last error: gateway unreachable (TCP/4500 and UDP/4500))\n") != NULL);

	/* --json: the raw result */
	run_petrel(&r, ARGS("--json", "status", "--socket", sock_path), 0, NULL);
	CHECK_EQ(r.status, 0);
	cJSON *j = cJSON_Parse(r.out);
	const cJSON *home = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "profiles"), 1);
	CHECK(home && strcmp(cJSON_GetObjectItem(home, "state")->valuestring, "connected") == 0);
	CHECK(home && cJSON_GetObjectItem(home, "bytes_out")->valuedouble == 3145728);
	CHECK(home && cJSON_GetObjectItem(home, "since")->valuedouble == FAKE_NOW + 60);
	CHECK(j && cJSON_IsArray(cJSON_GetObjectItem(j, "attention")));
	CHECK(r.out_len > 0 && r.out[r.out_len - 1] == '\n' && !memchr(r.out, '\n', r.out_len - 1));
	cJSON_Delete(j);
	run_petrel(&r, ARGS("--json", "profiles", "--socket", sock_path), 0, NULL);
	j = cJSON_Parse(r.out);
	CHECK_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(j, "profiles")), 3);
	cJSON_Delete(j);
	run_petrel(&r, ARGS("--json", "version", "--socket", sock_path), 0, NULL);
	CHECK(strcmp(r.out, "{\"petrel\":\"0.1.0\",\"protocol\":1,\"petreld\":{\"version\":\"0.1.0\",\"protocol\":1}}\n") == 0);

	/* $PETREL_SOCKET is honoured (--socket wins over it) */
	setenv(PETREL_CTL_SOCKET_ENV, sock_path, 1);
	server_close(s);
	unsetenv(PETREL_CTL_SOCKET_ENV);

	/* permission denied: exit 4 and petreld's message */
	unprivileged = 1;
	s = server_open();
	expect(ARGS("--socket", sock_path, "status"), 4, "",
	       "petrel: permission denied: only root and members of group 'daemon' may use 'status'\n");
	expect(ARGS("--socket", sock_path, "up", "home"), 4, "",
	       "petrel: permission denied: only root and members of group 'daemon' may use 'subscribe'\n");
	expect(ARGS("--socket", sock_path, "version"), 0,
	       "petrel 0.1.0 (control protocol 1)\npetreld 0.1.0 (control protocol 1)\n", "");
	CHECK_EQ(fk.up_calls, 0);
	unprivileged = 0;
	server_close(s);
}

static void test_up_down(void)
{
	struct ctl_server *s = server_open();
	struct run r;

	expect(ARGS("--socket", sock_path, "up", "home"), 0,
	       "home: connected\n"
	       "  gateway:        198.51.100.1 (192.0.2.1:4500)\n"
	       "  since:          2023-11-14 22:14:20 UTC\n"
	       "  virtual IPs:    203.0.113.5, 2001:db8::5\n"
	       "  IKE:            TCP (RFC 9329)\n"
	       "  ESP:            UDP\n"
	       "  traffic:        1.5 KiB in, 3.0 MiB out (12/34 packets)\n"
	       "  last handshake: 2023-11-14 22:14:21 UTC\n", "");
	expect(ARGS("--socket", sock_path, "up", "home"), 0, "home is already connected\n", "");
	expect(ARGS("--socket", sock_path, "up", "nosuch"), 1, "", "petrel: no profile named 'nosuch'\n");
	expect(ARGS("--socket", sock_path, "up", "busy"), 1, "", "petrel: busy: busy is being reconfigured\n");
	expect(ARGS("--socket", sock_path, "down", "home"), 0, "home: disconnected\n", "");
	expect(ARGS("--socket", sock_path, "down", "home"), 0, "home is not connected\n", "");
	expect(ARGS("--socket", sock_path, "down"), 0, "nothing is connected\n", "");
	expect(ARGS("--socket", sock_path, "down", "nosuch"), 1, "", "petrel: no profile named 'nosuch'\n");
	expect(ARGS("--socket", sock_path, "up", "--no-wait", "home"), 0, "home: connected\n", "");
	expect(ARGS("--socket", sock_path, "down"), 0, "all profiles: disconnected\n", "");
	CHECK_EQ(fk.st[1].state, PETREL_STATE_DISCONNECTED);

	run_petrel(&r, ARGS("--json", "--socket", sock_path, "up", "home"), 0, NULL);
	CHECK_EQ(r.status, 0);
	cJSON *j = cJSON_Parse(r.out);
	CHECK(j && strcmp(cJSON_GetObjectItem(j, "name")->valuestring, "home") == 0);
	CHECK(j && strcmp(cJSON_GetObjectItem(j, "state")->valuestring, "connected") == 0);
	cJSON_Delete(j);
	run_petrel(&r, ARGS("--json", "--socket", sock_path, "up", "home"), 0, NULL);
	j = cJSON_Parse(r.out);
	CHECK(j && cJSON_GetObjectItem(j, "code")->valueint == PETREL_E_ALREADY_CONNECTED);
	cJSON_Delete(j);
	server_close(s);
}

/* up for an EAP profile: petreld asks; petrel prompts on the terminal. */
static const char *pty_answer;
static int answered;

static void answer_prompt(int pty, struct run *r, uint64_t ms, pid_t pid)
{
	if (!answered && strstr(r->out, "Password for alice@example.com: ")) {
		CHECK(write(pty, pty_answer, strlen(pty_answer)) == (ssize_t)strlen(pty_answer));
		answered = 1;
	}
}

static void test_attention(void)
{
	struct ctl_server *s = server_open();
	struct run r;

	/* no terminal: say so, exit 1; the request stays for a tray */
	expect(ARGS("--socket", sock_path, "up", "work"), 1, "",
	       "petrel: work: petreld asks for a password (\"Password for alice@example.com\") and there is no "
	       "terminal to ask on; answer it from a desktop client, or run petrel up in a terminal\n");
	CHECK(fk.attn_id != 0);
	CHECK_EQ(fk.attn_cb_calls, 0);
	/* a second petrel up finds the request pending in the state: still
	 * no terminal; then from a terminal, it asks and the attempt goes on */
	expect(ARGS("--socket", sock_path, "up", "work"), 1, "",
	       "petrel: work: petreld asks for a password (\"Password for alice@example.com\") and there is no "
	       "terminal to ask on; answer it from a desktop client, or run petrel up in a terminal\n");
	CHECK_EQ(fk.up_calls, 1);
	answered = 0;
	pty_answer = "secret\n";
	run_petrel(&r, ARGS("--socket", sock_path, "up", "work"), 1, answer_prompt);
	CHECK_EQ(r.status, 0);
	CHECK(answered);
	CHECK(strstr(r.out, "work: connected\r\n") != NULL);
	CHECK_EQ(fk.up_calls, 1);
	server_close(s);

	s = server_open();
	answered = 0;
	run_petrel(&r, ARGS("--socket", sock_path, "up", "work"), 1, answer_prompt);
	CHECK_EQ(r.status, 0);
	CHECK(answered);
	CHECK(strcmp(fk.last_value, "secret") == 0);
	CHECK(strstr(r.out, "Password for alice@example.com: ") != NULL);
	CHECK(strstr(r.out, "secret") == NULL); /* no echo */
	CHECK(strstr(r.out, "work: connected\r\n") != NULL);
	CHECK(strstr(r.out, "  virtual IPs:    203.0.113.5, 2001:db8::5\r\n") != NULL);

	/* a wrong password: petreld fails the attempt, petrel says why */
	expect(ARGS("--socket", sock_path, "down", "work"), 0, "work: disconnected\n", "");
	answered = 0;
	pty_answer = "hunter2\n";
	run_petrel(&r, ARGS("--socket", sock_path, "up", "work"), 1, answer_prompt);
	CHECK_EQ(r.status, 1);
	CHECK(strcmp(fk.last_value, "hunter2") == 0);
	CHECK(strstr(r.out, "petrel: work: connection failed: authentication failed (AUTHENTICATION_FAILED)\r\n") != NULL);
	server_close(s);
}

/* petrel events: the state first, then one line per event. */
static struct ctl_server *ev_srv;
static int ev_step;

static void drive_events(int pty, struct run *r, uint64_t ms, pid_t pid)
{
	if (ev_step == 0 && memchr(r->out, '\n', r->out_len)) { /* the state came */
		struct ctl_path_event pe = { .profile = "home", .ike = PETREL_PATH_TCP, .esp = PETREL_PATH_TCP,
					     .reason = "ESP echo unanswered" };
		struct ctl_stats_event se = { .profile = "home", .bytes_in = 2048, .bytes_out = 100 };
		struct ctl_attention a = { .profile = "work", .kind = PETREL_ATTN_OTP, .prompt = "OTP from your token" };
		uint64_t id;
		ctl_server_emit_path(ev_srv, &pe);
		ctl_server_emit_stats(ev_srv, &se);
		ctl_server_emit_log(ev_srv, PT_LOG_WARN, "net", "default route changed");
		ctl_server_attention_ask(ev_srv, &a, fake_attn_cb, &fk, &id);
		ctl_server_attention_cancel(ev_srv, id);
		ev_step = 1;
	} else if (ev_step == 1 && strstr(r->out, "cancelled")) {
		server_close(ev_srv);
		ev_step = 2;
	}
}

static void test_events(void)
{
	struct run r;

	ev_srv = server_open();
	ev_step = 0;
	run_petrel(&r, ARGS("--socket", sock_path, "events"), 0, drive_events);
	CHECK_EQ(r.status, 1);
	const char *want =
		"state: work disconnected, home disconnected, busy disconnected\n"
		"path: home: IKE TCP (RFC 9329), ESP TCP (RFC 9329) (ESP echo unanswered)\n"
		"stats: home: 2.0 KiB in, 100 B out\n"
		"log: warn net: default route changed\n"
		"attention: work asks for a otp (attention 1): OTP from your token\n"
		"attention: attention 1 for work cancelled\n";
	if (strcmp(r.out, want) != 0) {
		fprintf(stderr, "petrel events:\n--- got\n%s--- want\n%s---\n", r.out, want);
		CHECK(0);
	}
	CHECK(strcmp(r.err, "petrel: petreld closed the connection\n") == 0);

	ev_srv = server_open();
	ev_step = 0;
	run_petrel(&r, ARGS("--socket", sock_path, "events", "--json"), 0, drive_events);
	CHECK(starts(r.out, "{\"jsonrpc\":\"2.0\",\"method\":\"state\",\"params\":{\"profiles\":[{\"name\":\"work\""));
	CHECK(strstr(r.out, "\n{\"jsonrpc\":\"2.0\",\"method\":\"path\",\"params\":{\"profile\":\"home\",\"ike\":\"tcp\",\"esp\":\"tcp\",\"reason\":\"ESP echo unanswered\"}}\n") != NULL);
}

static void write_file(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");
	fputs(s, f);
	fclose(f);
}

/* petrel check: local, every error as file:line:col: message. */
static void test_check(void)
{
	char bad[128], good[128], syn[128], want[1024], cfgdir[128], sub[160];
	struct run r;

	snprintf(bad, sizeof(bad), "%s/bad.yaml", dir);
	snprintf(good, sizeof(good), "%s/good.yaml", dir);
	snprintf(syn, sizeof(syn), "%s/syntax.yaml", dir);
	write_file(bad, "work:\n  gateway: vpn.example.com\n  transport: carrier-pigeon\n  auth: { method: psk }\n"
			"home:\n  gateway: 198.51.100.1\n  auth: { method: psk, psk_file: /etc/petrel/home.psk }\n"
			"  local_id: me@example.com\n  pq: maybe\n");
	write_file(good, "work:\n  gateway: vpn.example.com\n  remote_id: vpn.example.com\n  ca: /etc/petrel/ca.pem\n"
			 "  local_id: alice@example.com\n  auth: { method: eap-mschapv2, user: alice }\n");
	write_file(syn, "work: [\n");
	snprintf(want, sizeof(want),
		 "%s:3:14: transport: unknown value 'carrier-pigeon' (expected one of: auto, separate, tcp, udp)\n"
		 "%s:9:7: pq: unknown value 'maybe' (expected one of: preferred, required, off)\n", bad, bad);
	/* no daemon is needed: the socket does not exist */
	expect(ARGS("--socket", sock_path, "check", bad), 1, want, "");
	snprintf(want, sizeof(want), "%s: ok, 1 profile (work)\n", good);
	expect(ARGS("check", good), 0, want, "");
	snprintf(want, sizeof(want), "%s:2:1: YAML syntax: did not find expected node content while parsing a flow node\n", syn);
	expect(ARGS("check", syn), 1, want, "");
	snprintf(want, sizeof(want), "%s: ok, 1 profile (work)\n%s:2:1: YAML syntax: did not find expected node content while parsing a flow node\n", good, syn);
	expect(ARGS("check", good, syn), 1, want, "");
	snprintf(want, sizeof(want), "%s/missing.yaml: cannot open: No such file or directory\n", dir);
	snprintf(sub, sizeof(sub), "%s/missing.yaml", dir);
	expect(ARGS("check", sub), 1, want, "");

	run_petrel(&r, ARGS("check", "--json", bad), 0, NULL);
	CHECK_EQ(r.status, 1);
	cJSON *j = cJSON_Parse(r.out);
	const cJSON *e = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(j, 0), "errors"), 1);
	CHECK(e && cJSON_GetObjectItem(e, "line")->valueint == 9 && cJSON_GetObjectItem(e, "col")->valueint == 7);
	CHECK(cJSON_IsFalse(cJSON_GetObjectItem(cJSON_GetArrayItem(j, 0), "valid")));
	cJSON_Delete(j);

	/* a directory: petrel.yaml and profiles.d/ */
	snprintf(cfgdir, sizeof(cfgdir), "%s/etc", dir);
	mkdir(cfgdir, 0755);
	snprintf(sub, sizeof(sub), "%s/profiles.d", cfgdir);
	mkdir(sub, 0755);
	snprintf(sub, sizeof(sub), "%s/profiles.d/home.yaml", cfgdir);
	write_file(sub, "home:\n  gateway: 198.51.100.1\n  local_id: me@example.com\n  auth: { method: psk, psk_file: /etc/petrel/home.psk }\n");
	char arg[160];
	snprintf(arg, sizeof(arg), "%s/", cfgdir);
	snprintf(want, sizeof(want), "%s: ok, 1 profile (home)\n", arg);
	expect(ARGS("check", arg), 0, want, "");
	unlink(sub);
	snprintf(sub, sizeof(sub), "%s/profiles.d", cfgdir);
	rmdir(sub);
	rmdir(cfgdir);
	unlink(bad);
	unlink(good);
	unlink(syn);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return test_skip("usage: unit_cli PATH-TO-petrel");
	petrel_bin = argv[1];
	if (access(petrel_bin, X_OK) != 0)
		return test_skip("petrel binary not built");
	snprintf(dir, sizeof(dir), "/tmp/petrel-cli-XXXXXX");
	CHECK(mkdtemp(dir) != NULL);
	snprintf(sock_path, sizeof(sock_path), "%s/control.sock", dir);
	loop = uv_default_loop();
	pt_log_set_level(PT_LOG_ERR);
	signal(SIGPIPE, SIG_IGN);

	test_usage();
	test_no_daemon();
	test_queries();
	test_up_down();
	test_attention();
	test_events();
	test_check();

	uv_run(loop, UV_RUN_NOWAIT);
	CHECK_EQ(uv_loop_close(loop), 0);
	rmdir(dir);
	return test_done();
}
