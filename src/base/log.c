#include "base/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const level_names[] = { "err", "warn", "info", "debug" };

static void stderr_sink(void *ctx, enum pt_log_level level, const char *subsys,
			const char *line)
{
	(void)ctx;
	fprintf(stderr, "%s %s: %s\n", pt_log_level_name(level), subsys, line);
}

static pt_log_sink_fn sink = stderr_sink;
static void *sink_ctx;
static enum pt_log_level max_level = PT_LOG_INFO;

void pt_log_set_sink(pt_log_sink_fn fn, void *ctx)
{
	sink = fn ? fn : stderr_sink;
	sink_ctx = fn ? ctx : NULL;
}

void pt_log_set_level(enum pt_log_level level) { max_level = level; }
enum pt_log_level pt_log_get_level(void) { return max_level; }
int pt_log_enabled(enum pt_log_level level) { return level <= max_level; }

const char *pt_log_level_name(enum pt_log_level level)
{
	if ((unsigned)level < sizeof(level_names) / sizeof(level_names[0]))
		return level_names[level];
	return "?";
}

int pt_log_level_parse(const char *name, enum pt_log_level *out)
{
	for (unsigned i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (strcmp(name, level_names[i]) == 0) {
			*out = (enum pt_log_level)i;
			return 0;
		}
	}
	return -EINVAL;
}

void pt_log(enum pt_log_level level, const char *subsys, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (!pt_log_enabled(level))
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	sink(sink_ctx, level, subsys, line);
}
