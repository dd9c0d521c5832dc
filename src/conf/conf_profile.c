/* One profile: the schema of PRODUCT.md "Interfaces", checked key by key and
 * then as a whole (what each authentication method needs). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf_int.h"

static const char *const profile_keys[] = {
	"gateway", "remote_id", "ca", "local_id", "auth", "transport", "pq", "proposals",
	"routes", "dns", "resume", "kill_switch", "mtu", "encap", "rekey_child_s", "echo",
	"tcp_blocked", "mobike", NULL,
};
enum { K_GATEWAY, K_REMOTE_ID, K_CA, K_LOCAL_ID, K_AUTH, K_TRANSPORT, K_PQ, K_PROPOSALS,
       K_ROUTES, K_DNS, K_RESUME, K_KILL_SWITCH, K_MTU, K_ENCAP, K_REKEY_CHILD_S, K_ECHO,
       K_TCP_BLOCKED, K_MOBIKE };
static const char *const echo_keys[] = { "interval_ms", "timeout_ms", "retries", NULL };

static const char *const auth_keys[] = { "method", "user", "psk_file", "cert", "key", NULL };
static const char *const auth_methods[] = {
	"psk", "cert", "eap-mschapv2", "eap-tls", "eap-md5", NULL,
};
static const char *const transports[] = { "auto", "separate", "tcp", "udp", NULL };
static const char *const pq_modes[] = { "preferred", "required", "off", NULL };
static const char *const proposal_keys[] = { "ike", "esp", NULL };

const char *conf_transport_name(enum conf_transport t)
{
	return (unsigned)t < 4 ? transports[t] : "?";
}
const char *conf_pq_name(enum conf_pq p) { return (unsigned)p < 3 ? pq_modes[p] : "?"; }
const char *conf_auth_method_name(enum conf_auth_method m)
{
	return (unsigned)m < 5 ? auth_methods[m] : "?";
}

struct pctx {
	struct conf_profile *p;
	unsigned seen; /* bit per profile key */
	yaml_node_t *auth_node;
};

/* "host", "host:port", "[2001:db8::1]:port", or a bare IPv6 address. */
static int parse_gateway(struct ld *l, yaml_node_t *n, struct conf_profile *p)
{
	const char *s = ld_scalar(l, n, "gateway");
	const char *host = s, *port = NULL;
	size_t hl;

	if (!s)
		return -EINVAL;
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close || (close[1] != '\0' && close[1] != ':'))
			goto bad;
		host = s + 1;
		hl = (size_t)(close - host);
		port = close[1] == ':' ? close + 2 : NULL;
	} else {
		const char *c = strchr(s, ':');
		if (c && !strchr(c + 1, ':')) { /* exactly one colon: host:port */
			hl = (size_t)(c - s);
			port = c + 1;
		} else {
			hl = strlen(s);
		}
	}
	if (hl == 0 || hl >= sizeof(p->gateway))
		goto bad;
	for (size_t i = 0; i < hl; i++) {
		char c = host[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-' || c == ':'))
			goto bad;
	}
	memcpy(p->gateway, host, hl);
	p->gateway[hl] = '\0';
	p->port = 4500;
	if (port) {
		char *end;
		errno = 0;
		unsigned long v = strtoul(port, &end, 10);
		if (*port < '0' || *port > '9' || *end || errno || v == 0 || v > 65535) {
			ld_diag(l, n, "gateway: port '%.20s' is not a number from 1 to 65535", port);
			return -EINVAL;
		}
		p->port = (uint16_t)v;
	}
	return 0;
bad:
	ld_diag(l, n, "gateway: '%.80s' is not a host name or address (optionally with :port)", s);
	return -EINVAL;
}

static void auth_key(struct ld *l, void *ctx, int key, const char *name, yaml_node_t *v)
{
	struct conf_auth *a = ctx;
	int m;

	switch (key) {
	case 0:
		m = ld_enum(l, v, "auth.method", auth_methods);
		if (m >= 0)
			a->method = (enum conf_auth_method)m;
		break;
	case 1: ld_string(l, v, "auth.user", a->user, sizeof(a->user)); break;
	case 2: ld_string(l, v, "auth.psk_file", a->psk_file, sizeof(a->psk_file)); break;
	case 3: ld_string(l, v, "auth.cert", a->cert, sizeof(a->cert)); break;
	case 4: ld_string(l, v, "auth.key", a->key, sizeof(a->key)); break;
	}
}

static void parse_proposal_list(struct ld *l, yaml_node_t *v, const char *what,
				char (*out)[CONF_PROPOSAL_MAX], unsigned *n)
{
	if (!ld_is_seq(l, v, what))
		return;
	for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		yaml_node_t *e = ld_node(l, *it);
		if (!e)
			continue;
		if (*n >= CONF_LIST_MAX) {
			ld_diag(l, e, "%s: more than %u proposals", what, CONF_LIST_MAX);
			return;
		}
		if (ld_string(l, e, what, out[*n], CONF_PROPOSAL_MAX))
			continue;
		/* Syntax only: algorithm names joined by '-'. Whether each name is
		 * known is checked by the engine's proposal parser.
		 * TODO(issue 3): check the names here through that parser. */
		const char *s = out[*n];
		int ok = s[0] != '-' && s[strlen(s) - 1] != '-' && !strstr(s, "--");
		for (const char *c = s; ok && *c; c++)
			ok = (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-' || *c == '_';
		if (!ok) {
			ld_diag(l, e, "%s: '%.60s' is not a proposal (lower-case algorithm names joined by '-', e.g. aes256gcm16-prfsha384-x25519)", what, s);
			continue;
		}
		(*n)++;
	}
}

static void proposals_key(struct ld *l, void *ctx, int key, const char *name, yaml_node_t *v)
{
	struct conf_profile *p = ctx;
	if (key == 0)
		parse_proposal_list(l, v, "proposals.ike", p->ike_proposals, &p->n_ike_proposals);
	else
		parse_proposal_list(l, v, "proposals.esp", p->esp_proposals, &p->n_esp_proposals);
}

static void parse_addr_list(struct ld *l, yaml_node_t *v, const char *what, int prefixes,
			    struct conf_addr *out, unsigned *n)
{
	for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		yaml_node_t *e = ld_node(l, *it);
		if (!e)
			continue;
		if (*n >= CONF_LIST_MAX) {
			ld_diag(l, e, "%s: more than %u entries", what, CONF_LIST_MAX);
			return;
		}
		if (ld_addr(l, e, what, prefixes, &out[*n]) == 0)
			(*n)++;
	}
	if (*n == 0 && v->data.sequence.items.start == v->data.sequence.items.top)
		ld_diag(l, v, "%s: the list is empty", what);
}

/* echo: { interval_ms, timeout_ms, retries } (ESP Echo probes). */
static void echo_key(struct ld *l, void *ctx, int key, const char *name, yaml_node_t *v)
{
	struct conf_profile *p = ctx;
	unsigned long num;
	switch (key) {
	case 0: /* 0: probe only after setup and on network changes */
		if (ld_uint(l, v, "echo.interval_ms", 0, 3600000, &num) == 0)
			p->echo_interval_ms = (unsigned)num;
		break;
	case 1:
		if (ld_uint(l, v, "echo.timeout_ms", 50, 60000, &num) == 0)
			p->echo_timeout_ms = (unsigned)num;
		break;
	case 2:
		if (ld_uint(l, v, "echo.retries", 1, 20, &num) == 0)
			p->echo_retries = (unsigned)num;
		break;
	}
}

static void profile_key(struct ld *l, void *ctx, int key, const char *name, yaml_node_t *v)
{
	struct pctx *pc = ctx;
	struct conf_profile *p = pc->p;
	unsigned long num;
	int i;

	pc->seen |= 1u << key;
	switch (key) {
	case K_GATEWAY: parse_gateway(l, v, p); break;
	case K_REMOTE_ID: ld_string(l, v, "remote_id", p->remote_id, sizeof(p->remote_id)); break;
	case K_CA: ld_string(l, v, "ca", p->ca, sizeof(p->ca)); break;
	case K_LOCAL_ID: ld_string(l, v, "local_id", p->local_id, sizeof(p->local_id)); break;
	case K_AUTH:
		pc->auth_node = v;
		ld_map_walk(l, v, "auth", auth_keys, auth_key, &p->auth);
		break;
	case K_TRANSPORT:
		if ((i = ld_enum(l, v, "transport", transports)) >= 0)
			p->transport = (enum conf_transport)i;
		break;
	case K_PQ:
		if ((i = ld_enum(l, v, "pq", pq_modes)) >= 0)
			p->pq = (enum conf_pq)i;
		break;
	case K_PROPOSALS: ld_map_walk(l, v, "proposals", proposal_keys, proposals_key, p); break;
	case K_ROUTES:
		if (v->type == YAML_SEQUENCE_NODE) {
			p->routes = CONF_ROUTES_LIST;
			parse_addr_list(l, v, "routes", 1, p->route_list, &p->n_routes);
		} else {
			static const char *const modes[] = { "full", "split", NULL };
			if ((i = ld_enum(l, v, "routes", modes)) >= 0)
				p->routes = (enum conf_routes)i;
		}
		break;
	case K_DNS:
		if (v->type == YAML_SEQUENCE_NODE) {
			p->dns = CONF_DNS_LIST;
			parse_addr_list(l, v, "dns", 0, p->dns_list, &p->n_dns);
		} else {
			static const char *const modes[] = { "auto", "off", NULL };
			if ((i = ld_enum(l, v, "dns", modes)) >= 0)
				p->dns = (enum conf_dns)i;
		}
		break;
	case K_RESUME: ld_bool(l, v, "resume", &p->resume); break;
	case K_MOBIKE: ld_bool(l, v, "mobike", &p->mobike); break;
	case K_KILL_SWITCH: ld_bool(l, v, "kill_switch", &p->kill_switch); break;
	case K_ENCAP: {
		/* RFC 3948: UDP encapsulation is for NATs; "udp" forces it (a path
		 * that drops IP protocol 50), as strongSwan's encap=yes. */
		static const char *const modes[] = { "auto", "udp", NULL };
		if ((i = ld_enum(l, v, "encap", modes)) >= 0)
			p->encap_udp = i;
		break;
	}
	case K_MTU:
		/* RFC 8200 5: IPv6 needs 1280; 576 is the IPv4 floor. */
		if (ld_uint(l, v, "mtu", 576, 9000, &num) == 0)
			p->mtu = (unsigned)num;
		break;
	case K_ECHO: ld_map_walk(l, v, "echo", echo_keys, echo_key, p); break;
	case K_TCP_BLOCKED: {
		/* What separate transports do when TCP/4500 does not connect. */
		static const char *const modes[] = { "udp", "fail", NULL };
		if ((i = ld_enum(l, v, "tcp_blocked", modes)) >= 0)
			p->tcp_blocked_fail = i;
		break;
	}
	case K_REKEY_CHILD_S:
		/* Below 2 s a rekey could start before the last one ended. */
		if (ld_uint(l, v, "rekey_child_s", 2, 86400, &num) == 0)
			p->rekey_child_s = (unsigned)num;
		break;
	}
}

static int valid_profile_name(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n >= CONF_NAME_MAX)
		return 0;
	for (const char *c = s; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '-' || *c == '_' || *c == '.'))
			return 0;
	return s[0] != '.';
}

int conf_profile_parse(struct ld *l, const char *name, yaml_node_t *key, yaml_node_t *val,
		       struct conf_profile *p)
{
	unsigned errors_before = l->errors;
	struct pctx pc = { .p = p };
	yaml_node_t *an;

	memset(p, 0, sizeof(*p));
	p->resume = 1;
	p->mobike = 1;
	p->kill_switch = 1;
	p->echo_interval_ms = 10000;
	p->echo_timeout_ms = 1000;
	p->echo_retries = 3;
	snprintf(p->file, sizeof(p->file), "%s", l->file);
	p->line = (unsigned)key->start_mark.line + 1;
	if (!valid_profile_name(name)) {
		ld_diag(l, key, "profile name '%.60s' must be 1-63 letters, digits, '-', '_' or '.'", name);
		return -EINVAL;
	}
	snprintf(p->name, sizeof(p->name), "%s", name);
	ld_map_walk(l, val, name, profile_keys, profile_key, &pc);
	if (val->type != YAML_MAPPING_NODE)
		return -EINVAL;

	/* The profile as a whole. */
	if (!(pc.seen & 1u << K_GATEWAY))
		ld_diag(l, key, "profile '%s': 'gateway' is required", name);
	if (!(pc.seen & 1u << K_REMOTE_ID) && p->gateway[0])
		snprintf(p->remote_id, sizeof(p->remote_id), "%s", p->gateway);
	an = pc.auth_node ? pc.auth_node : key;
	if (!(pc.seen & 1u << K_AUTH)) {
		ld_diag(l, key, "profile '%s': 'auth' is required", name);
	} else if (l->errors == errors_before) {
		struct conf_auth *a = &p->auth;
		switch (a->method) {
		case CONF_AUTH_PSK:
			if (!a->psk_file[0])
				ld_diag(l, an, "auth: method psk needs psk_file");
			break;
		case CONF_AUTH_CERT:
		case CONF_AUTH_EAP_TLS:
			if (!a->cert[0] || !a->key[0])
				ld_diag(l, an, "auth: method %s needs cert and key",
					conf_auth_method_name(a->method));
			break;
		case CONF_AUTH_EAP_MSCHAPV2:
		case CONF_AUTH_EAP_MD5:
			if (!a->user[0])
				ld_diag(l, an, "auth: method %s needs user",
					conf_auth_method_name(a->method));
			break;
		}
		/* The gateway is always authenticated: by the PSK, or by a
		 * certificate that chains to `ca`. */
		if (a->method != CONF_AUTH_PSK && !p->ca[0])
			ld_diag(l, key, "profile '%s': 'ca' is required to authenticate the gateway's certificate", name);
		if (!p->local_id[0]) {
			if (a->method == CONF_AUTH_EAP_MSCHAPV2 || a->method == CONF_AUTH_EAP_MD5)
				snprintf(p->local_id, sizeof(p->local_id), "%s", a->user);
			else
				ld_diag(l, key, "profile '%s': 'local_id' is required for auth method %s",
					name, conf_auth_method_name(a->method));
		}
	}
	return l->errors == errors_before ? 0 : -EINVAL;
}

static const char *const cp_keys[] = {
	"separate_transports", "encrypted_ping_supported", "echo_next_header",
	"echo_request", "echo_reply", NULL,
};

static void cp_key(struct ld *l, void *ctx, int key, const char *name, yaml_node_t *v)
{
	struct conf_codepoints *cp = ctx;
	unsigned long num;

	if (key <= 1) {
		/* Notify status types (RFC 7296 3.10.1): 16384-65535. */
		if (ld_uint(l, v, name, 16384, 65535, &num) == 0) {
			if (key == 0)
				cp->separate_transports = (uint16_t)num;
			else
				cp->encrypted_ping_supported = (uint16_t)num;
		}
	} else if (ld_uint(l, v, name, key == 2 ? 1 : 0, 255, &num) == 0) {
		if (key == 2)
			cp->echo_next_header = (uint8_t)num;
		else if (key == 3)
			cp->echo_request = (uint8_t)num;
		else
			cp->echo_reply = (uint8_t)num;
	}
}

int conf_codepoints_parse(struct ld *l, yaml_node_t *val, struct conf_codepoints *cp)
{
	unsigned before = l->errors;
	ld_map_walk(l, val, "codepoints", cp_keys, cp_key, cp);
	if (l->errors == before && cp->separate_transports &&
	    cp->separate_transports == cp->encrypted_ping_supported)
		ld_diag(l, val, "codepoints: separate_transports and encrypted_ping_supported must differ");
	if (l->errors == before && cp->echo_request && cp->echo_request == cp->echo_reply)
		ld_diag(l, val, "codepoints: echo_request and echo_reply must differ");
	return l->errors == before ? 0 : -EINVAL;
}
