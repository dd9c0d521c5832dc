#!/bin/bash
# e2e (roaming): strongSwan 5.9.8's own MOBIKE client (RFC 4555) moving
# between the two uplinks of roam_lib.sh; the anchor for petreld's roaming
# and a check of the harness. strongSwan (kernel-libipsec, PSK) is the
# gateway in the gw namespace and the client in the client namespace.
# Connected over uplink A, ping through the tunnel every 9 ms, then:
#   1. A -> B, no NAT;
#   2. B -> A, the router masquerading (random ports) from now on, A's old
#      flows forgotten first: the gateway sees the client at 198.51.100.254;
#   3. A -> B with link A set down (B's old flows forgotten first);
#   4. B -> A: link A up again, after the router forgot every mapping
#      (the current one too).
# After each move: charon logged "requesting address change using MOBIKE"
# and sent UPDATE_SA_ADDRESSES, both ends list the IKE SA on the new
# addresses (the client's new local address; the gateway's view of it, or
# of the NAT), traffic flows again (the recovery in ms is logged), and the
# router saw no packet from the client outside IKE/ESP.
# Usage: roam_ss.sh PETREL-GW PETRELD PETREL   (root; exit 77 = skipped;
# the petrel binaries are not used: strongSwan on both ends)
set -euo pipefail
CASE=roamss
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/tunnel_lib.sh
. "$(dirname "$0")/tunnel_lib.sh"
# shellcheck source=tests/e2e/roam_lib.sh
. "$(dirname "$0")/roam_lib.sh"
e2e_init strongswan
need_tools nft conntrack ping
roam_topology lo
roam_ss_up 2
ping_ok "$NS_CLI" $GW_IN4
ping_ok "$NS_GW" "$SS_VIP"
read -r l r <<<"$(roam_ss_local cli "$NS_CLI")"
[ "$l $r" = "${CLI}[4500] ${GW}[4500]" ] || fail "before the moves the client's IKE SA is $l - $r: $(cat "$WORK/sas-cli.txt")"
log "connected over uplink A: $l - $r, virtual IP $SS_VIP"
roam_leak_start

# One move and its checks: OPTS (comma-separated) down: set the old link
# down; flushX: roam_nat_flush X first; flush: roam_nat_flush (all). Then
# the client's and the gateway's view of the IKE SA afterwards
# ("address[port]", regular expressions).
RESULTS=()
move() { # A|B OPTS CLIENT-LOCAL GW-SEES-CLIENT WHAT
	local n0 n1 u0 ms l r gs i down=()
	n0=$(grep -c 'requesting address change using MOBIKE' "$WORK/cli/charon.log" || true)
	u0=$(grep -cE 'generating INFORMATIONAL request [0-9]+ \[ .*N\(UPD_SA_ADDR\)' "$WORK/cli/charon.log" || true)
	roam_probe_start $GW_IN4 "$SS_VIP" 30
	sleep 0.2
	case ,$2, in *,down,*) down=(down) ;; esac
	case ,$2, in *,flushA,*) roam_nat_flush A ;; *,flushB,*) roam_nat_flush B ;; *,flush,*) roam_nat_flush ;; esac
	roam_move_to "$1" "${down[@]}"
	ms=$(roam_recovery_ms 10)
	for ((i = 0; i < 30; i++)); do
		n1=$(grep -c 'requesting address change using MOBIKE' "$WORK/cli/charon.log" || true)
		[ "$n1" -le "$n0" ] || break
		sleep 0.1
	done
	[ "$n1" -gt "$n0" ] || fail "$5: charon did not request an address change with MOBIKE"
	for ((i = 0; i < 25; i++)); do
		read -r l r <<<"$(roam_ss_local cli "$NS_CLI")"
		read -r _ gs <<<"$(roam_ss_local gw "$NS_GW")"
		[[ "$l" =~ ^$3$ && "$gs" =~ ^$4$ ]] && break
		sleep 0.2
	done
	[ "$(grep -cE 'generating INFORMATIONAL request [0-9]+ \[ .*N\(UPD_SA_ADDR\)' "$WORK/cli/charon.log")" -gt "$u0" ] \
		|| fail "$5: charon sent no UPDATE_SA_ADDRESSES"
	[[ "$l" =~ ^$3$ ]] || fail "$5: the client's IKE SA is on $l, not $3: $(cat "$WORK/sas-cli.txt")"
	[[ "$gs" =~ ^$4$ ]] || fail "$5: the gateway sees the client at $gs, not $4: $(cat "$WORK/sas-gw.txt")"
	ping_ok "$NS_CLI" $GW_IN4 5
	ping_ok "$NS_GW" "$SS_VIP" 3
	roam_probe_stop
	log "$5: MOBIKE update sent, client $l, gateway sees $gs, traffic again after $ms ms"
	RESULTS+=("$ms")
}

move B "" "$CLI2\[4500\]" "$CLI2\[4500\]" "A -> B"
roam_nat_on random
move A flushA "$CLI\[4500\]" "$RT_GW\[[0-9]+\]" "B -> A behind NAT"
move B down,flushB "$CLI2\[4500\]" "$RT_GW\[[0-9]+\]" "A -> B behind NAT, link A down"
move A flush "$CLI\[4500\]" "$RT_GW\[[0-9]+\]" "B -> A behind NAT, link A up again"

leaks=$(roam_leaks)
[ "$leaks" = 0 ] || fail "$leaks packet(s) left the client outside IKE/ESP during the moves"
# the counter counts: one ping outside the tunnel, to the gateway's underlay address
timeout 5 ip netns exec "$NS_CLI" ping -c1 -W2 -q $GW >/dev/null || fail "underlay ping $GW after the moves failed"
n=$(roam_leaks)
[ "$n" = 1 ] || fail "the leak counter saw $n packets of one ping outside the tunnel (want 1)"
grep -qE 'parsed INFORMATIONAL request [0-9]+ \[ N\(UPD_SA_ADDR\)' "$WORK/gw/charon.log" \
	|| fail "the gateway's log shows no UPDATE_SA_ADDRESSES"
log "PASS: strongSwan 5.9.8 MOBIKE client, 4 uplink moves (2 behind NAT, one with the link down), traffic again after ${RESULTS[*]} ms; no packet outside IKE/ESP, in $(elapsed) s"
