#!/bin/bash
# e2e (h): strongSwan 5.9.8's initiator with EAP-MSCHAPv2 (its eap-mschapv2
# plugin) against petrel-gw as the EAP server (client_auth eap-mschapv2,
# eap_users with a password file each), petrel-gw authenticated by its ECDSA
# P-256 certificate, which strongSwan verifies against the run's CA;
# chacha20poly1305-prfsha256-x25519, ESP chacha20poly1305-x25519 (PFS in
# rekeys).
#   alice: established; both sides list the SA with the same SPIs and
#          algorithms, a virtual IP assigned; then strongSwan rekeys the
#          Child SA and the IKE SA (petrel-gw as the rekey responder), both
#          sides agree again, and swanctl --terminate reaches petrel-gw;
#   bob:   a wrong password is refused by petrel-gw (EAP Failure);
#   eve:   an identity that is not in eap_users is refused.
# Usage: ss_to_gw_eap.sh PETREL-GW IKE-INITIATOR   (root; exit 77 = skipped)
set -euo pipefail
CASE=s2geap
PETREL_GW=$1
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
need_ss_mschapv2
e2e_init strongswan
topology

pki_ca
pki_leaf gw-ec ecdsa serverAuth "C=XX, O=petrel e2e, CN=$GW_ID" "$GW_ID" "$GW"
ALICE_PW='petrel e2e: correct horse' BOB_PW='petrel e2e: battery staple'
(umask 077
 printf '%s\n' "$ALICE_PW" > "$WORK/alice.pw"
 printf '%s\n' "$BOB_PW" > "$WORK/bob.pw")

cat > "$WORK/gw.yaml" <<EOF
gateway:
  listen: $GW
  id: $GW_ID
  cert: $PKI/gw-ec.pem
  key: $PKI/gw-ec.key
  client_auth: eap-mschapv2
  eap_users:
    alice: $WORK/alice.pw
    bob: $WORK/bob.pw
  pool: 203.0.113.10-203.0.113.250
  dns: [203.0.113.53]
  subnets: [203.0.113.0/24]
  proposals: { ike: [chacha20poly1305-prfsha256-x25519], esp: [chacha20poly1305-x25519] }
  log_level: debug
EOF
gw_start "$PETREL_GW"
grep -q "as fqdn:$GW_ID (certificate), clients by EAP-MSCHAPv2 (2 users)" "$WORK/gw.log" \
	|| fail "petrel-gw does not say it runs EAP-MSCHAPv2 for 2 users: $(head -3 "$WORK/gw.log")"

ss_conf cli
cp "$PKI/ca.pem" "$WORK/cli/swanctl/x509ca/ca.pem"
conn() { # NAME EAP-ID
	cat <<-EOF
	    $1 {
	        remote_addrs = $GW
	        vips = 0.0.0.0
	        proposals = chacha20poly1305-prfsha256-x25519
	        local  { auth = eap-mschapv2
	                 eap_id = $2
	                 id = $2@eap.example }
	        remote { auth = pubkey
	                 id = $GW_ID }
	        children {
	            net {
	                remote_ts = 203.0.113.0/24
	                esp_proposals = chacha20poly1305-x25519
	            }
	        }
	    }
	EOF
}
cat > "$WORK/cli/swanctl/swanctl.conf" <<EOF
connections {
$(conn alice alice)
$(conn bob bob)
$(conn eve eve)
}
secrets {
    eap-alice { id = alice
                secret = "$ALICE_PW" }
    eap-bob { id = bob
              secret = "not $BOB_PW" }
    eap-eve { id = eve
              secret = "$ALICE_PW" }
}
EOF
ss_start cli "$NS_CLI"
sw cli "$NS_CLI" --load-all > "$WORK/load.log" 2>&1 || fail "swanctl --load-all: $(tail -5 "$WORK/load.log")"

log "alice: swanctl --initiate with EAP-MSCHAPv2"
sw cli "$NS_CLI" --initiate --ike alice --child net --timeout 15 > "$WORK/initiate-alice.log" 2>&1 \
	|| fail "alice: swanctl --initiate failed: $(tail -5 "$WORK/initiate-alice.log")"
gw_agree cli "$NS_CLI" alice alice
grep -q "authentication of '$GW_ID' with ECDSA_WITH_SHA256_DER successful" "$WORK/cli/charon.log" \
	|| fail "alice: strongSwan did not verify petrel-gw's certificate signature"
grep -q "EAP method EAP_MSCHAPV2 succeeded, MSK established" "$WORK/cli/charon.log" \
	|| fail "alice: strongSwan did not log EAP-MSCHAPv2 success with an MSK"
grep -q "authentication of '$GW_ID' with EAP successful" "$WORK/cli/charon.log" \
	|| fail "alice: strongSwan did not verify petrel-gw's AUTH made with the MSK"
grep -q "server requested EAP_IDENTITY (id 0x[0-9A-F]*), sending 'alice'" "$WORK/cli/charon.log" \
	|| fail "alice: petrel-gw did not ask for the EAP identity"
grep -q "EAP-MSCHAPv2 succeeded" "$WORK/gw.log" || fail "alice: petrel-gw did not log EAP-MSCHAPv2 success"

log "alice: swanctl --rekey --child net (petrel-gw answers the CREATE_CHILD_SA)"
OLD_OUT=$SS_IN OLD_I=$SS_SPI_I
sw cli "$NS_CLI" --rekey --child net > "$WORK/rekey-child.log" 2>&1 \
	|| fail "alice: swanctl --rekey --child failed: $(tail -3 "$WORK/rekey-child.log")"
gw_agree cli "$NS_CLI" alice "alice, Child SA rekeyed by strongSwan" "$OLD_OUT"
[ "$SS_IN" != "$OLD_OUT" ] || fail "alice: the Child SA SPIs did not change"
grep -q "ESP:CHACHA20_POLY1305/CURVE_25519" "$WORK/sas.txt" || fail "alice: the rekeyed Child SA has no PFS group"

log "alice: swanctl --rekey --ike alice (petrel-gw answers the IKE SA rekey)"
sw cli "$NS_CLI" --rekey --ike alice > "$WORK/rekey-ike.log" 2>&1 \
	|| fail "alice: swanctl --rekey --ike failed: $(tail -3 "$WORK/rekey-ike.log")"
for _ in $(seq 1 50); do
	sw cli "$NS_CLI" --list-sas --ike alice | grep -q "ESTABLISHED, IKEv2, ${OLD_I}_i" || break
	sleep 0.1
done
gw_agree cli "$NS_CLI" alice "alice, IKE SA rekeyed by strongSwan"
[ "$SS_SPI_I" != "$OLD_I" ] || fail "alice: the IKE SA SPIs did not change"

sw cli "$NS_CLI" --terminate --ike alice --timeout 10 > "$WORK/terminate.log" 2>&1 \
	|| fail "alice: swanctl --terminate failed: $(tail -3 "$WORK/terminate.log")"
wait_for "$WORK/gw.log" "${SS_SPI_I}_${SS_SPI_R}: IKE SA with .* deleted" 5 \
	|| fail "alice: petrel-gw did not see the delete of the rekeyed IKE SA"

n_fail=0
for who in bob eve; do
	log "$who: must be refused ($( [ $who = bob ] && echo "wrong password" || echo "not a user"))"
	rc=0
	sw cli "$NS_CLI" --initiate --ike $who --child net --timeout 15 > "$WORK/initiate-$who.log" 2>&1 || rc=$?
	[ $rc != 0 ] || fail "$who: swanctl --initiate succeeded"
	n_fail=$((n_fail + 1))
	[ "$(grep -c "received EAP_FAILURE, EAP authentication failed" "$WORK/cli/charon.log")" = $n_fail ] \
		|| fail "$who: strongSwan did not get petrel-gw's EAP Failure"
	if sw cli "$NS_CLI" --list-sas --ike $who | grep -q ESTABLISHED; then
		fail "$who: strongSwan lists an established SA"
	fi
done
grep -q "EAP identity of 3 octets is not one of the 2 eap_users" "$WORK/gw.log" \
	|| fail "eve: petrel-gw did not log the unknown identity"
[ "$(grep -c "IKE SA established with" "$WORK/gw.log")" = 1 ] || fail "petrel-gw established more than alice's SA"

log "PASS: strongSwan EAP-MSCHAPv2 initiator -> petrel-gw (certificate verified), SPIs agree, vip assigned, Child and IKE rekeys answered, wrong password and unknown user refused, in $(elapsed) s"
