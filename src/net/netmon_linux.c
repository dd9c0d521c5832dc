/* The network-change monitor on Linux: rtnetlink multicast (netmon.h). */
#include "net/netmon.h"

#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/limits.h"
#include "base/log.h"
#include "net/nl_linux.h"

struct net_netmon {
	struct nl_sock ns;
	unsigned ignore_ifindex;
	uint8_t buf[PT_NET_NL_BUF_LEN];
};

unsigned net_netmon_classify(const uint8_t *buf, size_t len, unsigned ignore_ifindex)
{
	struct nl_msg_view m;
	size_t off = 0;
	unsigned ev = 0;
	int more;

	while ((more = nl_next(buf, len, &off, &m)) == 1) {
		switch (m.type) {
		case RTM_NEWLINK:
		case RTM_DELLINK: {
			struct ifinfomsg ifi;
			if (m.payload_len < sizeof(ifi))
				break;
			memcpy(&ifi, m.payload, sizeof(ifi));
			if (ignore_ifindex && (unsigned)ifi.ifi_index == ignore_ifindex)
				break;
			ev |= NET_NETMON_LINK;
			break;
		}
		case RTM_NEWADDR:
		case RTM_DELADDR: {
			struct ifaddrmsg ifa;
			if (m.payload_len < sizeof(ifa))
				break;
			memcpy(&ifa, m.payload, sizeof(ifa));
			if (ignore_ifindex && ifa.ifa_index == ignore_ifindex)
				break;
			ev |= NET_NETMON_ADDR;
			break;
		}
		case RTM_NEWROUTE:
		case RTM_DELROUTE: {
			struct net_route r;
			struct rtmsg rt;
			if (m.payload_len < sizeof(rt))
				break;
			memcpy(&rt, m.payload, sizeof(rt));
			if (rt.rtm_protocol == NET_ROUTE_PROTO || rt.rtm_table != RT_TABLE_MAIN)
				break; /* ours, or local/cache tables */
			if (nl_parse_route(&m, &r, NULL) == 0 && ignore_ifindex &&
			    r.ifindex == ignore_ifindex)
				break;
			ev |= NET_NETMON_ROUTE;
			break;
		}
		default:
			break;
		}
	}
	if (more < 0)
		ev |= NET_NETMON_RESYNC;
	return ev;
}

int net_netmon_open(struct net_netmon **out)
{
	struct net_netmon *m;
	int rc;

	*out = NULL;
	if (!(m = calloc(1, sizeof(*m))))
		return -ENOMEM;
	rc = nl_sock_open(&m->ns, RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR |
					  RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE, 1);
	if (rc < 0) {
		free(m);
		return rc;
	}
	*out = m;
	return 0;
}

int net_netmon_fd(const struct net_netmon *m) { return m->ns.fd; }

void net_netmon_ignore_ifindex(struct net_netmon *m, unsigned ifindex)
{
	m->ignore_ifindex = ifindex;
}

int net_netmon_read(struct net_netmon *m, unsigned *events)
{
	*events = 0;
	for (unsigned i = 0; i < PT_NET_NETMON_MSGS_MAX; i++) {
		struct sockaddr_nl from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(m->ns.fd, m->buf, sizeof(m->buf), MSG_TRUNC,
				     (struct sockaddr *)&from, &fl);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			if (errno == ENOBUFS) {
				/* the kernel dropped messages: the caller looks again */
				*events |= NET_NETMON_RESYNC;
				continue;
			}
			return -errno;
		}
		if (fl != sizeof(from) || from.nl_pid != 0)
			continue; /* only the kernel speaks here */
		if ((size_t)n > sizeof(m->buf)) {
			*events |= NET_NETMON_RESYNC;
			continue;
		}
		*events |= net_netmon_classify(m->buf, (size_t)n, m->ignore_ifindex);
	}
	return 0;
}

void net_netmon_close(struct net_netmon *m)
{
	if (!m)
		return;
	nl_sock_close(&m->ns);
	free(m);
}
