/* The network-change monitor on macOS: a PF_ROUTE socket (netmon.h). Every
 * message is a struct rt_msghdr (or the shorter if_msghdr / ifa_msghdr with
 * the same first fields: length, version, type). Built only on macOS.
 * TODO(issue 9): not yet run on a Mac; the macOS CI runner is to exercise it. */
#include "net/netmon.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/route.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/limits.h"

struct net_netmon {
	int fd;
	unsigned ignore_ifindex;
	uint8_t buf[2048];
};

unsigned net_netmon_classify(const uint8_t *buf, size_t len, unsigned ignore_ifindex)
{
	unsigned ev = 0;
	size_t off = 0;

	while (len - off >= 4) {
		uint16_t mlen;
		memcpy(&mlen, buf + off, sizeof(mlen));
		if (mlen < 4 || mlen > len - off)
			return ev | NET_NETMON_RESYNC;
		uint8_t version = buf[off + 2], type = buf[off + 3];
		if (version != RTM_VERSION) {
			off += mlen;
			continue;
		}
		switch (type) {
		case RTM_IFINFO: {
			struct if_msghdr ifm;
			if (mlen < sizeof(ifm))
				break;
			memcpy(&ifm, buf + off, sizeof(ifm));
			if (!ignore_ifindex || ifm.ifm_index != ignore_ifindex)
				ev |= NET_NETMON_LINK;
			break;
		}
		case RTM_NEWADDR:
		case RTM_DELADDR: {
			struct ifa_msghdr ifam;
			if (mlen < sizeof(ifam))
				break;
			memcpy(&ifam, buf + off, sizeof(ifam));
			if (!ignore_ifindex || ifam.ifam_index != ignore_ifindex)
				ev |= NET_NETMON_ADDR;
			break;
		}
		case RTM_ADD:
		case RTM_DELETE:
		case RTM_CHANGE: {
			struct rt_msghdr rtm;
			if (mlen < sizeof(rtm))
				break;
			memcpy(&rtm, buf + off, sizeof(rtm));
			if (rtm.rtm_pid == getpid())
				break; /* ours */
			if (!ignore_ifindex || rtm.rtm_index != ignore_ifindex)
				ev |= NET_NETMON_ROUTE;
			break;
		}
		default:
			break;
		}
		off += mlen;
	}
	return ev;
}

int net_netmon_open(struct net_netmon **out)
{
	struct net_netmon *m;
	int fl;

	*out = NULL;
	if (!(m = calloc(1, sizeof(*m))))
		return -ENOMEM;
	m->fd = socket(PF_ROUTE, SOCK_RAW, 0);
	if (m->fd < 0 || (fl = fcntl(m->fd, F_GETFL)) < 0 ||
	    fcntl(m->fd, F_SETFL, fl | O_NONBLOCK) < 0 || fcntl(m->fd, F_SETFD, FD_CLOEXEC) < 0) {
		int rc = -errno;
		if (m->fd >= 0)
			close(m->fd);
		free(m);
		return rc;
	}
	*out = m;
	return 0;
}

int net_netmon_fd(const struct net_netmon *m) { return m->fd; }

void net_netmon_ignore_ifindex(struct net_netmon *m, unsigned ifindex)
{
	m->ignore_ifindex = ifindex;
}

int net_netmon_read(struct net_netmon *m, unsigned *events)
{
	*events = 0;
	for (unsigned i = 0; i < PT_NET_NETMON_MSGS_MAX; i++) {
		ssize_t n = read(m->fd, m->buf, sizeof(m->buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			if (errno == ENOBUFS) {
				*events |= NET_NETMON_RESYNC;
				continue;
			}
			return -errno;
		}
		*events |= net_netmon_classify(m->buf, (size_t)n, m->ignore_ifindex);
	}
	return 0;
}

void net_netmon_close(struct net_netmon *m)
{
	if (!m)
		return;
	close(m->fd);
	free(m);
}
