#include "harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ike/ts.h"

static uint64_t next_rng(struct hx *hx)
{
	/* xorshift64*: deterministic nonces and SPIs for every run. */
	hx->rng ^= hx->rng >> 12;
	hx->rng ^= hx->rng << 25;
	hx->rng ^= hx->rng >> 27;
	return hx->rng * 2685821657736338717ull;
}

static int op_random(void *ctx, void *buf, size_t len)
{
	struct hx_side *s = ctx;
	uint8_t *b = buf;
	for (size_t i = 0; i < len; i++)
		b[i] = (uint8_t)(next_rng(s->hx) >> 56);
	return 0;
}

static int op_send(void *ctx, struct ike_sa *sa, const uint8_t *msg, size_t len)
{
	struct hx_side *s = ctx;
	struct hx *hx = s->hx;
	(void)sa;
	if (hx->n_q >= HX_QUEUE_MAX || len > HX_MSG_MAX)
		return -ENOBUFS;
	struct hx_msg *m = malloc(sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->to = !s->who;
	m->len = len;
	memcpy(m->data, msg, len);
	hx->q[hx->n_q++] = m;
	s->sent++;
	return 0;
}

static void op_timer(void *ctx, struct ike_sa *sa, uint64_t delay_ms)
{
	struct hx_side *s = ctx;
	(void)sa;
	s->timer_at = delay_ms == UINT64_MAX ? UINT64_MAX : s->hx->now_ms + delay_ms;
}

static uint64_t op_now(void *ctx)
{
	return ((struct hx_side *)ctx)->hx->now_ms;
}

static void op_addrs(void *ctx, struct ike_sa *sa, struct ike_addr *local, struct ike_addr *remote)
{
	struct hx_side *s = ctx;
	(void)sa;
	*local = s->local;
	*remote = s->remote;
}

static int op_child_up(void *ctx, struct ike_sa *sa, const struct ike_child *c)
{
	struct hx_side *s = ctx;
	(void)sa;
	s->n_child_up++;
	s->child = *c;
	s->key_in_len = c->key_in->len;
	s->key_out_len = c->key_out->len;
	memcpy(s->key_in, c->key_in->p, c->key_in->len);
	memcpy(s->key_out, c->key_out->p, c->key_out->len);
	if (s->n_live < 8) {
		s->live_in[s->n_live] = c->spi_in;
		s->live_out[s->n_live] = c->spi_out;
		memcpy(s->live_key_in[s->n_live], c->key_in->p, 8);
		memcpy(s->live_key_out[s->n_live], c->key_out->p, 8);
		s->n_live++;
	}
	return 0;
}

static void op_child_down(void *ctx, struct ike_sa *sa, const struct ike_child *c)
{
	struct hx_side *s = ctx;
	(void)sa;
	s->n_child_down++;
	for (int i = 0; i < s->n_live; i++) {
		if (s->live_in[i] != c->spi_in)
			continue;
		s->n_live--;
		s->live_in[i] = s->live_in[s->n_live];
		s->live_out[i] = s->live_out[s->n_live];
		memcpy(s->live_key_in[i], s->live_key_in[s->n_live], 8);
		memcpy(s->live_key_out[i], s->live_key_out[s->n_live], 8);
		break;
	}
}

int hx_children_paired(const struct hx *hx, int *n_out)
{
	const struct hx_side *a = &hx->side[HX_I], *b = &hx->side[HX_R];
	*n_out = a->n_live;
	if (a->n_live != b->n_live)
		return 0;
	for (int i = 0; i < a->n_live; i++) {
		int found = 0;
		for (int j = 0; j < b->n_live && !found; j++)
			found = a->live_in[i] == b->live_out[j] && a->live_out[i] == b->live_in[j] &&
				memcmp(a->live_key_in[i], b->live_key_out[j], 8) == 0 &&
				memcmp(a->live_key_out[i], b->live_key_in[j], 8) == 0;
		if (!found)
			return 0;
	}
	return 1;
}

static void op_event(void *ctx, struct ike_sa *sa, enum ike_event ev, int err)
{
	struct hx_side *s = ctx;
	(void)sa;
	switch (ev) {
	case IKE_EV_ESTABLISHED: s->n_established++; break;
	case IKE_EV_FAILED: s->n_failed++; s->last_err = err; break;
	case IKE_EV_DELETED: s->n_deleted++; break;
	case IKE_EV_REKEYED: s->n_rekeyed++; break;
	case IKE_EV_TICKET: s->n_ticket++; break;
	case IKE_EV_UPDATED: s->n_updated++; break;
	case IKE_EV_UNKNOWN: s->n_unknown++; break;
	case IKE_EV_INITIAL_CONTACT: s->n_initial_contact++; break;
	}
}

static void set_addr(struct ike_addr *a, const char *ip, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	inet_pton(AF_INET, ip, a->ip);
	a->port = port;
}

/* One proposal per comma-separated string; a bad one aborts the test. */
static void parse_list(const char *list, uint8_t proto, struct ike_prop_cfg *props, size_t *n)
{
	const char *why, *p = list;
	char bad[32];

	*n = 0;
	while (*p && *n < IKE_CFG_PROPS_MAX) {
		size_t len = strcspn(p, ",");
		char one[256];
		snprintf(one, sizeof(one), "%.*s", (int)len, p);
		if (ike_prop_parse(one, proto, &props[(*n)++], &why, bad)) {
			fprintf(stderr, "bad proposal %s: %s (%s)\n", one, why, bad);
			abort();
		}
		p += len + (p[len] == ',');
	}
}

void hx_props(struct hx *hx, int who, const char *ike, const char *esp)
{
	struct ike_cfg *c = &hx->side[who].cfg;
	if (ike)
		parse_list(ike, IKE_PROTO_IKE, c->ike_props, &c->n_ike_props);
	if (esp)
		parse_list(esp, IKE_PROTO_ESP, c->esp_props, &c->n_esp_props);
}

static void set_id(struct ike_ident *id, uint8_t type, const char *s)
{
	id->type = type;
	id->len = strlen(s);
	memcpy(id->data, s, id->len);
}

void hx_init(struct hx *hx, const char *psk_i, const char *psk_r)
{
	memset(hx, 0, sizeof(*hx));
	hx->rng = 0x9e3779b97f4a7c15ull;
	hx->now_ms = 1000000;
	for (int w = 0; w < 2; w++) {
		struct hx_side *s = &hx->side[w];
		s->hx = hx;
		s->who = w;
		s->timer_at = UINT64_MAX;
		hx->ops[w] = (struct ike_ops){
			.ctx = s, .send = op_send, .timer = op_timer, .now_ms = op_now,
			.random = op_random, .addrs = op_addrs, .child_up = op_child_up,
			.child_down = op_child_down, .event = op_event,
		};
		const char *psk = w == HX_I ? psk_i : psk_r;
		crypto_secret_from(psk, strlen(psk), &s->psk);
		s->cfg.auth = IKE_AUTHK_PSK;
		s->cfg.psk = s->psk;
		hx_props(hx, w, "aes256gcm16-prfsha256-x25519", "aes256gcm16");
	}
	struct hx_side *i = &hx->side[HX_I], *r = &hx->side[HX_R];
	i->cfg.role = IKE_ROLE_INITIATOR;
	r->cfg.role = IKE_ROLE_RESPONDER;
	set_id(&i->cfg.local_id, IKE_ID_RFC822_ADDR, "client@psk.example");
	set_id(&i->cfg.remote_id, IKE_ID_FQDN, "gw.example");
	set_id(&r->cfg.local_id, IKE_ID_FQDN, "gw.example");
	i->cfg.cp_want_v4 = 1;
	r->cfg.cp_has_v4 = 1;
	inet_pton(AF_INET, "203.0.113.10", r->cfg.cp_v4);
	inet_pton(AF_INET, "203.0.113.53", r->cfg.dns_v4[0]);
	r->cfg.n_dns_v4 = 1;
	inet_pton(AF_INET6, "2001:db8:113::53", r->cfg.dns_v6[0]);
	r->cfg.n_dns_v6 = 1;
	snprintf(r->cfg.dns_domains[0], IKE_DOMAIN_MAX, "corp.example");
	snprintf(r->cfg.dns_domains[1], IKE_DOMAIN_MAX, "lab.example");
	r->cfg.n_dns_domains = 2;
	struct ike_ts_cfg *ts = &r->cfg.ts_local[0];
	memset(ts, 0, sizeof(*ts));
	ts->type = IKE_TS_IPV4_ADDR_RANGE;
	ts->end_port = 65535;
	inet_pton(AF_INET, "203.0.113.0", ts->start);
	inet_pton(AF_INET, "203.0.113.255", ts->end);
	r->cfg.n_ts_local = 1;
	set_addr(&i->local, "192.0.2.2", 4500);
	set_addr(&i->remote, "198.51.100.1", 4500);
	set_addr(&r->local, "198.51.100.1", 4500);
	set_addr(&r->remote, "192.0.2.2", 4500);
}

void hx_free(struct hx *hx)
{
	for (int w = 0; w < 2; w++) {
		ike_sa_free(hx->side[w].sa);
		crypto_secret_free(hx->side[w].psk);
	}
	for (int i = 0; i < hx->n_q; i++)
		free(hx->q[i]);
	hx->n_q = 0;
}

int hx_start(struct hx *hx)
{
	struct hx_side *i = &hx->side[HX_I];
	int rc = ike_sa_new(&i->cfg, &hx->ops[HX_I], &i->sa);
	return rc ? rc : ike_sa_initiate(i->sa);
}

static struct hx_msg *pop(struct hx *hx)
{
	if (!hx->n_q)
		return NULL;
	struct hx_msg *m = hx->q[0];
	memmove(hx->q, hx->q + 1, (size_t)(hx->n_q - 1) * sizeof(hx->q[0]));
	hx->n_q--;
	return m;
}

int hx_inject(struct hx *hx, int to, const uint8_t *p, size_t len)
{
	struct hx_side *s = &hx->side[to];
	if (!s->sa && to == HX_R)
		return ike_sa_new_r(&s->cfg, &hx->ops[HX_R], p, len, &s->sa);
	if (!s->sa)
		return -ENOENT;
	return ike_sa_recv(s->sa, p, len);
}

int hx_step(struct hx *hx)
{
	struct hx_msg *m = pop(hx);
	if (!m)
		return -1;
	int to = m->to;
	hx_inject(hx, to, m->data, m->len);
	free(m);
	return to;
}

int hx_drop(struct hx *hx)
{
	struct hx_msg *m = pop(hx);
	if (!m)
		return -1;
	int to = m->to;
	free(m);
	return to;
}

int hx_dup(struct hx *hx)
{
	if (!hx->n_q)
		return -1;
	struct hx_msg *m = hx->q[0];
	hx_inject(hx, m->to, m->data, m->len);
	return m->to;
}

int hx_run(struct hx *hx, int max)
{
	int steps = 0;
	while (steps < max && hx_step(hx) >= 0)
		steps++;
	return steps;
}

int hx_fire_timer(struct hx *hx)
{
	int who = -1;
	uint64_t at = UINT64_MAX;
	for (int w = 0; w < 2; w++)
		if (hx->side[w].sa && hx->side[w].timer_at < at) {
			at = hx->side[w].timer_at;
			who = w;
		}
	if (who < 0)
		return -1;
	if (at > hx->now_ms)
		hx->now_ms = at;
	hx->side[who].timer_at = UINT64_MAX;
	ike_sa_on_timer(hx->side[who].sa);
	return 0;
}

uint8_t hx_peek_exch(const struct hx *hx, uint32_t *msg_id, int *response)
{
	if (!hx->n_q || hx->q[0]->len < 28)
		return 0;
	const uint8_t *p = hx->q[0]->data;
	if (msg_id)
		*msg_id = (uint32_t)p[20] << 24 | (uint32_t)p[21] << 16 | (uint32_t)p[22] << 8 | p[23];
	if (response)
		*response = (p[19] & 0x20) != 0;
	return p[18];
}
