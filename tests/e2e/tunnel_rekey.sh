#!/bin/bash
# e2e (issue 4): Child SA rekeys under traffic, petreld <-> petrel-gw.
# The profile rekeys its Child SA every ~3 s (hidden key rekey_child_s: 3;
# the engine takes up to 10 % off). While two steady pings run for 10 s,
# 1000 packets each at 100/s (client -> gateway over IPv4, gateway -> the
# client's virtual address over IPv6), petreld rekeys at least twice; each
# ping loses at most 5 packets; every rekey replaced the pair at both ends
# (petrel-gw logs the new pair up and the old one down) and the counters
# show no drops other than the losses. Then `petrel down` restores the
# client's network.
# Usage: tunnel_rekey.sh PETREL-GW PETRELD PETREL   (root; exit 77 = skipped)
# shellcheck disable=SC2154 # ST_* are set by gw_stats (tunnel_lib.sh)
set -euo pipefail
CASE=tunrekey
PETREL_GW=$1 PETRELD=$2 PETREL=$3
MAX_LOST=5
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/tunnel_lib.sh
. "$(dirname "$0")/tunnel_lib.sh"
e2e_init none
[ -c /dev/net/tun ] || skip "no /dev/net/tun"
tun_topology tun

gw_conf "  tun: ptgw0
  tun_address: [$GW_IN4, \"$GW_IN6\"]
  pool6: \"$POOL6\""
sed -i 's|^  subnets: .*|  subnets: [203.0.113.0/24, "2001:db8:113::/64"]|' "$WORK/gw.yaml"
tun_gw_start "$PETREL_GW"
profile rk aes256gcm16 "  rekey_child_s: 3"
petreld_start "$PETRELD"

net_snapshot "$WORK/net.before"
out=$(pt up rk 2>&1) || fail "petrel up: $out"
st=$(pstatus rk)
[ "$(status_field "$st" state)" = connected ] || fail "not connected: $st"
vips=$(sed -nE 's/.*"vips":\[([^]]*)\].*/\1/p' <<<"$st" | tr -d '"')
vip6=${vips#*,}
case $vip6 in 2001:db8:113::*) ;; *) fail "no IPv6 virtual address: $st" ;; esac
ups0=$(grep -c 'Child SA up spi_in=' "$WORK/gw.log")

log "two pings of 1000 packets at 100/s while the Child SA rekeys every ~3 s"
ip netns exec "$NS_CLI" timeout 45 ping -n -q -i 0.01 -c 1000 -W 1 $GW_IN4 > "$WORK/ping4.log" 2>&1 &
p4=$!
ip netns exec "$NS_GW" timeout 45 ping -n -q -i 0.01 -c 1000 -W 1 "$vip6" > "$WORK/ping6.log" 2>&1 &
p6=$!
PIDS+=("$p4" "$p6")
wait "$p4" || true
wait "$p6" || true

lost() { # LOG: packets sent minus received
	sed -nE 's/^([0-9]+) packets transmitted, ([0-9]+) received.*/\1 \2/p' "$1" | awk '{print $1 - $2}'
}
l4=$(lost "$WORK/ping4.log") l6=$(lost "$WORK/ping6.log")
{ [ -n "$l4" ] && [ -n "$l6" ]; } || fail "ping gave no summary: $(cat "$WORK/ping4.log" "$WORK/ping6.log")"
{ grep -q '^1000 packets transmitted' "$WORK/ping4.log" && grep -q '^1000 packets transmitted' "$WORK/ping6.log"; } \
	|| fail "the pings did not send 1000 packets each: $(cat "$WORK/ping4.log" "$WORK/ping6.log")"

ups=$(( $(grep -c 'Child SA up spi_in=' "$WORK/gw.log") - ups0 ))
downs=$(grep -c 'Child SA down spi_in=' "$WORK/gw.log" || true)
[ "$ups" -ge 2 ] || fail "only $ups Child SA rekey(s) in 10 s (expected >= 2 with rekey_child_s: 3)"
# each rekey's old pair is deleted (RFC 7296 2.8), at most the last one may be in flight
[ "$downs" -ge $((ups - 1)) ] || fail "$ups rekeys but only $downs old Child SA(s) deleted at petrel-gw"
gw_stats
log "rekeys: $ups (petrel-gw removed $downs old pairs); lost: v4 client->gw $l4/1000, v6 gw->client $l6/1000; gw drops: no_sa $ST_esp_rx_no_sa replay $((ST_esp_rx_replay_dup + ST_esp_rx_replay_old)) auth $ST_esp_rx_auth no_route $ST_tx_no_route"
[ "$l4" -le $MAX_LOST ] || fail "IPv4 ping lost $l4 packets across $ups rekeys (at most $MAX_LOST)"
[ "$l6" -le $MAX_LOST ] || fail "IPv6 ping lost $l6 packets across $ups rekeys (at most $MAX_LOST)"
[ "$ST_esp_rx_auth" = 0 ] || fail "petrel-gw counted $ST_esp_rx_auth ICV failures across the rekeys"

out=$(pt down rk 2>&1) || fail "petrel down: $out"
net_snapshot "$WORK/net.after"
diff -u "$WORK/net.before" "$WORK/net.after" > "$WORK/net.diff" \
	|| fail "the client's network differs after petrel down: $(cat "$WORK/net.diff")"
log "PASS: $ups Child SA rekeys under 2 x 100 packets/s, lost v4 $l4 and v6 $l6 (<= $MAX_LOST each), network restored, in $(elapsed) s"
