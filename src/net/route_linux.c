/* Route and address primitives over rtnetlink (route.h, nl_linux.h). */
#include "net/route.h"

#include <errno.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include "base/log.h"
#include "net/nl_linux.h"

static int change(const struct net_route *r, int add)
{
	uint8_t mem[512];
	char text[NL_EXTACK_MAX] = "", s[NET_ROUTE_STR_MAX];
	struct nl_sock ns;
	struct nl_buf b;
	int rc;

	b.p = mem;
	b.cap = sizeof(mem);
	if ((rc = nl_sock_open(&ns, 0, 0)) < 0)
		return rc;
	if ((rc = nl_build_change(&b, r, add, ++ns.seq)) == 0)
		rc = nl_sock_talk(&ns, &b, NULL, NULL, text, sizeof(text));
	nl_sock_close(&ns);
	if (rc < 0 && rc != -EEXIST && (add || (rc != -ESRCH && rc != -EADDRNOTAVAIL)))
		log_warn("route", "%s %s: %s%s%s", add ? "add" : "del",
			  net_route_str(r, s, sizeof(s)), strerror(-rc), text[0] ? ": " : "", text);
	return rc;
}

int net_route_sys_add(const struct net_route *r)
{
	return change(r, 1);
}

int net_route_sys_del(const struct net_route *r)
{
	return change(r, 0);
}

int net_route_sys_get(const struct net_prefix *dst, struct net_route *out)
{
	uint8_t mem[256], type = 0;
	char text[NL_EXTACK_MAX] = "";
	struct nl_sock ns;
	struct nl_buf b;
	int rc;

	memset(out, 0, sizeof(*out));
	b.p = mem;
	b.cap = sizeof(mem);
	if ((rc = nl_sock_open(&ns, 0, 0)) < 0)
		return rc;
	if ((rc = nl_build_getroute(&b, dst, ++ns.seq)) == 0)
		rc = nl_sock_talk(&ns, &b, out, &type, text, sizeof(text));
	nl_sock_close(&ns);
	if (rc < 0) {
		if (text[0])
			log_debug("route", "RTM_GETROUTE: %s", text);
		return rc;
	}
	switch (type) {
	case RTN_UNICAST:
		return 0;
	case RTN_LOCAL:
		/* an address of this host: no host route needed */
		out->ifindex = 0;
		out->has_gw = 0;
		return 0;
	default:
		return -ENETUNREACH; /* blackhole, unreachable, prohibit */
	}
}

static int outside_msg(void *ctx, const struct nl_msg_view *m)
{
	int rc = nl_route_pick_offer(ctx, m);

	return rc < 0 ? rc : 0;
}

int net_route_sys_outside(const struct net_prefix *dst, unsigned exclude_ifindex,
			  struct net_route *out)
{
	uint8_t mem[64];
	char text[NL_EXTACK_MAX] = "";
	struct nl_route_pick pick;
	int rc = -EAGAIN;

	memset(out, 0, sizeof(*out));
	/* a dump that raced a change of the table is asked again, a few times */
	for (int attempt = 0; attempt < 3 && rc == -EAGAIN; attempt++) {
		struct nl_sock ns;
		struct nl_buf b = { .p = mem, .cap = sizeof(mem) };

		nl_route_pick_init(&pick, dst, exclude_ifindex);
		if ((rc = nl_sock_open(&ns, 0, 0)) < 0)
			return rc;
		if ((rc = nl_build_dumproute(&b, dst->family, ++ns.seq)) == 0)
			rc = nl_sock_dump(&ns, &b, outside_msg, &pick, text, sizeof(text));
		nl_sock_close(&ns);
	}
	if (rc < 0) {
		log_debug("route", "RTM_GETROUTE dump: %s%s%s", strerror(-rc), text[0] ? ": " : "", text);
		return rc;
	}
	if (!pick.found)
		return -ENETUNREACH;
	*out = pick.best;
	return 0;
}
