# shellcheck shell=bash
# tests/e2e/common.sh: what lib.sh and net_lib.sh share (sourced by them,
# after they set NS_LIST, the namespaces of the case, and FAIL_GLOBS and
# FAIL_LINES, which files a failure shows and how much of each).
# Exit codes: 0 pass, 1 fail, 77 skip (with the reason on stdout).
#
# Daemons run under `timeout --foreground N`: without --foreground,
# timeout(1) forwards a SIGTERM and then sends SIGCONT. A sanitizer build's
# leak check at exit stops the process with a ptrace SIGSTOP, and a late
# SIGCONT discards that stop, so LeakSanitizer's tracer then waits forever
# (seen in CI: petrel-gw logged "stopped" and never exited).

WORK=
PIDS=()
T_START=$(date +%s.%N)

log() { printf '[%s %(%H:%M:%S)T] %s\n' "$CASE" -1 "$*" >&2; }
skip() { echo "SKIP: $*"; exit 77; }
fail() {
	log "FAIL: $*"
	if [ -n "$WORK" ] && [ -d "$WORK" ]; then
		local g f
		for g in "${FAIL_GLOBS[@]}"; do
			for f in "$WORK"/$g; do
				[ -s "$f" ] || continue
				echo "---- ${f#"$WORK"/} (last $FAIL_LINES lines)" >&2
				tail -n "$FAIL_LINES" "$f" >&2
			done
		done
	fi
	exit 1
}
elapsed() { echo "$(date +%s.%N) $T_START" | awk '{printf "%.1f", $1 - $2}'; }

ns_del() { # kill what still runs in a namespace of ours (by PID), then delete it
	local ns=$1 pids
	ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$ns" || return 0
	pids=$(ip netns pids "$ns" 2>/dev/null || true)
	if [ -n "$pids" ]; then
		# shellcheck disable=SC2086
		kill $pids 2>/dev/null || true
		sleep 0.3
		pids=$(ip netns pids "$ns" 2>/dev/null || true)
		# shellcheck disable=SC2086
		[ -z "$pids" ] || kill -9 $pids 2>/dev/null || true
	fi
	ip netns del "$ns" 2>/dev/null || true
}

ns_del_all() { local ns; for ns in "${NS_LIST[@]}"; do ns_del "$ns"; done; }

# The EXIT trap: what was started (TERM, then KILL after 3 s), the
# namespaces, the work directory (kept with PTE2E_KEEP=1).
cleanup() {
	local rc=$?
	set +e
	{ exec 3>&-; } 2>/dev/null
	for p in "${PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${PIDS[@]}"; do
		for _ in $(seq 1 30); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	ns_del_all
	[ -n "$WORK" ] && [ "${PTE2E_KEEP:-0}" != 1 ] && rm -rf "$WORK"
	log "done in $(elapsed) s (exit $rc)"
	exit $rc
}
