/* DNS on macOS: configd through scutil (dns.h). Built only on macOS.
 *
 * The tunnel is a service of its own, "petrel", in the dynamic store:
 *   State:/Network/Service/petrel/DNS   ServerAddresses, SearchDomains, and
 *     for a split tunnel SupplementalMatchDomains (only those names go to
 *     the tunnel's servers);
 *   State:/Network/Service/petrel/IPv4  for a full tunnel: InterfaceName,
 *     the utun's address and OverridePrimary 1, which makes the service
 *     primary so its resolver becomes the default one (what Apple's own VPN
 *     services do).
 * The keys are volatile (configd's memory): revert and recover remove them.
 * TODO(issue 9): not yet run on a Mac; the macOS CI runner is to exercise it. */
#include "net/dns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "net/spawn.h"

#define SC_SERVICE "State:/Network/Service/petrel"

struct net_dns {
	int applied;
	char scutil[256];
};

static const char *const scutil_paths[] = { "/usr/sbin/scutil", NULL };

static const char *scutil_path(const struct net_dns_paths *p)
{
	return p && p->scutil ? p->scutil : net_spawn_find(scutil_paths);
}

static int scutil_run(const char *scutil, const char *script, size_t len)
{
	char out[512];
	const char *argv[] = { scutil, NULL };
	struct net_spawn_io io = { .in = script, .in_len = len, .out = out, .out_cap = sizeof(out) };
	int rc = net_spawn(argv, &io);

	if (rc != 0) {
		log_err("dns", "scutil: %s%s%s", rc < 0 ? strerror(-rc) : "failed", out[0] ? ": " : "", out);
		return rc < 0 ? rc : -EIO;
	}
	return 0;
}

int net_dns_new(const struct net_dns_paths *p, struct net_dns **out)
{
	struct net_dns *d;
	const char *s = scutil_path(p);

	*out = NULL;
	if (!s || strlen(s) >= sizeof(d->scutil)) {
		log_err("dns", "scutil not found");
		return -ENOTSUP;
	}
	if (!(d = calloc(1, sizeof(*d))))
		return -ENOMEM;
	memcpy(d->scutil, s, strlen(s) + 1);
	*out = d;
	return 0;
}

enum net_dns_mode net_dns_mode(const struct net_dns *d)
{
	(void)d;
	return NET_DNS_MODE_SCUTIL;
}

static int tun_ipv4(const char *ifname, char *out, size_t len)
{
	struct ifaddrs *ifa, *i;
	int rc = -EADDRNOTAVAIL;

	if (getifaddrs(&ifa) < 0)
		return -errno;
	for (i = ifa; i; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET || strcmp(i->ifa_name, ifname))
			continue;
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)(const void *)i->ifa_addr;
		if (inet_ntop(AF_INET, &s4->sin_addr, out, (socklen_t)len))
			rc = 0;
		break;
	}
	freeifaddrs(ifa);
	return rc;
}

int net_dns_apply(struct net_dns *d, const struct net_dns_cfg *cfg)
{
	char script[4096], a[INET6_ADDRSTRLEN];
	size_t off = 0;
	int rc, w;

#define EMIT(...)                                                                      \
	do {                                                                           \
		w = snprintf(script + off, sizeof(script) - off, __VA_ARGS__);         \
		if (w < 0 || (size_t)w >= sizeof(script) - off)                        \
			return -ENOBUFS;                                               \
		off += (size_t)w;                                                      \
	} while (0)

	if ((rc = net_dns_cfg_check(cfg)) < 0)
		return rc;
	EMIT("d.init\nd.add ServerAddresses *");
	for (size_t i = 0; i < cfg->n_servers; i++) {
		const struct sockaddr_storage *ss = &cfg->servers[i];
		const void *ap = ss->ss_family == AF_INET
			? (const void *)&((const struct sockaddr_in *)(const void *)ss)->sin_addr
			: (const void *)&((const struct sockaddr_in6 *)(const void *)ss)->sin6_addr;
		if (!inet_ntop(ss->ss_family, ap, a, sizeof(a)))
			return -EINVAL;
		EMIT(" %s", a);
	}
	EMIT("\n");
	if (cfg->n_domains) {
		EMIT("d.add SearchDomains *");
		for (size_t i = 0; i < cfg->n_domains; i++)
			EMIT(" %s", cfg->domains[i]);
		EMIT("\n");
		if (!cfg->full_tunnel) {
			EMIT("d.add SupplementalMatchDomains *");
			for (size_t i = 0; i < cfg->n_domains; i++)
				EMIT(" %s", cfg->domains[i]);
			EMIT("\n");
		}
	}
	EMIT("set " SC_SERVICE "/DNS\n");
	if (cfg->full_tunnel) {
		if ((rc = tun_ipv4(cfg->ifname, a, sizeof(a))) < 0) {
			log_err("dns", "%s has no IPv4 address to make the tunnel primary", cfg->ifname);
			return rc;
		}
		EMIT("d.init\nd.add InterfaceName %s\nd.add Addresses * %s\nd.add OverridePrimary # 1\n"
		     "set " SC_SERVICE "/IPv4\n", cfg->ifname, a);
	}
	EMIT("quit\n");
#undef EMIT
	if ((rc = scutil_run(d->scutil, script, off)) < 0)
		return rc;
	d->applied = 1;
	log_info("dns", "%zu server(s), %zu domain(s)%s on %s via scutil", cfg->n_servers,
		 cfg->n_domains, cfg->full_tunnel ? ", all names" : "", cfg->ifname);
	return 0;
}

static int remove_keys(const char *scutil)
{
	static const char script[] = "remove " SC_SERVICE "/DNS\nremove " SC_SERVICE "/IPv4\nquit\n";
	return scutil_run(scutil, script, sizeof(script) - 1);
}

int net_dns_revert(struct net_dns *d)
{
	int rc;

	if (!d->applied)
		return 0;
	if ((rc = remove_keys(d->scutil)) == 0)
		d->applied = 0;
	return rc;
}

void net_dns_free(struct net_dns *d)
{
	free(d);
}

int net_dns_recover(const struct net_dns_paths *p)
{
	const char *s = scutil_path(p);

	return s ? remove_keys(s) : -ENOTSUP;
}
