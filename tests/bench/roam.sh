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
# Rows (one namespace set for all; 203.0.113.1 on the gateway's lo for the
# strongSwan gateway, on petrel-gw's TUN for the petrel-gw rows):
#   strongSwan 5.9.8 MOBIKE: charon as the client (kernel-libipsec, MOBIKE,
#     kernel-netlink sees the change) and as the gateway, PSK;
#   petreld -> strongSwan 5.9.8 gw, MOBIKE: petreld (default profile;
#     charon does not take SEPARATE_TRANSPORTS, so IKE on UDP) against the
#     same charon gateway (tests/e2e/roam.sh case a);
#   petreld -> petrel-gw (Release, PSK, aes256gcm16, log level info):
#     echo, two rows where the client's address stays (no move; run_same):
#       link flap: uplink A's link down for BENCH_FLAP_MS (300) ms and up
#       again with its default route (a Wi-Fi reconnect to the same
#       network), the instant when it is back; default route again: the
#       default route deleted and added back in one batch (no outage);
#       separate transports, echo { interval_ms: 0, timeout_ms: 300,
#       retries: 3 } (as e2e_transport_f);
#     MOBIKE with the defaults of both (separate transports: the update
#       over a new TCP stream), and with transport: udp;
#     resume: petrel-gw with mobike: false (tickets on), resume: true;
#     full handshake: petrel-gw with mobike: false, resume: false; the
#       gateway still holds the old SA, so petreld gets another tunnel
#       address each time and the probe follows it (follow_vip: the figure
#       is then an upper bound, by up to ~20 ms).
#   For every petreld move, `petrel status --json` must say recovered_by
#   the row's method (read once petreld logged a recovery after the move's
#   instant); a move recovered otherwise is listed and not counted. The
#   "petreld" column is the median of status's recovery_ms: petreld's own
#   clock (libuv's, ms), from when it acts on the network change (its
#   netlink events settle 40 ms first) to the recovery. Below the table:
#   where IKE and ESP ran before and after each petreld row's moves.
# BENCH_NAT=1: the router masquerades (random ports) and forgets the
# target uplink's mappings before each move. BENCH_LINK_DOWN=1: the old
# link is also set down at each move.
# Not a ctest test: a benchmark, run by hand as root (about 3.5 min with a
# built tree and 10 moves; each row's daemons are bounded to 120 s).
# petrel is built in Release (-O2, no sanitizers) into BENCH_BUILD (default
# build-bench-roam) for the petreld rows. Namespaces pte2e-benchroam-*,
# removed on exit (BENCH_KEEP=1 keeps the logs in /tmp/pte2e-benchroam-*).
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${BENCH_BUILD:-$src/build-bench-roam}
moves=${BENCH_MOVES:-10}
case $moves in '' | *[!0-9]*) echo "roam: BENCH_MOVES must be a number" >&2; exit 2 ;; esac
{ [ "$moves" -ge 2 ] && [ "$moves" -le 20 ]; } || { echo "roam: BENCH_MOVES must be 2-20" >&2; exit 2; }
flap_ms=${BENCH_FLAP_MS:-300}
case $flap_ms in '' | *[!0-9]*) echo "roam: BENCH_FLAP_MS must be a number" >&2; exit 2 ;; esac
{ [ "$flap_ms" -ge 10 ] && [ "$flap_ms" -le 1500 ]; } || { echo "roam: BENCH_FLAP_MS must be 10-1500" >&2; exit 2; }
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
if cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" \
	-DPETREL_SANITIZE=OFF -DPETREL_FUZZ=OFF -DPETREL_TIERS=OFF > /tmp/pte2e-benchroam-build.log 2>&1 &&
	cmake --build "$build" -j2 --target petreld petrel petrel-gw >> /tmp/pte2e-benchroam-build.log 2>&1; then
	PETREL_BUILT=1
else
	log "petrel did not build (/tmp/pte2e-benchroam-build.log); the strongSwan row still runs"
fi
PETREL_GW=$build/src/gw/petrel-gw PETRELD=$build/src/daemon/petreld PETREL=$build/cli/petrel

e2e_init strongswan
[ -c /dev/net/tun ] || skip "no /dev/net/tun"
roam_topology lo
[ "$nat" != 1 ] || roam_nat_on random
DOWN=()
[ "$link_down" != 1 ] || DOWN=(down)

RESULTS=() EACH=()
FMT='%-50s %5s %7s %7s %7s %7s %6s'
# shellcheck disable=SC2059 # the format is ours
row() { RESULTS+=("$(printf "$FMT" "$@")"); } # NAME MOVES MEDIAN MIN MAX PETRELD LEAKS
# A row that was not measured, and why (one line, no numbers).
row_none() { RESULTS+=("$(printf '%-50s %5s   %s' "$1" - "$2")"); } # NAME WHY

# "median min max" of the numbers given (median with one decimal).
med_min_max() { # N...
	printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 }
		END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		      printf "%.1f %d %d", m, v[1], v[NR] }'
}

# N moves from the uplink in use to the other and back ..., each with its
# own probe to DEST from SRC; sets MOVE_MS (ms per move) and LEAKS (packets
# from the client outside IKE/ESP during the moves). Each move: probe up
# (a reply first), 0.2 s, the new uplink made ready (its address, then
# ROAM_SETTLE s), CHECK pre, the move, the recovery, CHECK post MS (which
# may refuse the move: then it is not in MOVE_MS), then 0.5 s for the
# daemons to finish their exchanges. Ends where it started when N is even.
# CHECK (optional) is a petreld row's check (pd_check). FOLLOW_VIP=1: the
# tunnel's address may change at a move (follow_vip).
FOLLOW_VIP=0 CUR_SRC="" VIP_CHANGES=() OTHER_HOW=()
run_moves() { # N DEST SRC [CHECK]
	local i to ms
	MOVE_MS=() OWN_MS=() OTHER=() OTHER_HOW=() VIP_CHANGES=()
	CUR_SRC=$3
	roam_leak_start
	for ((i = 0; i < $1; i++)); do
		if [ "$ROAM_AT" = A ]; then to=B; else to=A; fi
		roam_probe_start "$2" "$CUR_SRC" 30
		sleep 0.2
		[ "$nat" != 1 ] || roam_nat_flush "$to"
		_roam_ready "$to"
		[ -z "${4:-}" ] || "$4" pre
		roam_move_to "$to" "${DOWN[@]}"
		[ "$FOLLOW_VIP" != 1 ] || follow_vip "$2"
		ms=$(roam_recovery_ms 10)
		if [ -z "${4:-}" ] || "$4" post "$ms" "$((i + 1))"; then MOVE_MS+=("$ms"); fi
		roam_probe_stop
		sleep 0.5
	done
	LEAKS=$(roam_leaks)
}

# After a move, until the probe has a reply from after the instant (10 s at
# most): when petreld's TUN (petrel0) has another address than CUR_SRC (a
# full handshake gets a new one while petrel-gw still holds the old SA), a
# new probe from it (roam_probe_start; the move's figure is then its first
# reply: an upper bound, with up to ~20 ms of noticing the address and
# starting ping). Appends "OLD->NEW" to VIP_CHANGES.
follow_vip() { # DEST
	local i a
	for ((i = 0; i < 700; i++)); do
		[ -z "$(_roam_first_reply "$ROAM_T")" ] || return 0
		a=$(ip -n "$NS_CLI" -4 -o addr show dev petrel0 2>/dev/null \
			| sed -nE 's/.* inet (203\.0\.113\.[0-9]+)\/.*/\1/p' | head -1) || true
		if [ -n "$a" ] && [ "$a" != "$CUR_SRC" ]; then
			log "roam: the tunnel's address is now $a (was $CUR_SRC): probing from it"
			VIP_CHANGES+=("$CUR_SRC->$a")
			CUR_SRC=$a
			roam_probe_start "$1" "$a" 30
			return 0
		fi
		sleep 0.01
	done
}

# N changes on uplink A that keep the client's address (no move), each
# with its own probe as in run_moves; the instant (ROAM_T) is when one
# `ip -batch` has made the change:
#   flap   the link set down, BENCH_FLAP_MS (300) later up again with its
#          default route (a Wi-Fi reconnect to the same network); the
#          instant is when it is back, the time it was down is not counted;
#   route  the default route deleted and added again, the same (a DHCP
#          renewal putting it back): no outage, so the figure is the wait
#          for the next probe (0-9 ms); it shows that nothing broke.
run_same() { # flap|route N DEST SRC CHECK
	local i ms t mode=$1
	shift
	[ "$ROAM_AT" = A ] || fail "run_same: not on uplink A"
	MOVE_MS=() OWN_MS=() OTHER=() OTHER_HOW=()
	roam_leak_start
	case $mode in
	flap) printf '%s\n' "link set c-eth up" ;;
	route) printf '%s\n' "route del default via $RT_CLI dev c-eth" ;;
	esac > "$WORK/same.batch"
	echo "route add default via $RT_CLI dev c-eth metric ${ROAM_METRIC[A]}" >> "$WORK/same.batch"
	for ((i = 0; i < $1; i++)); do
		roam_probe_start "$2" "$3" 30
		sleep 0.2
		"$4" pre
		if [ "$mode" = flap ]; then
			ip -n "$NS_CLI" link set c-eth down
			sleep "$(awk -v m="$flap_ms" 'BEGIN { printf "%.3f", m / 1000 }')"
		fi
		ip -n "$NS_CLI" -batch "$WORK/same.batch" > "$WORK/same.out" 2>&1 \
			|| fail "roam: $mode on c-eth failed: $(cat "$WORK/same.out")"
		t=${EPOCHREALTIME//[!0-9]/}
		ROAM_T=${t:0:${#t}-3}
		echo "$ROAM_T A A" >> "$WORK/roam-moves.log"
		log "roam: $mode on c-eth ($CLI stays) at $ROAM_T ms"
		ms=$(roam_recovery_ms 10)
		if "$4" post "$ms" "$((i + 1))"; then MOVE_MS+=("$ms"); fi
		roam_probe_stop
		sleep 0.5
	done
	LEAKS=$(roam_leaks)
}
run_flaps() { run_same flap "$@"; }
run_route() { run_same route "$@"; }

# The row for the last run_moves: median, min, max of MOVE_MS, petreld's
# own median (OWN_MS), the leaks; the moves recovered otherwise (OTHER)
# are named below the table.
row_moves() { # NAME
	local own=-
	if [ "${#MOVE_MS[@]}" = 0 ]; then
		row_none "$1" "none counted: $(printf '%s\n' "${OTHER_HOW[@]}" | sort | uniq -c \
			| awk '{ n = $1; $1 = ""; printf "%s%d by%s", s, n, $0; s = ", " }') (below)"
		EACH+=("$1: none counted")
		EACH+=("  NOT COUNTED (${#OTHER[@]}): ${OTHER[*]}")
		return 0
	fi
	[ "${#OWN_MS[@]}" = 0 ] || own=$(med_min_max "${OWN_MS[@]}" | cut -d' ' -f1)
	# shellcheck disable=SC2046 # three numbers
	row "$1" "${#MOVE_MS[@]}" $(med_min_max "${MOVE_MS[@]}") "$own" "$LEAKS"
	EACH+=("$1: ${MOVE_MS[*]}")
	[ "${#OWN_MS[@]}" = 0 ] || EACH+=("  (petreld's recovery_ms: ${OWN_MS[*]})")
	[ "${#OTHER[@]}" = 0 ] || EACH+=("  NOT COUNTED (${#OTHER[@]}): ${OTHER[*]}")
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

# ---- petreld rows

# The check of every petreld move (run_moves' CHECK), for profile PD_NAME
# and method PD_WANT:
#   pre   (new uplink ready, just before the instant) waits until petreld is
#         not recovering (it checks the path after the new address, 5 s at
#         most), for the resume row until it holds a ticket again (the file
#         in its state directory; 5 s), and counts petreld's "recovered
#         from" log lines;
#   post MS I  (a reply came back) waits until petreld logged a recovery
#         after that count and is no longer recovering (10 s at most), then
#         reads recovered_by and recovery_ms from `petrel status --json`:
#         the row's method adds recovery_ms to OWN_MS; anything else goes to
#         OTHER and the move is refused (returns 1).
PD_NAME='' PD_WANT='' PD_N0=0
pd_check() { # pre | post MS I
	local st='' how own n=0 i first
	case $1 in
	pre)
		for ((i = 0; i < 50; i++)); do
			st=$(pstatus "$PD_NAME")
			[ "$(status_field "$st" recovering)" = null ] && break
			sleep 0.1
		done
		if [ "$PD_WANT" = resume ]; then
			for ((i = 0; i < 50; i++)); do
				[ -s "$WORK/state/tickets/$PD_NAME.ticket" ] && break
				sleep 0.1
			done
		fi
		PD_N0=$(grep -c 'recovered from' "$WORK/petreld.log" || true)
		;;
	post)
		for ((i = 0; i < 100; i++)); do
			n=$(grep -c 'recovered from' "$WORK/petreld.log" || true)
			if [ "$n" -gt "$PD_N0" ]; then
				st=$(pstatus "$PD_NAME")
				[ "$(status_field "$st" recovering)" != null ] || break
			fi
			sleep 0.1
		done
		if [ "$n" -le "$PD_N0" ]; then
			OTHER+=("#$3 ($2 ms): petreld logged no recovery in 10 s;")
			OTHER_HOW+=("(none logged)")
			return 1
		fi
		how=$(status_field "$st" recovered_by)
		own=$(status_field "$st" recovery_ms)
		first=$(grep 'recovered from' "$WORK/petreld.log" | sed -n "$((PD_N0 + 1))p" \
			| sed -nE 's/.* by (.+) in [0-9]+ ms$/\1/p')
		[ "$first" = "$how" ] || log "$PD_NAME: move $3: first recovery logged '$first', status says '$how' ($((n - PD_N0)) recoveries)"
		if [ "$how" != "$PD_WANT" ]; then
			OTHER+=("#$3 ($2 ms): recovered_by '$how' in $own ms;")
			OTHER_HOW+=("$how")
			log "$PD_NAME: move $3 recovered by '$how', not $PD_WANT: not counted"
			return 1
		fi
		OWN_MS+=("$own")
		;;
	esac
}

# petreld up with profile NAME (profile() written first); sets VIP. The
# control socket of an earlier petreld goes first (petreld_start waits for it).
pd_up() { # NAME
	local out st
	rm -f "$WORK/control.sock"
	petreld_start "$PETRELD"
	out=$(pt up "$1" 2>&1) || fail "$1: petrel up: $out"
	st=$(pstatus "$1")
	[ "$(status_field "$st" state)" = connected ] || fail "$1: not connected: $st"
	VIP=$(sed -nE 's/.*"vips":\["([^"]+)".*/\1/p' <<<"$st")
	[ -n "$VIP" ] || fail "$1: no virtual address: $st"
	ping_ok "$NS_CLI" $GW_IN4 2
}

# petreld down and stopped; its log kept as petreld-NAME.log.
pd_down() { # NAME
	pt down "$1" > /dev/null 2>&1 || log "$1: petrel down failed"
	kill -TERM "$PETRELD_PID" 2>/dev/null || true
	wait "$PETRELD_PID" 2>/dev/null || true
	mv "$WORK/petreld.log" "$WORK/petreld-$1.log"
}

# petrel-gw with its TUN (203.0.113.1 moves from lo to it), log level info,
# the row's extra settings.
ptgw_start() { # [extra yaml]
	ip -n "$NS_GW" addr del $GW_IN4/32 dev lo
	gw_conf "  tun: ptgw0
  tun_address: [$GW_IN4]
  proposals: { ike: [aes256gcm16-prfsha256-x25519], esp: [aes256gcm16] }
${1:-}"
	sed -i 's/^  log_level: debug$/  log_level: info/' "$WORK/gw.yaml"
	tun_gw_start "$PETREL_GW"
}

ptgw_stop() { # NAME (the log is kept as gw-NAME.log)
	kill -TERM "$GW_PID" 2>/dev/null || true
	wait "$GW_PID" 2>/dev/null || true
	mv "$WORK/gw.log" "$WORK/gw-$1.log"
	ip -n "$NS_GW" addr add $GW_IN4/32 dev lo
}

# Where IKE and ESP run after a petreld row's moves, and the tunnel
# addresses it went through (a note below the table).
pd_note() { # NAME BEFORE (pstatus before the moves)
	local st
	st=$(pstatus "$1")
	EACH+=("  (IKE $(status_field "$2" ike), ESP $(status_field "$2" esp) before the moves; after: IKE $(status_field "$st" ike), ESP $(status_field "$st" esp)$(
		[ "${#VIP_CHANGES[@]}" = 0 ] || echo "; the tunnel's address changed: ${VIP_CHANGES[*]}"))")
}

# A petreld row against petrel-gw: gateway settings GWYAML, profile NAME
# with the extra lines PROF, METHOD each move must be recovered by; IKE on
# WANT_IKE (tcp: separate transports agreed; udp). MOVER: run_moves,
# run_flaps or run_route.
pd_row() { # MOVES TITLE NAME METHOD WANT_IKE GWYAML PROF MOVER
	local st
	[ "$PETREL_BUILT" = 1 ] || { row_none "$2" "petrel did not build"; return 0; }
	ptgw_start "$6"
	profile "$3" aes256gcm16 "$7"
	pd_up "$3"
	st=$(pstatus "$3")
	[ "$(status_field "$st" ike)" = "$5" ] || fail "$3: IKE is not on $5: $st"
	PD_NAME=$3 PD_WANT=$4
	"$8" "$1" $GW_IN4 "$VIP" pd_check
	row_moves "$2"
	pd_note "$3" "$st"
	back_to_a
	pd_down "$3"
	ptgw_stop "$3"
}

ECHO0="  echo: { interval_ms: 0, timeout_ms: 300, retries: 3 }"
# ESP Echo only: the address stays; the IKE and Child SAs stay, petreld
# probes the path with ESP Echo. Two rows: the link down and up again, and
# the default route put back.
row_petreld_echo() {
	pd_row "$1" "petreld -> petrel-gw: echo (link flap $flap_ms ms)" echo echo tcp "" "$ECHO0" run_flaps
	pd_row "$1" "petreld -> petrel-gw: echo (default route again)" echort echo tcp "" "$ECHO0" run_route
}
# MOBIKE (RFC 4555): UPDATE_SA_ADDRESSES, as strongSwan's row; the defaults
# of both sides (separate transports: the update over a new TCP stream),
# then the same with transport: udp (IKE and ESP on UDP/4500 or raw ESP).
row_petreld_mobike() {
	pd_row "$1" "petreld -> petrel-gw: MOBIKE, separate transports" mob MOBIKE tcp "" "" run_moves
	pd_row "$1" "petreld -> petrel-gw: MOBIKE, transport: udp" mobudp MOBIKE udp "" \
		"  transport: udp" run_moves
}
# IKE_SESSION_RESUME (RFC 5723) with the stored ticket (MOBIKE off at the
# gateway; separate transports).
row_petreld_resume() {
	pd_row "$1" "petreld -> petrel-gw: resume (RFC 5723)" res resume tcp "  mobike: false" "" run_moves
}
# A new IKE SA from scratch (IKE_SA_INIT + IKE_AUTH): MOBIKE off at the
# gateway, no ticket asked for. petrel-gw still holds the old SA and its
# address, so each handshake gets another one (FOLLOW_VIP).
row_petreld_full() {
	FOLLOW_VIP=1
	pd_row "$1" "petreld -> petrel-gw: full handshake" full "full handshake" tcp "  mobike: false" \
		"  resume: false" run_moves
	FOLLOW_VIP=0
}

# MOBIKE against strongSwan 5.9.8 as the gateway (the anchor row's
# gateway; tests/e2e/roam.sh case a), 203.0.113.1 on lo.
row_petreld_ss_mobike() {
	local title="petreld -> strongSwan 5.9.8 gw: MOBIKE" st
	[ "$PETREL_BUILT" = 1 ] || { row_none "$title" "petrel did not build"; return 0; }
	roam_ss_gw 1
	local ss_pid=${PIDS[-1]}
	profile mobss aes256gcm16
	pd_up mobss
	st=$(pstatus mobss)
	[ "$(status_field "$st" ike)" = udp ] || fail "mobss: IKE is not on UDP with strongSwan: $st"
	PD_NAME=mobss PD_WANT=MOBIKE
	run_moves "$1" $GW_IN4 "$VIP" pd_check
	row_moves "$title"
	pd_note mobss "$st"
	back_to_a
	pd_down mobss
	kill -TERM "$ss_pid" 2>/dev/null || true
	wait "$ss_pid" 2>/dev/null || true
	ip -n "$NS_GW" route del 203.0.113.0/24 2>/dev/null || true
	mv "$WORK/gw" "$WORK/pss-gw"
}

print_table() {
	echo
	echo "recovery after an uplink move, ms: from the instant the old route and address are gone (echo: the link is up"
	echo "again) to the first ping reply through the tunnel whose request left after it (ping every 9 ms); $moves moves"
	echo "A->B->A... (echo: link flaps of $flap_ms ms), $([ "$nat" = 1 ] && echo "behind the router's masquerade" || echo "no NAT")$([ "$link_down" = 1 ] && echo ", old link set down"); petreld: median of its status recovery_ms"
	echo "($(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u '+%Y-%m-%d %H:%M') UTC)"
	# shellcheck disable=SC2059 # the format is ours
	printf "$FMT\n" "client -> gateway: method" moves median min max petreld leaks
	printf '%s\n' "${RESULTS[@]}"
	echo "each move (ms):"
	printf '  %s\n' "${EACH[@]}"
}

for r in row_strongswan_mobike row_petreld_ss_mobike row_petreld_echo row_petreld_mobike \
	row_petreld_resume row_petreld_full; do
	log "$r: $moves moves"
	"$r" "$moves"
done
print_table
