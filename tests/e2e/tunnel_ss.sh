#!/bin/bash
# e2e (issue 4): traffic through petreld <-> strongSwan 5.9.8 as the gateway
# (PSK, kernel-libipsec: userspace ESP through its ipsec0 TUN, virtual IPv4
# and IPv6 pools, DNS 203.0.113.53; the gateway's inside addresses
# 203.0.113.1 and 2001:db8:113::1 on lo, the pools routed into ipsec0).
# For each ESP cipher (aes256gcm16, chacha20poly1305): `petrel up`; strongSwan
# lists the Child SA with the virtual addresses petrel reports; ping v4 and
# v6 inside both ways (gateway -> the client's virtual addresses too);
# iperf3 TCP both directions (v4 3 s, v6 1 s); `petrel status --json` counts
# bytes both ways; `petrel down`: strongSwan lists no SA, and the client's
# addresses, routes, rules and resolv.conf are exactly as before.
# Usage: tunnel_ss.sh PETREL-GW PETRELD PETREL   (root; exit 77 = skipped)
set -euo pipefail
CASE=tunss
PETRELD=$2 PETREL=$3
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/tunnel_lib.sh
. "$(dirname "$0")/tunnel_lib.sh"
e2e_init strongswan
need_tools iperf3 ss
tun_topology lo
ip -n "$NS_GW" addr add "$GW_IN6/128" dev lo nodad

ss_conf gw
cat > "$WORK/gw/swanctl/swanctl.conf" <<EOF
connections {
    rw {
        local_addrs = $GW
        pools = pool4, pool6
        proposals = aes256gcm16-prfsha256-x25519
        local  { auth = psk
                 id = $GW_ID }
        remote { auth = psk
                 id = $CLIENT_ID }
        children {
            net {
                local_ts = 203.0.113.0/24, 2001:db8:113::/64
                esp_proposals = aes256gcm16, chacha20poly1305
            }
        }
    }
}
pools {
    pool4 { addrs = $POOL4
            dns = 203.0.113.53 }
    pool6 { addrs = $POOL6 }
}
secrets {
    ike-psk { id-1 = $GW_ID
              id-2 = $CLIENT_ID
              secret = "$PSK" }
}
EOF
ss_start gw "$NS_GW"
sw gw "$NS_GW" --load-all > "$WORK/load.log" 2>&1 || fail "swanctl --load-all: $(tail -5 "$WORK/load.log")"
# kernel-libipsec's TUN: what leaves through it is looked up in its SAs
# (install_routes = no: the routes are ours, from the inside addresses)
for _ in $(seq 1 30); do ip -n "$NS_GW" link show ipsec0 >/dev/null 2>&1 && break; sleep 0.1; done
ip -n "$NS_GW" link set ipsec0 up
ip -n "$NS_GW" route add 203.0.113.0/24 dev ipsec0 src $GW_IN4
ip -n "$NS_GW" -6 route add 2001:db8:113::/64 dev ipsec0 src $GW_IN6
iperf_server "$NS_GW" "::"
for c in aes256gcm16 chacha20poly1305; do profile "$c" "$c"; done
petreld_start "$PETRELD"

for cipher in aes256gcm16 chacha20poly1305; do
	net_snapshot "$WORK/net.before"
	out=$(pt up "$cipher" 2>&1) || fail "$cipher: petrel up: $out"
	st=$(pstatus "$cipher")
	[ "$(status_field "$st" state)" = connected ] || fail "$cipher: not connected: $st"
	vips=$(sed -nE 's/.*"vips":\[([^]]*)\].*/\1/p' <<<"$st" | tr -d '"')
	vip4=${vips%%,*} vip6=${vips#*,}
	case "$vip4,$vip6" in 203.0.113.*,2001:db8:113::*) ;; *) fail "$cipher: virtual addresses '$vips' are not from the pools" ;; esac
	sw gw "$NS_GW" --list-sas > "$WORK/sas.txt" 2>&1 || fail "swanctl --list-sas: $(cat "$WORK/sas.txt")"
	case $cipher in aes256gcm16) want=AES_GCM_16-256 ;; *) want=CHACHA20_POLY1305 ;; esac
	grep -qE "INSTALLED, TUNNEL-in-UDP.*ESP:$want" "$WORK/sas.txt" \
		|| fail "$cipher: strongSwan lists no installed UDP-encapsulated Child SA with $want: $(cat "$WORK/sas.txt")"
	grep -qF "[$vip4 $vip6]" "$WORK/sas.txt" || grep -qF "[$vip4]" "$WORK/sas.txt" \
		|| fail "$cipher: strongSwan did not assign $vip4: $(cat "$WORK/sas.txt")"
	ip netns exec "$NS_CLI" grep -q '^nameserver 203.0.113.53$' /etc/resolv.conf \
		|| fail "$cipher: the gateway's DNS server is not in resolv.conf"
	log "$cipher: up, vips $vip4 $vip6, strongSwan: ESP $want in UDP"

	ping_ok "$NS_CLI" $GW_IN4
	ping_ok "$NS_CLI" $GW_IN6
	ping_ok "$NS_GW" "$vip4"
	ping_ok "$NS_GW" "$vip6"
	up4=$(iperf_run $GW_IN4 3)
	dn4=$(iperf_run $GW_IN4 3 -R)
	up6=$(iperf_run $GW_IN6 1)
	dn6=$(iperf_run $GW_IN6 1 -R)
	st=$(pstatus "$cipher")
	bin=$(status_field "$st" bytes_in) bout=$(status_field "$st" bytes_out)
	{ [ "${bin:-0}" -gt 1000000 ] && [ "${bout:-0}" -gt 1000000 ]; } \
		|| fail "$cipher: status shows bytes_in=$bin bytes_out=$bout: $st"
	log "$cipher: ping v4/v6 both ways; iperf3 Mbit/s: v4 up $up4 down $dn4, v6 up $up6 down $dn6; bytes in $bin out $bout"

	out=$(pt down "$cipher" 2>&1) || fail "$cipher: petrel down: $out"
	for _ in $(seq 1 30); do
		sw gw "$NS_GW" --list-sas 2>/dev/null | grep -q ESTABLISHED || break
		sleep 0.1
	done
	! sw gw "$NS_GW" --list-sas 2>/dev/null | grep -q ESTABLISHED || fail "$cipher: strongSwan still lists the SA after petrel down"
	net_snapshot "$WORK/net.after"
	diff -u "$WORK/net.before" "$WORK/net.after" > "$WORK/net.diff" \
		|| fail "$cipher: the client's network differs after petrel down: $(cat "$WORK/net.diff")"
	log "$cipher: down; strongSwan deleted the SA; addresses, routes, rules and resolv.conf as before"
done
iperf_stop
log "PASS: petreld <-> strongSwan 5.9.8 (kernel-libipsec), aes256gcm16 and chacha20poly1305: ping v4/v6 and iperf3 both ways, network restored, in $(elapsed) s"
