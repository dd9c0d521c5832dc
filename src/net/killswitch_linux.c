/* The kill switch on Linux: nftables table inet petrel (killswitch.h). */
#include "net/killswitch.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/limits.h"
#include "base/log.h"
#include "net/spawn.h"
#include "net/tun.h"

static const char *const nft_paths[] = { "/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft",
					  "/bin/nft", NULL };

static const char *nft_find(const char *tool)
{
	const char *p = tool ? tool : net_spawn_find(nft_paths);

	if (p && access(p, X_OK) == 0)
		return p;
	log_err("killswitch", "nft (nftables) is not installed: the kill switch needs it (%s)",
		p ? p : "not in /usr/sbin, /sbin, /usr/bin, /bin");
	return NULL;
}

int net_ks_render(const struct net_ks_cfg *cfg, char *out, size_t cap, size_t *len)
{
	size_t off = 0;
	int w;

#define EMIT(...)                                                              \
	do {                                                                   \
		w = snprintf(out + off, cap - off, __VA_ARGS__);               \
		if (w < 0 || (size_t)w >= cap - off)                           \
			return -ENOBUFS;                                       \
		off += (size_t)w;                                              \
	} while (0)

	if (cap == 0)
		return -ENOBUFS;
	if (cfg->n_gateways == 0 || cfg->n_gateways > PT_NET_KS_GATEWAYS_MAX)
		return -EINVAL;
	if (cfg->tun_ifname && !net_tun_name_valid(cfg->tun_ifname))
		return -EINVAL;
	/* "table ...; delete table ...;" first: the delete cannot fail, and the
	 * whole file is one transaction, so the old rules stay until the new
	 * ones are in */
	EMIT("table inet " NET_KS_TABLE "\ndelete table inet " NET_KS_TABLE "\n");
	EMIT("table inet " NET_KS_TABLE " {\n");
	for (int dir = 0; dir < 2; dir++) {
		const char *hook = dir == 0 ? "output" : "input";
		const char *peer = dir == 0 ? "daddr" : "saddr";
		const char *port = dir == 0 ? "dport" : "sport";

		EMIT("\tchain %s {\n\t\ttype filter hook %s priority filter; policy drop;\n", hook, hook);
		EMIT("\t\t%s \"lo\" accept\n", dir == 0 ? "oifname" : "iifname");
		if (cfg->tun_ifname)
			EMIT("\t\t%s \"%s\" accept\n", dir == 0 ? "oifname" : "iifname", cfg->tun_ifname);
		for (size_t i = 0; i < cfg->n_gateways; i++) {
			const struct sockaddr_storage *ss = &cfg->gateways[i];
			char a[INET6_ADDRSTRLEN];
			const char *fam;
			unsigned p;

			if (ss->ss_family == AF_INET) {
				const struct sockaddr_in *s4 = (const void *)ss;
				inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
				fam = "ip";
				p = ntohs(s4->sin_port);
			} else if (ss->ss_family == AF_INET6) {
				const struct sockaddr_in6 *s6 = (const void *)ss;
				inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
				fam = "ip6";
				p = ntohs(s6->sin6_port);
			} else {
				return -EINVAL;
			}
			if (!p)
				p = 4500;
			if (p == 500 || p == 4500)
				EMIT("\t\t%s %s %s udp %s { 500, 4500 } accept\n", fam, peer, a, port);
			else
				EMIT("\t\t%s %s %s udp %s { 500, 4500, %u } accept\n", fam, peer, a, port, p);
			EMIT("\t\t%s %s %s tcp %s %u accept\n", fam, peer, a, port, p);
			EMIT("\t\t%s %s %s meta l4proto esp accept\n", fam, peer, a);
		}
		if (cfg->allow_dhcp) {
			/* DHCPv4 (RFC 2131), DHCPv6 (RFC 8415): client and server ports */
			if (dir == 0) {
				EMIT("\t\tudp sport 68 udp dport 67 accept\n");
				EMIT("\t\tudp sport 546 udp dport 547 accept\n");
			} else {
				EMIT("\t\tudp sport 67 udp dport 68 accept\n");
				EMIT("\t\tudp sport 547 udp dport 546 accept\n");
			}
		}
		/* IPv6 needs neighbour discovery to reach even the gateway (RFC 4861) */
		EMIT("\t\ticmpv6 type { nd-router-solicit, nd-router-advert, nd-neighbor-solicit, "
		     "nd-neighbor-advert } ip6 hoplimit 255 accept\n");
		EMIT("\t\tcounter comment \"petrel kill switch\"\n");
		EMIT("\t}\n");
	}
	EMIT("\tchain forward {\n\t\ttype filter hook forward priority filter; policy drop;\n");
	if (cfg->tun_ifname)
		EMIT("\t\toifname \"%s\" accept\n\t\tiifname \"%s\" accept\n", cfg->tun_ifname,
		     cfg->tun_ifname);
	EMIT("\t}\n}\n");
#undef EMIT
	*len = off;
	return 0;
}

static int nft_run(const char *nft, const char *const argv[], const char *in, size_t in_len,
		   const char *what)
{
	char out[1024];
	struct net_spawn_io io = { .in = in, .in_len = in_len, .out = out, .out_cap = sizeof(out) };
	int rc = net_spawn(argv, &io);

	if (rc == 0)
		return 0;
	size_t n = strlen(out);
	while (n && (out[n - 1] == '\n' || out[n - 1] == ' '))
		out[--n] = '\0';
	log_err("killswitch", "%s: %s %s%s%s", what, nft, rc < 0 ? strerror(-rc) : "failed",
		out[0] ? ": " : "", out);
	return rc < 0 ? rc : -EIO;
}

int net_ks_enable(const struct net_ks_cfg *cfg)
{
	char rules[NET_KS_RULES_MAX];
	const char *nft;
	size_t len;
	int rc;

	if ((rc = net_ks_render(cfg, rules, sizeof(rules), &len)) < 0)
		return rc;
	if (!(nft = nft_find(cfg->tool)))
		return -ENOTSUP;
	const char *argv[] = { nft, "-f", "-", NULL };
	if ((rc = nft_run(nft, argv, rules, len, "load table inet " NET_KS_TABLE)) < 0)
		return rc == -ENOENT ? -ENOTSUP : rc;
	log_info("killswitch", "on: only IKE/ESP to %zu gateway address(es)%s%s", cfg->n_gateways,
		 cfg->tun_ifname ? " and " : "", cfg->tun_ifname ? cfg->tun_ifname : "");
	return 0;
}

int net_ks_disable(const char *tool)
{
	static const char rules[] = "table inet " NET_KS_TABLE "\ndelete table inet " NET_KS_TABLE "\n";
	const char *nft;
	int rc;

	if (!(nft = nft_find(tool)))
		return -ENOTSUP;
	const char *argv[] = { nft, "-f", "-", NULL };
	if ((rc = nft_run(nft, argv, rules, sizeof(rules) - 1, "delete table inet " NET_KS_TABLE)) < 0)
		return rc == -ENOENT ? -ENOTSUP : rc;
	log_info("killswitch", "off");
	return 0;
}

int net_ks_active(const char *tool)
{
	const char *nft;
	char out[256];
	struct net_spawn_io io = { .out = out, .out_cap = sizeof(out) };
	int rc;

	if (!(nft = nft_find(tool)))
		return -ENOTSUP;
	const char *argv[] = { nft, "list", "table", "inet", NET_KS_TABLE, NULL };
	rc = net_spawn(argv, &io);
	if (rc < 0)
		return rc;
	return rc == 0;
}
