/* The path MTU towards the gateway, from the routing table (route.h). The
 * same on Linux and macOS: the route lookup is per platform, the interface
 * MTU is ifreq.h's on both. */
#include <errno.h>
#include <net/if.h>

#include "net/ifreq.h"
#include "net/route.h"

int net_path_mtu(const struct sockaddr *dst, unsigned *mtu)
{
	struct net_prefix p;
	struct net_route r;
	int rc;

	if ((rc = net_prefix_from_sa(dst, &p)) || (rc = net_route_sys_get(&p, &r)))
		return rc;
	if (r.mtu) {
		*mtu = r.mtu;
		return 0;
	}
	char name[IF_NAMESIZE];
	if (!r.ifindex)
		return -ENOENT; /* a local address: no path to size */
	if (!if_indextoname(r.ifindex, name))
		return -errno;
	return net_if_mtu_get(name, mtu);
}
