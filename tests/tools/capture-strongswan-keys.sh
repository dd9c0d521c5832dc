#!/bin/bash
# capture-strongswan-keys.sh: one strongSwan 5.9.8 PSK handshake with the IKE SA keys.
#
# A sibling of capture-strongswan.sh (same namespaces-and-charon approach, kept
# separate so that script stays as it is): a strongSwan initiator and gateway in two
# network namespaces joined by a veth pair, both charons logging `ike 4`, which makes
# keymat_v2.c print the shared Diffie-Hellman secret, SKEYSEED and every SK_* key
# (DBG4). One IKE_SA_INIT + IKE_AUTH (CP for a virtual IPv4 address) with x25519, AES-GCM-16-256, PRF-HMAC-SHA2-256,
# PSK. Writes into tests/codec/vectors-ss598-keys/ (or $OUT):
#   ss598-keys-ike_sa_init-req.bin  ss598-keys-ike_sa_init-resp.bin
#   ss598-keys-ike_auth-req.bin     ss598-keys-ike_auth-resp.bin
#   keys.txt  (name hex, from the initiator's log; the gateway's log must agree)
# Throw-away lab keys and PSK: fine to commit, useless outside these files.
#
# Usage (root, Debian 12, strongSwan 5.9.8 + tcpdump; see capture-strongswan.sh):
#   tests/tools/capture-strongswan-keys.sh [--keep]
#   FRAG_SIZE=200 tests/tools/capture-strongswan-keys.sh
#       the same with charon.fragment_size on both sides, so IKE_AUTH goes as RFC 7383
#       SKF fragments: ss598-keys-frag-ike_auth-<req|resp>-KofM.bin and keys-frag.txt
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="${OUT:-$ROOT/tests/codec/vectors-ss598-keys}"
DUMP="$HERE/ike_dump.py"
NS_CLI=ptkey-cli NS_GW=ptkey-gw
CLI=192.0.2.2 GW=192.0.2.1
PSK="petrel-keys-preshared-key-0123456789"
KEEP=0
[ "${1:-}" = "--keep" ] && KEEP=1
FRAG_SIZE=${FRAG_SIZE:-}
PREFIX=ss598-keys KEYS=keys.txt FRAG_CONF=
if [ -n "$FRAG_SIZE" ]; then
    PREFIX=ss598-keys-frag KEYS=keys-frag.txt FRAG_CONF="fragment_size = $FRAG_SIZE"
fi

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "FATAL: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (network namespaces)"
for t in /usr/lib/ipsec/charon swanctl tcpdump python3 ip; do
    command -v "$t" >/dev/null || [ -x "$t" ] || die "missing $t"
done

WORK='' CAP_PID=''
declare -A CHARON_PID=()

ns_del() {
    local ns=$1 pids
    ip netns list | awk '{print $1}' | grep -qx "$ns" || return 0
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    if [ -n "$pids" ]; then
        kill $pids 2>/dev/null || true; sleep 0.3
        pids=$(ip netns pids "$ns" 2>/dev/null || true)
        [ -z "$pids" ] || kill -9 $pids 2>/dev/null || true
    fi
    ip netns del "$ns" 2>/dev/null || true
}

charon_stop() {
    local pid=${CHARON_PID[$1]:-}
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    CHARON_PID[$1]=
}

cap_stop() {
    [ -n "$CAP_PID" ] || return 0
    kill -TERM "$CAP_PID" 2>/dev/null || true
    wait "$CAP_PID" 2>/dev/null || true
    CAP_PID=
}

cleanup() {
    local rc=$?
    set +e
    cap_stop
    if [ $KEEP = 1 ]; then
        log "--keep: namespaces $NS_CLI $NS_GW, work dir $WORK left in place"
        return $rc
    fi
    charon_stop cli; charon_stop gw
    ns_del $NS_CLI; ns_del $NS_GW
    [ -n "$WORK" ] && rm -rf "$WORK"
    return $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ns_del $NS_CLI; ns_del $NS_GW
rm -rf /tmp/ptkey-*
WORK=$(mktemp -d /tmp/ptkey-XXXXXX)

log "namespaces"
ip netns add $NS_GW; ip netns add $NS_CLI
ip link add c-eth netns $NS_CLI type veth peer name g-eth netns $NS_GW
ip -n $NS_CLI link set lo up; ip -n $NS_GW link set lo up
ip -n $NS_CLI addr add $CLI/24 dev c-eth; ip -n $NS_CLI link set c-eth up
ip -n $NS_GW addr add $GW/24 dev g-eth; ip -n $NS_GW link set g-eth up
ip -n $NS_GW addr add 203.0.113.1/32 dev lo   # a source address for the protected subnet
ip netns exec $NS_CLI ping -c1 -W2 -q $GW >/dev/null || die "underlay ping failed"

PLUGINS="random nonce openssl curve25519 aes sha1 sha2 hmac gcm kdf kernel-libipsec kernel-netlink socket-default vici"

write_conf() { # NAME
    local d=$WORK/$1
    mkdir -p "$d"/swanctl/{x509,x509ca,x509ocsp,x509aa,x509ac,x509crl,pubkey,private,rsa,ecdsa,bliss,pkcs8,pkcs12,conf.d}
    cat > "$d/strongswan.conf" <<EOF
charon {
    load_modular = no
    load = $PLUGINS
    retransmit_tries = 2
    $FRAG_CONF
    plugins { vici { socket = unix://$d/charon.vici } }
    syslog { daemon { default = -1 } }
    filelog {
        main {
            path = $d/charon.log
            append = no
            flush_line = yes
            default = 1
            ike = 4
        }
    }
}
swanctl { socket = unix://$d/charon.vici }
EOF
}

charon_start() { # NAME NS
    local name=$1 ns=$2 d=$WORK/$1 pid
    ip netns exec "$ns" sh -c "mount -t tmpfs -o size=4m tmpfs /run && \
        exec env STRONGSWAN_CONF=$d/strongswan.conf /usr/lib/ipsec/charon" > "$d/charon.out" 2>&1 &
    pid=$!
    CHARON_PID[$name]=$pid
    for _ in $(seq 1 100); do
        [ -S "$d/charon.vici" ] && return 0
        kill -0 "$pid" 2>/dev/null || { cat "$d/charon.out" >&2; die "charon $name exited"; }
        sleep 0.1
    done
    die "charon $name: no vici socket"
}

sw() { # NAME NS swanctl-args...
    local name=$1 ns=$2; shift 2
    ip netns exec "$ns" env STRONGSWAN_CONF=$WORK/$name/strongswan.conf \
        SWANCTL_DIR=$WORK/$name/swanctl swanctl "$@"
}

write_conf gw; write_conf cli
cat > "$WORK/gw/swanctl/swanctl.conf" <<EOF
connections {
    psk {
        local_addrs = $GW
        pools = pool4
        proposals = aes256gcm16-prfsha256-x25519
        local  { auth = psk
                 id = gw.petrel.test }
        remote { auth = psk
                 id = psk-client@petrel.test }
        children { rw { local_ts = 203.0.113.0/24
                        esp_proposals = aes256gcm16 } }
    }
}
pools { pool4 { addrs = 203.0.113.10-203.0.113.20 } }
secrets { ike-psk { id-1 = gw.petrel.test
                    id-2 = psk-client@petrel.test
                    secret = "$PSK" } }
EOF
cat > "$WORK/cli/swanctl/swanctl.conf" <<EOF
connections {
    psk {
        remote_addrs = $GW
        vips = 0.0.0.0
        proposals = aes256gcm16-prfsha256-x25519
        local  { auth = psk
                 id = psk-client@petrel.test }
        remote { auth = psk
                 id = gw.petrel.test }
        children { dual { remote_ts = 203.0.113.0/24
                          esp_proposals = aes256gcm16 } }
    }
}
secrets { ike-psk { id-1 = gw.petrel.test
                    id-2 = psk-client@petrel.test
                    secret = "$PSK" } }
EOF

log "charons"
charon_start gw $NS_GW; charon_start cli $NS_CLI
sw gw $NS_GW --load-all >/dev/null; sw cli $NS_CLI --load-all >/dev/null

log "capture"
setsid ip netns exec $NS_CLI timeout 60 tcpdump -i c-eth -n -U -Z root -c 50 -s 0 \
    -w "$WORK/ike.pcap" 'udp port 500 or udp port 4500' > "$WORK/tcpdump.log" 2>&1 &
CAP_PID=$!
for _ in $(seq 1 50); do grep -q "listening on" "$WORK/tcpdump.log" 2>/dev/null && break; sleep 0.1; done
grep -q "listening on" "$WORK/tcpdump.log" || die "tcpdump did not start"

log "initiate"
# only the IKE SA matters here: whether the Child SA can be installed in this
# kernel does not change the IKE_AUTH messages or the keys
sw cli $NS_CLI --initiate --ike psk --child dual --timeout 15 > "$WORK/init.log" 2>&1 || true
grep -q "IKE_SA psk\[[0-9]*\] established" "$WORK/init.log" \
    || die "IKE SA not established: $(tail -5 "$WORK/init.log")"
sleep 0.5
charon_stop cli; charon_stop gw
sleep 0.3
cap_stop

log "extracting"
STAGE=$WORK/out; mkdir -p "$STAGE"
MAX=(--max 4); [ -n "$FRAG_SIZE" ] && MAX=()
python3 "$DUMP" extract "$WORK/ike.pcap" "$STAGE" $PREFIX --exchanges ike_sa_init,ike_auth "${MAX[@]}" >&2
python3 "$DUMP" check "$STAGE"/*.bin >&2

# keymat_v2.c (DBG4): "<name> => N bytes @ 0x..." then hex-dump lines "  16: AA BB ...  ascii"
python3 - "$WORK/cli/charon.log" "$WORK/gw/charon.log" "$STAGE/$KEYS" "$PREFIX" <<'EOF'
import re, sys
want = {"shared Diffie Hellman secret": "g_ir", "SKEYSEED": "SKEYSEED",
        "Sk_d secret": "SK_d", "Sk_ai secret": "SK_ai", "Sk_ar secret": "SK_ar",
        "Sk_ei secret": "SK_ei", "Sk_er secret": "SK_er",
        "Sk_pi secret": "SK_pi", "Sk_pr secret": "SK_pr"}
def parse(path):
    out, cur, need = {}, None, 0
    head = re.compile(r"\] (?:<[^>]*> )?(.+?) => (\d+) bytes @")
    row = re.compile(r"\] (?:<[^>]*> )?\s*\d+: ((?:[0-9A-F]{2} ){1,16})")
    for line in open(path, errors="replace"):
        m = head.search(line)
        if m:
            cur = want.get(m.group(1)) if m.group(1) in want and m.group(1) not in out else None
            if cur:
                need = int(m.group(2)); out[m.group(1)] = b""
                key = m.group(1)
                if need == 0:
                    cur = None
            continue
        if cur:
            r = row.search(line)
            if not r:
                cur = None; continue
            out[key] += bytes.fromhex(r.group(1))
            if len(out[key]) >= need:
                out[key] = out[key][:need]; cur = None
    return {want[k]: v for k, v in out.items()}
cli, gw = parse(sys.argv[1]), parse(sys.argv[2])
missing = [n for n in want.values() if n not in cli and n not in ("SK_ai", "SK_ar")]
if missing:
    sys.exit("keys missing from the initiator's log: %s" % missing)
for k, v in cli.items():
    if k not in gw:
        sys.exit("%s missing from the gateway's log" % k)
    if gw[k] != v:
        sys.exit("initiator and gateway disagree on %s" % k)
with open(sys.argv[3], "w") as f:
    f.write("# IKE SA keys strongSwan 5.9.8 logged at 'ike 4' (keymat_v2.c) for the\n")
    f.write("# %s-* handshake; initiator's log, checked equal to the gateway's.\n" % sys.argv[4])
    f.write("# name hex (g_ir: the x25519 shared secret; SK_a*: absent with AES-GCM)\n")
    for n in ["g_ir", "SKEYSEED", "SK_d", "SK_ai", "SK_ar", "SK_ei", "SK_er", "SK_pi", "SK_pr"]:
        if n in cli:
            f.write("%s %s\n" % (n, cli[n].hex()))
EOF

mkdir -p "$OUT"
rm -f "$OUT"/$PREFIX-ike_*.bin
cp "$STAGE"/*.bin "$STAGE/$KEYS" "$OUT/"
LOGF=strongswan-log.txt; [ -n "$FRAG_SIZE" ] && LOGF=strongswan-log-frag.txt
grep -E 'generating|parsed|splitting|received fragment|selected proposal|authentication of' \
    "$WORK/cli/charon.log" | sed -E 's/^[A-Za-z]{3} [ 0-9]{2} [0-9:]{8} //' > "$OUT/$LOGF" || true
log "wrote $(ls "$OUT"/$PREFIX-ike_*.bin | wc -l) messages and $KEYS to $OUT"
cat "$OUT/$KEYS"
