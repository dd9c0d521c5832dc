#!/bin/bash
# e2e (issue 4): traffic through petreld <-> petrel-gw. petreld (client
# namespace) is driven by the petrel CLI; petrel-gw has a TUN with
# 203.0.113.1 and 2001:db8:113::1 and hands out an IPv4 and an IPv6 address.
# For each ESP cipher (aes256gcm16, chacha20poly1305):
#   `petrel up`; ping v4 and v6 inside, client -> gateway and gateway ->
#   the client's virtual addresses; iperf3 TCP both directions (v4 3 s,
#   v6 1 s); `petrel status --json` shows bytes both ways, and where IKE and
#   ESP run: aes256gcm16 has the default transport (auto: separate
#   transports, IKE in TCP, ESP in UDP), chacha20poly1305 transport: udp
#   (IKE on UDP, raw ESP); `petrel down`; addresses, v4/v6 routes, rules and resolv.conf
#   of the client namespace are exactly as before `petrel up`.
# With the first cipher, before `down`: one ESP datagram from the client,
# captured in the router, is sent again; petrel-gw counts one replay
# (SIGUSR1 stats), passes nothing of it on, and the tunnel still works.
# Usage: tunnel_gw.sh PETREL-GW PETRELD PETREL   (root; exit 77 = skipped)
# shellcheck disable=SC2154 # ST_* are set by gw_stats (tunnel_lib.sh)
set -euo pipefail
CASE=tungw
PETREL_GW=$1 PETRELD=$2 PETREL=$3
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/tunnel_lib.sh
. "$(dirname "$0")/tunnel_lib.sh"
e2e_init none
need_tools iperf3 ss tcpdump python3
[ -c /dev/net/tun ] || skip "no /dev/net/tun"
tun_topology tun

gw_conf "  tun: ptgw0
  tun_address: [$GW_IN4, \"$GW_IN6\"]
  pool6: \"$POOL6\"
  proposals: { esp: [aes256gcm16, chacha20poly1305] }"
sed -i 's|^  subnets: .*|  subnets: [203.0.113.0/24, "2001:db8:113::/64"]|' "$WORK/gw.yaml"
tun_gw_start "$PETREL_GW"
iperf_server "$NS_GW" "::"
# aes256gcm16 with ESP forced into UDP/4500 (encap: udp; the replay check
# captures a UDP datagram), chacha20poly1305 as a client without a NAT does
# it: raw ESP, IP protocol 50 (RFC 7296 2.23).
profile aes256gcm16 aes256gcm16 "  encap: udp"
profile chacha20poly1305 chacha20poly1305 "  transport: udp"
petreld_start "$PETRELD"

# Send one captured ESP datagram (pcap from tcpdump -i r-gw, Ethernet) again,
# as it was, from the router namespace (raw IPv4: the client's 5-tuple).
replay() { # PCAP
	ip netns exec "$NS_RT" python3 - "$1" <<-'PY'
	import socket, struct, sys
	d = open(sys.argv[1], "rb").read()
	magic = struct.unpack("<I", d[:4])[0]
	end = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
	if struct.unpack(end + "I", d[20:24])[0] != 1:
	    sys.exit("not an Ethernet capture")
	incl = struct.unpack(end + "I", d[32:36])[0]
	frame = d[40:40 + incl]
	ip = frame[14:]
	if frame[12:14] != b"\x08\x00" or ip[9] != 17:
	    sys.exit("not IPv4/UDP")
	# veth leaves the UDP checksum to the receiver (checksum offload): the
	# captured one is partial; put the full one back
	ihl = (ip[0] & 15) * 4
	udp = bytearray(ip[ihl:struct.unpack(">H", ip[2:4])[0]])
	udp[6:8] = b"\0\0"
	data = ip[12:20] + struct.pack(">BBH", 0, 17, len(udp)) + bytes(udp)
	if len(data) % 2:
	    data += b"\0"
	c = sum(struct.unpack(">%dH" % (len(data) // 2), data))
	while c >> 16:
	    c = (c & 0xffff) + (c >> 16)
	udp[6:8] = struct.pack(">H", (~c & 0xffff) or 0xffff)
	ip = ip[:ihl] + bytes(udp)
	s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
	s.sendto(ip, (socket.inet_ntoa(ip[16:20]), 0))
	PY
}

check_replay() {
	local pcap=$WORK/esp.pcap tcpd before_dup before_rx
	# client -> gateway ESP in UDP 4500: not a keepalive (1 octet), not
	# IKE (the non-ESP marker, SPI 0)
	ip netns exec "$NS_RT" timeout 10 tcpdump -i r-gw -n -c 1 -U -w "$pcap" \
		"ip dst $GW and udp dst port 4500 and udp[4:2] > 40 and udp[8:4] != 0" > "$WORK/tcpdump.log" 2>&1 &
	tcpd=$!
	PIDS+=("$tcpd")
	wait_for "$WORK/tcpdump.log" "listening on" 5 || fail "tcpdump did not start: $(cat "$WORK/tcpdump.log")"
	ping_ok "$NS_CLI" $GW_IN4 2
	wait "$tcpd" || fail "tcpdump captured no ESP packet: $(cat "$WORK/tcpdump.log")"
	gw_stats
	before_dup=$((ST_esp_rx_replay_dup + ST_esp_rx_replay_old)) before_rx=$ST_rx_packets
	replay "$pcap" || fail "could not send the captured ESP packet again"
	sleep 0.3
	gw_stats
	[ $((ST_esp_rx_replay_dup + ST_esp_rx_replay_old)) = $((before_dup + 1)) ] \
		|| fail "replay: petrel-gw counted $((ST_esp_rx_replay_dup + ST_esp_rx_replay_old - before_dup)) replays, not 1: $(grep 'stats:' "$WORK/gw.log" | tail -1)"
	[ "$ST_rx_packets" = "$before_rx" ] || fail "replay: petrel-gw passed the replayed packet on (rx_packets $before_rx -> $ST_rx_packets)"
	ping_ok "$NS_CLI" $GW_IN4 2
	log "replay: one captured ESP packet sent again: counted as a replay (dup $ST_esp_rx_replay_dup, old $ST_esp_rx_replay_old), dropped; the tunnel still works"
}

for cipher in aes256gcm16 chacha20poly1305; do
	net_snapshot "$WORK/net.before"
	t0=$(elapsed)
	out=$(pt up "$cipher" 2>&1) || fail "$cipher: petrel up: $out"
	st=$(pstatus "$cipher")
	[ "$(status_field "$st" state)" = connected ] || fail "$cipher: not connected: $st"
	vips=$(sed -nE 's/.*"vips":\[([^]]*)\].*/\1/p' <<<"$st" | tr -d '"')
	vip4=${vips%%,*} vip6=${vips#*,}
	case "$vip4,$vip6" in 203.0.113.*,2001:db8:113::*) ;; *) fail "$cipher: virtual addresses '$vips' are not from the pools" ;; esac
	esp=$(grep 'Child SA up spi_in=' "$WORK/gw.log" | tail -1 | sed -nE 's/.* esp=([A-Z0-9_]+) .*/\1/p')
	case $cipher in
	aes256gcm16) [ "$esp" = AES_GCM_16_256 ] ;;
	*) [ "$esp" = CHACHA20_POLY1305 ] ;;
	esac || fail "$cipher: petrel-gw's Child SA has $esp"
	ip netns exec "$NS_CLI" grep -q '^nameserver 203.0.113.53$' /etc/resolv.conf \
		|| fail "$cipher: the gateway's DNS server is not in resolv.conf: $(ip netns exec "$NS_CLI" cat /etc/resolv.conf)"
	log "$cipher: up in $(echo "$(elapsed) $t0" | awk '{printf "%.1f", $1 - $2}') s, vips $vip4 $vip6, ESP $esp"

	ping_ok "$NS_CLI" $GW_IN4
	ping_ok "$NS_CLI" $GW_IN6
	ping_ok "$NS_GW" "$vip4"
	ping_ok "$NS_GW" "$vip6"
	up4=$(iperf_run $GW_IN4 3)
	dn4=$(iperf_run $GW_IN4 3 -R)
	up6=$(iperf_run $GW_IN6 1)
	dn6=$(iperf_run $GW_IN6 1 -R)
	log "$cipher: ping v4/v6 both ways; iperf3 Mbit/s: v4 up $up4 down $dn4, v6 up $up6 down $dn6"

	st=$(pstatus "$cipher")
	bin=$(status_field "$st" bytes_in) bout=$(status_field "$st" bytes_out)
	{ [ "${bin:-0}" -gt 1000000 ] && [ "${bout:-0}" -gt 1000000 ]; } \
		|| fail "$cipher: status shows bytes_in=$bin bytes_out=$bout: $st"
	want_ike=udp want_esp=raw
	[ "$cipher" != aes256gcm16 ] || { want_ike=tcp want_esp=udp; }
	{ [ "$(status_field "$st" ike)" = $want_ike ] && [ "$(status_field "$st" esp)" = "$want_esp" ]; } \
		|| fail "$cipher: status paths are not $want_ike/$want_esp: $st"
	if [ $want_ike = tcp ]; then
		grep -q '"path_reason":"the gateway agreed to SEPARATE_TRANSPORTS: IKE in TCP, ESP on UDP; ESP Echo answered over UDP in [0-9]* ms"' <<<"$st" \
			|| fail "$cipher: status does not say why IKE and ESP run where they do: $st"
	fi
	[ "$cipher" != aes256gcm16 ] || check_replay

	out=$(pt down "$cipher" 2>&1) || fail "$cipher: petrel down: $out"
	st=$(pstatus "$cipher")
	[ "$(status_field "$st" state)" = disconnected ] || fail "$cipher: not disconnected after down: $st"
	net_snapshot "$WORK/net.after"
	diff -u "$WORK/net.before" "$WORK/net.after" > "$WORK/net.diff" \
		|| fail "$cipher: the client's network differs after petrel down: $(cat "$WORK/net.diff")"
	log "$cipher: bytes in $bin out $bout; after down: addresses, routes, rules and resolv.conf as before"
done
iperf_stop
log "PASS: petreld <-> petrel-gw, aes256gcm16 and chacha20poly1305: ping and iperf3 v4/v6 both ways, status, replay dropped and counted, network restored, in $(elapsed) s"
