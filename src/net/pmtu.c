/* The path MTU towards the gateway, from the routing table (route.h). The
 * same on Linux and macOS: the route lookup is per platform, the interface
 * MTU is SIOCGIFMTU on both. */
#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/route.h"

static int if_mtu(unsigned ifindex, unsigned *mtu)
{
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	if (!if_indextoname(ifindex, ifr.ifr_name))
		return -errno;
	int fd = socket(AF_INET, SOCK_DGRAM, 0) /* closed before any fork */;
	if (fd < 0)
		return -errno;
	int rc = ioctl(fd, SIOCGIFMTU, &ifr) < 0 ? -errno : 0;
	close(fd);
	if (!rc) {
		if (ifr.ifr_mtu <= 0)
			return -EINVAL;
		*mtu = (unsigned)ifr.ifr_mtu;
	}
	return rc;
}

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
	if (!r.ifindex)
		return -ENOENT; /* a local address: no path to size */
	return if_mtu(r.ifindex, mtu);
}
