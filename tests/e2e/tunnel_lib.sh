# shellcheck shell=bash
# tests/e2e/tunnel_lib.sh: traffic through a real tunnel (issue 4), on top of
# lib.sh (sourced after it). petreld runs in the client namespace with a
# private tmpfs on /run and its own /etc/netns/<ns>/resolv.conf (as in
# tools/demo.sh); the gateway is petrel-gw with a TUN or strongSwan with
# kernel-libipsec. Inside the tunnel, documentation addresses only:
#   gateway 203.0.113.1 and 2001:db8:113::1, clients from
#   203.0.113.10-203.0.113.250 and 2001:db8:113::10-2001:db8:113::ff.
# shellcheck disable=SC2034 # used by the cases
GW_IN4=203.0.113.1 GW_IN6=2001:db8:113::1
POOL4=203.0.113.10-203.0.113.250 POOL6=2001:db8:113::10-2001:db8:113::ff
IPERF_PORT=5201

# The EXIT trap of lib.sh, plus the client's resolv.conf directory.
tun_cleanup() {
	local rc=$?
	rm -rf "/etc/netns/$NS_CLI"
	(exit $rc)
	cleanup
}

# lib.sh's topology, with the client's own resolv.conf; a TUN gateway holds
# 203.0.113.1 on its TUN, so lib.sh's copy on lo goes (tun); else it
# stays (lo).
tun_topology() { # tun|lo
	trap tun_cleanup EXIT
	topology
	[ "$1" != tun ] || ip -n "$NS_GW" addr del 203.0.113.1/32 dev lo
	# The client's link settles before the "before" snapshot: veth's carrier
	# comes up late (linkwatch), then the IPv6 link-local address (no DAD).
	ip netns exec "$NS_CLI" sysctl -qw net.ipv6.conf.c-eth.accept_dad=0
	for _ in $(seq 1 50); do
		[ -n "$(ip -n "$NS_CLI" -6 addr show dev c-eth scope link -tentative)" ] &&
			ip -n "$NS_CLI" link show c-eth | grep -q 'state UP' && break
		sleep 0.1
	done
	mkdir -p "/etc/netns/$NS_CLI"
	printf 'nameserver 192.0.2.1\nsearch lab.example\n' > "/etc/netns/$NS_CLI/resolv.conf"
}

need_tools() { # TOOL...: skip (77) naming the first one missing
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null || skip "$t is not installed (tools/deps.sh)"
	done
}

# lib.sh's gw_start, with a private tmpfs on /run: petrel-gw's route
# journal (/run/petrel/gw-routes) is then its own, not the host's or that of
# a case running in parallel. GW_PID is timeout(1); GW_REAL_PID petrel-gw.
tun_gw_start() { # PETREL_GW
	ip netns exec "$NS_GW" timeout --foreground 120 sh -c "mount -t tmpfs -o size=4m tmpfs /run && exec '$1' --config '$WORK/gw.yaml'" \
		> "$WORK/gw.log" 2>&1 &
	GW_PID=$!
	PIDS+=("$GW_PID")
	for _ in $(seq 1 50); do
		grep -q "listening on" "$WORK/gw.log" 2>/dev/null && break
		kill -0 "$GW_PID" 2>/dev/null || fail "petrel-gw exited at startup"
		sleep 0.1
	done
	grep -q "listening on" "$WORK/gw.log" || fail "petrel-gw did not start listening"
	GW_REAL_PID=$(pgrep -P "$GW_PID" -x petrel-gw) || fail "cannot find petrel-gw's process (child of $GW_PID)"
}

# petreld in the client namespace with the profiles in $WORK/etc and its
# state (resumption tickets) in $WORK/state.
petreld_start() { # PETRELD
	SOCK=$WORK/control.sock
	ip netns exec "$NS_CLI" timeout --foreground 120 sh -c "mount -t tmpfs -o size=4m tmpfs /run && exec '$1' --config '$WORK/etc' --socket '$SOCK' --state-dir '$WORK/state'" \
		> "$WORK/petreld.log" 2>&1 &
	PETRELD_PID=$!
	PIDS+=("$PETRELD_PID")
	for _ in $(seq 1 50); do
		[ -S "$SOCK" ] && return 0
		kill -0 "$PETRELD_PID" 2>/dev/null || fail "petreld exited at startup"
		sleep 0.1
	done
	fail "petreld: no control socket after 5 s"
}

pt() { # petrel CLI in the client namespace: ARGS...
	timeout 40 ip netns exec "$NS_CLI" "$PETREL" --socket "$SOCK" "$@"
}

# A PSK profile NAME for petreld, to the gateway at $GW. Extra YAML lines
# (indented two spaces) may follow.
profile() { # NAME ESP [extra lines]
	mkdir -p "$WORK/etc/profiles.d"
	psk_file "$WORK/etc/client.psk"
	cat > "$WORK/etc/profiles.d/$1.yaml" <<-EOF
	$1:
	  gateway: $GW
	  remote_id: $GW_ID
	  local_id: $CLIENT_ID
	  auth: { method: psk, psk_file: $WORK/etc/client.psk }
	  proposals: { ike: [aes256gcm16-prfsha256-x25519], esp: [$2] }
	  routes: full
	  dns: auto
	${3:-}
	EOF
}

# What `petrel down` must give back: addresses, IPv4 and IPv6 routes and
# resolv.conf of the client namespace. Waits for IPv6 duplicate address
# detection to end first (a tentative address would change by itself).
net_snapshot() { # FILE
	for _ in $(seq 1 50); do
		[ -z "$(ip -n "$NS_CLI" -6 addr show tentative)" ] && break
		sleep 0.1
	done
	{
		echo "## ip -j addr"; ip -n "$NS_CLI" -j addr
		echo; echo "## ip -j -4 route"; ip -n "$NS_CLI" -j -4 route show table all
		echo; echo "## ip -j -6 route"; ip -n "$NS_CLI" -j -6 route show table all
		echo; echo "## ip rule"; ip -n "$NS_CLI" -j rule; ip -n "$NS_CLI" -j -6 rule
		echo; echo "## resolv.conf"; ip netns exec "$NS_CLI" cat /etc/resolv.conf
	} > "$1" 2>&1
}

# `petrel status --json`, only the object of profile NAME (one line).
pstatus() { # NAME
	local st
	st=$(pt status --json) || fail "petrel status --json failed: $st"
	sed 's/},{"name":/}\n{"name":/g' <<<"$st" | grep -F "\"name\":\"$1\"" | head -1
}

# One field of pstatus's line (string, number or null).
status_field() { # LINE KEY
	sed -nE "s/.*\"$2\":\"?([^\",}]*)\"?.*/\\1/p" <<<"$1" | head -1
}

# ping -c N through the tunnel from namespace NS; fails unless all come back.
ping_ok() { # NS DST [COUNT]
	local n=${3:-3} out
	out=$(timeout 15 ip netns exec "$1" ping -n -c "$n" -i 0.1 -W 2 "$2" 2>&1) \
		|| fail "ping $2 from ${1##*-}: $(tail -2 <<<"$out")"
	grep -q " $n received, 0% packet loss" <<<"$out" || fail "ping $2 from ${1##*-}: $(tail -2 <<<"$out")"
}

# iperf3 server in NS on ADDR (one per run; bounded by timeout).
iperf_server() { # NS ADDR
	ip netns exec "$1" timeout 90 iperf3 -s -B "$2" -p $IPERF_PORT > "$WORK/iperf-s.log" 2>&1 &
	PIDS+=($!)
	IPERF_S_PID=$!
	for _ in $(seq 1 30); do
		ip netns exec "$1" ss -ltn 2>/dev/null | grep -q ":$IPERF_PORT " && return 0
		sleep 0.1
	done
	fail "iperf3 server on $2 did not start: $(cat "$WORK/iperf-s.log")"
}

iperf_stop() {
	kill "$IPERF_S_PID" 2>/dev/null || true
	wait "$IPERF_S_PID" 2>/dev/null || true
}

# iperf3 TCP for SECONDS from the client namespace to DST (-R: the gateway
# sends); prints the receiver's Mbit/s. Fails unless it ran and moved data.
iperf_run() { # DST SECONDS [-R] [extra iperf3 args]
	local dst=$1 secs=$2 out mbps
	shift 2
	out=$(timeout $((secs + 15)) ip netns exec "$NS_CLI" iperf3 -c "$dst" -p $IPERF_PORT -t "$secs" \
		-f m --connect-timeout 3000 "$@" 2>&1) || fail "iperf3 -c $dst $*: $(tail -3 <<<"$out")"
	mbps=$(awk '/ receiver$/ { for (i = 1; i <= NF; i++) if ($i == "Mbits/sec") print $(i-1) }' <<<"$out" | tail -1)
	[ -n "$mbps" ] || fail "iperf3 -c $dst $*: no receiver line: $(tail -3 <<<"$out")"
	awk -v m="$mbps" 'BEGIN { exit !(m > 1) }' || fail "iperf3 -c $dst $*: only $mbps Mbit/s"
	echo "$mbps"
}

# petrel-gw's data path counters (SIGUSR1 -> one 'gw: stats:' line; after
# tun_gw_start); sets
# ST_<name> for each counter of the newest line.
gw_stats() {
	local n before line kv
	before=$(grep -c 'gw: stats:' "$WORK/gw.log" || true)
	kill -USR1 "$GW_REAL_PID" # not GW_PID: timeout(1) would die of it
	for _ in $(seq 1 30); do
		n=$(grep -c 'gw: stats:' "$WORK/gw.log" || true)
		[ "$n" -gt "$before" ] && break
		sleep 0.1
	done
	line=$(grep 'gw: stats:' "$WORK/gw.log" | tail -1)
	[ "$n" -gt "$before" ] || fail "petrel-gw logged no stats after SIGUSR1"
	for kv in ${line#*stats: }; do
		printf -v "ST_${kv%%=*}" '%s' "${kv#*=}"
	done
}

# A filter in the router namespace whose rules can be taken out again:
# fw_init once, then block NAME RULE... / unblock NAME (by the rule's handle).
nft_rt() { ip netns exec "$NS_RT" nft "$@"; }
fw_init() {
	nft_rt add table inet pte2e_fw
	nft_rt add chain inet pte2e_fw filt '{ type filter hook forward priority 0; policy accept; }'
}
block() { # NAME RULE...: add a rule, remember its handle
	local name=$1 h
	shift
	h=$(nft_rt --echo --handle add rule inet pte2e_fw filt "$@" | sed -nE 's/.*# handle ([0-9]+).*/\1/p')
	[ -n "$h" ] || fail "nft: cannot add '$*'"
	printf -v "H_$name" '%s' "$h"
}
unblock() { # NAME
	local v="H_$1"
	nft_rt delete rule inet pte2e_fw filt handle "${!v}"
}
