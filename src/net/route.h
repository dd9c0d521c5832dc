/* Addresses and routes on the TUN, recorded so that everything petrel adds
 * can be taken back exactly.
 *
 * Two layers behind one header:
 *  - primitives, per platform (route_linux.c: rtnetlink; route_darwin.c:
 *    the PF_ROUTE socket and SIOCAIFADDR): add or delete one address or one
 *    route, and ask the kernel for the route it would take to an address;
 *  - the recorder (route.c, portable): full and split tunnels built from the
 *    primitives, every successful add recorded in memory and in a journal
 *    file (default /run/petrel/routes), and net_routes_undo_all() deleting
 *    them in reverse order. After a crash, net_routes_recover() reads the
 *    journal of the previous run, deletes what is still there, and removes
 *    the file. Something that was already there before petrel (EEXIST) is
 *    never recorded, so it is never deleted.
 *
 * Full tunnel: a host route to the gateway via the current next hop (so IKE
 * and ESP keep flowing outside), then 0.0.0.0/1 + 128.0.0.0/1 and ::/1 +
 * 8000::/1 via the TUN: more specific than any default route, which stays
 * untouched. Split tunnel: one route per prefix via the TUN.
 *
 * Linux routes petrel adds carry rtm_protocol NET_ROUTE_PROTO, so `ip route`
 * shows them as "proto 158", the network monitor can ignore them, and a
 * delete never removes someone else's identical route. */
#ifndef PETREL_NET_ROUTE_H
#define PETREL_NET_ROUTE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define NET_ROUTE_PROTO 158u          /* Linux rtm_protocol of petrel's routes */
#define NET_ROUTE_JOURNAL_DEFAULT "/run/petrel/routes"
#define NET_PREFIX_STR_MAX 64         /* "2001:db8::1/128" */
#define NET_ROUTE_STR_MAX 160
#define NET_ROUTE_ERR_MAX 160         /* journal parse errors: "line 3: ..." */

/* An address and prefix length, AF_INET or AF_INET6. */
struct net_prefix {
	uint8_t family;
	uint8_t len;
	uint8_t addr[16];                 /* 4 used for AF_INET */
};

enum net_route_kind {
	NET_ROUTE_ADDR = 1,   /* an address on an interface: prefix is addr/len */
	NET_ROUTE_ROUTE = 2,  /* a unicast route: prefix is the destination */
};

struct net_route {
	enum net_route_kind kind;
	struct net_prefix dst;
	uint8_t has_gw;
	uint8_t gw[16];                   /* the next hop, same family as dst */
	unsigned ifindex;
	char ifname[16];                  /* filled by the recorder for the journal */
	unsigned mtu;                     /* a looked-up route's "mtu" metric; 0: none */
};

/* ---- text (pure) */
/* "203.0.113.0/24", "2001:db8::/32", or a bare address (full length).
 * Host bits beyond len must be zero for routes; 0 or -EINVAL. */
int net_prefix_parse(const char *s, struct net_prefix *out);
const char *net_prefix_str(const struct net_prefix *p, char *out, size_t len);
/* A host prefix (/32, /128) from a socket address; 0 or -EAFNOSUPPORT. */
int net_prefix_from_sa(const struct sockaddr *sa, struct net_prefix *out);
/* Zero the host bits (a route destination); 0 or -EINVAL. */
int net_prefix_mask(struct net_prefix *p);
/* 1 when the address `a` (its own length not looked at) lies inside the
 * prefix p: the same family and the first p->len bits equal. Else 0. */
int net_prefix_contains(const struct net_prefix *p, const struct net_prefix *a);
int net_route_eq(const struct net_route *a, const struct net_route *b);
/* "route 0.0.0.0/1 dev petrel0", "addr 203.0.113.10/32 dev petrel0",
 * "route 198.51.100.1/32 via 192.0.2.1 dev eth0": the journal's line. */
const char *net_route_str(const struct net_route *r, char *out, size_t len);

/* ---- primitives (per platform). Negative errnos as the kernel gave them
 * (-EEXIST, -ESRCH, -ENETUNREACH...); the kernel's own message is logged. */
int net_route_sys_add(const struct net_route *r);
int net_route_sys_del(const struct net_route *r);
/* The route the kernel would take to `dst` (a host address): ifindex and,
 * when not on-link, the gateway. -ENETUNREACH when there is none. */
int net_route_sys_get(const struct net_prefix *dst, struct net_route *out);
/* The route the main table has to `dst` (a host address) outside a
 * tunnel: as if routes through exclude_ifindex and petrel's own
 * (NET_ROUTE_PROTO) were not there. Longest prefix among the unicast routes
 * of the main table of dst's family, ties to the lowest metric; next hops
 * the kernel marks dead or link-down do not count, nor does the policy
 * routing of other tables. out: ifindex and, when not on-link, the gateway,
 * like net_route_sys_get, with out->dst the matching route's prefix (e.g.
 * 0.0.0.0/0). -ENETUNREACH when there is none; -ENOTSUP where the platform
 * cannot say (macOS, for now). */
int net_route_sys_outside(const struct net_prefix *dst, unsigned exclude_ifindex,
			  struct net_route *out);
/* The path MTU towards dst as this host knows it: the route's "mtu"
 * metric (also what the kernel learned from ICMP, for a cached route), else
 * the MTU of the route's output interface. 0 or a negative errno (no route,
 * interface gone). Used to size the tunnel (mtu.h). */
int net_path_mtu(const struct sockaddr *dst, unsigned *mtu);

/* ---- the recorder */
struct net_routes;

/* journal: the crash-recovery file (NULL: NET_ROUTE_JOURNAL_DEFAULT; its
 * directory is made 0755 when missing). Nothing is written before the
 * first add. */
int net_routes_new(const char *journal, struct net_routes **out);
/* Add and record one address or route. A route or address that exists
 * already is not recorded and is not an error. */
int net_routes_add(struct net_routes *rs, const struct net_route *r);
int net_routes_addr_add(struct net_routes *rs, unsigned ifindex, const struct net_prefix *addr);
/* Full tunnel (see above) for the families of `gateway` plus those asked
 * in `families` (NET_ROUTES_V4 | NET_ROUTES_V6). -ELOOP when the route to
 * the gateway already goes through the TUN. On failure, what was added so
 * far stays recorded: net_routes_undo_all() removes it. */
#define NET_ROUTES_V4 1u
#define NET_ROUTES_V6 2u
int net_routes_full(struct net_routes *rs, unsigned tun_ifindex, const struct sockaddr *gateway,
		    unsigned families);
/* Full tunnel, after the network changed (roaming: the default route moved
 * to another uplink, the old one lost its address and the kernel flushed
 * routes through it): point the gateway's host route at the current path
 * outside the tunnel (net_route_sys_outside). The recorded route that does
 * not go through the TUN (the one net_routes_full added) is deleted (already
 * gone is fine) and the new one added and recorded in its place, journal
 * included. When the path has not changed the recorded route is only put
 * back if the kernel removed it. A gateway that is an address of this host
 * needs nothing. 0 (nothing to change, or changed), -ENETUNREACH when there
 * is no path outside at all (every uplink down: then no host route is left,
 * and a later call adds one), or the first error. */
int net_routes_bypass_update(struct net_routes *rs, unsigned tun_ifindex,
			     const struct sockaddr *gateway);
/* Split tunnel: one route per prefix (host bits are cleared) via the TUN. */
int net_routes_split(struct net_routes *rs, unsigned tun_ifindex, const struct net_prefix *pfx,
		     size_t n);
/* Delete everything recorded, newest first; routes and addresses already
 * gone (their interface went away) are fine. The journal is removed when
 * the list is empty. Returns the first real error. */
int net_routes_undo_all(struct net_routes *rs);
size_t net_routes_count(const struct net_routes *rs);
const struct net_route *net_routes_at(const struct net_routes *rs, size_t i);
/* Frees without undoing (the journal stays for recovery). NULL: no-op. */
void net_routes_free(struct net_routes *rs);

/* ---- the journal (pure parsing, and recovery) */
/* Parse a journal's text into at most `max` entries. -EBADMSG with `err`
 * saying which line and why; interface indexes are left 0 (names are what
 * survive a restart). */
int net_routes_journal_parse(const char *text, size_t len, struct net_route *out, size_t max,
			     size_t *n, char *err, size_t err_len);
/* Render entries as a journal; 0 or -ENOBUFS. */
int net_routes_journal_render(const struct net_route *r, size_t n, char *out, size_t cap,
			      size_t *len);
/* Undo a previous run's journal: 0 (nothing there, or all undone and the
 * file removed), or -EBADMSG (malformed: the file is kept, nothing done)
 * or the first delete error. */
int net_routes_recover(const char *journal);

#endif
