/* Traffic selector arithmetic (RFC 7296 2.9): conversion between the wire
 * form and the configured form, intersection for narrowing, containment. */
#include <string.h>

#include "ike/ts.h"

static size_t addr_len(uint8_t type)
{
	return type == IKE_TS_IPV6_ADDR_RANGE ? 16u : 4u;
}

int ike_ts_intersect(const struct ike_ts_cfg *a, const struct ike_ts_cfg *b, struct ike_ts_cfg *out)
{
	if (a->type != b->type)
		return 0;
	if (a->proto && b->proto && a->proto != b->proto)
		return 0;
	size_t n = addr_len(a->type);
	memset(out, 0, sizeof(*out));
	out->type = a->type;
	out->proto = a->proto ? a->proto : b->proto;
	out->start_port = a->start_port > b->start_port ? a->start_port : b->start_port;
	out->end_port = a->end_port < b->end_port ? a->end_port : b->end_port;
	if (out->start_port > out->end_port)
		return 0;
	/* Big-endian addresses order like their bytes. */
	memcpy(out->start, memcmp(a->start, b->start, n) > 0 ? a->start : b->start, n); /* public-memcmp */
	memcpy(out->end, memcmp(a->end, b->end, n) < 0 ? a->end : b->end, n);           /* public-memcmp */
	return memcmp(out->start, out->end, n) <= 0; /* public-memcmp: addresses */
}

int ike_ts_within(const struct ike_ts_cfg *inner, const struct ike_ts_cfg *outer)
{
	size_t n = addr_len(inner->type);
	return inner->type == outer->type && (outer->proto == 0 || inner->proto == outer->proto) &&
	       inner->start_port >= outer->start_port && inner->end_port <= outer->end_port &&
	       memcmp(inner->start, outer->start, n) >= 0 && /* public-memcmp: addresses */
	       memcmp(inner->end, outer->end, n) <= 0;       /* public-memcmp: addresses */
}

void ike_ts_from_wire(const struct ike_ts *w, struct ike_ts_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->type = w->type;
	c->proto = w->proto;
	c->start_port = w->start_port;
	c->end_port = w->end_port;
	memcpy(c->start, w->start, sizeof(c->start));
	memcpy(c->end, w->end, sizeof(c->end));
}

void ike_ts_to_wire(const struct ike_ts_cfg *c, struct ike_ts *w)
{
	memset(w, 0, sizeof(*w));
	w->type = c->type;
	w->proto = c->proto;
	w->start_port = c->start_port;
	w->end_port = c->end_port;
	memcpy(w->start, c->start, sizeof(w->start));
	memcpy(w->end, c->end, sizeof(w->end));
}

void ike_ts_host(struct ike_ts_cfg *c, int v6, const uint8_t *addr)
{
	memset(c, 0, sizeof(*c));
	c->type = v6 ? IKE_TS_IPV6_ADDR_RANGE : IKE_TS_IPV4_ADDR_RANGE;
	c->end_port = 65535;
	memcpy(c->start, addr, v6 ? 16 : 4);
	memcpy(c->end, addr, v6 ? 16 : 4);
}

void ike_ts_all(struct ike_ts_cfg *c, int v6)
{
	memset(c, 0, sizeof(*c));
	c->type = v6 ? IKE_TS_IPV6_ADDR_RANGE : IKE_TS_IPV4_ADDR_RANGE;
	c->end_port = 65535;
	memset(c->end, 0xff, v6 ? 16 : 4);
}
