/* src/net/killswitch and spawn: the nftables ruleset, exact text, and the
 * bad configurations it refuses; running helpers with argv arrays (stdin
 * fed, output captured and cut, exit codes, deadlines, missing programs),
 * and a missing nft reported as -ENOTSUP. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "base/limits.h"
#include "net/killswitch.h"
#include "net/spawn.h"
#include "test.h"

static struct sockaddr_storage gw4(const char *a, unsigned port)
{
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	struct sockaddr_in *s = (struct sockaddr_in *)&ss;
	s->sin_family = AF_INET;
	s->sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, a, &s->sin_addr);
	return ss;
}

static struct sockaddr_storage gw6(const char *a)
{
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	struct sockaddr_in6 *s = (struct sockaddr_in6 *)&ss;
	s->sin6_family = AF_INET6;
	inet_pton(AF_INET6, a, &s->sin6_addr);
	return ss;
}

#ifdef __linux__
static void test_render(void)
{
	struct sockaddr_storage g[2] = { gw4("198.51.100.1", 0), gw6("2001:db8::1") };
	struct net_ks_cfg c = { g, 2, "petrel0", 1, NULL };
	char out[NET_KS_RULES_MAX];
	size_t len;

	CHECK_EQ(net_ks_render(&c, out, sizeof(out), &len), 0);
	CHECK_EQ(len, strlen(out));
	static const char head[] =
		"table inet petrel\ndelete table inet petrel\ntable inet petrel {\n"
		"\tchain output {\n\t\ttype filter hook output priority filter; policy drop;\n"
		"\t\toifname \"lo\" accept\n"
		"\t\toifname \"petrel0\" accept\n"
		"\t\tip daddr 198.51.100.1 udp dport { 500, 4500 } accept\n"
		"\t\tip daddr 198.51.100.1 tcp dport 4500 accept\n"
		"\t\tip daddr 198.51.100.1 meta l4proto esp accept\n"
		"\t\tip6 daddr 2001:db8::1 udp dport { 500, 4500 } accept\n"
		"\t\tip6 daddr 2001:db8::1 tcp dport 4500 accept\n"
		"\t\tip6 daddr 2001:db8::1 meta l4proto esp accept\n"
		"\t\tudp sport 68 udp dport 67 accept\n"
		"\t\tudp sport 546 udp dport 547 accept\n";
	CHECK(strncmp(out, head, strlen(head)) == 0);
	CHECK(strstr(out, "\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n"
			  "\t\tiifname \"lo\" accept\n\t\tiifname \"petrel0\" accept\n"
			  "\t\tip saddr 198.51.100.1 udp sport { 500, 4500 } accept\n") != NULL);
	CHECK(strstr(out, "\t\tudp sport 67 udp dport 68 accept\n") != NULL);
	CHECK(strstr(out, "\tchain forward {\n\t\ttype filter hook forward priority filter; "
			  "policy drop;\n\t\toifname \"petrel0\" accept\n") != NULL);
	CHECK(strstr(out, "nd-neighbor-solicit") != NULL);

	/* while connecting: no TUN, no DHCP; a gateway on another port */
	g[0] = gw4("198.51.100.1", 10500);
	struct net_ks_cfg c2 = { g, 1, NULL, 0, NULL };
	CHECK_EQ(net_ks_render(&c2, out, sizeof(out), &len), 0);
	CHECK(strstr(out, "oifname \"petrel0\"") == NULL);
	CHECK(strstr(out, "udp sport 68") == NULL);
	CHECK(strstr(out, "ip daddr 198.51.100.1 udp dport { 500, 4500, 10500 } accept\n") != NULL);
	CHECK(strstr(out, "ip daddr 198.51.100.1 tcp dport 10500 accept\n") != NULL);

	/* refused */
	struct net_ks_cfg none = { g, 0, NULL, 0, NULL };
	CHECK_EQ(net_ks_render(&none, out, sizeof(out), &len), -EINVAL);
	struct net_ks_cfg many = { g, PT_NET_KS_GATEWAYS_MAX + 1, NULL, 0, NULL };
	CHECK_EQ(net_ks_render(&many, out, sizeof(out), &len), -EINVAL);
	struct net_ks_cfg inj = { g, 1, "x\" accept\n", 0, NULL };
	CHECK_EQ(net_ks_render(&inj, out, sizeof(out), &len), -EINVAL);
	struct sockaddr_storage unix_ss = { .ss_family = AF_UNIX };
	struct net_ks_cfg fam = { &unix_ss, 1, NULL, 0, NULL };
	CHECK_EQ(net_ks_render(&fam, out, sizeof(out), &len), -EINVAL);
	CHECK_EQ(net_ks_render(&c, out, 64, &len), -ENOBUFS);
}

#endif

static void test_no_nft(void)
{
	struct sockaddr_storage g = gw4("198.51.100.1", 0);
	struct net_ks_cfg c = { &g, 1, NULL, 1, "/nonexistent/nft" };
	CHECK_EQ(net_ks_enable(&c), -ENOTSUP);
	CHECK_EQ(net_ks_disable("/nonexistent/nft"), -ENOTSUP);
}

static void test_spawn(void)
{
	char out[64];
	struct net_spawn_io io = { .in = "hello\nworld\n", .in_len = 12, .out = out,
				   .out_cap = sizeof(out) };
	const char *cat[] = { "/bin/cat", NULL };
	CHECK_EQ(net_spawn(cat, &io), 0);
	CHECK(strcmp(out, "hello\nworld\n") == 0);

	/* stdout and stderr together, exit status through */
	const char *sh[] = { "/bin/sh", "-c", "echo out; echo err >&2; exit 3", NULL };
	struct net_spawn_io io2 = { .out = out, .out_cap = sizeof(out) };
	CHECK_EQ(net_spawn(sh, &io2), 3);
	CHECK(strstr(out, "out\n") && strstr(out, "err\n"));

	/* output cut at the cap, the rest drained; a big stdin to a child that
	 * does not read it must not hang or kill us with SIGPIPE */
	static char big[256 * 1024];
	memset(big, 'x', sizeof(big));
	char small[8];
	const char *yes[] = { "/bin/sh", "-c", "head -c 100000 /dev/zero | tr '\\0' y", NULL };
	struct net_spawn_io io3 = { .in = big, .in_len = sizeof(big), .out = small,
				    .out_cap = sizeof(small) };
	CHECK_EQ(net_spawn(yes, &io3), 0);
	CHECK(strcmp(small, "yyyyyyy") == 0);

	/* the deadline */
	const char *slp[] = { "/bin/sleep", "5", NULL };
	struct net_spawn_io io4 = { .timeout_ms = 200 };
	CHECK_EQ(net_spawn(slp, &io4), -ETIMEDOUT);

	/* not there; not absolute */
	const char *none[] = { "/nonexistent/tool", NULL };
	struct net_spawn_io io5 = { 0 };
	CHECK_EQ(net_spawn(none, &io5), -ENOENT);
	const char *rel[] = { "cat", NULL };
	CHECK_EQ(net_spawn(rel, &io5), -EINVAL);
	const char *const cand[] = { "/nonexistent/a", "/bin/sh", NULL };
	CHECK(net_spawn_find(cand) != NULL && strcmp(net_spawn_find(cand), "/bin/sh") == 0);
	const char *const cand2[] = { "/nonexistent/a", "/tmp", NULL };
	CHECK(net_spawn_find(cand2) == NULL);
}

int main(void)
{
#ifdef __linux__
	test_render(); /* nft text; macOS renders pf rules */
#endif
	test_no_nft();
	test_spawn();
	return test_done();
}
