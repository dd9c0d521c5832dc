#!/usr/bin/env python3
"""Small IKEv2 message dumper and capture splitter (Python standard library only).

Used by tests/tools/capture-strongswan.sh to cut golden IKE messages out of a
packet capture, and by people writing the C codec test to cross-check what a
golden file contains.

Commands
  extract PCAP OUTDIR PREFIX [--from T] [--to T] [--exchanges a,b] [--max N]
      Write every IKE message found in the classic-pcap file PCAP (UDP port 500,
      or UDP port 4500 with the 4-byte non-ESP marker removed; ESP packets are
      skipped) whose capture time lies in [T_from, T_to] (Unix seconds) as
      OUTDIR/PREFIX-<exchange>-<req|resp>[-N][-KofM].bin.  -N numbers repeated
      (exchange, direction) pairs in capture order; -KofM marks RFC 7383
      fragments.  Prints one line per written file.
  list PCAP
      Print every IKE message in PCAP (time, addresses, summary).
  index FILE...
      One line per file: name, exchange, message id, flags, first payload,
      length, payload chain.  This is what captures/index.txt is made of.
  check FILE...
      Structural check: header length equals file size, the payload chain adds
      up exactly, SK/SKF is the last payload.  Exit 1 on the first failure.
  show FILE...
      Verbose per-payload dump.
"""
import os
import struct
import sys

EXCHANGES = {
    34: "IKE_SA_INIT", 35: "IKE_AUTH", 36: "CREATE_CHILD_SA",
    37: "INFORMATIONAL", 38: "IKE_SESSION_RESUME", 43: "IKE_INTERMEDIATE",
    44: "IKE_FOLLOWUP_KE",
}
PAYLOADS = {
    0: "NONE", 33: "SA", 34: "KE", 35: "IDi", 36: "IDr", 37: "CERT",
    38: "CERTREQ", 39: "AUTH", 40: "Nonce", 41: "N", 42: "D", 43: "V",
    44: "TSi", 45: "TSr", 46: "SK", 47: "CP", 48: "EAP", 49: "GSPM",
    50: "IDg", 51: "GSA", 52: "KD", 53: "SKF", 54: "PS",
}
NOTIFIES = {
    1: "UNSUPPORTED_CRITICAL_PAYLOAD", 4: "INVALID_IKE_SPI",
    5: "INVALID_MAJOR_VERSION", 7: "INVALID_SYNTAX", 9: "INVALID_MESSAGE_ID",
    11: "INVALID_SPI", 14: "NO_PROPOSAL_CHOSEN", 17: "INVALID_KE_PAYLOAD",
    24: "AUTHENTICATION_FAILED", 34: "SINGLE_PAIR_REQUIRED",
    35: "NO_ADDITIONAL_SAS", 36: "INTERNAL_ADDRESS_FAILURE",
    37: "FAILED_CP_REQUIRED", 38: "TS_UNACCEPTABLE", 39: "INVALID_SELECTORS",
    40: "UNACCEPTABLE_ADDRESSES", 41: "UNEXPECTED_NAT_DETECTED",
    42: "USE_ASSIGNED_HoA", 43: "TEMPORARY_FAILURE", 44: "CHILD_SA_NOT_FOUND",
    16384: "INITIAL_CONTACT", 16385: "SET_WINDOW_SIZE",
    16386: "ADDITIONAL_TS_POSSIBLE", 16387: "IPCOMP_SUPPORTED",
    16388: "NAT_DETECTION_SOURCE_IP", 16389: "NAT_DETECTION_DESTINATION_IP",
    16390: "COOKIE", 16391: "USE_TRANSPORT_MODE",
    16392: "HTTP_CERT_LOOKUP_SUPPORTED", 16393: "REKEY_SA",
    16394: "ESP_TFC_PADDING_NOT_SUPPORTED", 16395: "NON_FIRST_FRAGMENTS_ALSO",
    16396: "MOBIKE_SUPPORTED", 16397: "ADDITIONAL_IP4_ADDRESS",
    16398: "ADDITIONAL_IP6_ADDRESS", 16399: "NO_ADDITIONAL_ADDRESSES",
    16400: "UPDATE_SA_ADDRESSES", 16401: "COOKIE2", 16402: "NO_NATS_ALLOWED",
    16403: "AUTH_LIFETIME", 16404: "MULTIPLE_AUTH_SUPPORTED",
    16405: "ANOTHER_AUTH_FOLLOWS", 16406: "REDIRECT_SUPPORTED",
    16407: "REDIRECT", 16408: "REDIRECTED_FROM", 16409: "TICKET_LT_OPAQUE",
    16410: "TICKET_REQUEST", 16411: "TICKET_ACK", 16412: "TICKET_NACK",
    16413: "TICKET_OPAQUE", 16417: "EAP_ONLY_AUTHENTICATION",
    16418: "CHILDLESS_IKEV2_SUPPORTED", 16430: "IKEV2_FRAGMENTATION_SUPPORTED",
    16431: "SIGNATURE_HASH_ALGORITHMS", 16435: "USE_PPK",
    16438: "INTERMEDIATE_EXCHANGE_SUPPORTED", 16441: "ADDITIONAL_KEY_EXCHANGE",
}
DH_GROUPS = {
    2: "modp1024", 14: "modp2048", 15: "modp3072", 16: "modp4096",
    19: "ecp256", 20: "ecp384", 21: "ecp521", 31: "x25519", 32: "x448",
    35: "mlkem512", 36: "mlkem768", 37: "mlkem1024",
}
TRANSFORM_TYPES = {1: "ENCR", 2: "PRF", 3: "INTEG", 4: "KE", 5: "ESN"}
TRANSFORM_TYPES.update({6 + i: "ADDKE%d" % (i + 1) for i in range(7)})


class IkeError(Exception):
    pass


# ---------------------------------------------------------------- pcap reading
def read_pcap(path):
    """Yield (timestamp, linktype, frame bytes) from a classic pcap file."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        raise IkeError("%s: not a classic pcap file (pcapng is not supported)" % path)
    nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    linktype = struct.unpack(end + "I", data[20:24])[0] & 0x0FFFFFFF
    off = 24
    while off + 16 <= len(data):
        sec, frac, incl, _orig = struct.unpack(end + "IIII", data[off:off + 16])
        off += 16
        frame = data[off:off + incl]
        off += incl
        yield sec + frac / (1e9 if nano else 1e6), linktype, frame


def frame_to_ip(linktype, frame):
    """Return the IP packet inside a link-layer frame, or None."""
    if linktype == 1:                       # Ethernet
        off, etype = 14, struct.unpack("!H", frame[12:14])[0]
        while etype in (0x8100, 0x88A8):    # VLAN tags
            etype = struct.unpack("!H", frame[off + 2:off + 4])[0]
            off += 4
        return frame[off:] if etype in (0x0800, 0x86DD) else None
    if linktype == 113:                     # Linux cooked (SLL)
        etype = struct.unpack("!H", frame[14:16])[0]
        return frame[16:] if etype in (0x0800, 0x86DD) else None
    if linktype == 276:                     # Linux cooked v2 (SLL2)
        etype = struct.unpack("!H", frame[0:2])[0]
        return frame[20:] if etype in (0x0800, 0x86DD) else None
    if linktype in (101, 228, 229):         # raw IP
        return frame
    return None


def ip_to_udp(pkt):
    """Return (src, dst, sport, dport, udp payload) or None; refuses IP fragments."""
    if not pkt:
        return None
    ver = pkt[0] >> 4
    if ver == 4:
        ihl = (pkt[0] & 0x0F) * 4
        total = struct.unpack("!H", pkt[2:4])[0]
        frag = struct.unpack("!H", pkt[6:8])[0]
        if pkt[9] != 17:
            return None
        if frag & 0x3FFF:
            raise IkeError("IPv4 fragment seen: IP reassembly is not implemented")
        src = ".".join(str(b) for b in pkt[12:16])
        dst = ".".join(str(b) for b in pkt[16:20])
        udp = pkt[ihl:total]
    elif ver == 6:
        if pkt[6] != 17:                    # no extension headers expected here
            return None
        plen = struct.unpack("!H", pkt[4:6])[0]
        src = _ip6(pkt[8:24])
        dst = _ip6(pkt[24:40])
        udp = pkt[40:40 + plen]
    else:
        return None
    if len(udp) < 8:
        return None
    sport, dport, ulen = struct.unpack("!HHH", udp[:6])
    return src, dst, sport, dport, udp[8:ulen]


def _ip6(b):
    import ipaddress
    return str(ipaddress.IPv6Address(bytes(b)))


def ike_messages(pcap):
    """Yield (time, src, sport, dst, dport, ike message bytes)."""
    for ts, lt, frame in read_pcap(pcap):
        ip = frame_to_ip(lt, frame)
        u = ip_to_udp(ip) if ip else None
        if not u:
            continue
        src, dst, sport, dport, payload = u
        if 500 in (sport, dport):
            msg = payload
        elif 4500 in (sport, dport):
            if len(payload) < 4 or payload[:4] != b"\0\0\0\0":
                continue                    # ESP in UDP (or a NAT keepalive 0xff)
            msg = payload[4:]
        else:
            continue
        if len(msg) < 28:
            continue
        yield ts, src, sport, dst, dport, msg


# ---------------------------------------------------------------- IKE parsing
def parse(msg):
    """Parse an IKE message.  Returns (header dict, list of payload dicts)."""
    if len(msg) < 28:
        raise IkeError("shorter than the 28-byte IKE header")
    spii, spir, np, ver, exch, flags, mid, length = struct.unpack("!8s8sBBBBII", msg[:28])
    hdr = dict(spii=spii.hex(), spir=spir.hex(), next=np, version=ver, exchange=exch,
               flags=flags, msgid=mid, length=length)
    if ver >> 4 != 2:
        raise IkeError("major version %d, not IKEv2" % (ver >> 4))
    if length != len(msg):
        raise IkeError("header length %d but message is %d bytes" % (length, len(msg)))
    payloads = []
    off, ptype = 28, np
    while ptype != 0:
        if off + 4 > len(msg):
            raise IkeError("payload %s at offset %d runs past the end" % (pname(ptype), off))
        nxt, crit, plen = struct.unpack("!BBH", msg[off:off + 4])
        if plen < 4 or off + plen > len(msg):
            raise IkeError("payload %s at offset %d has bad length %d" % (pname(ptype), off, plen))
        body = msg[off + 4:off + plen]
        payloads.append(dict(type=ptype, next=nxt, critical=bool(crit & 0x80),
                             offset=off, length=plen, body=body))
        off += plen
        if ptype in (46, 53):               # SK / SKF: its next-payload field names the
            if off != len(msg):             # first inner payload; it must be the last one
                raise IkeError("%s is not the last payload" % pname(ptype))
            break
        ptype = nxt
    if off != len(msg):
        raise IkeError("payload chain ends at %d, message is %d bytes" % (off, len(msg)))
    return hdr, payloads


def pname(t):
    return PAYLOADS.get(t, "P%d" % t)


def xname(t):
    return EXCHANGES.get(t, "EXCH%d" % t)


def flag_str(flags):
    s = []
    if flags & 0x08:
        s.append("I")
    if flags & 0x10:
        s.append("V")
    if flags & 0x20:
        s.append("R")
    return "".join(s) or "-"


def describe(p):
    """Short description of one payload."""
    t, b = p["type"], p["body"]
    name = pname(t)
    if t == 41 and len(b) >= 4:             # Notify
        proto, spisz, ntype = struct.unpack("!BBH", b[:4])
        s = "N(%s)" % NOTIFIES.get(ntype, str(ntype))
        if ntype == 17 and len(b) >= 6 + spisz:
            g = struct.unpack("!H", b[4 + spisz:6 + spisz])[0]
            s = "N(INVALID_KE_PAYLOAD:%s)" % DH_GROUPS.get(g, g)
        return s
    if t == 34 and len(b) >= 4:             # KE
        g = struct.unpack("!H", b[:2])[0]
        return "KE(%s,%dB)" % (DH_GROUPS.get(g, g), len(b) - 4)
    if t == 33:
        return "SA(%d proposals)" % len(proposals(b))
    if t in (35, 36) and b:
        return "%s(type %d)" % (name, b[0])
    if t in (37, 38) and b:
        return "%s(enc %d)" % (name, b[0])
    if t == 39 and b:
        return "AUTH(method %d)" % b[0]
    if t == 46:
        return "SK{%s..}" % pname(p["next"])
    if t == 53 and len(b) >= 4:
        n, tot = struct.unpack("!HH", b[:4])
        inner = "{%s..}" % pname(p["next"]) if n == 1 else ""
        return "SKF(%d/%d)%s" % (n, tot, inner)
    return name


def proposals(b):
    out, off = [], 0
    while off + 8 <= len(b):
        last, _r, plen, num, proto, spisz, ntr = struct.unpack("!BBHBBBB", b[off:off + 8])
        if plen < 8:
            break
        tr, toff = [], off + 8 + spisz
        for _ in range(ntr):
            if toff + 8 > off + plen:
                break
            _l, _r2, tlen, ttype, _r3, tid = struct.unpack("!BBHBBH", b[toff:toff + 8])
            attrs = b[toff + 8:toff + tlen]
            klen = ""
            if len(attrs) >= 4 and struct.unpack("!H", attrs[:2])[0] == 0x800E:
                klen = "/%d" % struct.unpack("!H", attrs[2:4])[0]
            tid_s = DH_GROUPS.get(tid, tid) if ttype == 4 else tid
            tr.append("%s=%s%s" % (TRANSFORM_TYPES.get(ttype, ttype), tid_s, klen))
            toff += max(tlen, 8)
        out.append((num, proto, tr))
        off += plen
        if last == 0:
            break
    return out


def summary(msg):
    hdr, pls = parse(msg)
    return hdr, pls, " ".join(describe(p) for p in pls)


def msg_kind(hdr, pls):
    """(exchange name, 'req'|'resp', fragment 'KofM' or '')."""
    ex = xname(hdr["exchange"]).lower()
    d = "resp" if hdr["flags"] & 0x20 else "req"
    frag = ""
    if pls and pls[-1]["type"] == 53 and len(pls[-1]["body"]) >= 4:
        n, tot = struct.unpack("!HH", pls[-1]["body"][:4])
        frag = "%dof%d" % (n, tot)
    return ex, d, frag


# ---------------------------------------------------------------- commands
def cmd_list(args):
    for ts, src, sp, dst, dp, msg in ike_messages(args[0]):
        try:
            hdr, pls, s = summary(msg)
            print("%.6f %s:%d > %s:%d %s mid=%d %s len=%d %s" % (
                ts, src, sp, dst, dp, xname(hdr["exchange"]), hdr["msgid"],
                flag_str(hdr["flags"]), hdr["length"], s))
        except IkeError as e:
            print("%.6f %s:%d > %s:%d UNPARSABLE: %s" % (ts, src, sp, dst, dp, e))


def cmd_extract(args):
    pcap, outdir, prefix = args[:3]
    rest = args[3:]
    t0, t1, exchanges, maxn = 0.0, float("inf"), None, None
    while rest:
        opt, val = rest[0], rest[1]
        rest = rest[2:]
        if opt == "--from":
            t0 = float(val)
        elif opt == "--to":
            t1 = float(val)
        elif opt == "--exchanges":
            exchanges = set(val.lower().split(","))
        elif opt == "--max":
            maxn = int(val)
        else:
            raise SystemExit("unknown option %s" % opt)
    picked = []
    for ts, src, sp, dst, dp, msg in ike_messages(pcap):
        if not (t0 <= ts <= t1):
            continue
        hdr, pls = parse(msg)
        ex, d, frag = msg_kind(hdr, pls)
        if exchanges and ex not in exchanges:
            continue
        picked.append((ex, d, frag, msg))
        if maxn and len(picked) >= maxn:
            break
    # number repeated (exchange, direction) pairs; fragments count once per message
    counts, seen = {}, {}
    for ex, d, frag, _m in picked:
        if not frag or frag.startswith("1of"):
            counts[(ex, d)] = counts.get((ex, d), 0) + 1
    os.makedirs(outdir, exist_ok=True)
    for ex, d, frag, msg in picked:
        key = (ex, d)
        if not frag or frag.startswith("1of"):
            seen[key] = seen.get(key, 0) + 1
        name = "%s-%s-%s" % (prefix, ex, d)
        if counts.get(key, 0) > 1:
            name += "-%d" % seen.get(key, 1)
        if frag:
            name += "-" + frag
        path = os.path.join(outdir, name + ".bin")
        if os.path.exists(path):
            raise SystemExit("refusing to overwrite %s (retransmission in the window?)" % path)
        with open(path, "wb") as f:
            f.write(msg)
        print("%s %d" % (os.path.basename(path), len(msg)))
    if not picked:
        print("no IKE messages in window", file=sys.stderr)
        return 1
    return 0


def cmd_index(args):
    print("# file | exchange | message id | flags (I=original initiator, R=response) | "
          "first payload | length | payloads")
    for path in args:
        with open(path, "rb") as f:
            msg = f.read()
        hdr, pls, s = summary(msg)
        print("%s | %s | %d | %s | %s | %d | %s" % (
            os.path.basename(path), xname(hdr["exchange"]), hdr["msgid"],
            flag_str(hdr["flags"]), pname(hdr["next"]), hdr["length"], s))


def cmd_check(args):
    rc = 0
    for path in args:
        with open(path, "rb") as f:
            msg = f.read()
        try:
            parse(msg)
            print("ok   %s" % path)
        except IkeError as e:
            print("FAIL %s: %s" % (path, e))
            rc = 1
    return rc


def cmd_show(args):
    for path in args:
        with open(path, "rb") as f:
            msg = f.read()
        hdr, pls = parse(msg)
        print("%s: %s mid=%d flags=0x%02x(%s) SPIi=%s SPIr=%s len=%d" % (
            path, xname(hdr["exchange"]), hdr["msgid"], hdr["flags"],
            flag_str(hdr["flags"]), hdr["spii"], hdr["spir"], hdr["length"]))
        for p in pls:
            print("  @%-4d %-4s len=%-4d next=%-6s%s %s" % (
                p["offset"], pname(p["type"]), p["length"], pname(p["next"]),
                " critical" if p["critical"] else "", describe(p)))
            if p["type"] == 33:
                for num, proto, tr in proposals(p["body"]):
                    print("        proposal %d proto %d: %s" % (num, proto, " ".join(tr)))
    return 0


def main(argv):
    if len(argv) < 2 or argv[1] not in ("extract", "list", "index", "check", "show"):
        print(__doc__, file=sys.stderr)
        return 2
    try:
        return globals()["cmd_" + argv[1]](argv[2:]) or 0
    except IkeError as e:
        print("error: %s" % e, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
