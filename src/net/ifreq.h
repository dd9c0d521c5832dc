/* Interface settings through struct ifreq ioctls (SIOC[GS]IFMTU,
 * SIOC[GS]IFFLAGS), the same on Linux and macOS. Negative errnos. */
#ifndef PETREL_NET_IFREQ_H
#define PETREL_NET_IFREQ_H

int net_if_mtu_get(const char *name, unsigned *mtu);
int net_if_mtu_set(const char *name, unsigned mtu);
/* IFF_UP on. */
int net_if_up(const char *name);

#endif
