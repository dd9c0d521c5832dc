#!/usr/bin/env python3
"""Seed corpus for fuzz_eap (see fuzz_eap.c for the input layout): one file
per (side, method, state) with plausible packets for that state."""
import os, struct, sys

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "fuzz_eap")
os.makedirs(out, exist_ok=True)

def eap(code, ident, typ=None, data=b""):
    body = b"" if typ is None else bytes([typ]) + data
    return struct.pack("!BBH", code, ident, 4 + len(body)) + body

def ms(op, msid, data=b""):
    return struct.pack("!BBH", op, msid, 4 + len(data)) + data

def seed(name, ctl, *pkts):
    b = bytes([ctl]) + b"".join(struct.pack("!H", len(p)) + p for p in pkts)
    with open(os.path.join(out, name), "wb") as f:
        f.write(b)

FIX = 0xC0  # rewrite Length and Identifier
chal = bytes(range(16))
S = b"S=407A5589115FD0D6209F510FE9C04566932CDA56 M=hi"
F = b"E=691 R=0 C=00112233445566778899AABBCCDDEEFF V=3 M=no"
resp49 = bytes(16) + bytes(8) + bytes(24) + b"\x00"

# client side (bit0 = 0)
seed("c_md5_identity", FIX | 4, eap(1, 1, 1), eap(1, 2, 2, b"hello"), eap(1, 3, 4, b"\x10" + chal + b"gw"), eap(3, 3))
seed("c_md5_nak", FIX, eap(1, 1, 26, ms(1, 1, b"\x10" + chal + b"gw")))
seed("c_md5_fail", FIX, eap(1, 1, 4, b"\x10" + chal), eap(4, 1))
seed("c_ms_challenge", FIX | 2, eap(1, 1, 26, ms(1, 1, b"\x10" + chal + b"gw")), eap(1, 2, 26, ms(3, 1, S)), eap(3, 2))
seed("c_ms_after_resp", FIX | 2 | (1 << 3), eap(1, 2, 26, ms(3, 1, S)))
seed("c_ms_failure", FIX | 2 | (1 << 3), eap(1, 2, 26, ms(4, 1, F)))
seed("c_ms_expanded", FIX | 2, eap(1, 1, 254, bytes(7) + b"\x01"))
seed("c_raw", 2, eap(1, 7, 26, ms(1, 7, b"\x10" + chal)), b"\x03\x07\x00\x04")
# server side (bit0 = 1)
seed("s_md5_identity", FIX | 1 | 4, eap(2, 0, 1, b"ACME\\u"), eap(2, 0, 4, b"\x10" + chal + b"ACME\\u"))
seed("s_md5_resp", FIX | 1, eap(2, 0, 4, b"\x10" + chal))
seed("s_nak", FIX | 1 | 2, eap(2, 0, 3, b"\x04"))
seed("s_ms_resp", FIX | 1 | 2, eap(2, 0, 26, ms(2, 0, b"\x31" + resp49 + b"ACME\\u")))
seed("s_ms_success_resp", FIX | 1 | 2 | (1 << 3), eap(2, 0, 26, b"\x03"))
seed("s_ms_failure_resp", FIX | 1 | 2 | (1 << 3), eap(2, 0, 26, b"\x04"))
seed("s_ms_identity", FIX | 1 | 2 | 4, eap(2, 0, 1, b"ACME\\u"), eap(2, 0, 26, ms(2, 0, b"\x31" + resp49 + b"u")))
print(f"wrote {len(os.listdir(out))} seeds to {out}")
