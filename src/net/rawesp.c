#include "net/rawesp.h"

#include <errno.h>
#include <netinet/in.h>
#include <unistd.h>

int net_raw_esp_open(const struct sockaddr *local)
{
	int fd = socket(local->sa_family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ESP);
	if (fd < 0)
		return -errno;
	socklen_t len = local->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	struct sockaddr_storage a = { 0 };
	for (socklen_t i = 0; i < len; i++)
		((uint8_t *)&a)[i] = ((const uint8_t *)local)[i];
	/* the port field means nothing to a raw socket: clear it */
	if (a.ss_family == AF_INET)
		((struct sockaddr_in *)&a)->sin_port = 0;
	else
		((struct sockaddr_in6 *)&a)->sin6_port = 0;
	if (bind(fd, (struct sockaddr *)&a, len)) {
		int rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

int net_raw_esp_payload(int family, const uint8_t *p, size_t len, size_t *off)
{
	if (family == AF_INET6) {
		*off = 0;
		return 0;
	}
	/* IPv4: version 4, IHL in 32-bit words, at least 5. */
	if (len < 20 || (p[0] >> 4) != 4)
		return -EBADMSG;
	size_t ihl = (size_t)(p[0] & 0x0f) * 4u;
	if (ihl < 20 || ihl > len)
		return -EBADMSG;
	*off = ihl;
	return 0;
}
