#!/bin/bash
# e2e (c): petrel against petrel over real UDP in namespaces: ike-initiator
# (the engine as initiator) -> petrel-gw (the engine as responder).
#   direct: no NAT; IKE stays on port 500; --delete, petrel-gw logs it.
#   nat:    the router masquerades the client (nftables, else iptables): both
#           sides detect the NAT, the client floats to 4500 with the non-ESP
#           marker and petrel-gw follows; then SIGTERM to petrel-gw deletes
#           the SA at the client.
# Usage: engine_to_gw.sh PETREL-GW IKE-INITIATOR   (root; exit 77 = skipped)
set -euo pipefail
CASE=eng2gw
PETREL_GW=$1
INITIATOR=$2
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
e2e_init none
topology
psk_file "$WORK/cli.psk"

field() { sed -nE "s/.*\"$2\":\"?([^\",}]+)\"?.*/\\1/p" <<<"$1"; }

# Start ike-initiator in the client namespace; OUT gets its JSON lines.
initiator() { # OUT ARGS...
	local out=$1; shift
	timeout 20 ip netns exec "$NS_CLI" "$INITIATOR" --gateway $GW --id $CLIENT_ID \
		--remote-id $GW_ID --psk-file "$WORK/cli.psk" --timeout-ms 8000 "$@" > "$out" 2> "$out.err" &
	INI=$!
	PIDS+=("$INI")
}

# Both sides agree on SPIs, algorithms and the virtual IP; sets SPI_I SPI_R.
check_agree() { # OUT WHAT
	local out=$1 what=$2 est child vip ike c_in c_out
	wait_for "$out" '"event":"established"' 10 || fail "$what: not established: $(tail -3 "$out")"
	est=$(grep '"event":"established"' "$out")
	child=$(grep '"event":"child_up"' "$out") || fail "$what: no Child SA"
	SPI_I=$(field "$est" spi_i); SPI_R=$(field "$est" spi_r)
	ike=$(field "$est" ike); vip=$(field "$est" vip)
	c_in=$(field "$child" spi_in); c_out=$(field "$child" spi_out)
	wait_for "$WORK/gw.log" "IKE SA established .*spi_i=$SPI_I spi_r=$SPI_R ike=$ike vip=$vip " 5 \
		|| fail "$what: petrel-gw does not log IKE SA $SPI_I/$SPI_R ($ike, vip $vip)"
	grep -qE "${SPI_I}_${SPI_R}: Child SA up spi_in=$c_out spi_out=$c_in " "$WORK/gw.log" \
		|| fail "$what: petrel-gw's Child SA SPIs are not the mirror of ours (in $c_in out $c_out)"
	case $vip in 203.0.113.*) ;; *) fail "$what: virtual IP '$vip' is not from the pool" ;; esac
	log "$what: IKE $SPI_I/$SPI_R $ike, ESP in $c_in out $c_out, vip $vip: both sides agree"
}

# ---- startup errors are clear and name the place
gw_conf "  proposals: { ike: [aes256gcm16-prfsha256-x25519, aes999-prfsha256-x25519] }"
rc=0; timeout 10 ip netns exec "$NS_GW" "$PETREL_GW" --config "$WORK/gw.yaml" > "$WORK/bad1.log" 2>&1 || rc=$?
[ $rc = 1 ] || fail "petrel-gw with a bad proposal exited with $rc, not 1"
grep -qE "$WORK/gw.yaml:9:52: proposals.ike: 'aes999-prfsha256-x25519'" "$WORK/bad1.log" \
	|| fail "petrel-gw did not point at the bad proposal: $(cat "$WORK/bad1.log")"
gw_conf
chmod 644 "$WORK/gw.psk"
rc=0; timeout 10 ip netns exec "$NS_GW" "$PETREL_GW" --config "$WORK/gw.yaml" > "$WORK/bad2.log" 2>&1 || rc=$?
[ $rc = 1 ] || fail "petrel-gw with a world-readable PSK file exited with $rc, not 1"
grep -q "readable or writable by group or others" "$WORK/bad2.log" \
	|| fail "petrel-gw did not explain the PSK file mode: $(cat "$WORK/bad2.log")"
log "startup errors: bad proposal at file:line:col, PSK file mode refused"

gw_conf
gw_start "$PETREL_GW"

# ---- direct (no NAT)
log "direct: ike-initiator -> petrel-gw, then --delete"
initiator "$WORK/direct.log" --ike aes256gcm16-prfsha256-x25519 --esp aes256gcm16 --delete
check_agree "$WORK/direct.log" direct
rc=0; wait "$INI" || rc=$?
[ $rc = 0 ] || fail "direct: ike-initiator exited with $rc: $(tail -3 "$WORK/direct.log")"
grep -q '"nat_local":0,"nat_remote":0' "$WORK/direct.log" || fail "direct: a NAT was detected where there is none"
grep -q '"event":"float"' "$WORK/direct.log" && fail "direct: moved to 4500 without a NAT"
grep -qE '^result .* established=1 deleted=1' "$WORK/direct.log" || fail "direct: bad result line"
wait_for "$WORK/gw.log" "${SPI_I}_${SPI_R}: IKE SA with .* deleted" 3 || fail "direct: petrel-gw did not see the delete"
wait_for "$WORK/gw.log" "${SPI_I}_${SPI_R}: freed" 3 || fail "direct: petrel-gw did not free the SA"

# ---- the first IKE_SA_INIT answer is lost: the retransmitted request must
# reach the same half-open SA (found by SPIi and peer) and get the same answer
if command -v nft >/dev/null; then
	log "direct: the first IKE_SA_INIT response is dropped in the router"
	ip netns exec "$NS_RT" nft -f - <<-EOF
		table ip pte2e_loss {
			chain drop_first {
				type filter hook forward priority 0; policy accept;
				ip saddr $GW udp sport 500 limit rate 1/hour burst 1 packets drop
			}
		}
	EOF
	initiator "$WORK/lost.log" --ike aes256gcm16-prfsha256-x25519 --esp aes256gcm16 --delete
	check_agree "$WORK/lost.log" lost
	rc=0; wait "$INI" || rc=$?; [ $rc = 0 ] || fail "lost: ike-initiator exited with $rc"
	[ "$(grep -c '"event":"send","exch":"IKE_SA_INIT"' "$WORK/lost.log")" -ge 2 ] \
		|| fail "lost: the initiator did not retransmit IKE_SA_INIT"
	grep -q "${SPI_I}_${SPI_R}: IKE_SA_INIT retransmitted by $CLI:" "$WORK/gw.log" \
		|| fail "lost: petrel-gw did not match the retransmission to the half-open SA"
	[ "$(grep -c "IKE_SA_INIT from .* answered" "$WORK/gw.log")" = 2 ] \
		|| fail "lost: petrel-gw made a new SA for the retransmission"
	ip netns exec "$NS_RT" nft delete table ip pte2e_loss
else
	log "SKIP lost-response sub-case: nft is not installed"
fi

# ---- two SAs at the same time: separate table entries, separate addresses
log "direct: two initiators at once (chacha20poly1305/ecp256 and aes256gcm16/x25519)"
initiator "$WORK/two-a.log" --ike chacha20poly1305-prfsha256-ecp256 --esp chacha20poly1305 --hold-ms 1500 --delete
INI_A=$INI
initiator "$WORK/two-b.log" --ike aes256gcm16-prfsha256-x25519 --esp aes256gcm16 --hold-ms 1500 --delete
INI_B=$INI
check_agree "$WORK/two-a.log" two-a
VIP_A=$(field "$(grep '"event":"established"' "$WORK/two-a.log")" vip)
check_agree "$WORK/two-b.log" two-b
VIP_B=$(field "$(grep '"event":"established"' "$WORK/two-b.log")" vip)
[ "$VIP_A" != "$VIP_B" ] || fail "two: both SAs got the virtual IP $VIP_A"
rc=0; wait "$INI_A" || rc=$?; [ $rc = 0 ] || fail "two: first initiator exited with $rc"
rc=0; wait "$INI_B" || rc=$?; [ $rc = 0 ] || fail "two: second initiator exited with $rc"
wait_for "$WORK/gw.log" "freed \(0 SAs left\)" 3 || fail "two: petrel-gw did not free both SAs"

# ---- NAT
rc=0; nat_masquerade || rc=$?
if [ $rc = 2 ]; then
	log "SKIP nat sub-case: neither nft nor iptables is installed (tools/deps.sh installs nftables)"
	log "PASS (direct only) in $(elapsed) s"
	exit 0
elif [ $rc != 0 ]; then
	log "SKIP nat sub-case: this kernel refused the masquerade rule"
	log "PASS (direct only) in $(elapsed) s"
	exit 0
fi
log "nat: ike-initiator behind a masquerading router -> petrel-gw, then SIGTERM to petrel-gw"
initiator "$WORK/nat.log" --ike aes256gcm16-prfsha256-x25519 --esp aes256gcm16 --hold-ms 15000
check_agree "$WORK/nat.log" nat
grep -q '"event":"established".*"nat_local":1' "$WORK/nat.log" || fail "nat: the client did not detect the NAT"
grep -q '"event":"float","to_port":4500' "$WORK/nat.log" || fail "nat: the client did not move to 4500"
grep -qE '"event":"recv","exch":"IKE_AUTH","len":[0-9]+,"port":4500,"rc":0' "$WORK/nat.log" \
	|| fail "nat: no IKE_AUTH answer on 4500"
grep -qE "${SPI_I}_${SPI_R}: IKE SA established with $RT_GW:[0-9]+: .* nat=peer" "$WORK/gw.log" \
	|| fail "nat: petrel-gw did not see the client behind $RT_GW as NATed"
grep -qE "${SPI_I}_${SPI_R}: peer moved from $RT_GW:[0-9]+ to $RT_GW:[0-9]+ \(NAT-T, with marker\)" "$WORK/gw.log" \
	|| fail "nat: petrel-gw did not follow the client to 4500"
kill -TERM "$GW_PID"
rc=0; wait "$INI" || rc=$?
[ $rc = 0 ] || fail "nat: ike-initiator exited with $rc: $(tail -3 "$WORK/nat.log")"
grep -q '"event":"deleted"' "$WORK/nat.log" || fail "nat: the client did not get petrel-gw's delete"
# petrel-gw closes within GW_SHUTDOWN_MS (3 s) of the signal; a process
# still there 15 s later is a hang, reported with where it waits.
for _ in $(seq 1 150); do kill -0 "$GW_PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$GW_PID" 2>/dev/null; then
	for p in $(ip netns pids "$NS_GW" 2>/dev/null); do
		log "still running: $(tr '\0' ' ' < "/proc/$p/cmdline") state $(awk '{print $3}' "/proc/$p/stat") wchan $(cat "/proc/$p/wchan" 2>/dev/null)"
	done
	fail "petrel-gw did not exit within 15 s of SIGTERM (last log line: $(tail -1 "$WORK/gw.log"))"
fi
rc=0; wait "$GW_PID" || rc=$?
[ $rc = 0 ] || fail "petrel-gw exited with $rc after SIGTERM"
grep -q "deleting (shutdown)" "$WORK/gw.log" || fail "petrel-gw did not delete on SIGTERM"
# ---- cookies (RFC 7296 2.6): cookie_threshold 0 asks every initiator for one
gw_conf "  cookie_threshold: 0"
gw_start "$PETREL_GW"
initiator "$WORK/cookie.log" --ike aes256gcm16-prfsha256-x25519 --esp aes256gcm16 --delete
check_agree "$WORK/cookie.log" cookie
rc=0; wait "$INI" || rc=$?; [ $rc = 0 ] || fail "cookie: ike-initiator exited with $rc"
grep -q "answered without an SA (COOKIE or refusal)" "$WORK/gw.log" || fail "cookie: petrel-gw asked for no cookie"
grep -q "half-open 1, cookie checked" "$WORK/gw.log" || fail "cookie: petrel-gw did not check the returned cookie"
[ "$(grep -c '"event":"send","exch":"IKE_SA_INIT"' "$WORK/cookie.log")" = 2 ] \
	|| fail "cookie: the initiator did not send IKE_SA_INIT again with the cookie"

log "PASS: petrel <-> petrel, direct and through NAT (float to 4500, marker), deletes both ways, in $(elapsed) s"
