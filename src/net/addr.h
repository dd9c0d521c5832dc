/* Socket addresses and the engine's struct ike_addr, and text for logs. */
#ifndef PETREL_NET_ADDR_H
#define PETREL_NET_ADDR_H

#include <stddef.h>
#include <sys/socket.h>

#include "ike/ike.h"

#define NET_ADDR_STR_MAX 64 /* "[ipv6]:port" */

/* 0 or -EAFNOSUPPORT. */
int net_addr_from_sa(const struct sockaddr *sa, struct ike_addr *out);
int net_addr_to_sa(const struct ike_addr *a, struct sockaddr_storage *out);
/* Same family, address and port. */
int net_sa_eq(const struct sockaddr *a, const struct sockaddr *b);
/* Same family and address (any port). */
int net_sa_eq_ip(const struct sockaddr *a, const struct sockaddr *b);
uint16_t net_sa_port(const struct sockaddr *sa);
void net_sa_set_port(struct sockaddr_storage *sa, uint16_t port);
/* "192.0.2.1:500", "[2001:db8::1]:4500"; never fails (writes "?"). */
const char *net_sa_str(const struct sockaddr *sa, char *out, size_t len);
/* Parse a literal address (no port) into out with `port`. 0 or -EINVAL. */
int net_sa_parse(const char *s, uint16_t port, struct sockaddr_storage *out);
/* "203.0.113.0/24", "203.0.113.10", "10.0.0.1-10.0.0.9", with
 * "[proto/ports]" when narrowed. */
const char *net_ts_str(const struct ike_ts_cfg *ts, char *out, size_t len);

/* The source address the kernel picks towards `to` (port 0): NAT detection
 * must hash the address our packets really leave from. 0 or -errno. */
int net_source_for(const struct sockaddr_storage *to, struct sockaddr_storage *out);

#endif
