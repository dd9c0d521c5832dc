/* DNS on Linux: systemd-resolved per link, or /etc/resolv.conf (dns.h). */
#include "net/dns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "net/spawn.h"

struct net_dns {
	enum net_dns_mode mode;
	int applied;
	char ifname[16];
	char resolv_conf[256];
	char backup[256];
	char resolvectl[256];
};

static const char *const resolvectl_paths[] = { "/usr/bin/resolvectl", "/bin/resolvectl", NULL };

static int copy_path(char *dst, size_t cap, const char *src, const char *def)
{
	const char *s = src ? src : def;
	size_t n = strlen(s);

	if (n >= cap || s[0] != '/')
		return -EINVAL;
	memcpy(dst, s, n + 1);
	return 0;
}

/* resolved runs, and glibc asks it: /etc/resolv.conf links into its dir. */
static int resolved_usable(const struct net_dns_paths *p, const char *resolv_conf)
{
	const char *dir = p && p->resolved_dir ? p->resolved_dir : NET_DNS_RESOLVED_DIR;
	char sock[512], target[512];
	struct stat st;
	ssize_t n;

	snprintf(sock, sizeof(sock), "%s/io.systemd.Resolve", dir);
	if (stat(sock, &st) < 0 || !S_ISSOCK(st.st_mode))
		return 0;
	n = readlink(resolv_conf, target, sizeof(target) - 1);
	if (n <= 0) {
		log_warn("dns", "systemd-resolved runs but %s is not its link: using the file",
			 resolv_conf);
		return 0;
	}
	target[n] = '\0';
	/* "/run/systemd/resolve/stub-resolv.conf" or "../run/systemd/resolve/..." */
	if (!strstr(target, "/run/systemd/resolve/") && !strstr(target, "run/systemd/resolve/")) {
		log_warn("dns", "systemd-resolved runs but %s points to %s: using the file",
			 resolv_conf, target);
		return 0;
	}
	return 1;
}

int net_dns_new(const struct net_dns_paths *p, struct net_dns **out)
{
	struct net_dns *d;
	const char *rctl;
	int rc;

	*out = NULL;
	if (!(d = calloc(1, sizeof(*d))))
		return -ENOMEM;
	if ((rc = copy_path(d->resolv_conf, sizeof(d->resolv_conf), p ? p->resolv_conf : NULL,
			    NET_DNS_RESOLV_CONF)) < 0 ||
	    (rc = copy_path(d->backup, sizeof(d->backup), p ? p->backup : NULL, NET_DNS_BACKUP)) < 0) {
		free(d);
		return rc;
	}
	d->mode = NET_DNS_MODE_RESOLV_CONF;
	rctl = p && p->resolvectl ? p->resolvectl : net_spawn_find(resolvectl_paths);
	if (!(p && p->force_resolv_conf) && rctl && access(rctl, X_OK) == 0 &&
	    strlen(rctl) < sizeof(d->resolvectl) && resolved_usable(p, d->resolv_conf)) {
		memcpy(d->resolvectl, rctl, strlen(rctl) + 1);
		d->mode = NET_DNS_MODE_RESOLVED;
	}
	log_info("dns", "mode: %s", net_dns_mode_name(d->mode));
	*out = d;
	return 0;
}

enum net_dns_mode net_dns_mode(const struct net_dns *d) { return d->mode; }

static int resolvectl(struct net_dns *d, const char *const *argv)
{
	char out[512];
	struct net_spawn_io io = { .out = out, .out_cap = sizeof(out) };
	int rc = net_spawn(argv, &io);

	if (rc != 0) {
		size_t n = strlen(out);
		while (n && (out[n - 1] == '\n' || out[n - 1] == ' '))
			out[--n] = '\0';
		log_err("dns", "%s %s %s: %s%s%s", argv[0], argv[1], argv[2],
			rc < 0 ? strerror(-rc) : "failed", out[0] ? ": " : "", out);
		return rc < 0 ? rc : -EIO;
	}
	return 0;
}

static int apply_resolved(struct net_dns *d, const struct net_dns_cfg *cfg)
{
	char addr[PT_NET_DNS_SERVERS_MAX][INET6_ADDRSTRLEN];
	const char *argv[4 + PT_NET_DNS_SERVERS_MAX + PT_NET_DNS_DOMAINS_MAX + 2];
	size_t n = 0;
	int rc;

	argv[n++] = d->resolvectl;
	argv[n++] = "dns";
	argv[n++] = d->ifname;
	for (size_t i = 0; i < cfg->n_servers; i++) {
		const struct sockaddr_storage *ss = &cfg->servers[i];
		const void *a = ss->ss_family == AF_INET
			? (const void *)&((const struct sockaddr_in *)(const void *)ss)->sin_addr
			: (const void *)&((const struct sockaddr_in6 *)(const void *)ss)->sin6_addr;
		if (!inet_ntop(ss->ss_family, a, addr[i], sizeof(addr[i])))
			return -EINVAL;
		argv[n++] = addr[i];
	}
	argv[n] = NULL;
	if ((rc = resolvectl(d, argv)) < 0)
		return rc;
	d->applied = 1;
	n = 3;
	argv[1] = "domain";
	if (cfg->full_tunnel)
		argv[n++] = "~."; /* every name through this link */
	for (size_t i = 0; i < cfg->n_domains; i++)
		argv[n++] = cfg->domains[i];
	argv[n] = NULL;
	if (n > 3 && (rc = resolvectl(d, argv)) < 0)
		return rc;
	/* systemd >= 245; older ones route by "~." alone */
	argv[1] = "default-route";
	argv[3] = cfg->full_tunnel ? "yes" : "no";
	argv[4] = NULL;
	if (resolvectl(d, argv) < 0)
		log_warn("dns", "resolvectl default-route is not supported here; continuing");
	return 0;
}

static int apply_resolv_conf(struct net_dns *d, const struct net_dns_cfg *cfg)
{
	char buf[2048];
	size_t len;
	int rc;

	if ((rc = net_dns_resolv_render(cfg, buf, sizeof(buf), &len)) < 0)
		return rc;
	/* a crash left ours in place: the backup there is the real original */
	if ((rc = net_dns_resolv_recover(d->resolv_conf, d->backup)) < 0)
		return rc;
	if ((rc = net_dns_resolv_backup(d->resolv_conf, d->backup)) < 0) {
		log_err("dns", "back up %s to %s: %s", d->resolv_conf, d->backup, strerror(-rc));
		return rc;
	}
	if ((rc = net_dns_resolv_write(d->resolv_conf, buf, len)) < 0) {
		log_err("dns", "write %s: %s", d->resolv_conf, strerror(-rc));
		net_dns_resolv_restore(d->resolv_conf, d->backup);
		return rc;
	}
	d->applied = 1;
	if (cfg->n_servers > 3)
		log_warn("dns", "%zu servers; resolv.conf takes the first 3", cfg->n_servers);
	return 0;
}

int net_dns_apply(struct net_dns *d, const struct net_dns_cfg *cfg)
{
	int rc;

	if ((rc = net_dns_cfg_check(cfg)) < 0)
		return rc;
	if (strlen(cfg->ifname) >= sizeof(d->ifname))
		return -EINVAL;
	if (d->applied && (rc = net_dns_revert(d)) < 0)
		return rc;
	memcpy(d->ifname, cfg->ifname, strlen(cfg->ifname) + 1);
	rc = d->mode == NET_DNS_MODE_RESOLVED ? apply_resolved(d, cfg) : apply_resolv_conf(d, cfg);
	if (rc < 0) {
		net_dns_revert(d);
		return rc;
	}
	log_info("dns", "%zu server(s), %zu domain(s)%s on %s via %s", cfg->n_servers,
		 cfg->n_domains, cfg->full_tunnel ? ", all names" : "", d->ifname,
		 net_dns_mode_name(d->mode));
	return 0;
}

int net_dns_revert(struct net_dns *d)
{
	int rc = 0;

	if (!d->applied)
		return 0;
	if (d->mode == NET_DNS_MODE_RESOLVED) {
		const char *argv[] = { d->resolvectl, "revert", d->ifname, NULL };
		rc = resolvectl(d, argv);
		if (rc == -EIO)
			rc = 0; /* the link is gone already: resolved forgot it */
	} else {
		rc = net_dns_resolv_recover(d->resolv_conf, d->backup);
	}
	if (rc == 0) {
		d->applied = 0;
		log_info("dns", "reverted (%s)", net_dns_mode_name(d->mode));
	}
	return rc;
}

void net_dns_free(struct net_dns *d)
{
	free(d);
}

int net_dns_recover(const struct net_dns_paths *p)
{
	const char *rc_path = p && p->resolv_conf ? p->resolv_conf : NET_DNS_RESOLV_CONF;
	const char *bk = p && p->backup ? p->backup : NET_DNS_BACKUP;

	/* resolved's per-link settings went away with the crashed run's TUN */
	return net_dns_resolv_recover(rc_path, bk);
}
