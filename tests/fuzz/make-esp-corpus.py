#!/usr/bin/env python3
"""make-esp-corpus.py: (re)make the seed corpus of fuzz_esp_decap.

The keys and SPIs are the harness's (tests/fuzz/fuzz_esp_decap.c): raw-mode
seeds are real ESP packets sealed here with the same keys (python3
cryptography), so they authenticate; sealed-mode seeds are plaintexts the
harness seals itself. Run from anywhere: python3 tests/fuzz/make-esp-corpus.py
"""
import hashlib
import os
import struct

from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'corpus', 'fuzz_esp_decap')


def key(i, n):
    return bytes((i * 64 + k * 3 + 1) & 0xff for k in range(n))


SAS = {  # index: (spi_in, aead class, key len, esn)
    0: (0x1001, AESGCM, 16, False),
    1: (0x1002, AESGCM, 32, True),
    2: (0x1003, ChaCha20Poly1305, 32, True),
}


def trailer(payload, nh, align=4):
    pad = (align - (len(payload) + 2) % align) % align
    return payload + bytes(range(1, pad + 1)) + bytes([pad, nh])


def esp(i, seq, plain):
    spi, cls, kl, esn = SAS[i]
    km = key(i, kl + 4)
    iv = struct.pack('>Q', seq)
    aad = struct.pack('>I', spi) + (struct.pack('>II', seq >> 32, seq & 0xffffffff) if esn
                                   else struct.pack('>I', seq & 0xffffffff))
    ct = cls(km[:kl]).encrypt(km[kl:] + iv, plain, aad)
    return struct.pack('>II', spi, seq & 0xffffffff) + iv + ct


def ipv4(n):
    b = bytearray(max(n, 20))
    b[0] = 0x45
    b[2:4] = struct.pack('>H', len(b))
    b[9] = 17
    b[12:16] = bytes([203, 0, 113, 2])
    b[16:20] = bytes([198, 18, 0, 1])
    return bytes(b)


def ipv6(n):
    b = bytearray(max(n, 40))
    b[0] = 0x60
    b[4:6] = struct.pack('>H', len(b) - 40)
    b[6] = 17
    b[8:12] = bytes([0x20, 0x01, 0x0d, 0xb8])
    b[24:28] = bytes([0x20, 0x01, 0x0d, 0xb8])
    return bytes(b)


def echo(sub, ident, seq, data=b'', ret=None):
    flags = 0x80 if ret is not None else 0
    h = struct.pack('>BBHHH', sub, flags, len(data), ident, seq)
    return h + (struct.pack('>I', ret) if ret is not None else b'') + data


def raw(*pkts, mode=0):
    return bytes([mode]) + b''.join(struct.pack('>H', len(p)) + p for p in pkts)


def sealed(*recs, mode=1):
    out = bytes([mode])
    for sa, flags, seq, body in recs:
        out += struct.pack('>BBIH', sa, flags, seq, len(body)) + body
    return out


seeds = {
    'raw-ipv4': raw(esp(0, 1, trailer(ipv4(60), 4))),
    'raw-ipv6-esn': raw(esp(2, 5, trailer(ipv6(80), 41))),
    'raw-esn-subspace': raw(esp(1, 0xfffffff0, trailer(ipv4(20), 4)),
                            esp(1, 0x100000002, trailer(ipv4(20), 4)),
                            esp(1, 0xfffffff1, trailer(ipv4(20), 4))),
    'raw-replay': raw(esp(0, 7, trailer(ipv4(20), 4)), esp(0, 7, trailer(ipv4(20), 4)),
                      esp(0, 3000, trailer(ipv4(20), 4)), esp(0, 2, trailer(ipv4(20), 4))),
    'raw-echo-request': raw(esp(0, 2, trailer(echo(2, 0x1234, 1, b'ping'), 144))),
    'raw-echo-request-return-spi': raw(esp(2, 9, trailer(echo(2, 1, 2, b'x' * 16, 0x2003), 144))),
    'raw-echo-reply': raw(esp(0, 4, trailer(echo(3, 0x7e57, 1), 144)),
                          esp(0, 5, trailer(echo(3, 0x7e57, 1), 144))),
    'raw-dummy-badpad': raw(esp(0, 1, trailer(b'', 59)),
                            esp(0, 2, b'\x45\x00\x07\x09\x09\x09\x03\x04'),
                            esp(0, 3, trailer(ipv4(20), 17))),
    'raw-short-nosa': raw(b'', b'\x00\x00\x10\x01', b'\x00\x00\x10\x01' + bytes(30),
                          b'\xde\xad\xbe\xef' + bytes(40), b'\xff', bytes(4) + bytes(28)),
    'sealed-all-sas': sealed((0, 1, 1, ipv4(40)), (1, 0x11, 1, ipv6(40)),
                             (2, 0x31, 2, echo(2, 7, 7, b'abc')), (3, 1, 1, ipv4(100))),
    'sealed-raw-plaintext': sealed((0, 0, 1, trailer(ipv4(30), 4)),
                                   (1, 0, 2, b'\x60' + bytes(38) + b'\x01\x02\x03\x03\x29'),
                                   (3, 0, 3, trailer(ipv4(26), 4, 16))),
    'sealed-forged': sealed((0, 0x09, 1, ipv4(20)), (0, 1, 1, ipv4(20))),
    'sealed-esn-high': sealed((1, 0x01, 0xfffffffe, ipv4(20)), (1, 0x03, 1, ipv4(20)),
                              (2, 0x05, 3, ipv6(40))),
    'sealed-echo-alt': sealed((0, 0x31, 1, echo(7, 3, 3, b'z' * 32)), (0, 0x31, 2, echo(8, 0x7e57, 2)),
                              mode=3),
}

os.makedirs(OUT, exist_ok=True)
for f in os.listdir(OUT):
    os.remove(os.path.join(OUT, f))
for name, data in seeds.items():
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(data)
print(f'{len(seeds)} seeds in {OUT}')
