#!/bin/bash
# roam.sh: how long traffic through the tunnel stops when the laptop moves
# to its other uplink, in the two-uplink namespaces of tests/e2e/roam_lib.sh
# (uplink A: c-eth 192.0.2.2/25, uplink B: c-eth2 192.0.2.130/25, one
# router, the gateway at 198.51.100.1, inside 203.0.113.1).
# One row per client and method; each row makes BENCH_MOVES (default 10)
# moves A -> B -> A ... (roam_move_to: the new uplink ready with its
# address, then at the measured instant the default route moves to it and
# the old uplink's address goes), with a ping through the tunnel every 9 ms
# from the virtual IP; a move's figure is the ms from the instant the old
# path is gone to the first reply whose request left after it
# (roam_recovery_ms). Prints median, min and max per row, every move's
# figure, and the packets that left the client outside IKE/ESP (the
# router's leak counter) during the row's moves.
# Rows:
#   strongSwan 5.9.8 MOBIKE: charon as the client (kernel-libipsec, MOBIKE,
#     kernel-netlink sees the change) and as the gateway, PSK;
#   petreld (hooks, "not measured yet" until petreld roams): ESP Echo only
#     (same SAs, new path), MOBIKE, IKE_SESSION_RESUME (RFC 5723), full
#     handshake.
# BENCH_NAT=1: the router masquerades (random ports) and forgets the
# target uplink's mappings before each move. BENCH_LINK_DOWN=1: the old
# link is also set down at each move.
# Not a ctest test: a benchmark, run by hand as root (about 40 s with a
# built tree).
# petrel is built in Release (-O2, no sanitizers) into BENCH_BUILD (default
# build-bench-roam) for the petreld rows. Namespaces pte2e-benchroam-*,
# removed on exit (BENCH_KEEP=1 keeps the logs in /tmp/pte2e-benchroam-*).
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${BENCH_BUILD:-$src/build-bench-roam}
moves=${BENCH_MOVES:-10}
case $moves in '' | *[!0-9]*) echo "roam: BENCH_MOVES must be a number" >&2; exit 2 ;; esac
{ [ "$moves" -ge 2 ] && [ "$moves" -le 20 ]; } || { echo "roam: BENCH_MOVES must be 2-20" >&2; exit 2; }
nat=${BENCH_NAT:-0} link_down=${BENCH_LINK_DOWN:-0}
CASE=benchroam
# shellcheck source=tests/e2e/lib.sh
. "$src/tests/e2e/lib.sh"
# shellcheck source=tests/e2e/tunnel_lib.sh
. "$src/tests/e2e/tunnel_lib.sh"
# shellcheck source=tests/e2e/roam_lib.sh
. "$src/tests/e2e/roam_lib.sh"
need_tools nft ping conntrack
[ "${BENCH_KEEP:-0}" = 1 ] && export PTE2E_KEEP=1

log "building petrel (Release, -O2) in $build"
PETREL_BUILT=0 # 1 once built; the petreld rows check it
export PETREL_BUILT
if cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" \
	-DPETREL_SANITIZE=OFF -DPETREL_FUZZ=OFF -DPETREL_TIERS=OFF > /tmp/pte2e-benchroam-build.log 2>&1 &&
	cmake --build "$build" -j2 --target petreld petrel petrel-gw >> /tmp/pte2e-benchroam-build.log 2>&1; then
	PETREL_BUILT=1
else
	log "petrel did not build (/tmp/pte2e-benchroam-build.log); the strongSwan row still runs"
fi
# shellcheck disable=SC2034 # for the petreld rows (hooks below)
PETREL_GW=$build/src/gw/petrel-gw PETRELD=$build/src/daemon/petreld PETREL=$build/cli/petrel

e2e_init strongswan
roam_topology lo
[ "$nat" != 1 ] || roam_nat_on random
DOWN=()
[ "$link_down" != 1 ] || DOWN=(down)

RESULTS=() EACH=()
row() { RESULTS+=("$(printf '%-44s %5s %7s %7s %7s %6s' "$@")"); }
# A row that was not measured, and why (one line, no numbers).
row_none() { RESULTS+=("$(printf '%-44s %5s   %s' "$1" - "$2")"); } # NAME WHY

# N moves from the uplink in use to the other and back ..., each with its
# own probe to DEST from SRC; sets MOVE_MS (ms per move) and LEAKS (packets
# from the client outside IKE/ESP during the moves). Each move: probe up
# (a reply first), 0.2 s, the move, the recovery, then 0.5 s for the
# daemons to finish their exchanges (plus ROAM_SETTLE s in roam_move_to
# when the new uplink's address comes back). Ends where it started when N
# is even.
run_moves() { # N DEST SRC
	local i to
	MOVE_MS=()
	roam_leak_start
	for ((i = 0; i < $1; i++)); do
		if [ "$ROAM_AT" = A ]; then to=B; else to=A; fi
		roam_probe_start "$2" "$3" 30
		sleep 0.2
		[ "$nat" != 1 ] || roam_nat_flush "$to"
		roam_move_to "$to" "${DOWN[@]}"
		MOVE_MS+=("$(roam_recovery_ms 10)")
		roam_probe_stop
		sleep 0.5
	done
	LEAKS=$(roam_leaks)
}

# The row for the last run_moves: median, min, max of MOVE_MS.
row_moves() { # NAME
	local stats
	stats=$(printf '%s\n' "${MOVE_MS[@]}" | sort -n | awk '{ v[NR] = $1 }
		END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		      printf "%.1f %d %d", m, v[1], v[NR] }')
	# shellcheck disable=SC2086 # three numbers
	row "$1" "${#MOVE_MS[@]}" $stats "$LEAKS"
	EACH+=("$1: ${MOVE_MS[*]}")
}

# Back to uplink A, unmeasured (after an odd number of moves).
back_to_a() {
	[ "$ROAM_AT" = A ] && return 0
	[ "$nat" != 1 ] || roam_nat_flush A
	roam_move_to A
	sleep 0.5
}

# For each of the last N moves: ms from the instant to the first "requesting
# address change using MOBIKE" in charon's log (local time with ms) at most
# ROAM_SETTLE s before it; negative: charon moved before the instant (its
# reaction to the new address came late, see roam_lib.sh). "-": none.
mobike_after() { # N LOG
	local off
	off=$(date +%z | awk '{ s = substr($1, 1, 1) == "-" ? -1 : 1
		print s * (substr($1, 2, 2) * 3600 + substr($1, 4, 2) * 60) * 1000 }')
	tail -n "$1" "$WORK/roam-moves.log" | while read -r t _; do
		awk -v t="$t" -v off="$off" -v w="$ROAM_SETTLE" '
			/requesting address change using MOBIKE/ {
				split($1, a, /[:.]/); ms = ((a[1] * 60 + a[2]) * 60 + a[3]) * 1000 + a[4]
				d = ms - (t + off) % 86400000
				if (d < -43200000) d += 86400000
				if (d >= -w * 1000) { print d; found = 1; exit }
			}
			END { if (!found) print "-" }' "$2"
	done | paste -sd' '
}

# ---- rows. Each takes the move count, starts and stops its own daemons
# (the e2e helpers bound each to 120 s: stay well inside), and leaves the
# client on uplink A with the gateway's inner address 203.0.113.1 on lo.

row_strongswan_mobike() { # MOVES
	local p n0 n1
	roam_ss_up 1
	ping_ok "$NS_CLI" $GW_IN4 2
	n0=$(grep -c 'requesting address change using MOBIKE' "$WORK/cli/charon.log" || true)
	run_moves "$1" $GW_IN4 "$SS_VIP"
	n1=$(grep -c 'requesting address change using MOBIKE' "$WORK/cli/charon.log" || true)
	[ $((n1 - n0)) -ge "$1" ] || fail "strongSwan: $((n1 - n0)) MOBIKE address changes for $1 moves"
	row_moves "strongSwan 5.9.8 MOBIKE (kernel-libipsec)"
	EACH+=("  (charon asked for MOBIKE after: $(mobike_after "$1" "$WORK/cli/charon.log"))")
	back_to_a
	sw cli "$NS_CLI" --terminate --ike vpn > /dev/null 2>&1 || true
	for p in "${SS_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${SS_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	ip -n "$NS_GW" route del 203.0.113.0/24 2>/dev/null || true
	for p in gw cli; do mv "$WORK/$p" "$WORK/ss-$p"; done
}

# ---- petreld rows: HOOKS, to be filled in when petreld roams. Each gets the
# move count and must report through row_moves (after run_moves) or
# row_none; never a number that was not measured. A sketch of one row:
#   [ "$PETREL_BUILT" = 1 ] || { row_none NAME "petrel did not build"; return 0; }
#   ip -n "$NS_GW" addr del $GW_IN4/32 dev lo      # petrel-gw's TUN holds it
#   gw_conf "  tun: ptgw0 ..."; tun_gw_start "$PETREL_GW"
#   profile roam aes256gcm16 "<the settings that force this method>"
#   petreld_start "$PETRELD"; pt up roam; vip=<from pstatus roam>
#   run_moves "$1" $GW_IN4 "$vip"; row_moves NAME
#   back_to_a; pt down roam; stop petreld and petrel-gw by PID
#   ip -n "$NS_GW" addr add $GW_IN4/32 dev lo
# and check in the logs that the method the row names is the one used.

# ESP Echo only: the IKE and Child SAs stay, petreld probes the new path
# with ESP Echo and the gateway follows the new source (no IKE exchange).
row_petreld_echo() { row_none "petreld: ESP Echo only (same SAs, new path)" "not measured yet"; }
# MOBIKE (RFC 4555): UPDATE_SA_ADDRESSES, as strongSwan's row.
row_petreld_mobike() { row_none "petreld: MOBIKE (UPDATE_SA_ADDRESSES)" "not measured yet"; }
# IKE_SESSION_RESUME (RFC 5723) with the stored ticket.
row_petreld_resume() { row_none "petreld: IKE_SESSION_RESUME (RFC 5723)" "not measured yet"; }
# A new IKE SA from scratch (IKE_SA_INIT + IKE_AUTH).
row_petreld_full() { row_none "petreld: full handshake (new IKE SA)" "not measured yet"; }

for r in row_strongswan_mobike row_petreld_echo row_petreld_mobike row_petreld_resume row_petreld_full; do
	log "$r: $moves moves"
	"$r" "$moves"
done

echo
echo "recovery after an uplink move, ms: from the instant the old route and address are gone to the"
echo "first ping reply through the tunnel whose request left after it (ping every 9 ms); $moves moves A->B->A...,"
echo "$([ "$nat" = 1 ] && echo "behind the router's masquerade" || echo "no NAT")$([ "$link_down" = 1 ] && echo ", old link set down"); $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u '+%Y-%m-%d %H:%M') UTC"
printf '%-44s %5s %7s %7s %7s %6s\n' "client, method" moves median min max leaks
printf '%s\n' "${RESULTS[@]}"
echo "each move (ms):"
printf '  %s\n' "${EACH[@]}"
