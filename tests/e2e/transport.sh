#!/bin/bash
# e2e (issue 5): where IKE and ESP run, petreld <-> petrel-gw, with nftables
# rules in the router namespace (the client is behind its masquerade, so
# ESP goes in UDP/4500). One case per run, chosen by the first argument:
#   a  all open: separate transports (IKE_SA_INIT on UDP, IKE in TCP),
#      ESP on UDP checked by ESP Echo; traffic flows; no ESP in the stream.
#   b  UDP/4500 dropped after setup: the probes go unanswered, ESP moves into
#      the TCP stream, traffic flows; the loss during the move is counted
#      and bounded; UDP reopens: ESP moves back.
#   c  TCP/4500 dropped: tcp_blocked: udp starts again on UDP without
#      SEPARATE_TRANSPORTS and connects; tcp_blocked: fail says why it failed.
#   d  UDP blocked from the start: transport: tcp connects (IKE and ESP in
#      TCP), and auto falls back to it.
#   e  a TCP reset mid-session (transport: tcp): the stream is reopened, the
#      SAs survive (same SPIs), traffic flows again.
#   f  a network change in the client namespace (a second address, then a
#      new default route): petreld notices it (its own TUN, addresses and
#      routes do not count), probes ESP again at once, and says so.
#   g  NAT rebinding: the router forgets its mappings and maps new flows to
#      other ports; petrel-gw follows the client's ESP to its new port (an
#      authentic data packet moves it) and traffic flows both ways again.
# Usage: transport.sh a|b|c|d|e|f|g PETREL-GW PETRELD PETREL   (root; 77 = skipped)
set -euo pipefail
WHICH=$1
CASE=tr$WHICH
PETREL_GW=$2 PETRELD=$3 PETREL=$4
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/tunnel_lib.sh
. "$(dirname "$0")/tunnel_lib.sh"
e2e_init none
need_tools nft
[ -c /dev/net/tun ] || skip "no /dev/net/tun"
tun_topology tun
nat_masquerade || skip "this kernel refused the masquerade rule"

gw_conf "  tun: ptgw0
  tun_address: [$GW_IN4]
  proposals: { ike: [aes256gcm16-prfsha256-x25519-ke1_ecp256, aes256gcm16-prfsha256-x25519], esp: [aes256gcm16] }"
tun_gw_start "$PETREL_GW"
# Probes every second, unanswered after 300 ms, 3 in a row move ESP.
ECHO="  echo: { interval_ms: 1000, timeout_ms: 300, retries: 3 }"

# The router's filter (tunnel_lib.sh): rules by handle so each can be taken out again.
fw_init

# Wait until `petrel status` of NAME has FIELD = VALUE; prints the seconds.
wait_status() { # NAME FIELD VALUE SECONDS
	local t0 st
	t0=$(elapsed)
	for _ in $(seq 1 $(($4 * 10))); do
		st=$(pstatus "$1")
		if [ "$(status_field "$st" "$2")" = "$3" ]; then
			echo "$(elapsed) $t0" | awk '{printf "%.1f", $1 - $2}'
			return 0
		fi
		sleep 0.1
	done
	fail "$1: $2 is not $3 after $4 s: $st"
}

up_ok() { # NAME: petrel up, connected, ping through
	local out
	out=$(pt up "$1" 2>&1) || fail "$1: petrel up: $out"
	[ "$(status_field "$(pstatus "$1")" state)" = connected ] || fail "$1: not connected: $(pstatus "$1")"
	ping_ok "$NS_CLI" $GW_IN4
}

case $WHICH in
a)
	profile sep aes256gcm16 "$ECHO"
	# hybrid: an RFC 9370 additional key exchange, in IKE_INTERMEDIATE on
	# the TCP stream (classic groups here; ML-KEM runs in the Debian 13 tier)
	cat > "$WORK/etc/profiles.d/hyb.yaml" <<-EOF
	hyb:
	  gateway: $GW
	  remote_id: $GW_ID
	  local_id: $CLIENT_ID
	  auth: { method: psk, psk_file: $WORK/etc/client.psk }
	  proposals: { ike: [aes256gcm16-prfsha256-x25519-ke1_ecp256], esp: [aes256gcm16] }
	EOF
	petreld_start "$PETRELD"
	up_ok sep
	st=$(pstatus sep)
	{ [ "$(status_field "$st" ike)" = tcp ] && [ "$(status_field "$st" esp)" = udp ]; } \
		|| fail "IKE/ESP are not tcp/udp: $st"
	grep -q '"path_reason":"the gateway agreed to SEPARATE_TRANSPORTS: IKE in TCP, ESP on UDP; ESP Echo answered over UDP in [0-9]* ms"' <<<"$st" \
		|| fail "status does not say why: $st"
	grep -q 'IKE_SA_INIT from [0-9.:]* answered .*separate transports agreed' "$WORK/gw.log" \
		|| fail "petrel-gw did not agree to separate transports on UDP"
	grep -q 'IKE now on the TCP stream' "$WORK/gw.log" || fail "petrel-gw saw no IKE in TCP"
	ping_ok "$NS_GW" "$(sed -nE 's/.*"vips":\["([^"]+)".*/\1/p' <<<"$st")" 5
	sleep 2.5 # two more probes, answered
	gw_stats
	[ "$ST_rx_stream" = 0 ] && [ "$ST_tx_stream" = 0 ] || fail "ESP went into the stream: rx $ST_rx_stream tx $ST_tx_stream"
	[ "$ST_rx_echo" -ge 3 ] || fail "petrel-gw answered $ST_rx_echo ESP Echo requests (want >= 3)"
	pt down sep >/dev/null
	up_ok hyb
	st=$(pstatus hyb)
	[ "$(status_field "$st" ike)" = tcp ] || fail "hyb: IKE is not in TCP: $st"
	grep -q '"ike_sa":"AES_GCM_16_256/PRF_HMAC_SHA2_256/CURVE25519+ECP_256"' <<<"$st" \
		|| fail "hyb: status does not show the additional key exchange: $st"
	grep -q 'IKE_INTERMEDIATE: additional key exchange 1 (ECP_256) done; keys updated' "$WORK/gw.log" \
		|| fail "hyb: petrel-gw ran no IKE_INTERMEDIATE"
	[ "$(grep -c 'IKE now on the TCP stream' "$WORK/gw.log")" -ge 2 ] || fail "hyb: IKE_INTERMEDIATE was not in TCP"
	log "PASS (a): IKE_SA_INIT on UDP, IKE in TCP, ESP on UDP, $ST_rx_echo ESP Echo probes answered, ping both ways; hybrid x25519+ecp256 with IKE_INTERMEDIATE in TCP, in $(elapsed) s"
	;;
b)
	profile sep aes256gcm16 "$ECHO"
	petreld_start "$PETRELD"
	up_ok sep
	[ "$(status_field "$(pstatus sep)" esp)" = udp ] || fail "ESP is not on UDP: $(pstatus sep)"
	# 20 pings a second through the tunnel, for 12 s, across both moves.
	ip netns exec "$NS_CLI" timeout 30 ping -n -q -i 0.05 -c 240 -W 1 $GW_IN4 > "$WORK/ping.log" 2>&1 &
	PING=$!
	sleep 1
	block udp4500 udp dport 4500 drop
	block udp4500r udp sport 4500 drop
	t=$(wait_status sep esp tcp 10)
	log "UDP/4500 dropped: ESP in the TCP stream after $t s"
	reason=$(status_field "$(pstatus sep)" path_reason)
	grep -q "ESP moved into the TCP stream: 3 ESP Echo probes over UDP went unanswered" <<<"$reason" \
		|| fail "status does not say why ESP moved: $reason"
	sleep 3
	unblock udp4500; unblock udp4500r
	t2=$(wait_status sep esp udp 10)
	log "UDP/4500 open again: ESP back on UDP after $t2 s"
	wait "$PING" || true
	sent=$(sed -nE 's/^([0-9]+) packets transmitted.*/\1/p' "$WORK/ping.log")
	got=$(sed -nE 's/.* ([0-9]+) received.*/\1/p' "$WORK/ping.log")
	lost=$((sent - got))
	# Detection takes <= 1 s (interval) + 3 x 0.3 s; at 20 a second that is
	# about 40 pings; more than 60 lost is a defect.
	[ "$sent" -ge 200 ] && [ "$lost" -le 60 ] || fail "ping: $got of $sent came back ($lost lost)"
	ping_ok "$NS_CLI" $GW_IN4
	gw_stats
	[ "$ST_rx_stream" -gt 0 ] && [ "$ST_tx_stream" -gt 0 ] \
		|| fail "ESP did not go both ways in the stream: rx $ST_rx_stream tx $ST_tx_stream"
	grep -q "the peer's ESP now comes in its TCP stream" "$WORK/gw.log" || fail "petrel-gw did not follow into TCP"
	grep -q "the peer's ESP now comes over UDP" "$WORK/gw.log" || fail "petrel-gw did not follow back to UDP"
	log "PASS (b): ESP into TCP in $t s, back to UDP in $t2 s; $lost of $sent pings lost across both moves; petrel-gw followed (stream ESP rx $ST_rx_stream tx $ST_tx_stream), in $(elapsed) s"
	;;
c)
	profile fallback aes256gcm16 "$ECHO"
	cat >> "$WORK/etc/profiles.d/fallback.yaml" <<-EOF
	strict:
	  gateway: $GW
	  remote_id: $GW_ID
	  local_id: $CLIENT_ID
	  auth: { method: psk, psk_file: $WORK/etc/client.psk }
	  transport: separate
	  tcp_blocked: fail
	EOF
	block tcp4500 tcp dport 4500 drop
	petreld_start "$PETRELD"
	t0=$(elapsed)
	up_ok fallback
	t=$(echo "$(elapsed) $t0" | awk '{printf "%.1f", $1 - $2}')
	st=$(pstatus fallback)
	{ [ "$(status_field "$st" ike)" = udp ] && [ "$(status_field "$st" esp)" = udp ]; } \
		|| fail "IKE/ESP are not udp/udp: $st"
	grep -q '"path_reason":"TCP/4500 at 198.51.100.1:4500 did not connect ([^)]*): starting again over UDP without SEPARATE_TRANSPORTS' <<<"$st" \
		|| fail "status does not say why: $st"
	[ "$(grep -c 'gw: .*IKE SA established with' "$WORK/gw.log")" = 1 ] || fail "petrel-gw did not see exactly one IKE SA"
	pt down fallback >/dev/null
	rc=0; out=$(pt up strict 2>&1) || rc=$?
	[ $rc != 0 ] || fail "strict: connected although TCP/4500 is blocked"
	grep -q "TCP/4500 at 198.51.100.1:4500 did not connect: .*(tcp_blocked: fail)" <<<"$out" \
		|| fail "strict: the error does not say why: $out"
	log "PASS (c): TCP/4500 dropped: connected over UDP without SEPARATE_TRANSPORTS in $t s; tcp_blocked: fail reports '$(tail -1 <<<"$out")', in $(elapsed) s"
	;;
d)
	profile tcp aes256gcm16 "  transport: tcp"
	profile auto aes256gcm16
	block udp udp dport '{ 500, 4500 }' drop
	petreld_start "$PETRELD"
	up_ok tcp
	st=$(pstatus tcp)
	{ [ "$(status_field "$st" ike)" = tcp ] && [ "$(status_field "$st" esp)" = tcp ]; } \
		|| fail "IKE/ESP are not tcp/tcp: $st"
	iperf_server "$NS_GW" $GW_IN4
	up4=$(iperf_run $GW_IN4 2)
	iperf_stop
	grep -q 'IKE_SA_INIT from [0-9.:]* over TCP answered' "$WORK/gw.log" || fail "petrel-gw saw no IKE_SA_INIT over TCP"
	pt down tcp >/dev/null
	t0=$(elapsed)
	up_ok auto
	t=$(echo "$(elapsed) $t0" | awk '{printf "%.1f", $1 - $2}')
	st=$(pstatus auto)
	{ [ "$(status_field "$st" ike)" = tcp ] && [ "$(status_field "$st" esp)" = tcp ]; } \
		|| fail "auto: IKE/ESP are not tcp/tcp: $st"
	grep -q '"path_reason":"no answer on UDP/4500 in 3000 ms: IKE and ESP in TCP (RFC 9329)"' <<<"$st" \
		|| fail "auto: status does not say why: $st"
	log "PASS (d): UDP blocked: transport tcp connects (iperf3 $up4 Mbit/s with IKE and ESP in TCP); auto falls back to TCP in $t s, in $(elapsed) s"
	;;
e)
	profile tcp aes256gcm16 "  transport: tcp"
	petreld_start "$PETRELD"
	up_ok tcp
	spis=$(grep -c 'gw: .*IKE SA established with' "$WORK/gw.log")
	child=$(grep 'Child SA up spi_in=' "$WORK/gw.log" | tail -1 | sed -nE 's/.*spi_in=([0-9a-f]+).*/\1/p')
	# The router answers the client's next segment with a reset, and the
	# client's reconnects too, for a second.
	block rst ip saddr $CLI tcp dport 4500 reject with tcp reset
	timeout 5 ip netns exec "$NS_CLI" ping -n -q -c 2 -W 1 $GW_IN4 >/dev/null 2>&1 || true
	wait_for "$WORK/petreld.log" "the TCP stream to the gateway ended" 5 || fail "petreld did not see the reset"
	sleep 1
	unblock rst
	wait_for "$WORK/petreld.log" "TCP stream to the gateway open again" 15 || fail "petreld did not reconnect"
	ping_ok "$NS_CLI" $GW_IN4 5
	st=$(pstatus tcp)
	[ "$(status_field "$st" state)" = connected ] || fail "not connected after the reset: $st"
	[ "$(grep -c 'gw: .*IKE SA established with' "$WORK/gw.log")" = "$spis" ] || fail "a new IKE SA was made"
	child2=$(grep 'Child SA up spi_in=' "$WORK/gw.log" | tail -1 | sed -nE 's/.*spi_in=([0-9a-f]+).*/\1/p')
	[ "$child" = "$child2" ] || fail "the Child SA changed: $child -> $child2"
	n=$(grep -c 'IKE now on the TCP stream' "$WORK/gw.log")
	[ "$n" -ge 1 ] || fail "petrel-gw did not take the new stream"
	log "PASS (e): TCP reset: stream reopened ($(grep -c 'reconnecting in' "$WORK/petreld.log") reconnect attempt(s)), same IKE SA and Child SA $child, ping through, in $(elapsed) s"
	;;
f)
	# probes after setup and on changes only, so a new answer proves a re-probe
	profile sep aes256gcm16 "  echo: { interval_ms: 0, timeout_ms: 300, retries: 3 }"
	petreld_start "$PETRELD"
	up_ok sep
	sleep 1
	! grep -q "network changed" "$WORK/petreld.log" || fail "petreld took its own TUN and routes for a network change"
	gw_stats
	e0=$ST_rx_echo
	[ "$e0" -ge 1 ] || fail "no ESP Echo probe after setup"
	t0=$(elapsed)
	ip -n "$NS_CLI" addr add 192.0.2.3/24 dev c-eth
	wait_for "$WORK/petreld.log" "network changed \\(address\\): checking the path" 3 \
		|| fail "petreld did not notice the new address"
	sleep 0.5
	gw_stats
	[ "$ST_rx_echo" -gt "$e0" ] || fail "no ESP Echo probe after the change ($ST_rx_echo)"
	t=$(echo "$(elapsed) $t0" | awk '{printf "%.1f", $1 - $2}')
	e1=$ST_rx_echo
	ip -n "$NS_CLI" route replace default via $RT_CLI dev c-eth metric 5
	wait_for "$WORK/petreld.log" "network changed \\(.*route.*\\): checking the path" 3 \
		|| fail "petreld did not notice the new default route"
	sleep 0.5
	gw_stats
	[ "$ST_rx_echo" -gt "$e1" ] || fail "no ESP Echo probe after the route change"
	ping_ok "$NS_CLI" $GW_IN4
	log "PASS (f): a new address and a new default route each noticed and ESP probed again (first in $t s); petreld's own changes ignored, in $(elapsed) s"
	;;
g)
	need_tools conntrack
	profile sep aes256gcm16 "$ECHO"
	petreld_start "$PETRELD"
	up_ok sep
	st=$(pstatus sep)
	[ "$(status_field "$st" esp)" = udp ] || fail "ESP is not on UDP: $st"
	vip=$(sed -nE 's/.*"vips":\["([^"]+)".*/\1/p' <<<"$st")
	ping_ok "$NS_GW" "$vip"
	port0=$(sed -nE 's/.*IKE SA established with 198\.51\.100\.254:([0-9]+).*/\1/p' "$WORK/gw.log" | head -1)
	# new flows leave from ports 40000-40999 (one atomic nft transaction, so
	# no packet meets the chain empty), and every mapping is forgotten
	ip netns exec "$NS_RT" nft -f - <<-EOF
		flush chain ip pte2e_nat post
		add rule ip pte2e_nat post oifname "r-gw" meta l4proto udp masquerade to :40000-40999
		add rule ip pte2e_nat post oifname "r-gw" masquerade
	EOF
	ip netns exec "$NS_RT" conntrack -F >/dev/null 2>&1
	t0=$(elapsed)
	ping_ok "$NS_CLI" $GW_IN4 5
	wait_for "$WORK/gw.log" "the peer's ESP now comes from 198\\.51\\.100\\.254:40[0-9]{3} \\(was 198\\.51\\.100\\.254:[0-9]+\\)" 5 \
		|| fail "petrel-gw did not follow the client's ESP to its new NAT port"
	ping_ok "$NS_GW" "$vip" 5
	t=$(echo "$(elapsed) $t0" | awk '{printf "%.1f", $1 - $2}')
	newp=$(sed -nE "s/.*the peer's ESP now comes from 198\.51\.100\.254:([0-9]+).*/\1/p" "$WORK/gw.log" | tail -1)
	log "PASS (g): NAT rebinding ($port0 -> $newp): petrel-gw followed the client's ESP, ping both ways again ($t s), in $(elapsed) s"
	;;
*) fail "unknown case '$WHICH'" ;;
esac
