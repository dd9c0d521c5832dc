/* Helper programs without a shell (spawn.h). */
#include "net/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/limits.h"

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *net_spawn_find(const char *const candidates[])
{
	for (size_t i = 0; candidates[i]; i++) {
		struct stat st;
		if (stat(candidates[i], &st) == 0 && S_ISREG(st.st_mode) &&
		    access(candidates[i], X_OK) == 0)
			return candidates[i];
	}
	return NULL;
}

/* A write to a pipe whose reader is gone must not kill the daemon with
 * SIGPIPE: block it around the write and take back the one it raised. */
static ssize_t write_nosigpipe(int fd, const void *p, size_t n)
{
#ifdef F_SETNOSIGPIPE
	/* macOS: the pipe itself is told (set_flags); no sigtimedwait there */
	return write(fd, p, n);
#else
	sigset_t pipe_set, old, pending;
	ssize_t w;
	int was_pending, err;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	sigpending(&pending);
	was_pending = sigismember(&pending, SIGPIPE);
	w = write(fd, p, n);
	err = errno;
	if (w < 0 && err == EPIPE && !was_pending) {
		struct timespec zero = { 0, 0 };
		while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR)
			;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	errno = err;
	return w;
#endif
}

static int set_flags(int fd, int nonblock)
{
	int fl = fcntl(fd, F_GETFD);
	if (fl < 0 || fcntl(fd, F_SETFD, fl | FD_CLOEXEC) < 0)
		return -errno;
#ifdef F_SETNOSIGPIPE
	if (nonblock && fcntl(fd, F_SETNOSIGPIPE, 1) < 0)
		return -errno;
#endif
	if (nonblock) {
		fl = fcntl(fd, F_GETFL);
		if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
			return -errno;
	}
	return 0;
}

int net_spawn(const char *const argv[], struct net_spawn_io *io)
{
	static char env_path[] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin", env_lc[] = "LC_ALL=C";
	char *const envp[] = { env_path, env_lc, NULL };
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, rc, status;
	posix_spawn_file_actions_t fa;
	size_t in_off = 0, out_len = 0;
	long long deadline;
	pid_t pid;

	if (io->out && io->out_cap)
		io->out[0] = '\0';
	if (!argv[0] || argv[0][0] != '/')
		return -EINVAL;
	if (access(argv[0], X_OK) < 0)
		return -ENOENT;
	if (pipe(in) < 0 || pipe(out) < 0) {
		rc = -errno;
		goto close_pipes;
	}
	if ((rc = set_flags(in[1], 1)) < 0 || (rc = set_flags(out[0], 1)) < 0 ||
	    (rc = set_flags(in[0], 0)) < 0 || (rc = set_flags(out[1], 0)) < 0)
		goto close_pipes;
	if ((rc = posix_spawn_file_actions_init(&fa)) != 0) {
		rc = -rc;
		goto close_pipes;
	}
	/* dup2 clears close-on-exec on the targets; the originals close at exec */
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_adddup2(&fa, out[1], 2);
	rc = posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)(uintptr_t)argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		rc = -rc;
		goto close_pipes;
	}
	close(in[0]);
	close(out[1]);
	in[0] = out[1] = -1;
	if (!io->in || io->in_len == 0) {
		close(in[1]);
		in[1] = -1;
	}
	deadline = now_ms() + (io->timeout_ms ? io->timeout_ms : PT_NET_SPAWN_TIMEOUT_MS);
	rc = 0;
	while (out[0] >= 0) {
		struct pollfd p[2] = { { .fd = out[0], .events = POLLIN },
				       { .fd = in[1], .events = POLLOUT } };
		long long left = deadline - now_ms();
		if (left <= 0) {
			rc = -ETIMEDOUT;
			break;
		}
		if (poll(p, in[1] >= 0 ? 2 : 1, (int)left) < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			break;
		}
		if (in[1] >= 0 && (p[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
			ssize_t w = write_nosigpipe(in[1], io->in + in_off, io->in_len - in_off);
			if (w > 0)
				in_off += (size_t)w;
			if ((w < 0 && errno != EAGAIN && errno != EINTR) || in_off == io->in_len) {
				close(in[1]); /* done, or the child stopped reading */
				in[1] = -1;
			}
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			char junk[512];
			char *dst = junk;
			size_t room = sizeof(junk);
			if (io->out && io->out_cap > 1 && out_len < io->out_cap - 1) {
				dst = io->out + out_len;
				room = io->out_cap - 1 - out_len;
			}
			ssize_t r = read(out[0], dst, room);
			if (r > 0) {
				if (dst != junk)
					out_len += (size_t)r;
			} else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
				close(out[0]);
				out[0] = -1;
			}
		}
	}
	if (io->out && io->out_cap)
		io->out[out_len] = '\0';
	if (rc == -ETIMEDOUT || rc < 0)
		kill(pid, SIGKILL); /* our own child, by its pid */
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			if (!rc)
				rc = -errno;
			goto close_pipes;
		}
	}
	if (!rc) {
		if (WIFEXITED(status))
			rc = WEXITSTATUS(status) == 127 ? -ENOENT : WEXITSTATUS(status);
		else
			rc = -EINTR;
	}
close_pipes:
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (out[i] >= 0)
			close(out[i]);
	}
	return rc;
}
