# shellcheck shell=bash
# tests/tier/pq_lib.sh: petreld, the petrel CLI and petrel-gw built with
# OpenSSL 3.5 in the Debian 13 root and run chrooted in the e2e namespaces
# (sourced after tests/e2e/lib.sh and tunnel_lib.sh; used by pq_gw.sh and
# tests/bench/pq.sh). As in pq_interop.sh, each program runs chrooted inside
# the `ip netns exec` mount namespace of its network namespace, with /proc,
# /dev, a tmpfs on /run, a private /etc/resolv.conf and this run's work
# directory (bound on <root>/petrel/work) mounted there only; the root itself
# stays shared. Paths in configuration files are as the chroot sees them:
# $WORK is /petrel/work.
# shellcheck disable=SC2034,SC2153 # BUILT_IN is for the caller; GW_ID etc. come from lib.sh
TRIXIE=${PETREL_TRIXIE_ROOT:-/var/cache/petrel/trixie-root}
IN_WORK=/petrel/work

# The stamp of these sources, as tools/tier-debian13.sh makes it.
pq_stamp() { # SRC
	{ git -C "$1" rev-parse HEAD 2>/dev/null; git -C "$1" diff HEAD 2>/dev/null;
	  git -C "$1" status --porcelain 2>/dev/null; } | sha256sum | cut -c1-16
}

# Build TARGETS of SRC in the root's /petrel/DIR (kept between runs for the
# same sources, made again otherwise). Sets BUILT_IN (seconds, or "kept").
pq_build() { # SRC DIR "CMAKE-ARGS" TARGET...
	local src=$1 dir=$2 args=$3 stamp bt blog
	shift 3
	stamp=$(pq_stamp "$src")
	bt=$(date +%s)
	[ "$(cat "$TRIXIE/petrel/$dir/.petrel-stamp" 2>/dev/null)" = "$stamp" ] || rm -rf "${TRIXIE:?}/petrel/$dir"
	mkdir -p "$TRIXIE/petrel/src" "$TRIXIE/petrel/$dir"
	blog=$(mktemp /tmp/petrel-pqgw-build.XXXXXX)
	if ! unshare -m --propagation private sh -c "
		mount --bind '$src' '$TRIXIE/petrel/src' && mount -o remount,bind,ro '$TRIXIE/petrel/src' &&
		mount -t proc proc '$TRIXIE/proc' && mount --rbind /dev '$TRIXIE/dev' &&
		chroot '$TRIXIE' /bin/sh -c 'cd /petrel &&
			cmake -S src -B $dir $args -DPETREL_TIERS=OFF &&
			cmake --build $dir -j2 --target $*'" > "$blog" 2>&1; then
		echo "building $* in the Debian 13 root ($TRIXIE/petrel/$dir) failed:"
		grep -E 'error|Error' "$blog" | head -20
		tail -5 "$blog"; rm -f "$blog"
		exit 1
	fi
	rm -f "$blog"
	echo "$stamp" > "$TRIXIE/petrel/$dir/.petrel-stamp"
	BUILT_IN=$(( $(date +%s) - bt ))
}

# The mounts every chrooted program gets (a shell command for `sh -c`).
pq_mounts() {
	echo "mount --bind '$WORK' '$TRIXIE$IN_WORK' && mount -t proc proc '$TRIXIE/proc' &&
		mount --rbind /dev '$TRIXIE/dev' && mount -t tmpfs -o size=4m tmpfs '$TRIXIE/run' &&
		mount --bind '$WORK/resolv.conf' '$TRIXIE/etc/resolv.conf'"
}

# Start CMD chrooted in NS, in the background, output to LOG; sets CH_PID
# (timeout(1), in the chroot's mount namespace: nsenter -t CH_PID -m -n).
pq_start() { # NS LOG SECONDS CMD...
	local ns=$1 out=$2 secs=$3
	shift 3
	[ -f "$WORK/resolv.conf" ] || printf 'nameserver 192.0.2.1\nsearch lab.example\n' > "$WORK/resolv.conf"
	mkdir -p "$TRIXIE$IN_WORK"
	ip netns exec "$ns" sh -c "$(pq_mounts) && exec timeout --foreground $secs chroot '$TRIXIE' $*" > "$out" 2>&1 &
	CH_PID=$!
	PIDS+=("$CH_PID")
}

# petrel-gw (BUILD: the root's build dir) with $WORK/gw.yaml; sets GW_PID.
pq_gw_start() { # BUILD
	pq_start "$NS_GW" "$WORK/gw.log" 600 "/petrel/$1/src/gw/petrel-gw --config $IN_WORK/gw.yaml"
	GW_PID=$CH_PID
	for _ in $(seq 1 100); do
		grep -q "listening on" "$WORK/gw.log" 2>/dev/null && return 0
		kill -0 "$GW_PID" 2>/dev/null || fail "petrel-gw exited at startup: $(tail -5 "$WORK/gw.log")"
		sleep 0.1
	done
	fail "petrel-gw did not start listening"
}

# petreld with the profiles in $WORK/etc; sets PETRELD_PID, PQ_BUILD.
pq_petreld_start() { # BUILD
	PQ_BUILD=$1
	pq_start "$NS_CLI" "$WORK/petreld.log" 600 \
		"/petrel/$1/src/daemon/petreld --config $IN_WORK/etc --socket $IN_WORK/control.sock --state-dir $IN_WORK/state"
	PETRELD_PID=$CH_PID
	for _ in $(seq 1 100); do
		[ -S "$WORK/control.sock" ] && return 0
		kill -0 "$PETRELD_PID" 2>/dev/null || fail "petreld exited at startup: $(tail -5 "$WORK/petreld.log")"
		sleep 0.1
	done
	fail "petreld: no control socket after 10 s"
}

# The petrel CLI of the root, next to petreld (tunnel_lib.sh's pt).
pt() {
	timeout 40 nsenter -t "$PETRELD_PID" -m -n chroot "$TRIXIE" "/petrel/$PQ_BUILD/cli/petrel" \
		--socket "$IN_WORK/control.sock" "$@"
}

# The gateway's configuration: petrel-gw with a TUN and the IKE and ESP
# proposals given (YAML flow lists), log level LEVEL (default debug).
pq_gw_conf() { # IKE-LIST ESP-LIST [LEVEL]
	psk_file "$WORK/gw.psk"
	cat > "$WORK/gw.yaml" <<-EOF
	gateway:
	  listen: $GW
	  id: $GW_ID
	  psk_file: $IN_WORK/gw.psk
	  pool: $POOL4
	  dns: [203.0.113.53]
	  subnets: [203.0.113.0/24]
	  log_level: ${3:-debug}
	  tun: ptgw0
	  tun_address: [$GW_IN4]
	  proposals: { ike: $1, esp: $2 }
	EOF
}

# A PSK profile NAME for petreld: IKE and ESP proposal, extra YAML lines.
pq_profile() { # NAME IKE ESP [extra lines]
	mkdir -p "$WORK/etc/profiles.d"
	[ -f "$WORK/etc/client.psk" ] || psk_file "$WORK/etc/client.psk"
	[ -f "$WORK/etc/petrel.yaml" ] || printf 'log_level: debug\nprofiles: {}\n' > "$WORK/etc/petrel.yaml"
	cat > "$WORK/etc/profiles.d/$1.yaml" <<-EOF
	$1:
	  gateway: $GW
	  remote_id: $GW_ID
	  local_id: $CLIENT_ID
	  auth: { method: psk, psk_file: $IN_WORK/etc/client.psk }
	  proposals: { ike: [$2], esp: [$3] }
	  routes: full
	  dns: off
	  kill_switch: false
	${4:-}
	EOF
}
