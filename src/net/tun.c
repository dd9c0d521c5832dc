/* What both TUN backends share (tun.h, tun_int.h). */
#include "net/tun.h"

#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "net/ifreq.h"
#include "net/tun_int.h"

int net_tun_name_valid(const char *name)
{
	size_t len;
	int pct = 0;

	if (!name || (len = strnlen(name, NET_TUN_NAME_MAX)) == 0 || len >= NET_TUN_NAME_MAX)
		return 0;
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		if (c == '%') {
			if (name[i + 1] != 'd' || pct++)
				return 0;
			i++;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.'))
			return 0;
	}
	return 1;
}

int tun_finish_open(struct net_tun *t, unsigned mtu, struct net_tun **out)
{
	int rc;

	if (!(t->ifindex = if_nametoindex(t->name))) {
		rc = -errno;
		log_err("tun", "%s: no ifindex: %s", t->name, strerror(-rc));
		goto fail;
	}
	if ((rc = net_if_mtu_set(t->name, mtu)) < 0) {
		log_err("tun", "%s: MTU %u: %s", t->name, mtu, strerror(-rc));
		goto fail;
	}
	t->mtu = mtu;
	if ((rc = net_if_up(t->name)) < 0) {
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

	if (mtu < NET_TUN_MTU_MIN || mtu > NET_TUN_MTU_MAX)
		return -EINVAL;
	if ((rc = net_if_mtu_set(t->name, mtu)) < 0) {
		log_err("tun", "%s: MTU %u: %s", t->name, mtu, strerror(-rc));
		return rc;
	}
	log_info("tun", "%s: MTU %u -> %u", t->name, t->mtu, mtu);
	t->mtu = mtu;
	return 0;
}

void net_tun_close(struct net_tun *t)
{
	if (!t)
		return;
	/* the counters are net_tun_read_batch's and write_batch's; a data
	 * path that uses the descriptor itself (src/tunnel) counts its own */
	if (t->st.rx_pkts || t->st.tx_pkts)
		log_info("tun", "%s closed (rx %llu tx %llu)", t->name,
			 (unsigned long long)t->st.rx_pkts, (unsigned long long)t->st.tx_pkts);
	else
		log_info("tun", "%s closed", t->name);
	close(t->fd);
	free(t);
}
