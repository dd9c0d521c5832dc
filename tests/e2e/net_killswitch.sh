#!/bin/bash
# e2e: the nftables kill switch in a namespace (root).
#   on:  only IKE/ESP to the gateway leaves: UDP 4500 to it passes; a ping
#        to another host, UDP 4500 to another host, DNS to the gateway and
#        ICMP/ICMPv6 to the gateway are dropped; loading again replaces the
#        table in one transaction;
#   off: the table is gone and connectivity is back;
#   no nft: -ENOTSUP with a clear message.
# Usage: net_killswitch.sh NET-TOOL   (root; exit 77 = skipped)
set -euo pipefail
CASE=netks
# shellcheck source=tests/e2e/net_lib.sh
. "$(dirname "$0")/net_lib.sh"
net_init "$1"
command -v nft >/dev/null || skip "nft (nftables) is not installed"
topology

cli() { ip netns exec "$NS_CLI" timeout 10 "$@"; }
can_ping() { cli ping -c1 -W1 -q "$1" >/dev/null 2>&1; }
N_UDP=0
udp_passes() { # DST PORT: a datagram from the client reaches the peer
	N_UDP=$((N_UDP + 1))
	local out=$WORK/recv-$N_UDP-$1-$2.out
	ip netns exec "$NS_PEER" timeout 10 "$TOOL" udp-recv "$1" "$2" 1500 > "$out" 2>&1 &
	local rpid=$!
	PIDS+=("$rpid")
	wait_for "$out" '^listening' 5 || fail "udp-recv on $1:$2 did not start: $(cat "$out")"
	cli "$TOOL" udp-send "$1" "$2" >> "$WORK/send.out" 2>&1 || true
	wait "$rpid" 2>/dev/null
}

can_ping $OTHER || fail "before: no ping to $OTHER"
udp_passes $OTHER 4500 || fail "before: UDP to $OTHER:4500 did not pass"

log "on: gateway $GW"
cli "$TOOL" ks-on --gw $GW > "$WORK/on.out" 2>&1 || fail "ks-on: $(cat "$WORK/on.out")"
grep -q 'ks-on rc=0 active=1' "$WORK/on.out" || fail "ks-on: $(cat "$WORK/on.out")"
cli nft list table inet petrel > "$WORK/table.out" || fail "no table inet petrel"
can_ping $OTHER && fail "on: a ping to $OTHER went out"
can_ping $GW && fail "on: a ping to the gateway went out (only IKE/ESP may)"
cli ping -6 -c1 -W1 -q $GW6 >/dev/null 2>&1 && fail "on: an ICMPv6 ping went out"
udp_passes $GW 4500 || fail "on: UDP 4500 to the gateway was dropped"
udp_passes $GW 500 || fail "on: UDP 500 to the gateway was dropped"
udp_passes $OTHER 4500 && fail "on: UDP 4500 to $OTHER passed"
udp_passes $GW 53 && fail "on: DNS to the gateway passed"
grep -q 'udp-send Operation not permitted' "$WORK/send.out" || fail "on: the drop was not reported to the sender: $(cat "$WORK/send.out")"
log "on: ping and UDP elsewhere dropped, UDP 500/4500 to the gateway passes"

# loading again (a new gateway address after roaming) replaces the table
cli "$TOOL" ks-on --gw $OTHER --tun petrel0 > "$WORK/on2.out" 2>&1 || fail "ks-on again: $(cat "$WORK/on2.out")"
[ "$(cli nft list tables | grep -c 'inet petrel')" = 1 ] || fail "on again: not exactly one table"
udp_passes $OTHER 4500 || fail "on again: UDP 4500 to the new gateway was dropped"
udp_passes $GW 4500 && fail "on again: UDP 4500 to the old gateway passed"
log "on again: replaced in one transaction"

cli "$TOOL" ks-off > "$WORK/off.out" 2>&1 || fail "ks-off: $(cat "$WORK/off.out")"
grep -q 'ks-off rc=0 active=0' "$WORK/off.out" || fail "ks-off: $(cat "$WORK/off.out")"
cli nft list tables | grep -q 'inet petrel' && fail "off: the table is still there"
can_ping $OTHER || fail "off: no ping to $OTHER"
udp_passes $OTHER 4500 || fail "off: UDP to $OTHER:4500 does not pass"
cli "$TOOL" ks-off > "$WORK/off2.out" 2>&1 || fail "ks-off when off: $(cat "$WORK/off2.out")"
log "off: table gone, connectivity back; off twice is fine"

rc=0; cli "$TOOL" ks-on --gw $GW --nft /nonexistent/nft > "$WORK/nonft.out" 2>&1 || rc=$?
[ $rc = 1 ] || fail "no nft: exit $rc"
grep -q "nft (nftables) is not installed: the kill switch needs it" "$WORK/nonft.out" \
	|| fail "no nft: no clear message: $(cat "$WORK/nonft.out")"
grep -q "rc=-95 " "$WORK/nonft.out" || fail "no nft: not -ENOTSUP: $(cat "$WORK/nonft.out")"
log "pass"
