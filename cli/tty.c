/* Ask the user on the controlling terminal (an attention request: a
 * password, OTP or PIN), with echo off unless the daemon says it may show. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"

int tty_prompt(const char *prompt, int echo, char *out, size_t out_len)
{
	struct termios old, raw;
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return -ENXIO;
	if (tcgetattr(fd, &old) != 0) {
		close(fd);
		return -ENXIO;
	}
	raw = old;
	if (!echo)
		raw.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	(void)!write(fd, prompt, strlen(prompt));
	(void)!write(fd, ": ", 2);
	if (tcsetattr(fd, TCSAFLUSH, &raw) != 0) {
		close(fd);
		return -ENXIO;
	}
	size_t n = 0;
	int rc = 0;
	for (;;) {
		char ch;
		ssize_t r = read(fd, &ch, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rc = -EIO;
			break;
		}
		if (ch == '\n' || ch == '\r')
			break;
		if (n + 1 < out_len)
			out[n++] = ch;
	}
	out[n] = '\0';
	tcsetattr(fd, TCSAFLUSH, &old);
	if (!echo)
		(void)!write(fd, "\n", 1);
	close(fd);
	if (rc)
		explicit_bzero(out, out_len);
	return rc;
}
