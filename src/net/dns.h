/* DNS while the tunnel is up: the gateway's servers and domains (RFC 7296
 * 3.15 INTERNAL_IP4_DNS / INTERNAL_IP6_DNS, RFC 8598 INTERNAL_DNS_DOMAIN).
 *
 * Linux, in order of preference:
 *  - systemd-resolved, when it runs (its varlink socket
 *    /run/systemd/resolve/io.systemd.Resolve exists), resolvectl is
 *    installed, and /etc/resolv.conf points into /run/systemd/resolve/ (else
 *    glibc would not ask it): per-link servers and domains on the TUN via
 *    `resolvectl dns|domain|default-route IF ...` (posix_spawn, argv arrays),
 *    "~." for a full tunnel so every name goes through it; `resolvectl revert
 *    IF` at the end, and the link's settings vanish with the TUN anyway.
 *  - otherwise /etc/resolv.conf: backed up (atomically, 0644) to
 *    /run/petrel/resolv.conf.petrel-backup, replaced by ours (whose first
 *    line is NET_DNS_MARKER), restored at the end; on the next start after a
 *    crash, restored when the backup exists and resolv.conf still has our
 *    marker. A symlink is backed up and restored as the symlink; a bind
 *    mount (containers) is rewritten in place, since rename cannot replace
 *    a mount point.
 * macOS (dns_darwin.c): scutil, a State:/Network/Service/petrel/DNS key
 * (SupplementalMatchDomains for a split tunnel; the service made primary
 * for a full one).
 *
 * Every path is injectable (struct net_dns_paths) so tests never touch the
 * host's files. */
#ifndef PETREL_NET_DNS_H
#define PETREL_NET_DNS_H

#include <stddef.h>
#include <sys/socket.h>

#include "base/limits.h"

#define NET_DNS_MARKER "# petrel: written by petreld while a tunnel is up"
#define NET_DNS_RESOLV_CONF "/etc/resolv.conf"
#define NET_DNS_BACKUP "/run/petrel/resolv.conf.petrel-backup"
#define NET_DNS_RESOLVED_DIR "/run/systemd/resolve"
#define NET_DNS_DOMAIN_MAX 253

enum net_dns_mode {
	NET_DNS_MODE_NONE = 0,
	NET_DNS_MODE_RESOLVED,    /* systemd-resolved, per link */
	NET_DNS_MODE_RESOLV_CONF, /* /etc/resolv.conf, backed up */
	NET_DNS_MODE_SCUTIL,      /* macOS configd */
};

/* NULL fields take the defaults above; `resolvectl`/`scutil` NULL: searched
 * in the usual places. force_resolv_conf skips the resolved detection. */
struct net_dns_paths {
	const char *resolv_conf;
	const char *backup;
	const char *resolved_dir;
	const char *resolvectl;
	const char *scutil;
	int force_resolv_conf;
};

struct net_dns_cfg {
	const char *ifname;                   /* the TUN */
	const struct sockaddr_storage *servers;
	size_t n_servers;                     /* 1..PT_NET_DNS_SERVERS_MAX */
	const char *const *domains;           /* search (and, split, routing) domains */
	size_t n_domains;                     /* 0..PT_NET_DNS_DOMAINS_MAX */
	int full_tunnel;                      /* every name through the tunnel ("~.") */
};

struct net_dns;

/* Decide the mode and remember the paths (copied). */
int net_dns_new(const struct net_dns_paths *paths, struct net_dns **out);
enum net_dns_mode net_dns_mode(const struct net_dns *d);
const char *net_dns_mode_name(enum net_dns_mode m);
/* Apply cfg. 0, -EINVAL (a bad server or domain: nothing changed), or the
 * helper's/file system's error (what was changed is taken back). */
int net_dns_apply(struct net_dns *d, const struct net_dns_cfg *cfg);
/* Take back what apply did; idempotent. */
int net_dns_revert(struct net_dns *d);
/* Free without reverting. NULL: no-op. */
void net_dns_free(struct net_dns *d);
/* At start, before apply: undo what a crashed run left (resolv.conf with
 * our marker and a backup: restored; scutil keys: removed). 0 when there
 * was nothing to do or it was undone; -EBADMSG for a malformed backup
 * (kept, resolv.conf untouched). */
int net_dns_recover(const struct net_dns_paths *paths);

/* ---- pure parts (dns.c), shared and unit-tested */
/* Check servers (AF_INET/AF_INET6) and domains (LDH labels, dots, <= 253). */
int net_dns_cfg_check(const struct net_dns_cfg *cfg);
/* Our resolv.conf: the marker, nameserver lines (the first 3: glibc's
 * MAXNS), one search line. 0 or -ENOBUFS. */
int net_dns_resolv_render(const struct net_dns_cfg *cfg, char *out, size_t cap, size_t *len);
/* Does this text hold our marker line? */
int net_dns_resolv_is_ours(const char *text, size_t len);
/* Back path up to backup (tmp + fsync + rename, 0644): a header line says
 * "file MODE", "symlink TARGET" or "absent", then the content. */
int net_dns_resolv_backup(const char *path, const char *backup);
/* Write text to path: tmp + rename, or in place when path is a mount point
 * (rename gives EBUSY). Mode 0644. */
int net_dns_resolv_write(const char *path, const char *text, size_t len);
/* Restore path from backup and remove the backup; -EBADMSG (and nothing
 * changed) when the backup is malformed, -ENOENT when there is none. */
int net_dns_resolv_restore(const char *path, const char *backup);
/* The crash rule: restore when backup exists and path holds our marker;
 * drop a stale backup (path rewritten by someone else since); 0 when done
 * or nothing to do. */
int net_dns_resolv_recover(const char *path, const char *backup);

#endif
