/* Raw ESP (IP protocol 50) for a path without NAT (RFC 4303; RFC 7296 2.23:
 * UDP encapsulation only when a NAT is detected). A raw socket per address
 * family, bound to the local address; the kernel builds the IP header on
 * send, and on receive an IPv4 socket hands over the IP header too, which
 * net_raw_esp_payload() skips. Needs CAP_NET_RAW (petreld and petrel-gw run
 * as root). */
#ifndef PETREL_NET_RAWESP_H
#define PETREL_NET_RAWESP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* A non-blocking raw ESP socket bound to `local` (its port is ignored).
 * The fd, or a negative errno. */
int net_raw_esp_open(const struct sockaddr *local);
/* The ESP packet inside what a raw socket of `family` received: for IPv4
 * past the IP header (its IHL checked against len), for IPv6 as it is.
 * 0 with *off set, or -EBADMSG. */
int net_raw_esp_payload(int family, const uint8_t *p, size_t len, size_t *off);

#endif
