/* The TUN device on Linux: /dev/net/tun, IFF_TUN | IFF_NO_PI (tun.h). */
#include "net/tun.h"
#include "net/tun_int.h"

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
	if (mtu < NET_TUN_MTU_MIN || mtu > NET_TUN_MTU_MAX) {
		log_err("tun", "MTU %u out of range %u-%u", mtu, NET_TUN_MTU_MIN, NET_TUN_MTU_MAX);
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
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI | (cfg && cfg->offload ? IFF_VNET_HDR : 0);
	if (ioctl(t->fd, TUNSETIFF, &ifr) < 0) {
		rc = -errno;
		log_err("tun", "TUNSETIFF %s: %s", name, strerror(-rc));
		goto fail;
	}
	if (cfg && cfg->offload) {
		/* TCP super-packets (TSO) and checksums left to us; the reader
		 * segments and completes them (src/tunnel/offload.h). */
		int hdr = 10;
		unsigned off = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6;
		if (ioctl(t->fd, TUNSETVNETHDRSZ, &hdr) < 0 || ioctl(t->fd, TUNSETOFFLOAD, off) < 0)
			log_warn("tun", "%s: no TCP segmentation offload (%s); plain packets", name,
				 strerror(errno));
	}
	memcpy(t->name, ifr.ifr_name, IFNAMSIZ - 1);
	t->name[IFNAMSIZ - 1] = '\0';
	return tun_finish_open(t, mtu, out);
fail:
	close(t->fd);
	free(t);
	return rc;
}

int net_tun_fd_vnet_hdr(int fd)
{
	struct ifreq ifr;
	int hdr = 0;
	memset(&ifr, 0, sizeof(ifr));
	if (ioctl(fd, TUNGETIFF, &ifr) < 0 || !(ifr.ifr_flags & IFF_VNET_HDR))
		return 0;
	if (ioctl(fd, TUNGETVNETHDRSZ, &hdr) < 0)
		return 0;
	return hdr;
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
