#!/usr/bin/env python3
"""make-ike-corpus.py: (re)make the seed corpora of the IKE codec fuzz targets.

Sources: the strongSwan 5.9.8 captures in tests/codec/captures (whole
messages, and the plaintext payload bodies of IKE_SA_INIT and the SKF
fragments), plus a few hand-built bodies for payloads that real captures
only carry encrypted (ID, CERT, AUTH, Delete, TS, CP, EAP, inner chains).
Each target gets a handful of small files named by content hash.
Run from anywhere: python3 tests/fuzz/make-ike-corpus.py
"""
import hashlib
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CAPS = os.path.join(HERE, '..', 'codec', 'captures')
OUT = os.path.join(HERE, 'corpus')
PER_TARGET = 8

PLD_TARGET = {33: 'sa', 34: 'ke', 35: 'id', 36: 'id', 37: 'cert', 38: 'certreq', 39: 'auth',
              40: 'nonce', 41: 'notify', 42: 'delete', 44: 'ts', 45: 'ts', 47: 'cp', 48: 'eap',
              53: 'skf'}
seeds = {}


def add(target, data):
    lst = seeds.setdefault(target, [])
    if data not in lst and len(lst) < PER_TARGET:
        lst.append(data)


def walk(msg):
    first = msg[16]
    off, t = 28, first
    while t != 0 and off + 4 <= len(msg):
        nxt, _, plen = struct.unpack('>BBH', msg[off:off + 4])
        body = msg[off + 4:off + plen]
        yield t, nxt, body
        if t in (46, 53):
            break
        off += plen
        t = nxt


def pld(t, body, nxt=0):
    return struct.pack('>BBH', nxt, 0, 4 + len(body)) + body


def chain(items):
    """items: [(type, body)] -> (first type, bytes) with next fields linked."""
    out = b''
    for i, (t, body) in enumerate(items):
        nxt = items[i + 1][0] if i + 1 < len(items) else 0
        out += pld(t, body, nxt)
    return (items[0][0] if items else 0), out


def main():
    files = sorted(f for f in os.listdir(CAPS) if f.endswith('.bin'))
    msgs = [open(os.path.join(CAPS, f), 'rb').read() for f in files]
    # whole messages: one of each shape (plaintext, error, cookie, SK, SKF)
    for f in ('psk-ike_sa_init-req', 'ecp256-ike_sa_init-resp', 'cookie-ike_sa_init-req-2',
              'cookie-ike_sa_init-resp-1', 'invalid_ke-ike_sa_init-resp-1', 'dpd-informational-req',
              'child_rekey-create_child_sa-req', 'frag-ike_auth-req-1of5'):
        add('ike_msg', open(os.path.join(CAPS, 'ss598-%s.bin' % f), 'rb').read())
    for m in msgs:
        for t, nxt, body in walk(m):
            if t in PLD_TARGET:
                add('ike_pld_' + PLD_TARGET[t], (bytes([nxt]) + body) if t == 53 else body)

    ip4 = bytes([192, 0, 2, 1])
    ip6 = bytes.fromhex('20010db8000000000000000000000001')
    add('ike_pld_id', bytes([2, 0, 0, 0]) + b'vpn.example.com')
    add('ike_pld_id', bytes([1, 0, 0, 0]) + ip4)
    add('ike_pld_id', bytes([5, 0, 0, 0]) + ip6)
    add('ike_pld_id', bytes([3, 0, 0, 0]) + b'alice@example.com')
    add('ike_pld_cert', bytes([4]) + bytes(range(64)))
    add('ike_pld_cert', bytes([12]) + bytes(20) + b'http://ca.example/c.der')
    add('ike_pld_certreq', bytes([4]) + bytes(range(40)))
    add('ike_pld_auth', bytes([2, 0, 0, 0]) + bytes(range(32)))
    add('ike_pld_auth', bytes([14, 0, 0, 0]) + bytes([15]) + bytes(range(15)) + bytes(64))
    add('ike_pld_delete', bytes([1, 0, 0, 0]))
    add('ike_pld_delete', bytes([3, 4, 0, 2]) + bytes.fromhex('c1000001c1000002'))
    ts4 = struct.pack('>BBHHH', 7, 0, 16, 0, 65535) + bytes(4) + bytes([255] * 4)
    ts6 = struct.pack('>BBHHH', 8, 17, 40, 53, 53) + ip6 + ip6
    add('ike_pld_ts', bytes([1, 0, 0, 0]) + ts4)
    add('ike_pld_ts', bytes([2, 0, 0, 0]) + ts4 + ts6)
    cpreq = bytes([1, 0, 0, 0]) + struct.pack('>HH', 1, 0) + struct.pack('>HH', 8, 0) + \
        struct.pack('>HH', 3, 0) + struct.pack('>HH', 10, 0) + struct.pack('>HH', 25, 0)
    cprep = bytes([2, 0, 0, 0]) + struct.pack('>HH', 1, 4) + ip4 + struct.pack('>HH', 8, 17) + \
        ip6 + bytes([64]) + struct.pack('>HH', 25, 12) + b'corp.example'
    add('ike_pld_cp', cpreq)
    add('ike_pld_cp', cprep)
    add('ike_pld_eap', bytes([1, 1, 0, 5, 1]))
    add('ike_pld_eap', bytes([2, 1, 0, 10, 1]) + b'alice')
    add('ike_pld_eap', bytes([3, 2, 0, 4]))
    add('ike_pld_eap', bytes([1, 3, 0, 9, 26, 1, 3, 0, 4]))

    # inner chains: first type, exchange, flags, chain
    ni = bytes(range(32))
    sa_esp = None
    for m in msgs:
        for t, _, body in walk(m):
            if t == 33 and sa_esp is None:
                sa_esp = body
    inner = [
        (35, 0x08, [(35, bytes([2, 0, 0, 0]) + b'client.example'), (39, bytes([2, 0, 0, 0]) + ni),
                    (47, cpreq), (33, sa_esp), (44, bytes([1, 0, 0, 0]) + ts4),
                    (45, bytes([1, 0, 0, 0]) + ts4)]),
        (35, 0x20, [(36, bytes([2, 0, 0, 0]) + b'vpn.example'), (39, bytes([2, 0, 0, 0]) + ni),
                    (47, cprep), (33, sa_esp), (44, bytes([1, 0, 0, 0]) + ts4),
                    (45, bytes([1, 0, 0, 0]) + ts4)]),
        (35, 0x20, [(41, struct.pack('>BBH', 0, 0, 24))]),
        (37, 0x08, []),
        (37, 0x08, [(42, bytes([3, 4, 0, 1]) + bytes.fromhex('c1000001'))]),
        (36, 0x08, [(40, ni), (34, struct.pack('>HH', 31, 0) + ni), (33, sa_esp)]),
        (43, 0x08, [(34, struct.pack('>HH', 36, 0) + bytes(1184))]),
        (35, 0x20, [(48, bytes([1, 1, 0, 5, 1]))]),
    ]
    for exch, flags, items in inner:
        first, data = chain(items)
        add('ike_inner', bytes([first, exch, flags]) + data)

    for target, lst in sorted(seeds.items()):
        d = os.path.join(OUT, 'fuzz_' + target)
        os.makedirs(d, exist_ok=True)
        for f in os.listdir(d):
            os.unlink(os.path.join(d, f))
        for data in lst:
            name = hashlib.sha1(data).hexdigest()[:16]
            with open(os.path.join(d, name), 'wb') as fh:
                fh.write(data)
        print('%-24s %d seeds' % ('fuzz_' + target, len(lst)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
