/* RFC 5723 ticket files (src/daemon/ticket_store.c): the format's round
 * trip, the file system's rules (modes, owners, symbolic links, atomic
 * replacement, deletion by zeros) and every way a file can go bad. */
#define _XOPEN_SOURCE 700 /* nftw */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/ticket_store.h"
#include "test.h"

#define GW "vpn.example.net"
#define RECV 1700000000u
#define LIFE 3600u

static char base[64], dir[128], path[192];

static void make_ticket(struct ike_ticket *t, uint8_t seed)
{
	memset(t, 0, sizeof(*t));
	t->opaque_len = 300;
	for (size_t i = 0; i < t->opaque_len; i++)
		t->opaque[i] = (uint8_t)(seed + i * 7);
	t->lifetime_s = LIFE;
	t->st.alg = (struct ike_chosen){ .proto = 1, .encr = 20, .encr_bits = 256, .prf = 7,
					  .integ = 0, .ke = { 31, 35, 0, 0, 0, 0, 0, 36 },
					  .esn = 0, .spi_len = 8, .num = 3 };
	memcpy(t->st.alg.spi, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	t->st.sk_d_len = 48;
	for (size_t i = 0; i < t->st.sk_d_len; i++)
		t->st.sk_d[i] = (uint8_t)(0xa0 ^ seed ^ i);
	t->st.idi.type = 3; /* FQDN... any octets do */
	t->st.idi.len = 16;
	memcpy(t->st.idi.data, "client@example.n", 16);
	t->st.idr.type = 9;
	t->st.idr.len = IKE_ID_MAX_LEN; /* the largest identity */
	for (size_t i = 0; i < IKE_ID_MAX_LEN; i++)
		t->st.idr.data[i] = (uint8_t)(i ^ seed);
	memcpy(t->st.spi_i, "\x11\x12\x13\x14\x15\x16\x17\x18", 8);
	memcpy(t->st.spi_r, "\x21\x22\x23\x24\x25\x26\x27\x28", 8);
	t->st.auth = IKE_AUTHK_EAP;
}

static void check_same(const struct ike_ticket *a, const struct ike_ticket *b)
{
	const struct ike_resume_state *x = &a->st, *y = &b->st;

	CHECK_EQ(a->opaque_len, b->opaque_len);
	CHECK_MEM(a->opaque, b->opaque, a->opaque_len);
	CHECK_EQ(a->lifetime_s, b->lifetime_s);
	CHECK_EQ(x->alg.proto, y->alg.proto);
	CHECK_EQ(x->alg.encr, y->alg.encr);
	CHECK_EQ(x->alg.encr_bits, y->alg.encr_bits);
	CHECK_EQ(x->alg.prf, y->alg.prf);
	CHECK_EQ(x->alg.integ, y->alg.integ);
	CHECK_MEM(x->alg.ke, y->alg.ke, sizeof(x->alg.ke));
	CHECK_EQ(x->alg.esn, y->alg.esn);
	CHECK_EQ(x->alg.spi_len, y->alg.spi_len);
	CHECK_MEM(x->alg.spi, y->alg.spi, x->alg.spi_len);
	CHECK_EQ(x->alg.num, y->alg.num);
	CHECK_EQ(x->sk_d_len, y->sk_d_len);
	CHECK_MEM(x->sk_d, y->sk_d, x->sk_d_len);
	CHECK_EQ(x->idi.type, y->idi.type);
	CHECK_EQ(x->idi.len, y->idi.len);
	CHECK_MEM(x->idi.data, y->idi.data, x->idi.len);
	CHECK_EQ(x->idr.type, y->idr.type);
	CHECK_EQ(x->idr.len, y->idr.len);
	CHECK_MEM(x->idr.data, y->idr.data, x->idr.len);
	CHECK_MEM(x->spi_i, y->spi_i, 8);
	CHECK_MEM(x->spi_r, y->spi_r, 8);
	CHECK_EQ(x->auth, y->auth);
}

static int is_zero(const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

static int exists(const char *p)
{
	struct stat st;
	return lstat(p, &st) == 0;
}

/* Put raw bytes where the profile "home"'s ticket lives, as save would. */
static void put_file(const uint8_t *p, size_t n, mode_t mode)
{
	unlink(path);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK_EQ(write(fd, p, n), (long long)n);
	fchmod(fd, mode);
	close(fd);
}

/* The file at p still holds t, as saved for "home". */
static int target_intact(const char *p, const struct ike_ticket *t)
{
	uint8_t buf[TICKET_STORE_FILE_MAX_LEN];
	struct ike_ticket u;
	char gw[256];
	uint64_t rcv;
	const char *why;
	int fd = open(p, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf)) : -1;

	if (fd >= 0)
		close(fd);
	return n > 0 && ticket_store_decode(buf, (size_t)n, "home", gw, sizeof(gw), &u, &rcv, &why) == 0 &&
	       u.opaque_len == t->opaque_len && memcmp(u.opaque, t->opaque, u.opaque_len) == 0;
}

static int load(uint64_t now, struct ike_ticket *t, const char **why)
{
	uint64_t exp;
	return ticket_store_load(dir, "home", GW, now, t, &exp, why);
}

/* Make the last four octets the CRC of the others. */
static void set_crc(uint8_t *p, size_t len)
{
	uint32_t c = ticket_store_crc32(p, len - 4);
	p[len - 4] = (uint8_t)(c >> 24);
	p[len - 3] = (uint8_t)(c >> 16);
	p[len - 2] = (uint8_t)(c >> 8);
	p[len - 1] = (uint8_t)c;
}

static void test_crc(void)
{
	/* the standard check value of CRC-32/ISO-HDLC */
	CHECK_EQ(ticket_store_crc32((const uint8_t *)"123456789", 9), 0xcbf43926u);
}

static void test_codec(void)
{
	uint8_t buf[TICKET_STORE_FILE_MAX_LEN];
	struct ike_ticket t, u;
	char gw[256];
	uint64_t rcv;
	const char *why;
	size_t len;

	make_ticket(&t, 1);
	CHECK_EQ(ticket_store_encode("home", GW, &t, RECV, buf, sizeof(buf), &len), 0);
	CHECK_MEM(buf, "PTRLTKT1", 8);
	CHECK_EQ(ticket_store_decode(buf, len, "home", gw, sizeof(gw), &u, &rcv, &why), 0);
	check_same(&t, &u);
	CHECK_EQ(rcv, RECV);
	CHECK(strcmp(gw, GW) == 0);

	/* the largest ticket the format allows fits its cap */
	t.opaque_len = IKE_TICKET_MAX_LEN;
	t.st.sk_d_len = IKE_SKD_MAX_LEN;
	t.st.idi.len = IKE_ID_MAX_LEN;
	char longgw[TICKET_STORE_GATEWAY_MAX_LEN + 2], longp[TICKET_STORE_PROFILE_MAX_LEN + 2];
	memset(longgw, 'g', sizeof(longgw) - 1);
	longgw[TICKET_STORE_GATEWAY_MAX_LEN] = '\0';
	memset(longp, 'p', sizeof(longp) - 1);
	longp[TICKET_STORE_PROFILE_MAX_LEN] = '\0';
	CHECK_EQ(ticket_store_encode(longp, longgw, &t, RECV, buf, sizeof(buf), &len), 0);
	CHECK_EQ(ticket_store_decode(buf, len, longp, gw, sizeof(gw), &u, &rcv, &why), 0);
	check_same(&t, &u);
	/* ... and nothing longer */
	longgw[TICKET_STORE_GATEWAY_MAX_LEN] = 'g';
	longgw[TICKET_STORE_GATEWAY_MAX_LEN + 1] = '\0';
	CHECK_EQ(ticket_store_encode("home", longgw, &t, RECV, buf, sizeof(buf), &len), -EINVAL);
	longp[TICKET_STORE_PROFILE_MAX_LEN] = 'p';
	longp[TICKET_STORE_PROFILE_MAX_LEN + 1] = '\0';
	CHECK_EQ(ticket_store_encode(longp, GW, &t, RECV, buf, sizeof(buf), &len), -EINVAL);
	/* the caller's buffer too small: -ENOBUFS and nothing of SK_d left */
	make_ticket(&t, 1);
	CHECK_EQ(ticket_store_encode("home", GW, &t, RECV, buf, 400, &len), -ENOBUFS);
	CHECK(is_zero(buf, 400));

	/* fields out of range are refused when written */
	static const struct {
		size_t opaque_len, sk_d_len, idi_len;
		uint8_t spi_len, auth;
	} bad[] = {
		{ 0, 48, 16, 8, 3 },
		{ IKE_TICKET_MAX_LEN + 1, 48, 16, 8, 3 },
		{ 300, 0, 16, 8, 3 },
		{ 300, IKE_SKD_MAX_LEN + 1, 16, 8, 3 },
		{ 300, 48, IKE_ID_MAX_LEN + 1, 8, 3 },
		{ 300, 48, 16, 9, 3 },
		{ 300, 48, 16, 8, 0 },
		{ 300, 48, 16, 8, 4 },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		make_ticket(&t, 1);
		t.opaque_len = bad[i].opaque_len;
		t.st.sk_d_len = bad[i].sk_d_len;
		t.st.idi.len = bad[i].idi_len;
		t.st.alg.spi_len = bad[i].spi_len;
		t.st.auth = bad[i].auth;
		CHECK_EQ(ticket_store_encode("home", GW, &t, RECV, buf, sizeof(buf), &len), -EINVAL);
	}

	/* ... and when read: a valid file with one length raised past its
	 * maximum (and the CRC made to hold) */
	make_ticket(&t, 1);
	CHECK_EQ(ticket_store_encode("home", GW, &t, RECV, buf, sizeof(buf), &len), 0);
	size_t at_opaque = 8 + 8 + 4 + 2 + 4 + 2 + strlen(GW);
	size_t at_skd = at_opaque + 2 + 300 + 1 + 2 * 4 + 2 * 8 + 2 + 1 + 8 + 1;
	static const struct {
		size_t at_from_skd; /* 0: the opaque length */
		uint8_t hi, lo;
	} raise[] = {
		{ 0, 0x04, 0x01 },                     /* ticket 1025 */
		{ 0, 0x00, 0x00 },                     /* ticket 0 */
		{ 1, 0, 65 },                          /* SK_d 65 (a u8: lo only) */
		{ 1, 0, 0 },                           /* SK_d 0 */
		{ 1 + 1 + 48 + 1, 0x01, 0x01 },        /* IDi 257 */
	};
	for (size_t i = 0; i < sizeof(raise) / sizeof(raise[0]); i++) {
		uint8_t cp[TICKET_STORE_FILE_MAX_LEN];
		memcpy(cp, buf, len);
		if (raise[i].at_from_skd == 0) {
			cp[at_opaque] = raise[i].hi;
			cp[at_opaque + 1] = raise[i].lo;
		} else if (raise[i].at_from_skd == 1) {
			cp[at_skd] = raise[i].lo;
		} else {
			cp[at_skd + raise[i].at_from_skd - 1] = raise[i].hi;
			cp[at_skd + raise[i].at_from_skd] = raise[i].lo;
		}
		set_crc(cp, len);
		CHECK_EQ(ticket_store_decode(cp, len, "home", gw, sizeof(gw), &u, &rcv, &why), -EBADMSG);
		CHECK(is_zero(&u, sizeof(u)));
	}

	/* an octet after the last field, under a CRC that holds */
	buf[len - 4] = 0;
	set_crc(buf, len + 1);
	CHECK_EQ(ticket_store_decode(buf, len + 1, "home", gw, sizeof(gw), &u, &rcv, &why), -EBADMSG);
	CHECK(strstr(why, "trailing") != NULL);
	/* a newer format version is named as such */
	CHECK_EQ(ticket_store_encode("home", GW, &t, RECV, buf, sizeof(buf), &len), 0);
	buf[7] = '2';
	set_crc(buf, len);
	CHECK_EQ(ticket_store_decode(buf, len, "home", gw, sizeof(gw), &u, &rcv, &why), -EBADMSG);
	CHECK(strstr(why, "version") != NULL);

	/* another profile's file */
	CHECK_EQ(ticket_store_encode("work", GW, &t, RECV, buf, sizeof(buf), &len), 0);
	CHECK_EQ(ticket_store_decode(buf, len, "home", gw, sizeof(gw), &u, &rcv, &why), -EBADMSG);
	CHECK(strstr(why, "profile") != NULL);
	/* a gateway longer than the caller's buffer */
	CHECK_EQ(ticket_store_decode(buf, len, "work", gw, 4, &u, &rcv, &why), -ENOBUFS);
	CHECK(is_zero(&u, sizeof(u)));
}

static void test_save_load(void)
{
	struct ike_ticket t, u;
	uint64_t exp;
	const char *why;
	struct stat st;

	make_ticket(&t, 2);
	/* the directory and its missing parent are made */
	CHECK_EQ(ticket_store_save(dir, "home", GW, &t, RECV, &why), 0);
	CHECK(stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 0700);
	CHECK(stat(path, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0600);
	CHECK_EQ(ticket_store_load(dir, "home", GW, RECV + 10, &u, &exp, &why), 0);
	check_same(&t, &u);
	CHECK_EQ(exp, RECV + LIFE);
	/* loading does not use it up: the caller deletes it once tried */
	CHECK(exists(path));

	/* a second save replaces the first, and leaves no temporary behind */
	make_ticket(&t, 3);
	CHECK_EQ(ticket_store_save(dir, "home", GW, &t, RECV, &why), 0);
	CHECK_EQ(ticket_store_load(dir, "home", GW, RECV, &u, &exp, &why), 0);
	check_same(&t, &u);
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0, only_ours = 1;
	while (d && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		n++;
		only_ours &= strcmp(e->d_name, "home.ticket") == 0;
	}
	if (d)
		closedir(d);
	CHECK_EQ(n, 1);
	CHECK(only_ours);

	/* a directory that is not missing keeps its mode (0755 is fine) */
	CHECK(chmod(dir, 0755) == 0);
	CHECK_EQ(ticket_store_save(dir, "home", GW, &t, RECV, &why), 0);
	CHECK(stat(dir, &st) == 0 && (st.st_mode & 07777) == 0755);
	CHECK(chmod(dir, 0700) == 0);
}

static void test_expiry(void)
{
	struct ike_ticket t, u;
	const char *why;

	make_ticket(&t, 4);
	/* 31 s left: still good */
	CHECK_EQ(ticket_store_save(dir, "home", GW, &t, RECV, &why), 0);
	CHECK_EQ(load(RECV + LIFE - 31, &u, &why), 0);
	/* 30 s left: treated as expired, and the file goes */
	CHECK_EQ(load(RECV + LIFE - 30, &u, &why), -ETIME);
	CHECK(is_zero(&u, sizeof(u)));
	CHECK(!exists(path));
	CHECK_EQ(load(RECV + LIFE - 30, &u, &why), -ENOENT);
	/* long past */
	CHECK_EQ(ticket_store_save(dir, "home", GW, &t, RECV, &why), 0);
	CHECK_EQ(load(RECV + 10 * LIFE, &u, &why), -ETIME);
	CHECK(!exists(path));
	/* lifetime 0 */
	t.lifetime_s = 0;
	CHECK_EQ(ticket_store_save(dir, "home", GW, &t, RECV, &why), 0);
	CHECK_EQ(load(RECV, &u, &why), -ETIME);
	/* received after now: the clock was set back, its age is unknown */
	t.lifetime_s = LIFE;
	CHECK_EQ(ticket_store_save(dir, "home", GW, &t, RECV, &why), 0);
	CHECK_EQ(load(RECV - 1, &u, &why), -ETIME);
	CHECK(!exists(path));
	/* received + lifetime past 2^64 does not wrap into the past */
	CHECK_EQ(ticket_store_save(dir, "home", GW, &t, UINT64_MAX - 100, &why), 0);
	CHECK_EQ(load(UINT64_MAX - 100, &u, &why), 0);
}

static void test_gateway(void)
{
	struct ike_ticket t, u;
	uint64_t exp;
	const char *why;

	make_ticket(&t, 5);
	CHECK_EQ(ticket_store_save(dir, "home", GW, &t, RECV, &why), 0);
	CHECK_EQ(ticket_store_load(dir, "home", "vpn2.example.net", RECV, &u, &exp, &why), -ESTALE);
	CHECK(is_zero(&u, sizeof(u)));
	CHECK(!exists(path));
	/* a prefix is another gateway too */
	CHECK_EQ(ticket_store_save(dir, "home", GW, &t, RECV, &why), 0);
	CHECK_EQ(ticket_store_load(dir, "home", "vpn.example", RECV, &u, &exp, &why), -ESTALE);
	CHECK(!exists(path));
}

static void test_bad_files(void)
{
	uint8_t buf[TICKET_STORE_FILE_MAX_LEN + 8];
	struct ike_ticket t, u;
	const char *why;
	size_t len;
	int all = 1;

	make_ticket(&t, 6);
	CHECK_EQ(ticket_store_encode("home", GW, &t, RECV, buf, sizeof(buf), &len), 0);
	/* every truncation, from empty to one octet short */
	for (size_t n = 0; n < len; n++) {
		put_file(buf, n, 0600);
		int rc = load(RECV, &u, &why);
		all &= rc == -EBADMSG && !exists(path) && why[0] && is_zero(&u, sizeof(u));
	}
	CHECK(all);
	/* one octet too many */
	buf[len] = 0;
	put_file(buf, len + 1, 0600);
	CHECK_EQ(load(RECV, &u, &why), -EBADMSG);
	CHECK(!exists(path));
	/* a file larger than any ticket */
	{
		static uint8_t big[TICKET_STORE_FILE_MAX_LEN + 100];
		memcpy(big, buf, len);
		put_file(big, sizeof(big), 0600);
		CHECK_EQ(load(RECV, &u, &why), -EBADMSG);
		CHECK(!exists(path));
	}
	/* every single-octet change of the file, in the header or after it
	 * (a changed received time or lifetime would otherwise pass) */
	all = 1;
	for (size_t i = 0; i < len; i++) {
		buf[i] ^= 0x5a;
		put_file(buf, len, 0600);
		int rc = load(RECV, &u, &why);
		all &= rc == -EBADMSG && !exists(path) && is_zero(&u, sizeof(u));
		if (rc != -EBADMSG)
			fprintf(stderr, "octet %zu changed: %d\n", i, rc);
		buf[i] ^= 0x5a;
	}
	CHECK(all);
	/* ... and every single-bit flip, in memory */
	all = 1;
	for (size_t i = 0; i < len; i++)
		for (int b = 0; b < 8; b++) {
			char gw[256];
			uint64_t rcv;
			buf[i] ^= (uint8_t)(1u << b);
			all &= ticket_store_decode(buf, len, "home", gw, sizeof(gw), &u, &rcv, &why) ==
			       -EBADMSG;
			buf[i] ^= (uint8_t)(1u << b);
		}
	CHECK(all);
	/* not a ticket file at all */
	put_file((const uint8_t *)"hello\n", 6, 0600);
	CHECK_EQ(load(RECV, &u, &why), -EBADMSG);
	CHECK(!exists(path));
	/* unchanged, it still loads */
	put_file(buf, len, 0600);
	CHECK_EQ(load(RECV, &u, &why), 0);
	check_same(&t, &u);
}

static void test_perms(void)
{
	char other[192], elsewhere[192];
	struct ike_ticket t, u;
	uint64_t exp;
	const char *why = "";

	make_ticket(&t, 7);
	CHECK_EQ(ticket_store_save(dir, "home", GW, &t, RECV, &why), 0);
	/* 0644, 0640, 0604: refused and kept */
	static const mode_t modes[] = { 0644, 0640, 0604, 0660, 0700 };
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		CHECK(chmod(path, modes[i]) == 0);
		int rc = load(RECV, &u, &why);
		if (modes[i] == 0700) {
			CHECK_EQ(rc, 0); /* nobody else's bits: accepted */
			continue;
		}
		CHECK_EQ(rc, -EPERM);
		CHECK(strstr(why, "group or others") != NULL);
		CHECK(exists(path));
		CHECK(is_zero(&u, sizeof(u)));
	}
	CHECK(chmod(path, 0600) == 0);
	CHECK_EQ(load(RECV, &u, &why), 0);
	/* owned by another user */
	if (geteuid() == 0) {
		CHECK(chown(path, 65534, 65534) == 0);
		CHECK_EQ(load(RECV, &u, &why), -EPERM);
		CHECK(strstr(why, "another user") != NULL);
		CHECK(exists(path));
		CHECK(chown(path, 0, 0) == 0);
	}

	/* a symbolic link to a good ticket file elsewhere: refused, and
	 * neither the link nor its target is touched */
	snprintf(elsewhere, sizeof(elsewhere), "%s/elsewhere.ticket", base);
	CHECK(rename(path, elsewhere) == 0);
	CHECK(symlink(elsewhere, path) == 0);
	CHECK_EQ(load(RECV, &u, &why), -EPERM);
	CHECK(strstr(why, "symbolic link") != NULL);
	struct stat st;
	CHECK(lstat(path, &st) == 0 && S_ISLNK(st.st_mode));
	CHECK(target_intact(elsewhere, &t));
	/* saving replaces the link itself, not its target */
	CHECK_EQ(ticket_store_save(dir, "home", GW, &t, RECV, &why), 0);
	CHECK(lstat(path, &st) == 0 && S_ISREG(st.st_mode));
	/* deleting a link removes the link and writes nothing through it */
	CHECK(unlink(path) == 0 && symlink(elsewhere, path) == 0);
	CHECK_EQ(ticket_store_delete(dir, "home"), 0);
	CHECK(!exists(path));
	CHECK(target_intact(elsewhere, &t));
	unlink(elsewhere);

	/* a FIFO where the file should be: refused, without blocking */
	CHECK(mkfifo(path, 0600) == 0);
	CHECK_EQ(load(RECV, &u, &why), -EPERM);
	CHECK(strstr(why, "regular") != NULL);
	unlink(path);

	/* the directory: group writable, another owner, a symbolic link */
	CHECK(chmod(dir, 0770) == 0);
	CHECK_EQ(ticket_store_save(dir, "home", GW, &t, RECV, &why), -EPERM);
	CHECK_EQ(load(RECV, &u, &why), -EPERM);
	CHECK(chmod(dir, 0700) == 0);
	if (geteuid() == 0) {
		CHECK(chown(dir, 65534, 65534) == 0);
		CHECK_EQ(load(RECV, &u, &why), -EPERM);
		CHECK(strstr(why, "another user") != NULL);
		CHECK(chown(dir, 0, 0) == 0);
	}
	snprintf(other, sizeof(other), "%s/link", base);
	CHECK(symlink(dir, other) == 0);
	CHECK_EQ(ticket_store_save(other, "home", GW, &t, RECV, &why), -EPERM);
	CHECK(strstr(why, "symbolic link") != NULL);
	CHECK_EQ(ticket_store_load(other, "home", GW, RECV, &u, &exp, &why), -EPERM);
	CHECK_EQ(ticket_store_delete(other, "home"), -EPERM);
	CHECK(!exists(path));
	unlink(other);
	/* no directory: no ticket */
	snprintf(other, sizeof(other), "%s/none", base);
	CHECK_EQ(ticket_store_load(other, "home", GW, RECV, &u, &exp, &why), -ENOENT);
	CHECK_EQ(ticket_store_delete(other, "home"), -ENOENT);
}

static void test_delete(void)
{
	char hard[192];
	struct ike_ticket t, u;
	const char *why;
	struct stat st;

	make_ticket(&t, 8);
	CHECK_EQ(ticket_store_save(dir, "home", GW, &t, RECV, &why), 0);
	/* a second name for the same inode shows what delete left behind */
	snprintf(hard, sizeof(hard), "%s/hard", base);
	CHECK(link(path, hard) == 0);
	CHECK_EQ(ticket_store_delete(dir, "home"), 0);
	CHECK(!exists(path));
	CHECK_EQ(load(RECV, &u, &why), -ENOENT);
	CHECK(is_zero(&u, sizeof(u)));
	CHECK_EQ(ticket_store_delete(dir, "home"), -ENOENT);
	CHECK(stat(hard, &st) == 0 && st.st_size > 0);
	uint8_t buf[TICKET_STORE_FILE_MAX_LEN];
	int fd = open(hard, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf)) : -1;
	CHECK_EQ(n, st.st_size);
	CHECK(n > 0 && is_zero(buf, (size_t)n));
	if (fd >= 0)
		close(fd);
	unlink(hard);
}

static void test_names(void)
{
	static const char *const bad[] = { "../x", "..", ".", ".hidden", "a/b", "/etc/x", "",
					   "x/", NULL };
	struct ike_ticket t, u;
	uint64_t exp;
	const char *why;
	char escaped[192];
	uint8_t buf[TICKET_STORE_FILE_MAX_LEN];
	size_t len;
	char gw[256];

	make_ticket(&t, 9);
	for (size_t i = 0; bad[i]; i++) {
		CHECK_EQ(ticket_store_save(dir, bad[i], GW, &t, RECV, &why), -EINVAL);
		CHECK_EQ(ticket_store_load(dir, bad[i], GW, RECV, &u, &exp, &why), -EINVAL);
		CHECK_EQ(ticket_store_delete(dir, bad[i]), -EINVAL);
		CHECK_EQ(ticket_store_encode(bad[i], GW, &t, RECV, buf, sizeof(buf), &len), -EINVAL);
		CHECK_EQ(ticket_store_decode(buf, 0, bad[i], gw, sizeof(gw), &u, &exp, &why), -EINVAL);
	}
	CHECK_EQ(ticket_store_save(dir, NULL, GW, &t, RECV, &why), -EINVAL);
	snprintf(escaped, sizeof(escaped), "%s/state/x.ticket", base);
	CHECK(!exists(escaped));
	/* dots inside a name are fine */
	CHECK_EQ(ticket_store_save(dir, "home.v2", GW, &t, RECV, &why), 0);
	CHECK_EQ(ticket_store_load(dir, "home.v2", GW, RECV, &u, &exp, &why), 0);
	CHECK_EQ(ticket_store_delete(dir, "home.v2"), 0);
	/* no gateway */
	CHECK_EQ(ticket_store_save(dir, "home", "", &t, RECV, &why), -EINVAL);
	CHECK_EQ(ticket_store_save(dir, "home", NULL, &t, RECV, &why), -EINVAL);
	CHECK_EQ(ticket_store_load(dir, "home", NULL, RECV, &u, &exp, &why), -EINVAL);
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(p);
}

int main(void)
{
	snprintf(base, sizeof(base), "/tmp/petrel-tkt.XXXXXX");
	if (!mkdtemp(base))
		return test_skip("mkdtemp failed");
	snprintf(dir, sizeof(dir), "%s/state/tickets", base);
	snprintf(path, sizeof(path), "%s/home.ticket", dir);
	umask(022);
	test_crc();
	test_codec();
	test_save_load();
	test_expiry();
	test_gateway();
	test_bad_files();
	test_perms();
	test_delete();
	test_names();
	nftw(base, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	return test_done();
}
