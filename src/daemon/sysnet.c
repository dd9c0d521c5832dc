/* The system side of a tunnel (src/net): TUN, addresses, routes, DNS. */
#include "daemon/sysnet.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/log.h"
#include "ike/pld/consts.h"
#include "net/dns.h"
#include "net/mtu.h"
#include "net/route.h"
#include "net/tun.h"

#define PATH_MTU_DEFAULT 1500u /* when the route towards the gateway says nothing */

struct sysnet {
	struct net_tun *tun;
	struct net_routes *routes;
	struct net_dns *dns;
	unsigned mtu;
	int full; /* a full tunnel: the gateway has a host route outside */
};

/* DNS (PRODUCT.md item 9): the gateway's servers (dns: auto), the
 * profile's (dns: [list]) or none (dns: off); systemd-resolved when it runs,
 * else /etc/resolv.conf with a backup. */
static int dns_up(struct sysnet *s, const struct sysnet_params *p, char *why, size_t why_len)
{
	const struct conf_profile *pr = p->profile;
	const struct ike_cp_result *cp = p->cp;
	struct sockaddr_storage servers[2 * IKE_CFG_DNS_MAX > CONF_LIST_MAX ? 2 * IKE_CFG_DNS_MAX : CONF_LIST_MAX];
	size_t n = 0;
	int rc;

	if (pr->dns == CONF_DNS_OFF)
		return 0;
	memset(servers, 0, sizeof(servers));
	if (pr->dns == CONF_DNS_LIST) {
		for (unsigned i = 0; i < pr->n_dns; i++) {
			struct sockaddr_storage *ss = &servers[n++];
			ss->ss_family = (sa_family_t)pr->dns_list[i].family;
			if (ss->ss_family == AF_INET)
				memcpy(&((struct sockaddr_in *)ss)->sin_addr, pr->dns_list[i].addr, 4);
			else
				memcpy(&((struct sockaddr_in6 *)ss)->sin6_addr, pr->dns_list[i].addr, 16);
		}
	} else {
		for (size_t i = 0; i < cp->n_dns_v4; i++) {
			struct sockaddr_in *sin = (struct sockaddr_in *)&servers[n++];
			sin->sin_family = AF_INET;
			memcpy(&sin->sin_addr, cp->dns_v4[i], 4);
		}
		for (size_t i = 0; i < cp->n_dns_v6; i++) {
			struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&servers[n++];
			sin6->sin6_family = AF_INET6;
			memcpy(&sin6->sin6_addr, cp->dns_v6[i], 16);
		}
	}
	if (n == 0)
		return 0; /* the gateway named none: leave DNS as it is */
	/* RFC 8598 domains from the gateway: search and routing domains. */
	const char *domains[IKE_CFG_DOMAINS_MAX];
	size_t n_domains = 0;
	if (pr->dns != CONF_DNS_LIST)
		for (size_t i = 0; i < cp->n_domains; i++)
			domains[n_domains++] = cp->domains[i];
	struct net_dns_cfg dc = {
		.ifname = net_tun_name(s->tun), .servers = servers, .n_servers = n,
		.domains = domains, .n_domains = n_domains,
		.full_tunnel = pr->routes == CONF_ROUTES_FULL,
	};
	if ((rc = net_dns_new(NULL, &s->dns)) || (rc = net_dns_apply(s->dns, &dc))) {
		snprintf(why, why_len, "cannot set DNS: %s", pt_strerror(rc));
		return rc;
	}
	log_info("sysnet", "DNS: %zu server(s) through %s", n, net_dns_mode_name(net_dns_mode(s->dns)));
	return 0;
}

/* A selector range that is exactly one prefix ("203.0.113.0-203.0.113.255"
 * is 203.0.113.0/24); -1 when it is not a prefix. */
static int range_prefix(const struct ike_ts_cfg *ts, struct net_prefix *out)
{
	size_t n = ts->type == IKE_TS_IPV6_ADDR_RANGE ? 16 : 4;
	unsigned len = 0;
	size_t i = 0;

	/* Leading octets equal, then start bits 0 / end bits 1 to the end. */
	while (i < n && ts->start[i] == ts->end[i])
		i++;
	len = (unsigned)(8 * i);
	if (i < n) {
		uint8_t diff = ts->start[i] ^ ts->end[i];
		int bit = 7;
		while (bit >= 0 && !(diff & (1u << bit)))
			bit--;
		/* every bit from `bit` down must be 0 in start and 1 in end */
		uint8_t low = (uint8_t)((1u << (bit + 1)) - 1);
		if ((ts->start[i] & low) != 0 || (ts->end[i] & low) != low)
			return -1;
		len += (unsigned)(7 - bit);
		for (size_t k = i + 1; k < n; k++)
			if (ts->start[k] != 0 || ts->end[k] != 0xff)
				return -1;
	}
	memset(out, 0, sizeof(*out));
	out->family = n == 16 ? AF_INET6 : AF_INET;
	out->len = (uint8_t)len;
	memcpy(out->addr, ts->start, n);
	return 0;
}

int sysnet_up(const struct sysnet_params *p, struct sysnet **out, int *tun_fd, char *why,
	      size_t why_len)
{
	struct sysnet *s = calloc(1, sizeof(*s));
	int rc;

	if (!s)
		return -ENOMEM;
	s->mtu = p->mtu;
	if (!s->mtu) {
		unsigned path = PATH_MTU_DEFAULT;
		if ((rc = net_path_mtu(p->gateway, &path)))
			log_info("sysnet", "no path MTU towards the gateway (%s): taking %u", pt_strerror(rc),
				 path);
		struct net_mtu_esp m = NET_MTU_ESP_AEAD(path, p->gateway->sa_family,
						       p->natt ? NET_MTU_ENCAP_UDP : NET_MTU_ENCAP_NONE);
		s->mtu = net_mtu_tunnel(&m);
		log_info("sysnet", "tunnel MTU %u: path MTU %u less ESP overhead (%s)", s->mtu, path,
			 p->natt ? "UDP-encapsulated" : "raw ESP");
		if (!s->mtu) {
			snprintf(why, why_len, "the path MTU towards the gateway (%u) leaves no room for ESP", path);
			free(s);
			return -EMSGSIZE;
		}
	}
	struct net_tun_cfg tc = { .name = p->ifname, .mtu = s->mtu, .offload = 1 };
	if ((rc = net_tun_open(&tc, &s->tun))) {
		snprintf(why, why_len, "cannot open the TUN device %s: %s", p->ifname, pt_strerror(rc));
		free(s);
		return rc;
	}
	if ((rc = net_routes_new(NULL, &s->routes))) {
		snprintf(why, why_len, "cannot record routes: %s", pt_strerror(rc));
		goto fail;
	}
	unsigned ifindex = net_tun_ifindex(s->tun), families = 0;
	const struct ike_cp_result *cp = p->cp;
	if (cp->has_v4) {
		struct net_prefix a = { .family = AF_INET, .len = 32 };
		memcpy(a.addr, cp->v4, 4);
		if ((rc = net_routes_addr_add(s->routes, ifindex, &a))) {
			snprintf(why, why_len, "cannot add the virtual IPv4 address: %s", pt_strerror(rc));
			goto fail;
		}
		families |= NET_ROUTES_V4;
	}
	if (cp->has_v6) {
		struct net_prefix a = { .family = AF_INET6, .len = 128 };
		memcpy(a.addr, cp->v6, 16);
		if ((rc = net_routes_addr_add(s->routes, ifindex, &a))) {
			snprintf(why, why_len, "cannot add the virtual IPv6 address: %s", pt_strerror(rc));
			goto fail;
		}
		families |= NET_ROUTES_V6;
	}
	const struct conf_profile *pr = p->profile;
	if (pr->routes == CONF_ROUTES_FULL) {
		s->full = 1;
		rc = net_routes_full(s->routes, ifindex, p->gateway, families);
	} else {
		struct net_prefix pfx[IKE_CFG_TS_MAX > CONF_LIST_MAX ? IKE_CFG_TS_MAX : CONF_LIST_MAX];
		size_t n = 0;
		if (pr->routes == CONF_ROUTES_LIST) {
			for (unsigned i = 0; i < pr->n_routes; i++) {
				pfx[n].family = (uint8_t)pr->route_list[i].family;
				pfx[n].len = pr->route_list[i].prefix_len;
				memcpy(pfx[n].addr, pr->route_list[i].addr, 16);
				n++;
			}
		} else {
			/* split: what the gateway's selectors cover */
			for (size_t i = 0; i < p->child->n_ts_remote; i++)
				if (range_prefix(&p->child->ts_remote[i], &pfx[n]) == 0)
					n++;
		}
		rc = net_routes_split(s->routes, ifindex, pfx, n);
	}
	if (rc) {
		snprintf(why, why_len, "cannot add the tunnel's routes: %s", pt_strerror(rc));
		goto fail;
	}
	if ((rc = dns_up(s, p, why, why_len)))
		goto fail;
	log_info("sysnet", "%s up, MTU %u, %zu address(es) and route(s)", net_tun_name(s->tun), s->mtu,
		 net_routes_count(s->routes));
	*tun_fd = net_tun_fd(s->tun);
	*out = s;
	return 0;
fail:
	sysnet_down(s);
	return rc;
}

void sysnet_down(struct sysnet *s)
{
	if (!s)
		return;
	if (s->dns) {
		net_dns_revert(s->dns);
		net_dns_free(s->dns);
	}
	if (s->routes) {
		net_routes_undo_all(s->routes);
		net_routes_free(s->routes);
	}
	if (s->tun)
		net_tun_close(s->tun);
	free(s);
}

int sysnet_gateway_route(struct sysnet *s, const struct sockaddr *gateway, char *why,
			 size_t why_len)
{
	int rc;

	if (!s->full)
		return 0;
	rc = net_routes_bypass_update(s->routes, net_tun_ifindex(s->tun), gateway);
	if (rc == -ENETUNREACH)
		snprintf(why, why_len, "no path to the gateway outside the tunnel (every uplink down?)");
	else if (rc)
		snprintf(why, why_len, "cannot re-point the gateway's route: %s", pt_strerror(rc));
	return rc;
}

const char *sysnet_ifname(const struct sysnet *s) { return net_tun_name(s->tun); }
unsigned sysnet_ifindex(const struct sysnet *s) { return net_tun_ifindex(s->tun); }
unsigned sysnet_mtu(const struct sysnet *s) { return s->mtu; }
