#include "base/err.h"

#include <string.h>

const char *pt_strerror(int err)
{
	switch (err) {
	case 0: return "success";
	case -EBADMSG: return "malformed message";
	case -EPROTO: return "protocol violation";
	case -EACCES: return "authentication failed";
	case -ENOBUFS: return "buffer full";
	case -E2BIG: return "limit exceeded";
	case -ENOTSUP: return "not supported by this build";
	case -ETIMEDOUT: return "timed out";
	case -EINVAL: return "invalid argument";
	case -ENOMEM: return "out of memory";
	default: return strerror(err < 0 ? -err : err);
	}
}
