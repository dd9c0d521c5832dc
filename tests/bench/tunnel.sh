#!/bin/bash
# tunnel.sh: TCP throughput through the tunnel (iperf3), petrel against
# strongSwan, on the same namespaces in the same run:
#   (a) petreld (client, via `petrel up`) <-> petrel-gw (TUN)
#   (b) strongSwan 5.9.8 <-> strongSwan 5.9.8, both charon with kernel-libipsec
#       (userspace ESP through ipsec0, like petrel)
# Both: IKE aes256gcm16-prfsha256-x25519, ESP aes256gcm16 in UDP/4500 (RFC
# 3948; strongSwan with encap = yes, petreld with encap: udp), client
# 192.0.2.2 behind a router, gateway 198.51.100.1, iperf3 to 203.0.113.1.
# For each direction (client -> gateway "up", gateway -> client "down",
# iperf3 -R) BENCH_SECS (default 10) of one TCP stream; prints Mbit/s,
# petrel's ratio to strongSwan, and for each daemon the CPU seconds it used
# per GB carried (utime + stime from /proc/PID/stat, before and after) and
# its peak RSS (VmHWM).
# Not a ctest test: a benchmark, run by hand as root (about a minute).
# petrel is built in Release (-O2, no sanitizers) into BENCH_BUILD (default
# build-bench-tunnel). Namespaces pte2e-benchtun-*, removed on exit
# (BENCH_KEEP=1 keeps the logs in /tmp/pte2e-benchtun-*).
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${BENCH_BUILD:-$src/build-bench-tunnel}
secs=${BENCH_SECS:-10}
case $secs in '' | *[!0-9]* | 0) echo "tunnel: BENCH_SECS must be a positive number" >&2; exit 2 ;; esac
[ "$secs" -le 60 ] || { echo "tunnel: BENCH_SECS at most 60" >&2; exit 2; }
CASE=benchtun
# shellcheck source=tests/e2e/lib.sh
. "$src/tests/e2e/lib.sh"
# shellcheck source=tests/e2e/tunnel_lib.sh
. "$src/tests/e2e/tunnel_lib.sh"
need_tools iperf3 ss python3
[ "${BENCH_KEEP:-0}" = 1 ] && export PTE2E_KEEP=1

log "building petrel (Release, -O2) in $build"
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" \
	-DPETREL_SANITIZE=OFF -DPETREL_FUZZ=OFF -DPETREL_TIERS=OFF >/dev/null
cmake --build "$build" -j2 --target petreld petrel petrel-gw >/dev/null
PETREL_GW=$build/src/gw/petrel-gw PETRELD=$build/src/daemon/petreld PETREL=$build/cli/petrel
for b in "$PETREL_GW" "$PETRELD" "$PETREL"; do
	[ -x "$b" ] || { echo "tunnel: $b was not built" >&2; exit 1; }
done

e2e_init strongswan
tun_topology tun
HZ=$(getconf CLK_TCK)

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; } # PID: utime + stime
hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }

# One iperf3 run; sets MBPS and BYTES (what the receiver got) and, for each
# PID given, CPU_<pid> (seconds used during the run).
measure() { # DIR(up|down) PID...
	local dir=$1 p out rev=()
	shift
	[ "$dir" = up ] || rev=(-R)
	declare -A t0
	for p in "$@"; do t0[$p]=$(cpu_ticks "$p"); done
	out=$WORK/iperf-$RANDOM.json
	timeout $((secs + 20)) ip netns exec "$NS_CLI" iperf3 -c $GW_IN4 -p $IPERF_PORT -t "$secs" -J \
		--connect-timeout 3000 "${rev[@]}" > "$out" 2>&1 \
		|| fail "iperf3 ($dir) failed: $(tail -5 "$out")"
	read -r MBPS BYTES < <(python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["end"]["sum_received"]; print("%.0f %d" % (e["bits_per_second"] / 1e6, e["bytes"]))' "$out")
	for p in "$@"; do
		printf -v "CPU_$p" '%s' "$(echo "$(cpu_ticks "$p") ${t0[$p]} $HZ" | awk '{printf "%.2f", ($1 - $2) / $3}')"
	done
}

per_gb() { echo "$1 $2" | awk '{printf "%.2f", $1 / ($2 / 1e9)}'; } # CPU-S BYTES

RESULTS=()
row() { RESULTS+=("$(printf '%-34s %-5s %8s %14s %14s' "$@")"); }

# ---- (a) petreld <-> petrel-gw
gw_conf "  tun: ptgw0
  tun_address: $GW_IN4
  proposals: { ike: [aes256gcm16-prfsha256-x25519], esp: [aes256gcm16] }
  log_level: info"
sed -i '/^  log_level: debug$/d' "$WORK/gw.yaml"
tun_gw_start "$PETREL_GW"
profile bench aes256gcm16 "  encap: udp"
sed -i '/^  dns: auto$/s/auto/off/' "$WORK/etc/profiles.d/bench.yaml"
petreld_start "$PETRELD"
PD=$(pgrep -P "$PETRELD_PID" -x petreld) || fail "cannot find petreld's process"
iperf_server "$NS_GW" "::"
out=$(pt up bench 2>&1) || fail "petrel up: $out"
ping_ok "$NS_CLI" $GW_IN4 2
declare -A P_MBPS
for dir in up down; do
	log "petrel: iperf3 $dir, $secs s"
	measure $dir "$PD" "$GW_REAL_PID"
	P_MBPS[$dir]=$MBPS
	pd_cpu=CPU_$PD gw_cpu=CPU_$GW_REAL_PID
	row "petreld <-> petrel-gw" "$dir" "$MBPS" "$(per_gb "${!pd_cpu}" "$BYTES")" "$(per_gb "${!gw_cpu}" "$BYTES")"
done
P_HWM="petreld $(hwm_kb "$PD") kB, petrel-gw $(hwm_kb "$GW_REAL_PID") kB"
pt down bench >/dev/null 2>&1 || fail "petrel down failed"
kill -TERM "$GW_REAL_PID"
for _ in $(seq 1 50); do kill -0 "$GW_REAL_PID" 2>/dev/null || break; sleep 0.1; done

# ---- (b) strongSwan <-> strongSwan (kernel-libipsec both ends)
ip -n "$NS_GW" addr add $GW_IN4/32 dev lo
bench_ss_conf() { # NAME INSTALL_ROUTES
	local d=$WORK/$1
	mkdir -p "$d"/swanctl/{x509,x509ca,x509ocsp,x509aa,x509ac,x509crl,pubkey,private,rsa,ecdsa,bliss,pkcs8,pkcs12,conf.d}
	cat > "$d/strongswan.conf" <<-EOF
	charon {
	    load_modular = no
	    load = $PLUGINS
	    install_routes = $2
	    plugins {
	        vici { socket = unix://$d/charon.vici }
	        resolve { file = $d/resolv.conf }
	    }
	    syslog { daemon { default = -1 } }
	    filelog {
	        main { path = $d/charon.log
	               append = no
	               default = 0 }
	    }
	}
	swanctl { socket = unix://$d/charon.vici }
	EOF
}
bench_ss_conf gw no
cat > "$WORK/gw/swanctl/swanctl.conf" <<EOF
connections {
    rw {
        local_addrs = $GW
        pools = pool4
        proposals = aes256gcm16-prfsha256-x25519
        local  { auth = psk
                 id = $GW_ID }
        remote { auth = psk
                 id = $CLIENT_ID }
        children { net { local_ts = 203.0.113.0/24
                         esp_proposals = aes256gcm16 } }
    }
}
pools { pool4 { addrs = $POOL4 } }
secrets { ike-psk { id-1 = $GW_ID
                    id-2 = $CLIENT_ID
                    secret = "$PSK" } }
EOF
bench_ss_conf cli yes
cat > "$WORK/cli/swanctl/swanctl.conf" <<EOF
connections {
    vpn {
        remote_addrs = $GW
        vips = 0.0.0.0
        encap = yes
        proposals = aes256gcm16-prfsha256-x25519
        local  { auth = psk
                 id = $CLIENT_ID }
        remote { auth = psk
                 id = $GW_ID }
        children { net { remote_ts = 203.0.113.0/24
                         esp_proposals = aes256gcm16 } }
    }
}
secrets { ike-psk { id-1 = $GW_ID
                    id-2 = $CLIENT_ID
                    secret = "$PSK" } }
EOF
ss_start gw "$NS_GW"
ss_start cli "$NS_CLI"
sw gw "$NS_GW" --load-all > "$WORK/load-gw.log" 2>&1 || fail "swanctl --load-all (gw): $(tail -5 "$WORK/load-gw.log")"
sw cli "$NS_CLI" --load-all > "$WORK/load-cli.log" 2>&1 || fail "swanctl --load-all (cli): $(tail -5 "$WORK/load-cli.log")"
for _ in $(seq 1 30); do ip -n "$NS_GW" link show ipsec0 >/dev/null 2>&1 && break; sleep 0.1; done
ip -n "$NS_GW" link set ipsec0 up
ip -n "$NS_GW" route add 203.0.113.0/24 dev ipsec0 src $GW_IN4
sw cli "$NS_CLI" --initiate --child net > "$WORK/initiate.log" 2>&1 || fail "swanctl --initiate: $(tail -5 "$WORK/initiate.log")"
ping_ok "$NS_CLI" $GW_IN4 2
sw gw "$NS_GW" --list-sas > "$WORK/sas.txt" 2>&1
grep -qE 'INSTALLED, TUNNEL-in-UDP.*ESP:AES_GCM_16-256' "$WORK/sas.txt" \
	|| fail "strongSwan's Child SA is not AES-GCM in UDP: $(cat "$WORK/sas.txt")"
SS_PIDS=()
for p in "${PIDS[@]}"; do
	c=$(pgrep -P "$p" -x charon || true)
	[ -z "$c" ] || SS_PIDS+=("$c")
done
[ ${#SS_PIDS[@]} = 2 ] || fail "expected two charon processes, found ${SS_PIDS[*]:-none}"
# which charon is which: by namespace
for c in "${SS_PIDS[@]}"; do
	if [ "$(ip netns identify "$c")" = "$NS_CLI" ]; then SC=$c; else SG=$c; fi
done
declare -A S_MBPS
for dir in up down; do
	log "strongSwan: iperf3 $dir, $secs s"
	measure $dir "$SC" "$SG"
	S_MBPS[$dir]=$MBPS
	sc_cpu=CPU_$SC sg_cpu=CPU_$SG
	row "charon <-> charon (libipsec)" "$dir" "$MBPS" "$(per_gb "${!sc_cpu}" "$BYTES")" "$(per_gb "${!sg_cpu}" "$BYTES")"
done
S_HWM="charon client $(hwm_kb "$SC") kB, charon gateway $(hwm_kb "$SG") kB"
iperf_stop

echo
echo "iperf3 TCP, one stream, $secs s per direction, ESP aes256gcm16 in UDP/4500 ($(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%-34s %-5s %8s %14s %14s\n' "pair (client <-> gateway)" "dir" "Mbit/s" "client CPU s/GB" "gw CPU s/GB"
printf '%s\n' "${RESULTS[@]}"
for dir in up down; do
	echo "ratio petrel / strongSwan, $dir: $(echo "${P_MBPS[$dir]} ${S_MBPS[$dir]}" | awk '{printf "%.2f", $1 / $2}')"
done
echo "peak RSS (VmHWM): $P_HWM; $S_HWM"
