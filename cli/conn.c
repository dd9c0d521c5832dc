/* The client side of the control socket: blocking, one line per message. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli.h"

static void say(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(FILE *f, const char *fmt, ...)
{
	va_list ap;

	if (!f)
		return;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
}

int cli_connect(struct cli_conn *c, const char *path)
{
	return cli_connect_quiet(c, path, 0);
}

int cli_connect_quiet(struct cli_conn *c, const char *path, int quiet)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->path = path;
	c->next_id = 1;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "petrel: socket path too long: %s\n", path);
		return CLI_EXIT_USAGE;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	c->buf = malloc(CLI_LINE_MAX);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (!c->buf || c->fd < 0) {
		fprintf(stderr, "petrel: %s\n", strerror(errno));
		cli_disconnect(c);
		return CLI_EXIT_FAIL;
	}
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return 0;
	int e = errno;
	cli_disconnect(c);
	FILE *out = quiet ? NULL : stderr;
	switch (e) {
	case ENOENT:
		say(out, "petrel: petreld is not running (no socket at %s)\n", path);
		return CLI_EXIT_NO_DAEMON;
	case ECONNREFUSED:
		say(out, "petrel: petreld is not running (nothing listens on %s)\n", path);
		return CLI_EXIT_NO_DAEMON;
	case EACCES:
	case EPERM:
		say(out, "petrel: permission denied on %s: only root and members of group '%s' may control petreld\n",
			path, PETREL_CTL_GROUP);
		return CLI_EXIT_DENIED;
	default:
		say(out, "petrel: cannot connect to %s: %s\n", path, strerror(e));
		return CLI_EXIT_NO_DAEMON;
	}
}

void cli_disconnect(struct cli_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	if (c->buf) {
		explicit_bzero(c->buf, CLI_LINE_MAX);
		free(c->buf);
	}
	c->buf = NULL;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

long cli_send(struct cli_conn *c, const char *method, cJSON *params)
{
	cJSON *req = cJSON_CreateObject();
	long id = c->next_id++;

	if (!req) {
		cJSON_Delete(params);
		return -1;
	}
	cJSON_AddStringToObject(req, "jsonrpc", "2.0");
	cJSON_AddNumberToObject(req, "id", (double)id);
	cJSON_AddStringToObject(req, "method", method);
	if (params)
		cJSON_AddItemToObject(req, "params", params);
	char *s = cJSON_PrintUnformatted(req);
	cJSON_Delete(req);
	if (!s)
		return -1;
	size_t n = strlen(s);
	int rc = -1;
	char *line = malloc(n + 1);
	if (line) {
		memcpy(line, s, n);
		line[n] = '\n';
		rc = write_all(c->fd, line, n + 1);
		explicit_bzero(line, n + 1); /* attention.reply carries a secret */
		free(line);
	}
	explicit_bzero(s, n);
	free(s);
	if (rc < 0) {
		fprintf(stderr, "petrel: lost the connection to petreld: %s\n", strerror(errno));
		return -1;
	}
	return id;
}

int cli_read(struct cli_conn *c, cJSON **msg)
{
	for (;;) {
		char *nl = memchr(c->buf, '\n', c->len);
		if (nl) {
			size_t n = (size_t)(nl - c->buf);
			*msg = cJSON_ParseWithLength(c->buf, n);
			memmove(c->buf, nl + 1, c->len - n - 1);
			c->len -= n + 1;
			if (*msg && cJSON_IsObject(*msg))
				return 0;
			cJSON_Delete(*msg);
			fprintf(stderr, "petrel: petreld sent something that is not a JSON object\n");
			return -1;
		}
		if (c->len == CLI_LINE_MAX) {
			fprintf(stderr, "petrel: a line from petreld is longer than %u bytes\n", CLI_LINE_MAX);
			return -1;
		}
		ssize_t r = recv(c->fd, c->buf + c->len, CLI_LINE_MAX - c->len, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			fprintf(stderr, "petrel: petreld closed the connection\n");
			return -1;
		}
		c->len += (size_t)r;
	}
}

int cli_print_error(const cJSON *error, const char *what)
{
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(error, "code");
	const char *msg = fmt_str(error, "message", "unknown error");
	int n = cJSON_IsNumber(code) ? code->valueint : 0;

	fprintf(stderr, "petrel: %s%s%s\n", what ? what : "", what ? ": " : "", msg);
	if (n == PETREL_E_PERMISSION_DENIED)
		return CLI_EXIT_DENIED;
	if (n == PETREL_E_METHOD_NOT_FOUND || n == PETREL_E_INVALID_PARAMS)
		return CLI_EXIT_USAGE;
	return CLI_EXIT_FAIL;
}

int cli_error_code(const cJSON *error)
{
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(error, "code");
	return cJSON_IsNumber(code) ? code->valueint : 0;
}

const cJSON *cli_call(struct cli_conn *c, const char *method, cJSON *params, cJSON **resp,
		      const cJSON **error, cli_note_fn on_note, void *arg)
{
	long id = cli_send(c, method, params);

	*resp = NULL;
	*error = NULL;
	if (id < 0)
		return NULL;
	for (;;) {
		cJSON *m = NULL;
		if (cli_read(c, &m) != 0)
			return NULL;
		const cJSON *mid = cJSON_GetObjectItemCaseSensitive(m, "id");
		if (!mid) {
			if (on_note)
				on_note(arg, m);
			cJSON_Delete(m);
			continue;
		}
		const cJSON *err = cJSON_GetObjectItemCaseSensitive(m, "error");
		/* An error with id null: petreld could not read our request. */
		int ours = cJSON_IsNull(mid) || (cJSON_IsNumber(mid) && mid->valuedouble == (double)id);
		if (!ours) {
			cJSON_Delete(m);
			continue;
		}
		*resp = m;
		if (err) {
			*error = err;
			return NULL;
		}
		const cJSON *res = cJSON_GetObjectItemCaseSensitive(m, "result");
		if (!res) {
			fprintf(stderr, "petrel: petreld's response has no result\n");
			return NULL;
		}
		return res;
	}
}

const cJSON *cli_call_simple(struct cli_conn *c, const char *method, cJSON *params,
			     cJSON **resp, int *exit_code)
{
	const cJSON *err = NULL;
	const cJSON *res = cli_call(c, method, params, resp, &err, NULL, NULL);

	*exit_code = res ? CLI_EXIT_OK : err ? cli_print_error(err, NULL) : CLI_EXIT_FAIL;
	return res;
}
