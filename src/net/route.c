/* The route recorder and its journal (route.h); portable, over the
 * per-platform primitives in route_linux.c and route_darwin.c. */
#include "net/route.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/limits.h"
#include "base/log.h"

#define JOURNAL_HEADER "# petrel routes v1: added by petreld; the next start removes them"

struct net_routes {
	char journal[256];
	size_t n;
	struct net_route r[PT_NET_ROUTES_MAX];
};

static size_t fam_len(uint8_t family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

/* ---- text */

int net_prefix_parse(const char *s, struct net_prefix *out)
{
	char buf[NET_PREFIX_STR_MAX];
	const char *slash;
	size_t alen;
	unsigned long len;

	memset(out, 0, sizeof(*out));
	if (!s)
		return -EINVAL;
	slash = strchr(s, '/');
	alen = slash ? (size_t)(slash - s) : strlen(s);
	if (alen == 0 || alen >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (inet_pton(AF_INET, buf, out->addr) == 1)
		out->family = AF_INET;
	else if (inet_pton(AF_INET6, buf, out->addr) == 1)
		out->family = AF_INET6;
	else
		return -EINVAL;
	out->len = (uint8_t)(fam_len(out->family) * 8);
	if (slash) {
		char *end;
		if (slash[1] < '0' || slash[1] > '9' || strlen(slash + 1) > 3)
			return -EINVAL;
		errno = 0;
		len = strtoul(slash + 1, &end, 10);
		if (errno || *end || len > out->len)
			return -EINVAL;
		out->len = (uint8_t)len;
	}
	return 0;
}

const char *net_prefix_str(const struct net_prefix *p, char *out, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (!fam_len(p->family) || !inet_ntop(p->family, p->addr, a, sizeof(a)))
		snprintf(out, len, "?");
	else
		snprintf(out, len, "%s/%u", a, p->len);
	return out;
}

int net_prefix_from_sa(const struct sockaddr *sa, struct net_prefix *out)
{
	memset(out, 0, sizeof(*out));
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)(const void *)sa;
		out->family = AF_INET;
		out->len = 32;
		memcpy(out->addr, &s4->sin_addr, 4);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)(const void *)sa;
		out->family = AF_INET6;
		out->len = 128;
		memcpy(out->addr, &s6->sin6_addr, 16);
		return 0;
	}
	return -EAFNOSUPPORT;
}

int net_prefix_mask(struct net_prefix *p)
{
	size_t n = fam_len(p->family);

	if (!n || p->len > n * 8)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		unsigned bit = (unsigned)i * 8;
		if (bit >= p->len)
			p->addr[i] = 0;
		else if (p->len - bit < 8)
			p->addr[i] &= (uint8_t)(0xff00u >> (p->len - bit));
	}
	return 0;
}

int net_prefix_contains(const struct net_prefix *p, const struct net_prefix *a)
{
	size_t n = fam_len(p->family), whole = p->len / 8u;
	unsigned rest = p->len % 8u;

	if (!n || a->family != p->family || p->len > n * 8)
		return 0;
	if (memcmp(p->addr, a->addr, whole) != 0)
		return 0;
	return !rest || ((p->addr[whole] ^ a->addr[whole]) & (uint8_t)(0xff00u >> rest)) == 0;
}

int net_route_eq(const struct net_route *a, const struct net_route *b)
{
	size_t n = fam_len(a->dst.family);

	return a->kind == b->kind && a->dst.family == b->dst.family && a->dst.len == b->dst.len &&
	       memcmp(a->dst.addr, b->dst.addr, n) == 0 && a->has_gw == b->has_gw &&
	       (!a->has_gw || memcmp(a->gw, b->gw, n) == 0) &&
	       strncmp(a->ifname, b->ifname, sizeof(a->ifname)) == 0;
}

const char *net_route_str(const struct net_route *r, char *out, size_t len)
{
	char p[NET_PREFIX_STR_MAX], g[INET6_ADDRSTRLEN] = "";

	net_prefix_str(&r->dst, p, sizeof(p));
	if (r->has_gw && !inet_ntop(r->dst.family, r->gw, g, sizeof(g)))
		snprintf(g, sizeof(g), "?");
	snprintf(out, len, "%s %s%s%s dev %s", r->kind == NET_ROUTE_ADDR ? "addr" : "route", p,
		 r->has_gw ? " via " : "", g, r->ifname[0] ? r->ifname : "?");
	return out;
}

/* ---- the journal */

int net_routes_journal_render(const struct net_route *r, size_t n, char *out, size_t cap,
			      size_t *len)
{
	size_t off = 0;
	int w = snprintf(out, cap, "%s\n", JOURNAL_HEADER);

	if (w < 0 || (size_t)w >= cap)
		return -ENOBUFS;
	off = (size_t)w;
	for (size_t i = 0; i < n; i++) {
		char line[NET_ROUTE_STR_MAX];
		w = snprintf(out + off, cap - off, "%s\n", net_route_str(&r[i], line, sizeof(line)));
		if (w < 0 || (size_t)w >= cap - off)
			return -ENOBUFS;
		off += (size_t)w;
	}
	*len = off;
	return 0;
}

/* Split `line` (len octets, no newline) into at most max words. */
static size_t words(const char *line, size_t len, const char **w, size_t *wl, size_t max)
{
	size_t n = 0, i = 0;

	while (i < len) {
		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i >= len)
			break;
		size_t s = i;
		while (i < len && line[i] != ' ' && line[i] != '\t')
			i++;
		if (n == max)
			return max + 1;
		w[n] = line + s;
		wl[n++] = i - s;
	}
	return n;
}

static int word_is(const char *w, size_t wl, const char *lit)
{
	return wl == strlen(lit) && memcmp(w, lit, wl) == 0;
}

static int jerr(char *err, size_t err_len, unsigned line, const char *why)
{
	if (err && err_len)
		snprintf(err, err_len, "line %u: %s", line, why);
	return -EBADMSG;
}

int net_routes_journal_parse(const char *text, size_t len, struct net_route *out, size_t max,
			     size_t *n, char *err, size_t err_len)
{
	size_t off = 0;
	unsigned lineno = 0;

	*n = 0;
	if (len > PT_NET_JOURNAL_MAX_LEN)
		return jerr(err, err_len, 0, "file larger than the cap");
	while (off < len) {
		const char *line = text + off, *nl = memchr(line, '\n', len - off);
		size_t ll = nl ? (size_t)(nl - line) : len - off;
		const char *w[8];
		size_t wl[8], nw;
		struct net_route r;
		char tmp[NET_PREFIX_STR_MAX];

		off += ll + (nl ? 1 : 0);
		lineno++;
		if (!nl)
			return jerr(err, err_len, lineno, "no newline at the end (a torn write?)");
		if (memchr(line, '\0', ll))
			return jerr(err, err_len, lineno, "a NUL octet");
		if (lineno == 1) {
			if (ll != strlen(JOURNAL_HEADER) || memcmp(line, JOURNAL_HEADER, ll) != 0)
				return jerr(err, err_len, lineno, "not a petrel routes v1 journal");
			continue;
		}
		nw = words(line, ll, w, wl, 8);
		if (nw == 0)
			continue;
		if (nw > 8 || (nw != 4 && nw != 6))
			return jerr(err, err_len, lineno, "want 'addr|route PREFIX [via ADDR] dev NAME'");
		memset(&r, 0, sizeof(r));
		if (word_is(w[0], wl[0], "addr"))
			r.kind = NET_ROUTE_ADDR;
		else if (word_is(w[0], wl[0], "route"))
			r.kind = NET_ROUTE_ROUTE;
		else
			return jerr(err, err_len, lineno, "unknown kind (not addr or route)");
		if (wl[1] >= sizeof(tmp))
			return jerr(err, err_len, lineno, "prefix too long");
		memcpy(tmp, w[1], wl[1]);
		tmp[wl[1]] = '\0';
		if (net_prefix_parse(tmp, &r.dst) < 0)
			return jerr(err, err_len, lineno, "bad prefix");
		size_t k = 2;
		if (nw == 6) {
			struct net_prefix g;
			if (r.kind != NET_ROUTE_ROUTE || !word_is(w[2], wl[2], "via"))
				return jerr(err, err_len, lineno, "want 'via ADDR' after the prefix of a route");
			if (wl[3] >= sizeof(tmp))
				return jerr(err, err_len, lineno, "gateway too long");
			memcpy(tmp, w[3], wl[3]);
			tmp[wl[3]] = '\0';
			if (strchr(tmp, '/') || net_prefix_parse(tmp, &g) < 0 || g.family != r.dst.family)
				return jerr(err, err_len, lineno, "bad gateway address (or another family)");
			r.has_gw = 1;
			memcpy(r.gw, g.addr, sizeof(r.gw));
			k = 4;
		}
		if (!word_is(w[k], wl[k], "dev"))
			return jerr(err, err_len, lineno, "want 'dev NAME'");
		if (wl[k + 1] == 0 || wl[k + 1] >= sizeof(r.ifname) ||
		    memchr(w[k + 1], '/', wl[k + 1]) || word_is(w[k + 1], wl[k + 1], "?"))
			return jerr(err, err_len, lineno, "bad interface name");
		memcpy(r.ifname, w[k + 1], wl[k + 1]);
		if (*n == max)
			return jerr(err, err_len, lineno, "more entries than petrel ever records");
		out[(*n)++] = r;
	}
	if (lineno == 0)
		return jerr(err, err_len, 1, "empty file (no header)");
	return 0;
}

/* Write the file atomically: a temporary in the same directory, fsync,
 * rename. An empty list removes the file. */
static int journal_write(const struct net_routes *rs)
{
	char tmp[sizeof(rs->journal) + 8], *buf;
	size_t len;
	int fd, rc;

	if (rs->n == 0) {
		if (unlink(rs->journal) < 0 && errno != ENOENT)
			return -errno;
		return 0;
	}
	if (!(buf = malloc(PT_NET_JOURNAL_MAX_LEN)))
		return -ENOMEM;
	if ((rc = net_routes_journal_render(rs->r, rs->n, buf, PT_NET_JOURNAL_MAX_LEN, &len)) < 0)
		goto out;
	snprintf(tmp, sizeof(tmp), "%s.tmp", rs->journal);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	for (size_t off = 0; off < len;) {
		ssize_t w = write(fd, buf + off, len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			close(fd);
			goto out_unlink;
		}
		off += (size_t)w;
	}
	if (fsync(fd) < 0) {
		rc = -errno;
		close(fd);
		goto out_unlink;
	}
	if (close(fd) < 0 || rename(tmp, rs->journal) < 0) {
		rc = -errno;
		goto out_unlink;
	}
	rc = 0;
	goto out;
out_unlink:
	unlink(tmp);
out:
	free(buf);
	return rc;
}

static int mkdir_parent(const char *path)
{
	char dir[256];
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

/* ---- the recorder */

int net_routes_new(const char *journal, struct net_routes **out)
{
	struct net_routes *rs;

	*out = NULL;
	if (!journal)
		journal = NET_ROUTE_JOURNAL_DEFAULT;
	if (strlen(journal) >= sizeof(rs->journal) - 8 || journal[0] != '/')
		return -EINVAL;
	if (!(rs = calloc(1, sizeof(*rs))))
		return -ENOMEM;
	memcpy(rs->journal, journal, strlen(journal) + 1);
	*out = rs;
	return 0;
}

size_t net_routes_count(const struct net_routes *rs) { return rs->n; }

const struct net_route *net_routes_at(const struct net_routes *rs, size_t i)
{
	return i < rs->n ? &rs->r[i] : NULL;
}

/* Gone already: the interface went away, or someone removed it. */
static int gone(int rc)
{
	return rc == -ESRCH || rc == -ENOENT || rc == -ENODEV || rc == -EADDRNOTAVAIL ||
	       rc == -ENXIO;
}

/* Add r0 to the system and record it as entry `at` (rs->n: the newest). */
static int record_add(struct net_routes *rs, size_t at, const struct net_route *r0)
{
	struct net_route r = *r0;
	char s[NET_ROUTE_STR_MAX];
	int rc;

	if (rs->n == PT_NET_ROUTES_MAX)
		return -E2BIG;
	if (!fam_len(r.dst.family) || !r.ifindex)
		return -EINVAL;
	if (!if_indextoname(r.ifindex, r.ifname))
		return -ENODEV;
	if (r.kind == NET_ROUTE_ROUTE && (rc = net_prefix_mask(&r.dst)) < 0)
		return rc;
	if (rs->n == 0 && (rc = mkdir_parent(rs->journal)) < 0) {
		log_err("route", "journal directory for %s: %s", rs->journal, strerror(-rc));
		return rc;
	}
	net_route_str(&r, s, sizeof(s));
	rc = net_route_sys_add(&r);
	if (rc == -EEXIST) {
		log_info("route", "%s: already there, not ours (left alone)", s);
		return 0;
	}
	if (rc < 0) {
		log_err("route", "add %s: %s", s, strerror(-rc));
		return rc;
	}
	memmove(&rs->r[at + 1], &rs->r[at], (rs->n - at) * sizeof(rs->r[0]));
	rs->r[at] = r;
	rs->n++;
	if ((rc = journal_write(rs)) < 0) {
		/* without a journal a crash would leave it behind: take it back */
		log_err("route", "journal %s: %s; removing %s again", rs->journal, strerror(-rc), s);
		net_route_sys_del(&r);
		rs->n--;
		memmove(&rs->r[at], &rs->r[at + 1], (rs->n - at) * sizeof(rs->r[0]));
		return rc;
	}
	log_info("route", "added %s", s);
	return 0;
}

int net_routes_add(struct net_routes *rs, const struct net_route *r)
{
	return record_add(rs, rs->n, r);
}

/* Delete recorded entry i from the system (gone already is fine) and from
 * the record. A journal that cannot be rewritten is only logged: the entry
 * it still lists is gone, and recovery takes "gone" as done. */
static int record_del(struct net_routes *rs, size_t i)
{
	char s[NET_ROUTE_STR_MAX];
	int rc = net_route_sys_del(&rs->r[i]);

	net_route_str(&rs->r[i], s, sizeof(s));
	if (rc < 0 && !gone(rc)) {
		log_err("route", "remove %s: %s", s, strerror(-rc));
		return rc;
	}
	log_info("route", "removed %s%s", s, rc < 0 ? " (was gone)" : "");
	rs->n--;
	memmove(&rs->r[i], &rs->r[i + 1], (rs->n - i) * sizeof(rs->r[0]));
	if ((rc = journal_write(rs)) < 0)
		log_warn("route", "journal %s: %s (it still lists %s)", rs->journal, strerror(-rc), s);
	return 0;
}

int net_routes_addr_add(struct net_routes *rs, unsigned ifindex, const struct net_prefix *addr)
{
	struct net_route r;

	memset(&r, 0, sizeof(r));
	r.kind = NET_ROUTE_ADDR;
	r.dst = *addr;
	r.ifindex = ifindex;
	return net_routes_add(rs, &r);
}

static int add_dev_route(struct net_routes *rs, unsigned ifindex, uint8_t family, uint8_t first,
			 uint8_t len)
{
	struct net_route r;

	memset(&r, 0, sizeof(r));
	r.kind = NET_ROUTE_ROUTE;
	r.dst.family = family;
	r.dst.len = len;
	r.dst.addr[0] = first;
	r.ifindex = ifindex;
	return net_routes_add(rs, &r);
}

int net_routes_full(struct net_routes *rs, unsigned tun_ifindex, const struct sockaddr *gateway,
		    unsigned families)
{
	struct net_route via;
	struct net_prefix gw;
	char s[NET_PREFIX_STR_MAX];
	int rc;

	if ((rc = net_prefix_from_sa(gateway, &gw)) < 0)
		return rc;
	families |= gw.family == AF_INET ? NET_ROUTES_V4 : NET_ROUTES_V6;
	net_prefix_str(&gw, s, sizeof(s));
	/* the gateway's own traffic keeps its current path */
	if ((rc = net_route_sys_get(&gw, &via)) < 0) {
		log_err("route", "no route to the gateway %s: %s", s, strerror(-rc));
		return rc;
	}
	if (via.ifindex == tun_ifindex) {
		log_err("route", "the route to the gateway %s goes through the tunnel already", s);
		return -ELOOP;
	}
	if (via.ifindex) {
		via.kind = NET_ROUTE_ROUTE;
		via.dst = gw;
		if ((rc = net_routes_add(rs, &via)) < 0)
			return rc;
	} /* else a local address (a lab with the gateway on this host) */
	if (families & NET_ROUTES_V4) {
		if ((rc = add_dev_route(rs, tun_ifindex, AF_INET, 0x00, 1)) < 0 ||
		    (rc = add_dev_route(rs, tun_ifindex, AF_INET, 0x80, 1)) < 0)
			return rc;
	}
	if (families & NET_ROUTES_V6) {
		if ((rc = add_dev_route(rs, tun_ifindex, AF_INET6, 0x00, 1)) < 0 ||
		    (rc = add_dev_route(rs, tun_ifindex, AF_INET6, 0x80, 1)) < 0)
			return rc;
	}
	return 0;
}

int net_routes_split(struct net_routes *rs, unsigned tun_ifindex, const struct net_prefix *pfx,
		     size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct net_route r;
		int rc;

		memset(&r, 0, sizeof(r));
		r.kind = NET_ROUTE_ROUTE;
		r.dst = pfx[i];
		r.ifindex = tun_ifindex;
		if ((rc = net_routes_add(rs, &r)) < 0)
			return rc;
	}
	return 0;
}

/* The same path: destination, next hop and interface. */
static int same_path(const struct net_route *a, const struct net_route *b)
{
	size_t n = fam_len(a->dst.family);

	return a->dst.family == b->dst.family && a->dst.len == b->dst.len &&
	       memcmp(a->dst.addr, b->dst.addr, n) == 0 && a->has_gw == b->has_gw &&
	       (!a->has_gw || memcmp(a->gw, b->gw, n) == 0) && a->ifindex == b->ifindex;
}

int net_routes_bypass_update(struct net_routes *rs, unsigned tun_ifindex,
			     const struct sockaddr *gateway)
{
	struct net_route via, cur;
	struct net_prefix gw;
	char g[INET6_ADDRSTRLEN] = "?", s[NET_ROUTE_STR_MAX];
	size_t i, at = rs->n;
	int rc;

	if ((rc = net_prefix_from_sa(gateway, &gw)) < 0)
		return rc;
	inet_ntop(gw.family, gw.addr, g, sizeof(g));
	/* net_routes_full records one route that is not through the TUN, before
	 * those that are: a new one goes there too, so undo keeps the order */
	for (i = 0; i < rs->n; i++) {
		if (rs->r[i].kind != NET_ROUTE_ROUTE)
			continue;
		if (rs->r[i].ifindex != tun_ifindex)
			break;
		if (at == rs->n)
			at = i;
	}
	if (i < rs->n)
		at = i;
	if (net_route_sys_get(&gw, &via) == 0 && via.ifindex == 0)
		return 0; /* an address of this host (a lab): nothing to keep outside */
	rc = net_route_sys_outside(&gw, tun_ifindex, &cur);
	if (rc == -ENETUNREACH) {
		log_warn("route", "no path to the gateway %s outside the tunnel%s", g,
			 i < rs->n ? ": removing its host route" : "");
		if (i < rs->n && (rc = record_del(rs, i)) < 0)
			return rc;
		return -ENETUNREACH;
	}
	if (rc < 0) {
		log_err("route", "the path to the gateway %s outside the tunnel: %s", g, strerror(-rc));
		return rc;
	}
	char m[NET_PREFIX_STR_MAX], dev[IF_NAMESIZE];
	net_prefix_str(&cur.dst, m, sizeof(m)); /* the matching route, 0.0.0.0/0... */
	if (!if_indextoname(cur.ifindex, dev))
		snprintf(dev, sizeof(dev), "?");
	cur.kind = NET_ROUTE_ROUTE;
	cur.dst = gw;
	cur.mtu = 0;
	if (i < rs->n && same_path(&rs->r[i], &cur)) {
		/* unchanged; but the kernel flushes a route whose interface lost
		 * its last address, even when the address comes back */
		rc = net_route_sys_add(&rs->r[i]);
		net_route_str(&rs->r[i], s, sizeof(s));
		if (rc == 0)
			log_info("route", "%s: the kernel had removed it; added again", s);
		return rc == -EEXIST ? 0 : rc;
	}
	log_info("route", "the gateway %s: its path outside the tunnel is now %s dev %s", g, m, dev);
	/* delete first: the new route would collide with the old one's key */
	if (i < rs->n && (rc = record_del(rs, i)) < 0)
		return rc;
	return record_add(rs, at, &cur);
}

int net_routes_undo_all(struct net_routes *rs)
{
	int first = 0;

	while (rs->n > 0) {
		struct net_route *r = &rs->r[rs->n - 1];
		char s[NET_ROUTE_STR_MAX];
		int rc = net_route_sys_del(r);

		net_route_str(r, s, sizeof(s));
		if (rc < 0 && !gone(rc)) {
			log_err("route", "remove %s: %s", s, strerror(-rc));
			if (!first)
				first = rc;
		} else {
			log_info("route", "removed %s%s", s, rc < 0 ? " (was gone)" : "");
		}
		rs->n--;
	}
	int rc = journal_write(rs);
	return first ? first : rc;
}

void net_routes_free(struct net_routes *rs)
{
	free(rs);
}

int net_routes_recover(const char *journal)
{
	enum { BUF_LEN = PT_NET_JOURNAL_MAX_LEN + 1 };
	char err[NET_ROUTE_ERR_MAX], *buf;
	struct net_route *r;
	size_t len = 0, n;
	int fd, rc, first = 0;

	if (!journal)
		journal = NET_ROUTE_JOURNAL_DEFAULT;
	fd = open(journal, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	buf = malloc(BUF_LEN);
	r = calloc(PT_NET_ROUTES_MAX, sizeof(*r));
	if (!buf || !r) {
		close(fd);
		rc = -ENOMEM;
		goto out;
	}
	for (;;) {
		ssize_t g = read(fd, buf + len, BUF_LEN - len);
		if (g < 0 && errno == EINTR)
			continue;
		if (g < 0) {
			rc = -errno;
			close(fd);
			goto out;
		}
		if (g == 0)
			break;
		len += (size_t)g;
		if (len == BUF_LEN)
			break;
	}
	close(fd);
	rc = net_routes_journal_parse(buf, len, r, PT_NET_ROUTES_MAX, &n, err, sizeof(err));
	if (rc < 0) {
		log_err("route", "%s: %s; kept, nothing undone", journal, err);
		goto out;
	}
	for (size_t i = n; i-- > 0;) {
		char s[NET_ROUTE_STR_MAX];
		net_route_str(&r[i], s, sizeof(s));
		r[i].ifindex = if_nametoindex(r[i].ifname);
		if (!r[i].ifindex) {
			log_info("route", "recover: %s: the interface is gone, and it with it", s);
			continue;
		}
		rc = net_route_sys_del(&r[i]);
		if (rc < 0 && !gone(rc)) {
			log_err("route", "recover: remove %s: %s", s, strerror(-rc));
			if (!first)
				first = rc;
			continue;
		}
		log_info("route", "recover: removed %s%s", s, rc < 0 ? " (was gone)" : "");
	}
	rc = first;
	if (!rc && unlink(journal) < 0 && errno != ENOENT)
		rc = -errno;
out:
	free(buf);
	free(r);
	return rc;
}
