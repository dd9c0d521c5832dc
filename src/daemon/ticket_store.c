/* RFC 5723 tickets on disk (ticket_store.h has the file format). Every file
 * operation goes through a descriptor of the checked directory (openat,
 * renameat, unlinkat), so the directory that was checked is the one used. */
#include "daemon/ticket_store.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fdio.h"
#include "base/cursor.h"
#include "base/wbuf.h"
#include "conf/conf.h"
#include "crypto/secret.h"

#define SPI_LEN 8u
#define ALG_MAX_LEN (1u + 2u * 4u + 2u * 8u + 2u + 1u + SPI_LEN + 1u)
#define IDENT_MAX_LEN (1u + 2u + IKE_ID_MAX_LEN)
#define FILE_LEN_MAX                                                                     \
	(TICKET_STORE_MAGIC_LEN + 8u + 4u + 2u + TICKET_STORE_PROFILE_MAX_LEN + 2u +      \
	 TICKET_STORE_GATEWAY_MAX_LEN + 2u + IKE_TICKET_MAX_LEN + ALG_MAX_LEN + 1u +        \
	 IKE_SKD_MAX_LEN + 2u * IDENT_MAX_LEN + 2u * SPI_LEN + 1u + 4u)
_Static_assert(FILE_LEN_MAX <= TICKET_STORE_FILE_MAX_LEN, "the largest ticket file must fit");
_Static_assert(TICKET_STORE_PROFILE_MAX_LEN + 1u >= CONF_NAME_MAX, "every profile name fits");
_Static_assert(TICKET_STORE_GATEWAY_MAX_LEN + 1u >= CONF_STR_MAX, "every gateway fits");
_Static_assert(IKE_SKD_MAX_LEN <= 255u && IKE_TICKET_MAX_LEN <= 65535u &&
	       IKE_ID_MAX_LEN <= 65535u, "the length fields hold every length");

#define SUFFIX ".ticket"
#define NAME_CAP (1u + TICKET_STORE_PROFILE_MAX_LEN + sizeof(SUFFIX) + 32u)

/* A profile name becomes a file name: nothing that leaves the directory
 * ('/', "..") and nothing that could be one of our temporaries ('.'). */
static int profile_ok(const char *profile)
{
	size_t n = profile ? strnlen(profile, TICKET_STORE_PROFILE_MAX_LEN + 1) : 0;
	return n > 0 && n <= TICKET_STORE_PROFILE_MAX_LEN && profile[0] != '.' &&
	       !memchr(profile, '/', n);
}

uint32_t ticket_store_crc32(const uint8_t *p, size_t len)
{
	uint32_t c = 0xffffffffu;

	for (size_t i = 0; i < len; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = c >> 1 ^ (0xedb88320u & (0u - (c & 1u)));
	}
	return ~c;
}

/* ---- the format ----------------------------------------------------------------- */

static void put_ident(struct wb *w, const struct ike_ident *id)
{
	wb_u8(w, id->type);
	wb_u16(w, (uint16_t)id->len);
	wb_put(w, id->data, id->len);
}

static int state_ok(const struct ike_ticket *t)
{
	const struct ike_resume_state *st = &t->st;
	return t->opaque_len >= 1 && t->opaque_len <= IKE_TICKET_MAX_LEN && st->sk_d_len >= 1 &&
	       st->sk_d_len <= IKE_SKD_MAX_LEN && st->idi.len <= IKE_ID_MAX_LEN &&
	       st->idr.len <= IKE_ID_MAX_LEN && st->alg.spi_len <= SPI_LEN &&
	       st->auth >= IKE_AUTHK_PSK && st->auth <= IKE_AUTHK_EAP;
}

int ticket_store_encode(const char *profile, const char *gateway, const struct ike_ticket *t,
			uint64_t received_unix, uint8_t *out, size_t cap, size_t *len)
{
	const struct ike_resume_state *st = &t->st;
	size_t pl = profile_ok(profile) ? strlen(profile) : 0;
	size_t gl = gateway ? strnlen(gateway, TICKET_STORE_GATEWAY_MAX_LEN + 1) : 0;
	struct wb w;

	*len = 0;
	if (pl == 0 || gl == 0 || gl > TICKET_STORE_GATEWAY_MAX_LEN || !state_ok(t))
		return -EINVAL;
	wb_init(&w, out, cap);
	wb_put(&w, TICKET_STORE_MAGIC, TICKET_STORE_MAGIC_LEN);
	wb_u64(&w, received_unix);
	wb_u32(&w, t->lifetime_s);
	wb_u16(&w, (uint16_t)pl);
	wb_put(&w, profile, pl);
	wb_u16(&w, (uint16_t)gl);
	wb_put(&w, gateway, gl);
	wb_u16(&w, (uint16_t)t->opaque_len);
	wb_put(&w, t->opaque, t->opaque_len);
	wb_u8(&w, st->alg.proto);
	wb_u16(&w, st->alg.encr);
	wb_u16(&w, st->alg.encr_bits);
	wb_u16(&w, st->alg.prf);
	wb_u16(&w, st->alg.integ);
	for (size_t i = 0; i < 8; i++)
		wb_u16(&w, st->alg.ke[i]);
	wb_u16(&w, st->alg.esn);
	wb_u8(&w, st->alg.spi_len);
	wb_put(&w, st->alg.spi, st->alg.spi_len);
	wb_u8(&w, st->alg.num);
	wb_u8(&w, (uint8_t)st->sk_d_len);
	wb_put(&w, st->sk_d, st->sk_d_len);
	put_ident(&w, &st->idi);
	put_ident(&w, &st->idr);
	wb_put(&w, st->spi_i, SPI_LEN);
	wb_put(&w, st->spi_r, SPI_LEN);
	wb_u8(&w, st->auth);
	if (!wb_err(&w))
		wb_u32(&w, ticket_store_crc32(out, wb_len(&w)));
	if (wb_err(&w)) {
		crypto_wipe(out, cap); /* part of SK_d may be in it */
		return wb_err(&w);
	}
	*len = wb_len(&w);
	return 0;
}

/* A length-prefixed string: u16 length in 1..max, no NUL inside. */
static int rd_str(struct rd *r, size_t max, const uint8_t **p, size_t *n)
{
	uint16_t l;

	if (rd_u16(r, &l) || l == 0 || l > max || rd_ref(r, l, p) || memchr(*p, '\0', l))
		return -EBADMSG;
	*n = l;
	return 0;
}

static int rd_ident(struct rd *r, struct ike_ident *id)
{
	uint16_t l;

	if (rd_u8(r, &id->type) || rd_u16(r, &l) || l > IKE_ID_MAX_LEN || rd_bytes(r, id->data, l))
		return -EBADMSG;
	id->len = l;
	return 0;
}

static int rd_alg(struct rd *r, struct ike_chosen *a)
{
	int bad = rd_u8(r, &a->proto) || rd_u16(r, &a->encr) || rd_u16(r, &a->encr_bits) ||
		  rd_u16(r, &a->prf) || rd_u16(r, &a->integ);
	for (size_t i = 0; i < 8 && !bad; i++)
		bad = rd_u16(r, &a->ke[i]) != 0;
	if (bad || rd_u16(r, &a->esn) || rd_u8(r, &a->spi_len) || a->spi_len > SPI_LEN ||
	    rd_bytes(r, a->spi, a->spi_len) || rd_u8(r, &a->num))
		return -EBADMSG;
	return 0;
}

/* The body after the magic, up to the CRC; *why names the first bad field. */
static int decode_body(struct rd *r, const char *profile, char *gateway_out, size_t gw_cap,
		       struct ike_ticket *t, uint64_t *received_unix, const char **why)
{
	struct ike_resume_state *st = &t->st;
	const uint8_t *p;
	uint16_t l16;
	uint8_t l8;
	size_t n;

	*why = "truncated in its header";
	if (rd_u64(r, received_unix) || rd_u32(r, &t->lifetime_s))
		return -EBADMSG;
	*why = "bad profile name field";
	if (rd_str(r, TICKET_STORE_PROFILE_MAX_LEN, &p, &n))
		return -EBADMSG;
	*why = "holds another profile's ticket";
	if (n != strlen(profile) || memcmp(p, profile, n) != 0)
		return -EBADMSG;
	*why = "bad gateway field";
	if (rd_str(r, TICKET_STORE_GATEWAY_MAX_LEN, &p, &n))
		return -EBADMSG;
	if (n >= gw_cap) {
		*why = "gateway name longer than the caller's buffer";
		return -ENOBUFS;
	}
	memcpy(gateway_out, p, n);
	gateway_out[n] = '\0';
	*why = "bad ticket length";
	if (rd_u16(r, &l16) || l16 == 0 || l16 > IKE_TICKET_MAX_LEN || rd_bytes(r, t->opaque, l16))
		return -EBADMSG;
	t->opaque_len = l16;
	*why = "bad algorithms";
	if (rd_alg(r, &st->alg))
		return -EBADMSG;
	*why = "bad SK_d length";
	if (rd_u8(r, &l8) || l8 == 0 || l8 > IKE_SKD_MAX_LEN || rd_bytes(r, st->sk_d, l8))
		return -EBADMSG;
	st->sk_d_len = l8;
	*why = "bad identity";
	if (rd_ident(r, &st->idi) || rd_ident(r, &st->idr))
		return -EBADMSG;
	*why = "truncated in its SPIs";
	if (rd_bytes(r, st->spi_i, SPI_LEN) || rd_bytes(r, st->spi_r, SPI_LEN) || rd_u8(r, &st->auth))
		return -EBADMSG;
	*why = "unknown authentication kind";
	if (st->auth < IKE_AUTHK_PSK || st->auth > IKE_AUTHK_EAP)
		return -EBADMSG;
	*why = "trailing bytes";
	if (rd_left(r))
		return -EBADMSG;
	*why = "";
	return 0;
}

int ticket_store_decode(const uint8_t *in, size_t len, const char *profile, char *gateway_out,
			size_t gw_cap, struct ike_ticket *t, uint64_t *received_unix,
			const char **why)
{
	struct rd r, crc_rd;
	uint32_t crc;
	int rc;

	memset(t, 0, sizeof(*t));
	*received_unix = 0;
	if (gw_cap)
		gateway_out[0] = '\0';
	*why = "";
	if (!profile_ok(profile) || gw_cap == 0) {
		*why = "bad profile name";
		return -EINVAL;
	}
	/* The version first, so a newer petrel's file is named as such. */
	if (len < TICKET_STORE_MAGIC_LEN + 4u ||
	    memcmp(in, TICKET_STORE_MAGIC, TICKET_STORE_MAGIC_LEN - 1u) != 0) {
		*why = "is not a petrel ticket file";
		return -EBADMSG;
	}
	if (in[TICKET_STORE_MAGIC_LEN - 1u] != TICKET_STORE_MAGIC[TICKET_STORE_MAGIC_LEN - 1u]) {
		*why = "has an unknown format version";
		return -EBADMSG;
	}
	rd_init(&crc_rd, in + len - 4u, 4u);
	rd_u32(&crc_rd, &crc);
	if (crc != ticket_store_crc32(in, len - 4u)) {
		*why = "is corrupted or truncated (checksum mismatch)";
		return -EBADMSG;
	}
	rd_init(&r, in, len - 4u);
	rd_skip(&r, TICKET_STORE_MAGIC_LEN);
	rc = decode_body(&r, profile, gateway_out, gw_cap, t, received_unix, why);
	if (rc) {
		crypto_wipe(t, sizeof(*t));
		*received_unix = 0;
		gateway_out[0] = '\0';
	}
	return rc;
}

/* ---- the files ------------------------------------------------------------------ */

static int file_name(const char *profile, int tmp, char *out, size_t cap)
{
	int w = tmp ? snprintf(out, cap, ".%s" SUFFIX ".%ld.tmp", profile, (long)getpid())
		    : snprintf(out, cap, "%s" SUFFIX, profile);
	return w < 0 || (size_t)w >= cap ? -ENAMETOOLONG : 0;
}

/* mkdir -p: the missing parents 0755, dir itself 0700. */
static int make_dir(const char *dir)
{
	char path[PATH_MAX];
	size_t n = strlen(dir);

	if (n == 0 || n >= sizeof(path))
		return -ENAMETOOLONG;
	memcpy(path, dir, n + 1);
	for (size_t i = 1; i < n; i++) {
		if (path[i] != '/')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return -errno;
		path[i] = '/';
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* Open the ticket directory and check it. A symbolic link is refused only
 * as the last component (/var may be a link, as on macOS). */
static int dir_open(const char *dir, int create, const char **why)
{
	const int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	struct stat st;
	int fd, rc, made = 0;

	fd = open(dir, flags);
	if (fd < 0 && errno == ENOENT && create) {
		if ((rc = make_dir(dir)) < 0) {
			*why = "the ticket directory cannot be created";
			return rc;
		}
		made = 1;
		fd = open(dir, flags);
	}
	if (fd < 0) {
		rc = -errno;
		if ((rc == -ELOOP || rc == -ENOTDIR) && lstat(dir, &st) == 0 && S_ISLNK(st.st_mode)) {
			*why = "the ticket directory is a symbolic link (refused)";
			return -EPERM;
		}
		*why = rc == -ENOENT ? "there is no ticket directory" : "the ticket directory cannot be opened";
		return rc;
	}
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		*why = "the ticket directory cannot be inspected";
	} else if (st.st_uid != geteuid()) {
		rc = -EPERM;
		*why = "the ticket directory is owned by another user";
	} else if (made && fchmod(fd, 0700) < 0) {
		/* the umask may have taken bits from 0700: set them as meant */
		rc = -errno;
		*why = "the ticket directory's mode cannot be set";
	} else if (!made && (st.st_mode & (S_IWGRP | S_IWOTH))) {
		rc = -EPERM;
		*why = "the ticket directory is writable by group or others";
	} else {
		return fd;
	}
	close(fd);
	return rc;
}


/* Zeros over what we may have written (never more than the largest ticket
 * file), then unlink. A symbolic link or a file that is not ours is only
 * unlinked: nothing is written through it. */
static int wipe_unlink(int dfd, const char *name)
{
	static const uint8_t zeros[512];
	struct stat st;
	int fd = openat(dfd, name, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);

	if (fd >= 0) {
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid()) {
			size_t left = st.st_size < (off_t)TICKET_STORE_FILE_MAX_LEN ? (size_t)st.st_size
										: TICKET_STORE_FILE_MAX_LEN;
			int rc = 0;
			while (left && !rc) {
				size_t n = left < sizeof(zeros) ? left : sizeof(zeros);
				rc = pt_write_all(fd, zeros, n);
				left -= n;
			}
			if (!rc)
				fsync(fd);
		}
		close(fd);
	}
	return unlinkat(dfd, name, 0) == 0 ? 0 : -errno;
}

int ticket_store_save(const char *dir, const char *profile, const char *gateway,
		      const struct ike_ticket *t, uint64_t received_unix, const char **why)
{
	uint8_t buf[TICKET_STORE_FILE_MAX_LEN];
	char name[NAME_CAP], tmp[NAME_CAP];
	size_t len;
	int dfd, fd, rc;

	*why = "";
	if (!profile_ok(profile) || file_name(profile, 0, name, sizeof(name)) ||
	    file_name(profile, 1, tmp, sizeof(tmp))) {
		*why = "the profile name cannot name a ticket file";
		return -EINVAL;
	}
	if ((rc = ticket_store_encode(profile, gateway, t, received_unix, buf, sizeof(buf), &len))) {
		*why = "the ticket or gateway is out of range";
		return rc;
	}
	if ((dfd = dir_open(dir, 1, why)) < 0) {
		crypto_wipe(buf, sizeof(buf));
		return dfd;
	}
	/* Only a petreld with our pid can have left this one (petreld saves
	 * from its one loop thread). */
	unlinkat(dfd, tmp, 0);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0) {
		rc = -errno;
		*why = "the temporary file cannot be created";
		goto out;
	}
	if ((rc = pt_write_all(fd, buf, len)) < 0 || fchmod(fd, 0600) < 0 || fsync(fd) < 0) {
		rc = rc ? rc : -errno;
		close(fd);
		wipe_unlink(dfd, tmp);
		*why = "the temporary file cannot be written";
		goto out;
	}
	if (close(fd) < 0 || renameat(dfd, tmp, dfd, name) < 0) {
		rc = -errno;
		wipe_unlink(dfd, tmp);
		*why = "the ticket file cannot be put in place";
		goto out;
	}
	fsync(dfd); /* the rename itself survives a crash */
	rc = 0;
out:
	crypto_wipe(buf, sizeof(buf));
	close(dfd);
	return rc;
}

/* Open and check the ticket file, then read it whole into buf. */
static int read_file(int dfd, const char *name, uint8_t *buf, size_t cap, size_t *got,
		     const char **why)
{
	struct stat st;
	int rc = 0, fd;

	*got = 0;
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		rc = -errno;
		*why = rc == -ENOENT ? "no ticket" : rc == -ELOOP ? "the ticket file is a symbolic link (refused)"
							       : "the ticket file cannot be opened";
		return rc == -ELOOP ? -EPERM : rc;
	}
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		*why = "the ticket file cannot be inspected";
	} else if (!S_ISREG(st.st_mode)) {
		rc = -EPERM;
		*why = "the ticket file is not a regular file";
	} else if (st.st_uid != geteuid()) {
		rc = -EPERM;
		*why = "the ticket file is owned by another user";
	} else if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		rc = -EPERM;
		*why = "the ticket file is readable or writable by group or others (must be 0600)";
	}
	while (!rc && *got < cap) {
		ssize_t r = read(fd, buf + *got, cap - *got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -errno;
			*why = "the ticket file cannot be read";
		}
		if (r <= 0)
			break;
		*got += (size_t)r;
	}
	close(fd);
	return rc;
}

int ticket_store_load(const char *dir, const char *profile, const char *gateway,
		      uint64_t now_unix, struct ike_ticket *t, uint64_t *expires_unix,
		      const char **why)
{
	uint8_t buf[TICKET_STORE_FILE_MAX_LEN + 1]; /* one more: a longer file is refused */
	char name[NAME_CAP], stored_gw[TICKET_STORE_GATEWAY_MAX_LEN + 1];
	uint64_t received;
	size_t len;
	int dfd, rc;

	memset(t, 0, sizeof(*t));
	*expires_unix = 0;
	*why = "";
	if (!profile_ok(profile) || file_name(profile, 0, name, sizeof(name)) || !gateway) {
		*why = !gateway ? "no gateway" : "the profile name cannot name a ticket file";
		return -EINVAL;
	}
	if ((dfd = dir_open(dir, 0, why)) < 0)
		return dfd;
	rc = read_file(dfd, name, buf, sizeof(buf), &len, why);
	if (rc == 0 && len > TICKET_STORE_FILE_MAX_LEN) {
		rc = -EBADMSG;
		*why = "the ticket file is too large";
	} else if (rc == 0) {
		rc = ticket_store_decode(buf, len, profile, stored_gw, sizeof(stored_gw), t, &received, why);
	}
	crypto_wipe(buf, sizeof(buf));
	if (rc == 0) {
		uint64_t exp = received > UINT64_MAX - t->lifetime_s ? UINT64_MAX : received + t->lifetime_s;
		if (strcmp(stored_gw, gateway) != 0) {
			rc = -ESTALE;
			*why = "the ticket was stored for another gateway";
		} else if (received > now_unix) {
			rc = -ETIME;
			*why = "the ticket arrived after now (the clock was set back)";
		} else if (exp <= now_unix || exp - now_unix <= TICKET_STORE_EXPIRY_MARGIN_S) {
			rc = -ETIME;
			*why = "the ticket has expired or is about to";
		} else {
			*expires_unix = exp;
		}
	}
	if (rc == -EBADMSG || rc == -ESTALE || rc == -ETIME)
		wipe_unlink(dfd, name);
	if (rc)
		crypto_wipe(t, sizeof(*t));
	close(dfd);
	return rc;
}

int ticket_store_delete(const char *dir, const char *profile)
{
	char name[NAME_CAP];
	const char *why;
	int dfd, rc;

	if (!profile_ok(profile) || file_name(profile, 0, name, sizeof(name)))
		return -EINVAL;
	if ((dfd = dir_open(dir, 0, &why)) < 0)
		return dfd;
	rc = wipe_unlink(dfd, name);
	close(dfd);
	return rc;
}
