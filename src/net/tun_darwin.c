/* The TUN device on macOS: a utun control socket (tun.h).
 *
 * utun is a kernel control (PF_SYSTEM, SYSPROTO_CONTROL) named
 * UTUN_CONTROL_NAME; connecting with sc_unit N + 1 creates utunN (0: the
 * next free one). Every packet on the socket starts with a 4-octet address
 * family in network order (AF_INET / AF_INET6); the batch helpers add and
 * strip it with readv/writev so callers see bare IP packets as on Linux.
 * Built only on macOS (src/net/CMakeLists.txt). */
#include "net/tun.h"
#include "net/tun_int.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/if_utun.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/kern_control.h>
#include <sys/socket.h>
#include <sys/sys_domain.h>
#include <sys/uio.h>
#include <unistd.h>

#include "base/limits.h"
#include "base/log.h"

#define UTUN_AF_LEN 4u

/* "utunN" asks for unit N (sc_unit N + 1); anything else takes any. */
static unsigned utun_unit(const char *name)
{
	unsigned long n;
	char *end;

	if (!name || strncmp(name, "utun", 4) != 0 || name[4] < '0' || name[4] > '9')
		return 0;
	errno = 0;
	n = strtoul(name + 4, &end, 10);
	if (errno || *end || n > 254)
		return 0;
	return (unsigned)n + 1;
}

int net_tun_open(const struct net_tun_cfg *cfg, struct net_tun **out)
{
	const char *want = cfg ? cfg->name : NULL;
	unsigned mtu = cfg && cfg->mtu ? cfg->mtu : NET_TUN_MTU_DEFAULT;
	struct ctl_info info;
	struct sockaddr_ctl sc;
	struct net_tun *t;
	socklen_t nl;
	int rc, fl;

	*out = NULL;
	if (want && !net_tun_name_valid(want))
		return -EINVAL;
	if (mtu < NET_TUN_MTU_MIN || mtu > NET_TUN_MTU_MAX)
		return -EINVAL;
	if (want && !utun_unit(want))
		log_info("tun", "macOS names utun devices itself; '%s' becomes the next free utunN", want);
	if (!(t = calloc(1, sizeof(*t))))
		return -ENOMEM;
	t->fd = socket(PF_SYSTEM, SOCK_DGRAM, SYSPROTO_CONTROL);
	if (t->fd < 0) {
		rc = -errno;
		log_err("tun", "utun control socket: %s", strerror(-rc));
		free(t);
		return rc;
	}
	memset(&info, 0, sizeof(info));
	snprintf(info.ctl_name, sizeof(info.ctl_name), "%s", UTUN_CONTROL_NAME);
	if (ioctl(t->fd, CTLIOCGINFO, &info) < 0) {
		rc = -errno;
		log_err("tun", "CTLIOCGINFO %s: %s", UTUN_CONTROL_NAME, strerror(-rc));
		goto fail;
	}
	memset(&sc, 0, sizeof(sc));
	sc.sc_len = sizeof(sc);
	sc.sc_family = AF_SYSTEM;
	sc.ss_sysaddr = AF_SYS_CONTROL;
	sc.sc_id = info.ctl_id;
	sc.sc_unit = utun_unit(want);
	if (connect(t->fd, (struct sockaddr *)&sc, sizeof(sc)) < 0) {
		rc = errno == EBUSY ? -EBUSY : -errno;
		log_err("tun", "utun unit %u: %s", sc.sc_unit, strerror(-rc));
		goto fail;
	}
	nl = sizeof(t->name);
	if (getsockopt(t->fd, SYSPROTO_CONTROL, UTUN_OPT_IFNAME, t->name, &nl) < 0) {
		rc = -errno;
		goto fail;
	}
	t->name[sizeof(t->name) - 1] = '\0';
	if ((fl = fcntl(t->fd, F_GETFL)) < 0 || fcntl(t->fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
	    fcntl(t->fd, F_SETFD, FD_CLOEXEC) < 0) {
		rc = -errno;
		goto fail;
	}
	return tun_finish_open(t, mtu, out);
fail:
	close(t->fd);
	free(t);
	return rc;
}

int net_tun_read_batch(struct net_tun *t, struct net_tun_pkt *pkts, unsigned n)
{
	unsigned got = 0;

	if (n > PT_NET_TUN_BATCH_MAX)
		n = PT_NET_TUN_BATCH_MAX;
	for (unsigned tries = 0; got < n && tries < n; tries++) {
		struct net_tun_pkt *p = &pkts[got];
		uint8_t af[UTUN_AF_LEN];
		struct iovec iov[2] = { { af, sizeof(af) }, { p->data, p->cap } };
		ssize_t r = readv(t->fd, iov, 2);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK || got)
				break;
			return -errno;
		}
		if ((size_t)r < UTUN_AF_LEN) {
			t->st.rx_drop_bad++;
			continue;
		}
		r -= UTUN_AF_LEN;
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
		const struct net_tun_pkt *p = &pkts[done];
		uint32_t af;
		if (p->len == 0) {
			t->st.tx_drop_err++;
			done++;
			continue;
		}
		switch (p->data[0] >> 4) {
		case 4: af = htonl(AF_INET); break;
		case 6: af = htonl(AF_INET6); break;
		default:
			t->st.tx_drop_err++;
			done++;
			continue;
		}
		struct iovec iov[2] = { { &af, sizeof(af) }, { p->data, p->len } };
		ssize_t w = writev(t->fd, iov, 2);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)
				break;
			if (errno == EINVAL || errno == EMSGSIZE) {
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

int net_tun_fd_vnet_hdr(int fd)
{
	(void)fd;
	return 0; /* utun has no offloads */
}
