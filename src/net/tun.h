/* The TUN device: layer-3 packets between the kernel and petrel's ESP data
 * plane. Linux: /dev/net/tun (IFF_TUN | IFF_NO_PI); macOS: a utun control
 * socket, whose 4-octet address-family header tun_darwin.c adds and strips so
 * callers see bare IP packets on both.
 *
 * net_tun_open() creates, names (Linux), sizes and brings up the device; the
 * fd it exposes is non-blocking and close-on-exec, for the caller's event
 * loop (no libuv here). The batch helpers move several packets per wake-up,
 * at most PT_NET_TUN_BATCH_MAX, so neither direction starves the other
 * (STYLE.md "Data path"). net_tun_close() closes the fd; the kernel removes
 * the device and with it every address and route on it. Nothing else is
 * restored here: that is route.h's job.
 *
 * With net_tun_cfg.offload the device hands out TCP super-packets behind a
 * virtio_net_hdr (src/tunnel/offload.c segments them). Not done: writing
 * coalesced super-packets back (GRO), IFF_MULTI_QUEUE for worker threads. */
#ifndef PETREL_NET_TUN_H
#define PETREL_NET_TUN_H

#include <stddef.h>
#include <stdint.h>

#define NET_TUN_NAME_DEFAULT "petrel0"
#define NET_TUN_NAME_MAX 16 /* IFNAMSIZ, with the NUL */
#define NET_TUN_MTU_DEFAULT 1400u

struct net_tun;

struct net_tun_cfg {
	/* Linux: the device name ("petrel0" when NULL; "petrel%d" lets the
	 * kernel pick the number). macOS: "utunN" asks for that unit, anything
	 * else (and NULL) takes the next free one; net_tun_name() tells which. */
	const char *name;
	unsigned mtu;            /* 0: NET_TUN_MTU_DEFAULT */
	/* Linux: IFF_VNET_HDR with TCP segmentation and checksum offload
	 * (TUNSETOFFLOAD TSO4/TSO6/CSUM): reads carry a 10-octet
	 * virtio_net_hdr and may be TCP super-packets of up to 64 KiB; writes
	 * need the header too (src/tunnel does both). Falls back to a plain
	 * TUN when the kernel refuses. Ignored on macOS. */
	int offload;
};

/* One packet of a batch: the caller's buffer. Read fills len; write sends
 * len octets from data. */
struct net_tun_pkt {
	uint8_t *data;
	size_t cap;
	size_t len;
};

struct net_tun_stats {
	uint64_t rx_pkts, tx_pkts;
	uint64_t rx_drop_trunc;   /* filled the whole buffer: maybe cut, dropped */
	uint64_t rx_drop_bad;     /* macOS: a packet shorter than the AF header */
	uint64_t tx_drop_err;     /* the kernel refused one packet (bad header) */
};

/* 0, -EINVAL (a bad name or MTU), -ENOENT (no /dev/net/tun or utun),
 * -EPERM/-EACCES (no CAP_NET_ADMIN), -EBUSY (the name is taken), or another
 * negative errno. On failure nothing is left behind and *out stays NULL. */
int net_tun_open(const struct net_tun_cfg *cfg, struct net_tun **out);
int net_tun_fd(const struct net_tun *t);
/* The virtio_net_hdr length reads and writes on this TUN descriptor carry:
 * 10 with offloads, 0 without (or when fd is not a TUN). */
int net_tun_fd_vnet_hdr(int fd);
const char *net_tun_name(const struct net_tun *t);
unsigned net_tun_ifindex(const struct net_tun *t);
unsigned net_tun_mtu(const struct net_tun *t);
/* 0 or a negative errno; the device keeps the old MTU on failure. */
int net_tun_set_mtu(struct net_tun *t, unsigned mtu);

/* Read up to n packets (n is capped at PT_NET_TUN_BATCH_MAX) into pkts[].
 * Returns how many were read (0: nothing waiting) or a negative errno when
 * the first read failed. A packet that fills its whole buffer may have been
 * cut: it is counted in rx_drop_trunc and not returned, so give buffers of
 * at least the MTU + 1. */
int net_tun_read_batch(struct net_tun *t, struct net_tun_pkt *pkts, unsigned n);
/* Write up to n packets. Returns how many were consumed (sent, or dropped
 * and counted in tx_drop_err); fewer than n when the device queue is full
 * (retry the rest on the next writable event); a negative errno when the
 * first write failed for another reason than a bad packet. */
int net_tun_write_batch(struct net_tun *t, const struct net_tun_pkt *pkts, unsigned n);
const struct net_tun_stats *net_tun_stats(const struct net_tun *t);
/* Close the fd and free; the device goes away with it. NULL is a no-op. */
void net_tun_close(struct net_tun *t);

/* A valid interface name: 1..15 octets of [A-Za-z0-9_.-], and at most one
 * "%d" (Linux). Pure; shared by both platforms and the tests. */
int net_tun_name_valid(const char *name);

#endif
