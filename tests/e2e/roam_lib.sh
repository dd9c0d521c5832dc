# shellcheck shell=bash
# tests/e2e/roam_lib.sh: a laptop moving between two uplinks (roaming), on
# top of lib.sh and tunnel_lib.sh (sourced after both). The client namespace
# gets a second veth pair to the router; lib.sh's 192.0.2.0/24 is split in
# two halves, one per uplink (documentation addresses only):
#
#   uplink A: [cli] c-eth  192.0.2.2/25   -- r-cli  192.0.2.1/25   [rt]
#   uplink B: [cli] c-eth2 192.0.2.130/25 -- r-cli2 192.0.2.129/25 [rt]
#   [rt] r-gw 198.51.100.254/24 -- g-eth 198.51.100.1/24 [gw]   (lib.sh, unchanged)
#
# The client's default route is via A (metric 10) at the start; B's default
# route, when it has one, has metric 20 (a fixed metric per uplink, so the
# new uplink's route can be added while the old one is still there).
#
# Functions (each fails the case with a clear message; waits are bounded):
#   roam_topology tun|lo   tun_topology, then the two uplinks above.
#   roam_move_to_b [down]  the move A -> B as a laptop makes it when its Wi-Fi
#   roam_move_to_a [down]  goes and a hotspot stays (roam_move_to A|B [down]).
#                          First the new uplink is made ready: link up with
#                          carrier, its address, then ROAM_SETTLE s (default
#                          1) for the daemons to handle the new address before
#                          the instant (a reaction that comes later, e.g.
#                          strongSwan's roam job 100 ms after the event
#                          delayed by load, would find the move done and give
#                          a near-zero figure). Then one `ip -batch` adds the
#                          default route via the new uplink, deletes the old
#                          one and the old uplink's address (and sets the old
#                          link down with `down`). The instant, in ms since
#                          the epoch, taken when that batch has run (the old
#                          path is gone), is in ROAM_T (ROAM_T0: when the
#                          batch started) and $WORK/roam.t; every move is
#                          appended to $WORK/roam-moves.log as "T FROM TO".
#                          ROAM_AT is the uplink in use (A or B).
#   roam_nat_on [FLAGS]    masquerade in the router for what comes from either
#                          uplink and leaves towards the gateway (table ip
#                          pte2e_nat, chain post, as lib.sh's nat_masquerade);
#                          FLAGS are nft masquerade flags (random, fully-random,
#                          persistent). Plain masquerade keeps a flow's source
#                          port when it is free, so after roam_nat_flush a flow
#                          usually gets its old port back; with `random` every
#                          new mapping gets a new port.
#   roam_nat_off           the masquerade removed and the mappings forgotten.
#   roam_nat_flush [A|B]   the router forgets its NAT mappings (conntrack -F),
#                          or only those of uplink A's or B's client address
#                          (conntrack -D -s ADDR and -d ADDR): the client's next
#                          packets from there make new mappings. One router
#                          plays both networks here, so the flows of an
#                          uplink's earlier stay outlive the move (UDP: 120 s)
#                          and a return to it reuses them, NAT or not, unless
#                          they are flushed first.
#   roam_leak_start        nftables counter (table inet pte2e_leak) in the
#                          router's prerouting hook: packets from the client
#                          (iifname r-cli or r-cli2) that are not IKE/ESP
#                          (udp dport 500/4500, tcp dport 4500, ESP) and not
#                          neighbour discovery or link-local (ARP is not seen
#                          by an inet table). Starts at 0 (again if called again).
#   roam_leaks             prints that count; when it is not 0, logs the
#                          leaked flows (source . destination . protocol).
#   roam_probe_start DEST [SRC] [SECONDS]
#                          `ping -D -n -i 0.009` (iputils 20221126 sends
#                          every 16 ms when asked for 10 ms or more, every
#                          9.0 ms when asked for 9) in the client namespace
#                          to DEST (from SRC, e.g. the tunnel's inner address,
#                          when given), for at most SECONDS (60), into
#                          ROAM_PROBE_LOG ($WORK/roam-probe-N.log, N counting
#                          the probes; every log stays for a failure or
#                          PTE2E_KEEP); returns once a reply came back (5 s
#                          at most). One probe at a time (a new one stops the
#                          old one).
#   roam_probe_stop        stops it.
#   roam_recovery_ms [SECONDS] [T]
#                          prints the ms from T (default ROAM_T) to the first
#                          probe reply whose request was sent at T or later
#                          (send time = ping's receive time stamp - its RTT),
#                          waiting up to SECONDS (10) for one; fails when none.
#   roam_ss_gw [LEVEL]     strongSwan 5.9.8 (kernel-libipsec) as the MOBIKE
#                          gateway alone (for petreld against it).
#   roam_ss_up [LEVEL]     strongSwan 5.9.8 (kernel-libipsec) as the gateway in
#                          the gw namespace and as a MOBIKE client in the
#                          client namespace, PSK, connected; sets SS_VIP and
#                          SS_PIDS (the two timeout(1) wrappers). LEVEL: the
#                          ike and cfg log levels (2; MOBIKE needs >= 1).
#   roam_ss_local NAME NS  prints "LOCAL REMOTE" (address[port] each) of the
#                          IKE SA that strongSwan instance NAME lists.
# shellcheck disable=SC2034 # used by the cases
CLI2=192.0.2.130 RT_CLI2=192.0.2.129
declare -A ROAM_IF=([A]=c-eth [B]=c-eth2) ROAM_ADDR=([A]=$CLI [B]=$CLI2) \
	ROAM_RGW=([A]=$RT_CLI [B]=$RT_CLI2) ROAM_METRIC=([A]=10 [B]=20)
ROAM_SETTLE=${ROAM_SETTLE:-1}
ROAM_AT='' ROAM_T='' ROAM_T0='' ROAM_PROBE_PID='' ROAM_PROBE_LOG='' ROAM_PROBES=0

roam_topology() { # tun|lo
	tun_topology "$1"
	# uplink A: lib.sh's /24 becomes the lower /25, same addresses
	ip -n "$NS_CLI" route del default via "$RT_CLI"
	ip -n "$NS_CLI" addr del "$CLI/24" dev c-eth
	ip -n "$NS_RT" addr del "$RT_CLI/24" dev r-cli
	ip -n "$NS_RT" addr add "$RT_CLI/25" dev r-cli
	ip -n "$NS_CLI" addr add "$CLI/25" dev c-eth
	ip -n "$NS_CLI" route add default via "$RT_CLI" dev c-eth metric "${ROAM_METRIC[A]}"
	# uplink B: a second pair, the upper /25
	ip link add r-cli2 netns "$NS_RT" type veth peer name c-eth2 netns "$NS_CLI"
	ip netns exec "$NS_CLI" sysctl -qw net.ipv6.conf.c-eth2.accept_dad=0
	ip -n "$NS_RT" addr add $RT_CLI2/25 dev r-cli2; ip -n "$NS_RT" link set r-cli2 up
	ip -n "$NS_CLI" addr add $CLI2/25 dev c-eth2; ip -n "$NS_CLI" link set c-eth2 up
	_roam_carrier B || fail "roam: c-eth2 has no carrier after 5 s"
	ROAM_AT=A
	# IPv6 duplicate address detection on the gateway's link ends about
	# 1-2 s after lib.sh's topology; a daemon there would take the end of it
	# for an address change (strongSwan sends a MOBIKE address list): wait.
	for _ in $(seq 1 50); do
		[ -z "$(ip -n "$NS_GW" -6 addr show tentative)" ] && [ -z "$(ip -n "$NS_CLI" -6 addr show tentative)" ] && break
		sleep 0.1
	done
	timeout 5 ip netns exec "$NS_CLI" ping -c1 -W2 -q "$GW" >/dev/null \
		|| fail "roam: underlay ping $CLI -> $GW over uplink A failed"
	timeout 5 ip netns exec "$NS_CLI" ping -c1 -W2 -q -I $CLI2 $RT_CLI2 >/dev/null \
		|| fail "roam: underlay ping $CLI2 -> $RT_CLI2 over uplink B failed"
	timeout 5 ip netns exec "$NS_GW" ping -c1 -W2 -q $CLI2 >/dev/null \
		|| fail "roam: underlay ping $GW -> $CLI2 (the router's route to uplink B) failed"
}

# Uplink X's link is up with carrier and its IPv6 link-local address (at most 5 s).
_roam_carrier() { # A|B
	local ifc=${ROAM_IF[$1]}
	for _ in $(seq 1 50); do
		ip -n "$NS_CLI" link show "$ifc" | grep -q 'state UP' &&
			[ -n "$(ip -n "$NS_CLI" -6 addr show dev "$ifc" scope link -tentative)" ] && return 0
		sleep 0.1
	done
	return 1
}

# Uplink X ready for use: link up with carrier, its address (then
# ROAM_SETTLE s, so that daemons have handled the new address before the
# measured instant).
_roam_ready() { # A|B
	local x=$1 ifc=${ROAM_IF[$1]}
	if ! ip -n "$NS_CLI" link show "$ifc" | grep -q 'state UP'; then
		ip -n "$NS_CLI" link set "$ifc" up
		_roam_carrier "$x" || fail "roam: $ifc has no carrier 5 s after link up"
	fi
	if ! ip -n "$NS_CLI" -4 addr show dev "$ifc" | grep -qF " ${ROAM_ADDR[$x]}/25 "; then
		ip -n "$NS_CLI" addr add "${ROAM_ADDR[$x]}/25" dev "$ifc"
		sleep "$ROAM_SETTLE"
	fi
}

roam_move_to() { # A|B [down]
	local to=$1 from=$ROAM_AT t
	case $to in A | B) ;; *) fail "roam_move_to: uplink '$to' is not A or B" ;; esac
	[ -n "$from" ] || fail "roam_move_to: no roam_topology"
	[ "$to" != "$from" ] || fail "roam_move_to: already on uplink $to"
	_roam_ready "$to"
	{
		echo "route add default via ${ROAM_RGW[$to]} dev ${ROAM_IF[$to]} metric ${ROAM_METRIC[$to]}"
		echo "route del default via ${ROAM_RGW[$from]} dev ${ROAM_IF[$from]}"
		echo "addr del ${ROAM_ADDR[$from]}/25 dev ${ROAM_IF[$from]}"
		[ "${2:-}" != down ] || echo "link set ${ROAM_IF[$from]} down"
	} > "$WORK/roam.batch"
	t=${EPOCHREALTIME//[!0-9]/} # no fork: microseconds
	ROAM_T0=${t:0:${#t}-3}
	ip -n "$NS_CLI" -batch "$WORK/roam.batch" > "$WORK/roam.batch.out" 2>&1 \
		|| fail "roam: the move $from -> $to failed: $(cat "$WORK/roam.batch.out")"
	# the instant is when the old path is gone: a packet sent in the 1-3 ms
	# ip(8) takes to start could still leave by the old uplink
	t=${EPOCHREALTIME//[!0-9]/}
	ROAM_T=${t:0:${#t}-3}
	ROAM_AT=$to
	echo "$ROAM_T" > "$WORK/roam.t"
	echo "$ROAM_T $from $to" >> "$WORK/roam-moves.log"
	log "roam: uplink $from -> $to (${ROAM_ADDR[$to]} via ${ROAM_IF[$to]}${2:+, ${ROAM_IF[$from]} down}) at $ROAM_T ms ($((ROAM_T - ROAM_T0)) ms for ip -batch)"
}
roam_move_to_b() { roam_move_to B "$@"; }
roam_move_to_a() { roam_move_to A "$@"; }

# ---- NAT in the router
roam_nat_on() { # [masquerade flags]
	ip netns exec "$NS_RT" nft -f - <<-EOF || fail "roam: nft refused the masquerade rule"
		table ip pte2e_nat {
			chain post {
				type nat hook postrouting priority srcnat; policy accept;
				iifname { "r-cli", "r-cli2" } oifname "r-gw" masquerade ${1:-}
			}
		}
	EOF
}
roam_nat_off() {
	ip netns exec "$NS_RT" nft delete table ip pte2e_nat 2>/dev/null || true
	roam_nat_flush ""
}
roam_nat_flush() { # [A|B]
	local out a n=0 d
	if [ -z "${1:-}" ]; then
		out=$(ip netns exec "$NS_RT" conntrack -F 2>&1) || fail "roam: conntrack -F failed: $out"
		log "roam: the router forgot all its mappings"
		return 0
	fi
	a=${ROAM_ADDR[$1]:-}
	[ -n "$a" ] || fail "roam_nat_flush: uplink '$1' is not A or B"
	for d in -s -d; do
		# exit 1 with "0 flow entries have been deleted" when there were none
		out=$(ip netns exec "$NS_RT" conntrack -D "$d" "$a" 2>&1) || true
		grep -qE '[0-9]+ flow entries have been deleted' <<<"$out" || fail "roam: conntrack -D $d $a: $out"
		n=$((n + $(sed -nE 's/.* ([0-9]+) flow entries have been deleted.*/\1/p' <<<"$out")))
	done
	log "roam: the router forgot $n mapping(s) of uplink $1 ($a)"
}

# ---- leaks: what arrives at the router from the client outside IKE/ESP
roam_leak_start() {
	ip netns exec "$NS_RT" nft delete table inet pte2e_leak 2>/dev/null || true
	ip netns exec "$NS_RT" nft -f - <<-'EOF' || fail "roam: nft refused the leak counter"
		table inet pte2e_leak {
			counter leaks { }
			set leaked4 { type ipv4_addr . ipv4_addr . inet_proto; size 256; flags dynamic; }
			set leaked6 { type ipv6_addr . ipv6_addr . inet_proto; size 256; flags dynamic; }
			chain pre {
				type filter hook prerouting priority raw; policy accept;
				iifname != { "r-cli", "r-cli2" } return
				udp dport { 500, 4500 } return
				tcp dport 4500 return
				meta l4proto esp return
				ip saddr 169.254.0.0/16 return
				ip6 saddr { ::, fe80::/10 } return
				icmpv6 type { nd-router-solicit, nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert, nd-redirect } return
				counter name "leaks"
				add @leaked4 { ip saddr . ip daddr . meta l4proto }
				add @leaked6 { ip6 saddr . ip6 daddr . meta l4proto }
			}
		}
	EOF
}
roam_leaks() {
	local n flows
	n=$(ip netns exec "$NS_RT" nft list counter inet pte2e_leak leaks 2>/dev/null \
		| sed -nE 's/.*packets ([0-9]+) bytes.*/\1/p')
	[ -n "$n" ] || fail "roam: no leak counter in the router (roam_leak_start first)"
	if [ "$n" != 0 ]; then
		flows=$(for s in leaked4 leaked6; do
			ip netns exec "$NS_RT" nft list set inet pte2e_leak $s | tr -d '\n\t' \
				| sed -nE 's/.*elements = \{ ?([^}]*)\}.*/\1/p'
		done)
		log "roam: $n packet(s) from the client outside IKE/ESP; flows: ${flows:-none recorded}"
	fi
	echo "$n"
}

# ---- a probe through the tunnel
roam_probe_start() { # DEST [SRC] [SECONDS]
	local secs=${3:-60} bind=()
	[ -z "${2:-}" ] || bind=(-I "$2")
	roam_probe_stop
	ROAM_PROBES=$((ROAM_PROBES + 1))
	ROAM_PROBE_LOG=$WORK/roam-probe-$ROAM_PROBES.log
	ip netns exec "$NS_CLI" timeout $((secs + 5)) ping -D -n -i 0.009 -w "$secs" "${bind[@]}" "$1" \
		> "$ROAM_PROBE_LOG" 2>&1 &
	ROAM_PROBE_PID=$!
	PIDS+=("$ROAM_PROBE_PID")
	for _ in $(seq 1 50); do
		grep -q ' bytes from ' "$ROAM_PROBE_LOG" 2>/dev/null && return 0
		kill -0 "$ROAM_PROBE_PID" 2>/dev/null || break
		sleep 0.1
	done
	fail "roam: the probe ping $1${2:+ from $2} got no reply in 5 s: $(tail -3 "$ROAM_PROBE_LOG")"
}
roam_probe_stop() {
	[ -n "$ROAM_PROBE_PID" ] || return 0
	kill "$ROAM_PROBE_PID" 2>/dev/null || true
	wait "$ROAM_PROBE_PID" 2>/dev/null || true
	ROAM_PROBE_PID=
}

# The probe log's first reply to a request sent at T (ms) or later, as ms
# after T; nothing when there is none (yet).
_roam_first_reply() { # T
	awk -v t="$1" '
	/^\[[0-9]+\.[0-9]+\] .* bytes from .* time=[0-9.]+ ms/ {
		ts = substr($1, 2, length($1) - 2); split(ts, p, ".")
		us = substr(p[2] "000000", 1, 6)
		rel = (p[1] * 1000 - t) + us / 1000          # receive time - T, ms
		match($0, /time=[0-9.]+/); rtt = substr($0, RSTART + 5, RLENGTH - 5)
		if (rel - rtt >= 0) { printf "%d\n", rel + 0.5; exit }
	}' "$ROAM_PROBE_LOG"
}
roam_recovery_ms() { # [SECONDS] [T]
	local secs=${1:-10} t=${2:-$ROAM_T} r i last
	[ -n "$t" ] || fail "roam_recovery_ms: no move recorded"
	for ((i = 0; i < secs * 20; i++)); do
		r=$(_roam_first_reply "$t")
		[ -z "$r" ] || { echo "$r"; return 0; }
		sleep 0.05
	done
	[ -n "$ROAM_PROBE_LOG" ] || fail "roam_recovery_ms: no probe (roam_probe_start)"
	last=$(grep ' bytes from ' "$ROAM_PROBE_LOG" | tail -1 | cut -d' ' -f1)
	fail "roam: no reply through the tunnel within $secs s of the move at $t ms (last reply ${last:-none}; probe: $(grep -v ' bytes from ' "$ROAM_PROBE_LOG" | tail -2 | tr '\n' ' '))"
}

# ---- strongSwan 5.9.8 as gateway and MOBIKE client (kernel-libipsec both)
# Instances "gw" (gw namespace, install_routes = no, 203.0.113.0/24 routed
# into ipsec0 by us) and "cli" (client namespace, install_routes = yes:
# charon routes 203.0.113.0/24 into its ipsec0 in table 220 from the
# virtual IP). Needs the gateway's inner address 203.0.113.1 on lo
# (roam_topology lo). charon logs with milliseconds.
# strongSwan 5.9.8 as the MOBIKE gateway alone (kernel-libipsec, PSK, pool4,
# 203.0.113.0/24 routed into its ipsec0): for roam_ss_up and for petreld
# against it. LEVEL: its ike and cfg log levels (2).
roam_ss_gw() { # [LEVEL]
	local lv=${1:-2}
	roam_ss_conf gw "$lv"
	cat > "$WORK/gw/swanctl/swanctl.conf" <<-EOF
	connections {
	    rw {
	        local_addrs = $GW
	        pools = pool4
	        mobike = yes
	        proposals = aes256gcm16-prfsha256-x25519
	        local  { auth = psk
	                 id = $GW_ID }
	        remote { auth = psk
	                 id = $CLIENT_ID }
	        children { net { local_ts = 203.0.113.0/24
	                         esp_proposals = aes256gcm16 } }
	    }
	}
	pools { pool4 { addrs = $POOL4 } }
	secrets { ike-psk { id-1 = $GW_ID
	                    id-2 = $CLIENT_ID
	                    secret = "$PSK" } }
	EOF
	ss_start gw "$NS_GW"
	sw gw "$NS_GW" --load-all > "$WORK/load-gw.log" 2>&1 || fail "swanctl --load-all (gw): $(tail -5 "$WORK/load-gw.log")"
	for _ in $(seq 1 30); do ip -n "$NS_GW" link show ipsec0 >/dev/null 2>&1 && break; sleep 0.1; done
	ip -n "$NS_GW" link set ipsec0 up || fail "strongSwan's ipsec0 is missing in the gateway namespace"
	ip -n "$NS_GW" route add 203.0.113.0/24 dev ipsec0 src "$GW_IN4"
}

# ss_conf NAME with milliseconds in the log and LEVEL for ike and cfg.
roam_ss_conf() { # NAME LEVEL
	ss_conf "$1"
	sed -i -e 's/^\(\s*\)time_format = .*/&\n\1time_add_ms = yes/' \
		-e "s/^\(\s*\)\(ike\|cfg\) = 2$/\1\2 = $2/" "$WORK/$1/strongswan.conf"
}

roam_ss_up() { # [LEVEL]
	local lv=${1:-2}
	roam_ss_gw "$lv"
	roam_ss_conf cli "$lv"
	sed -i 's/install_routes = no/install_routes = yes/' "$WORK/cli/strongswan.conf"
	cat > "$WORK/cli/swanctl/swanctl.conf" <<-EOF
	connections {
	    vpn {
	        remote_addrs = $GW
	        vips = 0.0.0.0
	        mobike = yes
	        encap = yes
	        proposals = aes256gcm16-prfsha256-x25519
	        local  { auth = psk
	                 id = $CLIENT_ID }
	        remote { auth = psk
	                 id = $GW_ID }
	        children { net { remote_ts = 203.0.113.0/24
	                         esp_proposals = aes256gcm16 } }
	    }
	}
	secrets { ike-psk { id-1 = $GW_ID
	                    id-2 = $CLIENT_ID
	                    secret = "$PSK" } }
	EOF
	ss_start cli "$NS_CLI"
	SS_PIDS=("${PIDS[@]: -2}")
	sw cli "$NS_CLI" --load-all > "$WORK/load-cli.log" 2>&1 || fail "swanctl --load-all (cli): $(tail -5 "$WORK/load-cli.log")"
	sw cli "$NS_CLI" --initiate --child net > "$WORK/initiate.log" 2>&1 \
		|| fail "swanctl --initiate: $(tail -5 "$WORK/initiate.log")"
	SS_VIP=$(sed -nE 's/.*installing new virtual IP ([0-9.]+).*/\1/p' "$WORK/cli/charon.log" | tail -1)
	case $SS_VIP in 203.0.113.*) ;; *) fail "strongSwan's client got no virtual IP from the pool ('$SS_VIP')" ;; esac
}

roam_ss_local() { # NAME NS
	sw "$1" "$2" --list-sas > "$WORK/sas-$1.txt" 2>&1 || fail "swanctl --list-sas ($1): $(cat "$WORK/sas-$1.txt")"
	awk '/^[^ ].*ESTABLISHED/ { e = 1; next }
	     e && $1 == "local" { for (i = 1; i <= NF; i++) if ($i == "@") l = $(i + 1) }
	     e && $1 == "remote" { for (i = 1; i <= NF; i++) if ($i == "@") r = $(i + 1); print l, r; exit }' \
		"$WORK/sas-$1.txt"
}
