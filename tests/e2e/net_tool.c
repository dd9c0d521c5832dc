/* net-tool: drives src/net (TUN, routes, DNS, kill switch) for the e2e
 * namespace tests, one subcommand per piece. Not installed; petreld is what
 * users run. Long-lived subcommands print "ready ..." once set up, then wait
 * for stdin to close, then undo (or, with --crash, exit without undoing).
 *
 *   net-tool tun [--name N] [--mtu M] [--addr P]... [--full GW [--v6]]
 *                [--split P]... --journal FILE [--crash]
 *            (with --full, each line "bypass" on stdin points the gateway's
 *            host route at the current path, net_routes_bypass_update, and
 *            prints "bypass rc=N recorded=N")
 *   net-tool recover --journal FILE
 *   net-tool dns --server A... [--domain D]... [--full] [--resolv-conf F]
 *                [--backup F] [--resolved-dir D] [--resolvectl PATH] [--ifname N] [--crash]
 *   net-tool dns-recover [--resolv-conf F] [--backup F]
 *   net-tool ks-on --gw A... [--tun N] [--no-dhcp]   |   net-tool ks-off
 *   net-tool udp-send ADDR PORT       (exit 0 sent, 1 refused)
 *   net-tool udp-recv ADDR PORT MS    (exit 0 got one datagram, 1 timeout)
 *   net-tool mtu PATH_MTU 4|6 udp|raw|tcp
 *   net-tool pmtu ADDR                (the path MTU towards ADDR, net_path_mtu)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "net/dns.h"
#include "net/killswitch.h"
#include "net/mtu.h"
#include "net/route.h"
#include "net/tun.h"

#define MAX_ITEMS 16

static int usage(const char *why)
{
	fprintf(stderr, "net-tool: %s (see the comment at the top of net_tool.c)\n", why);
	return 2;
}

static int num(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno || *end || *out > max ? -1 : 0;
}

static int sa_parse(const char *s, unsigned port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, s, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		return 0;
	}
	if (inet_pton(AF_INET6, s, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		return 0;
	}
	return -1;
}

/* A line from stdin (a command while a subcommand waits). */
typedef void (*line_fn)(void *ctx, const char *line);

/* Wait until stdin closes, handing its lines to `fn` (NULL: ignored);
 * meanwhile read what the TUN receives. */
static unsigned long wait_stdin(struct net_tun *t, line_fn fn, void *ctx)
{
	unsigned long rx = 0;
	static uint8_t bufs[8][2048];
	struct net_tun_pkt p[8];
	char line[64];
	size_t ll = 0;

	for (;;) {
		struct pollfd fds[2] = { { .fd = 0, .events = POLLIN }, { .fd = t ? net_tun_fd(t) : -1,
									 .events = POLLIN } };
		if (poll(fds, t ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (t && (fds[1].revents & POLLIN)) {
			for (int i = 0; i < 8; i++)
				p[i] = (struct net_tun_pkt){ bufs[i], sizeof(bufs[i]), 0 };
			int n = net_tun_read_batch(t, p, 8);
			for (int i = 0; i < n; i++)
				if (p[i].len >= 20 && (p[i].data[0] >> 4) == 4)
					rx++;
		}
		if (fds[0].revents & (POLLIN | POLLHUP)) {
			char c[64];
			ssize_t r = read(0, c, sizeof(c));
			if (r <= 0)
				break;
			for (ssize_t i = 0; i < r; i++) {
				if (c[i] != '\n') {
					if (ll < sizeof(line) - 1)
						line[ll++] = c[i];
					continue;
				}
				line[ll] = '\0';
				ll = 0;
				if (fn)
					fn(ctx, line);
			}
		}
	}
	return rx;
}

struct bypass_ctx {
	struct net_routes *rs;
	unsigned tun_ifindex;
	struct sockaddr_storage gw;
};

static void on_tun_line(void *ctx, const char *line)
{
	struct bypass_ctx *b = ctx;

	if (strcmp(line, "bypass") != 0) {
		printf("unknown command '%s'\n", line);
	} else {
		int rc = net_routes_bypass_update(b->rs, b->tun_ifindex, (struct sockaddr *)&b->gw);
		printf("bypass rc=%d recorded=%zu\n", rc, net_routes_count(b->rs));
	}
	fflush(stdout);
}

static int cmd_tun(int argc, char **argv)
{
	const char *name = NULL, *journal = NULL, *full = NULL;
	struct net_prefix addrs[MAX_ITEMS], split[MAX_ITEMS];
	size_t na = 0, ns = 0;
	unsigned long mtu = 0;
	unsigned fam = 0;
	int crash = 0, rc;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--name") && v)
			name = v, i++;
		else if (!strcmp(a, "--mtu") && v && !num(v, 65535, &mtu))
			i++;
		else if (!strcmp(a, "--addr") && v && na < MAX_ITEMS && !net_prefix_parse(v, &addrs[na]))
			na++, i++;
		else if (!strcmp(a, "--split") && v && ns < MAX_ITEMS && !net_prefix_parse(v, &split[ns]))
			ns++, i++;
		else if (!strcmp(a, "--full") && v)
			full = v, i++;
		else if (!strcmp(a, "--v6"))
			fam |= NET_ROUTES_V6;
		else if (!strcmp(a, "--v4"))
			fam |= NET_ROUTES_V4;
		else if (!strcmp(a, "--journal") && v)
			journal = v, i++;
		else if (!strcmp(a, "--crash"))
			crash = 1;
		else
			return usage(a);
	}
	if (!journal)
		return usage("tun needs --journal");
	struct net_tun_cfg cfg = { .name = name, .mtu = (unsigned)mtu };
	struct net_tun *t;
	struct net_routes *rs;
	if ((rc = net_tun_open(&cfg, &t)) < 0) {
		fprintf(stderr, "net_tun_open: %s\n", strerror(-rc));
		return 1;
	}
	if ((rc = net_routes_new(journal, &rs)) < 0) {
		fprintf(stderr, "net_routes_new: %s\n", strerror(-rc));
		return 1;
	}
	struct bypass_ctx bc = { rs, net_tun_ifindex(t), { 0 } };
	for (size_t i = 0; i < na && rc == 0; i++)
		rc = net_routes_addr_add(rs, net_tun_ifindex(t), &addrs[i]);
	if (rc == 0 && full) {
		if (sa_parse(full, 4500, &bc.gw) < 0)
			return usage("bad --full gateway");
		rc = net_routes_full(rs, net_tun_ifindex(t), (struct sockaddr *)&bc.gw, fam);
	}
	if (rc == 0 && ns)
		rc = net_routes_split(rs, net_tun_ifindex(t), split, ns);
	if (rc < 0) {
		printf("error %s\n", strerror(-rc));
		fflush(stdout);
		net_routes_undo_all(rs);
		net_routes_free(rs);
		net_tun_close(t);
		return 1;
	}
	printf("ready ifindex=%u name=%s mtu=%u recorded=%zu\n", net_tun_ifindex(t), net_tun_name(t),
	       net_tun_mtu(t), net_routes_count(rs));
	fflush(stdout);
	unsigned long rx = wait_stdin(t, full ? on_tun_line : NULL, &bc);
	if (crash) {
		printf("crash rx=%lu\n", rx);
		fflush(stdout);
		_exit(0);
	}
	rc = net_routes_undo_all(rs);
	printf("undone rc=%d rx=%lu\n", rc, rx);
	fflush(stdout);
	net_routes_free(rs);
	net_tun_close(t);
	return rc < 0;
}

static int cmd_recover(int argc, char **argv)
{
	if (argc != 2 || strcmp(argv[0], "--journal"))
		return usage("recover --journal FILE");
	int rc = net_routes_recover(argv[1]);
	printf("recover rc=%d\n", rc);
	return rc < 0;
}

static int cmd_dns(int argc, char **argv, int recover)
{
	struct sockaddr_storage sv[PT_NET_DNS_SERVERS_MAX];
	const char *doms[PT_NET_DNS_DOMAINS_MAX];
	struct net_dns_paths p = { 0 };
	size_t nsv = 0, nd = 0;
	int full = 0, crash = 0, rc;
	const char *ifname = "lo";

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--server") && v && nsv < PT_NET_DNS_SERVERS_MAX && !sa_parse(v, 53, &sv[nsv]))
			nsv++, i++;
		else if (!strcmp(a, "--domain") && v && nd < PT_NET_DNS_DOMAINS_MAX)
			doms[nd++] = v, i++;
		else if (!strcmp(a, "--full"))
			full = 1;
		else if (!strcmp(a, "--crash"))
			crash = 1;
		else if (!strcmp(a, "--resolv-conf") && v)
			p.resolv_conf = v, i++;
		else if (!strcmp(a, "--backup") && v)
			p.backup = v, i++;
		else if (!strcmp(a, "--resolved-dir") && v)
			p.resolved_dir = v, i++;
		else if (!strcmp(a, "--resolvectl") && v)
			p.resolvectl = v, i++;
		else if (!strcmp(a, "--ifname") && v)
			ifname = v, i++;
		else
			return usage(a);
	}
	if (recover) {
		rc = net_dns_recover(&p);
		printf("dns-recover rc=%d\n", rc);
		return rc < 0;
	}
	struct net_dns *d;
	if ((rc = net_dns_new(&p, &d)) < 0)
		return usage("net_dns_new");
	struct net_dns_cfg cfg = { ifname, sv, nsv, doms, nd, full };
	if ((rc = net_dns_apply(d, &cfg)) < 0) {
		printf("error %s\n", strerror(-rc));
		return 1;
	}
	printf("ready mode=%s\n", net_dns_mode_name(net_dns_mode(d)));
	fflush(stdout);
	wait_stdin(NULL, NULL, NULL);
	if (crash) {
		printf("crash\n");
		fflush(stdout);
		_exit(0);
	}
	rc = net_dns_revert(d);
	printf("reverted rc=%d\n", rc);
	net_dns_free(d);
	return rc < 0;
}

static int cmd_ks(int argc, char **argv, int on)
{
	struct sockaddr_storage gw[PT_NET_KS_GATEWAYS_MAX];
	struct net_ks_cfg c = { gw, 0, NULL, 1, NULL };
	int rc;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--gw") && v && c.n_gateways < PT_NET_KS_GATEWAYS_MAX &&
		    !sa_parse(v, 0, &gw[c.n_gateways]))
			c.n_gateways++, i++;
		else if (!strcmp(a, "--tun") && v)
			c.tun_ifname = v, i++;
		else if (!strcmp(a, "--no-dhcp"))
			c.allow_dhcp = 0;
		else if (!strcmp(a, "--nft") && v)
			c.tool = v, i++;
		else
			return usage(a);
	}
	rc = on ? net_ks_enable(&c) : net_ks_disable(c.tool);
	printf("%s rc=%d active=%d\n", on ? "ks-on" : "ks-off", rc, net_ks_active(c.tool));
	return rc < 0;
}

static int cmd_udp(int argc, char **argv, int send)
{
	struct sockaddr_storage ss;
	unsigned long port, ms = 0;

	if (argc < 2 || num(argv[1], 65535, &port) || sa_parse(argv[0], (unsigned)port, &ss) ||
	    (!send && (argc != 3 || num(argv[2], 60000, &ms))))
		return usage("udp-send ADDR PORT | udp-recv ADDR PORT MS");
	int fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	socklen_t sl = ss.ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	if (fd < 0)
		return 1;
	if (send) {
		ssize_t w = sendto(fd, "petrel-probe", 12, 0, (struct sockaddr *)&ss, sl);
		printf("udp-send %s\n", w == 12 ? "sent" : strerror(errno));
		return w != 12;
	}
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0) {
		printf("udp-recv bind: %s\n", strerror(errno));
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	struct pollfd p = { .fd = fd, .events = POLLIN };
	if (poll(&p, 1, (int)ms) == 1) {
		char b[64];
		ssize_t r = recv(fd, b, sizeof(b), 0);
		printf("udp-recv got %zd\n", r);
		return r != 12;
	}
	printf("udp-recv timeout\n");
	return 1;
}

static int cmd_mtu(int argc, char **argv)
{
	unsigned long path;
	if (argc != 3 || num(argv[0], 65535, &path))
		return usage("mtu PATH 4|6 udp|raw|tcp");
	enum net_mtu_encap e = !strcmp(argv[2], "udp") ? NET_MTU_ENCAP_UDP
			       : !strcmp(argv[2], "tcp") ? NET_MTU_ENCAP_TCP : NET_MTU_ENCAP_NONE;
	struct net_mtu_esp p = NET_MTU_ESP_AEAD((unsigned)path, strcmp(argv[1], "6") ? AF_INET : AF_INET6, e);
	printf("%u\n", net_mtu_tunnel(&p));
	return 0;
}

static int cmd_pmtu(int argc, char **argv)
{
	struct sockaddr_storage ss;
	unsigned mtu = 0;
	if (argc != 1 || sa_parse(argv[0], 0, &ss))
		return usage("pmtu ADDR");
	int rc = net_path_mtu((struct sockaddr *)&ss, &mtu);
	if (rc) {
		printf("pmtu: %s\n", strerror(-rc));
		return 1;
	}
	printf("%u\n", mtu);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage("no subcommand");
	pt_log_set_level(PT_LOG_INFO);
	const char *c = argv[1];
	argc -= 2;
	argv += 2;
	if (!strcmp(c, "tun"))
		return cmd_tun(argc, argv);
	if (!strcmp(c, "recover"))
		return cmd_recover(argc, argv);
	if (!strcmp(c, "dns"))
		return cmd_dns(argc, argv, 0);
	if (!strcmp(c, "dns-recover"))
		return cmd_dns(argc, argv, 1);
	if (!strcmp(c, "ks-on"))
		return cmd_ks(argc, argv, 1);
	if (!strcmp(c, "ks-off"))
		return cmd_ks(argc, argv, 0);
	if (!strcmp(c, "udp-send"))
		return cmd_udp(argc, argv, 1);
	if (!strcmp(c, "udp-recv"))
		return cmd_udp(argc, argv, 0);
	if (!strcmp(c, "mtu"))
		return cmd_mtu(argc, argv);
	if (!strcmp(c, "pmtu"))
		return cmd_pmtu(argc, argv);
	return usage("unknown subcommand");
}
