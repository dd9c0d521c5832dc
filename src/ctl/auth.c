/* Who may control petreld (PRODUCT.md "Bad input, faults, secrets"): root and
 * members of the petrel group. The kernel tells us the peer's uid and
 * primary gid; supplementary groups come from the group database for the
 * peer's user (getgrouplist), as login would have set them. */
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl/ctl.h"

#define GROUPS_MAX 256 /* supplementary groups looked at for one user */

int ctl_peer_may_control(const struct ctl_peer *peer, const char *group)
{
	struct group gr, *grp = NULL;
	struct passwd pw, *pwp = NULL;
	char buf[8192];
	int ok = 0;

	if (peer->uid == 0)
		return 1;
	if (getgrnam_r(group ? group : PETREL_CTL_GROUP, &gr, buf, sizeof(buf), &grp) != 0 || !grp)
		return 0; /* no such group: root only */
	gid_t want = grp->gr_gid;
	if (peer->gid == want)
		return 1;
	char pbuf[8192];
	if (getpwuid_r(peer->uid, &pw, pbuf, sizeof(pbuf), &pwp) != 0 || !pwp)
		return 0;
#ifdef __APPLE__
	int groups[GROUPS_MAX];
	int n = GROUPS_MAX;
	if (getgrouplist(pwp->pw_name, (int)pwp->pw_gid, groups, &n) < 0)
		n = GROUPS_MAX;
	for (int i = 0; i < n && !ok; i++)
		ok = (gid_t)groups[i] == want;
#else
	gid_t groups[GROUPS_MAX];
	int n = GROUPS_MAX;
	if (getgrouplist(pwp->pw_name, pwp->pw_gid, groups, &n) < 0)
		n = GROUPS_MAX;
	for (int i = 0; i < n && !ok; i++)
		ok = groups[i] == want;
#endif
	return ok;
}
