/* What tun.c shares with the platform backends (tun_linux.c,
 * tun_darwin.c): the handle, and the steps after the device exists. */
#ifndef PETREL_NET_TUN_INT_H
#define PETREL_NET_TUN_INT_H

#include "net/tun.h"

#define NET_TUN_MTU_MIN 68u
#define NET_TUN_MTU_MAX 65535u

struct net_tun {
	int fd;
	unsigned ifindex;
	unsigned mtu;
	char name[NET_TUN_NAME_MAX];
	struct net_tun_stats st;
};

/* t->fd open and t->name set: find the ifindex, set the MTU, bring it up.
 * On success *out = t; on failure t is closed and freed. */
int tun_finish_open(struct net_tun *t, unsigned mtu, struct net_tun **out);

#endif
