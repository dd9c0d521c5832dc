#!/bin/bash
# tier (post-quantum interop): petrel's engine as the initiator
# (ike-initiator, built with OpenSSL 3.5 in the Debian 13 root by
# tier_debian13) against a strongSwan 6.1 gateway (OpenSSL 3.6, ML-KEM in its
# openssl plugin) from the Debian "forky" root of tools/debian-forky-root.sh,
# with a PSK, one case per key exchange:
#
#   classic     aes256gcm16-prfsha256-x25519              IKE_SA_INIT, IKE_AUTH
#   hybrid768   aes256gcm16-prfsha256-x25519-ke1_mlkem768  + IKE_INTERMEDIATE (RFC 9370)
#   pure768     aes256gcm16-prfsha256-mlkem768             ML-KEM-768 in IKE_SA_INIT
#   hybrid1024  aes256gcm16-prfsha256-x25519-ke1_mlkem1024 + IKE_INTERMEDIATE, fragmented
#
# The gateway is given exactly the case's proposal. Per case: the SA is
# established; the SPIs, algorithms (all key exchanges, e.g.
# CURVE_25519/KE1_ML_KEM_768 at strongSwan = CURVE25519+ML_KEM_768 at
# petrel), virtual IP and Child SA SPIs that ike-initiator reports are what
# `swanctl --list-sas` shows and what the case expects; ike-initiator deletes
# the SA and the gateway answers and forgets it. Each case prints PASS or
# FAIL with the time to establish and the size of every IKE datagram; a
# failure shows strongSwan's log of that case. All cases run; the exit is 1
# when one failed. PETREL_PQ_CASES="classic pure768" runs only those.
#
# The initiator is tier_debian13's build when it is of this checkout's
# sources, else this builds ike-initiator alone in the Debian 13 root.
# Both programs run chrooted, each inside the `ip netns exec` mount namespace
# of its network namespace, with /proc, /dev and this run's work directory
# (bound on <root>/petrel/work) mounted there only; the roots stay shared.
# swanctl runs through nsenter next to charon.
#
# Usage: pq_interop.sh SRCDIR   (root; exit 77 = skipped, with the reason)
set -euo pipefail
CASE=pqi
SRC=$(cd "${1:?usage: $0 SRCDIR}" && pwd)
TRIXIE=${PETREL_TRIXIE_ROOT:-/var/cache/petrel/trixie-root}
FORKY=${PETREL_FORKY_ROOT:-/var/cache/petrel/forky-ss-root}
INI=/petrel/build/tests/e2e/ike-initiator # inside the Debian 13 root
# shellcheck source=tests/e2e/lib.sh
. "$SRC/tests/e2e/lib.sh"
FAIL_GLOBS=("gw/charon.log") FAIL_LINES=60

[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, chroot)"
if [ ! -f "$FORKY/.petrel-ready" ] || [ ! -x "$FORKY/usr/lib/ipsec/charon" ]; then
	skip "no strongSwan 6.1 root at $FORKY (make it with tools/debian-forky-root.sh; it needs debootstrap and the Debian mirror)"
fi
[ -f "$TRIXIE/.petrel-ready" ] || skip "no Debian 13 root at $TRIXIE (make it with tools/debian13-root.sh; it needs the Debian mirror)"
[ -c /dev/net/tun ] || skip "no /dev/net/tun (strongSwan's kernel-libipsec needs it)"
command -v nsenter >/dev/null || skip "nsenter is not installed (util-linux)"

# The initiator must be of these sources: tier_debian13's build when its
# stamp (the same as tools/tier-debian13.sh's) is this checkout's, else our
# own build of just ike-initiator, in the root's /petrel/build-pq (kept
# between runs for the same sources; the sources change under a concurrent
# tier_debian13 run or an edit in between). PETREL_PQ_OWN_BUILD=1: always
# our own build.
stamp=$( { git -C "$SRC" rev-parse HEAD 2>/dev/null; git -C "$SRC" diff HEAD 2>/dev/null;
	   git -C "$SRC" status --porcelain 2>/dev/null; } | sha256sum | cut -c1-16)
if [ "${PETREL_PQ_OWN_BUILD:-0}" != 1 ] && [ -x "$TRIXIE$INI" ] && [ "$(cat "$TRIXIE/petrel/build/.petrel-stamp" 2>/dev/null)" = "$stamp" ]; then
	log "initiator: tier_debian13's build ($TRIXIE$INI)"
else
	INI=/petrel/build-pq/tests/e2e/ike-initiator
	bt=$(date +%s)
	[ "$(cat "$TRIXIE/petrel/build-pq/.petrel-stamp" 2>/dev/null)" = "$stamp" ] || rm -rf "$TRIXIE/petrel/build-pq"
	mkdir -p "$TRIXIE/petrel/src" "$TRIXIE/petrel/build-pq"
	echo "$stamp" > "$TRIXIE/petrel/build-pq/.petrel-stamp"
	blog=$(mktemp /tmp/petrel-pq-build.XXXXXX)
	if ! unshare -m --propagation private sh -c "
		mount --bind '$SRC' '$TRIXIE/petrel/src' && mount -o remount,bind,ro '$TRIXIE/petrel/src' &&
		mount -t proc proc '$TRIXIE/proc' && mount --rbind /dev '$TRIXIE/dev' &&
		chroot '$TRIXIE' /bin/sh -c 'cd /petrel &&
			cmake -S src -B build-pq -DPETREL_SANITIZE=ON -DPETREL_WERROR=ON -DPETREL_TIERS=OFF &&
			cmake --build build-pq -j2 --target ike-initiator'" > "$blog" 2>&1; then
		echo "pq_interop: building ike-initiator in the Debian 13 root failed:"
		grep -E 'error|Error' "$blog" | head -20
		tail -5 "$blog"; rm -f "$blog"
		exit 1
	fi
	rm -f "$blog"
	why="tier_debian13's build is not of these sources"
	[ "${PETREL_PQ_OWN_BUILD:-0}" != 1 ] || why="PETREL_PQ_OWN_BUILD=1"
	log "initiator: built in $TRIXIE/petrel/build-pq in $(( $(date +%s) - bt )) s ($why)"
fi
e2e_init none
topology
mkdir -p "$FORKY/petrel/work" "$TRIXIE/petrel/work" "$WORK/gw/swanctl/conf.d"
psk_file "$WORK/cli.psk"

# ---- strongSwan 6.1 in the gateway namespace; paths as charon sees them
SS_PID=
cat > "$WORK/gw/strongswan.conf" <<EOF
charon {
    load_modular = no
    load = random nonce openssl curve25519 aes sha1 sha2 hmac gcm chapoly kdf x509 pem pkcs1 pkcs8 pubkey constraints kernel-libipsec kernel-netlink socket-default vici attr
    install_routes = no
    retransmit_tries = 2
    retransmit_timeout = 1.0
    plugins { vici { socket = unix:///petrel/work/gw/charon.vici } }
    syslog { daemon { default = -1 } }
    filelog {
        main {
            path = /petrel/work/gw/charon.log
            time_format = %H:%M:%S
            append = no
            flush_line = yes
            default = 1
            ike = 2
            cfg = 2
            enc = 1
        }
    }
}
swanctl { socket = unix:///petrel/work/gw/charon.vici }
EOF
ip netns exec "$NS_GW" sh -c "mount --bind '$WORK' '$FORKY/petrel/work' && mount -t proc proc '$FORKY/proc' &&
	mount --rbind /dev '$FORKY/dev' && mount -t tmpfs -o size=4m tmpfs '$FORKY/run' &&
	exec timeout --foreground 600 chroot '$FORKY' env STRONGSWAN_CONF=/petrel/work/gw/strongswan.conf /usr/lib/ipsec/charon" \
	> "$WORK/gw/charon.out" 2>&1 &
SS_PID=$!
PIDS+=("$SS_PID")
for _ in $(seq 1 100); do
	[ -S "$WORK/gw/charon.vici" ] && break
	kill -0 "$SS_PID" 2>/dev/null || fail "charon (strongSwan 6.1) exited at startup: $(cat "$WORK/gw/charon.out")"
	sleep 0.1
done
[ -S "$WORK/gw/charon.vici" ] || fail "charon (strongSwan 6.1): no vici socket after 10 s"

# swanctl next to charon (lib.sh's ss_live and the checks below call it so)
sw() { # NAME NS swanctl-args...
	shift 2
	timeout 20 nsenter -t "$SS_PID" -m -n chroot "$FORKY" env STRONGSWAN_CONF=/petrel/work/gw/strongswan.conf \
		SWANCTL_DIR=/petrel/work/gw/swanctl swanctl "$@"
}
# strongSwan's names to petrel's: AES_GCM_16-256 -> AES_GCM_16_256,
# CURVE_25519 -> CURVE25519, /KE1_ML_KEM_768 -> +ML_KEM_768
ss_alg() { sed -E -e 's/AES_GCM_16-/AES_GCM_16_/g' -e 's/CURVE_25519/CURVE25519/g' -e 's#/KE[1-7]_#+#g'; }

sw gw "$NS_GW" --list-algs > "$WORK/algs.txt" 2>&1 || fail "swanctl --list-algs: $(cat "$WORK/algs.txt")"
ss_ver=$(sed -nE 's/.*\((strongSwan [0-9.]+),.*/\1/p' "$WORK/gw/charon.log" | head -1)
grep -q 'ML_KEM_768\[openssl\]' "$WORK/algs.txt" ||
	fail "$ss_ver in $FORKY lists no ML_KEM_768[openssl]: $(tr -s ' \n' ' ' < "$WORK/algs.txt")"
log "gateway: $ss_ver with $(chroot "$FORKY" openssl version | cut -d' ' -f1-2) from $FORKY;" \
	"initiator: $TRIXIE$INI with $(chroot "$TRIXIE" openssl version | cut -d' ' -f1-2)"

gw_load() { # IKE-PROPOSAL
	cat > "$WORK/gw/swanctl/swanctl.conf" <<-EOF
	connections {
	    rw {
	        local_addrs = $GW
	        pools = pool4
	        proposals = $1
	        local  { auth = psk
	                 id = $GW_ID }
	        remote { auth = psk
	                 id = $CLIENT_ID }
	        children {
	            net {
	                local_ts = 203.0.113.0/24
	                esp_proposals = aes256gcm16
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
	sw gw "$NS_GW" --load-all > "$WORK/load.txt" 2>&1 || fail "swanctl --load-all: $(cat "$WORK/load.txt")"
}

# The IKE datagrams of OUT per exchange, in the order the exchanges began:
# "IKE_SA_INIT >240 <256 IKE_INTERMEDIATE >1228 >86 <1153 ...": > sent, <
# received, each the length of the IKE message or fragment (no UDP header, no
# non-ESP marker). (ike-initiator prints a "recv" after handling it, so the
# lines themselves are not in wire order.)
sizes() { # OUT
	grep -E '"event":"(send|recv)"' "$1" | awk '
	{ d = ($0 ~ /"event":"send"/) ? ">" : "<"
	  match($0, /"exch":"[^"]*"/); ex = substr($0, RSTART + 8, RLENGTH - 9)
	  match($0, /"len":[0-9]+/); n = substr($0, RSTART + 6, RLENGTH - 6)
	  if (!(ex in seen)) { seen[ex] = 1; order[++k] = ex }
	  if (d == ">") out[ex] = out[ex] " >" n; else in_[ex] = in_[ex] " <" n
	  tot += n }
	END { for (i = 1; i <= k; i++) printf "%s%s%s%s", (i > 1 ? " " : ""), order[i], out[order[i]], in_[order[i]]
	      printf " (%d bytes)", tot }'
}

# One case: NAME IKE-PROPOSAL EXPECTED-ALGS (petrel's spelling). Sets WHY
# (empty when it passed) and prints the case's line.
RESULTS=() NFAIL=0
run_case() {
	local name=$1 prop=$2 want=$3 out=$WORK/ini-$1.log err=$WORK/ini-$1.err
	local from ini t0 t1 ms="-" pid rc live ike_line child_line gw_ike gw_esp gwhy sel
	WHY=""
	gw_load "$prop"
	from=$(( $(wc -l < "$WORK/gw/charon.log") + 1 ))
	log "$name: ike-initiator --ike $prop --esp aes256gcm16 (strongSwan: proposals = $prop)"
	t0=$(date +%s%N)
	ip netns exec "$NS_CLI" sh -c "mount --bind '$WORK' '$TRIXIE/petrel/work' && mount -t proc proc '$TRIXIE/proc' &&
		mount --rbind /dev '$TRIXIE/dev' &&
		exec timeout --foreground 40 chroot '$TRIXIE' $INI --gateway $GW --id $CLIENT_ID --remote-id $GW_ID \
			--psk-file /petrel/work/cli.psk --ike $prop --esp aes256gcm16 --timeout-ms 10000 \
			--hold-ms 30000 --delete --log-level debug" > "$out" 2> "$err" &
	ini=$!
	PIDS+=("$ini")
	while kill -0 "$ini" 2>/dev/null && ! grep -qE '"event":"(established|failed|timeout)"' "$out"; do
		sleep 0.02
	done
	t1=$(date +%s%N)
	if grep -q '"event":"established"' "$out"; then
		ms=$(( (t1 - t0) / 1000000 ))
		if ! ini_current "$out"; then
			WHY="established, but ike-initiator reported no Child SA"
		elif [ "$IKE_ALG" != "$want" ]; then
			WHY="petrel negotiated $IKE_ALG, the case wants $want"
		fi
		# strongSwan's view (retried: it installs the SAs as IKE_AUTH's response leaves)
		for _ in $(seq 1 25); do
			[ -z "$WHY" ] || break
			sw gw "$NS_GW" --list-sas > "$WORK/sas-$name.txt" 2>&1 || true
			live=$(ss_live "$WORK/sas-$name.txt")
			ike_line=$(grep -E "^ike $SPI_I $SPI_R " <<<"$live" || true)
			child_line=$(grep -E "^child $C_OUT $C_IN " <<<"$live" || true)
			gw_ike=$(awk '{print $4}' <<<"$ike_line" | ss_alg)
			gw_esp=$(awk '{print $4}' <<<"$child_line" | ss_alg)
			gwhy=""
			if [ -z "$ike_line" ]; then
				gwhy="strongSwan lists no established IKE SA ${SPI_I}_i ${SPI_R}_r"
			elif [ "$gw_ike" != "$IKE_ALG" ]; then
				gwhy="IKE algorithms differ: strongSwan $(awk '{print $4}' <<<"$ike_line"), petrel $IKE_ALG"
			elif [ -z "$child_line" ]; then
				gwhy="strongSwan lists no installed Child SA in $C_OUT / out $C_IN"
			elif [ "$gw_esp" != "$ESP_ALG" ]; then
				gwhy="ESP algorithms differ: strongSwan '$gw_esp', petrel '$ESP_ALG'"
			elif ! grep -qE " remote=$VIP$" <<<"$ike_line"; then
				gwhy="the virtual IP $VIP is not the one strongSwan assigned"
			fi
			[ -n "$gwhy" ] || break
			sleep 0.2
		done
		[ -n "$WHY" ] || WHY=$gwhy
		[ -n "$WHY" ] || log "$name: IKE ${SPI_I}/${SPI_R} $(awk '{print $4}' <<<"$ike_line") at strongSwan = $IKE_ALG at petrel, ESP in $C_IN out $C_OUT $ESP_ALG, vip $VIP: agree"
		# end the hold: ike-initiator deletes the SA and must get the answer
		pid=$(sed -nE 's/.*"event":"start","pid":([0-9]+).*/\1/p' "$out")
		[ -z "$pid" ] || kill -USR1 "$pid" 2>/dev/null || true
	fi
	rc=0; wait "$ini" || rc=$?
	if [ -z "$WHY" ] && [ "$ms" = "-" ]; then
		WHY="not established (exit $rc): $(grep -E '"event":"(failed|timeout)"' "$out" | tail -1)"
		grep -qE '^(warn|err)' "$err" && WHY="$WHY; stderr: $(grep -E '^(warn|err)' "$err" | tail -2 | tr '\n' ' ')"
	fi
	if [ -z "$WHY" ]; then
		if [ "$rc" != 0 ]; then
			WHY="ike-initiator exited with $rc: $(tail -2 "$out" | tr '\n' ' ')"
		elif ! grep -qE '^result .* established=1 deleted=1' "$out"; then
			WHY="no answered delete: $(tail -1 "$out")"
		elif sw gw "$NS_GW" --list-sas 2>/dev/null | grep -q "${SPI_I}_i"; then
			WHY="the gateway still lists IKE SA $SPI_I after the delete"
		fi
	fi
	tail -n +"$from" "$WORK/gw/charon.log" > "$WORK/charon-$name.log"
	if [ -z "$WHY" ]; then
		sel=$(sed -nE 's/.*selected proposal: (IKE:[^ ]+).*/\1/p' "$WORK/charon-$name.log" | head -1)
		RESULTS+=("PASS $name: $IKE_ALG, established in $ms ms; $(sizes "$out")")
		echo "PASS $name: $IKE_ALG (strongSwan: $sel), established in $ms ms (from ike-initiator's start in the chroot); $(sizes "$out")"
	else
		NFAIL=$((NFAIL + 1))
		RESULTS+=("FAIL $name ($prop): $WHY")
		echo "FAIL $name ($prop): $WHY"
		echo "  datagrams: $(sizes "$out")"
		echo "  ike-initiator (stderr, last lines):"
		grep -vE '^\s*$' "$err" | tail -8 | sed 's/^/    /'
		echo "  strongSwan 6.1 during this case:"
		grep -vE '\[(KNL|LIB|JOB)\]|\[CFG\] (added|loaded|updated|replaced|unloaded|vici client|no changes)' "$WORK/charon-$name.log" | tail -40 | sed 's/^/    /'
	fi
	return 0
}

CASES=${PETREL_PQ_CASES:-classic hybrid768 pure768 hybrid1024}
for c in $CASES; do
	case $c in
	classic)    run_case classic aes256gcm16-prfsha256-x25519 AES_GCM_16_256/PRF_HMAC_SHA2_256/CURVE25519 ;;
	hybrid768)  run_case hybrid768 aes256gcm16-prfsha256-x25519-ke1_mlkem768 AES_GCM_16_256/PRF_HMAC_SHA2_256/CURVE25519+ML_KEM_768 ;;
	pure768)    run_case pure768 aes256gcm16-prfsha256-mlkem768 AES_GCM_16_256/PRF_HMAC_SHA2_256/ML_KEM_768 ;;
	hybrid1024) run_case hybrid1024 aes256gcm16-prfsha256-x25519-ke1_mlkem1024 AES_GCM_16_256/PRF_HMAC_SHA2_256/CURVE25519+ML_KEM_1024 ;;
	*) fail "unknown case '$c' in PETREL_PQ_CASES" ;;
	esac
done
echo "---- summary ($ss_ver gateway, petrel's ike-initiator with OpenSSL 3.5)"
printf '%s\n' "${RESULTS[@]}"
n=$(wc -w <<<"$CASES")
if [ "$NFAIL" != 0 ]; then
	log "FAIL: $NFAIL of $n post-quantum interop cases failed, in $(elapsed) s"
	exit 1
fi
log "PASS: $n post-quantum interop cases against $ss_ver, in $(elapsed) s"
