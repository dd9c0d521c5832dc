# shellcheck shell=bash
# tests/e2e/net_lib.sh: what the net_* cases share (sourced; each case sets
# CASE first). Namespaces are pte2e-$CASE-{cli,peer}; everything started is
# bounded by `timeout`, tracked by PID and removed by the EXIT trap, and
# leftovers of the same case are removed first.
#
# Topology (documentation addresses only):
#   [cli] c-eth 192.0.2.2/24 2001:db8:1::2/64 -- p-eth 192.0.2.1/24 2001:db8:1::1/64 [peer]
#   the peer holds the "gateway" 198.51.100.1 and another host 198.51.100.2
#   (and 2001:db8:2::1) on its loopback; the client's default routes point at it.
# Exit codes: 0 pass, 1 fail, 77 skip (with the reason on stdout).

NS_CLI=pte2e-$CASE-cli NS_PEER=pte2e-$CASE-peer
CLI=192.0.2.2 PEER=192.0.2.1 CLI6=2001:db8:1::2 PEER6=2001:db8:1::1
GW=198.51.100.1 OTHER=198.51.100.2 GW6=2001:db8:2::1
TOOL_PID=
NS_LIST=("$NS_CLI" "$NS_PEER")
FAIL_GLOBS=("*.out" "*.err") FAIL_LINES=30
# shellcheck source=tests/e2e/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

net_init() { # TOOL
	TOOL=$1
	[ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
	command -v ip >/dev/null || skip "iproute2 is not installed (tools/deps.sh)"
	command -v jq >/dev/null || skip "jq is not installed (it reads ip -j output)"
	[ -x "$TOOL" ] || skip "net-tool not built ($TOOL)"
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	ns_del_all
	ip netns add "$NS_CLI" 2>/dev/null || skip "cannot create network namespaces here"
	WORK=$(mktemp -d "/tmp/pte2e-$CASE-XXXXXX")
}

topology() {
	ip netns add "$NS_PEER"
	ip link add c-eth netns "$NS_CLI" type veth peer name p-eth netns "$NS_PEER"
	for ns in "$NS_CLI" "$NS_PEER"; do
		ip -n "$ns" link set lo up
	done
	ip -n "$NS_PEER" addr add $PEER/24 dev p-eth
	ip -n "$NS_PEER" addr add $PEER6/64 dev p-eth nodad
	ip -n "$NS_PEER" addr add $GW/32 dev lo
	ip -n "$NS_PEER" addr add $OTHER/32 dev lo
	ip -n "$NS_PEER" addr add $GW6/128 dev lo
	ip -n "$NS_PEER" link set p-eth up
	ip -n "$NS_CLI" addr add $CLI/24 dev c-eth
	ip -n "$NS_CLI" addr add $CLI6/64 dev c-eth nodad
	ip -n "$NS_CLI" link set c-eth up
	ip -n "$NS_CLI" route add default via $PEER
	ip -n "$NS_CLI" -6 route add default via $PEER6
	ip -n "$NS_PEER" route add 192.0.2.0/24 dev p-eth 2>/dev/null || true
	timeout 5 ip netns exec "$NS_CLI" ping -c1 -W2 -q $GW >/dev/null || fail "underlay ping $CLI -> $GW failed"
	settle "$NS_CLI"
}

# Wait until the namespace stops changing by itself (carrier, IPv6
# link-local addresses after DAD), so before/after dumps compare only us.
settle() { # NS
	local a b
	for _ in $(seq 1 20); do
		a=$(snapshot "$1")
		sleep 0.5
		b=$(snapshot "$1")
		if [ "$a" = "$b" ] && ! grep -q tentative <<<"$b"; then
			return 0
		fi
	done
	fail "namespace $1 did not settle in 20 s"
}

# Everything about addresses and routes in a namespace, for before/after
# comparisons (address lifetimes of permanent addresses do not move).
snapshot() { # NS
	{
		ip -n "$1" -j addr show | jq -S .
		ip -n "$1" -j -4 route show table all | jq -S .
		ip -n "$1" -j -6 route show table all | jq -S .
		ip -n "$1" -j link show | jq -S 'map(del(.stats64, .stats))'
	}
}

# Wait until FILE has a line matching REGEX (at most SECONDS).
wait_for() { # FILE REGEX SECONDS
	local i n=$(( $3 * 10 ))
	for ((i = 0; i < n; i++)); do
		grep -qE "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# Start net-tool in NS with its stdin on fd 3 (closing fd 3 tells it to
# undo and exit); OUT gets its stdout. Waits for "ready".
tool_start() { # NS OUT ARGS...
	local ns=$1 out=$2; shift 2
	rm -f "$WORK/ctl"
	mkfifo "$WORK/ctl"
	ip netns exec "$ns" timeout --foreground 60 "$TOOL" "$@" < "$WORK/ctl" > "$out" 2> "$out.err" &
	TOOL_PID=$!
	PIDS+=("$TOOL_PID")
	exec 3> "$WORK/ctl"
	wait_for "$out" '^(ready|error)' 10 || fail "net-tool $1 did not get ready"
	grep -q '^ready' "$out" || fail "net-tool $1: $(cat "$out")"
}

# shellcheck disable=SC2034 # TOOL_RC is read by the cases
tool_stop() { # -> the tool's exit code in TOOL_RC
	exec 3>&-
	TOOL_RC=0
	wait "$TOOL_PID" || TOOL_RC=$?
}
