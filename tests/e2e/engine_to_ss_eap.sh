#!/bin/bash
# e2e (e): petrel's engine as the initiator (ike-initiator) with
# EAP-MSCHAPv2 (RFC 7296 2.16) against a strongSwan 5.9.8 gateway (its
# eap-mschapv2 plugin, the user's password in the swanctl secrets) that
# authenticates itself with an ECDSA certificate petrel verifies against a CA
# made for this run; chacha20poly1305-prfsha256-x25519, ESP chacha20poly1305.
#   good:  established, SPIs/algorithms/virtual IP agree with swanctl
#          --list-sas, strongSwan logs the EAP identity and the MSK;
#   wrong: a wrong password is refused at both ends, nothing is established.
# Usage: engine_to_ss_eap.sh PETREL-GW IKE-INITIATOR   (root; exit 77 = skipped)
set -euo pipefail
CASE=e2seap
INITIATOR=$2
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
need_ss_mschapv2
e2e_init strongswan
topology

EAP_USER=alice EAP_PASSWORD='petrel e2e: correct horse'
pki_ca
pki_leaf gw-ec ecdsa serverAuth "C=XX, O=petrel e2e, CN=$GW_ID" "$GW_ID" "$GW"

ss_conf gw
ss_creds gw gw-ec
cat > "$WORK/gw/swanctl/swanctl.conf" <<EOF
connections {
    eap {
        local_addrs = $GW
        pools = pool4
        proposals = chacha20poly1305-aes256gcm16-prfsha256-x25519-ecp256
        local  { auth = pubkey
                 certs = gw-ec.pem
                 id = $GW_ID }
        remote { auth = eap-mschapv2
                 eap_id = %any }
        children {
            net {
                local_ts = 203.0.113.0/24
                esp_proposals = chacha20poly1305, aes256gcm16
            }
        }
    }
}
pools {
    pool4 { addrs = 203.0.113.10-203.0.113.250
            dns = 203.0.113.53 }
}
secrets {
    eap-alice { id = $EAP_USER
                secret = "$EAP_PASSWORD" }
}
EOF
ss_start gw "$NS_GW"
sw gw "$NS_GW" --load-all > "$WORK/load.log" 2>&1 || fail "swanctl --load-all: $(tail -5 "$WORK/load.log")"
(umask 077; printf '%s\n' "$EAP_PASSWORD" > "$WORK/alice.pw"; printf 'not %s\n' "$EAP_PASSWORD" > "$WORK/wrong.pw")

ini() { # OUT PASSWORD-FILE ARGS...
	local out=$1 pw=$2
	shift 2
	timeout 25 ip netns exec "$NS_CLI" "$INITIATOR" --gateway $GW --id alice@eap.example --remote-id $GW_ID \
		--eap-user $EAP_USER --eap-password-file "$pw" --ca "$PKI/ca.pem" \
		--ike chacha20poly1305-prfsha256-x25519 --esp chacha20poly1305 --timeout-ms 20000 "$@" \
		> "$out" 2> "$out.err"
}

log "good: EAP-MSCHAPv2 as $EAP_USER, the gateway's ECDSA certificate verified"
ini "$WORK/ini-good.log" "$WORK/alice.pw" --hold-ms 15000 --delete &
INI=$!
PIDS+=("$INI")
out=$WORK/ini-good.log
wait_for "$out" '"event":"(established|failed|timeout)"' 10 || fail "good: no outcome: $(tail -3 "$out")"
grep -q '"event":"established"' "$out" || fail "good: not established: $(tail -3 "$out") $(tail -3 "$out.err")"
ss_agree gw "$NS_GW" "$out" good
grep -qE "remote +'alice@eap\.example' @ .*EAP: '$EAP_USER'" "$WORK/sas.txt" \
	|| fail "good: strongSwan does not list the EAP identity $EAP_USER: $(cat "$WORK/sas.txt")"
grep -q "EAP method EAP_MSCHAPV2 succeeded, MSK established" "$WORK/gw/charon.log" \
	|| fail "good: strongSwan did not log EAP-MSCHAPv2 success with an MSK"
grep -q "authentication of 'alice@eap.example' with EAP successful" "$WORK/gw/charon.log" \
	|| fail "good: strongSwan did not verify petrel's AUTH made with the MSK"
grep -q "EAP succeeded" "$out.err" || fail "good: petrel did not log EAP success"
kill -USR1 "$(jfield "$(grep '"event":"start"' "$out")" pid)"
rc=0; wait "$INI" || rc=$?
[ $rc = 0 ] || fail "good: ike-initiator exited with $rc: $(tail -3 "$out")"
grep -qE '^result .* established=1 deleted=1' "$out" || fail "good: bad result line: $(tail -1 "$out")"
if sw gw "$NS_GW" --list-sas | grep -q "${SPI_I}_i"; then
	fail "good: strongSwan still lists IKE SA $SPI_I after the delete"
fi

log "wrong: a wrong password must be refused"
rc=0; ini "$WORK/ini-wrong.log" "$WORK/wrong.pw" || rc=$?
out=$WORK/ini-wrong.log
[ $rc = 1 ] || fail "wrong: ike-initiator exited with $rc, not 1: $(tail -3 "$out")"
grep -q '"event":"established"' "$out" && fail "wrong: established with a wrong password"
grep -q '"event":"failed"' "$out" || fail "wrong: no failed event: $(tail -3 "$out")"
# strongSwan answers after a delay with a Failure-Request (E=691 R=1);
# petrel answers with a Failure-Response, strongSwan sends EAP-Failure and
# destroys its SA at once (not by a half-open timeout).
grep -q "EAP-MS-CHAPv2 verification failed" "$WORK/gw/charon.log" \
	|| fail "wrong: strongSwan did not log the EAP-MSCHAPv2 failure"
grep -q 'EAP-MSCHAPv2 failure: "E=691' "$out.err" || fail "wrong: petrel did not log strongSwan's E=691"
grep -q 'generating IKE_AUTH response .* \[ EAP/FAIL \]' "$WORK/gw/charon.log" \
	|| fail "wrong: strongSwan sent no EAP-Failure (no Failure-Response from petrel?)"
grep -q 'EAP-Failure from the server' "$out.err" || fail "wrong: petrel did not see the EAP-Failure"
if sw gw "$NS_GW" --list-sas | grep -q 'eap'; then
	fail "wrong: strongSwan still lists an SA: $(sw gw "$NS_GW" --list-sas | head -3)"
fi
log "wrong: refused ($(jfield "$(grep '"event":"failed"' "$out")" error)); strongSwan: $(grep -oE 'EAP-MS-CHAPv2 verification failed.*' "$WORK/gw/charon.log" | tail -1)"

log "PASS: ike-initiator -> strongSwan gateway with EAP-MSCHAPv2 (gateway certificate verified), SPIs/algorithms/vip agree, wrong password refused, in $(elapsed) s"
