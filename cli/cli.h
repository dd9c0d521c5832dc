/* petrel, the command line client: internals shared by its files. It speaks
 * only the control protocol (docs/control-protocol.md), except `petrel
 * check`, which runs src/conf locally. */
#ifndef PETREL_CLI_H
#define PETREL_CLI_H

#include <stdio.h>

#include <cjson/cJSON.h>

#include "petrel/control.h"

/* Exit codes (man/petrel.1 "EXIT STATUS"). */
enum {
	CLI_EXIT_OK = 0,
	CLI_EXIT_FAIL = 1,       /* petreld said no, the tunnel failed, check found errors */
	CLI_EXIT_USAGE = 2,      /* bad arguments */
	CLI_EXIT_NO_DAEMON = 3,  /* petreld is not running */
	CLI_EXIT_DENIED = 4,     /* not root and not in the petrel group */
};

#define CLI_LINE_MAX (1024u * 1024u) /* one line from petreld */

struct cli_conn {
	int fd;
	const char *path;
	long next_id;
	size_t len;
	char *buf; /* CLI_LINE_MAX */
};

/* 0, or an exit code with the message printed. */
int cli_connect(struct cli_conn *c, const char *path);
int cli_connect_quiet(struct cli_conn *c, const char *path, int quiet);
void cli_disconnect(struct cli_conn *c);
/* Send a request (params consumed, may be NULL); returns its id, or -1. */
long cli_send(struct cli_conn *c, const char *method, cJSON *params);
/* The next message from petreld. 0 with *msg, or -1 (closed or broken,
 * message printed). */
int cli_read(struct cli_conn *c, cJSON **msg);

/* Send a request and wait for its response; notifications that arrive
 * meanwhile go to on_note (may be NULL). Returns the result, or NULL with
 * *error set to the error object (NULL too when the connection broke; the
 * message is printed then). Both point into *resp: cJSON_Delete(*resp). */
typedef void (*cli_note_fn)(void *arg, const cJSON *note);
const cJSON *cli_call(struct cli_conn *c, const char *method, cJSON *params, cJSON **resp,
		      const cJSON **error, cli_note_fn on_note, void *arg);
/* cli_call, printing an error: the result or NULL with *exit_code set. */
const cJSON *cli_call_simple(struct cli_conn *c, const char *method, cJSON *params,
			     cJSON **resp, int *exit_code);
/* The error's petrel code (0 if none). */
int cli_error_code(const cJSON *error);
/* The exit code and message for a JSON-RPC error object. */
int cli_print_error(const cJSON *error, const char *what);

/* fmt.c: human output. */
void fmt_status(FILE *f, const cJSON *state);
void fmt_profile_status(FILE *f, const cJSON *p);
void fmt_profiles(FILE *f, const cJSON *result);
void fmt_event(FILE *f, const cJSON *note);
void fmt_bytes(char *out, size_t out_len, double bytes);
const char *fmt_str(const cJSON *obj, const char *key, const char *dflt);

/* tty.c: read a line from the controlling terminal, without echo unless
 * echo is set. 0, or -ENXIO when there is no terminal, or -errno. */
int tty_prompt(const char *prompt, int echo, char *out, size_t out_len);

#endif
