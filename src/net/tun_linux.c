/* The TUN device on Linux: /dev/net/tun, IFF_TUN | IFF_NO_PI (tun.h). */
#include "net/tun.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/limits.h"
#include "base/log.h"

#define TUN_DEV "/dev/net/tun"

struct net_tun {
	int fd;
	unsigned ifindex;
	unsigned mtu;
	char name[NET_TUN_NAME_MAX];
	struct net_tun_stats st;
};

/* An ioctl on the interface through a throwaway datagram socket (any family
 * reaches dev_ioctl; IPv4 may be absent, so fall back to IPv6). */
static int ifreq_ioctl(unsigned long req, struct ifreq *ifr)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		s = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	int rc = ioctl(s, req, ifr) < 0 ? -errno : 0;
	close(s);
	return rc;
}

static int tun_mtu_set(const char *name, unsigned mtu)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, name, strnlen(name, IFNAMSIZ - 1));
	ifr.ifr_mtu = (int)mtu;
	return ifreq_ioctl(SIOCSIFMTU, &ifr);
}

static int tun_up(const char *name)
{
	struct ifreq ifr;
	int rc;

	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, name, strnlen(name, IFNAMSIZ - 1));
	if ((rc = ifreq_ioctl(SIOCGIFFLAGS, &ifr)) < 0)
		return rc;
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	return ifreq_ioctl(SIOCSIFFLAGS, &ifr);
}

int net_tun_open(const struct net_tun_cfg *cfg, struct net_tun **out)
{
	const char *name = cfg && cfg->name ? cfg->name : NET_TUN_NAME_DEFAULT;
	unsigned mtu = cfg && cfg->mtu ? cfg->mtu : NET_TUN_MTU_DEFAULT;
	struct ifreq ifr;
	struct net_tun *t;
	int rc;

	*out = NULL;
	if (!net_tun_name_valid(name)) {
		log_err("tun", "bad interface name '%s' (1-15 of [A-Za-z0-9_.-], at most one %%d)", name);
		return -EINVAL;
	}
	if (mtu < 68 || mtu > 65535) {
		log_err("tun", "MTU %u out of range 68-65535", mtu);
		return -EINVAL;
	}
	if (!(t = calloc(1, sizeof(*t))))
		return -ENOMEM;
	t->fd = open(TUN_DEV, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (t->fd < 0) {
		rc = -errno;
		log_err("tun", "open %s: %s", TUN_DEV, strerror(-rc));
		free(t);
		return rc;
	}
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, name, strlen(name));
	/* TODO(issue 4): IFF_VNET_HDR + TUNSETOFFLOAD, IFF_MULTI_QUEUE. */
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	if (ioctl(t->fd, TUNSETIFF, &ifr) < 0) {
		rc = -errno;
		log_err("tun", "TUNSETIFF %s: %s", name, strerror(-rc));
		goto fail;
	}
	memcpy(t->name, ifr.ifr_name, IFNAMSIZ - 1);
	t->name[IFNAMSIZ - 1] = '\0';
	if (!(t->ifindex = if_nametoindex(t->name))) {
		rc = -errno;
		log_err("tun", "%s: no ifindex: %s", t->name, strerror(-rc));
		goto fail;
	}
	if ((rc = tun_mtu_set(t->name, mtu)) < 0) {
		log_err("tun", "%s: MTU %u: %s", t->name, mtu, strerror(-rc));
		goto fail;
	}
	t->mtu = mtu;
	if ((rc = tun_up(t->name)) < 0) {
		log_err("tun", "%s: up: %s", t->name, strerror(-rc));
		goto fail;
	}
	log_info("tun", "%s up (ifindex %u, MTU %u)", t->name, t->ifindex, t->mtu);
	*out = t;
	return 0;
fail:
	close(t->fd);
	free(t);
	return rc;
}

int net_tun_fd(const struct net_tun *t) { return t->fd; }
const char *net_tun_name(const struct net_tun *t) { return t->name; }
unsigned net_tun_ifindex(const struct net_tun *t) { return t->ifindex; }
unsigned net_tun_mtu(const struct net_tun *t) { return t->mtu; }
const struct net_tun_stats *net_tun_stats(const struct net_tun *t) { return &t->st; }

int net_tun_set_mtu(struct net_tun *t, unsigned mtu)
{
	int rc;

	if (mtu < 68 || mtu > 65535)
		return -EINVAL;
	if ((rc = tun_mtu_set(t->name, mtu)) < 0) {
		log_err("tun", "%s: MTU %u: %s", t->name, mtu, strerror(-rc));
		return rc;
	}
	log_info("tun", "%s: MTU %u -> %u", t->name, t->mtu, mtu);
	t->mtu = mtu;
	return 0;
}

int net_tun_read_batch(struct net_tun *t, struct net_tun_pkt *pkts, unsigned n)
{
	unsigned got = 0;

	if (n > PT_NET_TUN_BATCH_MAX)
		n = PT_NET_TUN_BATCH_MAX;
	for (unsigned tries = 0; got < n && tries < n; tries++) {
		struct net_tun_pkt *p = &pkts[got];
		ssize_t r = read(t->fd, p->data, p->cap);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK || got)
				break;
			return -errno;
		}
		if ((size_t)r >= p->cap) {
			t->st.rx_drop_trunc++;
			continue;
		}
		p->len = (size_t)r;
		t->st.rx_pkts++;
		got++;
	}
	return (int)got;
}

int net_tun_write_batch(struct net_tun *t, const struct net_tun_pkt *pkts, unsigned n)
{
	unsigned done = 0;

	if (n > PT_NET_TUN_BATCH_MAX)
		n = PT_NET_TUN_BATCH_MAX;
	while (done < n) {
		ssize_t r = write(t->fd, pkts[done].data, pkts[done].len);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)
				break;
			if (errno == EINVAL || errno == EMSGSIZE || errno == EFAULT ||
			    errno == EIO) {
				/* this packet is bad (not IP, too long): drop it alone */
				t->st.tx_drop_err++;
				done++;
				continue;
			}
			if (!done)
				return -errno;
			break;
		}
		t->st.tx_pkts++;
		done++;
	}
	return (int)done;
}

void net_tun_close(struct net_tun *t)
{
	if (!t)
		return;
	log_info("tun", "%s closed (rx %llu tx %llu)", t->name,
		 (unsigned long long)t->st.rx_pkts, (unsigned long long)t->st.tx_pkts);
	close(t->fd);
	free(t);
}
