#!/bin/bash
# e2e (b): petrel's engine as the initiator (ike-initiator) against a
# strongSwan 5.9.8 gateway with a PSK. For each cipher (aes256gcm16,
# chacha20poly1305) and group (x25519, ecp256): the SA is established, the
# SPIs, algorithms and virtual IP ike-initiator reports equal what
# `swanctl --list-sas` shows on the gateway, then ike-initiator deletes it
# and the gateway no longer lists it.
# Usage: engine_to_ss.sh PETREL-GW IKE-INITIATOR   (root; exit 77 = skipped)
set -euo pipefail
CASE=eng2ss
INITIATOR=$2
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
e2e_init strongswan
topology

ss_conf gw
cat > "$WORK/gw/swanctl/swanctl.conf" <<EOF
connections {
    rw {
        local_addrs = $GW
        pools = pool4
        proposals = aes256gcm16-chacha20poly1305-prfsha256-x25519-ecp256
        local  { auth = psk
                 id = $GW_ID }
        remote { auth = psk
                 id = $CLIENT_ID }
        children {
            net {
                local_ts = 203.0.113.0/24
                esp_proposals = aes256gcm16, chacha20poly1305
            }
        }
    }
}
pools {
    pool4 { addrs = 203.0.113.10-203.0.113.250
            dns = 203.0.113.53 }
}
secrets {
    ike-psk { id-1 = $GW_ID
              id-2 = $CLIENT_ID
              secret = "$PSK" }
}
EOF
ss_start gw "$NS_GW"
sw gw "$NS_GW" --load-all >/dev/null
psk_file "$WORK/cli.psk"

# strongSwan names: AES_GCM_16-256, CHACHA20_POLY1305, CURVE_25519, ECP_256;
# petrel's: AES_GCM_16_256, CHACHA20_POLY1305, CURVE25519, ECP_256.
ss_alg() { sed -e 's/AES_GCM_16-/AES_GCM_16_/g' -e 's/CURVE_25519/CURVE25519/g'; }

run=0
for cipher in aes256gcm16 chacha20poly1305; do
	for group in x25519 ecp256; do
		run=$((run + 1))
		out=$WORK/ini-$run.log
		log "ike-initiator: $cipher-prfsha256-$group, ESP $cipher"
		timeout 20 ip netns exec "$NS_CLI" "$INITIATOR" --gateway $GW --id $CLIENT_ID \
			--remote-id $GW_ID --psk-file "$WORK/cli.psk" --ike "$cipher-prfsha256-$group" \
			--esp "$cipher" --timeout-ms 8000 --hold-ms 30000 --delete > "$out" 2> "$WORK/ini-$run.err" &
		ini=$!
		PIDS+=("$ini")
		wait_for "$out" '"event":"established"' 10 || fail "run $run: not established: $(tail -3 "$out")"
		est=$(grep '"event":"established"' "$out")
		child=$(grep '"event":"child_up"' "$out") || fail "run $run: no Child SA"
		spi_i=$(sed -nE 's/.*"spi_i":"([0-9a-f]{16})".*/\1/p' <<<"$est")
		spi_r=$(sed -nE 's/.*"spi_r":"([0-9a-f]{16})".*/\1/p' <<<"$est")
		ike=$(sed -nE 's/.*"ike":"([^"]+)".*/\1/p' <<<"$est")
		vip=$(sed -nE 's/.*"vip":"([^"]+)".*/\1/p' <<<"$est")
		c_in=$(sed -nE 's/.*"spi_in":"([0-9a-f]{8})".*/\1/p' <<<"$child")
		c_out=$(sed -nE 's/.*"spi_out":"([0-9a-f]{8})".*/\1/p' <<<"$child")
		esp=$(sed -nE 's/.*"esp":"([^"]+)".*/\1/p' <<<"$child")

		sw gw "$NS_GW" --list-sas > "$WORK/sas-$run.txt"
		sas=$WORK/sas-$run.txt
		grep -qE "ESTABLISHED, IKEv2, ${spi_i}_i ${spi_r}_r\*" "$sas" \
			|| fail "run $run: the gateway does not list IKE SA ${spi_i}_i ${spi_r}_r: $(cat "$sas")"
		gw_ike=$(sed -nE 's/^ +([A-Z0-9_-]+\/PRF_[A-Z0-9_]+\/[A-Z0-9_]+)$/\1/p' "$sas" | head -1 | ss_alg)
		[ "$gw_ike" = "$ike" ] || fail "run $run: IKE algorithms differ: gateway '$gw_ike', petrel '$ike'"
		gw_esp=$(sed -nE 's/.*INSTALLED, TUNNEL[^,]*, ESP:([A-Z0-9_-]+).*/\1/p' "$sas" | head -1 | ss_alg)
		[ "$gw_esp" = "$esp" ] || fail "run $run: ESP algorithms differ: gateway '$gw_esp', petrel '$esp'"
		# the gateway's inbound SPI is our outbound one and the other way round
		grep -qE "^ +in +$c_out," "$sas" || fail "run $run: gateway inbound SPI is not our outbound $c_out"
		grep -qE "^ +out +$c_in," "$sas" || fail "run $run: gateway outbound SPI is not our inbound $c_in"
		grep -qE "remote +'$CLIENT_ID' @ [^ ]+ \[$vip\]" "$sas" \
			|| fail "run $run: the gateway did not assign the virtual IP $vip we report"
		case $vip in 203.0.113.*) ;; *) fail "run $run: virtual IP '$vip' is not from the pool" ;; esac
		log "run $run: IKE ${spi_i}/${spi_r} $ike, ESP in $c_in out $c_out $esp, vip $vip: agree"

		# end the hold: ike-initiator deletes the SA and must get the answer
		ini_pid=$(sed -nE 's/.*"event":"start","pid":([0-9]+).*/\1/p' "$out")
		kill -USR1 "$ini_pid"
		rc=0; wait "$ini" || rc=$?
		[ $rc = 0 ] || fail "run $run: ike-initiator exited with $rc: $(tail -3 "$out")"
		grep -q '"event":"deleted"' "$out" || fail "run $run: no deleted event"
		grep -qE '^result .* established=1 deleted=1' "$out" || fail "run $run: bad result line"
		if sw gw "$NS_GW" --list-sas | grep -q "${spi_i}_i"; then
			fail "run $run: the gateway still lists IKE SA $spi_i after the delete"
		fi
		[ "$(grep -c "received DELETE for IKE_SA" "$WORK/gw/charon.log")" -ge $run ] \
			|| fail "run $run: the gateway logged no delete for this SA"
	done
done
log "PASS: ike-initiator -> strongSwan gateway, $run cipher/group pairs, SPIs/algorithms/vip agree, deletes answered, in $(elapsed) s"
