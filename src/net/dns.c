/* DNS: what both platforms share, and the resolv.conf file handling
 * (dns.h). No helper programs here: files only. */
#include "net/dns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fdio.h"
#include "base/log.h"

#define BACKUP_HDR "# petrel resolv.conf backup v1 "
#define GLIBC_MAXNS 3

const char *net_dns_mode_name(enum net_dns_mode m)
{
	switch (m) {
	case NET_DNS_MODE_RESOLVED: return "systemd-resolved";
	case NET_DNS_MODE_RESOLV_CONF: return "resolv.conf";
	case NET_DNS_MODE_SCUTIL: return "scutil";
	default: return "none";
	}
}

static int domain_ok(const char *d)
{
	size_t len, label = 0;

	if (!d || (len = strnlen(d, NET_DNS_DOMAIN_MAX + 1)) == 0 || len > NET_DNS_DOMAIN_MAX)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = d[i];
		if (c == '.') {
			if (label == 0)
				return 0; /* empty label, or a leading dot */
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return 0;
		if (++label > 63)
			return 0;
	}
	return 1;
}

int net_dns_cfg_check(const struct net_dns_cfg *cfg)
{
	if (!cfg->ifname || !cfg->ifname[0] || cfg->n_servers == 0 ||
	    cfg->n_servers > PT_NET_DNS_SERVERS_MAX || cfg->n_domains > PT_NET_DNS_DOMAINS_MAX)
		return -EINVAL;
	for (size_t i = 0; i < cfg->n_servers; i++) {
		int f = cfg->servers[i].ss_family;
		if (f != AF_INET && f != AF_INET6)
			return -EINVAL;
	}
	for (size_t i = 0; i < cfg->n_domains; i++) {
		if (!domain_ok(cfg->domains[i])) {
			log_err("dns", "bad DNS domain '%.64s'", cfg->domains[i] ? cfg->domains[i] : "");
			return -EINVAL;
		}
	}
	return 0;
}

static const char *server_str(const struct sockaddr_storage *ss, char *out, size_t len)
{
	const void *a = ss->ss_family == AF_INET
				? (const void *)&((const struct sockaddr_in *)(const void *)ss)->sin_addr
				: (const void *)&((const struct sockaddr_in6 *)(const void *)ss)->sin6_addr;
	if (!inet_ntop(ss->ss_family, a, out, (socklen_t)len))
		snprintf(out, len, "?");
	return out;
}

int net_dns_resolv_render(const struct net_dns_cfg *cfg, char *out, size_t cap, size_t *len)
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
	EMIT("%s; the original is restored when it goes down\n", NET_DNS_MARKER);
	for (size_t i = 0; i < cfg->n_servers && i < GLIBC_MAXNS; i++) {
		char a[INET6_ADDRSTRLEN];
		EMIT("nameserver %s\n", server_str(&cfg->servers[i], a, sizeof(a)));
	}
	if (cfg->n_domains) {
		EMIT("search");
		for (size_t i = 0; i < cfg->n_domains; i++)
			EMIT(" %s", cfg->domains[i]);
		EMIT("\n");
	}
#undef EMIT
	*len = off;
	return 0;
}

int net_dns_resolv_is_ours(const char *text, size_t len)
{
	size_t ml = strlen(NET_DNS_MARKER);

	for (size_t off = 0; off < len;) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t ll = nl ? (size_t)(nl - (text + off)) : len - off;
		if (ll >= ml && memcmp(text + off, NET_DNS_MARKER, ml) == 0)
			return 1;
		off += ll + 1;
	}
	return 0;
}

/* Read a whole file of at most cap - 1 octets (NUL-terminated). -EFBIG
 * beyond that; -ENOENT when absent. */
static int read_file(const char *path, char *buf, size_t cap, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;

	*len = 0;
	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t r = read(fd, buf + *len, cap - 1 - *len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -errno;
			break;
		}
		if (r == 0)
			break;
		*len += (size_t)r;
		if (*len == cap - 1) {
			char c;
			if (read(fd, &c, 1) > 0)
				rc = -EFBIG;
			break;
		}
	}
	close(fd);
	buf[*len] = '\0';
	return rc;
}


static int mkdir_parent_of(const char *path)
{
	char dir[512];
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 0;

	if (n == 0 || n >= sizeof(dir))
		return 0;
	memcpy(dir, path, n);
	dir[n] = '\0';
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* The pid in the name: two petrelds in network namespaces share /etc (only
 * resolv.conf itself is bind-mounted per namespace), and one must never
 * unlink the other's half-written file (seen as ENOENT from rename). */
static int tmp_name(const char *path, char *out, size_t cap)
{
	int w = snprintf(out, cap, "%s.petrel-tmp.%ld", path, (long)getpid());
	return w < 0 || (size_t)w >= cap ? -ENAMETOOLONG : 0;
}

/* tmp + fsync + rename; in place when path is a mount point. */
static int write_atomic(const char *path, const char *text, size_t len, mode_t mode)
{
	char tmp[512];
	int fd, rc;

	if ((rc = tmp_name(path, tmp, sizeof(tmp))) < 0)
		return rc;
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return -errno;
	if ((rc = pt_write_all(fd, text, len)) < 0 || fchmod(fd, mode) < 0 || fsync(fd) < 0) {
		rc = rc ? rc : -errno;
		close(fd);
		unlink(tmp);
		return rc;
	}
	close(fd);
	if (rename(tmp, path) == 0)
		return 0;
	rc = -errno;
	unlink(tmp);
	if (rc != -EBUSY && rc != -EXDEV)
		return rc;
	/* a bind-mounted file (containers): rename cannot replace a mount point */
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	rc = pt_write_all(fd, text, len);
	if (!rc && fsync(fd) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

int net_dns_resolv_write(const char *path, const char *text, size_t len)
{
	return write_atomic(path, text, len, 0644);
}

int net_dns_resolv_backup(const char *path, const char *backup)
{
	enum { CAP = PT_NET_RESOLV_CONF_MAX_LEN + 512 };
	char *buf = malloc(CAP);
	struct stat st;
	size_t hl, len = 0;
	int rc;

	if (!buf)
		return -ENOMEM;
	if (lstat(path, &st) < 0) {
		if (errno != ENOENT) {
			rc = -errno;
			goto out;
		}
		hl = (size_t)snprintf(buf, CAP, BACKUP_HDR "absent\n");
	} else if (S_ISLNK(st.st_mode)) {
		char target[4096];
		ssize_t n = readlink(path, target, sizeof(target) - 1);
		if (n < 0) {
			rc = -errno;
			goto out;
		}
		target[n] = '\0';
		if (memchr(target, '\n', (size_t)n)) {
			rc = -EINVAL;
			goto out;
		}
		hl = (size_t)snprintf(buf, CAP, BACKUP_HDR "symlink %s\n", target);
	} else if (S_ISREG(st.st_mode)) {
		hl = (size_t)snprintf(buf, CAP, BACKUP_HDR "file %04o\n", (unsigned)(st.st_mode & 07777));
		if ((rc = read_file(path, buf + hl, CAP - hl, &len)) < 0) {
			if (rc == -EFBIG)
				log_err("dns", "%s is larger than %u octets", path, PT_NET_RESOLV_CONF_MAX_LEN);
			goto out;
		}
	} else {
		rc = -EINVAL;
		goto out;
	}
	if ((rc = mkdir_parent_of(backup)) < 0)
		goto out;
	rc = write_atomic(backup, buf, hl + len, 0644);
out:
	free(buf);
	return rc;
}

int net_dns_resolv_restore(const char *path, const char *backup)
{
	enum { CAP = PT_NET_RESOLV_CONF_MAX_LEN + 4608 };
	char *buf = malloc(CAP), tmp[512];
	const char *nl, *arg;
	size_t len, hl;
	int rc;

	if (!buf)
		return -ENOMEM;
	if ((rc = read_file(backup, buf, CAP, &len)) < 0)
		goto out;
	rc = -EBADMSG;
	nl = memchr(buf, '\n', len);
	if (!nl || len < strlen(BACKUP_HDR) || memcmp(buf, BACKUP_HDR, strlen(BACKUP_HDR)) != 0) {
		log_err("dns", "%s: not a petrel resolv.conf backup (header)", backup);
		goto out;
	}
	hl = (size_t)(nl - buf) + 1;
	buf[hl - 1] = '\0';
	arg = buf + strlen(BACKUP_HDR);
	if (strcmp(arg, "absent") == 0) {
		if (len != hl) {
			log_err("dns", "%s: 'absent' with content after it", backup);
			goto out;
		}
		rc = unlink(path) < 0 && errno != ENOENT ? -errno : 0;
	} else if (strncmp(arg, "symlink ", 8) == 0) {
		const char *target = arg + 8;
		if (!target[0] || len != hl) {
			log_err("dns", "%s: a bad symlink entry", backup);
			goto out;
		}
		if ((rc = tmp_name(path, tmp, sizeof(tmp))) < 0)
			goto out;
		unlink(tmp);
		if (symlink(target, tmp) < 0) {
			rc = -errno;
			goto out;
		}
		if (rename(tmp, path) < 0) {
			rc = -errno;
			unlink(tmp);
			goto out;
		}
		rc = 0;
	} else if (strncmp(arg, "file ", 5) == 0) {
		char *end;
		unsigned long mode;
		if (arg[5] < '0' || arg[5] > '7' || strlen(arg + 5) != 4) {
			log_err("dns", "%s: a bad file mode", backup);
			goto out;
		}
		mode = strtoul(arg + 5, &end, 8);
		if (*end || mode > 07777) {
			log_err("dns", "%s: a bad file mode", backup);
			goto out;
		}
		if (len - hl > PT_NET_RESOLV_CONF_MAX_LEN) {
			log_err("dns", "%s: content larger than the cap", backup);
			goto out;
		}
		if (memchr(buf + hl, '\0', len - hl)) {
			log_err("dns", "%s: a NUL octet in the content", backup);
			goto out;
		}
		rc = write_atomic(path, buf + hl, len - hl, (mode_t)mode);
	} else {
		log_err("dns", "%s: unknown kind '%.32s'", backup, arg);
		goto out;
	}
	if (rc == 0 && unlink(backup) < 0 && errno != ENOENT)
		rc = -errno;
out:
	free(buf);
	return rc;
}

int net_dns_resolv_recover(const char *path, const char *backup)
{
	enum { CAP = PT_NET_RESOLV_CONF_MAX_LEN + 1 };
	struct stat st;
	char *buf;
	size_t len;
	int rc, ours;

	if (lstat(backup, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!(buf = malloc(CAP)))
		return -ENOMEM;
	rc = read_file(path, buf, CAP, &len);
	ours = rc == 0 && net_dns_resolv_is_ours(buf, len);
	free(buf);
	if (ours) {
		log_info("dns", "%s still holds petrel's servers: restoring it from %s", path, backup);
		return net_dns_resolv_restore(path, backup);
	}
	log_warn("dns", "%s was rewritten since petrel's last run: dropping the stale backup %s",
		 path, backup);
	return unlink(backup) < 0 && errno != ENOENT ? -errno : 0;
}
