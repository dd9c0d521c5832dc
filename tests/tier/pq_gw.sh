#!/bin/bash
# tier (post-quantum, petrel at both ends): petreld, driven by the petrel
# CLI, against petrel-gw with a TUN, all three built with OpenSSL 3.5 in the
# Debian 13 root and run chrooted in the e2e namespaces (tests/tier/pq_lib.sh);
# the client is behind the router's masquerade, so ESP goes in UDP/4500.
# Cases (PETREL_PQGW_CASES="hybrid768 udp768" runs only those):
#
#   hybrid768   aes256gcm16-prfsha256-x25519-ke1_mlkem768    transport auto
#   pure768     aes256gcm16-prfsha256-mlkem768               transport auto
#   hybrid1024  aes256gcm16-prfsha384-x25519-ke1_mlkem1024   transport auto
#   udp768      aes256gcm16-prfsha256-x25519-ke1_mlkem768    transport udp
#   tcp768      aes256gcm16-prfsha256-mlkem768               transport tcp: ML-KEM
#               alone in an IKE_SA_INIT that already runs in the RFC 9329
#               stream (draft-ietf-ipsecme-ikev2-mlkem), IKE and ESP in TCP
#
# The transport-auto cases: `petrel up` connects with IKE_SA_INIT on UDP and
# the rest of IKE in TCP (status "ike":"tcp", ESP on UDP) and the IKE SA of
# the case ("ike_sa" with +ML_KEM_768, /ML_KEM_768 or +ML_KEM_1024);
# petrel-gw took IKE onto the TCP stream before IKE_AUTH (its 'IKE now on the
# TCP stream' line comes before 'IKE SA established': the first message in
# the stream was the IKE_INTERMEDIATE of the hybrid cases, which it logs as
# 'additional key exchange 1 (ML_KEM_...) done'); ping through the tunnel
# both ways; then, with `rekey_child_s: 3` and the ESP proposal
# aes256gcm16-x25519-ke1_mlkem768 at both ends, the Child SA is rekeyed
# under a 20/s ping at least twice with hybrid PFS (petreld sends
# CREATE_CHILD_SA then IKE_FOLLOWUP_KE, RFC 9370 2.2.4; petrel-gw logs the
# new pair up with esp=AES_GCM_16_256/CURVE25519+ML_KEM_768 and the old one
# down), at most 10 pings lost; ping both ways again; `petrel down`.
# udp768: IKE and ESP on UDP; the IKE_INTERMEDIATE request does not fit a
# datagram and goes out in RFC 7383 fragments (petreld's debug log
# 'IKE_INTERMEDIATE request id 1 out (N datagram(s))', N >= 2); ping both
# ways; `petrel down`.
#
# Each case prints PASS or FAIL with its times; all cases run; exit 1 when
# one failed. The programs are tier_debian13's build when it is of this
# checkout's sources, else built here (sanitizers on) in the root's
# /petrel/build-pqgw.
# Usage: pq_gw.sh SRCDIR   (root; exit 77 = skipped, with the reason)
set -euo pipefail
CASE=pqgw
SRC=$(cd "${1:?usage: $0 SRCDIR}" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$SRC/tests/e2e/lib.sh"
# shellcheck source=tests/e2e/tunnel_lib.sh
. "$SRC/tests/e2e/tunnel_lib.sh"
# shellcheck source=tests/tier/pq_lib.sh
. "$SRC/tests/tier/pq_lib.sh"
FAIL_GLOBS=("gw.log" "petreld.log") FAIL_LINES=40
MAX_LOST=10

[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, chroot)"
[ -f "$TRIXIE/.petrel-ready" ] || skip "no Debian 13 root at $TRIXIE (make it with tools/debian13-root.sh; it needs the Debian mirror)"
[ -c /dev/net/tun ] || skip "no /dev/net/tun"
command -v nsenter >/dev/null || skip "nsenter is not installed (util-linux)"
command -v nft >/dev/null || command -v iptables >/dev/null || skip "neither nft nor iptables is installed (the router's masquerade)"

if [ "${PETREL_PQ_OWN_BUILD:-0}" != 1 ] && [ "$(cat "$TRIXIE/petrel/build/.petrel-stamp" 2>/dev/null)" = "$(pq_stamp "$SRC")" ] &&
	[ -x "$TRIXIE/petrel/build/src/gw/petrel-gw" ] && [ -x "$TRIXIE/petrel/build/src/daemon/petreld" ] &&
	[ -x "$TRIXIE/petrel/build/cli/petrel" ]; then
	BUILD=build
	log "programs: tier_debian13's build ($TRIXIE/petrel/build)"
else
	BUILD=build-pqgw
	pq_build "$SRC" $BUILD "-DPETREL_SANITIZE=ON -DPETREL_WERROR=ON" petreld petrel petrel-gw
	log "programs: built in $TRIXIE/petrel/$BUILD in $BUILT_IN s"
fi

e2e_init none
tun_topology tun
nat_masquerade || skip "this kernel refused the masquerade rule"
H768=aes256gcm16-prfsha256-x25519-ke1_mlkem768
P768=aes256gcm16-prfsha256-mlkem768
H1024=aes256gcm16-prfsha384-x25519-ke1_mlkem1024
ESP_PQ=aes256gcm16-x25519-ke1_mlkem768
pq_gw_conf "[$H768, $P768, $H1024]" "[$ESP_PQ]"
pq_gw_start $BUILD
pq_profile hybrid768 $H768 $ESP_PQ "  rekey_child_s: 3"
pq_profile pure768 $P768 $ESP_PQ "  rekey_child_s: 3"
pq_profile hybrid1024 $H1024 $ESP_PQ "  rekey_child_s: 3"
pq_profile udp768 $H768 $ESP_PQ "  transport: udp"
pq_profile tcp768 $P768 $ESP_PQ "  transport: tcp"
pq_petreld_start $BUILD
log "petrel-gw, petreld and petrel from $TRIXIE/petrel/$BUILD ($(chroot "$TRIXIE" openssl version | cut -d' ' -f1-2))"

ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
# The lines of FILE from line FROM on.
since() { tail -n +"$2" "$1"; }

# ping -c N from NS to DST, all answered; else sets WHY and returns 1.
ping_chk() { # NS DST N
	local out
	out=$(timeout 15 ip netns exec "$1" ping -n -c "$3" -i 0.1 -W 2 "$2" 2>&1) &&
		grep -q " $3 received, 0% packet loss" <<<"$out" && return 0
	WHY="ping $2 from ${1##*-}: $(tail -2 <<<"$out" | tr '\n' ' ')"
	return 1
}

# Shared steps of the cases; each sets WHY and returns 1 on failure.
# up_chk: `petrel up NAME`, connected, IKE and ESP where expected, the IKE
# SA's algorithms; sets st, t_up, vip and the case's slices of the logs.
up_chk() { # NAME IKE-PATH ESP-PATH WANT-IKE-SA
	local name=$1 t0 out
	t0=$(date +%s%N)
	out=$(pt up "$name" 2>&1) || { WHY="petrel up: $out"; return 1; }
	t_up=$(ms_since "$t0")
	st=$(pstatus "$name")
	[ "$(status_field "$st" state)" = connected ] || { WHY="not connected: $st"; return 1; }
	{ [ "$(status_field "$st" ike)" = "$2" ] && [ "$(status_field "$st" esp)" = "$3" ]; } \
		|| { WHY="IKE/ESP are not $2/$3: $st"; return 1; }
	grep -qF "\"ike_sa\":\"$4\"" <<<"$st" || { WHY="the IKE SA is not $4: $st"; return 1; }
	vip=$(sed -nE 's/.*"vips":\["([^"]+)".*/\1/p' <<<"$st")
	since "$WORK/gw.log" "$G0" > "$WORK/gw-$name.log"
	since "$WORK/petreld.log" "$D0" > "$WORK/petreld-$name.log"
}

# ping both ways through the tunnel (the client's virtual address: vip)
pings_chk() { ping_chk "$NS_CLI" $GW_IN4 3 && ping_chk "$NS_GW" "$vip" 3; }

down_chk() { # NAME
	local out
	out=$(pt down "$1" 2>&1) || { WHY="petrel down: $out"; return 1; }
}

# One case; sets WHY (empty: passed) and INFO.
RESULTS=() NFAIL=0
case_auto() { # NAME WANT-IKE-SA KE-NAME|-
	local name=$1 want=$2 ke=$3 g0 d0 t0 st vip n_est n_tcp ups0 ups downs lost sent got fk
	local t_up t_rk
	g0=$G0 d0=$D0
	up_chk "$name" tcp udp "$want" || return
	grep -q 'IKE_SA_INIT from [0-9.:]* answered .*separate transports agreed' "$WORK/gw-$name.log" \
		|| { WHY="petrel-gw did not agree to separate transports"; return; }
	# petrel-gw logs 'IKE now on the TCP stream' once it has handled the
	# first message in the stream: with an additional key exchange, before
	# IKE_AUTH ('IKE SA established') and after the IKE_INTERMEDIATE.
	n_tcp=$(grep -n 'IKE now on the TCP stream' "$WORK/gw-$name.log" | head -1 | cut -d: -f1)
	n_est=$(grep -n 'IKE SA established' "$WORK/gw-$name.log" | head -1 | cut -d: -f1)
	{ [ -n "$n_tcp" ] && [ -n "$n_est" ]; } || { WHY="petrel-gw did not take IKE onto the TCP stream"; return; }
	if [ "$ke" != - ]; then
		local n_ke
		n_ke=$(grep -n "IKE_INTERMEDIATE: additional key exchange 1 ($ke) done; keys updated" "$WORK/gw-$name.log" | head -1 | cut -d: -f1)
		{ [ -n "$n_ke" ] && [ "$n_ke" -lt "$n_tcp" ] && [ "$n_tcp" -lt "$n_est" ]; } \
			|| { WHY="the IKE_INTERMEDIATE ($ke) was not the first message in the stream (petrel-gw's log lines: IKE_INTERMEDIATE ${n_ke:-none}, TCP stream $n_tcp, established $n_est)"; return; }
		grep -q "IKE_INTERMEDIATE request id 1 out (1 datagram(s))" <(since "$WORK/petreld.log" "$d0") \
			|| { WHY="petreld did not send the IKE_INTERMEDIATE request as one message: $(grep 'IKE_INTERMEDIATE request' "$WORK/petreld.log" | tail -1)"; return; }
	else
		! grep -q 'IKE_INTERMEDIATE' "$WORK/gw-$name.log" || { WHY="an IKE_INTERMEDIATE with a single ML-KEM"; return; }
	fi
	pings_chk || return
	# Child SA rekeys (every ~3 s) under a 20/s ping
	ups0=$(grep -c 'Child SA up spi_in=' "$WORK/gw.log")
	downs=$(grep -c 'Child SA down spi_in=' "$WORK/gw.log" || true)
	t0=$(date +%s%N)
	timeout 30 ip netns exec "$NS_CLI" ping -n -q -i 0.05 -c 160 -W 1 $GW_IN4 > "$WORK/ping-$name.log" 2>&1 || true
	t_rk=$(ms_since "$t0")
	ups=$(( $(grep -c 'Child SA up spi_in=' "$WORK/gw.log") - ups0 ))
	downs=$(( $(grep -c 'Child SA down spi_in=' "$WORK/gw.log" || true) - downs ))
	sent=$(sed -nE 's/^([0-9]+) packets transmitted.*/\1/p' "$WORK/ping-$name.log")
	got=$(sed -nE 's/.* ([0-9]+) received.*/\1/p' "$WORK/ping-$name.log")
	lost=$(( ${sent:-0} - ${got:-0} ))
	since "$WORK/gw.log" "$g0" > "$WORK/gw-$name.log"
	since "$WORK/petreld.log" "$d0" > "$WORK/petreld-$name.log"
	[ "$ups" -ge 2 ] || { WHY="$ups Child SA rekey(s) in $t_rk ms (want >= 2 with rekey_child_s: 3)"; return; }
	[ "$downs" -ge $((ups - 1)) ] || { WHY="$ups rekeys, but petrel-gw removed only $downs old pairs"; return; }
	[ "$(grep 'Child SA up spi_in=' "$WORK/gw.log" | tail -n "$ups" | grep -c 'esp=AES_GCM_16_256/CURVE25519+ML_KEM_768 ')" = "$ups" ] \
		|| { WHY="a rekeyed Child SA without hybrid PFS: $(grep 'Child SA up spi_in=' "$WORK/gw.log" | tail -n "$ups" | grep -v 'CURVE25519+ML_KEM_768 ' | head -1)"; return; }
	fk=$(grep -c 'IKE_FOLLOWUP_KE request id [0-9]* out' "$WORK/petreld-$name.log" || true)
	[ "$fk" -ge "$ups" ] || { WHY="$ups rekeys, but petreld sent $fk IKE_FOLLOWUP_KE"; return; }
	{ [ "$sent" = 160 ] && [ "$lost" -le $MAX_LOST ]; } || { WHY="ping across the rekeys: $got of $sent came back"; return; }
	pings_chk || return
	down_chk "$name" || return
	[ "$(status_field "$(pstatus "$name")" state)" != connected ] || { WHY="still connected after petrel down"; return; }
	INFO="$want over IKE tcp / ESP udp, up in $t_up ms; $ups hybrid-PFS Child SA rekeys (CREATE_CHILD_SA + IKE_FOLLOWUP_KE) in $t_rk ms of 20/s ping, $lost of $sent lost"
}

case_udp() { # NAME WANT-IKE-SA
	local name=$1 want=$2 t_up st vip n
	up_chk "$name" udp udp "$want" || return
	! grep -q 'IKE now on the TCP stream' "$WORK/gw-$name.log" || { WHY="IKE went into TCP"; return; }
	grep -q 'IKE_INTERMEDIATE: additional key exchange 1 (ML_KEM_768) done; keys updated' "$WORK/gw-$name.log" \
		|| { WHY="petrel-gw logged no IKE_INTERMEDIATE"; return; }
	n=$(sed -nE 's/.*IKE_INTERMEDIATE request id 1 out \(([0-9]+) datagram\(s\)\).*/\1/p' "$WORK/petreld-$name.log" | head -1)
	{ [ -n "$n" ] && [ "$n" -ge 2 ]; } || { WHY="the IKE_INTERMEDIATE request was not fragmented ('${n:-no} datagram(s)')"; return; }
	pings_chk || return
	down_chk "$name" || return
	INFO="$want over UDP, up in $t_up ms; IKE_INTERMEDIATE request in $n fragments (RFC 7383)"
}

case_tcp() { # NAME WANT-IKE-SA
	local name=$1 want=$2 t_up st vip
	up_chk "$name" tcp tcp "$want" || return
	grep -q 'IKE_SA_INIT from [0-9.:]* over TCP answered' "$WORK/gw-$name.log" \
		|| { WHY="petrel-gw saw no IKE_SA_INIT over TCP"; return; }
	pings_chk || return
	down_chk "$name" || return
	INFO="$want with IKE_SA_INIT in the TCP stream, ESP in TCP, up in $t_up ms"
}

CASES=${PETREL_PQGW_CASES:-hybrid768 pure768 hybrid1024 udp768 tcp768}
for c in $CASES; do
	WHY="" INFO=""
	G0=$(( $(wc -l < "$WORK/gw.log") + 1 )) D0=$(( $(wc -l < "$WORK/petreld.log") + 1 ))
	log "$c: petrel up"
	case $c in
	hybrid768)  case_auto hybrid768 AES_GCM_16_256/PRF_HMAC_SHA2_256/CURVE25519+ML_KEM_768 ML_KEM_768 ;;
	pure768)    case_auto pure768 AES_GCM_16_256/PRF_HMAC_SHA2_256/ML_KEM_768 - ;;
	hybrid1024) case_auto hybrid1024 AES_GCM_16_256/PRF_HMAC_SHA2_384/CURVE25519+ML_KEM_1024 ML_KEM_1024 ;;
	udp768)     case_udp udp768 AES_GCM_16_256/PRF_HMAC_SHA2_256/CURVE25519+ML_KEM_768 ;;
	tcp768)     case_tcp tcp768 AES_GCM_16_256/PRF_HMAC_SHA2_256/ML_KEM_768 ;;
	*) fail "unknown case '$c' in PETREL_PQGW_CASES" ;;
	esac
	if [ -z "$WHY" ]; then
		RESULTS+=("PASS $c: $INFO")
		echo "PASS $c: $INFO"
	else
		NFAIL=$((NFAIL + 1))
		RESULTS+=("FAIL $c: $WHY")
		echo "FAIL $c: $WHY"
		echo "  petrel-gw during this case:"
		since "$WORK/gw.log" "$G0" | tail -25 | sed 's/^/    /'
		echo "  petreld during this case (last lines):"
		since "$WORK/petreld.log" "$D0" | tail -25 | sed 's/^/    /'
		pt down "$c" >/dev/null 2>&1 || true
	fi
done
echo "---- summary (petreld and petrel-gw with OpenSSL 3.5)"
printf '%s\n' "${RESULTS[@]}"
n=$(wc -w <<<"$CASES")
[ "$NFAIL" = 0 ] || fail "$NFAIL of $n cases failed, in $(elapsed) s"
log "PASS: $n post-quantum cases petreld <-> petrel-gw, in $(elapsed) s"
