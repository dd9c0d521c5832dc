/* Every cap on something that grows, in one place (STYLE.md "Bytes from a peer").
 * A peer, a file or a client can never make petrel hold more than these. */
#ifndef PETREL_BASE_LIMITS_H
#define PETREL_BASE_LIMITS_H

/* IKE messages (RFC 7296 3.1: the length field is 32 bits; we refuse far less). */
#define PT_IKE_MSG_MAX_LEN        65535u  /* one IKE message, decoded or built */
#define PT_IKE_UDP_MSG_MAX_LEN    65507u  /* largest UDP payload over IPv4 */
#define PT_IKE_PAYLOADS_MAX       64u     /* payloads in one chain (loops end here) */
#define PT_IKE_SK_DEPTH_MAX       1u      /* SK/SKF may not nest */
#define PT_IKE_PROPOSALS_MAX      32u     /* proposals in one SA payload */
#define PT_IKE_TRANSFORMS_MAX     64u     /* transforms in one proposal */
#define PT_IKE_ATTRS_MAX          8u      /* attributes in one transform */
#define PT_IKE_SPI_MAX_LEN        8u      /* IKE SPI 8, ESP/AH SPI 4 */
#define PT_IKE_TS_MAX             16u     /* traffic selectors in one TS payload */
#define PT_IKE_CP_ATTRS_MAX       32u     /* attributes in one CP payload */
#define PT_IKE_DELETE_SPIS_MAX    64u     /* SPIs in one Delete payload */
#define PT_IKE_NONCE_MIN_LEN      16u     /* RFC 7296 2.10 */
#define PT_IKE_NONCE_MAX_LEN      256u    /* RFC 7296 2.10 */
#define PT_IKE_CERTS_MAX          8u      /* CERT payloads in one message (chain) */
#define PT_IKE_CERT_MAX_LEN       16384u  /* one certificate */

/* RFC 7383 fragmentation. */
#define PT_IKE_FRAGS_MAX          64u     /* fragments in one message */
#define PT_IKE_REASM_MAX_LEN      65535u  /* bytes held for one reassembly */

/* Key exchange (ML-KEM-1024 ciphertext 1568, public key 1568). */
#define PT_KE_MAX_LEN             1600u

/* Files and control. */
#define PT_YAML_MAX_LEN           (256u * 1024u)
#define PT_YAML_DEPTH_MAX         8u      /* nesting of maps and lists */
#define PT_CONF_PROFILES_MAX      64u
#define PT_CONF_FILES_MAX         256u    /* files in profiles.d */
#define PT_CONF_DIAGS_MAX         32u     /* errors reported for one load */
#define PT_CTL_REQUEST_MAX_LEN    (64u * 1024u)
#define PT_ESP_QUEUE_MAX          1024u   /* packets queued while a path is down */

/* IKE payload codec (src/ike/pld), added with it. */
#define PT_IKE_SA_XFORMS_MAX      256u    /* transforms in one SA payload, all proposals */
#define PT_IKE_SA_ATTRS_MAX       256u    /* transform attributes in one SA payload */
#define PT_IKE_COOKIE_MAX_LEN     64u     /* RFC 7296 2.6: COOKIE data 1..64 */

/* EAP-TLS (src/ike/eap/eap_tls.c, RFC 5216 3.1): one reassembled TLS
 * message (the TLS Message Length an L flag may announce). */
#define PT_EAP_TLS_MSG_MAX        (64u * 1024u)

/* The system around the tunnel (src/net: TUN, routes, DNS, kill switch). */
#define PT_NET_TUN_BATCH_MAX      64u     /* packets per TUN read/write batch */
#define PT_NET_ROUTES_MAX         256u    /* addresses and routes petrel adds and records */
#define PT_NET_NL_BUF_LEN         16384u  /* one netlink datagram, sent or received */
#define PT_NET_JOURNAL_MAX_LEN    (64u * 1024u) /* the crash-recovery file of routes */
#define PT_NET_DNS_SERVERS_MAX    8u
#define PT_NET_DNS_DOMAINS_MAX    16u
#define PT_NET_RESOLV_CONF_MAX_LEN (64u * 1024u) /* /etc/resolv.conf and its backup */
#define PT_NET_SPAWN_OUT_MAX      (16u * 1024u) /* output kept from nft/resolvectl/scutil */
#define PT_NET_SPAWN_TIMEOUT_MS   10000u
#define PT_NET_KS_GATEWAYS_MAX    8u      /* gateway addresses the kill switch lets through */
#define PT_NET_NETMON_MSGS_MAX    64u     /* netlink/route-socket messages per wake-up */

/* RFC 9329 TCP streams (src/net/tcpconn). Queued bytes are frames handed to
 * the socket whose write has not completed; ESP is refused at the lower cap
 * so IKE messages (a Delete, a DPD answer) still get through a full stream. */
#define PT_NET_TCP_QUEUE_MAX_LEN     (1024u * 1024u) /* all frames queued on one stream */
#define PT_NET_TCP_ESP_QUEUE_MAX_LEN (256u * 1024u)  /* ESP queues only below this */
#define PT_NET_TCP_READ_LEN          (16u * 1024u)   /* one read from the socket */
#define PT_NET_TCP_CONNS_MAX         1024u           /* open accepted streams per listener */

#endif
