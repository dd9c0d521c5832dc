#!/bin/bash
# e2e (f): rekeys and deletes in both directions between petrel's engine
# (ike-initiator) and a strongSwan 5.9.8 gateway (PSK;
# aes256gcm16-prfsha256-ecp256, ESP aes256gcm16 with ecp256 for PFS in the
# Child SA rekeys, RFC 7296 1.3.1/1.3.2/2.8):
#   1. petrel rekeys the Child SA, then the IKE SA;
#   2. strongSwan rekeys them (swanctl --rekey --child / --ike);
#   3. strongSwan deletes the IKE SA (swanctl --terminate --ike): petrel
#      reports it deleted.
# After each step the SPIs and algorithms ike-initiator reports are the ones
# swanctl --list-sas shows, and the replaced SPIs are gone from it.
# Usage: engine_to_ss_rekey.sh PETREL-GW IKE-INITIATOR   (root; exit 77 = skipped)
set -euo pipefail
CASE=e2srekey
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
        proposals = aes256gcm16-prfsha256-ecp256
        local  { auth = psk
                 id = $GW_ID }
        remote { auth = psk
                 id = $CLIENT_ID }
        children {
            net {
                local_ts = 203.0.113.0/24
                esp_proposals = aes256gcm16-ecp256
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
sw gw "$NS_GW" --load-all > "$WORK/load.log" 2>&1 || fail "swanctl --load-all: $(tail -5 "$WORK/load.log")"
psk_file "$WORK/cli.psk"

OUT=$WORK/ini.log
log "ike-initiator: established, then its own Child SA rekey at 1 s and IKE SA rekey at 2.5 s"
timeout 40 ip netns exec "$NS_CLI" "$INITIATOR" --gateway $GW --id $CLIENT_ID --remote-id $GW_ID \
	--psk-file "$WORK/cli.psk" --ike aes256gcm16-prfsha256-ecp256 --esp aes256gcm16-ecp256 \
	--timeout-ms 35000 --hold-ms 30000 --rekey-child-after-ms 1000 --rekey-ike-after-ms 2500 \
	--expect-rekey > "$OUT" 2> "$OUT.err" &
INI=$!
PIDS+=("$INI")

n_lines() { local n; n=$(grep -c "$1" "$OUT" 2>/dev/null) || true; echo "${n:-0}"; }
wait_n() { # REGEX N SECONDS WHAT
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		[ "$(n_lines "$1")" -ge "$2" ] && return 0
		grep -qE '"event":"(failed|timeout|deleted)"' "$OUT" && break
		sleep 0.1
	done
	fail "$4: not seen: $(tail -5 "$OUT") $(tail -5 "$OUT.err")"
}

wait_n '"event":"established"' 1 10 "established"
ss_agree gw "$NS_GW" "$OUT" "established"
OLD_I=$SPI_I OLD_R=$SPI_R OLD_IN=$C_IN OLD_OUT=$C_OUT

# 1. petrel's Child SA rekey (CREATE_CHILD_SA with N(REKEY_SA), KE for PFS)
wait_n '"event":"child_up".*"rekey":1' 1 5 "petrel's Child SA rekey"
ss_agree gw "$NS_GW" "$OUT" "petrel's Child SA rekey" "$OLD_IN" "$OLD_OUT"
[ "$C_IN" != "$OLD_IN" ] || fail "petrel's Child SA rekey: the SPIs did not change"
grep -q '"event":"child_down","spi_in":"'"$OLD_IN"'"' "$OUT" || fail "petrel's Child SA rekey: the old pair was not removed"
# the Delete names the SPI the deleting end receives on (RFC 7296 3.11)
grep -q "received DELETE for ESP CHILD_SA with SPI $OLD_IN" "$WORK/gw/charon.log" \
	|| fail "petrel's Child SA rekey: strongSwan got no delete for the old pair"
OLD_IN=$C_IN OLD_OUT=$C_OUT

# ... then its IKE SA rekey
wait_n '"event":"rekeyed"' 1 5 "petrel's IKE SA rekey"
ss_agree gw "$NS_GW" "$OUT" "petrel's IKE SA rekey" "$OLD_I" "$OLD_R"
[ "$SPI_I" != "$OLD_I" ] || fail "petrel's IKE SA rekey: the SPIs did not change"
[ "$C_IN" = "$OLD_IN" ] || fail "petrel's IKE SA rekey: the Child SA changed ($OLD_IN -> $C_IN)"
OLD_I=$SPI_I OLD_R=$SPI_R

# 2. strongSwan's Child SA rekey, then its IKE SA rekey
log "swanctl --rekey --child net"
sw gw "$NS_GW" --rekey --child net > "$WORK/rekey-child.log" 2>&1 \
	|| fail "swanctl --rekey --child failed: $(tail -3 "$WORK/rekey-child.log")"
wait_n '"event":"child_up".*"rekey":1' 2 5 "strongSwan's Child SA rekey"
ss_agree gw "$NS_GW" "$OUT" "strongSwan's Child SA rekey" "$OLD_IN" "$OLD_OUT"
[ "$C_IN" != "$OLD_IN" ] || fail "strongSwan's Child SA rekey: the SPIs did not change"
grep -q '"event":"child_down","spi_in":"'"$OLD_IN"'"' "$OUT" \
	|| fail "strongSwan's Child SA rekey: petrel did not remove the old pair"

log "swanctl --rekey --ike rw"
sw gw "$NS_GW" --rekey --ike rw > "$WORK/rekey-ike.log" 2>&1 \
	|| fail "swanctl --rekey --ike failed: $(tail -3 "$WORK/rekey-ike.log")"
wait_n '"event":"rekeyed"' 2 5 "strongSwan's IKE SA rekey"
ss_agree gw "$NS_GW" "$OUT" "strongSwan's IKE SA rekey" "$OLD_I" "$OLD_R"
[ "$SPI_I" != "$OLD_I" ] || fail "strongSwan's IKE SA rekey: the SPIs did not change"

# 3. strongSwan deletes the IKE SA: petrel reports DELETED and exits
log "swanctl --terminate --ike rw"
sw gw "$NS_GW" --terminate --ike rw --timeout 10 > "$WORK/terminate.log" 2>&1 \
	|| fail "swanctl --terminate failed: $(tail -3 "$WORK/terminate.log")"
wait_n '"event":"deleted"' 1 5 "strongSwan's delete"
grep -q '"event":"deleted","spi_i":"'"$SPI_I"'","spi_r":"'"$SPI_R"'"' "$OUT" \
	|| fail "strongSwan's delete: petrel reported another SA deleted: $(grep deleted "$OUT")"
rc=0; wait "$INI" || rc=$?
[ $rc = 0 ] || fail "ike-initiator exited with $rc: $(tail -3 "$OUT")"
grep -qE "^result spi_i=$SPI_I spi_r=$SPI_R .* established=1 deleted=1 child_rekeys=2 ike_rekeys=2 peer_rekeys=2( |$)" "$OUT" \
	|| fail "bad result line: $(tail -1 "$OUT")"
if sw gw "$NS_GW" --list-sas | grep -q ESTABLISHED; then
	fail "strongSwan still lists an SA after --terminate"
fi

log "PASS: Child and IKE SA rekeys started by petrel and by strongSwan, SPIs agree after each, delete by strongSwan reached petrel, in $(elapsed) s"
