/* The kill switch on macOS: pf rules in the anchor com.apple/petrel (which
 * the stock /etc/pf.conf evaluates through its "com.apple/*" anchor),
 * loaded with pfctl (posix_spawn, argv arrays, rules on stdin). pf is
 * enabled with a reference (pfctl -E) whose token is kept in
 * /var/run/petrel/pf.token and released (pfctl -X) when the rules go, so pf
 * ends as it was. Built only on macOS.
 * TODO(issue 9): not yet run on a Mac; the macOS CI runner is to exercise it. */
#include "net/killswitch.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/limits.h"
#include "base/log.h"
#include "net/spawn.h"
#include "net/tun.h"

#define PF_ANCHOR "com.apple/petrel"
#define PF_TOKEN_DIR "/var/run/petrel"
#define PF_TOKEN PF_TOKEN_DIR "/pf.token"

static const char *const pfctl_paths[] = { "/sbin/pfctl", NULL };

static const char *pfctl_find(const char *tool)
{
	const char *p = tool ? tool : net_spawn_find(pfctl_paths);

	if (p && access(p, X_OK) == 0)
		return p;
	log_err("killswitch", "pfctl is not available: the kill switch needs pf");
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
	EMIT("pass quick on lo0 all\n");
	if (cfg->tun_ifname)
		EMIT("pass quick on %s all\n", cfg->tun_ifname);
	for (size_t i = 0; i < cfg->n_gateways; i++) {
		const struct sockaddr_storage *ss = &cfg->gateways[i];
		char a[INET6_ADDRSTRLEN];
		unsigned p;

		if (ss->ss_family == AF_INET) {
			const struct sockaddr_in *s4 = (const void *)ss;
			inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
			p = ntohs(s4->sin_port);
		} else if (ss->ss_family == AF_INET6) {
			const struct sockaddr_in6 *s6 = (const void *)ss;
			inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
			p = ntohs(s6->sin6_port);
		} else {
			return -EINVAL;
		}
		if (!p)
			p = 4500;
		EMIT("pass out quick proto udp from any to %s port { 500, 4500, %u }\n", a, p);
		EMIT("pass in quick proto udp from %s port { 500, 4500, %u } to any\n", a, p);
		EMIT("pass out quick proto tcp from any to %s port %u\n", a, p);
		EMIT("pass quick proto esp from any to %s\n", a);
		EMIT("pass in quick proto esp from %s to any\n", a);
	}
	if (cfg->allow_dhcp) {
		EMIT("pass quick proto udp from any port 68 to any port 67\n");
		EMIT("pass quick proto udp from any port 67 to any port 68\n");
		EMIT("pass quick inet6 proto udp from any port 546 to any port 547\n");
		EMIT("pass quick inet6 proto udp from any port 547 to any port 546\n");
	}
	EMIT("pass quick inet6 proto icmp6 icmp6-type { routersol, routeradv, neighbrsol, neighbradv }\n");
	EMIT("block drop quick all\n");
#undef EMIT
	*len = off;
	return 0;
}

static int pfctl_run(const char *const argv[], const char *in, size_t in_len, char *out,
		     size_t out_cap)
{
	char junk[512];
	struct net_spawn_io io = { .in = in, .in_len = in_len, .out = out ? out : junk,
				   .out_cap = out ? out_cap : sizeof(junk) };
	int rc = net_spawn(argv, &io);

	if (rc != 0)
		log_err("killswitch", "%s %s: %s: %s", argv[0], argv[1],
			rc < 0 ? strerror(-rc) : "failed", io.out);
	return rc < 0 ? rc : rc ? -EIO : 0;
}

int net_ks_enable(const struct net_ks_cfg *cfg)
{
	char rules[NET_KS_RULES_MAX], out[512];
	const char *pf;
	size_t len;
	int rc;

	if ((rc = net_ks_render(cfg, rules, sizeof(rules), &len)) < 0)
		return rc;
	if (!(pf = pfctl_find(cfg->tool)))
		return -ENOTSUP;
	const char *load[] = { pf, "-a", PF_ANCHOR, "-f", "-", NULL };
	if ((rc = pfctl_run(load, rules, len, NULL, 0)) < 0)
		return rc;
	if (access(PF_TOKEN, F_OK) != 0) {
		const char *en[] = { pf, "-E", NULL };
		if ((rc = pfctl_run(en, NULL, 0, out, sizeof(out))) < 0)
			return rc;
		/* "Token : 1234567890" */
		const char *t = strstr(out, "Token : ");
		if (t) {
			t += 8;
			size_t n = strspn(t, "0123456789");
			mkdir(PF_TOKEN_DIR, 0755);
			int fd = open(PF_TOKEN, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
			if (fd >= 0) {
				if (write(fd, t, n) < 0)
					log_warn("killswitch", "%s: %s", PF_TOKEN, strerror(errno));
				close(fd);
			}
		}
	}
	log_info("killswitch", "on: only IKE/ESP to %zu gateway address(es)", cfg->n_gateways);
	return 0;
}

int net_ks_disable(const char *tool)
{
	const char *pf;
	char token[32] = "";
	int rc;

	if (!(pf = pfctl_find(tool)))
		return -ENOTSUP;
	const char *flush[] = { pf, "-a", PF_ANCHOR, "-F", "all", NULL };
	if ((rc = pfctl_run(flush, NULL, 0, NULL, 0)) < 0)
		return rc;
	int fd = open(PF_TOKEN, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = read(fd, token, sizeof(token) - 1);
		close(fd);
		if (n > 0) {
			token[n] = '\0';
			const char *rel[] = { pf, "-X", token, NULL };
			pfctl_run(rel, NULL, 0, NULL, 0);
		}
		unlink(PF_TOKEN);
	}
	log_info("killswitch", "off");
	return 0;
}

int net_ks_active(const char *tool)
{
	const char *pf;
	char out[256];

	if (!(pf = pfctl_find(tool)))
		return -ENOTSUP;
	const char *show[] = { pf, "-a", PF_ANCHOR, "-s", "rules", NULL };
	struct net_spawn_io io = { .out = out, .out_cap = sizeof(out) };
	int rc = net_spawn(show, &io);
	if (rc < 0)
		return rc;
	return rc == 0 && strstr(out, "block drop") != NULL;
}
