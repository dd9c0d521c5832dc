#!/bin/bash
# handshake.sh: time of a full IKEv2 handshake (IKE_SA_INIT + IKE_AUTH, PSK,
# aes256gcm16-prfsha256-x25519, ESP aes256gcm16, virtual IP, Child SA up),
# four initiator/responder pairs in network namespaces:
#   (i)   petrel ike-initiator  -> strongSwan 5.9.8 gateway
#   (ii)  strongSwan initiator  -> strongSwan 5.9.8 gateway (swanctl --initiate)
#   (iii) petrel ike-initiator  -> petrel-gw
#   (iv)  strongSwan initiator  -> petrel-gw
# BENCH_RUNS (default 10) runs each, after one warm-up run that is not counted,
# and prints one table: median, min and max in ms of
#   wire: from the first IKE_SA_INIT request to the last IKE_AUTH response of
#         that IKE SA, as captured by tcpdump on the router's client-side link
#         (the same for every pair: this is the number to compare);
#   wall: the initiating command from start to exit, once the Child SA is up
#         (ike-initiator --hold-ms 0: process start, key generation, sockets,
#         exchange; swanctl --initiate: vici round trip into a running charon,
#         exchange, Child SA and virtual IP installed by kernel-libipsec).
# Not a ctest test: a benchmark, run by hand as root (about 30 s).
# petrel is built in Release (-O2, no sanitizers) into BENCH_BUILD (default
# build-bench-handshake). Needs strongSwan 5.9.8 (tools/deps.sh), tcpdump and
# tshark. Namespaces pte2e-bench-*, removed on exit (BENCH_KEEP=1 keeps logs).
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${BENCH_BUILD:-$src/build-bench-handshake}
runs=${BENCH_RUNS:-10}
case $runs in '' | *[!0-9]* | 0) echo "handshake: BENCH_RUNS must be a positive number" >&2; exit 2 ;; esac
[ "$runs" -le 100 ] || { echo "handshake: BENCH_RUNS at most 100" >&2; exit 2; }
CASE=bench
# shellcheck source=tests/e2e/lib.sh
. "$src/tests/e2e/lib.sh"
for t in tcpdump tshark; do
	command -v $t >/dev/null || skip "$t is not installed"
done
[ "${BENCH_KEEP:-0}" = 1 ] && export PTE2E_KEEP=1

log "building petrel (Release, -O2) in $build"
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" \
	-DPETREL_SANITIZE=OFF -DPETREL_FUZZ=OFF -DPETREL_TIERS=OFF >/dev/null
cmake --build "$build" -j2 --target ike-initiator petrel-gw >/dev/null
INI=$(find "$build" -name ike-initiator -type f -perm -u+x | head -n1)
PGW=$(find "$build" -name petrel-gw -type f -perm -u+x | head -n1)
if [ -z "$INI" ] || [ -z "$PGW" ]; then
	echo "handshake: no ike-initiator or petrel-gw in $build" >&2
	exit 1
fi

e2e_init strongswan
topology
psk_file "$WORK/cli.psk"

# strongswan.conf for the benchmark: the plugins of the e2e cases, log level 0
# (errors and the established line only; no per-message debug in the path).
bench_ss_conf() { # NAME
	local d=$WORK/$1
	mkdir -p "$d"/swanctl/{x509,x509ca,x509ocsp,x509aa,x509ac,x509crl,pubkey,private,rsa,ecdsa,bliss,pkcs8,pkcs12,conf.d}
	cat > "$d/strongswan.conf" <<-EOF
	charon {
	    load_modular = no
	    load = $PLUGINS
	    install_routes = no
	    retransmit_tries = 2
	    retransmit_timeout = 1.0
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

bench_ss_conf cli
cat > "$WORK/cli/swanctl/swanctl.conf" <<EOF
connections {
    psk {
        remote_addrs = $GW
        vips = 0.0.0.0
        proposals = aes256gcm16-prfsha256-x25519
        local  { auth = psk
                 id = $CLIENT_ID }
        remote { auth = psk
                 id = $GW_ID }
        children {
            net { remote_ts = 203.0.113.0/24
                  esp_proposals = aes256gcm16 }
        }
    }
}
secrets {
    ike-psk { id-1 = $GW_ID
              id-2 = $CLIENT_ID
              secret = "$PSK" }
}
EOF
ss_start cli "$NS_CLI"
sw cli "$NS_CLI" --load-all >/dev/null

bench_ss_conf gw
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
        children {
            net { local_ts = 203.0.113.0/24
                  esp_proposals = aes256gcm16 }
        }
    }
}
pools {
    pool4 { addrs = 203.0.113.10-203.0.113.250
            dns = 203.0.113.53 }
}
secrets {
    ike-psk { id-1 = $GW_ID
              id-2 = $CLIENT_ID
              secret = "$PSK" }
}
EOF

cat > "$WORK/gw.yaml" <<EOF
gateway:
  listen: $GW
  id: $GW_ID
  psk_file: $WORK/cli.psk
  pool: 203.0.113.10-203.0.113.250
  dns: [203.0.113.53]
  subnets: [203.0.113.0/24]
  proposals: { ike: [aes256gcm16-prfsha256-x25519], esp: [aes256gcm16] }
  log_level: info
EOF

now_ns() { date +%s%N; }

# one handshake; prints the wall-clock ms of the initiating command
hs_petrel() {
	local t0 t1
	t0=$(now_ns)
	timeout 20 ip netns exec "$NS_CLI" "$INI" --gateway $GW --id $CLIENT_ID --remote-id $GW_ID \
		--psk-file "$WORK/cli.psk" --ike aes256gcm16-prfsha256-x25519 --esp aes256gcm16 \
		--timeout-ms 8000 --hold-ms 0 --log-level warn > "$WORK/ini.out" 2>> "$WORK/ini.log" \
		|| fail "ike-initiator: $(tail -3 "$WORK/ini.out")"
	t1=$(now_ns)
	grep -q '"event":"child_up"' "$WORK/ini.out" || fail "ike-initiator: no Child SA"
	echo $(( (t1 - t0) / 1000 ))
}
hs_swan() {
	local t0 t1
	t0=$(now_ns)
	sw cli "$NS_CLI" --initiate --ike psk --child net --timeout 15 > "$WORK/initiate.log" 2>&1 \
		|| fail "swanctl --initiate: $(tail -3 "$WORK/initiate.log")"
	t1=$(now_ns)
	# not timed: the next run must be a new IKE SA, not a Child SA on this one
	sw cli "$NS_CLI" --terminate --ike psk --timeout 10 > /dev/null 2>&1 || fail "swanctl --terminate failed"
	echo $(( (t1 - t0) / 1000 ))
}

RESULTS=()
# measure NAME FUNCTION: warm-up, then $runs handshakes under one capture
measure() {
	local name=$1 fn=$2 pcap=$WORK/$2-$RANDOM.pcap i walls=() cap
	"$fn" >/dev/null
	ip netns exec "$NS_RT" timeout --foreground 300 tcpdump -i r-cli -n -U --immediate-mode -Z root -c 5000 -w "$pcap" \
		'udp port 500 or udp port 4500' 2> "$pcap.log" &
	cap=$!
	PIDS+=("$cap")
	wait_for "$pcap.log" "listening on" 5 || fail "tcpdump did not start"
	for ((i = 0; i < runs; i++)); do
		walls+=("$("$fn")")
	done
	sleep 0.2
	kill -INT "$cap" 2>/dev/null || true
	wait "$cap" 2>/dev/null || true
	# per IKE SA (SPIi): first IKE_SA_INIT request (34, R=0) -> last IKE_AUTH response (35, R=1)
	tshark -r "$pcap" -Y isakmp -T fields -E separator=' ' -e frame.time_epoch -e isakmp.ispi \
		-e isakmp.exchangetype -e isakmp.flag_r 2>/dev/null | awk '
		$3 == 34 && ($4 == 0 || $4 == "False") && !($2 in s) { s[$2] = $1; order[++n] = $2 }
		$3 == 35 && ($4 == 1 || $4 == "True") { e[$2] = $1 }
		END { for (k = 1; k <= n; k++) if (order[k] in e) printf "%d\n", (e[order[k]] - s[order[k]]) * 1e6 }' \
		> "$WORK/$fn.wire"
	local nw; nw=$(wc -l < "$WORK/$fn.wire")
	[ "$nw" = "$runs" ] || fail "$name: $nw complete handshakes in the capture, expected $runs"
	RESULTS+=("$name|$(stats < "$WORK/$fn.wire")|$(printf '%s\n' "${walls[@]}" | stats)")
	log "$name: done"
}
# median min max (input: microseconds, one per line; output: ms)
stats() {
	sort -n | awk '{ v[NR] = $1 } END {
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.2f|%.2f|%.2f", m / 1000, v[1] / 1000, v[NR] / 1000 }'
}

ss_start gw "$NS_GW"
SS_GW_PID=${PIDS[-1]}
sw gw "$NS_GW" --load-all >/dev/null
measure "(i)   petrel ike-initiator -> strongSwan 5.9.8" hs_petrel
measure "(ii)  strongSwan 5.9.8     -> strongSwan 5.9.8" hs_swan
# the strongSwan gateway gives way to petrel-gw (same address)
kill -TERM "$SS_GW_PID" 2>/dev/null || true
for _ in $(seq 1 50); do kill -0 "$SS_GW_PID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$SS_GW_PID" 2>/dev/null && fail "the strongSwan gateway did not stop"
ip netns exec "$NS_GW" timeout --foreground 300 "$PGW" --config "$WORK/gw.yaml" > "$WORK/gw.log" 2>&1 &
PIDS+=("$!")
wait_for "$WORK/gw.log" "listening on" 5 || fail "petrel-gw did not start"
measure "(iii) petrel ike-initiator -> petrel-gw" hs_petrel
measure "(iv)  strongSwan 5.9.8     -> petrel-gw" hs_swan

# what the wrappers alone cost (timeout + ip netns exec + a no-op), for reading the wall column
base=()
for ((i = 0; i < runs; i++)); do
	t0=$(now_ns)
	timeout 20 ip netns exec "$NS_CLI" true
	base+=($(( ($(now_ns) - t0) / 1000 )))
done
IFS='|' read -r bm bmin bmax <<<"$(printf '%s\n' "${base[@]}" | stats)"

echo
echo "IKEv2 handshake, PSK, aes256gcm16-prfsha256-x25519, ESP aes256gcm16, virtual IP; $runs runs each (+1 warm-up), ms"
echo "petrel $(git -C "$src" describe --always --dirty 2>/dev/null || echo '?') Release -O2; strongSwan $(dpkg-query -W -f '${Version}' strongswan-charon 2>/dev/null || echo '?'); $(nproc) CPUs, $(uname -r)"
printf '%-48s | %22s | %22s\n' "" "wire (tcpdump)" "wall (command)"
printf '%-48s | %6s %7s %7s | %6s %7s %7s\n' "initiator -> responder" median min max median min max
for r in "${RESULTS[@]}"; do
	IFS='|' read -r name wm wmin wmax cm cmin cmax <<<"$r"
	printf '%-48s | %6s %7s %7s | %6s %7s %7s\n' "$name" "$wm" "$wmin" "$wmax" "$cm" "$cmin" "$cmax"
done
printf '%-48s | %6s %7s %7s | %6s %7s %7s\n' "(wrapper alone: timeout ip netns exec true)" - - - "$bm" "$bmin" "$bmax"
