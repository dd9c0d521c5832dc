#!/bin/bash
# e2e (d): petrel's engine as the initiator (ike-initiator) against a
# strongSwan 5.9.8 gateway with certificates both ways (RFC 7427 signatures),
# from a PKI made for this run (an ECDSA P-256 CA):
#   ecdsa: client ECDSA P-256, gateway ECDSA P-256;
#          aes256gcm16-prfsha256-x25519, ESP aes256gcm16;
#   rsa:   client RSA-3072, gateway RSA-3072, both signing with RSASSA-PSS
#          (strongSwan with rsa_pss = yes); chacha20poly1305-prfsha256-ecp256,
#          ESP chacha20poly1305.
# Each time the SPIs, algorithms and virtual IP agree with swanctl
# --list-sas, strongSwan logs which signature scheme it verified, and
# ike-initiator's delete is answered. Then a CA that did not issue the
# gateway's certificate: petrel must refuse the gateway.
# Usage: engine_to_ss_cert.sh PETREL-GW IKE-INITIATOR   (root; exit 77 = skipped)
set -euo pipefail
CASE=e2scert
INITIATOR=$2
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
e2e_init strongswan
topology

pki_ca
pki_leaf gw-ec ecdsa serverAuth "C=XX, O=petrel e2e, CN=$GW_ID" "$GW_ID" "$GW"
pki_leaf gw-rsa rsa serverAuth "C=XX, O=petrel e2e, CN=$GW_ID" "$GW_ID" "$GW"
pki_leaf cli-ec ecdsa clientAuth "C=XX, O=petrel e2e, CN=ecdsa@client.example" ecdsa@client.example
pki_leaf cli-rsa rsa clientAuth "C=XX, O=petrel e2e, CN=rsa@client.example" rsa@client.example

# rsa_pss: strongSwan signs with RSASSA-PSS too (RFC 7427; its default is
# PKCS#1 v1.5), so petrel verifies PSS as well as makes it.
ss_conf gw "rsa_pss = yes"
ss_creds gw gw-ec gw-rsa
conn() { # NAME GW-LEAF CLIENT-ID
	cat <<-EOF
	    $1 {
	        local_addrs = $GW
	        pools = pool4
	        proposals = aes256gcm16-chacha20poly1305-prfsha256-x25519-ecp256
	        local  { auth = pubkey
	                 certs = $2.pem
	                 id = $GW_ID }
	        remote { auth = pubkey
	                 cacerts = ca.pem
	                 id = $3 }
	        children {
	            net {
	                local_ts = 203.0.113.0/24
	                esp_proposals = aes256gcm16, chacha20poly1305
	            }
	        }
	    }
	EOF
}
cat > "$WORK/gw/swanctl/swanctl.conf" <<EOF
connections {
$(conn ec gw-ec ecdsa@client.example)
$(conn rsa gw-rsa rsa@client.example)
$(conn dn gw-ec "\"C=XX, O=petrel e2e, CN=ecdsa@client.example\"" | sed "s/id = $GW_ID }/id = \"C=XX, O=petrel e2e, CN=$GW_ID\" }/")
}
pools {
    pool4 { addrs = 203.0.113.10-203.0.113.250
            dns = 203.0.113.53 }
}
EOF
ss_start gw "$NS_GW"
sw gw "$NS_GW" --load-all > "$WORK/load.log" 2>&1 || fail "swanctl --load-all: $(tail -5 "$WORK/load.log")"

run() { # WHAT LEAF CLIENT-ID IKE ESP SS-SCHEME-OF-CLIENT SS-SCHEME-OF-GW
	local what=$1 leaf=$2 cid=$3 ike=$4 esp=$5 cs=$6 gs=$7 out=$WORK/ini-$1.log ini ini_pid rc
	log "$what: ike-initiator with $leaf ($cid), $ike, ESP $esp"
	timeout 25 ip netns exec "$NS_CLI" "$INITIATOR" --gateway $GW --id "$cid" --remote-id $GW_ID \
		--cert "$PKI/$leaf.pem" --key "$PKI/$leaf.key" --ca "$PKI/ca.pem" --ike "$ike" --esp "$esp" \
		--timeout-ms 20000 --hold-ms 15000 --delete > "$out" 2> "$out.err" &
	ini=$!
	PIDS+=("$ini")
	wait_for "$out" '"event":"(established|failed|timeout)"' 10 || fail "$what: no outcome: $(tail -3 "$out")"
	grep -q '"event":"established"' "$out" || fail "$what: not established: $(tail -3 "$out") $(tail -3 "$out.err")"
	ss_agree gw "$NS_GW" "$out" "$what"
	grep -qE "authentication of '$cid' with $cs successful" "$WORK/gw/charon.log" \
		|| fail "$what: strongSwan did not log '$cid' verified with $cs"
	grep -qE "authentication of '$GW_ID' \(myself\) with $gs successful" "$WORK/gw/charon.log" \
		|| fail "$what: strongSwan did not sign with $gs"
	grep -q "sending end entity cert \"C=XX, O=petrel e2e, CN=$GW_ID\"" "$WORK/gw/charon.log" \
		|| fail "$what: strongSwan sent no certificate"
	log "$what: strongSwan verified petrel's signature ($(grep -oE "authentication of '$cid' with [A-Z0-9_]+" \
		"$WORK/gw/charon.log" | tail -1 | sed 's/.* with //')), petrel verified strongSwan's ($(grep -oE \
		"authentication of '$GW_ID' \(myself\) with [A-Z0-9_]+" "$WORK/gw/charon.log" | tail -1 | sed 's/.* with //'))"
	ini_pid=$(jfield "$(grep '"event":"start"' "$out")" pid)
	kill -USR1 "$ini_pid"
	rc=0; wait "$ini" || rc=$?
	[ $rc = 0 ] || fail "$what: ike-initiator exited with $rc: $(tail -3 "$out")"
	grep -qE '^result .* established=1 deleted=1' "$out" || fail "$what: bad result line: $(tail -1 "$out")"
	if sw gw "$NS_GW" --list-sas | grep -q "${SPI_I}_i"; then
		fail "$what: strongSwan still lists IKE SA $SPI_I after the delete"
	fi
}

run ecdsa cli-ec ecdsa@client.example aes256gcm16-prfsha256-x25519 aes256gcm16 \
	'ECDSA_WITH_SHA256_DER' 'ECDSA_WITH_SHA(256|384|512)_DER'
run rsa cli-rsa rsa@client.example chacha20poly1305-prfsha256-ecp256 chacha20poly1305 \
	'RSA_EMSA_PSS_SHA2_256(_SALT_32)?' 'RSA_EMSA_PSS_SHA2_(256|384|512)(_SALT_[0-9]+)?'

# ---- identities as Distinguished Names (ID_DER_ASN1_DN) both ways. petrel
# sends its remote id as IDr, which strongSwan compares as written, so it is
# given exactly; canonical matching (case, spacing) is unit_gw's.
CID_DN="C=XX, O=petrel e2e, CN=ecdsa@client.example" GW_DN="C=XX, O=petrel e2e, CN=$GW_ID"
out=$WORK/ini-dn.log
rc=0
timeout 25 ip netns exec "$NS_CLI" "$INITIATOR" --gateway $GW --id "$CID_DN" --remote-id "C=XX,O=petrel e2e,  CN=$GW_ID" \
	--cert "$PKI/cli-ec.pem" --key "$PKI/cli-ec.key" --ca "$PKI/ca.pem" --ike aes256gcm16-prfsha256-x25519 \
	--esp aes256gcm16 --timeout-ms 20000 --hold-ms 1 > "$out" 2> "$out.err" || rc=$?
grep -q '"event":"established"' "$out" || fail "dn: not established (rc $rc): $(tail -3 "$out") $(tail -3 "$out.err")"
grep -qF "authentication of '$CID_DN' with ECDSA" "$WORK/gw/charon.log" \
	|| fail "dn: strongSwan did not verify petrel as '$CID_DN'"
grep -qF "authentication of '$GW_DN' (myself)" "$WORK/gw/charon.log" \
	|| fail "dn: strongSwan did not authenticate as '$GW_DN'"
log "dn: IDi and IDr as DNs both ways ('$CID_DN' / '$GW_DN'), written with other spacing in petrel's configuration"

# ---- a CA that did not issue the gateway's certificate: refused by petrel
log "wrong CA: the gateway's certificate must not verify"
mkdir -p "$WORK/other"
(umask 077; pki --gen --type ecdsa --size 256 --outform pem > "$WORK/other/ca.key") 2>> "$PKI/pki.log"
pki --self --ca --lifetime 2 --in "$WORK/other/ca.key" --type ecdsa --dn "C=XX, O=petrel e2e, CN=other CA" \
	--outform pem > "$WORK/other/ca.pem" 2>> "$PKI/pki.log"
rc=0
timeout 15 ip netns exec "$NS_CLI" "$INITIATOR" --gateway $GW --id ecdsa@client.example --remote-id $GW_ID \
	--cert "$PKI/cli-ec.pem" --key "$PKI/cli-ec.key" --ca "$WORK/other/ca.pem" \
	--ike aes256gcm16-prfsha256-x25519 --esp aes256gcm16 --timeout-ms 10000 \
	> "$WORK/ini-wrongca.log" 2> "$WORK/ini-wrongca.log.err" || rc=$?
[ $rc = 1 ] || fail "wrong CA: ike-initiator exited with $rc, not 1"
grep -q '"event":"established"' "$WORK/ini-wrongca.log" && fail "wrong CA: established anyway"
grep -q '"event":"failed"' "$WORK/ini-wrongca.log" \
	|| fail "wrong CA: no failed event: $(tail -3 "$WORK/ini-wrongca.log")"
grep -q "certificate does not verify" "$WORK/ini-wrongca.log.err" \
	|| fail "wrong CA: petrel did not say the certificate does not verify: $(tail -3 "$WORK/ini-wrongca.log.err")"
log "wrong CA: refused ($(jfield "$(grep '"event":"failed"' "$WORK/ini-wrongca.log")" error))"

log "PASS: ike-initiator -> strongSwan gateway with certificates (ECDSA, RSA-PSS) both ways, SPIs/algorithms/vip agree, deletes answered, wrong CA refused, in $(elapsed) s"
