#!/bin/bash
# e2e (g): strongSwan 5.9.8's initiator (swanctl --initiate) against
# petrel-gw with certificates both ways, from a PKI made for this run:
# petrel-gw has an RSA-3072 certificate (it signs RSASSA-PSS, RFC 7427) and
# client_auth cert with the run's CA (CERTREQ in its IKE_SA_INIT answer).
#   ecdsa: strongSwan with an ECDSA P-256 certificate,
#          aes256gcm16-prfsha256-x25519, ESP aes256gcm16;
#   rsa:   strongSwan with an RSA-3072 certificate signing RSASSA-PSS
#          (rsa_pss = yes), chacha20poly1305-prfsha256-ecp256, ESP
#          chacha20poly1305;
#   rogue: a client certificate from another CA is refused by petrel-gw.
# Each time both sides list the SA (ESTABLISHED/INSTALLED) with the same
# SPIs, strongSwan got a virtual IP, and swanctl --terminate reaches petrel-gw.
# Usage: ss_to_gw_cert.sh PETREL-GW IKE-INITIATOR   (root; exit 77 = skipped)
set -euo pipefail
CASE=s2gcert
PETREL_GW=$1
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
e2e_init strongswan
topology

pki_ca
pki_leaf gw-rsa rsa serverAuth "C=XX, O=petrel e2e, CN=$GW_ID" "$GW_ID" "$GW"
pki_leaf cli-ec ecdsa clientAuth "C=XX, O=petrel e2e, CN=ecdsa@client.example" ecdsa@client.example
pki_leaf cli-rsa rsa clientAuth "C=XX, O=petrel e2e, CN=rsa@client.example" rsa@client.example
# a client certificate from a CA petrel-gw does not trust
ROGUE_PKI=$PKI
PKI=$WORK/rogue-pki
mkdir -p "$PKI"
(umask 077; pki --gen --type ecdsa --size 256 --outform pem > "$PKI/ca.key") 2>> "$PKI/pki.log"
pki --self --ca --lifetime 2 --in "$PKI/ca.key" --type ecdsa --dn "C=XX, O=petrel e2e, CN=rogue CA" \
	--outform pem > "$PKI/ca.pem" 2>> "$PKI/pki.log"
pki_leaf cli-rogue ecdsa clientAuth "C=XX, O=petrel e2e, CN=rogue@client.example" rogue@client.example
cp "$PKI/cli-rogue.pem" "$PKI/cli-rogue.key" "$ROGUE_PKI/"
PKI=$ROGUE_PKI

cat > "$WORK/gw.yaml" <<EOF
gateway:
  listen: $GW
  id: $GW_ID
  cert: $PKI/gw-rsa.pem
  key: $PKI/gw-rsa.key
  client_auth: cert
  ca: $PKI/ca.pem
  pool: 203.0.113.10-203.0.113.250
  dns: [203.0.113.53]
  subnets: [203.0.113.0/24]
  proposals: { ike: [aes256gcm16-prfsha256-x25519, chacha20poly1305-prfsha256-ecp256], esp: [aes256gcm16, chacha20poly1305] }
  log_level: debug
EOF
# startup refuses a private key others may read, and a key that is not the
# certificate's, naming the file
gw_refused() { # WHAT YAML EXPECTED
	local rc=0
	timeout 10 ip netns exec "$NS_GW" "$PETREL_GW" --config "$2" > "$WORK/bad.log" 2>&1 || rc=$?
	[ $rc = 1 ] || fail "$1: petrel-gw exited with $rc, not 1: $(cat "$WORK/bad.log")"
	grep -qF "$3" "$WORK/bad.log" || fail "$1: petrel-gw did not say '$3': $(cat "$WORK/bad.log")"
}
chmod 644 "$PKI/gw-rsa.key"
gw_refused "key mode" "$WORK/gw.yaml" "key $PKI/gw-rsa.key: is readable or writable by group or others"
chmod 600 "$PKI/gw-rsa.key"
sed "s|key: $PKI/gw-rsa.key|key: $PKI/cli-ec.key|" "$WORK/gw.yaml" > "$WORK/gw-wrongkey.yaml"
gw_refused "wrong key" "$WORK/gw-wrongkey.yaml" "key $PKI/cli-ec.key does not belong to cert $PKI/gw-rsa.pem"
log "startup: a key others may read and a key of another certificate are refused"
gw_start "$PETREL_GW"
grep -q "as fqdn:$GW_ID (certificate), clients by certificates" "$WORK/gw.log" \
	|| fail "petrel-gw does not say it uses its certificate and client certificates: $(head -3 "$WORK/gw.log")"

ss_conf cli "rsa_pss = yes"
ss_creds cli cli-ec cli-rsa cli-rogue
conn() { # NAME LEAF ID IKE ESP
	cat <<-EOF
	    $1 {
	        remote_addrs = $GW
	        vips = 0.0.0.0
	        proposals = $4
	        local  { auth = pubkey
	                 certs = $2.pem
	                 id = $3 }
	        remote { auth = pubkey
	                 id = $GW_ID }
	        children {
	            net {
	                remote_ts = 203.0.113.0/24
	                esp_proposals = $5
	            }
	        }
	    }
	EOF
}
cat > "$WORK/cli/swanctl/swanctl.conf" <<EOF
connections {
$(conn ec cli-ec ecdsa@client.example aes256gcm16-prfsha256-x25519 aes256gcm16)
$(conn rsa cli-rsa rsa@client.example chacha20poly1305-prfsha256-ecp256 chacha20poly1305)
$(conn rogue cli-rogue rogue@client.example aes256gcm16-prfsha256-x25519 aes256gcm16)
}
EOF
ss_start cli "$NS_CLI"
sw cli "$NS_CLI" --load-all > "$WORK/load.log" 2>&1 || fail "swanctl --load-all: $(tail -5 "$WORK/load.log")"

run() { # CONN CLIENT-ID SS-SCHEME-OF-CLIENT WHAT
	local conn=$1 cid=$2 cs=$3 what=$4
	log "$what: swanctl --initiate --ike $conn ($cid)"
	sw cli "$NS_CLI" --initiate --ike "$conn" --child net --timeout 15 > "$WORK/initiate-$conn.log" 2>&1 \
		|| fail "$what: swanctl --initiate failed: $(tail -5 "$WORK/initiate-$conn.log")"
	gw_agree cli "$NS_CLI" "$conn" "$what"
	grep -qE "authentication of '$cid' \(myself\) with $cs successful" "$WORK/cli/charon.log" \
		|| fail "$what: strongSwan did not sign with $cs"
	grep -qE "authentication of '$GW_ID' with RSA_EMSA_PSS_SHA2_256(_SALT_32)? successful" "$WORK/cli/charon.log" \
		|| fail "$what: strongSwan did not verify petrel-gw's RSASSA-PSS signature"
	grep -q "received end entity cert \"C=XX, O=petrel e2e, CN=$GW_ID\"" "$WORK/cli/charon.log" \
		|| fail "$what: petrel-gw sent no certificate"
	sw cli "$NS_CLI" --terminate --ike "$conn" --timeout 10 > "$WORK/terminate-$conn.log" 2>&1 \
		|| fail "$what: swanctl --terminate failed: $(tail -5 "$WORK/terminate-$conn.log")"
	wait_for "$WORK/gw.log" "${SS_SPI_I}_${SS_SPI_R}: IKE SA with .* deleted" 5 \
		|| fail "$what: petrel-gw did not see the delete"
}

run ec ecdsa@client.example 'ECDSA_WITH_SHA256_DER' ecdsa
grep -q "received cert request for \"C=XX, O=petrel e2e, CN=petrel e2e CA $CASE\"" "$WORK/cli/charon.log" \
	|| fail "ecdsa: petrel-gw's CERTREQ did not name the CA"
run rsa rsa@client.example 'RSA_EMSA_PSS_SHA2_256(_SALT_32)?' rsa

log "rogue: a client certificate from another CA must be refused"
rc=0
sw cli "$NS_CLI" --initiate --ike rogue --child net --timeout 15 > "$WORK/initiate-rogue.log" 2>&1 || rc=$?
[ $rc != 0 ] || fail "rogue: swanctl --initiate succeeded"
grep -q "received AUTHENTICATION_FAILED notify error" "$WORK/cli/charon.log" \
	|| fail "rogue: strongSwan did not get AUTHENTICATION_FAILED"
grep -q "IKE_AUTH: the peer's certificate does not verify" "$WORK/gw.log" \
	|| fail "rogue: petrel-gw did not say the client's certificate does not verify"
if sw cli "$NS_CLI" --list-sas | grep -q ESTABLISHED; then
	fail "rogue: strongSwan lists an established SA"
fi

log "PASS: strongSwan initiator -> petrel-gw with certificates both ways (ECDSA and RSA-PSS clients, RSA-PSS gateway), SPIs agree, vip assigned, rogue CA refused, in $(elapsed) s"
