/* src/net/route: prefixes as text, the route journal rendered and parsed
 * back, and malformed journals refused with the line and the reason. */
#include <errno.h>
#include <string.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/route.h"
#include "test.h"

static void test_prefix(void)
{
	static const struct { const char *in; int rc; const char *out; } rows[] = {
		{ "203.0.113.0/24", 0, "203.0.113.0/24" },
		{ "203.0.113.10", 0, "203.0.113.10/32" },
		{ "0.0.0.0/0", 0, "0.0.0.0/0" },
		{ "2001:db8::/32", 0, "2001:db8::/32" },
		{ "2001:db8::1", 0, "2001:db8::1/128" },
		{ "198.18.0.0/15", 0, "198.18.0.0/15" },
		{ "203.0.113.0/33", -EINVAL, NULL },
		{ "2001:db8::/129", -EINVAL, NULL },
		{ "203.0.113.0/", -EINVAL, NULL },
		{ "203.0.113.0/-1", -EINVAL, NULL },
		{ "203.0.113.0/+8", -EINVAL, NULL },
		{ "203.0.113.0/24x", -EINVAL, NULL },
		{ "203.0.113.0/0024", -EINVAL, NULL },
		{ "/24", -EINVAL, NULL },
		{ "", -EINVAL, NULL },
		{ "203.0.113", -EINVAL, NULL },
		{ "vpn.example.com/24", -EINVAL, NULL },
		{ "2001:db8::1:2:3:4:5:6:7:8:9:10:11:12:13:14:15:16:17:18:19:20:21:22:23:24:25:26:27:28:29", -EINVAL, NULL },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct net_prefix p;
		char s[NET_PREFIX_STR_MAX];
		int rc = net_prefix_parse(rows[i].in, &p);
		if (rc != rows[i].rc)
			fprintf(stderr, "prefix row %zu '%s': %d\n", i, rows[i].in, rc);
		CHECK_EQ(rc, rows[i].rc);
		if (rc == 0)
			CHECK(strcmp(net_prefix_str(&p, s, sizeof(s)), rows[i].out) == 0);
	}
	struct net_prefix p;
	char s[NET_PREFIX_STR_MAX];
	CHECK_EQ(net_prefix_parse("203.0.113.77/25", &p), 0);
	CHECK_EQ(net_prefix_mask(&p), 0);
	CHECK(strcmp(net_prefix_str(&p, s, sizeof(s)), "203.0.113.0/25") == 0);
	CHECK_EQ(net_prefix_parse("203.0.113.200/25", &p), 0);
	CHECK_EQ(net_prefix_mask(&p), 0);
	CHECK(strcmp(net_prefix_str(&p, s, sizeof(s)), "203.0.113.128/25") == 0);
	CHECK_EQ(net_prefix_parse("2001:db8:ffff::1/33", &p), 0);
	CHECK_EQ(net_prefix_mask(&p), 0);
	CHECK(strcmp(net_prefix_str(&p, s, sizeof(s)), "2001:db8:8000::/33") == 0);
}

static void test_prefix_contains(void)
{
	static const struct { const char *pfx, *addr; int want; } rows[] = {
		{ "0.0.0.0/0", "198.51.100.1", 1 },
		{ "0.0.0.0/1", "198.51.100.1", 0 },
		{ "128.0.0.0/1", "198.51.100.1", 1 },
		{ "198.51.100.0/24", "198.51.100.1", 1 },
		{ "198.51.100.0/24", "198.51.101.1", 0 },
		{ "198.51.100.0/25", "198.51.100.127", 1 },
		{ "198.51.100.0/25", "198.51.100.128", 0 },
		{ "198.51.100.1/32", "198.51.100.1", 1 },
		{ "198.51.100.1/32", "198.51.100.0", 0 },
		{ "198.18.0.0/15", "198.19.255.255", 1 },
		{ "198.18.0.0/15", "198.20.0.0", 0 },
		{ "::/0", "2001:db8::1", 1 },
		{ "::/0", "198.51.100.1", 0 },          /* another family */
		{ "0.0.0.0/0", "2001:db8::1", 0 },
		{ "2001:db8:2::/48", "2001:db8:2:ffff::1", 1 },
		{ "2001:db8:2::/48", "2001:db8:3::1", 0 },
		{ "2001:db8:8000::/33", "2001:db8:7fff::1", 0 },
		{ "2001:db8::1/128", "2001:db8::1", 1 },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct net_prefix p, a;
		CHECK_EQ(net_prefix_parse(rows[i].pfx, &p), 0);
		CHECK_EQ(net_prefix_parse(rows[i].addr, &a), 0);
		if (net_prefix_contains(&p, &a) != rows[i].want)
			fprintf(stderr, "contains row %zu: %s in %s\n", i, rows[i].addr, rows[i].pfx);
		CHECK_EQ(net_prefix_contains(&p, &a), rows[i].want);
	}
	struct net_prefix none = { 0 }, a;
	CHECK_EQ(net_prefix_parse("198.51.100.1", &a), 0);
	CHECK_EQ(net_prefix_contains(&none, &a), 0);
}

static struct net_route mk(enum net_route_kind k, const char *dst, const char *gw, const char *dev)
{
	struct net_route r;
	struct net_prefix g;
	memset(&r, 0, sizeof(r));
	r.kind = k;
	CHECK_EQ(net_prefix_parse(dst, &r.dst), 0);
	if (gw) {
		CHECK_EQ(net_prefix_parse(gw, &g), 0);
		r.has_gw = 1;
		memcpy(r.gw, g.addr, 16);
	}
	memcpy(r.ifname, dev, strlen(dev));
	return r;
}

static void test_journal_roundtrip(void)
{
	struct net_route in[] = {
		mk(NET_ROUTE_ADDR, "203.0.113.10/32", NULL, "petrel0"),
		mk(NET_ROUTE_ADDR, "2001:db8:1::10/128", NULL, "petrel0"),
		mk(NET_ROUTE_ROUTE, "198.51.100.1/32", "192.0.2.1", "c-eth"),
		mk(NET_ROUTE_ROUTE, "0.0.0.0/1", NULL, "petrel0"),
		mk(NET_ROUTE_ROUTE, "128.0.0.0/1", NULL, "petrel0"),
		mk(NET_ROUTE_ROUTE, "::/1", NULL, "petrel0"),
		mk(NET_ROUTE_ROUTE, "8000::/1", NULL, "petrel0"),
		mk(NET_ROUTE_ROUTE, "2001:db8:2::/48", "2001:db8::1", "c-eth"),
	};
	static const char want[] =
		"# petrel routes v1: added by petreld; the next start removes them\n"
		"addr 203.0.113.10/32 dev petrel0\n"
		"addr 2001:db8:1::10/128 dev petrel0\n"
		"route 198.51.100.1/32 via 192.0.2.1 dev c-eth\n"
		"route 0.0.0.0/1 dev petrel0\n"
		"route 128.0.0.0/1 dev petrel0\n"
		"route ::/1 dev petrel0\n"
		"route 8000::/1 dev petrel0\n"
		"route 2001:db8:2::/48 via 2001:db8::1 dev c-eth\n";
	char text[2048], err[NET_ROUTE_ERR_MAX];
	struct net_route out[16];
	size_t len, n;
	const size_t cnt = sizeof(in) / sizeof(in[0]);

	CHECK_EQ(net_routes_journal_render(in, cnt, text, sizeof(text), &len), 0);
	CHECK_EQ(len, strlen(want));
	CHECK(strcmp(text, want) == 0);
	CHECK_EQ(net_routes_journal_parse(text, len, out, 16, &n, err, sizeof(err)), 0);
	CHECK_EQ(n, cnt);
	for (size_t i = 0; i < n && i < cnt; i++)
		CHECK(net_route_eq(&in[i], &out[i]));
	/* a cap on entries */
	CHECK_EQ(net_routes_journal_parse(text, len, out, 3, &n, err, sizeof(err)), -EBADMSG);
	CHECK(strstr(err, "line 5:") != NULL);
	/* too small an output buffer */
	CHECK_EQ(net_routes_journal_render(in, cnt, text, 100, &len), -ENOBUFS);
}

static void test_journal_malformed(void)
{
#define HDR "# petrel routes v1: added by petreld; the next start removes them\n"
	static const struct { const char *text; const char *err; } rows[] = {
		{ "", "line 1: empty file" },
		{ "# petrel routes v2\n", "line 1: not a petrel routes v1 journal" },
		{ HDR "route 0.0.0.0/1 dev petrel0", "line 2: no newline at the end" },
		{ HDR "link 0.0.0.0/1 dev petrel0\n", "line 2: unknown kind" },
		{ HDR "route 0.0.0.0/33 dev petrel0\n", "line 2: bad prefix" },
		{ HDR "route 0.0.0.0/1 petrel0\n", "line 2: want 'addr|route PREFIX [via ADDR] dev NAME'" },
		{ HDR "route 0.0.0.0/1 dev petrel0 extra\n", "line 2: want 'addr" },
		{ HDR "route 0.0.0.0/1 via 192.0.2.1 petrel0 x\n", "line 2: want 'dev NAME'" },
		{ HDR "route 0.0.0.0/1 through 192.0.2.1 dev x\n", "line 2: want 'via ADDR'" },
		{ HDR "route 0.0.0.0/1 via 2001:db8::1 dev x\n", "line 2: bad gateway address" },
		{ HDR "route 0.0.0.0/1 via 192.0.2.0/24 dev x\n", "line 2: bad gateway address" },
		{ HDR "addr 203.0.113.1/32 via 192.0.2.1 dev x\n", "line 2: want 'via ADDR'" },
		{ HDR "route ::/1 dev a-name-far-too-long\n", "line 2: bad interface name" },
		{ HDR "route ::/1 dev ../x\n", "line 2: bad interface name" },
		{ HDR "\n\nroute ::/1 dev ?\n", "line 4: bad interface name" },
		{ HDR "route ::/1 dev a b c d e f g h\n", "line 2: want 'addr" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct net_route out[4];
		char err[NET_ROUTE_ERR_MAX] = "";
		size_t n;
		int rc = net_routes_journal_parse(rows[i].text, strlen(rows[i].text), out, 4, &n, err,
						  sizeof(err));
		if (rc != -EBADMSG || strncmp(err, rows[i].err, strlen(rows[i].err)) != 0)
			fprintf(stderr, "malformed row %zu: rc %d err '%s', want '%s'\n", i, rc, err,
				rows[i].err);
		CHECK_EQ(rc, -EBADMSG);
		CHECK(strncmp(err, rows[i].err, strlen(rows[i].err)) == 0);
	}
	/* a NUL inside a line */
	static const char nul[] = HDR "route ::/1 dev x\0y\n";
	struct net_route out[4];
	char err[NET_ROUTE_ERR_MAX];
	size_t n;
	CHECK_EQ(net_routes_journal_parse(nul, sizeof(nul) - 1, out, 4, &n, err, sizeof(err)), -EBADMSG);
	CHECK(strstr(err, "line 2: a NUL") != NULL);
	/* blank lines are fine */
	static const char blank[] = HDR "\n   \nroute ::/1 dev x\n";
	CHECK_EQ(net_routes_journal_parse(blank, sizeof(blank) - 1, out, 4, &n, err, sizeof(err)), 0);
	CHECK_EQ(n, 1);
#undef HDR
}

static void test_recover_missing_and_malformed(void)
{
	char dir[] = "/tmp/unit-net-route-XXXXXX", path[128];
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/routes", dir);
	CHECK_EQ(net_routes_recover(path), 0); /* nothing there */
	FILE *f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		fputs("garbage\n", f);
		fclose(f);
	}
	CHECK_EQ(net_routes_recover(path), -EBADMSG);
	CHECK(access(path, F_OK) == 0); /* kept for a human */
	/* only interfaces that do not exist: nothing to delete, file consumed */
	f = fopen(path, "w");
	if (f) {
		fputs("# petrel routes v1: added by petreld; the next start removes them\n"
		      "route 0.0.0.0/1 dev pt-unit-gone0\n", f);
		fclose(f);
	}
	CHECK_EQ(net_routes_recover(path), 0);
	CHECK(access(path, F_OK) != 0);
	rmdir(dir);
}

int main(void)
{
	test_prefix();
	test_prefix_contains();
	test_journal_roundtrip();
	test_journal_malformed();
	test_recover_missing_and_malformed();
	return test_done();
}
