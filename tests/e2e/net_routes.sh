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
#   roam:  a second uplink B (c-eth2); full tunnel while the default route
#          goes via A; the default moves to B and A loses its address: the
#          kernel flushes the gateway route via A (so the gateway would go
#          into the TUN) and net_routes_bypass_update points it via B; with
#          no default left it is removed (ENETUNREACH), with B's back it
#          returns; IPv6 the same, where the route via A survives but is
#          stale. Undo leaves no route of petrel's.
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

# ---- roaming: the gateway's host route follows the default route
# uplink B: [cli] c-eth2 198.51.100.130/25 2001:db8:3::2/64 -- p-eth2 198.51.100.129/25 2001:db8:3::1/64 [peer]
NEXT_B=198.51.100.129 CLI_B=198.51.100.130 NEXT_B6=2001:db8:3::1 CLI_B6=2001:db8:3::2
snapshot "$NS_CLI" > "$BEFORE"
ip link add c-eth2 netns "$NS_CLI" type veth peer name p-eth2 netns "$NS_PEER"
ip -n "$NS_PEER" addr add $NEXT_B/25 dev p-eth2
ip -n "$NS_PEER" addr add $NEXT_B6/64 dev p-eth2 nodad
ip -n "$NS_PEER" link set p-eth2 up
ip -n "$NS_CLI" addr add $CLI_B/25 dev c-eth2
ip -n "$NS_CLI" addr add $CLI_B6/64 dev c-eth2 nodad
ip -n "$NS_CLI" link set c-eth2 up
# both uplinks have a default route, A's preferred (a lower metric than
# B's, as a network manager does; IPv6 routes default to metric 1024)
ip -n "$NS_CLI" route add default via $NEXT_B dev c-eth2 metric 600
ip -n "$NS_CLI" -6 route add default via $NEXT_B6 dev c-eth2 metric 2048

bypass() { # WANT-RC: one "bypass" command to the tool running with output $OUT
	local n got
	n=$(grep -c '^bypass ' "$OUT" || true)
	echo bypass >&3
	for _ in $(seq 1 100); do
		[ "$(grep -c '^bypass ' "$OUT")" -gt "$n" ] && break
		sleep 0.1
	done
	got=$(grep '^bypass ' "$OUT" | sed -n "$((n + 1))p")
	[[ "$got" == "bypass rc=$1 "* ]] || fail "roam: bypass answered '$got', want rc=$1"
}
via() { # FAMILY ADDR: "dev gateway" of the route the kernel takes
	ip -n "$NS_CLI" -j "$1" route get "$2" | jq -r '"\(.[0].dev) \(.[0].gateway // "-")"'
}

log "roam: full tunnel to $GW with uplinks A (c-eth, default metric 0) and B (c-eth2, metric 600)"
OUT=$WORK/roam.out
tool_start "$NS_CLI" "$OUT" tun --addr 203.0.113.10/32 --full $GW --journal "$WORK/routes.journal"
want="$GW $PEER c-eth"
[ "$(ours -4 | grep -v petrel0)" = "$want" ] || fail "roam: at start: [$(ours -4)]"
bypass 0 # nothing changed: nothing done
[ "$(ours -4 | grep -v petrel0)" = "$want" ] || fail "roam: an update without a change moved [$(ours -4)]"
ip -n "$NS_CLI" route del default via $PEER dev c-eth
ip -n "$NS_CLI" addr del $CLI/24 dev c-eth
if ours -4 | grep -qv petrel0; then fail "roam: the kernel kept the route via A: [$(ours -4)]"; fi
[ "$(via -4 $GW)" = "petrel0 -" ] || fail "roam: without the update the gateway goes via $(via -4 $GW), not the TUN (the loop)"
bypass 0
want="$GW $NEXT_B c-eth2"
[ "$(ours -4 | grep -v petrel0)" = "$want" ] || fail "roam: after the update: [$(ours -4)]"
[ "$(ours -4 | grep -c petrel0)" = 2 ] || fail "roam: the TUN routes changed: [$(ours -4)]"
[ "$(via -4 $GW)" = "c-eth2 $NEXT_B" ] || fail "roam: the gateway goes via $(via -4 $GW)"
grep -qx "route $GW/32 via $NEXT_B dev c-eth2" "$WORK/routes.journal" || fail "roam: journal: $(cat "$WORK/routes.journal")"
! grep -q 'c-eth$' "$WORK/routes.journal" || fail "roam: the journal still has the route via A: $(cat "$WORK/routes.journal")"
timeout 5 ip netns exec "$NS_CLI" ping -c1 -W2 -q $GW >/dev/null || fail "roam: no ping to $GW via B"
# gone (as when A's address goes and comes back) while the path is the same: put back
ip -n "$NS_CLI" route del $GW/32 proto 158
bypass 0
[ "$(ours -4 | grep -v petrel0)" = "$want" ] || fail "roam: not put back: [$(ours -4)]"
# no uplink with a default route: no host route at all, then back
ip -n "$NS_CLI" route del default via $NEXT_B dev c-eth2
bypass -101 # -ENETUNREACH
if ours -4 | grep -qv petrel0; then fail "roam: a host route without a path outside: [$(ours -4)]"; fi
! grep -q "^route $GW/32" "$WORK/routes.journal" || fail "roam: journal: $(cat "$WORK/routes.journal")"
ip -n "$NS_CLI" route add default via $NEXT_B dev c-eth2 metric 600
bypass 0
[ "$(ours -4 | grep -v petrel0)" = "$want" ] || fail "roam: not added back: [$(ours -4)]"
[ "$(sed -n 3p "$WORK/routes.journal")" = "route $GW/32 via $NEXT_B dev c-eth2" ] \
	|| fail "roam: the host route is not where net_routes_full put it: $(cat "$WORK/routes.journal")"
tool_stop
[ "$TOOL_RC" = 0 ] || fail "roam: net-tool exited $TOOL_RC: $(cat "$OUT")"
[ -z "$(ours -4)" ] || fail "roam: left after undo: [$(ours -4)]"
[ ! -e "$WORK/routes.journal" ] || fail "roam: the journal is still there after undo"
log "roam: IPv4: flushed via A, re-pointed via B, removed without a path and added back, undo clean"

log "roam: IPv6: full tunnel to $GW6 via A, then A loses its default and address"
[ "$(via -6 $GW6)" = "c-eth $PEER6" ] || fail "roam6: IPv6 prefers $(via -6 $GW6), not A"
OUT=$WORK/roam6.out
tool_start "$NS_CLI" "$OUT" tun --full $GW6 --journal "$WORK/routes.journal"
[ "$(ours -6 | grep -v petrel0)" = "$GW6 $PEER6 c-eth" ] || fail "roam6: at start: [$(ours -6)]"
ip -n "$NS_CLI" -6 route del default via $PEER6 dev c-eth
ip -n "$NS_CLI" addr del $CLI6/64 dev c-eth
[ "$(ours -6 | grep -v petrel0)" = "$GW6 $PEER6 c-eth" ] || fail "roam6: the kernel flushed the route via A: [$(ours -6)]"
bypass 0
want="$GW6 $NEXT_B6 c-eth2"
[ "$(ours -6 | grep -v petrel0)" = "$want" ] || fail "roam6: after the update: [$(ours -6)]"
[ "$(via -6 $GW6)" = "c-eth2 $NEXT_B6" ] || fail "roam6: the gateway goes via $(via -6 $GW6)"
timeout 5 ip netns exec "$NS_CLI" ping -6 -c1 -W2 -q $GW6 >/dev/null || fail "roam6: no ping to $GW6 via B"
got6=$(via -6 $GW6)
tool_stop
[ "$TOOL_RC" = 0 ] || fail "roam6: net-tool exited $TOOL_RC: $(cat "$OUT")"
[ -z "$(ours -6)" ] || fail "roam6: left after undo: [$(ours -6)]"
# A as it was, B gone: the namespace as before the case
ip -n "$NS_CLI" link del c-eth2
ip -n "$NS_CLI" addr add $CLI/24 dev c-eth
ip -n "$NS_CLI" addr add $CLI6/64 dev c-eth nodad
ip -n "$NS_CLI" route add default via $PEER
ip -n "$NS_CLI" -6 route add default via $PEER6
settle "$NS_CLI"
snapshot "$NS_CLI" > "$WORK/after-roam.json"
diff -u "$BEFORE" "$WORK/after-roam.json" > "$WORK/diff.err" || fail "roam: the namespace differs after undo"
log "roam: IPv6: the stale route via A re-pointed via B ($got6), undo clean, the namespace as before"

log "pass"
