#!/bin/bash
# transport.sh: what the transports of issue 5 cost, petreld <-> petrel-gw
# in namespaces (the client behind the router's masquerade, so ESP on UDP is
# UDP-encapsulated), all in the same run:
#   1. iperf3 TCP, one stream, BENCH_SECS (default 5) per direction, IPv4:
#      - no tunnel: client -> 198.51.100.1 over the plain routed path (the
#        ceiling: the same veths, router and masquerade, no tunnel);
#      - transport: separate, ESP on UDP (IKE in TCP, ESP in UDP/4500);
#      - transport: separate, ESP moved into the TCP stream (UDP/4500
#        dropped in the router after setup, `petrel status --json` shows
#        "esp":"tcp" before iperf3 starts);
#      - transport: tcp (IKE and ESP in one RFC 9329 stream from the start).
#   2. UDP block -> traffic again: ping -D -i 0.02 through the tunnel, then
#      UDP/4500 dropped in the router; the gap between the last reply before
#      and the first reply after the move of ESP into TCP. BENCH_ROUNDS
#      (default 5) rounds with the probe settings of tests/e2e/transport.sh
#      (echo: { interval_ms: 1000, timeout_ms: 300, retries: 3 }), and
#      BENCH_DEFAULT_ROUNDS (default 1) with the product defaults (10000 /
#      1000 / 3); UDP reopened and "esp":"udp" again between rounds.
# Not a ctest test: a benchmark, run by hand as root (about 1.5 minutes).
# petrel is built in Release (-O2, no sanitizers) into BENCH_BUILD (default
# build-bench-transport). Namespaces pte2e-benchtr-*, removed on exit
# (BENCH_KEEP=1 keeps the logs in /tmp/pte2e-benchtr-*).
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${BENCH_BUILD:-$src/build-bench-transport}
secs=${BENCH_SECS:-5}
rounds=${BENCH_ROUNDS:-5}
drounds=${BENCH_DEFAULT_ROUNDS:-1}
# The daemons and iperf3's server live at most 120 and 90 s (tunnel_lib.sh):
# each phase below starts its own and stays well inside that.
num_in() { # NAME VALUE MIN MAX
	case $2 in '' | *[!0-9]*) echo "transport: $1 must be a number" >&2; exit 2 ;; esac
	{ [ "$2" -ge "$3" ] && [ "$2" -le "$4" ]; } || { echo "transport: $1 must be $3-$4" >&2; exit 2; }
}
num_in BENCH_SECS "$secs" 1 15
num_in BENCH_ROUNDS "$rounds" 1 10
num_in BENCH_DEFAULT_ROUNDS "$drounds" 0 3
CASE=benchtr
# shellcheck source=tests/e2e/lib.sh
. "$src/tests/e2e/lib.sh"
# shellcheck source=tests/e2e/tunnel_lib.sh
. "$src/tests/e2e/tunnel_lib.sh"
need_tools iperf3 ss python3 nft ping
[ "${BENCH_KEEP:-0}" = 1 ] && export PTE2E_KEEP=1

log "building petrel (Release, -O2) in $build"
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" \
	-DPETREL_SANITIZE=OFF -DPETREL_FUZZ=OFF -DPETREL_TIERS=OFF >/dev/null
cmake --build "$build" -j2 --target petreld petrel petrel-gw >/dev/null
PETREL_GW=$build/src/gw/petrel-gw PETRELD=$build/src/daemon/petreld PETREL=$build/cli/petrel
for b in "$PETREL_GW" "$PETRELD" "$PETREL"; do
	[ -x "$b" ] || { echo "transport: $b was not built" >&2; exit 1; }
done

e2e_init none
[ -c /dev/net/tun ] || skip "no /dev/net/tun"
tun_topology tun
nat_masquerade || fail "this kernel refused the masquerade rule"

# The router's filter, rules by handle (tests/e2e/tunnel_lib.sh).
fw_init
block_udp() { block u4500 udp dport 4500 drop; block u4500r udp sport 4500 drop; }
unblock_udp() { unblock u4500; unblock u4500r; }

# Wait until `petrel status` of NAME has FIELD = VALUE (at most SECONDS).
wait_status() { # NAME FIELD VALUE SECONDS
	local st
	for _ in $(seq 1 $(($4 * 10))); do
		st=$(pstatus "$1")
		[ "$(status_field "$st" "$2")" = "$3" ] && return 0
		sleep 0.1
	done
	fail "$1: $2 is not $3 after $4 s: $st"
}

# One pair for one phase: petrel-gw (log level info, so nothing is logged
# per packet) and petreld with profile NAME (ECHO: its echo line or none),
# brought up; the logs of earlier phases are kept under their phase's name.
PHASE=
pair_up() { # PHASE NAME TRANSPORT [ECHO]
	PHASE=$1
	gw_conf "  tun: ptgw0
  tun_address: [$GW_IN4]
  proposals: { ike: [aes256gcm16-prfsha256-x25519], esp: [aes256gcm16] }
  log_level: info"
	sed -i '/^  log_level: debug$/d' "$WORK/gw.yaml"
	tun_gw_start "$PETREL_GW"
	profile "$2" aes256gcm16 "  transport: $3
${4:-}"
	sed -i '/^  dns: auto$/s/auto/off/' "$WORK/etc/profiles.d/$2.yaml"
	rm -f "$WORK/control.sock"
	petreld_start "$PETRELD"
	local out
	out=$(pt up "$2" 2>&1) || fail "$2: petrel up: $out"
	[ "$(status_field "$(pstatus "$2")" state)" = connected ] || fail "$2: not connected: $(pstatus "$2")"
	ping_ok "$NS_CLI" $GW_IN4
}
pair_down() { # NAME
	local pd
	pt down "$1" >/dev/null 2>&1 || fail "$1: petrel down failed"
	pd=$(pgrep -P "$PETRELD_PID" -x petreld || true)
	kill -TERM "$GW_REAL_PID" ${pd:+"$pd"} 2>/dev/null || true
	wait "$GW_PID" "$PETRELD_PID" 2>/dev/null || true
	rm -rf "$WORK/etc/profiles.d"
	mv "$WORK/gw.log" "$WORK/gw-$PHASE.log"
	mv "$WORK/petreld.log" "$WORK/petreld-$PHASE.log"
}
ike_esp() { # NAME IKE ESP: fail unless status shows these transports
	local st
	st=$(pstatus "$1")
	{ [ "$(status_field "$st" ike)" = "$2" ] && [ "$(status_field "$st" esp)" = "$3" ]; } \
		|| fail "$1: IKE/ESP are not $2/$3: $st"
}

declare -A UP DOWN
both_ways() { # ROW DST
	log "$1: iperf3 up and down, $secs s each"
	UP[$1]=$(iperf_run "$2" "$secs")
	DOWN[$1]=$(iperf_run "$2" "$secs" -R)
	log "$1: up ${UP[$1]}, down ${DOWN[$1]} Mbit/s"
}

ECHO_E2E="  echo: { interval_ms: 1000, timeout_ms: 300, retries: 3 }"
R0="no tunnel (ceiling)" R1="separate: ESP on UDP" R2="separate: ESP moved into TCP" R3="tcp: IKE and ESP in TCP"

# ---- 1. throughput
iperf_server "$NS_GW" "$GW"
both_ways "$R0" "$GW"
iperf_stop

pair_up sep sep separate "$ECHO_E2E"
ike_esp sep tcp udp
iperf_server "$NS_GW" $GW_IN4
both_ways "$R1" $GW_IN4
gw_stats # sets ST_<counter>
# shellcheck disable=SC2154
{ [ "$ST_rx_stream" = 0 ] && [ "$ST_tx_stream" = 0 ]; } || fail "$R1: ESP went into the stream (rx $ST_rx_stream tx $ST_tx_stream)"
block_udp
wait_status sep esp tcp 10
both_ways "$R2" $GW_IN4
gw_stats
{ [ "$ST_rx_stream" -gt 1000 ] && [ "$ST_tx_stream" -gt 1000 ]; } \
	|| fail "$R2: ESP did not go both ways in the stream (rx $ST_rx_stream tx $ST_tx_stream)"
iperf_stop
unblock_udp
pair_down sep

pair_up tcp tcp tcp
ike_esp tcp tcp tcp
iperf_server "$NS_GW" $GW_IN4
both_ways "$R3" $GW_IN4
iperf_stop
pair_down tcp

# ---- 2. UDP block -> traffic again
# One round: ping every 20 ms through the tunnel, UDP/4500 dropped after 1 s,
# ping on until ESP is in TCP plus 1 s; UDP reopened, ESP back on UDP. Adds
# the largest gap between two consecutive replies (s) to GAPS_<label>.
gap_round() { # NAME LABEL N SECONDS(to wait for each move)
	local pf=$WORK/ping-$2-$3.log pp g v="GAPS_$2"
	ip netns exec "$NS_CLI" ping -n -D -i 0.02 -W 1 -w 60 $GW_IN4 > "$pf" 2>&1 &
	pp=$!
	PIDS+=("$pp")
	sleep 1
	block_udp
	wait_status "$1" esp tcp "$4"
	sleep 1
	kill -INT "$pp"
	wait "$pp" || true
	unblock_udp
	wait_status "$1" esp udp "$4"
	g=$(python3 - "$pf" <<-'EOF'
	import re, sys
	ts = [float(m.group(1)) for m in (re.match(r"\[(\d+\.\d+)\] \d+ bytes from", l) for l in open(sys.argv[1])) if m]
	if len(ts) < 20:
	    sys.exit("too few replies: %d" % len(ts))
	print("%.2f" % max(b - a for a, b in zip(ts, ts[1:])))
	EOF
	) || fail "$2 round $3: cannot read $pf"
	log "$2 round $3: no replies for $g s"
	printf -v "$v" '%s %s' "${!v}" "$g"
}
GAPS_e2e="" GAPS_dflt=""
pair_up gap-e2e gap separate "$ECHO_E2E"
ike_esp gap tcp udp
for n in $(seq 1 "$rounds"); do gap_round gap e2e "$n" 10; done
pair_down gap
if [ "$drounds" -gt 0 ]; then
	pair_up gap-dflt gapd separate ""
	ike_esp gapd tcp udp
	for n in $(seq 1 "$drounds"); do gap_round gapd dflt "$n" 20; done
	pair_down gapd
fi

# ---- the table
stats() { # VALUES...: min .. median .. max
	python3 -c 'import statistics, sys; v = sorted(map(float, sys.argv[1:])); print("%.2f .. %.2f .. %.2f" % (v[0], statistics.median(v), v[-1]))' "$@"
}
echo
echo "petreld <-> petrel-gw, client behind NAT, ESP aes256gcm16; iperf3 TCP, one stream, $secs s per direction, IPv4"
echo "($(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u '+%Y-%m-%d %H:%M UTC'))"
printf '%-34s %10s %12s\n' path "up Mbit/s" "down Mbit/s"
for r in "$R0" "$R1" "$R2" "$R3"; do
	printf '%-34s %10s %12s\n' "$r" "${UP[$r]}" "${DOWN[$r]}"
done
# shellcheck disable=SC2086 # word splitting wanted
printf '%-34s %s (%d rounds, echo 1000/300/3)\n' "UDP block -> traffic again (s)" "$(stats $GAPS_e2e)" "$rounds"
if [ "$drounds" -gt 0 ]; then
	# shellcheck disable=SC2086
	printf '%-34s %s (%d round(s), echo 10000/1000/3: defaults)\n' "UDP block -> traffic again (s)" "$(stats $GAPS_dflt)" "$drounds"
fi
echo "the first row is the ceiling: the same namespaces and masquerade, no tunnel"
