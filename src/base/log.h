/* Logging with levels and a pluggable sink. One line per decision, with SPIs
 * and the peer; never key material (STYLE.md "Errors, names, comments"). */
#ifndef PETREL_BASE_LOG_H
#define PETREL_BASE_LOG_H

enum pt_log_level {
	PT_LOG_ERR = 0,
	PT_LOG_WARN = 1,
	PT_LOG_INFO = 2,
	PT_LOG_DEBUG = 3,
};

/* A sink receives one formatted line (no trailing newline). */
typedef void (*pt_log_sink_fn)(void *ctx, enum pt_log_level level,
			       const char *subsys, const char *line);

/* Default sink: stderr, "LEVEL subsys: line". */
void pt_log_set_sink(pt_log_sink_fn fn, void *ctx);
void pt_log_set_level(enum pt_log_level level);
enum pt_log_level pt_log_get_level(void);
int pt_log_enabled(enum pt_log_level level);
const char *pt_log_level_name(enum pt_log_level level);
/* "err", "warn", "info", "debug" -> level; -EINVAL for anything else. */
int pt_log_level_parse(const char *name, enum pt_log_level *out);

void pt_log(enum pt_log_level level, const char *subsys, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define log_err(sub, ...) pt_log(PT_LOG_ERR, sub, __VA_ARGS__)
#define log_warn(sub, ...) pt_log(PT_LOG_WARN, sub, __VA_ARGS__)
#define log_info(sub, ...) pt_log(PT_LOG_INFO, sub, __VA_ARGS__)
#define log_debug(sub, ...) \
	do { if (pt_log_enabled(PT_LOG_DEBUG)) pt_log(PT_LOG_DEBUG, sub, __VA_ARGS__); } while (0)

#endif
