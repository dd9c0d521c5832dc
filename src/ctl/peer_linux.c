/* Peer credentials on Linux: SO_PEERCRED (socket(7)) gives the uid, gid and
 * pid of the process that called connect(). */
#define _GNU_SOURCE /* struct ucred */
#include <errno.h>
#include <sys/socket.h>

#include "ctl/ctl.h"

int ctl_peer_get(int fd, struct ctl_peer *out)
{
	struct ucred uc;
	socklen_t len = sizeof(uc);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) != 0)
		return -errno;
	if (len != sizeof(uc))
		return -EPROTO;
	out->uid = uc.uid;
	out->gid = uc.gid;
	out->pid = uc.pid;
	return 0;
}
