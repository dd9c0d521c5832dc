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
PLUGINS="random nonce openssl curve25519 aes sha1 sha2 hmac gcm chapoly kdf x509 pem pkcs1 pkcs8 pubkey constraints eap-identity eap-mschapv2 kernel-libipsec kernel-netlink socket-default vici attr resolve"
NS_LIST=("$NS_CLI" "$NS_GW" "$NS_RT")
FAIL_GLOBS=("*.log" "*/charon.log") FAIL_LINES=40
# shellcheck source=tests/e2e/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

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
	ns_del_all
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
	ip netns exec "$ns" timeout --foreground 120 sh -c "mount -t tmpfs -o size=4m tmpfs /run && \
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
	ip netns exec "$NS_GW" timeout --foreground 120 "$1" --config "$WORK/gw.yaml" > "$WORK/gw.log" 2>&1 &
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

# ---- ike-initiator output (one JSON object per line)
jfield() { # LINE KEY: the value of "KEY" (string or number)
	sed -nE "s/.*\"$2\":\"?([^\",}]+)\"?.*/\\1/p" <<<"$1"
}

# ---- a PKI made for each run with strongSwan's pki tool: an ECDSA P-256
# CA and leaf certificates (ECDSA P-256 or RSA-3072) with subjectAltNames.
# Keys are 0600; everything lives in $WORK/pki and goes with $WORK.
pki_ca() {
	command -v pki >/dev/null || skip "strongSwan's pki tool is not installed (strongswan-pki; tools/deps.sh)"
	PKI=$WORK/pki
	mkdir -p "$PKI"
	# pki's own chatter (plugins it cannot load) goes to pki.log
	(umask 077; pki --gen --type ecdsa --size 256 --outform pem > "$PKI/ca.key") 2>> "$PKI/pki.log" \
		|| fail "pki: CA key: $(tail -3 "$PKI/pki.log")"
	pki --self --ca --lifetime 2 --in "$PKI/ca.key" --type ecdsa \
		--dn "C=XX, O=petrel e2e, CN=petrel e2e CA $CASE" --outform pem > "$PKI/ca.pem" 2>> "$PKI/pki.log" \
		|| fail "pki: CA certificate: $(tail -3 "$PKI/pki.log")"
}

pki_leaf() { # NAME ecdsa|rsa serverAuth|clientAuth DN SAN...: $PKI/NAME.key and $PKI/NAME.pem
	local name=$1 type=$2 flag=$3 dn=$4 size=256 san sans=()
	shift 4
	[ "$type" = rsa ] && size=3072
	for san in "$@"; do sans+=(--san "$san"); done
	(umask 077; pki --gen --type "$type" --size $size --outform pem > "$PKI/$name.key") 2>> "$PKI/pki.log" \
		|| fail "pki: key $name: $(tail -3 "$PKI/pki.log")"
	{ pki --pub --in "$PKI/$name.key" --type "$type" \
		| pki --issue --cacert "$PKI/ca.pem" --cakey "$PKI/ca.key" --type pub --lifetime 2 \
			--dn "$dn" "${sans[@]}" --flag "$flag" --outform pem > "$PKI/$name.pem"; } 2>> "$PKI/pki.log" \
		|| fail "pki: certificate $name: $(tail -3 "$PKI/pki.log")"
}

# Hand a strongSwan instance the CA and its own certificate and key.
ss_creds() { # NAME LEAF...
	local d=$WORK/$1/swanctl leaf
	shift
	cp "$PKI/ca.pem" "$d/x509ca/ca.pem"
	for leaf in "$@"; do
		cp "$PKI/$leaf.pem" "$d/x509/$leaf.pem"
		(umask 077; cp "$PKI/$leaf.key" "$d/private/$leaf.key")
	done
}

# The plugin strongSwan needs for EAP-MSCHAPv2 (Debian: libcharon-extauth-plugins).
need_ss_mschapv2() {
	[ -f /usr/lib/ipsec/plugins/libstrongswan-eap-mschapv2.so ] \
		|| skip "strongSwan's eap-mschapv2 plugin is not installed (libcharon-extauth-plugins; tools/deps.sh)"
}

# strongSwan names: AES_GCM_16-256, CHACHA20_POLY1305, CURVE_25519, ECP_256;
# petrel's: AES_GCM_16_256, CHACHA20_POLY1305, CURVE25519, ECP_256.
ss_alg() { sed -e 's/AES_GCM_16-/AES_GCM_16_/g' -e 's/CURVE_25519/CURVE25519/g'; }

# The SAs petrel reports now, from ike-initiator's output: the last
# established/rekeyed line for the IKE SA, the last child_up for the Child SA.
# Sets SPI_I SPI_R IKE_ALG C_IN C_OUT ESP_ALG VIP.
ini_current() { # OUT
	local est child
	est=$(grep -E '"event":"(established|rekeyed)"' "$1" | tail -1)
	child=$(grep '"event":"child_up"' "$1" | tail -1)
	[ -n "$est" ] && [ -n "$child" ] || return 1
	SPI_I=$(jfield "$est" spi_i); SPI_R=$(jfield "$est" spi_r); IKE_ALG=$(jfield "$est" ike)
	C_IN=$(jfield "$child" spi_in); C_OUT=$(jfield "$child" spi_out); ESP_ALG=$(jfield "$child" esp)
	VIP=$(jfield "$(grep '"event":"established"' "$1" | tail -1)" vip)
}

# The live SAs in a swanctl --list-sas listing, one line each:
#   ike SPI_I SPI_R ALGS local=VIP remote=VIP   for an ESTABLISHED IKE SA
#                                    (the virtual IPs of each side, or -)
#   child SPI_IN SPI_OUT ALGS                   for an INSTALLED Child SA
# (a replaced SA lingers for a few seconds as REKEYED, DELETING or DELETED:
# strongSwan's delete_rekeyed_delay; it does not count as live).
ss_live() { # LISTING
	awk '
	/^[^ ].*: #[0-9]+, [A-Z_]+, IKEv2, / {
		ike = ($3 == "ESTABLISHED,"); child = 0; si = $5; sr = $6
		sub(/_i\*?$/, "", si); sub(/_r\*?$/, "", sr); lv = "-"; rv = "-"; next
	}
	ike && /^  (local|remote) / {
		v = "-"
		if (match($0, / \[[0-9a-f.:]+\]$/)) v = substr($0, RSTART + 2, RLENGTH - 3)
		if ($1 == "local") lv = v; else rv = v
		next
	}
	ike && /^  [A-Z0-9_-]+\/PRF_/ { print "ike", si, sr, $1, "local=" lv, "remote=" rv; next }
	/^  [^ ].*: #[0-9]+, reqid [0-9]+, / {
		child = ike && ($5 == "INSTALLED,"); alg = $0
		sub(/.*ESP:/, "", alg); sub(/[ ,].*/, "", alg); cin = ""; next
	}
	child && /^    in / { cin = $2; sub(/,$/, "", cin); next }
	child && /^    out / { cout = $2; sub(/,$/, "", cout); print "child", cin, cout, alg; child = 0 }
	' "$1"
}

# strongSwan (NAME in NS) lists, as live, exactly the SAs ike-initiator
# reports in OUT: the IKE SA by SPIs and algorithms with the virtual IP, the
# Child SA by the mirrored SPIs and algorithm; and none of the SPIs in GONE
# (the replaced ones) is live. Tried for up to 5 s (strongSwan installs and
# retires SAs when the exchanges' last messages arrive). Leaves the last
# listing in $WORK/sas.txt.
ss_agree() { # NAME NS OUT WHAT [GONE-SPI...]
	local name=$1 ns=$2 out=$3 what=$4 why="" i live ike_line child_line gw_ike gw_esp old
	shift 4
	ini_current "$out" || fail "$what: ike-initiator reported no SA: $(tail -3 "$out")"
	for ((i = 0; i < 25; i++)); do
		why=""
		sw "$name" "$ns" --list-sas > "$WORK/sas.txt" 2>&1 || why="swanctl --list-sas failed"
		live=$(ss_live "$WORK/sas.txt")
		ike_line=$(grep -E "^ike $SPI_I $SPI_R " <<<"$live" || true)
		child_line=$(grep -E "^child $C_OUT $C_IN " <<<"$live" || true)
		gw_ike=$(awk '{print $4}' <<<"$ike_line" | ss_alg)
		gw_esp=$(awk '{print $4}' <<<"$child_line" | ss_alg)
		if [ -z "$ike_line" ]; then
			why="no established IKE SA ${SPI_I}_i ${SPI_R}_r"
		elif [ "$gw_ike" != "$IKE_ALG" ]; then
			why="IKE algorithms differ: strongSwan '$gw_ike', petrel '$IKE_ALG'"
		elif [ -z "$child_line" ]; then
			why="no installed Child SA with in $C_OUT / out $C_IN (petrel's in $C_IN out $C_OUT)"
		elif [ "$gw_esp" != "$ESP_ALG" ]; then
			why="ESP algorithms differ: strongSwan '$gw_esp', petrel '$ESP_ALG'"
		elif ! grep -qE " remote=$VIP$" <<<"$ike_line"; then
			why="the virtual IP $VIP is not the one strongSwan assigned"
		fi
		for old in "$@"; do
			[ -n "$why" ] || ! grep -qE " $old( |$)" <<<"$live" || why="the replaced SPI $old is still live"
		done
		[ -n "$why" ] || break
		sleep 0.2
	done
	[ -z "$why" ] || fail "$what: $why: $(cat "$WORK/sas.txt")"
	case $VIP in 203.0.113.*) ;; *) fail "$what: virtual IP '$VIP' is not from the pool" ;; esac
	log "$what: IKE ${SPI_I}/${SPI_R} $IKE_ALG, ESP in $C_IN out $C_OUT $ESP_ALG, vip $VIP: strongSwan agrees"
}

# strongSwan (NAME in NS) initiated connection CONN to petrel-gw; both agree:
# strongSwan's live IKE SA and newest live Child SA are the ones petrel-gw
# logged (IKE SA established or rekeyed to these SPIs; Child SA up with the
# mirrored SPIs), with the IKE algorithms and a virtual IP from the pool; the
# Child SAs with SPIs in GONE (strongSwan's inbound SPIs of replaced pairs)
# are no longer live at strongSwan and petrel-gw logged them down. Tried for
# up to 5 s. Sets SS_SPI_I SS_SPI_R SS_IN SS_OUT SS_ALG SS_ESP VIP.
gw_agree() { # NAME NS CONN WHAT [GONE-SPI...]
	local name=$1 ns=$2 conn=$3 what=$4 why="" i live ike_line child_line old
	shift 4
	for ((i = 0; i < 25; i++)); do
		why=""
		sw "$name" "$ns" --list-sas --ike "$conn" > "$WORK/sas.txt" 2>&1 || why="swanctl --list-sas failed"
		live=$(ss_live "$WORK/sas.txt")
		ike_line=$(grep '^ike ' <<<"$live" | tail -1 || true)
		child_line=$(grep '^child ' <<<"$live" | tail -1 || true)
		read -r _ SS_SPI_I SS_SPI_R SS_ALG _ <<<"$ike_line" || true
		read -r _ SS_IN SS_OUT SS_ESP <<<"$child_line" || true
		SS_ESP=$(ss_alg <<<"${SS_ESP:-}")
		VIP=$(sed -nE 's/.* local=([0-9.]+) .*/\1/p' <<<"$ike_line")
		SS_ALG=$(ss_alg <<<"${SS_ALG:-}")
		if [ -z "$ike_line" ]; then
			why="strongSwan lists no established IKE SA"
		elif [ -z "$child_line" ]; then
			why="strongSwan lists no installed Child SA"
		elif [ -z "$VIP" ]; then
			why="strongSwan got no virtual IP"
		elif ! grep -qE "(IKE SA established .*spi_i=$SS_SPI_I spi_r=$SS_SPI_R ike=$SS_ALG vip=$VIP |IKE SA rekeyed, now ${SS_SPI_I}_${SS_SPI_R}$)" "$WORK/gw.log"; then
			why="petrel-gw did not log IKE SA ${SS_SPI_I}_${SS_SPI_R} ($SS_ALG, vip $VIP)"
		elif ! grep -qE "Child SA up spi_in=$SS_OUT spi_out=$SS_IN esp=$SS_ESP " "$WORK/gw.log"; then
			why="petrel-gw did not log a Child SA with in $SS_OUT out $SS_IN, $SS_ESP"
		fi
		for old in "$@"; do
			[ -n "$why" ] || ! grep -qE " $old( |$)" <<<"$live" || why="strongSwan still has the replaced SPI $old live"
			[ -n "$why" ] || grep -qE "Child SA down spi_in=[0-9a-f]{8} spi_out=$old " "$WORK/gw.log" \
				|| why="petrel-gw did not remove the Child SA with out $old"
		done
		[ -n "$why" ] || break
		sleep 0.2
	done
	[ -z "$why" ] || fail "$what: $why: $(cat "$WORK/sas.txt")"
	case $VIP in 203.0.113.*) ;; *) fail "$what: virtual IP '$VIP' is not from the pool" ;; esac
	log "$what: IKE ${SS_SPI_I}/${SS_SPI_R} $SS_ALG, ESP in $SS_IN out $SS_OUT $SS_ESP, vip $VIP: strongSwan and petrel-gw agree"
}
