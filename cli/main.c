/* petrel: the command line client of petreld (man/petrel.1).
 *   petrel [--socket PATH] [--json] COMMAND [ARGS]
 * Human output by default; --json prints petreld's JSON result. Every
 * command but `check` talks to petreld over the control socket only. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/limits.h"
#include "cli.h"
#include "conf/conf.h"

#ifndef PETREL_VERSION_STRING
#define PETREL_VERSION_STRING "0.0.0"
#endif
#define CONF_DIR "/etc/petrel"
#define ARGS_MAX 8

struct opts {
	const char *socket;
	int json;
	int help;
	int no_wait;
	const char *cmd;
	const char *args[ARGS_MAX];
	int n_args;
};

struct command {
	const char *name;
	const char *synopsis;
	const char *help;
	int min_args, max_args;
	int wait_opt; /* accepts --no-wait */
	int (*run)(const struct opts *o);
};

static const struct command *find_command(const char *name);

static void print_usage(FILE *f)
{
	fprintf(f,
		"usage: petrel [--socket PATH] [--json] COMMAND [ARGS]\n"
		"\n"
		"commands:\n"
		"  up PROFILE        connect a profile and wait until it is up\n"
		"  down [PROFILE]    disconnect a profile (all when none is named)\n"
		"  status            show every profile's state\n"
		"  profiles          list the configured profiles (alias: list)\n"
		"  events            follow petreld's events, one line each\n"
		"  check [FILE...]   validate configuration files (default %s)\n"
		"  version           show the versions of petrel and petreld\n"
		"\n"
		"options:\n"
		"  --socket PATH     petreld's control socket (default $%s, then %s)\n"
		"  --json            print JSON instead of text\n"
		"  -h, --help        help for petrel or for a command\n",
		CONF_DIR, PETREL_CTL_SOCKET_ENV, PETREL_CTL_SOCKET_PATH);
}

static int usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "petrel: %s%s%s%s\n", what, arg ? " '" : "", arg ? arg : "", arg ? "'" : "");
	print_usage(stderr);
	return CLI_EXIT_USAGE;
}

static const char *socket_path(const struct opts *o)
{
	const char *env = getenv(PETREL_CTL_SOCKET_ENV);
	return o->socket ? o->socket : env && *env ? env : PETREL_CTL_SOCKET_PATH;
}

static void print_json(const cJSON *v)
{
	char *s = cJSON_PrintUnformatted(v);
	if (s) {
		printf("%s\n", s);
		free(s);
	}
}

/* ---- status, profiles, version ------------------------------------------------ */

static int run_query(const struct opts *o, const char *method,
		     void (*human)(FILE *f, const cJSON *res))
{
	struct cli_conn c;
	cJSON *resp;
	int rc = cli_connect(&c, socket_path(o));

	if (rc)
		return rc;
	const cJSON *res = cli_call_simple(&c, method, NULL, &resp, &rc);
	if (res) {
		if (o->json)
			print_json(res);
		else
			human(stdout, res);
	}
	cJSON_Delete(resp);
	cli_disconnect(&c);
	return rc;
}

static int run_status(const struct opts *o) { return run_query(o, "status", fmt_status); }
static int run_profiles(const struct opts *o) { return run_query(o, "profiles", fmt_profiles); }

static int run_version(const struct opts *o)
{
	struct cli_conn c;
	cJSON *resp = NULL;
	const cJSON *res = NULL, *err = NULL;
	const char *path = socket_path(o);
	int rc;

	/* petreld's version is extra: without it, say so and still succeed. */
	rc = cli_connect_quiet(&c, path, 1);
	if (rc == 0)
		res = cli_call(&c, "version", NULL, &resp, &err, NULL, NULL);
	if (o->json) {
		cJSON *out = cJSON_CreateObject();
		cJSON_AddStringToObject(out, "petrel", PETREL_VERSION_STRING);
		cJSON_AddNumberToObject(out, "protocol", PETREL_CTL_PROTOCOL_VERSION);
		cJSON_AddItemToObject(out, "petreld", res ? cJSON_Duplicate(res, 1) : cJSON_CreateNull());
		print_json(out);
		cJSON_Delete(out);
	} else {
		printf("petrel %s (control protocol %d)\n", PETREL_VERSION_STRING,
		       PETREL_CTL_PROTOCOL_VERSION);
		if (res)
			printf("petreld %s (control protocol %.0f)\n", fmt_str(res, "version", "?"),
			       cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(res, "protocol")));
		else if (rc == CLI_EXIT_NO_DAEMON)
			printf("petreld is not running (no socket at %s)\n", path);
		else
			printf("petreld: unknown (%s)\n", err ? fmt_str(err, "message", "?") : "no answer");
	}
	cJSON_Delete(resp);
	if (rc == 0)
		cli_disconnect(&c);
	return CLI_EXIT_OK;
}

/* ---- up, down: act, then follow the state until it settles ------------------------ */

#define ANSWERED_MAX 16

struct follow {
	struct cli_conn *c;
	const struct opts *o;
	const char *profile; /* NULL: down for every profile */
	int up;
	int accepted;        /* the request was accepted: states now count */
	int done, exit_code;
	cJSON *last;         /* the latest state event's params */
	uint64_t answered[ANSWERED_MAX];
	unsigned n_answered;
};

static const cJSON *find_profile(const cJSON *state, const char *name)
{
	const cJSON *p;
	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(state, "profiles"))
		if (strcmp(fmt_str(p, "name", ""), name) == 0)
			return p;
	return NULL;
}

static void follow_finish(struct follow *fw, int exit_code)
{
	fw->done = 1;
	fw->exit_code = exit_code;
}

/* Has the state reached what we wait for? */
static void follow_check(struct follow *fw)
{
	if (!fw->accepted || fw->done || !fw->last)
		return;
	if (!fw->profile) { /* down for all: every profile disconnected */
		const cJSON *p;
		cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(fw->last, "profiles"))
			if (strcmp(fmt_str(p, "state", ""), "disconnected") != 0)
				return;
		follow_finish(fw, CLI_EXIT_OK);
		return;
	}
	const cJSON *p = find_profile(fw->last, fw->profile);
	const char *st = p ? fmt_str(p, "state", "") : "";
	if (fw->up && strcmp(st, "connected") == 0)
		follow_finish(fw, CLI_EXIT_OK);
	else if (strcmp(st, "disconnected") == 0) {
		if (fw->up)
			fprintf(stderr, "petrel: %s: connection failed: %s\n", fw->profile,
				fmt_str(p, "error", "no reason given"));
		follow_finish(fw, fw->up ? CLI_EXIT_FAIL : CLI_EXIT_OK);
	}
}

static void answer_attention(struct follow *fw, const cJSON *a)
{
	char value[1024 + 1];
	uint64_t id = (uint64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(a, "id"));

	if (!fw->up || fw->done || !fw->profile || strcmp(fmt_str(a, "status", ""), "pending") != 0 ||
	    strcmp(fmt_str(a, "profile", ""), fw->profile) != 0)
		return;
	for (unsigned i = 0; i < fw->n_answered; i++)
		if (fw->answered[i] == id)
			return;
	if (fw->n_answered < ANSWERED_MAX)
		fw->answered[fw->n_answered++] = id;
	const cJSON *echo = cJSON_GetObjectItemCaseSensitive(a, "echo");
	int rc = tty_prompt(fmt_str(a, "prompt", fmt_str(a, "kind", "value")), cJSON_IsTrue(echo),
			    value, sizeof(value));
	if (rc == -ENXIO) {
		fprintf(stderr,
			"petrel: %s: petreld asks for a %s (\"%s\") and there is no terminal to ask on; "
			"answer it from a desktop client, or run petrel up in a terminal\n",
			fw->profile, fmt_str(a, "kind", "value"), fmt_str(a, "prompt", ""));
		follow_finish(fw, CLI_EXIT_FAIL);
		return;
	}
	if (rc < 0) {
		fprintf(stderr, "petrel: %s: no answer read from the terminal\n", fw->profile);
		follow_finish(fw, CLI_EXIT_FAIL);
		return;
	}
	cJSON *params = cJSON_CreateObject();
	cJSON_AddNumberToObject(params, "id", (double)id);
	cJSON_AddStringToObject(params, "value", value);
	explicit_bzero(value, sizeof(value));
	/* The answer's response is read (and ignored) by the follow loop: if
	 * another client answered first, petreld says no_such_attention. */
	if (cli_send(fw->c, "attention.reply", params) < 0)
		follow_finish(fw, CLI_EXIT_FAIL);
}

static void follow_note(void *arg, const cJSON *note)
{
	struct follow *fw = arg;
	const char *ev = fmt_str(note, "method", "");
	const cJSON *params = cJSON_GetObjectItemCaseSensitive(note, "params");
	const cJSON *a;

	if (strcmp(ev, "state") == 0) {
		cJSON_Delete(fw->last);
		fw->last = cJSON_Duplicate(params, 1);
		cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(params, "attention"))
			answer_attention(fw, a);
		follow_check(fw);
	} else if (strcmp(ev, "attention") == 0) {
		answer_attention(fw, params);
	}
}

static const char *profile_state(const struct follow *fw)
{
	const cJSON *p = fw->profile && fw->last ? find_profile(fw->last, fw->profile) : NULL;
	return p ? fmt_str(p, "state", "") : "";
}

static int under_way(const char *st)
{
	return strcmp(st, "connecting") == 0 || strcmp(st, "reconnecting") == 0;
}

/* Send up or down. 1: accepted, follow the state; 0: finished, *rc set. */
static int request(struct follow *fw, int *rc)
{
	const struct opts *o = fw->o;
	cJSON *resp = NULL, *params = cJSON_CreateObject();
	const cJSON *err = NULL;
	int follow = 0;

	if (fw->profile)
		cJSON_AddStringToObject(params, "profile", fw->profile);
	const cJSON *res = cli_call(fw->c, fw->up ? "up" : "down", params, &resp, &err, follow_note, fw);
	int code = cli_error_code(err);
	if (res && o->no_wait) {
		if (o->json)
			print_json(res);
		else
			printf("%s: %s\n", fmt_str(res, "profile", "all profiles"), fmt_str(res, "state", "?"));
		*rc = CLI_EXIT_OK;
	} else if (res) {
		follow = 1;
		if (fw->profile && strcmp(fmt_str(res, "state", ""), fw->up ? "connected" : "disconnected") == 0)
			follow_finish(fw, CLI_EXIT_OK);
	} else if (!err) {
		*rc = CLI_EXIT_FAIL;
	} else if (fw->up && code == PETREL_E_ALREADY_CONNECTED && !o->no_wait &&
		   under_way(profile_state(fw))) {
		follow = 1; /* started by someone else meanwhile */
	} else if ((fw->up && code == PETREL_E_ALREADY_CONNECTED) ||
		   (!fw->up && code == PETREL_E_NOT_CONNECTED)) {
		/* Already where the user wants to be. */
		if (o->json)
			print_json(err);
		else
			printf("%s\n", fmt_str(err, "message", ""));
		*rc = CLI_EXIT_OK;
	} else {
		*rc = cli_print_error(err, NULL);
	}
	cJSON_Delete(resp);
	return follow;
}

static int run_up_down(const struct opts *o, int up)
{
	struct cli_conn c;
	struct follow fw = { .o = o, .up = up, .profile = o->n_args ? o->args[0] : NULL };
	cJSON *resp = NULL;
	const cJSON *err = NULL;
	int follow, rc = cli_connect(&c, socket_path(o));

	if (rc)
		return rc;
	fw.c = &c;
	if (!o->no_wait) {
		/* Subscribe first: no state change and no attention request
		 * can slip between the request and the subscription. */
		if (!cli_call(&c, "subscribe", NULL, &resp, &err, follow_note, &fw)) {
			rc = err ? cli_print_error(err, NULL) : CLI_EXIT_FAIL;
			goto out;
		}
		/* The complete state follows the response at once; a pending
		 * attention request for the profile is answered from it. */
		while (!fw.last && !fw.done) {
			cJSON *m = NULL;
			if (cli_read(&c, &m) != 0) {
				follow_finish(&fw, CLI_EXIT_FAIL);
				break;
			}
			follow_note(&fw, m);
			cJSON_Delete(m);
		}
		if (fw.done) {
			rc = fw.exit_code;
			goto out;
		}
	}
	if (!o->no_wait && up && under_way(profile_state(&fw)))
		follow = 1; /* already under way (perhaps waiting for us): follow it */
	else
		follow = request(&fw, &rc);
	if (!follow)
		goto out;
	fw.accepted = 1;
	follow_check(&fw);
	while (!fw.done) {
		cJSON *m = NULL;
		if (cli_read(&c, &m) != 0) {
			follow_finish(&fw, CLI_EXIT_FAIL);
			break;
		}
		if (!cJSON_GetObjectItemCaseSensitive(m, "id"))
			follow_note(&fw, m);
		cJSON_Delete(m);
	}
	rc = fw.exit_code;
	if (rc == CLI_EXIT_OK) {
		const cJSON *p = fw.profile && fw.last ? find_profile(fw.last, fw.profile) : NULL;
		if (o->json && (p || fw.last))
			print_json(p ? p : fw.last);
		else if (p && up)
			fmt_profile_status(stdout, p);
		else
			printf("%s: disconnected\n", fw.profile ? fw.profile : "all profiles");
	}
out:
	cJSON_Delete(resp);
	cJSON_Delete(fw.last);
	cli_disconnect(&c);
	return rc;
}

static int run_up(const struct opts *o) { return run_up_down(o, 1); }
static int run_down(const struct opts *o) { return run_up_down(o, 0); }

/* ---- events --------------------------------------------------------------------- */

static void print_event(void *arg, const cJSON *note)
{
	const int *json = arg;
	if (*json)
		print_json(note);
	else
		fmt_event(stdout, note);
	fflush(stdout);
}

static int run_events(const struct opts *o)
{
	struct cli_conn c;
	cJSON *resp = NULL;
	const cJSON *err = NULL;
	int json = o->json;
	int rc = cli_connect(&c, socket_path(o));

	if (rc)
		return rc;
	if (!cli_call(&c, "subscribe", NULL, &resp, &err, print_event, &json)) {
		rc = err ? cli_print_error(err, NULL) : CLI_EXIT_FAIL;
	} else {
		cJSON_Delete(resp);
		resp = NULL;
		for (;;) {
			cJSON *m = NULL;
			if (cli_read(&c, &m) != 0)
				break;
			if (!cJSON_GetObjectItemCaseSensitive(m, "id"))
				print_event(&json, m);
			cJSON_Delete(m);
		}
		rc = CLI_EXIT_FAIL; /* petreld went away */
	}
	cJSON_Delete(resp);
	cli_disconnect(&c);
	return rc;
}

/* ---- check (local: src/conf) ---------------------------------------------------------- */

static int check_one(const struct opts *o, const char *path, cJSON *json_out)
{
	struct conf c;
	struct conf_diags *d = calloc(1, sizeof(*d));
	int rc;

	if (!d)
		return -ENOMEM;
	conf_init(&c);
	if (strcmp(path, CONF_DIR) == 0 || (path[0] && path[strlen(path) - 1] == '/'))
		rc = conf_load_dir(&c, path, d);
	else
		rc = conf_load_file(&c, path, d);
	if (o->json) {
		cJSON *r = cJSON_CreateObject();
		cJSON_AddStringToObject(r, "path", path);
		cJSON_AddBoolToObject(r, "valid", d->n == 0 && rc == 0);
		cJSON *ps = cJSON_AddArrayToObject(r, "profiles");
		for (unsigned i = 0; i < c.n_profiles; i++)
			cJSON_AddItemToArray(ps, cJSON_CreateString(c.profiles[i].name));
		cJSON *es = cJSON_AddArrayToObject(r, "errors");
		for (unsigned i = 0; i < d->n; i++) {
			cJSON *e = cJSON_CreateObject();
			cJSON_AddStringToObject(e, "file", d->items[i].file);
			cJSON_AddNumberToObject(e, "line", d->items[i].line);
			cJSON_AddNumberToObject(e, "col", d->items[i].col);
			cJSON_AddStringToObject(e, "message", d->items[i].msg);
			cJSON_AddItemToArray(es, e);
		}
		cJSON_AddNumberToObject(r, "dropped", d->dropped);
		cJSON_AddItemToArray(json_out, r);
	} else {
		for (unsigned i = 0; i < d->n; i++) {
			char line[CONF_PATH_MAX + 300];
			conf_diag_format(&d->items[i], line, sizeof(line));
			printf("%s\n", line);
		}
		if (d->dropped)
			printf("%s: %u more errors not shown\n", path, d->dropped);
		if (d->n == 0 && rc == 0) {
			printf("%s: ok, %u profile%s", path, c.n_profiles, c.n_profiles == 1 ? "" : "s");
			for (unsigned i = 0; i < c.n_profiles; i++)
				printf("%s%s", i ? ", " : " (", c.profiles[i].name);
			printf("%s\n", c.n_profiles ? ")" : "");
		}
	}
	int bad = d->n != 0 || rc != 0;
	conf_free(&c);
	free(d);
	return bad;
}

static int run_check(const struct opts *o)
{
	cJSON *all = o->json ? cJSON_CreateArray() : NULL;
	int bad = 0;

	if (o->n_args == 0)
		bad |= check_one(o, CONF_DIR, all);
	for (int i = 0; i < o->n_args; i++)
		bad |= check_one(o, o->args[i], all);
	if (all) {
		print_json(all);
		cJSON_Delete(all);
	}
	return bad ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

/* ---- commands and arguments -------------------------------------------------------------- */

static const struct command commands[] = {
	{ "up", "petrel up [--no-wait] [--json] PROFILE",
	  "Connect PROFILE and wait until it is connected or has failed. When petreld\n"
	  "needs a password, OTP or PIN, petrel asks on the terminal (without echo).\n"
	  "--no-wait returns once petreld has accepted the request.\n",
	  1, 1, 1, run_up },
	{ "down", "petrel down [--no-wait] [--json] [PROFILE]",
	  "Disconnect PROFILE, or every profile when none is named, and wait until\n"
	  "it is disconnected.\n",
	  0, 1, 1, run_down },
	{ "status", "petrel status [--json]",
	  "Show each profile: state, gateway, since when, virtual IPs, where IKE and\n"
	  "ESP run, traffic, last handshake, and pending attention requests.\n",
	  0, 0, 0, run_status },
	{ "profiles", "petrel profiles [--json]", "List the profiles petreld has loaded.\n", 0, 0, 0,
	  run_profiles },
	{ "list", "petrel list [--json]", "Same as petrel profiles.\n", 0, 0, 0, run_profiles },
	{ "events", "petrel events [--json]",
	  "Follow petreld's events: first the complete state, then one line per\n"
	  "event (state, path, stats, log, attention) until petreld stops.\n",
	  0, 0, 0, run_events },
	{ "check", "petrel check [--json] [FILE|DIR/...]",
	  "Validate configuration files locally (petreld is not needed) and print\n"
	  "every error as file:line:col: message. A path ending in / is a\n"
	  "configuration directory (petrel.yaml and profiles.d/). Default: " CONF_DIR ".\n",
	  0, ARGS_MAX, 0, run_check },
	{ "version", "petrel version [--json]", "Show the versions of petrel and of the running petreld.\n",
	  0, 0, 0, run_version },
};

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	int only_args = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!only_args && strcmp(a, "--") == 0) {
			only_args = 1;
		} else if (!only_args && (strcmp(a, "--socket") == 0 || strncmp(a, "--socket=", 9) == 0)) {
			if (a[8] == '=')
				o->socket = a + 9;
			else if (i + 1 < argc)
				o->socket = argv[++i];
			else
				return usage_error("--socket needs a PATH", NULL);
			if (!o->socket[0])
				return usage_error("--socket needs a PATH", NULL);
		} else if (!only_args && strcmp(a, "--json") == 0) {
			o->json = 1;
		} else if (!only_args && (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)) {
			o->help = 1;
		} else if (!only_args && strcmp(a, "--no-wait") == 0) {
			o->no_wait = 1;
		} else if (!only_args && a[0] == '-' && a[1]) {
			return usage_error("unknown option", a);
		} else if (!o->cmd) {
			o->cmd = a;
		} else if (o->n_args < ARGS_MAX) {
			o->args[o->n_args++] = a;
		} else {
			return usage_error("too many arguments", NULL);
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	int rc;

	signal(SIGPIPE, SIG_IGN);
	if ((rc = parse_args(argc, argv, &o)) != 0)
		return rc;
	if (!o.cmd) {
		if (o.help) {
			print_usage(stdout);
			return CLI_EXIT_OK;
		}
		return usage_error("a command is required", NULL);
	}
	const struct command *cmd = find_command(o.cmd);
	if (!cmd)
		return usage_error("unknown command", o.cmd);
	if (o.help) {
		printf("usage: %s\n\n%s", cmd->synopsis, cmd->help);
		return CLI_EXIT_OK;
	}
	if (o.n_args < cmd->min_args || o.n_args > cmd->max_args || (o.no_wait && !cmd->wait_opt)) {
		fprintf(stderr, "petrel %s: %s\nusage: %s\n", cmd->name,
			o.no_wait && !cmd->wait_opt ? "--no-wait is only for up and down" :
			o.n_args < cmd->min_args ? "missing argument" : "too many arguments",
			cmd->synopsis);
		return CLI_EXIT_USAGE;
	}
	if ((cmd->run == run_up || cmd->run == run_down) && o.n_args &&
	    (strlen(o.args[0]) == 0 || strlen(o.args[0]) >= CONF_NAME_MAX)) {
		fprintf(stderr, "petrel %s: a profile name is 1 to %d characters\nusage: %s\n", cmd->name,
			CONF_NAME_MAX - 1, cmd->synopsis);
		return CLI_EXIT_USAGE;
	}
	return cmd->run(&o);
}
