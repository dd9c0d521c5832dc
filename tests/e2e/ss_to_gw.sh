#!/bin/bash
# e2e (a): strongSwan 5.9.8's initiator (swanctl --initiate) with a PSK
# against petrel-gw. Both sides must report the IKE SA and the Child SA with
# the same SPIs, the client must get a virtual IP from 203.0.113.0/24, and
# after swanctl --terminate petrel-gw must log the delete. Then a second SA,
# and SIGTERM to petrel-gw: it must delete that SA at the client.
# Usage: ss_to_gw.sh PETREL-GW IKE-INITIATOR   (root; exit 77 = skipped)
set -euo pipefail
CASE=ss2gw
PETREL_GW=$1
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
e2e_init strongswan
topology

gw_conf "  proposals: { ike: [aes256gcm16-prfsha256-x25519, chacha20poly1305-prfsha256-ecp256], esp: [aes256gcm16, chacha20poly1305] }"
gw_start "$PETREL_GW"

ss_conf cli
cat > "$WORK/cli/swanctl/swanctl.conf" <<EOF
connections {
    psk {
        remote_addrs = $GW
        vips = 0.0.0.0
        proposals = aes256gcm16-prfsha256-x25519
        local  { auth = psk
                 id = $CLIENT_ID }
        remote { auth = psk
                 id = $GW_ID }
        children {
            net {
                remote_ts = 203.0.113.0/24
                esp_proposals = aes256gcm16
            }
        }
    }
}
secrets {
    ike-psk { id-1 = $GW_ID
              id-2 = $CLIENT_ID
              secret = "$PSK" }
}
EOF
ss_start cli "$NS_CLI"
sw cli "$NS_CLI" --load-all >/dev/null

log "swanctl --initiate (strongSwan initiator -> petrel-gw)"
sw cli "$NS_CLI" --initiate --ike psk --child net --timeout 15 > "$WORK/initiate.log" 2>&1 \
	|| fail "swanctl --initiate failed: $(tail -5 "$WORK/initiate.log")"
sw cli "$NS_CLI" --list-sas > "$WORK/sas.txt"
cat "$WORK/sas.txt" >&2
grep -q "ESTABLISHED" "$WORK/sas.txt" || fail "strongSwan does not list the IKE SA as ESTABLISHED"
grep -q "INSTALLED" "$WORK/sas.txt" || fail "strongSwan does not list the Child SA as INSTALLED"

# psk: #1, ESTABLISHED, IKEv2, 1a2b..._i* 3c4d..._r
read -r SS_SPI_I SS_SPI_R < <(sed -nE 's/.*ESTABLISHED, IKEv2, ([0-9a-f]{16})_i\*? ([0-9a-f]{16})_r.*/\1 \2/p' "$WORK/sas.txt")
SS_CHILD_IN=$(sed -nE 's/^ +in +([0-9a-f]{8}),.*/\1/p' "$WORK/sas.txt" | head -1)
SS_CHILD_OUT=$(sed -nE 's/^ +out +([0-9a-f]{8}),.*/\1/p' "$WORK/sas.txt" | head -1)
VIP=$(sed -nE "s/.*local +'[^']*' @ [^ ]+ \[(203\.0\.113\.[0-9]+)\].*/\1/p" "$WORK/sas.txt")
if [ -z "${SS_SPI_I:-}" ] || [ -z "$SS_CHILD_IN" ] || [ -z "$SS_CHILD_OUT" ]; then
	fail "cannot read SPIs from swanctl --list-sas"
fi
[ -n "$VIP" ] || fail "no virtual IP from 203.0.113.0/24 in swanctl --list-sas"
log "strongSwan: IKE $SS_SPI_I/$SS_SPI_R, child in $SS_CHILD_IN out $SS_CHILD_OUT, vip $VIP"

wait_for "$WORK/gw.log" "IKE SA established .*spi_i=$SS_SPI_I spi_r=$SS_SPI_R" 5 \
	|| fail "petrel-gw did not log the IKE SA $SS_SPI_I/$SS_SPI_R as established"
grep -qE "Child SA up spi_in=$SS_CHILD_OUT spi_out=$SS_CHILD_IN " "$WORK/gw.log" \
	|| fail "petrel-gw's Child SA SPIs differ from strongSwan's (in $SS_CHILD_IN out $SS_CHILD_OUT)"
grep -qE "IKE SA established .*spi_r=$SS_SPI_R .*vip=$VIP " "$WORK/gw.log" \
	|| fail "petrel-gw did not log the virtual IP $VIP"
grep -q "AES_GCM_16-256/PRF_HMAC_SHA2_256/CURVE_25519" "$WORK/sas.txt" \
	|| fail "strongSwan's IKE algorithms are not the expected ones"

log "swanctl --terminate"
sw cli "$NS_CLI" --terminate --ike psk --timeout 10 > "$WORK/terminate.log" 2>&1 \
	|| fail "swanctl --terminate failed: $(tail -5 "$WORK/terminate.log")"
wait_for "$WORK/gw.log" "${SS_SPI_I}_${SS_SPI_R}: IKE SA with .* deleted" 5 \
	|| fail "petrel-gw did not see the delete"
if sw cli "$NS_CLI" --list-sas | grep -q ESTABLISHED; then
	fail "strongSwan still lists an SA after --terminate"
fi

log "a second SA, then SIGTERM to petrel-gw: it must delete the SA at the client"
sw cli "$NS_CLI" --initiate --ike psk --child net --timeout 15 > "$WORK/initiate2.log" 2>&1 \
	|| fail "second swanctl --initiate failed: $(tail -5 "$WORK/initiate2.log")"
kill -TERM "$GW_PID"
for _ in $(seq 1 50); do kill -0 "$GW_PID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$GW_PID" 2>/dev/null && fail "petrel-gw did not exit within 5 s of SIGTERM"
rc=0; wait "$GW_PID" || rc=$?
[ $rc = 0 ] || fail "petrel-gw exited with $rc after SIGTERM"
grep -q "deleting (shutdown)" "$WORK/gw.log" || fail "petrel-gw did not delete the SA on SIGTERM"
wait_for "$WORK/cli/charon.log" "received DELETE for IKE_SA" 3 \
	|| fail "strongSwan did not receive petrel-gw's delete"
log "cookies: petrel-gw with cookie_threshold 0 asks strongSwan for a COOKIE (RFC 7296 2.6)"
gw_conf "  cookie_threshold: 0"
gw_start "$PETREL_GW"
sw cli "$NS_CLI" --initiate --ike psk --child net --timeout 15 > "$WORK/initiate3.log" 2>&1 \
	|| fail "swanctl --initiate with a cookie failed: $(tail -5 "$WORK/initiate3.log")"
grep -q "received COOKIE notify" "$WORK/cli/charon.log" || fail "strongSwan got no COOKIE"
wait_for "$WORK/gw.log" "half-open 1, cookie checked" 3 || fail "petrel-gw did not check strongSwan's cookie"
wait_for "$WORK/gw.log" "IKE SA established" 3 || fail "no IKE SA after the cookie round"

log "PASS: strongSwan initiator <-> petrel-gw (SPIs agree, vip $VIP, deletes both ways, cookies) in $(elapsed) s"
