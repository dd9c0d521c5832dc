/* petrel-gw's configuration (conf.h "petrel-gw"): one map under `gateway:`,
 * checked key by key with the ld_* helpers and then as a whole. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/conf_int.h"

static const char *const top_keys[] = { "gateway", NULL };
static const char *const gw_keys[] = {
	"listen", "id", "psk_file", "pool", "pool6", "dns", "subnets", "proposals",
	"cookie_threshold", "log_level", "cert", "key", "chain", "client_auth", "ca",
	"eap_users", "tun", "tun_address", "dns_domains", "tcp", "separate_transports", "echo",
	"codepoints", "mobike", "tickets", NULL,
};
enum { K_LISTEN, K_ID, K_PSK_FILE, K_POOL, K_POOL6, K_DNS, K_SUBNETS, K_PROPOSALS,
       K_COOKIE, K_LOG_LEVEL, K_CERT, K_KEY, K_CHAIN, K_CLIENT_AUTH, K_CA, K_EAP_USERS,
       K_TUN, K_TUN_ADDRESS, K_DNS_DOMAINS, K_TCP, K_SEPARATE, K_ECHO, K_CODEPOINTS,
       K_MOBIKE, K_TICKETS };
static const char *const ticket_keys[] = { "lifetime_s", "rotate_s", "key_file", NULL };
static const char *const client_auths[] = { "psk", "cert", "eap-mschapv2", NULL };
static const char *const proposal_keys[] = { "ike", "esp", NULL };

struct gctx {
	struct conf_gw *g;
	unsigned seen;
	yaml_node_t *gw_node;
	yaml_node_t *node[K_TICKETS + 1]; /* each key's value, for whole-file diagnostics */
};

/* An absolute path (files are read by a daemon whose working directory is
 * not the user's). */
static int parse_path(struct ld *l, yaml_node_t *v, const char *what, char *out, size_t cap)
{
	if (ld_string(l, v, what, out, cap))
		return -EINVAL;
	if (out[0] != '/') {
		ld_diag(l, v, "%s must be an absolute path, not '%.80s'", what, out);
		out[0] = '\0';
		return -EINVAL;
	}
	return 0;
}

static void parse_chain(struct ld *l, yaml_node_t *v, struct conf_gw *g)
{
	if (!ld_is_seq(l, v, "chain"))
		return;
	for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		yaml_node_t *e = ld_node(l, *it);
		if (!e)
			continue;
		if (g->n_chain >= CONF_GW_CHAIN_MAX) {
			ld_diag(l, e, "chain: more than %u certificates", CONF_GW_CHAIN_MAX);
			return;
		}
		if (parse_path(l, e, "chain", g->chain[g->n_chain], sizeof(g->chain[0])) == 0)
			g->n_chain++;
	}
}

/* eap_users: { NAME: /path/to/password-file, ... } */
static void parse_eap_users(struct ld *l, yaml_node_t *v, struct conf_gw *g)
{
	if (!ld_is_map(l, v, "eap_users"))
		return;
	if (v->data.mapping.pairs.start == v->data.mapping.pairs.top) {
		ld_diag(l, v, "eap_users: the map is empty");
		return;
	}
	for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
		yaml_node_t *k = ld_node(l, p->key), *val = ld_node(l, p->value);
		if (!k || !val)
			continue;
		if (g->n_eap_users >= CONF_GW_EAP_USERS_MAX) {
			ld_diag(l, k, "eap_users: more than %u users", CONF_GW_EAP_USERS_MAX);
			return;
		}
		struct conf_gw_eap_user *u = &g->eap_users[g->n_eap_users];
		if (ld_string(l, k, "eap_users: a user name", u->name, sizeof(u->name)))
			continue;
		/* RFC 3748 5.1 / RFC 2865 5.1: what an EAP-Identity can carry */
		size_t n = strlen(u->name);
		if (n == 0 || n > 253) {
			ld_diag(l, k, "eap_users: a user name is 1..253 octets");
			continue;
		}
		int dup = 0;
		for (unsigned i = 0; i < g->n_eap_users && !dup; i++)
			dup = strcmp(g->eap_users[i].name, u->name) == 0;
		if (dup) {
			ld_diag(l, k, "eap_users: '%.80s' is given twice", u->name);
			continue;
		}
		if (parse_path(l, val, "eap_users: the password file", u->password_file,
			       sizeof(u->password_file)))
			continue;
		u->line = (unsigned)k->start_mark.line + 1;
		u->col = (unsigned)k->start_mark.column + 1;
		g->n_eap_users++;
	}
}

static int cmp_addr(const struct conf_addr *a, const struct conf_addr *b)
{
	return memcmp(a->addr, b->addr, a->family == AF_INET ? 4 : 16);
}

/* "203.0.113.10-203.0.113.250" (or one address) of `family`. */
static void parse_range(struct ld *l, yaml_node_t *n, const char *what, int family,
			struct conf_gw_range *out, int *has)
{
	const char *s = ld_scalar(l, n, what);
	char a[64], b[64];

	if (!s)
		return;
	const char *dash = strchr(s, '-');
	size_t la = dash ? (size_t)(dash - s) : strlen(s);
	if (la == 0 || la >= sizeof(a) || (dash && (strlen(dash + 1) == 0 || strlen(dash + 1) >= sizeof(b))))
		goto bad;
	memcpy(a, s, la);
	a[la] = '\0';
	snprintf(b, sizeof(b), "%s", dash ? dash + 1 : a);
	memset(out, 0, sizeof(*out));
	if (inet_pton(family, a, out->start.addr) != 1 || inet_pton(family, b, out->end.addr) != 1)
		goto bad;
	out->start.family = out->end.family = family;
	out->start.prefix_len = out->end.prefix_len = family == AF_INET ? 32 : 128;
	if (cmp_addr(&out->start, &out->end) > 0) {
		ld_diag(l, n, "%s: the range '%.80s' ends before it starts", what, s);
		return;
	}
	*has = 1;
	return;
bad:
	ld_diag(l, n, "%s: '%.80s' is not an %s range (FIRST-LAST, e.g. %s)", what, s,
		family == AF_INET ? "IPv4" : "IPv6",
		family == AF_INET ? "203.0.113.10-203.0.113.250" : "2001:db8:113::1000-2001:db8:113::1fff");
}

static void parse_addrs(struct ld *l, yaml_node_t *v, const char *what, int prefixes,
			struct conf_addr *out, unsigned *n, unsigned max)
{
	if (!ld_is_seq(l, v, what))
		return;
	if (v->data.sequence.items.start == v->data.sequence.items.top) {
		ld_diag(l, v, "%s: the list is empty", what);
		return;
	}
	for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		yaml_node_t *e = ld_node(l, *it);
		if (!e)
			continue;
		if (*n >= max) {
			ld_diag(l, e, "%s: more than %u entries", what, max);
			return;
		}
		if (ld_addr(l, e, what, prefixes, &out[*n]) == 0)
			(*n)++;
	}
}

static void parse_props(struct ld *l, yaml_node_t *v, const char *what, struct conf_gw_prop *out,
			unsigned *n)
{
	if (!ld_is_seq(l, v, what))
		return;
	if (v->data.sequence.items.start == v->data.sequence.items.top) {
		ld_diag(l, v, "%s: the list is empty", what);
		return;
	}
	for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		yaml_node_t *e = ld_node(l, *it);
		if (!e)
			continue;
		if (*n >= CONF_LIST_MAX) {
			ld_diag(l, e, "%s: more than %u proposals", what, CONF_LIST_MAX);
			return;
		}
		/* The names are checked by petrel-gw with the engine's parser,
		 * which reports at this line and column. */
		if (ld_string(l, e, what, out[*n].s, sizeof(out[*n].s)) == 0) {
			out[*n].line = (unsigned)e->start_mark.line + 1;
			out[*n].col = (unsigned)e->start_mark.column + 1;
			(*n)++;
		}
	}
}

static void proposals_key(struct ld *l, void *ctx, int key, const char *name, yaml_node_t *v)
{
	struct conf_gw *g = ctx;
	if (key == 0)
		parse_props(l, v, "proposals.ike", g->ike_proposals, &g->n_ike_proposals);
	else
		parse_props(l, v, "proposals.esp", g->esp_proposals, &g->n_esp_proposals);
}

/* tickets: { lifetime_s, rotate_s, key_file } (RFC 5723); lifetime_s 0 turns
 * them off. */
static void ticket_key(struct ld *l, void *ctx, int key, const char *name, yaml_node_t *v)
{
	struct conf_gw *g = ctx;
	unsigned long n;
	(void)name;
	switch (key) {
	case 0:
		if (ld_uint(l, v, "tickets.lifetime_s", 0, 86400, &n) == 0)
			g->ticket_lifetime_s = (unsigned)n;
		break;
	case 1:
		if (ld_uint(l, v, "tickets.rotate_s", 1, 7 * 86400, &n) == 0)
			g->ticket_rotate_s = (unsigned)n;
		break;
	case 2:
		parse_path(l, v, "tickets.key_file", g->ticket_key_file, sizeof(g->ticket_key_file));
		break;
	}
}

static void gw_key(struct ld *l, void *ctx, int key, const char *name, yaml_node_t *v)
{
	static const char *const levels[] = { "err", "warn", "info", "debug", NULL };
	struct gctx *gc = ctx;
	struct conf_gw *g = gc->g;
	unsigned long num;
	int i;

	gc->seen |= 1u << key;
	gc->node[key] = v;
	switch (key) {
	case K_LISTEN: ld_addr(l, v, "listen", 0, &g->listen); break;
	case K_ID: ld_string(l, v, "id", g->id, sizeof(g->id)); break;
	case K_PSK_FILE: parse_path(l, v, "psk_file", g->psk_file, sizeof(g->psk_file)); break;
	case K_CERT: parse_path(l, v, "cert", g->cert, sizeof(g->cert)); break;
	case K_KEY: parse_path(l, v, "key", g->key, sizeof(g->key)); break;
	case K_CA: parse_path(l, v, "ca", g->ca, sizeof(g->ca)); break;
	case K_CHAIN: parse_chain(l, v, g); break;
	case K_EAP_USERS: parse_eap_users(l, v, g); break;
	case K_CLIENT_AUTH:
		if ((i = ld_enum(l, v, "client_auth", client_auths)) >= 0)
			g->client_auth = (enum conf_gw_client_auth)i;
		break;
	case K_POOL: parse_range(l, v, "pool", AF_INET, &g->pool, &g->has_pool); break;
	case K_POOL6: parse_range(l, v, "pool6", AF_INET6, &g->pool6, &g->has_pool6); break;
	case K_DNS: {
		parse_addrs(l, v, "dns", 0, g->dns, &g->n_dns, CONF_GW_DNS_MAX);
		break;
	}
	case K_SUBNETS:
		parse_addrs(l, v, "subnets", 1, g->subnets, &g->n_subnets, CONF_GW_SUBNETS_MAX);
		break;
	case K_PROPOSALS: ld_map_walk(l, v, "proposals", proposal_keys, proposals_key, g); break;
	case K_COOKIE:
		if (ld_uint(l, v, "cookie_threshold", 0, 100000, &num) == 0)
			g->cookie_threshold = (unsigned)num;
		break;
	case K_LOG_LEVEL:
		if ((i = ld_enum(l, v, "log_level", levels)) >= 0)
			g->log_level = i;
		break;
	case K_TUN:
		/* Linux interface names: 1..15 octets, no '/' or spaces. */
		if (ld_string(l, v, "tun", g->tun, sizeof(g->tun)) == 0 &&
		    (strchr(g->tun, '/') || strchr(g->tun, ' '))) {
			ld_diag(l, v, "tun: '%s' is not an interface name", g->tun);
			g->tun[0] = '\0';
		}
		break;
	case K_DNS_DOMAINS:
		if (!ld_is_seq(l, v, "dns_domains"))
			break;
		for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
			yaml_node_t *e = ld_node(l, *it);
			if (!e)
				continue;
			if (g->n_dns_domains >= 4) {
				ld_diag(l, e, "dns_domains: more than 4");
				break;
			}
			char *d = g->dns_domains[g->n_dns_domains];
			if (ld_string(l, e, "dns_domains", d, sizeof(g->dns_domains[0])))
				continue;
			int ok = d[0] != '.';
			for (const char *c = d; ok && *c; c++)
				ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
				     (*c >= '0' && *c <= '9') || *c == '-' || *c == '_' || *c == '.';
			if (!ok) {
				ld_diag(l, e, "dns_domains: '%.60s' is not a domain name", d);
				continue;
			}
			g->n_dns_domains++;
		}
		break;
	case K_TCP: ld_bool(l, v, "tcp", &g->tcp); break;
	case K_SEPARATE: ld_bool(l, v, "separate_transports", &g->separate_transports); break;
	case K_ECHO: ld_bool(l, v, "echo", &g->echo); break;
	case K_CODEPOINTS: conf_codepoints_parse(l, v, &g->codepoints); break;
	case K_MOBIKE: ld_bool(l, v, "mobike", &g->mobike); break;
	case K_TICKETS: ld_map_walk(l, v, "tickets", ticket_keys, ticket_key, g); break;
	case K_TUN_ADDRESS:
		if (v->type == YAML_SEQUENCE_NODE)
			parse_addrs(l, v, "tun_address", 0, g->tun_addrs, &g->n_tun_addrs, 2);
		else if (ld_addr(l, v, "tun_address", 0, &g->tun_addrs[0]) == 0)
			g->n_tun_addrs = 1;
		break;
	}
}

static void top_key(struct ld *l, void *ctx, int key, const char *name, yaml_node_t *v)
{
	struct gctx *gc = ctx;
	gc->gw_node = v;
	ld_map_walk(l, v, "gateway", gw_keys, gw_key, gc);
}

static void check_whole(struct ld *l, struct gctx *gc, yaml_node_t *root)
{
	struct conf_gw *g = gc->g;
	yaml_node_t *at = gc->gw_node ? gc->gw_node : root;
	static const struct { unsigned key; const char *name; } required[] = {
		{ K_LISTEN, "listen" }, { K_ID, "id" }, { K_SUBNETS, "subnets" },
	};

	if (!gc->gw_node) {
		ld_diag(l, root, "the file must have a 'gateway:' map");
		return;
	}
	if (gc->gw_node->type != YAML_MAPPING_NODE)
		return;
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!(gc->seen & 1u << required[i].key))
			ld_diag(l, at, "gateway: '%s' is required", required[i].name);
	/* Credentials: which keys go together. */
	int has_cert = !!(gc->seen & 1u << K_CERT), has_key = !!(gc->seen & 1u << K_KEY);
	if (has_cert != has_key) {
		ld_diag(l, gc->node[has_cert ? K_CERT : K_KEY], "gateway: 'cert' and 'key' go together");
	} else if (!has_cert && !(gc->seen & 1u << K_PSK_FILE)) {
		ld_diag(l, at, "gateway: 'psk_file' or 'cert' and 'key' is required (how the gateway authenticates)");
	}
	if ((gc->seen & 1u << K_CHAIN) && !has_cert)
		ld_diag(l, gc->node[K_CHAIN], "gateway: 'chain' is sent after 'cert', which is missing");
	switch (g->client_auth) {
	case CONF_GW_CLIENT_PSK:
		if (has_cert && !(gc->seen & 1u << K_PSK_FILE))
			ld_diag(l, gc->node[K_CLIENT_AUTH] ? gc->node[K_CLIENT_AUTH] : at,
				"gateway: client_auth psk needs 'psk_file' (or set client_auth: cert or eap-mschapv2)");
		break;
	case CONF_GW_CLIENT_CERT:
		if (!(gc->seen & 1u << K_CA))
			ld_diag(l, gc->node[K_CLIENT_AUTH],
				"gateway: client_auth cert needs 'ca' (the CA certificates of the clients)");
		break;
	case CONF_GW_CLIENT_EAP_MSCHAPV2:
		if (!(gc->seen & 1u << K_EAP_USERS))
			ld_diag(l, gc->node[K_CLIENT_AUTH], "gateway: client_auth eap-mschapv2 needs 'eap_users'");
		break;
	}
	if ((gc->seen & 1u << K_CA) && g->client_auth != CONF_GW_CLIENT_CERT)
		ld_diag(l, gc->node[K_CA], "gateway: 'ca' is used only with client_auth: cert");
	if ((gc->seen & 1u << K_EAP_USERS) && g->client_auth != CONF_GW_CLIENT_EAP_MSCHAPV2)
		ld_diag(l, gc->node[K_EAP_USERS], "gateway: 'eap_users' is used only with client_auth: eap-mschapv2");
	if (!(gc->seen & (1u << K_POOL | 1u << K_POOL6)))
		ld_diag(l, at, "gateway: 'pool' or 'pool6' is required (addresses for the clients)");
	if ((gc->seen & 1u << K_TUN_ADDRESS) && !(gc->seen & 1u << K_TUN))
		ld_diag(l, gc->node[K_TUN_ADDRESS], "gateway: 'tun_address' belongs to 'tun', which is missing");

}

static int load_doc(struct ld *l, struct conf_gw *g, yaml_node_t *root)
{
	struct gctx gc = { .g = g };
	unsigned before = l->errors;

	if (!ld_is_map(l, root, "the file"))
		return -EINVAL;
	ld_map_walk(l, root, "top level", top_keys, top_key, &gc);
	if (l->errors == before)
		check_whole(l, &gc, root);
	return l->errors == before ? 0 : -EINVAL;
}

/* Aliases make one node reachable twice; a configuration never needs
 * them. Depth is bounded as for every petrel YAML file. */
static int load_root(struct ld *l, yaml_node_t *root, void *arg)
{
	return load_doc(l, arg, root);
}

int conf_gw_load_buf(struct conf_gw *g, const char *name, const char *buf, size_t len,
		     struct conf_diags *d)
{
	memset(g, 0, sizeof(*g));
	g->log_level = -1;
	g->cookie_threshold = 10;
	g->tcp = g->separate_transports = g->echo = g->mobike = 1;
	g->ticket_lifetime_s = 3600;
	snprintf(g->file, sizeof(g->file), "%s", name);
	return ld_parse(name, buf, len, d, load_root, g);
}

int conf_gw_load_file(struct conf_gw *g, const char *path, struct conf_diags *d)
{
	char *buf;
	size_t len;
	int rc = ld_read_file(path, d, &buf, &len);
	if (rc)
		return rc;
	rc = conf_gw_load_buf(g, path, buf, len, d);
	free(buf);
	return rc;
}
