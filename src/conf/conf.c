/* Loading configuration files: the YAML document, its top-level shape, and
 * merging profiles into one configuration. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "conf/conf_int.h"

void conf_init(struct conf *c)
{
	memset(c, 0, sizeof(*c));
	c->log_level = -1;
}

void conf_free(struct conf *c)
{
	free(c->profiles);
	conf_init(c);
}

const struct conf_profile *conf_profile_find(const struct conf *c, const char *name)
{
	for (unsigned i = 0; i < c->n_profiles; i++)
		if (strcmp(c->profiles[i].name, name) == 0)
			return &c->profiles[i];
	return NULL;
}

int conf_diag_format(const struct conf_diag *dg, char *out, size_t out_len)
{
	int n = dg->line ? snprintf(out, out_len, "%s:%u:%u: %s", dg->file, dg->line, dg->col, dg->msg)
			 : snprintf(out, out_len, "%s: %s", dg->file, dg->msg);
	return n < 0 || (size_t)n >= out_len ? -ENOBUFS : 0;
}

struct top {
	struct conf *c;
	struct conf_profile *staged;
	unsigned n_staged;
	struct conf_codepoints cp;
	int cp_set;
	int log_level;
};

static void add_profile(struct ld *l, struct top *t, yaml_node_t *k, yaml_node_t *v)
{
	const char *name = ld_scalar(l, k, "a profile name");
	if (!name)
		return;
	if (t->c->n_profiles + t->n_staged >= PT_CONF_PROFILES_MAX) {
		ld_diag(l, k, "more than %u profiles", PT_CONF_PROFILES_MAX);
		return;
	}
	const struct conf_profile *dup = conf_profile_find(t->c, name);
	for (unsigned i = 0; !dup && i < t->n_staged; i++)
		if (strcmp(t->staged[i].name, name) == 0)
			dup = &t->staged[i];
	if (dup) {
		ld_diag(l, k, "profile '%.60s' is already defined at %s:%u", name, dup->file, dup->line);
		return;
	}
	if (conf_profile_parse(l, name, k, v, &t->staged[t->n_staged]) == 0)
		t->n_staged++;
}

static void profiles_walk(struct ld *l, struct top *t, yaml_node_t *map)
{
	if (!ld_is_map(l, map, "profiles"))
		return;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = ld_node(l, p->key), *v = ld_node(l, p->value);
		if (k && v)
			add_profile(l, t, k, v);
	}
}

static const char *const main_keys[] = { "profiles", "codepoints", "log_level", NULL };

static void main_key(struct ld *l, void *ctx, int key, const char *name, yaml_node_t *v)
{
	struct top *t = ctx;
	static const char *const levels[] = { "err", "warn", "info", "debug", NULL };
	int i;

	switch (key) {
	case 0: profiles_walk(l, t, v); break;
	case 1: t->cp_set = conf_codepoints_parse(l, v, &t->cp) == 0; break;
	case 2:
		if ((i = ld_enum(l, v, "log_level", levels)) >= 0)
			t->log_level = i;
		break;
	}
}

static void load_doc(struct ld *l, struct top *t, yaml_node_t *root)
{
	if (root->type != YAML_MAPPING_NODE) {
		ld_diag(l, root, "the file must be a map of profiles (or of 'profiles:', 'codepoints:', 'log_level:')");
		return;
	}
	/* petrel.yaml has 'profiles:'; a profiles.d file maps names to profiles. */
	int is_main = 0;
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *k = ld_node(l, p->key);
		yaml_node_t *v = ld_node(l, p->value);
		/* log_level alone also makes the main file: its value is a
		 * word, where a profile named so would be a map */
		if (k && k->type == YAML_SCALAR_NODE &&
		    (strcmp((const char *)k->data.scalar.value, "profiles") == 0 ||
		     strcmp((const char *)k->data.scalar.value, "codepoints") == 0 ||
		     (strcmp((const char *)k->data.scalar.value, "log_level") == 0 && v &&
		      v->type == YAML_SCALAR_NODE)))
			is_main = 1;
	}
	if (is_main) {
		ld_map_walk(l, root, "top level", main_keys, main_key, t);
		return;
	}
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *k = ld_node(l, p->key), *v = ld_node(l, p->value);
		if (k && v)
			add_profile(l, t, k, v);
	}
}

static int commit(struct conf *c, struct top *t)
{
	if (t->n_staged) {
		struct conf_profile *np = realloc(c->profiles, (c->n_profiles + t->n_staged) * sizeof(*np));
		if (!np)
			return -ENOMEM;
		memcpy(np + c->n_profiles, t->staged, t->n_staged * sizeof(*np));
		c->profiles = np;
		c->n_profiles += t->n_staged;
	}
	if (t->cp_set)
		c->codepoints = t->cp;
	if (t->log_level >= 0)
		c->log_level = t->log_level;
	return 0;
}

static int load_root(struct ld *l, yaml_node_t *root, void *arg)
{
	load_doc(l, arg, root);
	return 0;
}

int conf_load_buf(struct conf *c, const char *name, const char *buf, size_t len,
		  struct conf_diags *d)
{
	struct top t = { .c = c, .log_level = -1 };
	int rc;

	t.staged = calloc(PT_CONF_PROFILES_MAX, sizeof(*t.staged));
	if (!t.staged)
		return -ENOMEM;
	rc = ld_parse(name, buf, len, d, load_root, &t);
	if (!rc)
		rc = commit(c, &t); /* a file with errors adds nothing */
	explicit_bzero(t.staged, PT_CONF_PROFILES_MAX * sizeof(*t.staged));
	free(t.staged);
	return rc;
}

int conf_load_file(struct conf *c, const char *path, struct conf_diags *d)
{
	char *buf;
	size_t len;
	int rc = ld_read_file(path, d, &buf, &len);
	if (rc)
		return rc;
	rc = conf_load_buf(c, path, buf, len, d);
	free(buf);
	return rc;
}

static int yaml_name(const struct dirent *e)
{
	size_t n = strlen(e->d_name);
	return e->d_name[0] != '.' &&
	       ((n > 5 && strcmp(e->d_name + n - 5, ".yaml") == 0) ||
		(n > 4 && strcmp(e->d_name + n - 4, ".yml") == 0));
}

int conf_load_dir(struct conf *c, const char *dir, struct conf_diags *d)
{
	char path[CONF_PATH_MAX];
	struct dirent **list = NULL;
	int rc = 0, n;

	snprintf(path, sizeof(path), "%s/petrel.yaml", dir);
	if (access(path, F_OK) == 0 && conf_load_file(c, path, d))
		rc = -EINVAL;
	snprintf(path, sizeof(path), "%s/profiles.d", dir);
	n = scandir(path, &list, yaml_name, alphasort);
	if (n < 0) {
		if (errno == ENOENT)
			return rc;
		ld_diag_at(d, path, 0, 0, "cannot read: %s", strerror(errno));
		return -EINVAL;
	}
	for (int i = 0; i < n; i++) {
		if ((unsigned)i < PT_CONF_FILES_MAX) {
			char file[CONF_PATH_MAX];
			if (snprintf(file, sizeof(file), "%s/%s", path, list[i]->d_name) < (int)sizeof(file) &&
			    conf_load_file(c, file, d))
				rc = -EINVAL;
		} else if ((unsigned)i == PT_CONF_FILES_MAX) {
			ld_diag_at(d, path, 0, 0, "more than %u files; the rest are ignored", PT_CONF_FILES_MAX);
			rc = -EINVAL;
		}
		free(list[i]);
	}
	free(list);
	return rc;
}
