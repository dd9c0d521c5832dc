/* petreld: the petrel daemon (PRODUCT.md "Parts"). Runs as root; owns the
 * TUN, routes, DNS, sockets and keys; speaks to `petrel` and desktop trays
 * only through the control socket.
 *
 *   petreld [--config DIR] [--socket PATH] [--group NAME] [--state-dir DIR]
 *           [--log-level LEVEL]
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <uv.h>

#include "base/log.h"
#include "daemon/daemon.h"

static uv_signal_t sig_int, sig_term;
static struct daemon *g_daemon;

static void closed(void *arg)
{
	uv_close((uv_handle_t *)&sig_int, NULL);
	uv_close((uv_handle_t *)&sig_term, NULL);
}

static void on_signal(uv_signal_t *h, int signum)
{
	log_info("petreld", "signal %d: taking every tunnel down", signum);
	daemon_shutdown(g_daemon, closed, NULL);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: petreld [--config DIR] [--socket PATH] [--group NAME] [--state-dir DIR]\n"
		   "               [--log-level err|warn|info|debug]\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' }, { "socket", required_argument, NULL, 's' },
		{ "group", required_argument, NULL, 'g' }, { "log-level", required_argument, NULL, 'l' },
		{ "state-dir", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	struct daemon_opts o = { .config_dir = "/etc/petrel" };
	enum pt_log_level lvl = PT_LOG_INFO;
	int c;

	while ((c = getopt_long(argc, argv, "c:s:g:l:S:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': o.config_dir = optarg; break;
		case 's': o.socket_path = optarg; break;
		case 'g': o.group = optarg; break;
		case 'S': o.state_dir = optarg; break;
		case 'l':
			if (pt_log_level_parse(optarg, &lvl)) {
				fprintf(stderr, "petreld: --log-level: err, warn, info or debug\n");
				return 2;
			}
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	pt_log_set_level(lvl);
	signal(SIGPIPE, SIG_IGN);
	umask(077);
	uv_loop_t *loop = uv_default_loop();
	if (daemon_new(loop, &o, &g_daemon))
		return 1;
	uv_signal_init(loop, &sig_int);
	uv_signal_init(loop, &sig_term);
	uv_signal_start(&sig_int, on_signal, SIGINT);
	uv_signal_start(&sig_term, on_signal, SIGTERM);
	uv_run(loop, UV_RUN_DEFAULT);
	daemon_free(g_daemon);
	uv_loop_close(loop);
	return 0;
}
