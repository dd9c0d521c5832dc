#!/bin/bash
# demo.sh: petrel end to end on one machine, as root. Builds petreld, petrel
# and petrel-gw; makes three network namespaces (client, router, gateway) on
# documentation addresses; starts petrel-gw and petreld; runs `petrel up`,
# shows `petrel status`, pings through the tunnel, moves the client to a
# second uplink and back (the tunnel follows by MOBIKE), runs `petrel down`,
# shows that the client's routes are as before, and removes everything it
# made.
#
#   [pt-demo-cli] c-eth  192.0.2.2/25   -- 192.0.2.1   [pt-demo-rt] 198.51.100.254 -- 198.51.100.1 [pt-demo-gw]
#                 c-eth2 192.0.2.130/25 -- 192.0.2.129 (uplink B: a phone's hotspot)
#   inside the tunnel: the client gets 203.0.113.10; the gateway is 203.0.113.1
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$(pwd)
[ "$(id -u)" = 0 ] || { echo "demo: run as root (it makes network namespaces and a TUN device)" >&2; exit 1; }

CLI=pt-demo-cli RT=pt-demo-rt GWNS=pt-demo-gw
WORK=$(mktemp -d /tmp/petrel-demo.XXXXXX)
BUILD=${PETREL_DEMO_BUILD:-$SRC/build-demo}
PIDS=()

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

cleanup() {
	set +e
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do
		for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$p" 2>/dev/null
	done
	for ns in $CLI $GWNS $RT; do ip netns del "$ns" 2>/dev/null; done
	rm -rf "/etc/netns/$CLI"; [ -n "${DEMO_KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
for ns in $CLI $GWNS $RT; do ip netns del "$ns" 2>/dev/null || true; done

say "Installing what the build needs (tools/deps.sh) and building"
bash tools/deps.sh >/dev/null
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DPETREL_TIERS=OFF >/dev/null
cmake --build "$BUILD" -j"$(nproc)" --target petreld petrel petrel-gw >/dev/null
PETRELD=$BUILD/src/daemon/petreld PETREL=$BUILD/cli/petrel PETREL_GW=$BUILD/src/gw/petrel-gw

say "Making the namespaces"
ip netns add $CLI; ip netns add $RT; ip netns add $GWNS
ip link add c-eth netns $CLI type veth peer name r-cli netns $RT
ip link add c-eth2 netns $CLI type veth peer name r-cli2 netns $RT
ip link add g-eth netns $GWNS type veth peer name r-gw netns $RT
ip -n $CLI addr add 192.0.2.2/25 dev c-eth
ip -n $CLI addr add 192.0.2.130/25 dev c-eth2
ip -n $RT addr add 192.0.2.1/25 dev r-cli
ip -n $RT addr add 192.0.2.129/25 dev r-cli2
ip -n $RT addr add 198.51.100.254/24 dev r-gw
ip -n $GWNS addr add 198.51.100.1/24 dev g-eth
for ns in $CLI $RT $GWNS; do ip -n "$ns" link set lo up; done
ip -n $CLI link set c-eth up; ip -n $RT link set r-cli up; ip -n $RT link set r-gw up; ip -n $GWNS link set g-eth up
ip -n $CLI link set c-eth2 up; ip -n $RT link set r-cli2 up
ip -n $CLI route add default via 192.0.2.1
ip -n $GWNS route add default via 198.51.100.254
ip netns exec $RT sysctl -qw net.ipv4.ip_forward=1
# The client namespace's own resolv.conf (ip netns exec binds it over
# /etc/resolv.conf there), so petreld's DNS change never touches the host's.
mkdir -p "/etc/netns/$CLI"
printf 'nameserver 192.0.2.1\n' > "/etc/netns/$CLI/resolv.conf"

say "Starting petrel-gw in $GWNS (PSK, pool 203.0.113.10-250, DNS 203.0.113.53, domain corp.example)"
umask 077
printf 'petrel-demo-preshared-key-0123456789\n' > "$WORK/gw.psk"
cat > "$WORK/gw.yaml" <<YAML
gateway:
  listen: 198.51.100.1
  id: gw.example
  psk_file: $WORK/gw.psk
  pool: 203.0.113.10-203.0.113.250
  dns: [203.0.113.53]
  dns_domains: [corp.example]
  subnets: [203.0.113.0/24]
  tun: ptgw0
  tun_address: 203.0.113.1
YAML
ip netns exec $GWNS timeout --foreground 300 "$PETREL_GW" --config "$WORK/gw.yaml" > "$WORK/gw.log" 2>&1 &
PIDS+=($!)

say "Starting petreld in $CLI with the profile 'demo'"
mkdir -p "$WORK/etc/profiles.d"
cp "$WORK/gw.psk" "$WORK/etc/demo.psk"
cat > "$WORK/etc/profiles.d/demo.yaml" <<YAML
demo:
  gateway: 198.51.100.1
  remote_id: gw.example
  local_id: client@psk.example
  auth: { method: psk, psk_file: $WORK/etc/demo.psk }
  proposals: { ike: [aes256gcm16-prfsha256-x25519], esp: [aes256gcm16] }
  routes: full
  dns: auto
YAML
SOCK=$WORK/control.sock
# A private /run for petreld (its route journal and DNS backup stay in the demo).
ip netns exec $CLI timeout --foreground 300 sh -c "mount -t tmpfs tmpfs /run && exec '$PETRELD' --config '$WORK/etc' --socket '$SOCK' --state-dir '$WORK/state'" \
	> "$WORK/petreld.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
[ -S "$SOCK" ] || { cat "$WORK/petreld.log"; echo "demo: petreld did not start" >&2; exit 1; }
ip -n $CLI route > "$WORK/routes.before"

say "Connecting"
run ip netns exec $CLI "$PETREL" --socket "$SOCK" up demo
run ip netns exec $CLI "$PETREL" --socket "$SOCK" status

say "Traffic through the tunnel: ping 203.0.113.1 (the gateway's inside address)"
run ip netns exec $CLI ping -c 3 -i 0.2 -W 2 203.0.113.1
run ip -n $CLI route
run ip netns exec $CLI cat /etc/resolv.conf
run ip netns exec $CLI "$PETREL" --socket "$SOCK" status
echo "kill switch while up (only IKE/ESP to the gateway and the TUN may pass):"
ip netns exec $CLI nft list tables

# Until petreld says the tunnel followed the move by MOBIKE once more than
# before (10 s at most).
recovered() { # MOBIKE recoveries so far
	for _ in $(seq 1 100); do
		[ "$(grep -c 'recovered from .* by MOBIKE' "$WORK/petreld.log")" -gt "$1" ] && return 0
		sleep 0.1
	done
	echo "demo: the tunnel did not follow the move" >&2
	exit 1
}
say "Roaming: the Wi-Fi (uplink A, 192.0.2.2) goes, the hotspot (uplink B, 192.0.2.130) stays"
n=$(grep -c 'recovered from .* by MOBIKE' "$WORK/petreld.log" || true)
run ip -n $CLI -batch - <<BATCH
route add default via 192.0.2.129 dev c-eth2 metric 20
route del default via 192.0.2.1 dev c-eth
addr del 192.0.2.2/25 dev c-eth
BATCH
recovered "$n"
run ip netns exec $CLI "$PETREL" --socket "$SOCK" status
run ip netns exec $CLI ping -c 3 -i 0.2 -W 2 203.0.113.1
say "Back on the Wi-Fi (uplink A)"
n=$(grep -c 'recovered from .* by MOBIKE' "$WORK/petreld.log" || true)
run ip -n $CLI -batch - <<BATCH
addr add 192.0.2.2/25 dev c-eth
route add default via 192.0.2.1 dev c-eth
route del default via 192.0.2.129 dev c-eth2
BATCH
recovered "$n"
run ip netns exec $CLI "$PETREL" --socket "$SOCK" status
run ip netns exec $CLI ping -c 3 -i 0.2 -W 2 203.0.113.1

say "Disconnecting"
run ip netns exec $CLI "$PETREL" --socket "$SOCK" down demo
ip -n $CLI route > "$WORK/routes.after"
if diff -u "$WORK/routes.before" "$WORK/routes.after"; then
	echo "the client's routes are exactly as before 'petrel up'"
else
	echo "demo: the routes differ after 'petrel down'" >&2
	exit 1
fi
run ip netns exec $CLI cat /etc/resolv.conf
if ip netns exec $CLI nft list tables 2>/dev/null | grep -q petrel; then
	echo "demo: the kill switch is still loaded after 'petrel down'" >&2
	exit 1
fi
echo "the kill switch is off again"
say "Done; removing the namespaces"
