/* src/net/dns: resolv.conf rendering, the marker, and backup/restore on
 * files in a temporary directory (a file with its mode, a symlink, no file
 * at all), the crash rule, and malformed backups refused with nothing
 * changed. Also the configuration checks and the resolv.conf mode end to
 * end through net_dns_apply/revert with injected paths. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/dns.h"
#include "test.h"

static char dir[] = "/tmp/unit-net-dns-XXXXXX";
static char rc_path[128], bk_path[128];

static void put(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK_EQ(write(fd, text, strlen(text)), (long long)strlen(text));
	fchmod(fd, mode);
	close(fd);
}

static int has(const char *path, const char *text)
{
	char buf[4096];
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return 0;
	buf[n] = '\0';
	return strcmp(buf, text) == 0;
}

static struct sockaddr_storage v4(const char *a)
{
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	struct sockaddr_in *s = (struct sockaddr_in *)&ss;
	s->sin_family = AF_INET;
	inet_pton(AF_INET, a, &s->sin_addr);
	return ss;
}

static struct sockaddr_storage v6(const char *a)
{
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	struct sockaddr_in6 *s = (struct sockaddr_in6 *)&ss;
	s->sin6_family = AF_INET6;
	inet_pton(AF_INET6, a, &s->sin6_addr);
	return ss;
}

static void test_render_and_check(void)
{
	struct sockaddr_storage sv[4] = { v4("203.0.113.53"), v6("2001:db8::53"), v4("203.0.113.54"),
					  v4("203.0.113.55") };
	const char *doms[] = { "corp.example", "lab.example" };
	struct net_dns_cfg c = { "petrel0", sv, 4, doms, 2, 1 };
	char buf[512];
	size_t len;

	CHECK_EQ(net_dns_cfg_check(&c), 0);
	CHECK_EQ(net_dns_resolv_render(&c, buf, sizeof(buf), &len), 0);
	CHECK(strcmp(buf, NET_DNS_MARKER "; the original is restored when it goes down\n"
			  "nameserver 203.0.113.53\nnameserver 2001:db8::53\nnameserver 203.0.113.54\n"
			  "search corp.example lab.example\n") == 0);
	CHECK_EQ(len, strlen(buf));
	CHECK(net_dns_resolv_is_ours(buf, len));
	CHECK(!net_dns_resolv_is_ours("nameserver 192.0.2.1\n", 21));
	CHECK(!net_dns_resolv_is_ours("x # petrel: written by petreld\n", 31));
	CHECK_EQ(net_dns_resolv_render(&c, buf, 40, &len), -ENOBUFS);

	static const char *const bad[] = { "", ".corp", "corp..example", "corp example", "a;b",
					   "x\nnameserver 198.51.100.66", NULL };
	for (size_t i = 0; bad[i]; i++) {
		const char *d1[] = { bad[i] };
		struct net_dns_cfg b = { "petrel0", sv, 1, d1, 1, 0 };
		CHECK_EQ(net_dns_cfg_check(&b), -EINVAL);
	}
	char label[80];
	memset(label, 'a', 64);
	label[64] = '\0';
	const char *d2[] = { label };
	struct net_dns_cfg b = { "petrel0", sv, 1, d2, 1, 0 };
	CHECK_EQ(net_dns_cfg_check(&b), -EINVAL); /* a 64-octet label */
	label[63] = '\0';
	CHECK_EQ(net_dns_cfg_check(&b), 0);
	b.n_servers = 0;
	CHECK_EQ(net_dns_cfg_check(&b), -EINVAL);
	b.n_servers = PT_NET_DNS_SERVERS_MAX + 1;
	CHECK_EQ(net_dns_cfg_check(&b), -EINVAL);
	struct sockaddr_storage unix_ss = { .ss_family = AF_UNIX };
	struct net_dns_cfg u = { "petrel0", &unix_ss, 1, NULL, 0, 0 };
	CHECK_EQ(net_dns_cfg_check(&u), -EINVAL);
}

static void test_backup_restore_file(void)
{
	static const char orig[] = "# from DHCP\nnameserver 192.0.2.1\nsearch home.example\n";
	struct stat st;

	put(rc_path, orig, 0640);
	CHECK_EQ(net_dns_resolv_backup(rc_path, bk_path), 0);
	CHECK(stat(bk_path, &st) == 0 && (st.st_mode & 0777) == 0644);
	CHECK(has(bk_path, "# petrel resolv.conf backup v1 file 0640\n# from DHCP\n"
			   "nameserver 192.0.2.1\nsearch home.example\n"));
	CHECK_EQ(net_dns_resolv_write(rc_path, NET_DNS_MARKER "\nnameserver 203.0.113.53\n", 64), 0);
	CHECK_EQ(net_dns_resolv_restore(rc_path, bk_path), 0);
	CHECK(has(rc_path, orig));
	CHECK(stat(rc_path, &st) == 0 && (st.st_mode & 0777) == 0640);
	CHECK(access(bk_path, F_OK) != 0);
	CHECK_EQ(net_dns_resolv_restore(rc_path, bk_path), -ENOENT);
}

static void test_backup_restore_symlink_absent(void)
{
	char target[160], got[160];
	ssize_t n;

	snprintf(target, sizeof(target), "%s/real-resolv.conf", dir);
	put(target, "nameserver 192.0.2.9\n", 0644);
	unlink(rc_path);
	CHECK(symlink(target, rc_path) == 0);
	CHECK_EQ(net_dns_resolv_backup(rc_path, bk_path), 0);
	CHECK_EQ(net_dns_resolv_write(rc_path, NET_DNS_MARKER "\n", strlen(NET_DNS_MARKER) + 1), 0);
	/* ours replaced the link; the file it pointed to is untouched */
	CHECK(has(target, "nameserver 192.0.2.9\n"));
	CHECK(has(rc_path, NET_DNS_MARKER "\n"));
	CHECK_EQ(net_dns_resolv_restore(rc_path, bk_path), 0);
	n = readlink(rc_path, got, sizeof(got) - 1);
	CHECK(n > 0);
	if (n > 0) {
		got[n] = '\0';
		CHECK(strcmp(got, target) == 0);
	}
	unlink(target);

	unlink(rc_path);
	CHECK_EQ(net_dns_resolv_backup(rc_path, bk_path), 0);
	CHECK(has(bk_path, "# petrel resolv.conf backup v1 absent\n"));
	CHECK_EQ(net_dns_resolv_write(rc_path, "x\n", 2), 0);
	CHECK_EQ(net_dns_resolv_restore(rc_path, bk_path), 0);
	CHECK(access(rc_path, F_OK) != 0);
}

static void test_malformed_backup(void)
{
	static const char *const bad[] = {
		"",
		"nameserver 192.0.2.1\n",
		"# petrel resolv.conf backup v1 file\n",
		"# petrel resolv.conf backup v1 file 0999\n",
		"# petrel resolv.conf backup v1 file 644x\n",
		"# petrel resolv.conf backup v1 file 10644\n",
		"# petrel resolv.conf backup v1 symlink \n",
		"# petrel resolv.conf backup v1 symlink /x\nmore\n",
		"# petrel resolv.conf backup v1 absent\ntrailing\n",
		"# petrel resolv.conf backup v1 pipe\n",
		"# petrel resolv.conf backup v2 file 0644\n",
		NULL,
	};
	static const char ours[] = NET_DNS_MARKER "\nnameserver 203.0.113.53\n";
	for (size_t i = 0; bad[i]; i++) {
		put(rc_path, ours, 0644);
		put(bk_path, bad[i], 0644);
		int rc = net_dns_resolv_restore(rc_path, bk_path);
		if (rc != -EBADMSG)
			fprintf(stderr, "malformed backup %zu: %d\n", i, rc);
		CHECK_EQ(rc, -EBADMSG);
		CHECK(has(rc_path, ours));             /* nothing changed */
		CHECK(access(bk_path, F_OK) == 0);     /* the backup is kept */
		CHECK_EQ(net_dns_resolv_recover(rc_path, bk_path), -EBADMSG);
	}
	unlink(bk_path);
}

static void test_recover_rules(void)
{
	static const char orig[] = "nameserver 192.0.2.1\n";
	/* no backup: nothing to do */
	put(rc_path, orig, 0644);
	CHECK_EQ(net_dns_resolv_recover(rc_path, bk_path), 0);
	CHECK(has(rc_path, orig));
	/* a crash with ours in place: restored */
	CHECK_EQ(net_dns_resolv_backup(rc_path, bk_path), 0);
	put(rc_path, NET_DNS_MARKER "\nnameserver 203.0.113.53\n", 0644);
	CHECK_EQ(net_dns_resolv_recover(rc_path, bk_path), 0);
	CHECK(has(rc_path, orig));
	CHECK(access(bk_path, F_OK) != 0);
	/* someone rewrote it since: theirs stays, the stale backup goes */
	CHECK_EQ(net_dns_resolv_backup(rc_path, bk_path), 0);
	put(rc_path, "nameserver 198.51.100.7\n", 0644);
	CHECK_EQ(net_dns_resolv_recover(rc_path, bk_path), 0);
	CHECK(has(rc_path, "nameserver 198.51.100.7\n"));
	CHECK(access(bk_path, F_OK) != 0);
}

#ifdef __linux__ /* macOS applies through scutil */
static void test_apply_revert(void)
{
	static const char orig[] = "nameserver 192.0.2.1\noptions edns0\n";
	struct sockaddr_storage sv[1] = { v4("203.0.113.53") };
	const char *doms[] = { "corp.example" };
	struct net_dns_cfg c = { "petrel0", sv, 1, doms, 1, 1 };
	struct net_dns_paths p = { .resolv_conf = rc_path, .backup = bk_path,
				   .resolved_dir = dir /* no varlink socket there */ };
	struct net_dns *d;

	put(rc_path, orig, 0644);
	CHECK_EQ(net_dns_new(&p, &d), 0);
	CHECK_EQ(net_dns_mode(d), NET_DNS_MODE_RESOLV_CONF);
	CHECK_EQ(net_dns_apply(d, &c), 0);
	CHECK(has(rc_path, NET_DNS_MARKER "; the original is restored when it goes down\n"
			   "nameserver 203.0.113.53\nsearch corp.example\n"));
	/* applying again (new servers after a rekey) keeps the real original */
	sv[0] = v4("203.0.113.54");
	CHECK_EQ(net_dns_apply(d, &c), 0);
	CHECK_EQ(net_dns_revert(d), 0);
	CHECK(has(rc_path, orig));
	CHECK_EQ(net_dns_revert(d), 0); /* idempotent */
	/* a bad domain changes nothing */
	const char *bad[] = { "bad domain" };
	struct net_dns_cfg cb = { "petrel0", sv, 1, bad, 1, 1 };
	CHECK_EQ(net_dns_apply(d, &cb), -EINVAL);
	CHECK(has(rc_path, orig));
	CHECK(access(bk_path, F_OK) != 0);
	net_dns_free(d);

	/* crash: applied, never reverted; net_dns_recover() restores */
	CHECK_EQ(net_dns_new(&p, &d), 0);
	CHECK_EQ(net_dns_apply(d, &c), 0);
	net_dns_free(d);
	CHECK_EQ(net_dns_recover(&p), 0);
	CHECK(has(rc_path, orig));

	/* relative paths are refused */
	struct net_dns_paths rel = { .resolv_conf = "resolv.conf" };
	CHECK_EQ(net_dns_new(&rel, &d), -EINVAL);
}
#endif

int main(void)
{
	if (!mkdtemp(dir))
		return test_skip("no temporary directory");
	snprintf(rc_path, sizeof(rc_path), "%s/resolv.conf", dir);
	snprintf(bk_path, sizeof(bk_path), "%s/run/resolv.conf.petrel-backup", dir);
	test_render_and_check();
	test_backup_restore_file();
	test_backup_restore_symlink_absent();
	test_malformed_backup();
	test_recover_rules();
#ifdef __linux__
	test_apply_revert();
#endif
	unlink(rc_path);
	unlink(bk_path);
	char run[160];
	snprintf(run, sizeof(run), "%s/run", dir);
	rmdir(run);
	rmdir(dir);
	return test_done();
}
