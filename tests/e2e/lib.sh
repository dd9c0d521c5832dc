# shellcheck shell=bash
# tests/e2e/lib.sh: namespaces, strongSwan 5.9.8 and petrel processes for the
# e2e cases (sourced; each case sets CASE first). Everything a case starts is
# bounded by `timeout`, tracked by PID and removed by the EXIT trap; the
# namespaces are pte2e-$CASE-{cli,rt,gw}, so cases can run in parallel and
# again after a crash (leftovers of the same case are removed first).
#
# Topology (documentation addresses only):
#   [cli] c-eth 192.0.2.2/24 -- r-cli 192.0.2.1 [rt] r-gw 198.51.100.254 -- g-eth 198.51.100.1/24 [gw]
#   inside the tunnel: pool 203.0.113.10-203.0.113.250, DNS 203.0.113.53, gateway side 203.0.113.0/24
# Exit codes: 0 pass, 1 fail, 77 skip (with the reason on stdout).

NS_CLI=pte2e-$CASE-cli NS_RT=pte2e-$CASE-rt NS_GW=pte2e-$CASE-gw
CLI=192.0.2.2 RT_CLI=192.0.2.1 RT_GW=198.51.100.254 GW=198.51.100.1
PSK="petrel-e2e-preshared-key-0123456789"
# shellcheck disable=SC2034 # used by the cases
CLIENT_ID=client@psk.example GW_ID=gw.example
PLUGINS="random nonce openssl curve25519 aes sha1 sha2 hmac gcm chapoly kdf kernel-libipsec kernel-netlink socket-default vici attr resolve"
WORK=
PIDS=()
T_START=$(date +%s.%N)

log() { printf '[%s %(%H:%M:%S)T] %s\n' "$CASE" -1 "$*" >&2; }
skip() { echo "SKIP: $*"; exit 77; }
fail() {
	log "FAIL: $*"
	if [ -n "$WORK" ] && [ -d "$WORK" ]; then
		for f in "$WORK"/*.log "$WORK"/*/charon.log; do
			[ -f "$f" ] || continue
			echo "---- ${f#"$WORK"/} (last 40 lines)" >&2
			tail -n 40 "$f" >&2
		done
	fi
	exit 1
}
elapsed() { echo "$(date +%s.%N) $T_START" | awk '{printf "%.1f", $1 - $2}'; }

ns_del() { # kill what still runs in a namespace of ours (by PID), then delete it
	local ns=$1 pids
	ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$ns" || return 0
	pids=$(ip netns pids "$ns" 2>/dev/null || true)
	if [ -n "$pids" ]; then
		# shellcheck disable=SC2086
		kill $pids 2>/dev/null || true
		sleep 0.3
		pids=$(ip netns pids "$ns" 2>/dev/null || true)
		# shellcheck disable=SC2086
		[ -z "$pids" ] || kill -9 $pids 2>/dev/null || true
	fi
	ip netns del "$ns" 2>/dev/null || true
}

cleanup() {
	local rc=$?
	set +e
	for p in "${PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${PIDS[@]}"; do
		for _ in $(seq 1 30); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	ns_del "$NS_CLI"; ns_del "$NS_GW"; ns_del "$NS_RT"
	[ -n "$WORK" ] && [ "${PTE2E_KEEP:-0}" != 1 ] && rm -rf "$WORK"
	log "done in $(elapsed) s (exit $rc)"
	exit $rc
}

e2e_init() { # strongswan|none
	[ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
	command -v ip >/dev/null || skip "iproute2 is not installed (tools/deps.sh)"
	if [ "${1:-}" = strongswan ]; then
		[ -x /usr/lib/ipsec/charon ] || skip "strongSwan is not installed (/usr/lib/ipsec/charon; tools/deps.sh)"
		command -v swanctl >/dev/null || skip "swanctl is not installed (tools/deps.sh)"
		[ -c /dev/net/tun ] || skip "no /dev/net/tun (strongSwan's kernel-libipsec needs it)"
	fi
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	ns_del "$NS_CLI"; ns_del "$NS_GW"; ns_del "$NS_RT"
	ip netns add "$NS_RT" 2>/dev/null || skip "cannot create network namespaces here"
	WORK=$(mktemp -d "/tmp/pte2e-$CASE-XXXXXX")
}

topology() {
	ip netns add "$NS_GW"; ip netns add "$NS_CLI"
	ip link add r-cli netns "$NS_RT" type veth peer name c-eth netns "$NS_CLI"
	ip link add r-gw netns "$NS_RT" type veth peer name g-eth netns "$NS_GW"
	for ns in "$NS_RT" "$NS_GW" "$NS_CLI"; do
		ip -n "$ns" link set lo up
	done
	ip -n "$NS_RT" addr add $RT_CLI/24 dev r-cli; ip -n "$NS_RT" link set r-cli up
	ip -n "$NS_RT" addr add $RT_GW/24 dev r-gw; ip -n "$NS_RT" link set r-gw up
	ip netns exec "$NS_RT" sysctl -qw net.ipv4.ip_forward=1
	ip -n "$NS_GW" addr add $GW/24 dev g-eth; ip -n "$NS_GW" link set g-eth up
	ip -n "$NS_GW" route add default via $RT_GW
	# the protected side has an address (no 'dummy' links on this kernel)
	ip -n "$NS_GW" addr add 203.0.113.1/32 dev lo
	ip -n "$NS_CLI" addr add $CLI/24 dev c-eth; ip -n "$NS_CLI" link set c-eth up
	ip -n "$NS_CLI" route add default via $RT_CLI
	timeout 5 ip netns exec "$NS_CLI" ping -c1 -W2 -q $GW >/dev/null || fail "underlay ping $CLI -> $GW failed"
}

# NAT in the router: the client's packets leave towards the gateway from
# 198.51.100.254 (nftables masquerade, or iptables as a fallback).
nat_masquerade() {
	if command -v nft >/dev/null; then
		ip netns exec "$NS_RT" nft -f - <<-EOF || return 1
			table ip pte2e_nat {
				chain post {
					type nat hook postrouting priority srcnat; policy accept;
					oifname "r-gw" masquerade
				}
			}
		EOF
		return 0
	fi
	if command -v iptables >/dev/null; then
		ip netns exec "$NS_RT" iptables -t nat -A POSTROUTING -o r-gw -j MASQUERADE || return 1
		return 0
	fi
	return 2
}

psk_file() { # PATH
	umask 077
	printf '%s\n' "$PSK" > "$1"
	chmod 600 "$1"
}

# ---- strongSwan (charon + swanctl), one instance per namespace
ss_conf() { # NAME [extra charon settings]
	local d=$WORK/$1
	mkdir -p "$d"/swanctl/{x509,x509ca,x509ocsp,x509aa,x509ac,x509crl,pubkey,private,rsa,ecdsa,bliss,pkcs8,pkcs12,conf.d}
	cat > "$d/strongswan.conf" <<-EOF
	charon {
	    load_modular = no
	    load = $PLUGINS
	    install_routes = no
	    retransmit_tries = 2
	    retransmit_timeout = 1.0
	    ${2:-}
	    plugins {
	        vici { socket = unix://$d/charon.vici }
	        resolve { file = $d/resolv.conf }
	    }
	    syslog { daemon { default = -1 } }
	    filelog {
	        main {
	            path = $d/charon.log
	            time_format = %H:%M:%S
	            append = no
	            flush_line = yes
	            default = 1
	            ike = 2
	            cfg = 2
	        }
	    }
	}
	swanctl { socket = unix://$d/charon.vici }
	EOF
}

ss_start() { # NAME NS
	local name=$1 ns=$2 d=$WORK/$1 pid
	rm -f "$d/charon.vici"
	# ip netns exec gives the daemon a private mount namespace; a tmpfs on
	# /run there gives each charon its own /run/charon.pid
	ip netns exec "$ns" timeout 120 sh -c "mount -t tmpfs -o size=4m tmpfs /run && \
		exec env STRONGSWAN_CONF=$d/strongswan.conf /usr/lib/ipsec/charon" > "$d/charon.out" 2>&1 &
	pid=$!
	PIDS+=("$pid")
	for _ in $(seq 1 100); do
		[ -S "$d/charon.vici" ] && return 0
		kill -0 "$pid" 2>/dev/null || { cat "$d/charon.out" >&2; fail "charon $name exited"; }
		sleep 0.1
	done
	fail "charon $name: no vici socket after 10 s"
}

sw() { # NAME NS swanctl-args...
	local name=$1 ns=$2; shift 2
	timeout 20 ip netns exec "$ns" env STRONGSWAN_CONF="$WORK/$name/strongswan.conf" \
		SWANCTL_DIR="$WORK/$name/swanctl" swanctl "$@"
}

# ---- petrel-gw in the gateway namespace
gw_conf() { # [extra yaml lines for the gateway map]
	psk_file "$WORK/gw.psk"
	cat > "$WORK/gw.yaml" <<-EOF
	gateway:
	  listen: $GW
	  id: $GW_ID
	  psk_file: $WORK/gw.psk
	  pool: 203.0.113.10-203.0.113.250
	  dns: [203.0.113.53]
	  subnets: [203.0.113.0/24]
	  log_level: debug
	${1:-}
	EOF
}

gw_start() { # PETREL_GW
	ip netns exec "$NS_GW" timeout 120 "$1" --config "$WORK/gw.yaml" > "$WORK/gw.log" 2>&1 &
	GW_PID=$!
	PIDS+=("$GW_PID")
	for _ in $(seq 1 50); do
		grep -q "listening on" "$WORK/gw.log" 2>/dev/null && return 0
		kill -0 "$GW_PID" 2>/dev/null || fail "petrel-gw exited at startup"
		sleep 0.1
	done
	fail "petrel-gw did not start listening"
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
