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
# failure shows strongSwan's log of that case.
#
# Then, with x25519+ML-KEM-768 for the IKE SA and ESP
# aes256gcm16-x25519-ke1_mlkem768 (PFS) on both sides, rekeys with
# IKE_FOLLOWUP_KE (RFC 9370 2.2.4: CREATE_CHILD_SA with KE(x25519), then
# IKE_FOLLOWUP_KE with KE(ML-KEM-768)):
#
#   rekey_petrel  ike-initiator rekeys the Child SA, then the IKE SA
#   rekey_ss      swanctl --rekey --child net, then --rekey --ike rw
#
# After each rekey the SAs ike-initiator reports are the live ones at
# strongSwan and the replaced SPIs are gone (lib.sh's ss_agree); the new
# Child SA has CURVE25519+ML_KEM_768; strongSwan's log shows both
# IKE_FOLLOWUP_KE exchanges (printed with the PASS line); ike-initiator
# deletes the SA at the end. The times are from the rekey's start (petrel's
# rekey_start line, or swanctl's start) to petrel's report of the new SA.
#
#   tunnel        petreld with a profile of proposals { ike: [x25519 +
#                 ML-KEM-768], esp: [aes256gcm16] } against strongSwan's
#                 kernel-libipsec (ipsec0 routes 203.0.113.0/24): petrel up;
#                 petrel status --json shows "ike_sa" ...CURVE25519+ML_KEM_768
#                 and strongSwan CURVE_25519/KE1_ML_KEM_768 with the virtual
#                 IP; ping 203.0.113.1 from the client and the virtual IP
#                 from the gateway; petrel down: strongSwan deletes the SA and
#                 resolv.conf is restored; petreld ends cleanly (sanitizers).
#
# All cases run; the exit is 1 when one failed. PETREL_PQ_CASES="classic
# pure768" runs only those.
#
# ike-initiator, petreld and petrel are tier_debian13's build when it is of
# this checkout's sources, else this builds those three in the Debian 13
# root. All programs run chrooted, each inside the `ip netns exec` mount
# namespace of its network namespace, with /proc, /dev and this run's work
# directory (bound on <root>/petrel/work) mounted there only; the roots stay
# shared. petreld also gets a tmpfs on <root>/run and the run's resolv.conf
# bound on <root>/etc/resolv.conf there. swanctl runs through nsenter next
# to charon, the petrel CLI next to petreld.
#
# Usage: pq_interop.sh SRCDIR   (root; exit 77 = skipped, with the reason)
set -euo pipefail
CASE=pqi
SRC=$(cd "${1:?usage: $0 SRCDIR}" && pwd)
TRIXIE=${PETREL_TRIXIE_ROOT:-/var/cache/petrel/trixie-root}
FORKY=${PETREL_FORKY_ROOT:-/var/cache/petrel/forky-ss-root}
BLD=/petrel/build # inside the Debian 13 root: tier_debian13's build, or ours below
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
have_bins() { # BUILD-DIR: ike-initiator, petreld and petrel are there
	[ -x "$TRIXIE$1/tests/e2e/ike-initiator" ] && [ -x "$TRIXIE$1/src/daemon/petreld" ] && [ -x "$TRIXIE$1/cli/petrel" ]
}
if [ "${PETREL_PQ_OWN_BUILD:-0}" != 1 ] && have_bins "$BLD" && [ "$(cat "$TRIXIE$BLD/.petrel-stamp" 2>/dev/null)" = "$stamp" ]; then
	log "initiator, petreld, petrel: tier_debian13's build ($TRIXIE$BLD)"
else
	BLD=/petrel/build-pq
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
			cmake --build build-pq -j2 --target ike-initiator petreld petrel'" > "$blog" 2>&1; then
		echo "pq_interop: building ike-initiator, petreld and petrel in the Debian 13 root failed:"
		grep -E 'error|Error' "$blog" | head -20
		tail -5 "$blog"; rm -f "$blog"
		exit 1
	fi
	rm -f "$blog"
	why="tier_debian13's build is not of these sources"
	[ "${PETREL_PQ_OWN_BUILD:-0}" != 1 ] || why="PETREL_PQ_OWN_BUILD=1"
	log "initiator, petreld, petrel: built in $TRIXIE$BLD in $(( $(date +%s) - bt )) s ($why)"
fi
INI=$BLD/tests/e2e/ike-initiator PETRELD=$BLD/src/daemon/petreld PETREL=$BLD/cli/petrel
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

gw_load() { # IKE-PROPOSAL [ESP-PROPOSAL, default aes256gcm16]
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
	                esp_proposals = ${2:-aes256gcm16}
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

# ---- rekeys with IKE_FOLLOWUP_KE (RFC 9370 2.2.4), hybrid x25519+ML-KEM-768
HYB=aes256gcm16-prfsha256-x25519-ke1_mlkem768
HYB_ALG=AES_GCM_16_256/PRF_HMAC_SHA2_256/CURVE25519+ML_KEM_768
ESP_PFS=aes256gcm16-x25519-ke1_mlkem768

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
now_us() { echo "${EPOCHREALTIME/./}"; }

# Each line of stdin to FILE, and to FILE.ts after the time it arrived (µs).
stamp_lines() { # FILE
	local l
	while IFS= read -r l; do
		printf '%s\n' "$l" >> "$1"
		printf '%s %s\n' "$(now_us)" "$l" >> "$1.ts"
	done
}
# The arrival time (µs) of the Nth line of OUT matching REGEX.
ts_of() { # OUT REGEX N
	grep -E "^[0-9]+ .*$2" "$1.ts" | sed -n "$3{s/ .*//p;q}"
}
ms_between() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) / 1000 }'; } # US0 US1

# ike-initiator chrooted in the client namespace, in the background, its
# stdout in OUT (and timed in OUT.ts) and stderr in OUT's .err; sets
# INI_PID (ip netns exec's, then timeout(1)'s).
ini_start() { # OUT ARGS...
	local out=$1
	shift
	: > "$out"; : > "$out.ts"
	ip netns exec "$NS_CLI" sh -c "mount --bind '$WORK' '$TRIXIE/petrel/work' && mount -t proc proc '$TRIXIE/proc' &&
		mount --rbind /dev '$TRIXIE/dev' &&
		exec timeout --foreground 60 chroot '$TRIXIE' $INI $*" > >(stamp_lines "$out") 2> "${out%.log}.err" &
	INI_PID=$!
	PIDS+=("$INI_PID")
}

# Wait (polling every 20 ms, at most SECONDS) until OUT has N lines matching
# REGEX; 1 at once when ike-initiator reported the SA failed, timed out or
# deleted, or exited.
wait_ev() { # OUT REGEX N SECONDS
	local end=$(( $(now_ms) + $4 * 1000 )) n
	while [ "$(now_ms)" -lt "$end" ]; do
		n=$(grep -cE "$2" "$1" 2>/dev/null) || true
		[ "${n:-0}" -ge "$3" ] && return 0
		grep -qE '"event":"(failed|timeout|deleted)"' "$1" && return 1
		kill -0 "$INI_PID" 2>/dev/null || return 1
		sleep 0.02
	done
	return 1
}
last_ev() { grep -E '"event":"(failed|timeout|deleted|rekey_start)"|^result ' "$1" | tail -2 | tr '\n' ' '; }

# lib.sh's ss_agree (the SAs ike-initiator reports in OUT are the live ones
# at strongSwan, the GONE SPIs are not), without failing the whole run: sets
# WHY and returns 1 when they do not agree within 5 s; else sets SPI_I SPI_R
# IKE_ALG C_IN C_OUT ESP_ALG VIP as ini_current does.
agree() { # OUT WHAT [GONE-SPI...]
	local out=$1 what=$2
	shift 2
	if ! ( FAIL_GLOBS=(); ss_agree gw "$NS_GW" "$out" "$what" "$@" ) 2> "$WORK/agree.txt"; then
		WHY=$(sed -n '/FAIL: /,$p' "$WORK/agree.txt" | sed -e '1s/.*FAIL: //' -e '/^---- /,$d')
		return 1
	fi
	cat "$WORK/agree.txt" >&2
	ini_current "$out"
}

# One rekey case: WHO (petrel|strongswan) rekeys the Child SA (PFS with
# x25519 + ML-KEM-768), then the IKE SA; after each the SPIs agree. Sets
# WHY, MS_CHILD and MS_IKE: from the start of the rekey (petrel's: its
# rekey_start line; strongSwan's: swanctl --rekey's start, so with
# swanctl's own start-up) to petrel's report of the new SA.
rekey_steps() { # NAME WHO OUT
	local name=$1 who=$2 out=$3 t0 i0 r0 c_in c_out
	wait_ev "$out" '"event":"established"' 1 15 || { WHY="not established: $(last_ev "$out")"; return 1; }
	agree "$out" "$name: established" || return 1
	[ "$IKE_ALG" = "$HYB_ALG" ] || { WHY="petrel negotiated $IKE_ALG, the case wants $HYB_ALG"; return 1; }
	i0=$SPI_I r0=$SPI_R c_in=$C_IN c_out=$C_OUT

	# the Child SA: CREATE_CHILD_SA with N(REKEY_SA) and KE(x25519), then IKE_FOLLOWUP_KE with KE(ML-KEM-768)
	if [ "$who" = petrel ]; then
		wait_ev "$out" '"event":"rekey_start","what":"child"' 1 5 || { WHY="petrel started no Child SA rekey: $(last_ev "$out")"; return 1; }
		t0=$(ts_of "$out" '"event":"rekey_start","what":"child"' 1)
		grep -qE '"event":"rekey_start","what":"child".*"rc":0' "$out" || { WHY="petrel's Child SA rekey did not start: $(last_ev "$out")"; return 1; }
	else
		t0=$(now_us)
		sw gw "$NS_GW" --rekey --child net > "$WORK/rekey-child-$name.txt" 2>&1 \
			|| { WHY="swanctl --rekey --child net failed: $(tail -3 "$WORK/rekey-child-$name.txt" | tr '\n' ' ')"; return 1; }
	fi
	wait_ev "$out" '"event":"child_up".*"rekey":1' 1 10 || { WHY="Child SA rekey: petrel reported no new Child SA within 10 s: $(last_ev "$out")"; return 1; }
	MS_CHILD=$(ms_between "$t0" "$(ts_of "$out" '"event":"child_up".*"rekey":1' 1)")
	agree "$out" "$name: Child SA rekey" "$c_in" "$c_out" || { WHY="Child SA rekey: $WHY"; return 1; }
	[ "$C_IN" != "$c_in" ] || { WHY="Child SA rekey: the SPIs did not change ($c_in)"; return 1; }
	case $ESP_ALG in
	*/CURVE25519+ML_KEM_768) ;;
	*) WHY="Child SA rekey: ESP $ESP_ALG, no PFS with x25519+ML-KEM-768"; return 1 ;;
	esac
	wait_ev "$out" '"event":"child_down","spi_in":"'"$c_in"'"' 1 5 \
		|| { WHY="Child SA rekey: petrel did not remove the old pair in $c_in out $c_out"; return 1; }
	c_in=$C_IN c_out=$C_OUT

	# the IKE SA: CREATE_CHILD_SA with SA and KE(x25519), then IKE_FOLLOWUP_KE with KE(ML-KEM-768)
	if [ "$who" = petrel ]; then
		wait_ev "$out" '"event":"rekey_start","what":"ike"' 1 8 || { WHY="petrel started no IKE SA rekey: $(last_ev "$out")"; return 1; }
		t0=$(ts_of "$out" '"event":"rekey_start","what":"ike"' 1)
		grep -qE '"event":"rekey_start","what":"ike".*"rc":0' "$out" || { WHY="petrel's IKE SA rekey did not start: $(last_ev "$out")"; return 1; }
	else
		t0=$(now_us)
		sw gw "$NS_GW" --rekey --ike rw > "$WORK/rekey-ike-$name.txt" 2>&1 \
			|| { WHY="swanctl --rekey --ike rw failed: $(tail -3 "$WORK/rekey-ike-$name.txt" | tr '\n' ' ')"; return 1; }
	fi
	wait_ev "$out" '"event":"rekeyed"' 1 10 || { WHY="IKE SA rekey: petrel reported no new IKE SA within 10 s: $(last_ev "$out")"; return 1; }
	MS_IKE=$(ms_between "$t0" "$(ts_of "$out" '"event":"rekeyed"' 1)")
	agree "$out" "$name: IKE SA rekey" "$i0" "$r0" || { WHY="IKE SA rekey: $WHY"; return 1; }
	[ "$SPI_I" != "$i0" ] || { WHY="IKE SA rekey: the SPIs did not change ($i0)"; return 1; }
	[ "$IKE_ALG" = "$HYB_ALG" ] || { WHY="IKE SA rekey: the new IKE SA has $IKE_ALG, not $HYB_ALG"; return 1; }
	[ "$C_IN" = "$c_in" ] || { WHY="IKE SA rekey: the Child SA changed ($c_in -> $C_IN)"; return 1; }
	return 0
}

run_rekey() { # NAME WHO
	local name=$1 who=$2 out=$WORK/ini-$1.log from pid rc args peer ev ev2 n_req n_resp n_ini
	WHY="" MS_CHILD=- MS_IKE=-
	gw_load "$HYB" "$ESP_PFS"
	from=$(( $(wc -l < "$WORK/gw/charon.log") + 1 ))
	args="--gateway $GW --id $CLIENT_ID --remote-id $GW_ID --psk-file /petrel/work/cli.psk --ike $HYB --esp $ESP_PFS"
	args="$args --timeout-ms 50000 --hold-ms 45000 --delete --log-level debug"
	if [ "$who" = petrel ]; then
		args="$args --rekey-child-after-ms 1500 --rekey-ike-after-ms 4500" peer=0
		log "$name: ike-initiator --ike $HYB --esp $ESP_PFS, rekeys its Child SA at 1.5 s and its IKE SA at 4.5 s"
	else
		args="$args --expect-rekey" peer=2
		log "$name: ike-initiator --ike $HYB --esp $ESP_PFS; swanctl --rekey --child net, then --rekey --ike rw"
	fi
	ini_start "$out" "$args"
	rekey_steps "$name" "$who" "$out" || true
	# end the hold: ike-initiator deletes the SA and must get the answer
	pid=$(sed -nE 's/.*"event":"start","pid":([0-9]+).*/\1/p' "$out")
	[ -z "$pid" ] || kill -USR1 "$pid" 2>/dev/null || true
	rc=0; wait "$INI_PID" || rc=$?
	for _ in $(seq 1 50); do grep -q '^result ' "$out" && break; sleep 0.02; done # the last lines through stamp_lines
	if [ -z "$WHY" ]; then
		if [ "$rc" != 0 ]; then
			WHY="ike-initiator exited with $rc: $(tail -2 "$out" | tr '\n' ' ')"
		elif ! grep -qE "^result spi_i=$SPI_I spi_r=$SPI_R .* established=1 deleted=1 child_rekeys=1 ike_rekeys=1 peer_rekeys=$peer( |$)" "$out"; then
			WHY="bad result line (wants the current SPIs, deleted=1 child_rekeys=1 ike_rekeys=1 peer_rekeys=$peer): $(tail -1 "$out")"
		elif sw gw "$NS_GW" --list-sas 2>/dev/null | grep -q "${SPI_I}_i"; then
			WHY="the gateway still lists IKE SA $SPI_I after the delete"
		fi
	fi
	tail -n +"$from" "$WORK/gw/charon.log" > "$WORK/charon-$name.log"
	# strongSwan's side of the two IKE_FOLLOWUP_KE exchanges, whole messages
	# (not the EF fragments): it parsed the requests and answered (petrel's
	# rekeys) or sent them and parsed the answers (its own)
	grep -E '\[ENC\] (generating|parsed) (CREATE_CHILD_SA|IKE_FOLLOWUP_KE) ' "$WORK/charon-$name.log" > "$WORK/followup-$name.txt" || true
	if [ "$who" = petrel ]; then
		ev="parsed IKE_FOLLOWUP_KE request" ev2="generating IKE_FOLLOWUP_KE response"
	else
		ev="generating IKE_FOLLOWUP_KE request" ev2="parsed IKE_FOLLOWUP_KE response"
	fi
	n_req=$(grep -v 'EF(' "$WORK/followup-$name.txt" | grep -c "$ev") || true
	n_resp=$(grep -v 'EF(' "$WORK/followup-$name.txt" | grep -c "$ev2") || true
	n_ini=$(grep -cE '"event":"(send|recv)","exch":"IKE_FOLLOWUP_KE"' "$out") || true
	if [ -z "$WHY" ] && { [ "${n_req:-0}" != 2 ] || [ "${n_resp:-0}" != 2 ]; }; then
		WHY="strongSwan logged ${n_req:-0} '$ev' and ${n_resp:-0} '$ev2' (wants 2 each: the Child SA's and the IKE SA's)"
	fi
	if [ -z "$WHY" ]; then
		RESULTS+=("PASS $name: Child SA rekey $MS_CHILD ms, IKE SA rekey $MS_IKE ms, 2 IKE_FOLLOWUP_KE exchanges at strongSwan")
		echo "PASS $name: $who rekeyed the Child SA ($ESP_ALG) in $MS_CHILD ms and the IKE SA ($IKE_ALG) in $MS_IKE ms;" \
			"SPIs agree after each; 2 IKE_FOLLOWUP_KE exchanges ($n_ini datagrams at ike-initiator); $(sizes "$out")"
		echo "  strongSwan 6.1's log of the rekeys:"
		sed 's/^/    /' "$WORK/followup-$name.txt"
	else
		NFAIL=$((NFAIL + 1))
		RESULTS+=("FAIL $name: $WHY")
		echo "FAIL $name ($who rekeys, IKE $HYB, ESP $ESP_PFS): $WHY"
		echo "  datagrams: $(sizes "$out")"
		echo "  ike-initiator (events, last lines):"
		grep -vE '"event":"(send|recv)"' "$out" | tail -8 | sed 's/^/    /'
		echo "  ike-initiator (stderr, last lines):"
		grep -vE '^\s*$' "$WORK/ini-$name.err" | tail -8 | sed 's/^/    /'
		echo "  strongSwan 6.1 during this case:"
		grep -vE '\[(KNL|LIB|JOB)\]|\[CFG\] (added|loaded|updated|replaced|unloaded|vici client|no changes)' "$WORK/charon-$name.log" | tail -40 | sed 's/^/    /'
	fi
	return 0
}

# ---- traffic through petreld (Debian 13 build) and strongSwan 6.1's
# kernel-libipsec TUN (ipsec0) over a hybrid IKE SA. petreld runs chrooted in
# the client namespace's `ip netns exec` mount namespace, with a tmpfs on
# the root's /run and this run's resolv.conf bound on the root's
# /etc/resolv.conf (petreld writes it in place there); the petrel CLI runs
# chrooted in petreld's namespaces (nsenter).
PETRELD_PID=
pc() { # petrel CLI ARGS...
	timeout 40 nsenter -t "$PETRELD_PID" -m -n chroot "$TRIXIE" $PETREL --socket /petrel/work/control.sock "$@"
}
ping_from() { # NS DST: sets PING (the summary) and returns 1 unless all 3 came back
	local out
	out=$(timeout 15 ip netns exec "$1" ping -n -c 3 -i 0.2 -W 2 "$2" 2>&1) || true
	PING=$(grep -E 'packets transmitted|^rtt' <<<"$out" | tr '\n' ' ')
	grep -q " 3 received, 0% packet loss" <<<"$out"
}

tunnel_steps() { # NAME
	local name=$1 t0 st i out live ike_line
	mkdir -p "$WORK/etc/profiles.d"
	psk_file "$WORK/etc/client.psk"
	cat > "$WORK/etc/profiles.d/pq.yaml" <<-EOF
	pq:
	  gateway: $GW
	  remote_id: $GW_ID
	  local_id: $CLIENT_ID
	  auth: { method: psk, psk_file: /petrel/work/etc/client.psk }
	  proposals: { ike: [$HYB], esp: [aes256gcm16] }
	  routes: full
	  dns: auto
	  kill_switch: false
	EOF
	printf 'nameserver 192.0.2.1\nsearch lab.example\n' > "$WORK/resolv.conf"
	chmod 644 "$WORK/resolv.conf"
	cp "$WORK/resolv.conf" "$WORK/resolv.conf.before"
	# strongSwan's inside: what leaves through ipsec0 is looked up in its SAs
	for _ in $(seq 1 30); do ip -n "$NS_GW" link show ipsec0 >/dev/null 2>&1 && break; sleep 0.1; done
	ip -n "$NS_GW" link set ipsec0 up 2>/dev/null || { WHY="strongSwan's kernel-libipsec made no ipsec0 TUN"; return 1; }
	ip -n "$NS_GW" route replace 203.0.113.0/24 dev ipsec0 src 203.0.113.1

	ip netns exec "$NS_CLI" sh -c "mount --bind '$WORK' '$TRIXIE/petrel/work' && mount -t proc proc '$TRIXIE/proc' &&
		mount --rbind /dev '$TRIXIE/dev' && mount -t tmpfs -o size=4m tmpfs '$TRIXIE/run' &&
		mount --bind '$WORK/resolv.conf' '$TRIXIE/etc/resolv.conf' &&
		exec timeout --foreground 120 chroot '$TRIXIE' $PETRELD --config /petrel/work/etc --socket /petrel/work/control.sock" \
		> "$WORK/petreld.log" 2>&1 &
	PETRELD_PID=$!
	PIDS+=("$PETRELD_PID")
	for _ in $(seq 1 50); do
		[ -S "$WORK/control.sock" ] && break
		kill -0 "$PETRELD_PID" 2>/dev/null || { WHY="petreld exited at startup"; return 1; }
		sleep 0.1
	done
	[ -S "$WORK/control.sock" ] || { WHY="petreld: no control socket after 5 s"; return 1; }

	log "$name: petrel up pq (proposals: { ike: [$HYB], esp: [aes256gcm16] })"
	t0=$(now_ms)
	out=$(pc up pq 2>&1) || { WHY="petrel up: $out"; return 1; }
	MS_UP=$(( $(now_ms) - t0 ))
	st=$(pc status --json 2>&1) || { WHY="petrel status --json: $st"; return 1; }
	# (one profile, pq: the whole answer is its object)
	grep -qF '"state":"connected"' <<<"$st" || { WHY="not connected: $st"; return 1; }
	grep -qF "\"ike_sa\":\"$HYB_ALG\"" <<<"$st" || { WHY="petrel status shows no \"ike_sa\":\"$HYB_ALG\": $st"; return 1; }
	VIP=$(sed -nE 's/.*"vips":\["([0-9.]+)".*/\1/p' <<<"$st")
	case $VIP in 203.0.113.*) ;; *) WHY="virtual IP '$VIP' is not from the pool: $st"; return 1 ;; esac
	STATUS_IKE=$(grep -oE '"ike_sa":"[^"]*"' <<<"$st")
	# strongSwan: the same IKE algorithms, the virtual IP, an installed Child SA
	for i in $(seq 1 25); do
		WHY=""
		sw gw "$NS_GW" --list-sas > "$WORK/sas-$name.txt" 2>&1 || true
		live=$(ss_live "$WORK/sas-$name.txt")
		ike_line=$(grep -E "^ike .* remote=$VIP$" <<<"$live" || true)
		if [ -z "$ike_line" ]; then
			WHY="strongSwan lists no established IKE SA with the virtual IP $VIP"
		elif [ "$(awk '{print $4}' <<<"$ike_line" | ss_alg)" != "$HYB_ALG" ]; then
			WHY="strongSwan's IKE SA has $(awk '{print $4}' <<<"$ike_line"), petrel's $HYB_ALG"
		elif ! grep -qE '^child .* AES_GCM_16-256$' <<<"$live"; then
			WHY="strongSwan lists no installed Child SA with AES_GCM_16-256"
		fi
		[ -n "$WHY" ] || break
		sleep 0.2
	done
	[ -z "$WHY" ] || { WHY="$WHY: $(cat "$WORK/sas-$name.txt")"; return 1; }
	GW_IKE=$(awk '{print $4}' <<<"$ike_line")
	grep -q '^nameserver 203.0.113.53$' "$WORK/resolv.conf" \
		|| { WHY="the gateway's DNS server is not in the client's resolv.conf: $(tr '\n' ' ' < "$WORK/resolv.conf")"; return 1; }
	log "$name: up in $MS_UP ms, vip $VIP, petrel $STATUS_IKE, strongSwan $GW_IKE"

	ping_from "$NS_CLI" 203.0.113.1 || { WHY="ping 203.0.113.1 from the client through the tunnel: $PING"; return 1; }
	PING_OUT=$PING
	ping_from "$NS_GW" "$VIP" || { WHY="ping $VIP from the gateway through the tunnel: $PING"; return 1; }
	PING_IN=$PING
	st=$(pc status --json 2>&1) || true
	BYTES="in $(sed -nE 's/.*"bytes_in":([0-9]+).*/\1/p' <<<"$st") out $(sed -nE 's/.*"bytes_out":([0-9]+).*/\1/p' <<<"$st")"

	t0=$(now_ms)
	out=$(pc down pq 2>&1) || { WHY="petrel down: $out"; return 1; }
	MS_DOWN=$(( $(now_ms) - t0 ))
	for _ in $(seq 1 30); do
		sw gw "$NS_GW" --list-sas 2>/dev/null | grep -q ESTABLISHED || break
		sleep 0.1
	done
	! sw gw "$NS_GW" --list-sas 2>/dev/null | grep -q ESTABLISHED \
		|| { WHY="strongSwan still lists the SA 3 s after petrel down"; return 1; }
	cmp -s "$WORK/resolv.conf" "$WORK/resolv.conf.before" \
		|| { WHY="resolv.conf not restored after petrel down: $(tr '\n' ' ' < "$WORK/resolv.conf")"; return 1; }
	return 0
}

run_tunnel() { # NAME
	local name=$1 from rc=0
	WHY="" MS_UP=- MS_DOWN=- VIP=- PING_OUT="" PING_IN="" STATUS_IKE="" GW_IKE="" BYTES=""
	gw_load "$HYB" aes256gcm16
	from=$(( $(wc -l < "$WORK/gw/charon.log") + 1 ))
	tunnel_steps "$name" || true
	if [ -n "$PETRELD_PID" ]; then
		[ -z "$WHY" ] || pc down pq > /dev/null 2>&1 || true
		# TERM reaches petreld through timeout(1); a sanitizer report fails the case
		kill -TERM "$PETRELD_PID" 2>/dev/null || true
		for _ in $(seq 1 100); do kill -0 "$PETRELD_PID" 2>/dev/null || break; sleep 0.1; done
		kill -0 "$PETRELD_PID" 2>/dev/null && { [ -n "$WHY" ] || WHY="petreld did not exit 10 s after SIGTERM"; }
		wait "$PETRELD_PID" 2>/dev/null || rc=$?
		if [ -z "$WHY" ] && grep -qE 'ERROR: (Address|Leak|UndefinedBehavior)Sanitizer|runtime error:' "$WORK/petreld.log"; then
			WHY="petreld's sanitizer reported: $(grep -E 'ERROR: |runtime error:' "$WORK/petreld.log" | head -3 | tr '\n' ' ')"
		elif [ -z "$WHY" ] && [ "$rc" != 0 ]; then
			WHY="petreld exited with $rc after SIGTERM"
		fi
	fi
	tail -n +"$from" "$WORK/gw/charon.log" > "$WORK/charon-$name.log"
	if [ -z "$WHY" ]; then
		RESULTS+=("PASS $name: petreld up in $MS_UP ms, $STATUS_IKE, ping both ways, down in $MS_DOWN ms")
		echo "PASS $name: petrel up in $MS_UP ms; petrel status: $STATUS_IKE, vip $VIP; strongSwan: $GW_IKE;" \
			"ping 203.0.113.1 from the client: $PING_OUT; ping $VIP from the gateway: $PING_IN; bytes $BYTES;" \
			"petrel down in $MS_DOWN ms, strongSwan deleted the SA, resolv.conf restored"
	else
		NFAIL=$((NFAIL + 1))
		RESULTS+=("FAIL $name: $WHY")
		echo "FAIL $name (petreld, IKE $HYB, ESP aes256gcm16, strongSwan kernel-libipsec): $WHY"
		echo "  petreld (last lines):"
		grep -vE '^\s*$' "$WORK/petreld.log" 2>/dev/null | tail -25 | sed 's/^/    /'
		echo "  strongSwan 6.1 during this case:"
		grep -vE '\[(LIB|JOB)\]|\[CFG\] (added|loaded|updated|replaced|unloaded|vici client|no changes)' "$WORK/charon-$name.log" | tail -40 | sed 's/^/    /'
	fi
	return 0
}

CASES=${PETREL_PQ_CASES:-classic hybrid768 pure768 hybrid1024 rekey_petrel rekey_ss tunnel}
for c in $CASES; do
	case $c in
	classic)    run_case classic aes256gcm16-prfsha256-x25519 AES_GCM_16_256/PRF_HMAC_SHA2_256/CURVE25519 ;;
	hybrid768)  run_case hybrid768 aes256gcm16-prfsha256-x25519-ke1_mlkem768 AES_GCM_16_256/PRF_HMAC_SHA2_256/CURVE25519+ML_KEM_768 ;;
	pure768)    run_case pure768 aes256gcm16-prfsha256-mlkem768 AES_GCM_16_256/PRF_HMAC_SHA2_256/ML_KEM_768 ;;
	hybrid1024) run_case hybrid1024 aes256gcm16-prfsha256-x25519-ke1_mlkem1024 AES_GCM_16_256/PRF_HMAC_SHA2_256/CURVE25519+ML_KEM_1024 ;;
	rekey_petrel) run_rekey rekey_petrel petrel ;;
	rekey_ss)   run_rekey rekey_ss strongswan ;;
	tunnel)     run_tunnel tunnel ;;
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
