#!/bin/bash
# pq.sh: what post-quantum key exchange costs at setup, petreld <-> petrel-gw
# (both Release builds with OpenSSL 3.5 from the Debian 13 root, run chrooted
# in namespaces as tests/tier/pq_gw.sh does; the client behind the router's
# masquerade), with strongSwan 6.1's own initiator (charon from the Debian
# forky root of tools/debian-forky-root.sh, as tests/tier/pq_interop.sh runs
# it) against the same petrel-gw as the anchor, all in one run:
#
#   petreld    x25519            transport udp
#   petreld    x25519            transport separate (IKE_SA_INIT on UDP, IKE in TCP)
#   petreld    x25519+ML-KEM-768 transport udp (IKE_INTERMEDIATE fragmented)
#   petreld    x25519+ML-KEM-768 transport separate (IKE_INTERMEDIATE in TCP)
#   strongSwan x25519            UDP
#   strongSwan x25519+ML-KEM-768 UDP (IKE_INTERMEDIATE fragmented)
#
# IKE aes256gcm16-prfsha256-x25519[-ke1_mlkem768], ESP aes256gcm16, PSK, a
# virtual IPv4 address. Per row one warm-up connection, then BENCH_RUNS (5):
#   up    `petrel up` (returns once connected) or `swanctl --initiate`
#         (returns with the Child SA installed), from start to exit: median,
#         min, max in ms; each includes nsenter + chroot + the CLI's start
#         (the wrapper alone is timed after the table);
#   wire  from the first IKE_SA_INIT request to the last IKE_AUTH response
#         of that IKE SA, from tcpdump in the router (median, ms);
#   IKE octets  the sum of the lengths of the IKE messages of IKE_SA_INIT,
#         IKE_INTERMEDIATE and IKE_AUTH (each RFC 7383 fragment counted as
#         a message of its own; no non-ESP marker, TCP framing or UDP/IP
#         headers), and how many messages (datagrams or TCP frames): the
#         median run's, with its sizes per exchange below the table.
# petreld and petrel-gw log at info. Not a ctest test: run by hand as root
# (about a minute with the build kept). The build: the root's
# /petrel/build-pqbench (Release, -O2, no sanitizers; kept for the same
# sources). Namespaces pte2e-benchpq-*, removed on exit (BENCH_KEEP=1 keeps
# /tmp/pte2e-benchpq-*, with the captures).
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
runs=${BENCH_RUNS:-5}
case $runs in '' | *[!0-9]*) echo "pq: BENCH_RUNS must be a number" >&2; exit 2 ;; esac
{ [ "$runs" -ge 1 ] && [ "$runs" -le 30 ]; } || { echo "pq: BENCH_RUNS must be 1-30" >&2; exit 2; }
CASE=benchpq
# shellcheck source=tests/e2e/lib.sh
. "$src/tests/e2e/lib.sh"
# shellcheck source=tests/e2e/tunnel_lib.sh
. "$src/tests/e2e/tunnel_lib.sh"
# shellcheck source=tests/tier/pq_lib.sh
. "$src/tests/tier/pq_lib.sh"
FORKY=${PETREL_FORKY_ROOT:-/var/cache/petrel/forky-ss-root}
FAIL_GLOBS=("gw.log" "petreld.log" "charon.log") FAIL_LINES=30
[ "${BENCH_KEEP:-0}" = 1 ] && export PTE2E_KEEP=1

[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, chroot)"
[ -f "$TRIXIE/.petrel-ready" ] || skip "no Debian 13 root at $TRIXIE (tools/debian13-root.sh)"
{ [ -f "$FORKY/.petrel-ready" ] && [ -x "$FORKY/usr/lib/ipsec/charon" ]; } \
	|| skip "no strongSwan 6.1 root at $FORKY (tools/debian-forky-root.sh)"
[ -c /dev/net/tun ] || skip "no /dev/net/tun"
need_tools nsenter tcpdump python3

BUILD=build-pqbench
log "building petreld, petrel and petrel-gw (Release, -O2) in $TRIXIE/petrel/$BUILD"
pq_build "$src" $BUILD "-DCMAKE_BUILD_TYPE=Release \"-DCMAKE_C_FLAGS_RELEASE=-O2 -DNDEBUG\" -DPETREL_SANITIZE=OFF -DPETREL_FUZZ=OFF -DPETREL_WERROR=OFF" \
	petreld petrel petrel-gw

e2e_init none
tun_topology tun
nat_masquerade || fail "this kernel refused the masquerade rule"
CLASSIC=aes256gcm16-prfsha256-x25519
HYBRID=aes256gcm16-prfsha256-x25519-ke1_mlkem768
pq_gw_conf "[$CLASSIC, $HYBRID]" "[aes256gcm16]" info
pq_gw_start $BUILD
mkdir -p "$WORK/etc"
printf 'log_level: info\nprofiles: {}\n' > "$WORK/etc/petrel.yaml"
pq_profile classic-udp $CLASSIC aes256gcm16 "  transport: udp"
pq_profile classic-sep $CLASSIC aes256gcm16 "  transport: separate"
pq_profile hybrid-udp $HYBRID aes256gcm16 "  transport: udp"
pq_profile hybrid-sep $HYBRID aes256gcm16 "  transport: separate"
pq_petreld_start $BUILD

# ---- strongSwan 6.1 as the initiator, chrooted in the client namespace
mkdir -p "$FORKY$IN_WORK" "$WORK/ss/swanctl/conf.d"
cat > "$WORK/ss/strongswan.conf" <<EOF
charon {
    load_modular = no
    load = random nonce openssl curve25519 aes sha1 sha2 hmac gcm chapoly kdf x509 pem pkcs1 pkcs8 pubkey constraints kernel-libipsec kernel-netlink socket-default vici attr
    install_routes = no
    retransmit_tries = 2
    retransmit_timeout = 1.0
    plugins { vici { socket = unix://$IN_WORK/ss/charon.vici } }
    syslog { daemon { default = -1 } }
    filelog { main { path = $IN_WORK/charon.log
                     time_format = %H:%M:%S
                     append = no
                     flush_line = yes
                     default = 0 } }
}
swanctl { socket = unix://$IN_WORK/ss/charon.vici }
EOF
conns=""
for p in classic:$CLASSIC hybrid:$HYBRID; do
	conns="$conns
    ss-${p%%:*} {
        remote_addrs = $GW
        vips = 0.0.0.0
        proposals = ${p#*:}
        local  { auth = psk
                 id = $CLIENT_ID }
        remote { auth = psk
                 id = $GW_ID }
        children { net { remote_ts = 203.0.113.0/24
                         esp_proposals = aes256gcm16 } }
    }"
done
cat > "$WORK/ss/swanctl/swanctl.conf" <<EOF
connections {$conns
}
secrets {
    ike-psk { id-1 = $GW_ID
              id-2 = $CLIENT_ID
              secret = "$PSK" }
}
EOF
ip netns exec "$NS_CLI" sh -c "mount --bind '$WORK' '$FORKY$IN_WORK' && mount -t proc proc '$FORKY/proc' &&
	mount --rbind /dev '$FORKY/dev' && mount -t tmpfs -o size=4m tmpfs '$FORKY/run' &&
	exec timeout --foreground 600 chroot '$FORKY' env STRONGSWAN_CONF=$IN_WORK/ss/strongswan.conf /usr/lib/ipsec/charon" \
	> "$WORK/charon.out" 2>&1 &
SS_PID=$!
PIDS+=("$SS_PID")
for _ in $(seq 1 100); do
	[ -S "$WORK/ss/charon.vici" ] && break
	kill -0 "$SS_PID" 2>/dev/null || fail "charon (strongSwan 6.1) exited at startup: $(cat "$WORK/charon.out")"
	sleep 0.1
done
[ -S "$WORK/ss/charon.vici" ] || fail "charon (strongSwan 6.1): no vici socket after 10 s"
sw() {
	timeout 30 nsenter -t "$SS_PID" -m -n chroot "$FORKY" env STRONGSWAN_CONF=$IN_WORK/ss/strongswan.conf \
		SWANCTL_DIR=$IN_WORK/ss/swanctl swanctl "$@"
}
sw --load-all > "$WORK/ss-load.txt" 2>&1 || fail "swanctl --load-all: $(cat "$WORK/ss-load.txt")"
ss_ver=$(sw --version 2>/dev/null | sed -nE 's/.* ([0-9]+\.[0-9.]+).*/strongSwan \1/p' | head -1)

# ---- tcpdump in the router, on its link to the gateway (after the NAT)
CAP_PID=
cap_start() { # FILE
	ip netns exec "$NS_RT" timeout 120 tcpdump -i r-gw --immediate-mode -Z root -U -s 0 -w "$1" \
		'udp port 500 or udp port 4500 or tcp port 4500' > "$1.err" 2>&1 &
	CAP_PID=$!
	PIDS+=("$CAP_PID")
	for _ in $(seq 1 50); do
		grep -q 'listening on' "$1.err" && return 0
		sleep 0.1
	done
	fail "tcpdump did not start: $(cat "$1.err")"
}
cap_stop() {
	sleep 0.3
	kill -INT "$CAP_PID" 2>/dev/null || true
	wait "$CAP_PID" 2>/dev/null || true
}

ms_since() { awk -v a="$1" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e6 }'; }
stats() { # [FORMAT] numbers on stdin: median min max
	sort -n | awk -v f="${1:-%.1f}" '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf f " " f " " f, m, v[1], v[NR] }'
}

# One row: KIND (petrel|ss) NAME LABEL. Prints the row, keeps the median
# run's exchanges for below the table.
ROWS=() DETAILS=()
row() {
	local kind=$1 name=$2 label=$3 i t0 out st cap=$WORK/$2.pcap up=() m lo hi wm oct n ex
	cap_start "$cap"
	for i in $(seq 0 "$runs"); do
		t0=$(date +%s%N)
		if [ "$kind" = petrel ]; then
			out=$(pt up "$name" 2>&1) || fail "$label: petrel up: $out"
			[ "$i" = 0 ] || up+=("$(ms_since "$t0")")
			st=$(pstatus "$name")
			[ "$(status_field "$st" state)" = connected ] || fail "$label: not connected: $st"
			case $name in
			*-udp) [ "$(status_field "$st" ike)" = udp ] || fail "$label: IKE is not on UDP: $st" ;;
			*-sep) [ "$(status_field "$st" ike)" = tcp ] || fail "$label: IKE is not in TCP: $st" ;;
			esac
			out=$(pt down "$name" 2>&1) || fail "$label: petrel down: $out"
		else
			out=$(sw --initiate --child net --ike "$name" --timeout 20 2>&1) || fail "$label: swanctl --initiate: $(tail -5 <<<"$out")"
			[ "$i" = 0 ] || up+=("$(ms_since "$t0")")
			sw --terminate --ike "$name" --timeout 10 > /dev/null 2>&1 || fail "$label: swanctl --terminate"
		fi
	done
	cap_stop
	python3 "$src/tests/bench/ike_pcap.py" "$cap" > "$WORK/$name.sas" || fail "$label: ike_pcap.py failed"
	[ "$(wc -l < "$WORK/$name.sas")" = $((runs + 1)) ] \
		|| fail "$label: the capture has $(wc -l < "$WORK/$name.sas") IKE SAs, not $((runs + 1)): $(cat "$WORK/$name.sas")"
	read -r m lo hi <<<"$(printf '%s\n' "${up[@]}" | stats)"
	# the measured runs (not the warm-up): wire time median; octets of the median run
	wm=$(tail -n "$runs" "$WORK/$name.sas" | awk '{print $4}' | stats %.2f | cut -d' ' -f1)
	read -r _ oct n _ ex <<<"$(tail -n "$runs" "$WORK/$name.sas" | sort -n -k2 | sed -n "$(( (runs + 1) / 2 ))p")"
	ROWS+=("$(printf '%-46s | %6s %6s %6s | %6s | %6s %4s' "$label" "$m" "$lo" "$hi" "$wm" "$oct" "$n")")
	DETAILS+=("$(printf '%-46s %s' "$label" "$ex")")
	log "$label: up median $m ms, wire $wm ms, $oct IKE octets in $n messages"
}

row petrel classic-udp "petreld x25519, udp"
row petrel classic-sep "petreld x25519, separate"
row petrel hybrid-udp "petreld x25519+ML-KEM-768, udp"
row petrel hybrid-sep "petreld x25519+ML-KEM-768, separate"
row ss ss-classic "$ss_ver x25519, udp"
row ss ss-hybrid "$ss_ver x25519+ML-KEM-768, udp"

echo
echo "IKE setup against petrel-gw (Release, OpenSSL 3.5): $runs runs after a warm-up, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-46s | %20s | %6s | %11s\n' "initiator, key exchange, transport" "up ms (med min max)" "wire" "IKE oct msg"
printf '%s\n' "${ROWS[@]}"
wrap=()
for _ in $(seq 1 "$runs"); do
	t0=$(date +%s%N)
	nsenter -t "$PETRELD_PID" -m -n chroot "$TRIXIE" /bin/true
	wrap+=("$(ms_since "$t0")")
done
echo "the wrapper alone (nsenter + chroot + /bin/true), in every 'up': median, min, max $(printf '%s\n' "${wrap[@]}" | stats) ms"
echo
echo "IKE messages per exchange (median run; > request, < response, octets):"
printf '%s\n' "${DETAILS[@]}"
