/* Address conversions and formatting (see addr.h). */
#include "net/addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <unistd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "ike/pld/consts.h"

int net_addr_from_sa(const struct sockaddr *sa, struct ike_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		out->family = AF_INET;
		memcpy(out->ip, &in->sin_addr, 4);
		out->port = ntohs(in->sin_port);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
		out->family = AF_INET6;
		memcpy(out->ip, &in6->sin6_addr, 16);
		out->port = ntohs(in6->sin6_port);
		return 0;
	}
	return -EAFNOSUPPORT;
}

int net_addr_to_sa(const struct ike_addr *a, struct sockaddr_storage *out)
{
	memset(out, 0, sizeof(*out));
	if (a->family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)out;
		in->sin_family = AF_INET;
		memcpy(&in->sin_addr, a->ip, 4);
		in->sin_port = htons(a->port);
		return 0;
	}
	if (a->family == AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)out;
		in6->sin6_family = AF_INET6;
		memcpy(&in6->sin6_addr, a->ip, 16);
		in6->sin6_port = htons(a->port);
		return 0;
	}
	return -EAFNOSUPPORT;
}

int net_sa_eq_ip(const struct sockaddr *a, const struct sockaddr *b)
{
	struct ike_addr x, y;
	if (net_addr_from_sa(a, &x) || net_addr_from_sa(b, &y) || x.family != y.family)
		return 0;
	return memcmp(x.ip, y.ip, x.family == AF_INET ? 4 : 16) == 0; /* public-memcmp: addresses */
}

int net_sa_eq(const struct sockaddr *a, const struct sockaddr *b)
{
	return net_sa_eq_ip(a, b) && net_sa_port(a) == net_sa_port(b);
}

uint16_t net_sa_port(const struct sockaddr *sa)
{
	struct ike_addr a;
	return net_addr_from_sa(sa, &a) ? 0 : a.port;
}

void net_sa_set_port(struct sockaddr_storage *sa, uint16_t port)
{
	if (sa->ss_family == AF_INET)
		((struct sockaddr_in *)sa)->sin_port = htons(port);
	else if (sa->ss_family == AF_INET6)
		((struct sockaddr_in6 *)sa)->sin6_port = htons(port);
}

const char *net_sa_str(const struct sockaddr *sa, char *out, size_t len)
{
	struct ike_addr a;
	char ip[INET6_ADDRSTRLEN];

	if (net_addr_from_sa(sa, &a) || !inet_ntop(a.family, a.ip, ip, sizeof(ip))) {
		snprintf(out, len, "?");
		return out;
	}
	if (a.family == AF_INET6)
		snprintf(out, len, "[%s]:%u", ip, a.port);
	else
		snprintf(out, len, "%s:%u", ip, a.port);
	return out;
}

int net_sa_parse(const char *s, uint16_t port, struct sockaddr_storage *out)
{
	struct ike_addr a;
	memset(&a, 0, sizeof(a));
	a.port = port;
	if (inet_pton(AF_INET, s, a.ip) == 1)
		a.family = AF_INET;
	else if (inet_pton(AF_INET6, s, a.ip) == 1)
		a.family = AF_INET6;
	else
		return -EINVAL;
	return net_addr_to_sa(&a, out);
}

/* The prefix length when [start, end] is exactly one CIDR block, else -1. */
static int cidr_len(const uint8_t *s, const uint8_t *e, size_t n)
{
	size_t i = 0;
	while (i < n && s[i] == e[i])
		i++;
	int bits = (int)i * 8;
	if (i == n)
		return bits;
	uint8_t x = (uint8_t)(s[i] ^ e[i]);
	int b = 0;
	while (b < 8 && !(x & (0x80u >> b)))
		b++;
	/* the rest must be all-zero in start and all-one in end */
	uint8_t mask = (uint8_t)(0xffu >> b);
	if ((s[i] & mask) != 0 || (e[i] & mask) != mask)
		return -1;
	for (size_t j = i + 1; j < n; j++)
		if (s[j] != 0 || e[j] != 0xff)
			return -1;
	return bits + b;
}

const char *net_ts_str(const struct ike_ts_cfg *ts, char *out, size_t len)
{
	int v6 = ts->type == IKE_TS_IPV6_ADDR_RANGE;
	int fam = v6 ? AF_INET6 : AF_INET;
	size_t n = v6 ? 16 : 4;
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], extra[32] = "";

	if (!inet_ntop(fam, ts->start, a, sizeof(a)) || !inet_ntop(fam, ts->end, b, sizeof(b))) {
		snprintf(out, len, "?");
		return out;
	}
	if (ts->proto || ts->start_port != 0 || ts->end_port != 65535)
		snprintf(extra, sizeof(extra), "[%u/%u-%u]", ts->proto, ts->start_port, ts->end_port);
	int pl = cidr_len(ts->start, ts->end, n);
	if (pl == (int)n * 8)
		snprintf(out, len, "%s%s", a, extra);
	else if (pl >= 0)
		snprintf(out, len, "%s/%d%s", a, pl, extra);
	else
		snprintf(out, len, "%s-%s%s", a, b, extra);
	return out;
}

int net_source_for(const struct sockaddr_storage *to, struct sockaddr_storage *out)
{
	int fd = socket(to->ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	socklen_t len = sizeof(*out);
	int rc = 0;

	if (fd < 0)
		return -errno;
	/* connect() on a datagram socket only picks the route and source. */
	if (connect(fd, (const struct sockaddr *)to,
		    to->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in)) ||
	    getsockname(fd, (struct sockaddr *)out, &len))
		rc = -errno;
	close(fd);
	net_sa_set_port(out, 0);
	return rc;
}
