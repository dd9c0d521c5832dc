/* What both TUN backends share (tun.h). */
#include "net/tun.h"

#include <string.h>

int net_tun_name_valid(const char *name)
{
	size_t len;
	int pct = 0;

	if (!name || (len = strnlen(name, NET_TUN_NAME_MAX)) == 0 || len >= NET_TUN_NAME_MAX)
		return 0;
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		if (c == '%') {
			if (name[i + 1] != 'd' || pct++)
				return 0;
			i++;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.'))
			return 0;
	}
	return 1;
}
