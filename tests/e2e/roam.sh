#!/bin/bash
# e2e (issue 7): petreld roaming between the two uplinks of roam_lib.sh.
# One case per run, chosen by the first argument:
#   a  MOBIKE (RFC 4555) against strongSwan 5.9.8 (kernel-libipsec): A -> B,
#      then B -> A behind the router's NAT: petreld sends
#      UPDATE_SA_ADDRESSES, strongSwan moves the SA, ESP goes from raw ESP
#      to UDP when the NAT appears; same IKE SA throughout.
#   b  resumption (RFC 5723) against petrel-gw (MOBIKE off there), separate
#      transports: A -> B: IKE_SESSION_RESUME on UDP/4500, the resumed SA's
#      IKE in TCP again, the same virtual address, the old SA gone at the
#      gateway; within two round trips plus 100 ms.
#   c  petrel-gw restarted with its SAs lost (killed): with the ticket key it
#      kept (a key file, for the test), the resume succeeds with no other
#      state at the gateway; restarted again with a new key: the ticket is
#      refused (TICKET_NACK) and a full handshake follows.
#   d  NAT rebinding: the router forgets its mappings mid-session; ESP
#      recovers (the gateway follows the client's new port) with no new SA.
#   e  a long sleep (petreld frozen) past the ticket's lifetime with a move
#      meanwhile: the ticket is not used; a full handshake.
#   f  the defaults on both sides (separate transports, MOBIKE) with
#      petrel-gw: A -> B and back behind a NAT by MOBIKE, the update over
#      the new TCP stream; one IKE SA throughout.
#   g  a move to a network that blocks UDP/4500 and ESP: MOBIKE over the new
#      TCP stream, ESP into the stream when ESP Echo goes unanswered.
# (Libreswan 5.2 as a resumption peer: e2e_libreswan, part C.)
# In every case: the time from the move to the first packet through the
# tunnel, `petrel status` saying how the tunnel recovered, and the router
# seeing no packet from the client outside IKE/ESP.
# Usage: roam.sh a|b|c|d|e|f|g PETREL-GW PETRELD PETREL   (root; 77 = skipped)
set -euo pipefail
WHICH=$1
CASE=roam$WHICH
PETREL_GW=$2 PETRELD=$3 PETREL=$4
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/tunnel_lib.sh
. "$(dirname "$0")/tunnel_lib.sh"
# shellcheck source=tests/e2e/roam_lib.sh
. "$(dirname "$0")/roam_lib.sh"
if [ "$WHICH" = a ]; then e2e_init strongswan; else e2e_init none; fi
need_tools nft conntrack ping
[ -c /dev/net/tun ] || skip "no /dev/net/tun"

ECHO="  echo: { interval_ms: 1000, timeout_ms: 300, retries: 3 }"

# petrel-gw with its TUN, tickets, and MOBIKE off unless asked (so a move
# needs resumption)
roam_gw_conf() { # [extra yaml]
	gw_conf "  tun: ptgw0
  tun_address: [$GW_IN4]
  proposals: { ike: [aes256gcm16-prfsha256-x25519], esp: [aes256gcm16] }
  mobike: false
${1:-}"
}

# Until `petrel status` of NAME has FIELD = VALUE (at most SECONDS).
wait_field() { # NAME FIELD VALUE SECONDS
	local st
	for _ in $(seq 1 $(($4 * 10))); do
		st=$(pstatus "$1")
		[ "$(status_field "$st" "$2")" = "$3" ] && return 0
		sleep 0.1
	done
	fail "$1: $2 is not '$3' after $4 s: $st"
}

up_ok() { # NAME
	local out
	out=$(pt up "$1" 2>&1) || fail "$1: petrel up: $out"
	[ "$(status_field "$(pstatus "$1")" state)" = connected ] || fail "$1: not connected: $(pstatus "$1")"
	VIP=$(sed -nE 's/.*"vips":\["([^"]+)".*/\1/p' <<<"$(pstatus "$1")")
	[ -n "$VIP" ] || fail "$1: no virtual address"
	ping_ok "$NS_CLI" $GW_IN4
}

# The checks after a move: recovered by HOW (status), traffic both ways;
# prints the ms from the move to the first probe reply.
recovered() { # NAME HOW
	local ms st
	ms=$(roam_recovery_ms 15)
	wait_field "$1" recovered_by "$2" 10
	st=$(pstatus "$1")
	[ "$(status_field "$st" state)" = connected ] || fail "$1: not connected after the move: $st"
	ping_ok "$NS_CLI" $GW_IN4 3
	ping_ok "$NS_GW" "$(sed -nE 's/.*"vips":\["([^"]+)".*/\1/p' <<<"$st")" 3
	roam_probe_stop
	echo "$ms"
}

no_leaks() {
	local n
	n=$(roam_leaks)
	[ "$n" = 0 ] || fail "$n packet(s) left the client outside IKE/ESP during the moves"
}

# The round trip on the underlay, in ms (the bound for a resume).
underlay_rtt() {
	timeout 5 ip netns exec "$NS_CLI" ping -n -q -c 5 -i 0.05 -W 1 $GW |
		awk -F/ '/^rtt/ { printf "%.3f\n", $5 }'
}

case $WHICH in
a)
	roam_topology lo
	roam_ss_gw
	profile mob aes256gcm16
	petreld_start "$PETRELD"
	up_ok mob
	read -r _ seen <<<"$(roam_ss_local gw "$NS_GW")"
	[[ "$seen" =~ ^$CLI\[[0-9]+\]$ ]] || fail "strongSwan sees the client at $seen before the move"
	spis0=$(sw gw "$NS_GW" --list-sas | grep -oE 'IKEv2, [0-9a-f]+_i\*? [0-9a-f]+_r\*?' | head -1)
	roam_leak_start
	roam_probe_start $GW_IN4 "$VIP" 30
	roam_move_to_b
	ms1=$(recovered mob MOBIKE)
	read -r _ seen <<<"$(roam_ss_local gw "$NS_GW")"
	[[ "$seen" =~ ^$CLI2\[[0-9]+\]$ ]] || fail "strongSwan sees the client at $seen after A -> B, not $CLI2"
	grep -qE 'parsed INFORMATIONAL request [0-9]+ \[ .*N\(UPD_SA_ADDR\)' "$WORK/gw/charon.log" \
		|| fail "strongSwan's log shows no UPDATE_SA_ADDRESSES"
	r1=$(status_field "$(pstatus mob)" recovery_ms)
	log "A -> B: MOBIKE; strongSwan sees ${CLI2}; traffic after $ms1 ms (petreld: recovered in $r1 ms)"
	# back to A, now behind the router's masquerade: NAT detection on the
	# new path; ESP goes in UDP/4500
	# (the masquerade comes on after the probe started: from then on the
	# old path through B is NATed too, which strongSwan would not accept)
	roam_probe_start $GW_IN4 "$VIP" 30
	roam_nat_on random
	roam_nat_flush A
	roam_move_to_a
	ms2=$(recovered mob MOBIKE)
	read -r _ seen <<<"$(roam_ss_local gw "$NS_GW")"
	[[ "$seen" =~ ^$RT_GW\[[0-9]+\]$ ]] || fail "strongSwan sees the client at $seen behind the NAT, not $RT_GW"
	[ "$(status_field "$(pstatus mob)" esp)" = udp ] || fail "ESP is not in UDP behind the NAT: $(pstatus mob)"
	spis1=$(sw gw "$NS_GW" --list-sas | grep -oE 'IKEv2, [0-9a-f]+_i\*? [0-9a-f]+_r\*?' | head -1)
	[ "$spis0" = "$spis1" ] || fail "the IKE SA changed ($spis0 -> $spis1): MOBIKE keeps it"
	no_leaks
	pt down mob >/dev/null
	log "PASS (a): MOBIKE with strongSwan 5.9.8: A -> B $ms1 ms, B -> A behind NAT $ms2 ms (ESP now UDP), same IKE SA, no leak, in $(elapsed) s"
	;;
b)
	roam_topology tun
	roam_gw_conf
	tun_gw_start "$PETREL_GW"
	profile res aes256gcm16 "$ECHO
  transport: separate"
	petreld_start "$PETRELD"
	rtt=$(underlay_rtt) # before: the kill switch lets only IKE and ESP out to the gateway
	up_ok res
	wait_for "$WORK/petreld.log" "resumption ticket received" 5 || fail "petreld got no ticket"
	st=$(stat -c '%a' "$WORK/state/tickets/res.ticket" 2>/dev/null) || fail "no ticket file in $WORK/state/tickets"
	[ "$st" = 600 ] || fail "the ticket file has mode $st, not 600"
	[ "$(status_field "$(pstatus res)" ike)" = tcp ] || fail "IKE is not in TCP: $(pstatus res)"
	roam_leak_start
	roam_probe_start $GW_IN4 "$VIP" 30
	roam_move_to_b
	ms=$(recovered res resume)
	st=$(pstatus res)
	r=$(status_field "$st" recovery_ms)
	[ "$(status_field "$st" ike)" = tcp ] || fail "the resumed SA's IKE is not in TCP: $st"
	vip2=$(sed -nE 's/.*"vips":\["([^"]+)".*/\1/p' <<<"$st")
	[ "$vip2" = "$VIP" ] || fail "the virtual address changed: $VIP -> $vip2"
	wait_for "$WORK/gw.log" "IKE_SESSION_RESUME from $CLI2" 1 || fail "petrel-gw saw no IKE_SESSION_RESUME from $CLI2"
	wait_for "$WORK/gw.log" "resumes .* \\(its virtual addresses carry over\\)" 1 || fail "petrel-gw did not tie the resume to the old SA"
	wait_for "$WORK/gw.log" "resumed; .* ends" 1 || fail "petrel-gw kept the old SA"
	# RFC 5723 on UDP/4500, then IKE_AUTH in the stream
	grep -q "IKE_SESSION_RESUME from $CLI2:[0-9]* over TCP" "$WORK/gw.log" && fail "IKE_SESSION_RESUME came over TCP"
	bound=$(awk -v r="$rtt" 'BEGIN { printf "%d", 2 * r + 100 + 0.999 }')
	[ "$r" -le "$bound" ] || fail "the resume took $r ms, more than two round trips ($rtt ms each) plus 100 ms"
	# from the move itself (the change settling, 40 ms, and the probe's 9 ms
	# spacing included), with room for a loaded machine
	[ "$ms" -le 200 ] || fail "traffic came back $ms ms after the move (more than 200 ms)"
	human=$(pt status)
	grep -qE "last change: +network changed .*; recovered by resume in [0-9]+ ms" <<<"$human" \
		|| fail "petrel status does not say how the tunnel recovered: $human"
	# the ticket was used: a new one replaced it
	wait_for "$WORK/petreld.log" "resumption ticket received" 5
	[ "$(grep -c 'resumption ticket received' "$WORK/petreld.log")" -ge 2 ] || fail "no new ticket after the resume"
	no_leaks
	pt down res >/dev/null
	[ ! -e "$WORK/state/tickets/res.ticket" ] || fail "the ticket file outlived petrel down"
	log "PASS (b): resumption over separate transports: traffic after $ms ms from the move (petreld: resumed in $r ms; bound $bound ms with RTT $rtt ms); same virtual address $VIP; old SA gone; ticket 0600, deleted on down; no leak, in $(elapsed) s"
	;;
c)
	roam_topology tun
	roam_gw_conf "  tickets: { lifetime_s: 600, key_file: $WORK/ticket.key }"
	tun_gw_start "$PETREL_GW"
	profile res aes256gcm16 "$ECHO
  transport: separate"
	petreld_start "$PETRELD"
	up_ok res
	wait_for "$WORK/petreld.log" "resumption ticket received" 5 || fail "petreld got no ticket"
	[ "$(stat -c %a "$WORK/ticket.key")" = 600 ] || fail "the gateway's key file is not 0600"
	roam_leak_start
	restart_gw() { # why
		kill -9 "$GW_REAL_PID"
		wait "$GW_PID" 2>/dev/null || true
		mv "$WORK/gw.log" "$WORK/gw-$1.log"
		tun_gw_start "$PETREL_GW"
	}
	# 1. killed and restarted with the same ticket key: the stream breaks,
	# the gateway answers INVALID_IKE_SPI, petreld resumes
	roam_probe_start $GW_IN4 "$VIP" 30
	t=${EPOCHREALTIME//[!0-9]/}; ROAM_T=${t:0:${#t}-3}
	restart_gw killed1
	ms1=$(recovered res resume)
	grep -q "resumes an IKE SA this gateway no longer has" "$WORK/gw.log" \
		|| fail "the restarted gateway did not resume from the ticket alone"
	grep -q "does not know the IKE SA\\|INVALID_IKE_SPI" "$WORK/petreld.log" || fail "petreld did not hear INVALID_IKE_SPI"
	# 2. again, with a new key: TICKET_NACK, full handshake
	wait_for "$WORK/petreld.log" "resumption ticket received" 5
	rm -f "$WORK/ticket.key"
	roam_probe_start $GW_IN4 "$VIP" 30
	t=${EPOCHREALTIME//[!0-9]/}; ROAM_T=${t:0:${#t}-3}
	restart_gw killed2
	ms2=$(recovered res "full handshake")
	grep -q "ticket of [0-9]* octets refused" "$WORK/gw.log" || fail "the gateway with a new key did not refuse the ticket"
	grep -q "resumption refused by the gateway: full handshake" "$WORK/petreld.log" || fail "petreld did not fall back after TICKET_NACK"
	no_leaks
	pt down res >/dev/null
	log "PASS (c): gateway killed and restarted: same ticket key -> resumed (traffic after $ms1 ms), new key -> TICKET_NACK and a full handshake (traffic after $ms2 ms); no leak, in $(elapsed) s"
	;;
d)
	roam_topology tun
	roam_nat_on random
	roam_gw_conf
	tun_gw_start "$PETREL_GW"
	profile nat aes256gcm16 "$ECHO
  transport: separate"
	petreld_start "$PETRELD"
	up_ok nat
	[ "$(status_field "$(pstatus nat)" esp)" = udp ] || fail "ESP is not in UDP behind the NAT: $(pstatus nat)"
	n0=$(grep -c 'IKE SA established with' "$WORK/gw.log")
	roam_leak_start
	roam_probe_start $GW_IN4 "$VIP" 30
	# new UDP flows leave from ports 40000-40999 (one atomic nft transaction,
	# so no packet meets the chain empty), then every mapping is forgotten:
	# the client's next packet surely gets another port
	ip netns exec "$NS_RT" nft -f - <<-EOF
		flush chain ip pte2e_nat post
		add rule ip pte2e_nat post iifname { "r-cli", "r-cli2" } oifname "r-gw" meta l4proto udp masquerade to :40000-40999
		add rule ip pte2e_nat post iifname { "r-cli", "r-cli2" } oifname "r-gw" masquerade
	EOF
	roam_nat_flush
	t=${EPOCHREALTIME//[!0-9]/}; ROAM_T=${t:0:${#t}-3}
	ms=$(roam_recovery_ms 10)
	roam_probe_stop
	if ! wait_for "$WORK/gw.log" "the peer's ESP now comes from $RT_GW:40[0-9]{3}" 10; then
		ip netns exec "$NS_RT" conntrack -L > "$WORK/conntrack.log" 2>&1 || true
		gw_stats
		fail "petrel-gw did not follow the client's new port (gw rx_packets=$ST_rx_packets, esp_rx_no_sa=$ST_esp_rx_no_sa; router: $(tr '\n' ';' < "$WORK/conntrack.log"))"
	fi
	ping_ok "$NS_GW" "$VIP" 3
	[ "$(grep -c 'IKE SA established with' "$WORK/gw.log")" = "$n0" ] || fail "a new IKE SA was made for a NAT rebinding"
	no_leaks
	log "PASS (d): NAT rebinding: ESP followed to the new port, traffic after $ms ms, same IKE SA; no leak, in $(elapsed) s"
	;;
e)
	roam_topology tun
	roam_gw_conf "  tickets: { lifetime_s: 4 }"
	tun_gw_start "$PETREL_GW"
	profile slp aes256gcm16 "$ECHO"
	petreld_start "$PETRELD"
	up_ok slp
	wait_for "$WORK/petreld.log" "resumption ticket received .*lifetime 4 s" 5 || fail "petreld got no 4 s ticket"
	pid=$(pgrep -P "$PETRELD_PID" -x petreld) || fail "cannot find petreld's process (child of $PETRELD_PID)"
	roam_leak_start
	kill -STOP "$pid"
	roam_move_to_b
	sleep 8
	kill -CONT "$pid"
	wait_field slp recovered_by "full handshake" 15
	grep -q "the resumption ticket has expired" "$WORK/petreld.log" || fail "petreld did not say the ticket expired"
	# RFC 7296 2.4: the new IKE SA says INITIAL_CONTACT; petrel-gw retires
	# the abandoned one and the client keeps its virtual address
	wait_for "$WORK/gw.log" "INITIAL_CONTACT: .* of the same client ends" 5 || fail "petrel-gw did not retire the old SA"
	vip2=$(sed -nE 's/.*"vips":\["([^"]+)".*/\1/p' <<<"$(pstatus slp)")
	[ "$vip2" = "$VIP" ] || fail "the virtual address changed after the full handshake: $VIP -> $vip2"
	ping_ok "$NS_CLI" $GW_IN4 3
	no_leaks
	log "PASS (e): frozen 8 s past a 4 s ticket, moved meanwhile: the expired ticket was not used, a full handshake recovered ($(status_field "$(pstatus slp)" recovery_ms) ms after waking); no leak, in $(elapsed) s"
	;;
f)
	# the defaults on both sides: separate transports and MOBIKE agreed
	roam_topology tun
	gw_conf "  tun: ptgw0
  tun_address: [$GW_IN4]
  proposals: { ike: [aes256gcm16-prfsha256-x25519], esp: [aes256gcm16] }"
	tun_gw_start "$PETREL_GW"
	profile def aes256gcm16 "$ECHO"
	petreld_start "$PETRELD"
	up_ok def
	[ "$(status_field "$(pstatus def)" ike)" = tcp ] || fail "IKE is not in TCP: $(pstatus def)"
	roam_leak_start
	roam_probe_start $GW_IN4 "$VIP" 30
	roam_move_to_b
	ms1=$(recovered def MOBIKE)
	wait_for "$WORK/gw.log" "the client moved to $CLI2" 1 || fail "petrel-gw did not log the MOBIKE update from $CLI2"
	st=$(pstatus def)
	[ "$(status_field "$st" ike)" = tcp ] || fail "IKE is not in TCP after the move: $st"
	r1=$(status_field "$st" recovery_ms)
	roam_nat_on random
	roam_probe_start $GW_IN4 "$VIP" 30
	roam_move_to_a
	ms2=$(recovered def MOBIKE)
	st=$(pstatus def)
	[ "$(status_field "$st" esp)" = udp ] || fail "ESP is not in UDP behind the NAT: $st"
	[ "$(grep -c 'IKE SA established with' "$WORK/gw.log")" = 1 ] || fail "a new IKE SA was made"
	no_leaks
	log "PASS (f): defaults (separate transports, MOBIKE): A -> B by MOBIKE over the new TCP stream, traffic after $ms1 ms (petreld $r1 ms); B -> A behind NAT, traffic after $ms2 ms, ESP in UDP; one IKE SA; no leak, in $(elapsed) s"
	;;
g)
	# a move to a network that blocks UDP/4500: the defaults (separate
	# transports, MOBIKE) move the SA over the new TCP stream, and ESP
	# Echo, unanswered over UDP, moves ESP into the stream
	roam_topology tun
	gw_conf "  tun: ptgw0
  tun_address: [$GW_IN4]
  proposals: { ike: [aes256gcm16-prfsha256-x25519], esp: [aes256gcm16] }"
	tun_gw_start "$PETREL_GW"
	profile def aes256gcm16 "$ECHO"
	petreld_start "$PETRELD"
	up_ok def
	fw_init
	block udpb iifname r-cli2 udp dport 4500 drop
	block espb iifname r-cli2 ip protocol esp drop
	roam_leak_start
	roam_probe_start $GW_IN4 "$VIP" 30
	roam_move_to_b
	ms=$(roam_recovery_ms 15)
	wait_field def esp tcp 10
	wait_field def recovered_by MOBIKE 5
	ping_ok "$NS_CLI" $GW_IN4 3
	ping_ok "$NS_GW" "$VIP" 3
	roam_probe_stop
	[ "$(grep -c 'IKE SA established with' "$WORK/gw.log")" = 1 ] || fail "a new IKE SA was made"
	no_leaks
	log "PASS (g): moved to a network without UDP/4500: MOBIKE over the new TCP stream, ESP into the stream, traffic after $ms ms; one IKE SA; no leak, in $(elapsed) s"
	;;
*) fail "unknown case '$WHICH'" ;;
esac
