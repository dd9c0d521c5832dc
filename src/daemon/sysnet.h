/* What a connection changes in the system, as one object: the TUN device,
 * its addresses, the routes (full or split tunnel, with the gateway's own
 * route kept outside) and DNS. sysnet_down() puts back exactly what was
 * there before. */
#ifndef PETREL_DAEMON_SYSNET_H
#define PETREL_DAEMON_SYSNET_H

#include <stddef.h>
#include <sys/socket.h>

#include "conf/conf.h"
#include "ike/ike.h"

struct sysnet;

struct sysnet_params {
	const char *ifname;                 /* "petrel0" */
	unsigned mtu;                       /* 0: derive from the path */
	const struct conf_profile *profile; /* routes and dns settings */
	const struct ike_cp_result *cp;     /* virtual addresses, DNS servers */
	const struct ike_child *child;      /* its remote selectors, for split tunnels */
	const struct sockaddr *gateway;     /* kept outside the tunnel */
	int natt;                           /* ESP in UDP (MTU arithmetic) */
};

/* Bring the tunnel's system side up; *tun_fd is the non-blocking TUN fd.
 * On failure everything done so far is undone and why[] says what failed. */
int sysnet_up(const struct sysnet_params *p, struct sysnet **out, int *tun_fd, char *why,
	      size_t why_len);
void sysnet_down(struct sysnet *s);
/* After the network changed (netmon, MOBIKE): in a full tunnel, point the
 * gateway's host route at the current path outside the tunnel
 * (net_routes_bypass_update), so that IKE and ESP never loop into the TUN
 * after roaming. 0 when nothing needed changing or the change is made
 * (journal included, so sysnet_down and crash recovery undo what exists);
 * -ENETUNREACH with why[] when there is no path outside at all (no host
 * route is left then; call again when the network changes). A split tunnel
 * needs nothing: 0. */
int sysnet_gateway_route(struct sysnet *s, const struct sockaddr *gateway, char *why,
			 size_t why_len);
/* The TUN's name, interface index and MTU, for status and the monitor. */
const char *sysnet_ifname(const struct sysnet *s);
unsigned sysnet_ifindex(const struct sysnet *s);
unsigned sysnet_mtu(const struct sysnet *s);

#endif
