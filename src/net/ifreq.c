/* Interface ioctls (ifreq.h). */
#include "net/ifreq.h"

#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#ifdef SOCK_CLOEXEC
#define DGRAM_CLOEXEC (SOCK_DGRAM | SOCK_CLOEXEC)
#else
#define DGRAM_CLOEXEC SOCK_DGRAM /* macOS: closed before any fork */
#endif

/* An ioctl on the interface through a throwaway datagram socket (any family
 * reaches the interface ioctls; IPv4 may be absent, so fall back to IPv6). */
static int ifreq_ioctl(unsigned long req, const char *name, struct ifreq *ifr)
{
	size_t n = strnlen(name, IFNAMSIZ);
	if (n == 0 || n >= IFNAMSIZ)
		return -EINVAL;
	memcpy(ifr->ifr_name, name, n + 1);
	int s = socket(AF_INET, DGRAM_CLOEXEC, 0);
	if (s < 0)
		s = socket(AF_INET6, DGRAM_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	int rc = ioctl(s, req, ifr) < 0 ? -errno : 0;
	close(s);
	return rc;
}

int net_if_mtu_get(const char *name, unsigned *mtu)
{
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	int rc = ifreq_ioctl(SIOCGIFMTU, name, &ifr);
	if (rc)
		return rc;
	if (ifr.ifr_mtu <= 0)
		return -EINVAL;
	*mtu = (unsigned)ifr.ifr_mtu;
	return 0;
}

int net_if_mtu_set(const char *name, unsigned mtu)
{
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_mtu = (int)mtu;
	return ifreq_ioctl(SIOCSIFMTU, name, &ifr);
}

int net_if_up(const char *name)
{
	struct ifreq ifr;
	int rc;

	memset(&ifr, 0, sizeof(ifr));
	if ((rc = ifreq_ioctl(SIOCGIFFLAGS, name, &ifr)) < 0)
		return rc;
	ifr.ifr_flags |= IFF_UP;
	return ifreq_ioctl(SIOCSIFFLAGS, name, &ifr);
}
