/* Secret files: check who may have written or read the file before trusting
 * it, then read it once into a struct secret and wipe the buffer. */
#include "crypto/secret_file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int crypto_secret_load_file(const char *path, struct secret **out, const char **why)
{
	uint8_t buf[SECRET_FILE_MAX_LEN + 2];
	struct stat st;
	size_t got = 0;
	int rc, fd;

	*out = NULL;
	*why = "";
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
	if (fd < 0) {
		rc = -errno;
		*why = rc == -ELOOP ? "is a symbolic link (refused)" : "cannot be opened";
		return rc;
	}
	if (fstat(fd, &st)) {
		rc = -errno;
		close(fd);
		*why = "cannot be inspected";
		return rc;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		*why = "is not a regular file";
		return -EINVAL;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		close(fd);
		*why = "is owned by another user (must be root or the user running petrel)";
		return -EPERM;
	}
	/* 0600 or 0400: nobody but the owner may read it. */
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		close(fd);
		*why = "is readable or writable by group or others (chmod 600 it)";
		return -EPERM;
	}
	for (;;) {
		ssize_t r = read(fd, buf + got, sizeof(buf) - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -errno;
			close(fd);
			crypto_wipe(buf, sizeof(buf));
			*why = "cannot be read";
			return rc;
		}
		if (r == 0 || (got += (size_t)r) == sizeof(buf))
			break;
	}
	close(fd);
	if (got && buf[got - 1] == '\n')
		got--;
	if (got && buf[got - 1] == '\r')
		got--;
	if (got == 0 || got > SECRET_FILE_MAX_LEN) {
		crypto_wipe(buf, sizeof(buf));
		*why = got == 0 ? "is empty" : "is longer than 1024 bytes";
		return -EINVAL;
	}
	rc = crypto_secret_from(buf, got, out);
	crypto_wipe(buf, sizeof(buf));
	if (rc)
		*why = "out of memory";
	return rc;
}
