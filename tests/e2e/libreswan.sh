#!/bin/bash
# e2e (d): Libreswan 5.2 (pluto, from the Debian 13 root that
# tools/debian13-libreswan-root.sh makes) and petrel, IKE over UDP, PSK.
#
# This kernel has no ESP (and no espintcp), so Libreswan can never install
# a Child SA here: its netlink "Add SA" fails with ENOSYS. What can be
# asserted is IKE_SA_INIT and IKE_AUTH, and what each side does about the
# Child SA it cannot have.
#
#  A. Libreswan responder <- petrel's engine (ike-initiator), for x25519 and
#     ecp256 (aes256gcm16, prfsha256): Libreswan must authenticate petrel and
#     keep an ESTABLISHED_IKE_SA with the SPIs and algorithms petrel reports;
#     its IKE_AUTH response must be SK{IDr, AUTH, N(TEMPORARY_FAILURE)} (the
#     Child SA failed in the kernel after the IKE SA was authenticated), and
#     petrel, following RFC 7296 2.21.2, verifies AUTH and keeps the IKE SA
#     without a Child SA (ike-initiator does not require one; petreld would
#     delete it). ike-initiator exits without a Delete so that Libreswan's
#     IKE SA can still be listed afterwards.
#  C. RFC 5723 session resumption against Libreswan's tickets (below).
#  B. Libreswan initiator -> petrel-gw: both sides must report the IKE SA
#     established with the same SPIs and algorithms, Libreswan must get the
#     virtual IP petrel-gw assigned, fail to install the Child SA, delete it
#     with an INFORMATIONAL that petrel-gw answers, and a whack --delete must
#     remove the IKE SA on both sides.
#
# Pluto runs chrooted in the root, inside the `ip netns exec` mount namespace
# of its network namespace: /proc, /dev and a tmpfs /run are mounted there,
# and this case's work directory is bound on <root>/petrel/work, so the
# root is shared read-only by parallel runs and the logs land in $WORK.
# whack runs through nsenter into pluto's mount and network namespaces.
# Usage: libreswan.sh PETREL-GW IKE-INITIATOR   (root; exit 77 = skipped)
set -euo pipefail
CASE=lsw
PETREL_GW=$1
INITIATOR=$2
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
LSW_ROOT=${PETREL_TRIXIE_LSW_ROOT:-/var/cache/petrel/trixie-lsw-root}
if [ ! -f "$LSW_ROOT/.petrel-ready" ] || [ ! -x "$LSW_ROOT/usr/libexec/ipsec/pluto" ]; then
	skip "no Libreswan 5.2 root at $LSW_ROOT (make it with tools/debian13-libreswan-root.sh; it needs debootstrap and the Debian mirror)"
fi
command -v nsenter >/dev/null || skip "nsenter is not installed (util-linux)"
e2e_init none
topology
mkdir -p "$LSW_ROOT/petrel/work"
psk_file "$WORK/cli.psk"

LSW_PID=
# lsw_start NS: pluto with $WORK/ipsec.conf and ipsec.secrets, in namespace NS
lsw_start() {
	local ns=$1 r=$LSW_ROOT
	rm -rf "$WORK/nss" "$WORK/pluto.log"
	mkdir -p "$WORK/nss"
	ip netns exec "$ns" sh -c "mount --bind '$WORK' '$r/petrel/work' && mount -t proc proc '$r/proc' && \
		mount --rbind /dev '$r/dev' && mount -t tmpfs -o size=4m tmpfs '$r/run' && mkdir -p '$r/run/pluto' && \
		chroot '$r' certutil -N -d sql:/petrel/work/nss --empty-password && \
		exec timeout --foreground 120 chroot '$r' /usr/libexec/ipsec/pluto --nofork --config /petrel/work/ipsec.conf \
			--secretsfile /petrel/work/ipsec.secrets --nssdir /petrel/work/nss --logfile /petrel/work/pluto.log" \
		> "$WORK/pluto-stdout.log" 2>&1 &
	LSW_PID=$!
	PIDS+=("$LSW_PID")
	for _ in $(seq 1 100); do
		nsenter -t "$LSW_PID" -m test -S "$r/run/pluto/pluto.ctl" 2>/dev/null && \
			grep -q "listening for IKE messages" "$WORK/pluto.log" 2>/dev/null && return 0
		kill -0 "$LSW_PID" 2>/dev/null || fail "pluto exited at startup"
		sleep 0.1
	done
	fail "pluto: no control socket after 10 s"
}
lsw_stop() {
	[ -n "$LSW_PID" ] || return 0
	kill -TERM "$LSW_PID" 2>/dev/null || true
	for _ in $(seq 1 50); do kill -0 "$LSW_PID" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$LSW_PID" 2>/dev/null || true
	wait "$LSW_PID" 2>/dev/null || true
	LSW_PID=
}
# whack next to the running pluto: lsw ipsec whack ...
lsw() { timeout 20 nsenter -t "$LSW_PID" -m -n chroot "$LSW_ROOT" "$@"; }
# From pluto's packet dumps (plutodebug=base): one line per message it sent,
# "EXCHANGE SPIi SPIr PAYLOADS LENGTH", with the payloads inside SK named as
# short names (IDr, AUTH, N(TYPE), ...).
lsw_sent() {
	awk 'BEGIN { short["Identification - Responder -"] = "IDr"; short["Identification - Initiator -"] = "IDi"
		short["Authentication"] = "AUTH"; short["Notify"] = "N"; short["Configuration"] = "CP"
		short["Security Association"] = "SA"; short["Traffic Selector - Initiator -"] = "TSi"
		short["Traffic Selector - Responder -"] = "TSr"; short["Delete"] = "D" }
	/\*\*emit ISAKMP Message:/ { e = 1; n = ""; next }
	e && /initiator SPI:/ { s = $0; sub(/.*initiator SPI: /, "", s); gsub(/ /, "", s); si = s }
	e && /responder SPI:/ { s = $0; sub(/.*responder SPI: /, "", s); gsub(/ /, "", s); sr = s }
	e && /exchange type:/ { x = $(NF - 1); sub(/ISAKMP_v2_/, "", x) }
	e && /\| \*\*\*\*emit IKEv2 .* Payload:/ { p = $0; sub(/.*emit IKEv2 /, "", p); sub(/ Payload:.*/, "", p)
		p = (p in short) ? short[p] : p; n = n (n ? "," : "") p }
	e && /Notify Message Type:/ { t = $0; sub(/.*Notify Message Type: v2N_/, "", t); sub(/ .*/, "", t); n = n "(" t ")" }
	e && /emitting length of ISAKMP Message:/ { print x, si, sr, n, $NF; e = 0 }' "$WORK/pluto.log"
}
# Libreswan's names for the groups petrel calls CURVE25519 and ECP_256
lsw_group() { case $1 in CURVE25519) echo DH31 ;; ECP_256) echo DH19 ;; *) echo "$1" ;; esac; }

# ---------------------------------------------------------------- A
log "A. Libreswan 5.2 responder <- petrel's engine ($(chroot "$LSW_ROOT" ipsec --version 2>/dev/null | head -1))"
cat > "$WORK/ipsec.conf" <<EOF
config setup
    logtime=yes
    plutodebug=base
conn rw
    keyexchange=ikev2
    authby=secret
    left=$GW
    leftid=@$GW_ID
    leftsubnet=203.0.113.0/24
    leftmodecfgserver=yes
    right=%any
    rightid=$CLIENT_ID
    rightaddresspool=203.0.113.10-203.0.113.250
    rightmodecfgclient=yes
    modecfgdns=203.0.113.53
    narrowing=yes
    ike=aes_gcm256-sha2_256-dh31,aes_gcm256-sha2_256-dh19
    esp=aes_gcm256
    auto=add
EOF
printf '@%s %s : PSK "%s"\n' "$GW_ID" "$CLIENT_ID" "$PSK" > "$WORK/ipsec.secrets"
chmod 600 "$WORK/ipsec.secrets"
lsw_start "$NS_GW"

run=0
for group in x25519 ecp256; do
	run=$((run + 1))
	out=$WORK/ini-$run.log
	n0=$(wc -l < "$WORK/pluto.log")
	log "A$run: ike-initiator aes256gcm16-prfsha256-$group, ESP aes256gcm16"
	rc=0
	timeout 20 ip netns exec "$NS_CLI" "$INITIATOR" --gateway $GW --id $CLIENT_ID --remote-id $GW_ID \
		--psk-file "$WORK/cli.psk" --ike "aes256gcm16-prfsha256-$group" --esp aes256gcm16 \
		--timeout-ms 8000 --hold-ms 200 --log-level debug > "$out" 2> "$WORK/ini-$run.err.log" || rc=$?
	res=$(grep '^result ' "$out") || fail "A$run: ike-initiator printed no result (exit $rc)"
	spi_i=$(sed -nE 's/.* spi_i=([0-9a-f]{16}) .*/\1/p' <<<"$res")
	spi_r=$(sed -nE 's/.* spi_r=([0-9a-f]{16}) .*/\1/p' <<<"$res")
	ike=$(sed -nE 's/.* ike=([^ ]+) .*/\1/p' <<<"$res")
	if [ -z "$spi_i" ] || [ -z "$spi_r" ] || [ "$spi_r" = 0000000000000000 ]; then
		fail "A$run: IKE_SA_INIT did not complete: $res"
	fi
	grep -q '"event":"recv","exch":"IKE_SA_INIT".*"rc":0' "$out" || fail "A$run: no IKE_SA_INIT response"
	grep -q '"event":"recv","exch":"IKE_AUTH"' "$out" || fail "A$run: no IKE_AUTH response"

	# Libreswan's side (its log since this run): petrel authenticated, IKE SA
	# kept, same SPIs and algorithms
	tail -n +"$((n0 + 1))" "$WORK/pluto.log" | grep -vE '^[^|]*: \| ' > "$WORK/pluto-a$run.log"
	st=$(sed -nE "s/.* #([0-9]+): responder established IKE SA; authenticated peer using authby=secret and ID_USER_FQDN '$CLIENT_ID'$/\\1/p" "$WORK/pluto-a$run.log")
	[ -n "$st" ] || fail "A$run: Libreswan did not authenticate petrel: $(tail -3 "$WORK/pluto-a$run.log")"
	# our name AES_GCM_16_256/PRF_HMAC_SHA2_256/CURVE25519, Libreswan's AES_GCM_16_256-HMAC_SHA2_256-DH31
	IFS=/ read -r enc prf grp <<<"$ike"
	want_lsw="${enc}-${prf#PRF_}-$(lsw_group "$grp")"
	grep -qF "#$st: sent IKE_SA_INIT response to $CLI:UDP/" "$WORK/pluto-a$run.log" || fail "A$run: no IKE_SA_INIT response in pluto's log"
	grep -F "#$st: sent IKE_SA_INIT response" "$WORK/pluto-a$run.log" | grep -qF "{cipher=$enc integ=n/a prf=${prf#PRF_} group=$(lsw_group "$grp")}" \
		|| fail "A$run: Libreswan's IKE algorithms are not petrel's $ike: $(grep -F "sent IKE_SA_INIT response" "$WORK/pluto-a$run.log")"
	lsw ipsec whack --status > "$WORK/status-$run.txt" 2>&1 || true
	grep -qF "IKEv2 algorithm newest: $want_lsw" "$WORK/status-$run.txt" \
		|| fail "A$run: ipsec whack --status does not show $want_lsw: $(grep -F 'algorithm newest' "$WORK/status-$run.txt")"
	grep -qE "^#$st: \"rw\"\[[0-9]+\] $CLI:[0-9]+ ESTABLISHED_IKE_SA " "$WORK/status-$run.txt" \
		|| fail "A$run: Libreswan does not list IKE SA #$st as ESTABLISHED_IKE_SA: $(grep -E '^#' "$WORK/status-$run.txt")"
	auth=$(lsw_sent | awk -v i="$spi_i" -v r="$spi_r" '$1 == "IKE_AUTH" && $2 == i && $3 == r')
	[ -n "$auth" ] || fail "A$run: pluto sent no IKE_AUTH response on SA ${spi_i}_${spi_r} (petrel's SPIs): $(lsw_sent)"
	log "A$run: Libreswan's IKE_AUTH response: $auth"
	# RFC 7296 2.21.2: the IKE SA is authenticated, the Child SA refused
	grep -qE "^IKE_AUTH [0-9a-f]+ [0-9a-f]+ IDr,AUTH,N\(TEMPORARY_FAILURE\) " <<<"$auth" \
		|| fail "A$run: Libreswan's IKE_AUTH response is not SK{IDr,AUTH,N(TEMPORARY_FAILURE)}: $auth"
	grep -qE "#[0-9]+: netlink response for Add SA esp\.[0-9a-f]+@$GW: Function not implemented \(errno 38\)" "$WORK/pluto-a$run.log" \
		|| fail "A$run: Libreswan's Child SA did not fail in the kernel as expected: $(grep -E 'ERROR' "$WORK/pluto-a$run.log" | tail -3)"
	lsw ipsec whack --trafficstatus > "$WORK/traffic-$run.txt" 2>&1 || true
	[ ! -s "$WORK/traffic-$run.txt" ] || fail "A$run: Libreswan lists traffic (a Child SA?) here: $(cat "$WORK/traffic-$run.txt")"

	# petrel's side
	grep -q '"event":"established"' "$out" \
		|| fail "A$run: petrel did not establish the IKE SA (RFC 7296 2.21.2): $(tail -3 "$WORK/ini-$run.err.log")"
	grep -q '"event":"child_up"' "$out" && fail "A$run: petrel reports a Child SA Libreswan could not install"
	grep -q 'the gateway created no Child SA: TEMPORARY_FAILURE' "$WORK/ini-$run.err.log" \
		|| fail "A$run: petrel did not log the refused Child SA"
	log "A$run: petrel: IKE SA ${spi_i}_${spi_r} $ike established (AUTH verified) without a Child SA; Libreswan keeps IKE SA #$st"
done
lsw_stop

# ---------------------------------------------------------------- C
# RFC 5723 with a real peer: Libreswan (session-resumption=yes) issues a
# ticket in its IKE_AUTH response; petrel's engine leaves that IKE SA behind
# without a word, as a laptop that moved, and resumes with
# IKE_SESSION_RESUME. Libreswan must open the ticket, verify petrel's
# resumed AUTH, and list a new ESTABLISHED_IKE_SA with petrel's new SPIs
# (its Child SA fails in this kernel again, as in A).
log "C. RFC 5723: petrel's engine resumes an IKE SA with a ticket from Libreswan 5.2"
sed -i 's/^    auto=add$/    session-resumption=yes\n    auto=add/' "$WORK/ipsec.conf"
lsw_start "$NS_GW"
for form in message full; do
	out=$WORK/ini-resume-$form.log
	n0=$(wc -l < "$WORK/pluto.log")
	rc=0
	timeout 20 ip netns exec "$NS_CLI" "$INITIATOR" --gateway $GW --id $CLIENT_ID --remote-id $GW_ID \
		--psk-file "$WORK/cli.psk" --ike aes256gcm16-prfsha256-x25519 --esp aes256gcm16 \
		--timeout-ms 8000 --hold-ms 200 --resume-after-ms 300 --resume-auth $form --natt \
		--log-level debug > "$out" 2> "$WORK/ini-resume-$form.err.log" || rc=$?
	tail -n +"$((n0 + 1))" "$WORK/pluto.log" | grep -vE '^[^|]*: \| ' > "$WORK/pluto-c-$form.log"
	grep -q '"event":"ticket"' "$out" || fail "C ($form): Libreswan gave no ticket: $(grep -iE 'ticket|resum' "$WORK/pluto-c-$form.log" | head -3)"
	grep -q '"event":"resume_start".*"rc":0' "$out" || fail "C ($form): the resume did not start"
	grep -q '"event":"recv","exch":"IKE_SESSION_RESUME".*"rc":0' "$out" \
		|| fail "C ($form): no IKE_SESSION_RESUME response: $(grep -iE 'resum|ticket' "$WORK/pluto-c-$form.log" | tail -3)"
	res=$(grep '^result ' "$out") || fail "C ($form): ike-initiator printed no result (exit $rc)"
	if [ "$rc" = 0 ] && grep -q ' resumed=1' <<<"$res"; then
		spi_i=$(sed -nE 's/.* spi_i=([0-9a-f]{16}) .*/\1/p' <<<"$res")
		spi_r=$(sed -nE 's/.* spi_r=([0-9a-f]{16}) .*/\1/p' <<<"$res")
		lsw ipsec whack --status > "$WORK/status-c-$form.txt" 2>&1 || true
		grep -qE "ESTABLISHED_IKE_SA" "$WORK/status-c-$form.txt" || fail "C ($form): Libreswan lists no IKE SA after the resume"
		lsw_sent | awk -v i="$spi_i" -v r="$spi_r" '$1 == "IKE_AUTH" && $2 == i && $3 == r' | grep -q . \
			|| fail "C ($form): Libreswan sent no IKE_AUTH response on the resumed SA ${spi_i}_${spi_r}"
		log "C ($form): resumed: new IKE SA ${spi_i}_${spi_r}; Libreswan: $(grep -iE 'resum' "$WORK/pluto-c-$form.log" | grep -v '^|' | tail -2 | tr '\n' ' ')"
		echo "$form" >> "$WORK/resume-ok.txt"
	else
		log "C ($form): not accepted: $(grep -iE 'AUTH|resum' "$WORK/pluto-c-$form.log" | tail -3 | tr '\n' ' ')"
	fi
done
[ -s "$WORK/resume-ok.txt" ] || fail "C: Libreswan accepted neither form of the resumed AUTH"
grep -qx message "$WORK/resume-ok.txt" || fail "C: Libreswan refused petrel's default resumed AUTH (message); it took: $(cat "$WORK/resume-ok.txt")"
# what docs/ike-engine.md says of Libreswan: it refuses the RFC 7296 2.15 form
grep -qx full "$WORK/resume-ok.txt" && fail "C: Libreswan now accepts the RFC 7296 2.15 form of the resumed AUTH too: docs/ike-engine.md is out of date"
lsw_stop

# ---------------------------------------------------------------- B
log "B. Libreswan 5.2 initiator -> petrel-gw"
gw_conf "  proposals: { ike: [aes256gcm16-prfsha256-x25519], esp: [aes256gcm16] }"
gw_start "$PETREL_GW"
cat > "$WORK/ipsec.conf" <<EOF
config setup
    logtime=yes
    plutodebug=base
conn cli
    keyexchange=ikev2
    authby=secret
    left=$CLI
    leftid=$CLIENT_ID
    leftmodecfgclient=yes
    leftsubnet=0.0.0.0/0
    right=$GW
    rightid=@$GW_ID
    rightsubnet=203.0.113.0/24
    narrowing=yes
    ike=aes_gcm256-sha2_256-dh31
    esp=aes_gcm256
    keyingtries=1
    retransmit-timeout=5s
    auto=add
EOF
printf '%s @%s : PSK "%s"\n' "$CLIENT_ID" "$GW_ID" "$PSK" > "$WORK/ipsec.secrets"
chmod 600 "$WORK/ipsec.secrets"
lsw_start "$NS_CLI"
lsw ipsec whack --initiate --name cli > "$WORK/initiate.log" 2>&1 || true
cat "$WORK/initiate.log" >&2
grep -qF "#1: initiator established IKE SA; authenticated peer using authby=secret and ID_FQDN '@$GW_ID'" "$WORK/initiate.log" \
	|| fail "Libreswan did not establish the IKE SA with petrel-gw"
grep -qF "#1: processed IKE_SA_INIT response from $GW:UDP/500 {cipher=AES_GCM_16_256 integ=n/a prf=HMAC_SHA2_256 group=DH31}" \
	"$WORK/initiate.log" || fail "Libreswan's IKE algorithms are not aes256gcm16-prfsha256-x25519"
wait_for "$WORK/gw.log" "IKE SA established with $CLI:500: " 5 || fail "petrel-gw did not log the IKE SA as established"
est=$(grep "IKE SA established with $CLI:500: " "$WORK/gw.log" | tail -1)
g_spi_i=$(sed -nE 's/.* spi_i=([0-9a-f]{16}) .*/\1/p' <<<"$est")
g_spi_r=$(sed -nE 's/.* spi_r=([0-9a-f]{16}) .*/\1/p' <<<"$est")
g_vip=$(sed -nE 's/.* vip=([0-9.]+) .*/\1/p' <<<"$est")
grep -qF "ike=AES_GCM_16_256/PRF_HMAC_SHA2_256/CURVE25519 " <<<"$est" || fail "petrel-gw's IKE algorithms: $est"
lsw_sent | awk -v i="$g_spi_i" -v r="$g_spi_r" '$1 == "IKE_AUTH" && $2 == i && $3 == r' | grep -q . \
	|| fail "Libreswan's IKE_AUTH request is not on petrel-gw's SA ${g_spi_i}_${g_spi_r}: $(lsw_sent)"
grep -qF "#2: received INTERNAL_IP4_ADDRESS $g_vip" "$WORK/initiate.log" \
	|| fail "Libreswan did not get petrel-gw's virtual IP $g_vip"
lsw ipsec whack --status > "$WORK/status-b.txt" 2>&1 || true
grep -qE "^#1: \"cli\"\[[0-9]+\] $GW:500 ESTABLISHED_IKE_SA " "$WORK/status-b.txt" \
	|| fail "Libreswan does not list IKE SA #1 as ESTABLISHED_IKE_SA: $(grep -E '^#' "$WORK/status-b.txt")"
grep -qF "IKEv2 algorithm newest: AES_GCM_16_256-HMAC_SHA2_256-DH31" "$WORK/status-b.txt" \
	|| fail "ipsec whack --status shows other IKE algorithms"
# the Child SA: up at petrel-gw, refused by Libreswan's kernel, deleted by Libreswan
child=$(grep "Child SA up spi_in=" "$WORK/gw.log" | tail -1)
g_in=$(sed -nE 's/.*spi_in=([0-9a-f]{8}) .*/\1/p' <<<"$child")
g_out=$(sed -nE 's/.*spi_out=([0-9a-f]{8}) .*/\1/p' <<<"$child")
[ -n "$g_in" ] || fail "petrel-gw did not log the Child SA"
# Libreswan prints the SPI without its leading zeros (esp.f0a2020 for 0f0a2020).
g_out_lsw=$(sed 's/^0*//' <<<"$g_out")
grep -qE "#2: netlink response for Add SA esp\.$g_out_lsw@$CLI: Function not implemented \(errno 38\)" "$WORK/initiate.log" \
	|| fail "Libreswan's Child SA (its inbound SPI $g_out) did not fail in the kernel as expected"
grep -qF "#2: sent INFORMATIONAL request to delete larval Child SA using IKE SA #1" "$WORK/initiate.log" \
	|| fail "Libreswan did not delete the Child SA it could not install"
wait_for "$WORK/gw.log" "Child SA down spi_in=$g_in spi_out=$g_out" 5 || fail "petrel-gw did not take the Child SA down"
log "B: IKE ${g_spi_i}_${g_spi_r} AES_GCM_16_256/PRF_HMAC_SHA2_256/CURVE25519 on both sides, vip $g_vip; Child SA $g_in/$g_out up at petrel-gw, ENOSYS at Libreswan, deleted"
lsw ipsec whack --delete --name cli > "$WORK/delete.log" 2>&1 || true
wait_for "$WORK/gw.log" "${g_spi_i}_${g_spi_r}: IKE SA with .* deleted" 5 || fail "petrel-gw did not see Libreswan's delete"
lsw ipsec whack --status 2>/dev/null | grep -qE '^#[0-9]+: "cli".*ESTABLISHED_IKE_SA' \
	&& fail "Libreswan still lists an IKE SA after whack --delete"
lsw_stop

log "PASS: Libreswan 5.2 <-> petrel, IKE_SA_INIT+IKE_AUTH both directions (no Child SA on this kernel) in $(elapsed) s"
