/* Peer credentials on macOS: getpeereid(3) for the uid and gid, and
 * LOCAL_PEERPID (sys/un.h) for the pid. Not built on Linux. */
#include <errno.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl/ctl.h"

int ctl_peer_get(int fd, struct ctl_peer *out)
{
	uid_t uid;
	gid_t gid;

	if (getpeereid(fd, &uid, &gid) != 0)
		return -errno;
	out->uid = uid;
	out->gid = gid;
	out->pid = -1;
#ifdef LOCAL_PEERPID
	pid_t pid;
	socklen_t len = sizeof(pid);
	if (getsockopt(fd, SOL_LOCAL, LOCAL_PEERPID, &pid, &len) == 0 && len == sizeof(pid))
		out->pid = pid;
#endif
	return 0;
}
