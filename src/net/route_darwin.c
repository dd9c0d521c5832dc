/* Route and address primitives on macOS (route.h): the PF_ROUTE socket for
 * routes (RTM_ADD, RTM_DELETE, RTM_GET; each message a struct rt_msghdr
 * followed by the sockaddrs rtm_addrs names, each padded to 4 octets), and
 * SIOCAIFADDR / SIOCAIFADDR_IN6 for addresses on the utun. Built only on
 * macOS (src/net/CMakeLists.txt). */
#include "net/route.h"

#include <errno.h>
#include <net/if.h>
#include <net/if_dl.h>
#include <net/route.h>
#include <netinet/in.h>
#include <netinet6/in6_var.h>
#include <netinet6/nd6.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "base/log.h"

/* sockaddrs in routing messages are padded to 32 bits on Darwin */
#define SA_ROUNDUP(a) ((a) > 0 ? (1 + (((a) - 1) | (sizeof(uint32_t) - 1))) : sizeof(uint32_t))

struct rt_buf {
	struct rt_msghdr hdr;
	uint8_t space[512];
};

static size_t fam_len(uint8_t family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

static void sa_fill(struct sockaddr_storage *ss, uint8_t family, const uint8_t *addr)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
		s4->sin_len = sizeof(*s4);
		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, addr, 4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		s6->sin6_len = sizeof(*s6);
		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, addr, 16);
	}
}

static void mask_fill(struct sockaddr_storage *ss, uint8_t family, unsigned len)
{
	uint8_t m[16] = { 0 };

	for (unsigned i = 0; i < len / 8; i++)
		m[i] = 0xff;
	if (len % 8)
		m[len / 8] = (uint8_t)(0xff00u >> (len % 8));
	sa_fill(ss, family, m);
}

static int rt_put(struct rt_buf *b, size_t *off, const void *sa, size_t sa_len)
{
	size_t step = SA_ROUNDUP(sa_len);

	if (step > sizeof(b->space) - *off)
		return -ENOBUFS;
	memset(b->space + *off, 0, step);
	memcpy(b->space + *off, sa, sa_len);
	*off += step;
	return 0;
}

static int route_msg(int type, const struct net_route *r)
{
	static int seq;
	struct rt_buf b;
	struct sockaddr_storage dst, gw, mask;
	struct sockaddr_dl sdl;
	size_t off = 0, alen = fam_len(r->dst.family);
	int s, rc = 0, host = r->dst.len == alen * 8;

	if (!alen)
		return -EINVAL;
	memset(&b, 0, sizeof(b));
	b.hdr.rtm_version = RTM_VERSION;
	b.hdr.rtm_type = (u_char)type;
	b.hdr.rtm_flags = RTF_UP | RTF_STATIC | (host ? RTF_HOST : 0) | (r->has_gw ? RTF_GATEWAY : 0);
	b.hdr.rtm_addrs = RTA_DST | RTA_GATEWAY | (host ? 0 : RTA_NETMASK);
	b.hdr.rtm_seq = ++seq;
	b.hdr.rtm_pid = getpid();
	sa_fill(&dst, r->dst.family, r->dst.addr);
	rc = rt_put(&b, &off, &dst, ((struct sockaddr *)&dst)->sa_len);
	if (r->has_gw) {
		sa_fill(&gw, r->dst.family, r->gw);
		rc = rc ? rc : rt_put(&b, &off, &gw, ((struct sockaddr *)&gw)->sa_len);
	} else {
		/* a route to an interface: the gateway is its link address */
		memset(&sdl, 0, sizeof(sdl));
		sdl.sdl_len = sizeof(sdl);
		sdl.sdl_family = AF_LINK;
		sdl.sdl_index = (u_short)r->ifindex;
		rc = rc ? rc : rt_put(&b, &off, &sdl, sizeof(sdl));
	}
	if (!host) {
		mask_fill(&mask, r->dst.family, r->dst.len);
		rc = rc ? rc : rt_put(&b, &off, &mask, ((struct sockaddr *)&mask)->sa_len);
	}
	if (rc)
		return rc;
	b.hdr.rtm_msglen = (u_short)(sizeof(b.hdr) + off);
	if ((s = socket(PF_ROUTE, SOCK_RAW, 0)) < 0)
		return -errno;
	rc = write(s, &b, b.hdr.rtm_msglen) < 0 ? -errno : 0;
	close(s);
	return rc;
}

static int addr_ioctl(const struct net_route *r, int add)
{
	char name[IF_NAMESIZE];
	int s, rc;

	if (!if_indextoname(r->ifindex, name))
		return -ENODEV;
	if (r->dst.family == AF_INET) {
		if ((s = socket(AF_INET, SOCK_DGRAM, 0)) < 0)
			return -errno;
		if (add) {
			struct in_aliasreq ar;
			struct sockaddr_storage a, m;
			memset(&ar, 0, sizeof(ar));
			memcpy(ar.ifra_name, name, strnlen(name, IFNAMSIZ - 1));
			sa_fill(&a, AF_INET, r->dst.addr);
			mask_fill(&m, AF_INET, r->dst.len);
			memcpy(&ar.ifra_addr, &a, sizeof(ar.ifra_addr));
			/* utun is point to point: the peer is ourselves */
			memcpy(&ar.ifra_broadaddr, &a, sizeof(ar.ifra_broadaddr));
			memcpy(&ar.ifra_mask, &m, sizeof(ar.ifra_mask));
			rc = ioctl(s, SIOCAIFADDR, &ar) < 0 ? -errno : 0;
		} else {
			struct ifreq ifr;
			struct sockaddr_storage a;
			memset(&ifr, 0, sizeof(ifr));
			memcpy(ifr.ifr_name, name, strnlen(name, IFNAMSIZ - 1));
			sa_fill(&a, AF_INET, r->dst.addr);
			memcpy(&ifr.ifr_addr, &a, sizeof(struct sockaddr_in));
			rc = ioctl(s, SIOCDIFADDR, &ifr) < 0 ? -errno : 0;
		}
		close(s);
		return rc;
	}
	if ((s = socket(AF_INET6, SOCK_DGRAM, 0)) < 0)
		return -errno;
	if (add) {
		struct in6_aliasreq ar;
		struct sockaddr_storage a, m;
		memset(&ar, 0, sizeof(ar));
		memcpy(ar.ifra_name, name, strnlen(name, IFNAMSIZ - 1));
		sa_fill(&a, AF_INET6, r->dst.addr);
		mask_fill(&m, AF_INET6, r->dst.len);
		memcpy(&ar.ifra_addr, &a, sizeof(ar.ifra_addr));
		memcpy(&ar.ifra_prefixmask, &m, sizeof(ar.ifra_prefixmask));
		ar.ifra_flags = IN6_IFF_NODAD;
		ar.ifra_lifetime.ia6t_vltime = ND6_INFINITE_LIFETIME;
		ar.ifra_lifetime.ia6t_pltime = ND6_INFINITE_LIFETIME;
		rc = ioctl(s, SIOCAIFADDR_IN6, &ar) < 0 ? -errno : 0;
	} else {
		struct in6_ifreq ifr;
		struct sockaddr_storage a;
		memset(&ifr, 0, sizeof(ifr));
		memcpy(ifr.ifr_name, name, strnlen(name, IFNAMSIZ - 1));
		sa_fill(&a, AF_INET6, r->dst.addr);
		memcpy(&ifr.ifr_addr, &a, sizeof(ifr.ifr_addr));
		rc = ioctl(s, SIOCDIFADDR_IN6, &ifr) < 0 ? -errno : 0;
	}
	close(s);
	return rc;
}

int net_route_sys_add(const struct net_route *r)
{
	if (r->kind == NET_ROUTE_ADDR)
		return addr_ioctl(r, 1);
	return route_msg(RTM_ADD, r);
}

int net_route_sys_del(const struct net_route *r)
{
	int rc;

	if (r->kind == NET_ROUTE_ADDR) {
		rc = addr_ioctl(r, 0);
		return rc == -EADDRNOTAVAIL || rc == -ENXIO ? -ESRCH : rc;
	}
	return route_msg(RTM_DELETE, r);
}

int net_route_sys_get(const struct net_prefix *dst, struct net_route *out)
{
	struct rt_buf b;
	struct sockaddr_storage d;
	struct timeval tv = { .tv_sec = 3 };
	size_t off = 0, alen = fam_len(dst->family);
	pid_t me = getpid();
	int s, rc, seq = (int)(me & 0xffff) << 8;

	memset(out, 0, sizeof(*out));
	if (!alen)
		return -EINVAL;
	memset(&b, 0, sizeof(b));
	b.hdr.rtm_version = RTM_VERSION;
	b.hdr.rtm_type = RTM_GET;
	b.hdr.rtm_flags = RTF_UP | RTF_HOST;
	b.hdr.rtm_addrs = RTA_DST;
	b.hdr.rtm_seq = seq;
	b.hdr.rtm_pid = me;
	sa_fill(&d, dst->family, dst->addr);
	if ((rc = rt_put(&b, &off, &d, ((struct sockaddr *)&d)->sa_len)) < 0)
		return rc;
	b.hdr.rtm_msglen = (u_short)(sizeof(b.hdr) + off);
	if ((s = socket(PF_ROUTE, SOCK_RAW, 0)) < 0)
		return -errno;
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (write(s, &b, b.hdr.rtm_msglen) < 0) {
		rc = errno == ESRCH ? -ENETUNREACH : -errno;
		close(s);
		return rc;
	}
	/* the answer comes back on the same socket, among others' news */
	for (int round = 0; round < 64; round++) {
		ssize_t n = read(s, &b, sizeof(b));
		if (n < 0) {
			rc = errno == EAGAIN ? -ETIMEDOUT : -errno;
			close(s);
			return rc;
		}
		if ((size_t)n < sizeof(b.hdr) || b.hdr.rtm_msglen > (size_t)n ||
		    b.hdr.rtm_version != RTM_VERSION)
			continue;
		if (b.hdr.rtm_type != RTM_GET || b.hdr.rtm_pid != me || b.hdr.rtm_seq != seq)
			continue;
		close(s);
		if (b.hdr.rtm_errno)
			return -b.hdr.rtm_errno;
		out->kind = NET_ROUTE_ROUTE;
		out->dst = *dst;
		out->ifindex = b.hdr.rtm_index;
		if (b.hdr.rtm_flags & (RTF_BLACKHOLE | RTF_REJECT))
			return -ENETUNREACH;
		/* walk the sockaddrs: DST, then GATEWAY when present */
		size_t left = (size_t)n - sizeof(b.hdr), at = 0;
		for (int i = 0; i < RTAX_MAX && at < left; i++) {
			if (!(b.hdr.rtm_addrs & (1 << i)))
				continue;
			const struct sockaddr *sa = (const struct sockaddr *)(const void *)(b.space + at);
			size_t sl = sa->sa_len;
			if (SA_ROUNDUP(sl) > left - at)
				break;
			if (i == RTAX_GATEWAY && (b.hdr.rtm_flags & RTF_GATEWAY) &&
			    sa->sa_family == dst->family) {
				if (dst->family == AF_INET && sl >= sizeof(struct sockaddr_in))
					memcpy(out->gw, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
				else if (dst->family == AF_INET6 && sl >= sizeof(struct sockaddr_in6))
					memcpy(out->gw, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
				else
					return -EBADMSG;
				out->has_gw = 1;
			}
			at += SA_ROUNDUP(sl);
		}
		if (b.hdr.rtm_flags & RTF_LOCAL)
			out->ifindex = 0, out->has_gw = 0; /* an address of this host */
		return 0;
	}
	close(s);
	return -ETIMEDOUT;
}

/* The outside route needs a walk of the routing table (sysctl NET_RT_DUMP,
 * then the same longest-prefix choice as nl_route_pick on Linux); until
 * then the caller keeps the gateway's route as net_routes_full made it. */
int net_route_sys_outside(const struct net_prefix *dst, unsigned exclude_ifindex,
			  struct net_route *out)
{
	(void)exclude_ifindex;
	memset(out, 0, sizeof(*out));
	return fam_len(dst->family) ? -ENOTSUP : -EINVAL;
}
