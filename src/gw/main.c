/* petrel-gw --config FILE [--log-level LEVEL]: the IKE responder. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "base/log.h"
#include "conf/conf.h"
#include "gw/gw.h"

static struct gw *the_gw;
static uv_signal_t sig_int, sig_term, sig_usr1;

static void usage(FILE *f)
{
	fprintf(f, "usage: petrel-gw --config FILE [--log-level err|warn|info|debug]\n");
}

static void on_signal(uv_signal_t *h, int signum)
{
	static int seen;
	/* The handlers stay installed (unref'd, so they do not keep the loop
	 * alive): a second signal, e.g. timeout(1) signalling its whole process
	 * group, must not kill us in the middle of the deletes. */
	if (seen++) {
		log_info("gw", "signal %s: already shutting down", signum == SIGINT ? "SIGINT" : "SIGTERM");
		return;
	}
	log_info("gw", "signal %s: deleting every IKE SA, then exiting", signum == SIGINT ? "SIGINT" : "SIGTERM");
	gw_shutdown(the_gw);
}

static void on_usr1(uv_signal_t *h, int signum)
{
	(void)h;
	(void)signum;
	gw_log_stats(the_gw);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = NULL, *level = NULL;
	enum pt_log_level lvl;
	struct conf_gw conf;
	struct conf_diags diags;
	int c, rc;

	while ((c = getopt_long(argc, argv, "c:l:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'l': level = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!config || optind != argc) {
		usage(stderr);
		return 2;
	}
	if (level && pt_log_level_parse(level, &lvl)) {
		fprintf(stderr, "petrel-gw: --log-level '%s': expected err, warn, info or debug\n", level);
		return 2;
	}
	memset(&diags, 0, sizeof(diags));
	if (conf_gw_load_file(&conf, config, &diags)) {
		char line[1500];
		for (unsigned i = 0; i < diags.n; i++) {
			conf_diag_format(&diags.items[i], line, sizeof(line));
			fprintf(stderr, "petrel-gw: %s\n", line);
		}
		if (diags.dropped)
			fprintf(stderr, "petrel-gw: (%u more errors)\n", diags.dropped);
		return 1;
	}
	if (level)
		pt_log_set_level(lvl);
	else if (conf.log_level >= 0)
		pt_log_set_level((enum pt_log_level)conf.log_level);
	else
		pt_log_set_level(PT_LOG_INFO);
	/* A peer that stops reading must not kill us with SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);

	uv_loop_t *loop = uv_default_loop();
	if ((rc = gw_new(loop, &conf, &the_gw))) {
		fprintf(stderr, "petrel-gw: not started (%s)\n", uv_strerror(rc));
		uv_run(loop, UV_RUN_NOWAIT); /* let half-made handles close */
		uv_loop_close(loop);
		return 1;
	}
	uv_signal_init(loop, &sig_int);
	uv_signal_init(loop, &sig_term);
	uv_signal_init(loop, &sig_usr1);
	uv_signal_start(&sig_int, on_signal, SIGINT);
	uv_signal_start(&sig_term, on_signal, SIGTERM);
	uv_signal_start(&sig_usr1, on_usr1, SIGUSR1);
	uv_unref((uv_handle_t *)&sig_int);
	uv_unref((uv_handle_t *)&sig_term);
	uv_unref((uv_handle_t *)&sig_usr1);
	uv_run(loop, UV_RUN_DEFAULT);
	/* Done: further signals (timeout(1) repeats them to its process group)
	 * stay pending instead of killing us on the way out once libuv gives
	 * the default action back. */
	sigset_t block;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, NULL);
	uv_close((uv_handle_t *)&sig_int, NULL);
	uv_close((uv_handle_t *)&sig_term, NULL);
	uv_close((uv_handle_t *)&sig_usr1, NULL);
	uv_run(loop, UV_RUN_NOWAIT);
	gw_free(the_gw);
	rc = uv_loop_close(loop);
	if (rc)
		log_warn("gw", "loop closed with handles left: %s", uv_strerror(rc));
	return 0;
}
