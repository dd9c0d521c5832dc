/* Reading YAML nodes with a diagnostic for every mistake. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/conf_int.h"

void ld_diag_at(struct conf_diags *d, const char *file, unsigned line, unsigned col,
		const char *fmt, ...)
{
	va_list ap;

	if (d->n >= PT_CONF_DIAGS_MAX) {
		d->dropped++;
		return;
	}
	struct conf_diag *dg = &d->items[d->n++];
	snprintf(dg->file, sizeof(dg->file), "%s", file);
	dg->line = line;
	dg->col = col;
	va_start(ap, fmt);
	vsnprintf(dg->msg, sizeof(dg->msg), fmt, ap);
	va_end(ap);
}

void ld_diag(struct ld *l, const yaml_node_t *n, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	l->errors++;
	ld_diag_at(l->d, l->file, n ? (unsigned)n->start_mark.line + 1 : 0,
		   n ? (unsigned)n->start_mark.column + 1 : 0, "%s", msg);
}

yaml_node_t *ld_node(struct ld *l, int id)
{
	return yaml_document_get_node(l->doc, id);
}

static const char *kind_name(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SCALAR_NODE: return "a value";
	case YAML_SEQUENCE_NODE: return "a list";
	case YAML_MAPPING_NODE: return "a map";
	default: return "nothing";
	}
}

const char *ld_scalar(struct ld *l, const yaml_node_t *n, const char *what)
{
	if (n->type != YAML_SCALAR_NODE) {
		ld_diag(l, n, "%s must be a value, not %s", what, kind_name(n));
		return NULL;
	}
	const char *s = (const char *)n->data.scalar.value;
	if (strlen(s) != n->data.scalar.length) {
		ld_diag(l, n, "%s contains a NUL byte", what);
		return NULL;
	}
	return s;
}

int ld_string(struct ld *l, const yaml_node_t *n, const char *what, char *out, size_t out_len)
{
	const char *s = ld_scalar(l, n, what);
	if (!s)
		return -EINVAL;
	if (*s == '\0') {
		ld_diag(l, n, "%s must not be empty", what);
		return -EINVAL;
	}
	if (strlen(s) >= out_len) {
		ld_diag(l, n, "%s is longer than %zu characters", what, out_len - 1);
		return -EINVAL;
	}
	for (const char *c = s; *c; c++) {
		if ((unsigned char)*c < 0x20 || *c == 0x7f) {
			ld_diag(l, n, "%s contains a control character", what);
			return -EINVAL;
		}
	}
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

int ld_enum(struct ld *l, const yaml_node_t *n, const char *what, const char *const *names)
{
	const char *s = ld_scalar(l, n, what);
	char allowed[200] = "";
	size_t used = 0;

	if (!s)
		return -1;
	for (int i = 0; names[i]; i++) {
		if (strcmp(s, names[i]) == 0)
			return i;
		int w = snprintf(allowed + used, sizeof(allowed) - used, "%s%s", i ? ", " : "", names[i]);
		if (w > 0 && (size_t)w < sizeof(allowed) - used)
			used += (size_t)w;
	}
	ld_diag(l, n, "%s: unknown value '%.60s' (expected one of: %s)", what, s, allowed);
	return -1;
}

int ld_bool(struct ld *l, const yaml_node_t *n, const char *what, int *out)
{
	static const char *const names[] = { "false", "true", "no", "yes", "off", "on", NULL };
	int i = ld_enum(l, n, what, names);
	if (i < 0)
		return -EINVAL;
	*out = i & 1;
	return 0;
}

int ld_uint(struct ld *l, const yaml_node_t *n, const char *what, unsigned long min,
	    unsigned long max, unsigned long *out)
{
	const char *s = ld_scalar(l, n, what);
	char *end;

	if (!s)
		return -EINVAL;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || errno) {
		ld_diag(l, n, "%s must be a whole number, not '%.40s'", what, s);
		return -EINVAL;
	}
	if (v < min || v > max) {
		ld_diag(l, n, "%s must be between %lu and %lu, not %lu", what, min, max, v);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

int ld_is_map(struct ld *l, const yaml_node_t *n, const char *what)
{
	if (n->type == YAML_MAPPING_NODE)
		return 1;
	ld_diag(l, n, "%s must be a map (key: value), not %s", what, kind_name(n));
	return 0;
}

int ld_is_seq(struct ld *l, const yaml_node_t *n, const char *what)
{
	if (n->type == YAML_SEQUENCE_NODE)
		return 1;
	ld_diag(l, n, "%s must be a list, not %s", what, kind_name(n));
	return 0;
}

void ld_map_walk(struct ld *l, yaml_node_t *map, const char *what,
		 const char *const *keys, ld_key_fn fn, void *ctx)
{
	uint64_t seen = 0;

	if (!ld_is_map(l, map, what))
		return;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = ld_node(l, p->key), *v = ld_node(l, p->value);
		if (!k || !v)
			continue;
		const char *name = ld_scalar(l, k, "a key");
		if (!name)
			continue;
		int i;
		for (i = 0; keys[i]; i++)
			if (strcmp(name, keys[i]) == 0)
				break;
		if (!keys[i]) {
			ld_diag(l, k, "%s: unknown key '%.60s'", what, name);
			continue;
		}
		if (seen & (1ull << i)) {
			ld_diag(l, k, "%s: '%s' is given twice", what, name);
			continue;
		}
		seen |= 1ull << i;
		fn(l, ctx, i, name, v);
	}
}

int ld_addr(struct ld *l, const yaml_node_t *n, const char *what, int allow_prefix,
	    struct conf_addr *out)
{
	const char *s = ld_scalar(l, n, what);
	char host[64];
	unsigned long plen = 0;
	int has_len = 0;

	if (!s)
		return -EINVAL;
	const char *slash = strchr(s, '/');
	size_t hl = slash ? (size_t)(slash - s) : strlen(s);
	if (hl == 0 || hl >= sizeof(host))
		goto bad;
	memcpy(host, s, hl);
	host[hl] = '\0';
	if (slash) {
		char *end;
		if (!allow_prefix) {
			ld_diag(l, n, "%s must be an address without a prefix length, not '%.60s'", what, s);
			return -EINVAL;
		}
		if (slash[1] < '0' || slash[1] > '9')
			goto bad;
		errno = 0;
		plen = strtoul(slash + 1, &end, 10);
		if (*end || errno)
			goto bad;
		has_len = 1;
	}
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, host, out->addr) == 1) {
		out->family = AF_INET;
		if (!has_len)
			plen = 32;
		if (plen > 32)
			goto bad_len;
	} else if (inet_pton(AF_INET6, host, out->addr) == 1) {
		out->family = AF_INET6;
		if (!has_len)
			plen = 128;
		if (plen > 128)
			goto bad_len;
	} else {
		goto bad;
	}
	out->prefix_len = (uint8_t)plen;
	return 0;
bad_len:
	ld_diag(l, n, "%s: prefix length /%lu is too long for '%.60s'", what, plen, host);
	return -EINVAL;
bad:
	ld_diag(l, n, "%s: '%.60s' is not an IPv4 or IPv6 %s", what, s,
		allow_prefix ? "prefix" : "address");
	return -EINVAL;
}

/* Depth and sharing: aliases make one node reachable twice (or from itself),
 * which a configuration never needs; refuse them instead of walking them. */
static int check_tree(struct ld *l, int id, unsigned depth, uint8_t *seen, size_t n_nodes)
{
	yaml_node_t *n = ld_node(l, id);
	if (!n || id < 1 || (size_t)(id - 1) >= n_nodes)
		return -EINVAL;
	if (seen[id - 1]) {
		ld_diag(l, n, "aliases (*name) are not supported in petrel configuration");
		return -EINVAL;
	}
	seen[id - 1] = 1;
	if (depth > PT_YAML_DEPTH_MAX) {
		ld_diag(l, n, "nested deeper than %u levels", PT_YAML_DEPTH_MAX);
		return -EINVAL;
	}
	if (n->type == YAML_SEQUENCE_NODE) {
		for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++)
			if (check_tree(l, *it, depth + 1, seen, n_nodes))
				return -EINVAL;
	} else if (n->type == YAML_MAPPING_NODE) {
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++)
			if (check_tree(l, p->key, depth + 1, seen, n_nodes) ||
			    check_tree(l, p->value, depth + 1, seen, n_nodes))
				return -EINVAL;
	}
	return 0;
}

int ld_parse(const char *name, const char *buf, size_t len, struct conf_diags *d,
	     int (*fn)(struct ld *l, yaml_node_t *root, void *arg), void *arg)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	struct ld l = { .file = name, .doc = &doc, .d = d };
	int rc = -EINVAL;

	if (len > PT_YAML_MAX_LEN) {
		ld_diag_at(d, name, 0, 0, "larger than %u bytes", PT_YAML_MAX_LEN);
		return -EINVAL;
	}
	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		ld_diag_at(d, name, (unsigned)parser.problem_mark.line + 1,
			   (unsigned)parser.problem_mark.column + 1, "YAML syntax: %s%s%s",
			   parser.problem ? parser.problem : "unreadable",
			   parser.context ? " " : "", parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		return -EINVAL;
	}
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (!root) {
		ld_diag_at(d, name, 0, 0, "the file is empty");
		goto out;
	}
	size_t n_nodes = (size_t)(doc.nodes.top - doc.nodes.start);
	uint8_t *seen = calloc(n_nodes ? n_nodes : 1, 1);
	if (!seen) {
		rc = -ENOMEM;
		goto out;
	}
	rc = 0;
	if (check_tree(&l, 1, 0, seen, n_nodes) == 0) {
		yaml_document_t next;
		if (yaml_parser_load(&parser, &next)) {
			yaml_node_t *r2 = yaml_document_get_root_node(&next);
			if (r2)
				ld_diag(&l, r2, "only one YAML document per file");
			yaml_document_delete(&next);
		}
		if (!l.errors)
			rc = fn(&l, root, arg);
	}
	free(seen);
	if (l.errors)
		rc = -EINVAL;
out:
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return rc;
}

int ld_read_file(const char *path, struct conf_diags *d, char **out, size_t *out_len)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	int rc;

	if (fd < 0) {
		rc = -errno;
		ld_diag_at(d, path, 0, 0, "cannot open: %s", strerror(-rc));
		return rc;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		ld_diag_at(d, path, 0, 0, "not a regular file");
		return -EINVAL;
	}
	if ((unsigned long long)st.st_size > PT_YAML_MAX_LEN) {
		close(fd);
		ld_diag_at(d, path, 0, 0, "larger than %u bytes", PT_YAML_MAX_LEN);
		return -EINVAL;
	}
	char *buf = malloc((size_t)st.st_size + 1);
	size_t got = 0;
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r <= 0) {
			if (r < 0 && errno == EINTR)
				continue;
			break;
		}
		got += (size_t)r;
	}
	close(fd);
	*out = buf;
	*out_len = got;
	return 0;
}
