#!/bin/bash
# capture-strongswan.sh: capture golden IKEv2 messages from a real strongSwan 5.9.8.
#
# Runs a strongSwan gateway and a strongSwan initiator in network namespaces made here
# (ptcap-cli, ptcap-rt, ptcap-gw), drives them through the exchanges listed below,
# captures the IKE traffic with tcpdump in the router namespace, and writes every IKE
# message (IKE header onward: no IP/UDP header, no non-ESP marker) as one file into
# tests/codec/captures/ss598-<scenario>-<exchange>-<req|resp>[-N][-KofM].bin, plus
# index.txt (one line per file, from tests/tools/ike_dump.py) and strongswan-log.txt
# (what charon said it sent/received, which names the payloads inside SK/SKF).
#
# Usage (root, Debian 12 with strongSwan 5.9.8 and tcpdump installed):
#   tests/tools/capture-strongswan.sh [--keep]
#   OUT=/some/dir tests/tools/capture-strongswan.sh     (default: tests/codec/captures)
# --keep leaves namespaces, daemons and /tmp/ptcap-* in place for poking around.
#
# Packages: apt-get install strongswan-charon strongswan-swanctl strongswan-pki \
#   libcharon-extra-plugins libstrongswan-standard-plugins libstrongswan-extra-plugins tcpdump
# (with a /usr/sbin/policy-rc.d that exits 101 so Debian does not start its own charon).
#
# Addresses (documentation ranges only):
#   ptcap-cli  c-eth 192.0.2.2/24 --- 192.0.2.1 [ptcap-rt] 198.51.100.254 --- g-eth 198.51.100.1/24,
#                                                                           198.51.100.2/24 [ptcap-gw]
#   inside the tunnel: pools 203.0.113.10-203.0.113.250 and 2001:db8:113::1000/116,
#   DNS 203.0.113.53 / 2001:db8:113::53, gateway subnet 203.0.113.0/24 + 2001:db8:113::/64.
#
# Scenarios (all initiated by the strongSwan client unless noted):
#   psk             IKE_SA_INIT (x25519; NAT-D, fragmentation, signature-hash notifies) + IKE_AUTH
#                   (PSK, CP for IPv4+IPv6, two traffic selectors)
#   child_rekey     CREATE_CHILD_SA rekeying the Child SA (with PFS KE) + INFORMATIONAL delete
#   gw_child_rekey  the same, started by the gateway (requests without the I flag)
#   ike_rekey       CREATE_CHILD_SA rekeying the IKE SA + INFORMATIONAL delete of the old IKE SA
#   delete          INFORMATIONAL delete of the IKE SA (swanctl --terminate)
#   mobike          INFORMATIONAL with MOBIKE address notifies that follow IKE_AUTH (if any)
#   ecp256          IKE_SA_INIT with an ECP-256 key exchange and two proposals (AEAD, and AES-CBC+HMAC)
#   cert            IKE_SA_INIT + IKE_AUTH with ECDSA certificates (CERT, CERTREQ)
#   dpd             INFORMATIONAL liveness check (empty SK)
#   invalid_ke      IKE_SA_INIT with ecp256 to a gateway accepting only x25519 ->
#                   N(INVALID_KE_PAYLOAD) -> retry with x25519
#   auth_failed     IKE_AUTH with an identity the gateway does not know -> N(AUTHENTICATION_FAILED)
#   no_proposal     IKE_SA_INIT with MODP-3072 only -> N(NO_PROPOSAL_CHOSEN)
#   cookie          gateway with cookie_threshold=1 and one half-open IKE SA -> N(COOKIE) -> retry
#   frag            IKE_AUTH with certificates, fragment_size=300 -> RFC 7383 SKF fragments
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="${OUT:-$ROOT/tests/codec/captures}"
DUMP="$HERE/ike_dump.py"
NS_CLI=ptcap-cli NS_RT=ptcap-rt NS_GW=ptcap-gw
GW1=198.51.100.1 GW2=198.51.100.2 RT_GW=198.51.100.254 CLI=192.0.2.2 RT_CLI=192.0.2.1
PSK="petrel-capture-preshared-key-0123456789"
CAP_MAX_PACKETS=600 CAP_MAX_SECONDS=300
KEEP=0
[ "${1:-}" = "--keep" ] && KEEP=1

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "FATAL: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (network namespaces)"
for t in /usr/lib/ipsec/charon swanctl pki tcpdump python3 ip; do
    command -v "$t" >/dev/null || [ -x "$t" ] || die "missing $t (see the package list at the top)"
done

WORK=
CAP_PID=
declare -A CHARON_PID=()

# ------------------------------------------------------------------ cleanup
ns_del() { # kill what runs in a leftover namespace of ours (by PID), then delete it
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

cap_stop() {
    [ -n "$CAP_PID" ] || return 0
    kill -TERM "$CAP_PID" 2>/dev/null || true
    wait "$CAP_PID" 2>/dev/null || true
    CAP_PID=
}

charon_stop() {
    local name=$1 pid=${CHARON_PID[$1]:-}
    [ -n "$pid" ] || return 0
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
    CHARON_PID[$name]=
}

cleanup() {
    local rc=$?
    set +e
    cap_stop
    if [ $KEEP = 1 ]; then
        log "--keep: namespaces $NS_CLI $NS_RT $NS_GW, charon PIDs ${CHARON_PID[*]:-}, work dir $WORK left in place"
        return $rc
    fi
    charon_stop cli; charon_stop gw
    ns_del $NS_CLI; ns_del $NS_GW; ns_del $NS_RT
    [ -n "$WORK" ] && rm -rf "$WORK"
    return $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# leftovers of an earlier run (--keep or killed): our namespaces and work dirs only
ns_del $NS_CLI; ns_del $NS_GW; ns_del $NS_RT
rm -rf /tmp/ptcap-*
WORK=$(mktemp -d /tmp/ptcap-XXXXXX)

# ------------------------------------------------------------------ topology
log "namespaces"
ip netns add $NS_RT; ip netns add $NS_GW; ip netns add $NS_CLI
ip link add r-cli netns $NS_RT type veth peer name c-eth netns $NS_CLI
ip link add r-gw  netns $NS_RT type veth peer name g-eth netns $NS_GW
for ns in $NS_RT $NS_GW $NS_CLI; do
    ip -n $ns link set lo up
    ip netns exec $ns sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
done
ip -n $NS_RT addr add $RT_CLI/24 dev r-cli; ip -n $NS_RT link set r-cli up
ip -n $NS_RT addr add $RT_GW/24 dev r-gw;   ip -n $NS_RT link set r-gw up
ip netns exec $NS_RT sysctl -qw net.ipv4.ip_forward=1
ip -n $NS_GW addr add $GW1/24 dev g-eth; ip -n $NS_GW addr add $GW2/24 dev g-eth
ip -n $NS_GW link set g-eth up; ip -n $NS_GW route add default via $RT_GW
ip -n $NS_GW addr add 203.0.113.1/32 dev lo; ip -n $NS_GW addr add 2001:db8:113::1/128 dev lo
ip -n $NS_CLI addr add $CLI/24 dev c-eth; ip -n $NS_CLI link set c-eth up
ip -n $NS_CLI route add default via $RT_CLI
ip netns exec $NS_CLI ping -c1 -W2 -q $GW1 >/dev/null || die "underlay ping failed"

# ------------------------------------------------------------------ PKI (ECDSA P-256)
log "PKI"
P=$WORK/pki; mkdir -p "$P"
# pki's own stderr (TPM plugin chatter on this Debian build) goes to a log, shown on failure
pki() { command pki "$@" 2>>"$P/pki.log" || { cat "$P/pki.log" >&2; return 1; }; }
pki --gen --type ecdsa --size 256 --outform pem > "$P/ca.key"
pki --self --ca --lifetime 3650 --in "$P/ca.key" --outform pem \
    --dn "C=XX, O=petrel test, CN=petrel capture CA" > "$P/ca.crt"
pki --gen --type ecdsa --size 256 --outform pem > "$P/gw.key"
pki --pub --in "$P/gw.key" | pki --issue --lifetime 3650 --cacert "$P/ca.crt" --cakey "$P/ca.key" \
    --dn "C=XX, O=petrel test, CN=gw.petrel.test" --san gw.petrel.test --san $GW1 \
    --flag serverAuth --flag ikeIntermediate --outform pem > "$P/gw.crt"
pki --gen --type ecdsa --size 256 --outform pem > "$P/client.key"
pki --pub --in "$P/client.key" | pki --issue --lifetime 3650 --cacert "$P/ca.crt" --cakey "$P/ca.key" \
    --dn "C=XX, O=petrel test, CN=client@petrel.test" --san client@petrel.test \
    --flag clientAuth --outform pem > "$P/client.crt"
# a certificate whose private key the initiator never gets: it cannot build IKE_AUTH,
# so the gateway keeps a half-open IKE SA (used to switch on cookies)
pki --gen --type ecdsa --size 256 --outform pem > "$P/nokey.key"
pki --pub --in "$P/nokey.key" | pki --issue --lifetime 3650 --cacert "$P/ca.crt" --cakey "$P/ca.key" \
    --dn "C=XX, O=petrel test, CN=nokey@petrel.test" --san nokey@petrel.test \
    --flag clientAuth --outform pem > "$P/nokey.crt"

# ------------------------------------------------------------------ strongSwan instances
# kernel-libipsec (userspace ESP via a TUN device) precedes kernel-netlink, so Child SAs can be
# installed on a kernel without ESP; no traffic is sent, only IKE matters here.
PLUGINS="random nonce openssl pem pkcs1 pkcs8 x509 revocation constraints pubkey curve25519 aes sha1 sha2 hmac gcm chapoly kdf kernel-libipsec kernel-netlink socket-default vici attr resolve"

write_conf() { # NAME PHASE EXTRA-CHARON-SETTINGS
    local name=$1 phase=$2 extra=$3 d=$WORK/$1
    mkdir -p "$d"/swanctl/{x509,x509ca,x509ocsp,x509aa,x509ac,x509crl,pubkey,private,rsa,ecdsa,bliss,pkcs8,pkcs12,conf.d}
    cat > "$d/strongswan.conf" <<EOF
charon {
    load_modular = no
    load = $PLUGINS
    install_routes = yes
    retransmit_tries = 2
    $extra
    plugins {
        vici { socket = unix://$d/charon.vici }
        resolve { file = $d/resolv.conf }
    }
    syslog { daemon { default = -1 } }
    filelog {
        main {
            path = $d/charon-$phase.log
            time_format = %H:%M:%S
            ike_name = yes
            append = no
            flush_line = yes
            default = 1
            enc = 1
            ike = 1
            net = 1
        }
    }
}
swanctl { socket = unix://$d/charon.vici }
EOF
}

charon_start() { # NAME NS
    local name=$1 ns=$2 d=$WORK/$1 pid
    rm -f "$d/charon.vici"
    # ip netns exec gives the daemon a private mount namespace; a tmpfs on /run there
    # gives each charon its own /run/charon.pid
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

sw() { # NAME swanctl-args...
    local name=$1; shift
    local ns=$NS_CLI; [ "$name" = gw ] && ns=$NS_GW
    ip netns exec $ns env STRONGSWAN_CONF=$WORK/$name/strongswan.conf \
        SWANCTL_DIR=$WORK/$name/swanctl swanctl "$@"
}

gw_swanctl() {
    local d=$WORK/gw/swanctl
    cp "$P/ca.crt" "$d/x509ca/"; cp "$P/gw.crt" "$d/x509/"; cp "$P/gw.key" "$d/private/"
    local child="children {
            rw {
                local_ts = 203.0.113.0/24, 2001:db8:113::/64
                esp_proposals = aes256gcm16-x25519, aes256gcm16
            }
        }"
    cat > "$d/swanctl.conf" <<EOF
connections {
    psk {
        local_addrs = $GW1
        pools = pool4, pool6
        proposals = aes256gcm16-prfsha256-x25519-ecp256, aes256-sha256-x25519-ecp256
        local  { auth = psk
                 id = gw.petrel.test }
        remote { auth = psk
                 id = psk-client@petrel.test }
        $child
    }
    cert {
        local_addrs = $GW1
        pools = pool4, pool6
        proposals = aes256gcm16-prfsha256-x25519-ecp256, aes256-sha256-x25519-ecp256
        send_cert = always
        local  { auth = pubkey
                 certs = gw.crt
                 id = gw.petrel.test }
        remote { auth = pubkey
                 id = client@petrel.test
                 cacerts = ca.crt }
        $child
    }
    strict {
        local_addrs = $GW2
        pools = pool4
        proposals = aes256gcm16-prfsha256-x25519
        local  { auth = psk
                 id = gw.petrel.test }
        remote { auth = psk
                 id = psk-client@petrel.test }
        $child
    }
}
pools {
    pool4 { addrs = 203.0.113.10-203.0.113.250
            dns = 203.0.113.53 }
    pool6 { addrs = 2001:db8:113::1000/116
            dns = 2001:db8:113::53 }
}
secrets {
    ike-psk { id-1 = gw.petrel.test
              id-2 = psk-client@petrel.test
              secret = "$PSK" }
}
EOF
}

cli_swanctl() {
    local d=$WORK/cli/swanctl
    cp "$P/ca.crt" "$d/x509ca/"; cp "$P/client.crt" "$P/nokey.crt" "$d/x509/"; cp "$P/client.key" "$d/private/"
    conn() { # NAME REMOTE PROPOSALS AUTH(psk|cert|nokey) [extra lines]
        local local_auth remote_auth
        case $4 in
            psk)   local_auth="auth = psk
                 id = psk-client@petrel.test";  remote_auth="auth = psk" ;;
            badid) local_auth="auth = psk
                 id = stranger@petrel.test";    remote_auth="auth = psk" ;;
            nokey) local_auth="auth = pubkey
                 certs = nokey.crt
                 id = nokey@petrel.test";       remote_auth="auth = pubkey" ;;
            cert)  local_auth="auth = pubkey
                 certs = client.crt
                 id = client@petrel.test";      remote_auth="auth = pubkey" ;;
        esac
        cat <<EOF
    $1 {
        remote_addrs = $2
        vips = 0.0.0.0, ::
        proposals = $3
        ${5:-}
        local  { $local_auth }
        remote { $remote_auth
                 id = gw.petrel.test }
        children {
            dual {
                remote_ts = 203.0.113.0/24, 2001:db8:113::/64
                esp_proposals = aes256gcm16-x25519
            }
        }
    }
EOF
    }
    {
        echo "connections {"
        conn psk         $GW1 aes256gcm16-prfsha256-x25519        psk
        conn ecp256      $GW1 "aes256gcm16-chacha20poly1305-prfsha384-prfsha256-ecp256, aes128-sha256-ecp256" psk
        conn cert        $GW1 aes256gcm16-prfsha256-x25519        cert "send_cert = always"
        conn dpd         $GW1 aes256gcm16-prfsha256-x25519        psk  "dpd_delay = 2s"
        conn invalid_ke  $GW2 aes256gcm16-prfsha256-ecp256-x25519 psk
        conn no_proposal $GW2 aes128-sha256-modp3072              psk
        conn auth_failed $GW1 aes256gcm16-prfsha256-x25519        badid
        conn halfopen    $GW1 aes256gcm16-prfsha256-x25519        nokey
        echo "}"
        cat <<EOF
secrets {
    ike-psk { id-1 = gw.petrel.test
              id-2 = psk-client@petrel.test
              secret = "$PSK" }
}
EOF
    } > "$d/swanctl.conf"
}

phase() { # PHASE CLI-EXTRA GW-EXTRA : (re)start both daemons with these charon settings
    log "phase $1: starting charons ${3:+(gw: $3)} ${2:+(cli: $2)}"
    charon_stop cli; charon_stop gw
    write_conf gw "$1" "$3"; gw_swanctl
    write_conf cli "$1" "$2"; cli_swanctl
    charon_start gw $NS_GW; charon_start cli $NS_CLI
    sw gw --load-all >/dev/null; sw cli --load-all >/dev/null
}

# ------------------------------------------------------------------ capture + windows
now() { date +%s.%N; }
WINDOWS=$WORK/windows.txt; : > "$WINDOWS"
T0=
win_start() { T0=$(now); }
win_end() { # SCENARIO EXCHANGES(all|list) MAX(0=all) [optional]
    echo "$1 $2 $3 $T0 $(now) ${4:-required}" >> "$WINDOWS"
}

log "capture (tcpdump in $NS_RT on r-cli, at most $CAP_MAX_PACKETS packets / $CAP_MAX_SECONDS s)"
setsid ip netns exec $NS_RT timeout $CAP_MAX_SECONDS tcpdump -i r-cli -n -U -Z root \
    -c $CAP_MAX_PACKETS -s 0 -w "$WORK/ike.pcap" 'udp port 500 or udp port 4500' > "$WORK/tcpdump.log" 2>&1 &
CAP_PID=$!
for _ in $(seq 1 50); do grep -q "listening on" "$WORK/tcpdump.log" 2>/dev/null && break; sleep 0.1; done
grep -q "listening on" "$WORK/tcpdump.log" || { cat "$WORK/tcpdump.log" >&2; die "tcpdump did not start"; }

initiate() { sw cli --initiate --ike "$1" --child dual --timeout 15 > "$WORK/init-$1.log" 2>&1; }
terminate() { sw cli --terminate --ike "$1" --timeout 10 >/dev/null 2>&1 || true; sleep 0.5; }

# --- phase A: default settings
phase main "" ""

log "psk: IKE_SA_INIT + IKE_AUTH, then the MOBIKE address notifications that follow"
win_start; initiate psk || die "psk initiate failed: $(tail -5 "$WORK/init-psk.log")"; sleep 3
# both peers announce their (additional) addresses in INFORMATIONAL exchanges about a
# second after IKE_AUTH (MOBIKE, RFC 4555): the gateway has a second address, the client
# got a virtual IP; kept as 'mobike' when they happen
win_end psk ike_sa_init,ike_auth 0
win_end mobike informational 0 optional

log "child_rekey (client), gw_child_rekey (gateway), ike_rekey, delete"
win_start; sw cli --rekey --child dual >/dev/null; sleep 1.5; win_end child_rekey all 0
win_start; sw gw --rekey --child rw >/dev/null; sleep 1.5; win_end gw_child_rekey all 0
win_start; sw cli --rekey --ike psk >/dev/null; sleep 1.5; win_end ike_rekey all 0
win_start; sw cli --terminate --ike psk --timeout 10 >/dev/null; sleep 0.5; win_end delete all 0

log "ecp256"
win_start; initiate ecp256 || die "ecp256 initiate failed"; sleep 0.3
win_end ecp256 ike_sa_init 0
terminate ecp256

log "cert"
win_start; initiate cert || die "cert initiate failed: $(tail -5 "$WORK/init-cert.log")"; sleep 0.3
win_end cert ike_sa_init,ike_auth 0
terminate cert

log "dpd (client dpd_delay=2s, idle)"
initiate dpd || die "dpd initiate failed"; sleep 0.3
win_start; sleep 4.5; win_end dpd informational 2
terminate dpd

log "invalid_ke"
win_start; initiate invalid_ke || die "invalid_ke initiate failed: $(tail -5 "$WORK/init-invalid_ke.log")"; sleep 0.3
win_end invalid_ke ike_sa_init 0
terminate invalid_ke

log "auth_failed (unknown client identity, expected to fail)"
win_start; initiate auth_failed && die "auth_failed unexpectedly succeeded"; sleep 0.3
win_end auth_failed ike_auth 0

log "no_proposal (expected to fail)"
win_start; initiate no_proposal && die "no_proposal unexpectedly succeeded"; sleep 0.3
win_end no_proposal ike_sa_init 0

# --- phase C: cookies. cookie_threshold=1: once one IKE SA is half open on the gateway,
# every IKE_SA_INIT without a valid cookie is answered with N(COOKIE). The half-open SA
# comes from 'halfopen', whose initiator has no private key for its certificate and so
# never sends IKE_AUTH (the gateway drops it after charon.half_open_timeout, 30 s).
phase cookie "" "cookie_threshold = 1
    block_threshold = 100"
log "cookie"
initiate halfopen && die "halfopen unexpectedly succeeded"; sleep 0.3
grep -q "no private key found" "$WORK/cli/charon-cookie.log" || log "WARNING: halfopen did not stop before IKE_AUTH"
win_start; initiate psk || die "psk (cookie) initiate failed: $(tail -5 "$WORK/init-psk.log")"; sleep 0.3
win_end cookie ike_sa_init 0
terminate psk

# --- phase B: IKE fragmentation (RFC 7383), 300-byte IP datagrams on both sides
phase frag "fragment_size = 300" "fragment_size = 300"
log "frag"
win_start; initiate cert || die "cert (frag) initiate failed: $(tail -5 "$WORK/init-cert.log")"; sleep 0.3
win_end frag ike_auth 0
terminate cert

charon_stop cli; charon_stop gw
sleep 0.3
cap_stop

# ------------------------------------------------------------------ split into files
log "extracting"
STAGE=$WORK/out; mkdir -p "$STAGE"
python3 "$DUMP" list "$WORK/ike.pcap" > "$WORK/list.txt"
MISSING=
while read -r scen exch max t0 t1 opt; do
    args=(--from "$t0" --to "$t1")
    [ "$exch" != all ] && args+=(--exchanges "$exch")
    [ "$max" != 0 ] && args+=(--max "$max")
    if ! python3 "$DUMP" extract "$WORK/ike.pcap" "$STAGE" "ss598-$scen" "${args[@]}" >&2; then
        [ "$opt" = optional ] || die "no messages for scenario $scen (see $WORK/list.txt)"
        MISSING="$MISSING $scen"
    fi
done < "$WINDOWS"
[ -z "$MISSING" ] || log "optional scenarios without messages:$MISSING"
python3 "$DUMP" check "$STAGE"/*.bin > "$WORK/check.txt" || { cat "$WORK/check.txt" >&2; die "check failed"; }

mkdir -p "$OUT"
rm -f "$OUT"/ss598-*.bin
cp "$STAGE"/*.bin "$OUT/"
{
    echo "# golden IKEv2 messages from $(/usr/lib/ipsec/charon --version 2>&1 | head -1) ($(dpkg-query -W -f '${Version}' strongswan-charon 2>/dev/null || echo '?')),"
    echo "# captured $(date -u +%Y-%m-%d) by tests/tools/capture-strongswan.sh; made by tests/tools/ike_dump.py index"
    (cd "$OUT" && python3 "$DUMP" index ss598-*.bin)
} > "$OUT/index.txt"
# what charon logged for each message (names the payloads inside SK/SKF); times and SPIs only
for ph in main cookie frag; do
    for side in cli gw; do
        f=$WORK/$side/charon-$ph.log
        [ -f "$f" ] || continue
        grep -E 'generating|parsed|splitting|received fragment|sending packet|received packet|authentication of|selected proposal|COOKIE|INVALID_KE|NO_PROPOSAL' "$f" \
            | sed "s/^/$ph $side: /"
    done
done > "$OUT/strongswan-log.txt"
log "wrote $(ls "$OUT"/ss598-*.bin | wc -l) files to $OUT"
cat "$OUT/index.txt"
