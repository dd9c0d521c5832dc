/* Internal to src/conf: a loaded YAML document and the helpers that read its
 * nodes with a diagnostic (file:line:col) for every mistake. */
#ifndef PETREL_CONF_INT_H
#define PETREL_CONF_INT_H

#include <yaml.h>

#include "conf/conf.h"

struct ld {
	const char *file;
	yaml_document_t *doc;
	struct conf_diags *d;
	unsigned errors;
};

void ld_diag(struct ld *l, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void ld_diag_at(struct conf_diags *d, const char *file, unsigned line, unsigned col,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));

yaml_node_t *ld_node(struct ld *l, int id);
/* The scalar's text, or NULL after a diag naming `what`. */
const char *ld_scalar(struct ld *l, const yaml_node_t *n, const char *what);
int ld_string(struct ld *l, const yaml_node_t *n, const char *what, char *out, size_t out_len);
int ld_bool(struct ld *l, const yaml_node_t *n, const char *what, int *out);
int ld_uint(struct ld *l, const yaml_node_t *n, const char *what, unsigned long min,
	    unsigned long max, unsigned long *out);
/* Match the scalar against NULL-terminated names; the index, or -1 after a
 * diag that lists the allowed values. */
int ld_enum(struct ld *l, const yaml_node_t *n, const char *what, const char *const *names);
int ld_is_map(struct ld *l, const yaml_node_t *n, const char *what);
int ld_is_seq(struct ld *l, const yaml_node_t *n, const char *what);

/* Mapping walk with known keys: calls fn(ctx, key index, value node) for each
 * pair; unknown keys and duplicates get a diag. */
typedef void (*ld_key_fn)(struct ld *l, void *ctx, int key, const char *name,
			  yaml_node_t *val);
void ld_map_walk(struct ld *l, yaml_node_t *map, const char *what,
		 const char *const *keys, ld_key_fn fn, void *ctx);

/* Addresses: "192.0.2.1", "2001:db8::1", with "/len" when allow_prefix. */
int ld_addr(struct ld *l, const yaml_node_t *n, const char *what, int allow_prefix,
	    struct conf_addr *out);

/* Parse buf as one YAML document (size, aliases, depth and a second
 * document refused with diagnostics) and hand its root to fn. 0, the value
 * of fn, or -EINVAL when any diagnostic was written. */
int ld_parse(const char *name, const char *buf, size_t len, struct conf_diags *d,
	     int (*fn)(struct ld *l, yaml_node_t *root, void *arg), void *arg);
/* A whole configuration file (regular, no symlink, at most PT_YAML_MAX_LEN)
 * into a new buffer for the caller to free. */
int ld_read_file(const char *path, struct conf_diags *d, char **buf, size_t *len);

int conf_profile_parse(struct ld *l, const char *name, yaml_node_t *key, yaml_node_t *val,
		       struct conf_profile *p);
int conf_codepoints_parse(struct ld *l, yaml_node_t *val, struct conf_codepoints *cp);

#endif
