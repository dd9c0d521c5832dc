#!/usr/bin/env python3
"""ike_pcap.py PCAP: the IKE messages that set up each IKE SA in a tcpdump
capture (Ethernet, IPv4) of UDP/500, UDP/4500 and TCP/4500, for
tests/bench/pq.sh.

UDP/500: the payload is the IKE message; UDP/4500: IKE after the non-ESP
marker (4 zero octets; ESP and NAT keepalives are skipped); TCP/4500: each
direction's stream is put back together by sequence number, the "IKETCP"
prefix dropped, then RFC 9329 frames (16-bit length, the length field
included), IKE ones with the non-ESP marker. Only IKE_SA_INIT (34),
IKE_INTERMEDIATE (43) and IKE_AUTH (35) count: the setup, whatever rekeys,
deletes or liveness checks follow.

Prints one line per IKE SA (by SPIi), in the order they began:
  SPIi octets messages wire_ms exchanges
octets: the sum of the IKE messages' lengths (each fragment of RFC 7383 is a
message of its own here; no marker, framing, UDP/TCP/IP headers); messages:
how many (datagrams or frames); wire_ms: from the first IKE_SA_INIT request
to the last IKE_AUTH response; exchanges: e.g. "IKE_SA_INIT:>240,<248
IKE_AUTH:>1200" (> request, < response; octets).
"""
import struct
import sys

SETUP = {34: "IKE_SA_INIT", 43: "IKE_INTERMEDIATE", 35: "IKE_AUTH"}


def packets(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        e = "<"
    else:
        e = ">"
    nano = struct.unpack(e + "I", data[:4])[0] == 0xA1B23C4D
    linktype = struct.unpack(e + "I", data[20:24])[0]
    off = 24
    while off + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack(e + "IIII", data[off:off + 16])
        off += 16
        pkt = data[off:off + incl]
        off += incl
        t = sec + frac / (1e9 if nano else 1e6)
        if linktype == 1:  # Ethernet
            if len(pkt) < 14 or pkt[12:14] != b"\x08\x00":
                continue
            ip = pkt[14:]
        elif linktype == 113:  # Linux cooked
            if len(pkt) < 16 or pkt[14:16] != b"\x08\x00":
                continue
            ip = pkt[16:]
        elif linktype in (101, 228):  # raw IPv4
            ip = pkt
        else:
            sys.exit("ike_pcap: link type %d not handled" % linktype)
        if len(ip) < 20 or ip[0] >> 4 != 4:
            continue
        ihl = (ip[0] & 15) * 4
        tot = struct.unpack(">H", ip[2:4])[0]
        proto = ip[9]
        src, dst = ip[12:16], ip[16:20]
        l4 = ip[ihl:tot]
        yield t, proto, src, dst, l4


def main():
    sas = {}  # spii -> dict
    order = []

    def ike(t, msg):
        if len(msg) < 28:
            return
        spii = msg[:8].hex()
        exch, flags = msg[18], msg[19]
        length = struct.unpack(">I", msg[24:28])[0]
        if exch not in SETUP:
            return
        sa = sas.get(spii)
        if sa is None:
            sa = sas[spii] = {"octets": 0, "n": 0, "t0": t, "t1": t, "ex": {}}
            order.append(spii)
        sa["octets"] += length
        sa["n"] += 1
        resp = bool(flags & 0x20)
        if exch == 35 and resp:
            sa["t1"] = max(sa["t1"], t)
        sa["ex"].setdefault(SETUP[exch], []).append(("<" if resp else ">") + str(length))

    streams = {}  # (src, sport, dst, dport) -> {seq: (data, t)}
    for t, proto, src, dst, l4 in packets(sys.argv[1]):
        if proto == 17 and len(l4) >= 8:
            sport, dport = struct.unpack(">HH", l4[:4])
            pl = l4[8:]
            if 500 in (sport, dport) and 4500 not in (sport, dport):
                ike(t, pl)
            elif len(pl) >= 4 and pl[:4] == b"\0\0\0\0":
                ike(t, pl[4:])
        elif proto == 6 and len(l4) >= 20:
            sport, dport, seq = struct.unpack(">HHI", l4[:8])
            doff = (l4[12] >> 4) * 4
            flags = l4[13]
            key = (src, sport, dst, dport)
            st = streams.setdefault(key, {"isn": None, "seg": {}})
            if flags & 0x02:  # SYN
                st["isn"] = (seq + 1) & 0xFFFFFFFF
            pl = l4[doff:]
            if pl and seq not in st["seg"]:
                st["seg"][seq] = (pl, t)
    for st in streams.values():
        if st["isn"] is None or not st["seg"]:
            continue
        # the stream in order, each octet with the time of its segment
        buf = bytearray()
        times = []
        isn = st["isn"]
        segs = sorted(st["seg"].items(), key=lambda kv: (kv[0] - isn) & 0xFFFFFFFF)
        for seq, (pl, t) in segs:
            rel = (seq - isn) & 0xFFFFFFFF
            if rel > len(buf):
                break  # a hole: the capture lost a segment
            new = pl[len(buf) - rel:]
            buf += new
            times += [t] * len(new)
        pos = 6 if buf[:6] == b"IKETCP" else 0
        while pos + 2 <= len(buf):
            n = struct.unpack(">H", buf[pos:pos + 2])[0]
            if n < 2 or pos + n > len(buf):
                break
            frame = bytes(buf[pos + 2:pos + n])
            if frame[:4] == b"\0\0\0\0":
                ike(times[pos + n - 1], frame[4:])
            pos += n
    for spii in sorted(order, key=lambda s: sas[s]["t0"]):
        sa = sas[spii]
        ex = " ".join("%s:%s" % (k, ",".join(v)) for k, v in sa["ex"].items())
        print("%s %d %d %.2f %s" % (spii, sa["octets"], sa["n"], (sa["t1"] - sa["t0"]) * 1000, ex))


if __name__ == "__main__":
    main()
