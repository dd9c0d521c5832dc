#!/usr/bin/env python3
"""Seed corpus for fuzz_eap_tls (see fuzz_eap_tls.c for the input layout):
EAP-TLS framing cases for each side, version and honest-round count. The
TLS bytes of a real handshake differ per run, so the seeds carry framing
(Start, acks, L/M fragments, alerts, short records) and the honest rounds
reach the states."""
import os, struct

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "fuzz_eap_tls")
os.makedirs(out, exist_ok=True)

def eap(code, ident, typ=None, data=b""):
    body = b"" if typ is None else bytes([typ]) + data
    return struct.pack("!BBH", code, ident, 4 + len(body)) + body

def tls(flags, data=b"", total=None):
    hdr = bytes([flags])
    if total is not None:
        hdr += struct.pack("!I", total)
    return hdr + data

def seed(name, ctl, *pkts):
    b = bytes([ctl]) + b"".join(struct.pack("!H", len(p)) + p for p in pkts)
    with open(os.path.join(out, name), "wb") as f:
        f.write(b)

FIX = 0xC0
V13 = 2
SMALL = 0x20
def honest(n): return (n & 7) << 2

hello = bytes.fromhex("16030300") + b"\x2e" + b"\x01" + bytes(45)   # a short, bad record
alert = bytes.fromhex("15030300020228")                              # fatal handshake_failure
junk = bytes.fromhex("170303000500ffffffff")

# client side (bit 0 = 0): the first fuzzed packet stands for the next Request
seed("c_start", FIX, eap(1, 0, 13, tls(0x20)))
seed("c_record", FIX | honest(1), eap(1, 0, 13, tls(0x00, hello)), eap(4, 0))
seed("c_frag", FIX | honest(1), eap(1, 0, 13, tls(0xc0, hello[:20], len(hello))),
     eap(1, 0, 13, tls(0x00, hello[20:])))
seed("c_alert", FIX | V13 | honest(1), eap(1, 0, 13, tls(0x00, alert)), eap(4, 0))
seed("c_ack_small", FIX | SMALL | honest(1), eap(1, 0, 13, tls(0x00)))
seed("c_success_early", FIX | V13 | honest(2), eap(3, 0))
seed("c_bigL", FIX | honest(1), eap(1, 0, 13, tls(0xc0, b"\x16", 0x10001)))
seed("c_late12", FIX | honest(3), eap(1, 0, 13, tls(0x00, junk)), eap(3, 0))
seed("c_late13", FIX | V13 | honest(3), eap(1, 0, 13, tls(0x00, junk)), eap(3, 0))
# server side (bit 0 = 1)
seed("s_hello", FIX | 1, eap(2, 0, 13, tls(0x00, hello)))
seed("s_frag", FIX | 1 | SMALL, eap(2, 0, 13, tls(0xc0, hello[:20], len(hello))),
     eap(2, 0, 13, tls(0x00, hello[20:])))
seed("s_ack", FIX | 1 | SMALL | honest(1), eap(2, 0, 13, tls(0x00)), eap(2, 0, 13, tls(0x00)))
seed("s_alert", FIX | 1 | honest(2), eap(2, 0, 13, tls(0x00, alert)))
seed("s_final", FIX | 1 | V13 | honest(3), eap(2, 0, 13, tls(0x00, junk)))
seed("s_final_ack", FIX | 1 | honest(3), eap(2, 0, 13, tls(0x00)))
seed("s_start", FIX | 1, eap(2, 0, 13, tls(0x20)))
seed("s_nak", FIX | 1, eap(2, 0, 3, b"\x1a"))
