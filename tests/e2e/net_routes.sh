#!/bin/bash
# e2e: src/net TUN + routes in a namespace (root).
#   full:  a TUN with IPv4/IPv6 addresses, 0/1 + 128/1 and ::/1 + 8000::/1
#          through it, the host route to the gateway via the old next hop;
#          exactly those routes exist (proto 158), packets to the tunnel
#          reach the TUN fd; undo leaves every address and route as before.
#   split: one route per prefix; a prefix that was there already is left
#          alone (not recorded, still there after undo).
#   crash: the tool dies without undoing: the TUN goes with its routes, the
#          gateway host route stays; `recover` with the journal removes it
#          and the namespace is as before; a malformed journal is refused.
# Usage: net_routes.sh NET-TOOL   (root; exit 77 = skipped)
set -euo pipefail
CASE=netrt
# shellcheck source=tests/e2e/net_lib.sh
. "$(dirname "$0")/net_lib.sh"
net_init "$1"
[ -c /dev/net/tun ] || skip "no /dev/net/tun"
topology

ours() { # FAMILY(-4|-6): petrel's routes as "dst via dev" lines, sorted
	ip -n "$NS_CLI" -j "$1" route show proto 158 \
		| jq -r '.[] | "\(.dst) \(.gateway // "-") \(.dev)"' | sort
}

BEFORE=$WORK/before.json
snapshot "$NS_CLI" > "$BEFORE"

# ---- full tunnel
log "full: TUN petrel0, 203.0.113.10/32 + 2001:db8:ff::10/128, full tunnel to $GW"
tool_start "$NS_CLI" "$WORK/full.out" tun --name petrel0 --mtu 1400 --addr 203.0.113.10/32 \
	--addr 2001:db8:ff::10/128 --full $GW --v6 --journal "$WORK/routes.journal"
got4=$(ours -4); got6=$(ours -6)
want4=$(printf '%s\n' "0.0.0.0/1 - petrel0" "128.0.0.0/1 - petrel0" "$GW $PEER c-eth" | sort)
want6=$(printf '%s\n' "8000::/1 - petrel0" "::/1 - petrel0" | sort)
[ "$got4" = "$want4" ] || fail "full: IPv4 routes: got [$got4], want [$want4]"
[ "$got6" = "$want6" ] || fail "full: IPv6 routes: got [$got6], want [$want6]"
addrs=$(ip -n "$NS_CLI" -j addr show dev petrel0 | jq -r '.[0].addr_info[] | select(.scope=="global") | "\(.local)/\(.prefixlen)"' | sort | tr '\n' ' ')
[ "$addrs" = "2001:db8:ff::10/128 203.0.113.10/32 " ] || fail "full: addresses on petrel0: $addrs"
link=$(ip -n "$NS_CLI" -j link show dev petrel0 | jq -r '.[0] | "\(.mtu) \(.flags | index("UP") != null)"')
[ "$link" = "1400 true" ] || fail "full: petrel0 mtu/up: $link"
dev=$(ip -n "$NS_CLI" -j route get 203.0.113.99 | jq -r '.[0].dev')
[ "$dev" = petrel0 ] || fail "full: 203.0.113.99 goes via $dev"
dev=$(ip -n "$NS_CLI" -j route get $OTHER | jq -r '.[0].dev')
[ "$dev" = petrel0 ] || fail "full: $OTHER goes via $dev"
dev=$(ip -n "$NS_CLI" -j route get $GW | jq -r '"\(.[0].dev) \(.[0].gateway)"')
[ "$dev" = "c-eth $PEER" ] || fail "full: the gateway $GW goes via $dev"
dev=$(ip -n "$NS_CLI" -j -6 route get $GW6 | jq -r '.[0].dev')
[ "$dev" = petrel0 ] || fail "full: $GW6 goes via $dev"
grep -q "^route $GW/32 via $PEER dev c-eth$" "$WORK/routes.journal" || fail "full: journal: $(cat "$WORK/routes.journal")"
[ "$(grep -c '' "$WORK/routes.journal")" = 8 ] || fail "full: journal has not 1 + 7 lines: $(cat "$WORK/routes.journal")"
# packets into the tunnel reach the TUN fd (read in batches by the tool)
timeout 10 ip netns exec "$NS_CLI" ping -c3 -i0.2 -W1 -q 203.0.113.99 >/dev/null 2>&1 || true
tool_stop
[ "$TOOL_RC" = 0 ] || fail "full: net-tool exited $TOOL_RC: $(cat "$WORK/full.out")"
rx=$(sed -nE 's/^undone rc=0 rx=([0-9]+)$/\1/p' "$WORK/full.out")
[ -n "$rx" ] || rx=0
[ "$rx" -ge 3 ] || fail "full: the TUN fd did not see the 3 pings: $(cat "$WORK/full.out")"
[ ! -e "$WORK/routes.journal" ] || fail "full: the journal is still there after undo"
snapshot "$NS_CLI" > "$WORK/after-full.json"
diff -u "$BEFORE" "$WORK/after-full.json" > "$WORK/diff.err" || fail "full: the namespace differs after undo"
log "full: 4 routes via the TUN + the gateway host route exact, $rx packets read from the TUN, undo restored the namespace"

# ---- split tunnel, with one prefix there before us
ip -n "$NS_CLI" route add 198.18.0.0/15 via $PEER
snapshot "$NS_CLI" > "$BEFORE"
log "split: 203.0.113.0/24, 198.18.0.0/15 (already there), 2001:db8:ff::/48"
tool_start "$NS_CLI" "$WORK/split.out" tun --name pt-split%d --addr 203.0.113.10/32 \
	--split 203.0.113.0/24 --split 198.18.0.0/15 --split 2001:db8:ff::/48 --journal "$WORK/routes.journal"
name=$(sed -nE 's/^ready .*name=([^ ]+) .*/\1/p' "$WORK/split.out")
[ "$name" = pt-split0 ] || fail "split: the kernel named the TUN '$name'"
grep -q 'recorded=3' "$WORK/split.out" || fail "split: not 3 entries recorded: $(cat "$WORK/split.out")"
got4=$(ours -4); got6=$(ours -6)
[ "$got4" = "203.0.113.0/24 - $name" ] || fail "split: IPv4 routes: [$got4]"
[ "$got6" = "2001:db8:ff::/48 - $name" ] || fail "split: IPv6 routes: [$got6]"
dev=$(ip -n "$NS_CLI" -j route get 198.18.0.1 | jq -r '.[0].dev')
[ "$dev" = c-eth ] || fail "split: the prefix that was there already now goes via $dev"
dev=$(ip -n "$NS_CLI" -j route get $OTHER | jq -r '.[0].dev')
[ "$dev" = c-eth ] || fail "split: $OTHER (outside the selectors) goes via $dev"
tool_stop
[ "$TOOL_RC" = 0 ] || fail "split: net-tool exited $TOOL_RC"
snapshot "$NS_CLI" > "$WORK/after-split.json"
diff -u "$BEFORE" "$WORK/after-split.json" > "$WORK/diff.err" || fail "split: the namespace differs after undo"
ip -n "$NS_CLI" route del 198.18.0.0/15 via $PEER
log "split: one route per prefix, the existing one left alone, undo restored the namespace"

# ---- crash and recovery
snapshot "$NS_CLI" > "$BEFORE"
log "crash: full tunnel, the tool exits without undoing"
tool_start "$NS_CLI" "$WORK/crash.out" tun --addr 203.0.113.10/32 --full $GW \
	--journal "$WORK/routes.journal" --crash
tool_stop
grep -q '^crash' "$WORK/crash.out" || fail "crash: $(cat "$WORK/crash.out")"
[ "$(ours -4)" = "$GW $PEER c-eth" ] || fail "crash: want only the gateway host route left, got [$(ours -4)]"
cp "$WORK/routes.journal" "$WORK/journal.keep"
printf 'garbage\n' > "$WORK/routes.journal"
rc=0; ip netns exec "$NS_CLI" timeout 10 "$TOOL" recover --journal "$WORK/routes.journal" > "$WORK/bad.out" 2>&1 || rc=$?
[ $rc = 1 ] || fail "crash: a malformed journal gave exit $rc"
grep -q "line 1: not a petrel routes v1 journal; kept, nothing undone" "$WORK/bad.out" \
	|| fail "crash: no clear error for the malformed journal: $(cat "$WORK/bad.out")"
[ "$(ours -4)" = "$GW $PEER c-eth" ] || fail "crash: a malformed journal changed routes"
cp "$WORK/journal.keep" "$WORK/routes.journal"
ip netns exec "$NS_CLI" timeout 10 "$TOOL" recover --journal "$WORK/routes.journal" > "$WORK/recover.out" 2>&1 \
	|| fail "crash: recover failed: $(cat "$WORK/recover.out")"
grep -q "recover: removed route $GW/32 via $PEER dev c-eth" "$WORK/recover.out" || fail "crash: $(cat "$WORK/recover.out")"
[ ! -e "$WORK/routes.journal" ] || fail "crash: the journal was not consumed"
snapshot "$NS_CLI" > "$WORK/after-crash.json"
diff -u "$BEFORE" "$WORK/after-crash.json" > "$WORK/diff.err" || fail "crash: the namespace differs after recovery"
log "crash: recover removed the gateway host route, the namespace is as before"

# ---- path MTU (what petreld sizes its TUN from)
ip -n "$NS_CLI" link set c-eth mtu 1450
pm=$(ip netns exec "$NS_CLI" timeout 10 "$TOOL" pmtu "$GW") || fail "pmtu: $pm"
[ "$pm" = 1450 ] || fail "pmtu: towards $GW through c-eth (mtu 1450): got '$pm'"
ip -n "$NS_CLI" route add "$OTHER/32" via "$PEER" dev c-eth mtu 1400
pm=$(ip netns exec "$NS_CLI" timeout 10 "$TOOL" pmtu "$OTHER") || fail "pmtu: $pm"
[ "$pm" = 1400 ] || fail "pmtu: towards $OTHER with a route of mtu 1400: got '$pm'"
pm6=$(ip netns exec "$NS_CLI" timeout 10 "$TOOL" pmtu "$GW6") || fail "pmtu v6: $pm6"
[ "$pm6" = 1450 ] || fail "pmtu: towards $GW6 through c-eth (mtu 1450): got '$pm6'"
ip -n "$NS_CLI" route add unreachable 203.0.113.99/32
rc=0; out=$(ip netns exec "$NS_CLI" timeout 10 "$TOOL" pmtu 203.0.113.99) || rc=$?
[ $rc = 1 ] && grep -q 'pmtu: ' <<<"$out" || fail "pmtu: an unreachable address gave exit $rc: $out"
ip -n "$NS_CLI" route del unreachable 203.0.113.99/32
ip -n "$NS_CLI" route del "$OTHER/32"
ip -n "$NS_CLI" link set c-eth mtu 1500
log "pmtu: device mtu 1450 read for $GW and $GW6, route mtu 1400 for $OTHER, an unreachable route refused ($out)"

log "pass"
