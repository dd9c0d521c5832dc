#!/bin/bash
# tier-debian13.sh SRCDIR: build and run petrel's suite inside the Debian 13
# root (OpenSSL 3.5, ML-KEM built in; gcc 14). Run by ctest as the test
# tier_debian13. Exit 77 (skipped) with the reason when the root cannot be
# used here. In this tier a skipped ML-KEM test is a failure: OpenSSL 3.5
# provides ML-KEM, so those tests must run.
set -uo pipefail
src=$(cd "${1:?usage: $0 SRCDIR}" && pwd)
ROOT=${PETREL_TRIXIE_ROOT:-/var/cache/petrel/trixie-root}

[ "$(id -u)" = 0 ] || { echo "SKIP: the Debian 13 tier needs root (chroot)"; exit 77; }
[ -f "$ROOT/.petrel-ready" ] || {
	echo "SKIP: no Debian 13 root at $ROOT; make it with tools/debian13-root.sh (needs network)"
	exit 77
}
log=$(mktemp /tmp/petrel-tier13.XXXXXX)
trap 'rm -f "$log"' EXIT

# Private mounts: the checkout read-only at /petrel/src, the build tree in
# the root itself (outside the checkout, kept between runs for speed).
# The build tree is kept between runs for speed, but only for the same
# sources: file times alone can be older than the objects after git
# operations, and a stale object must never pass for a test result.
stamp=$( { git -C "$src" rev-parse HEAD 2>/dev/null; git -C "$src" diff HEAD 2>/dev/null;
	   git -C "$src" status --porcelain 2>/dev/null; } | sha256sum | cut -c1-16)
if [ "$(cat "$ROOT/petrel/build/.petrel-stamp" 2>/dev/null)" != "$stamp" ]; then
	rm -rf "$ROOT/petrel/build"
fi
mkdir -p "$ROOT/petrel/src" "$ROOT/petrel/build"
echo "$stamp" > "$ROOT/petrel/build/.petrel-stamp"
unshare -m --propagation private sh -c "
	mount --bind '$src' '$ROOT/petrel/src' && mount -o remount,bind,ro '$ROOT/petrel/src' &&
	mount -t proc proc '$ROOT/proc' && mount --rbind /dev '$ROOT/dev' &&
	chroot '$ROOT' /bin/sh -c '
		set -e
		cd /petrel
		openssl version
		cmake -S src -B build -DPETREL_SANITIZE=ON -DPETREL_WERROR=ON -DPETREL_TIERS=OFF >/dev/null
		cmake --build build -j2 2>&1 | grep -E \"warning|error|Error\" || true
		cmake --build build -j2 >/dev/null
		cd build && ctest --output-on-failure -j2 -LE \"tier|e2e\"
	'
" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
[ "$rc" = 0 ] || { echo "tier_debian13: the suite failed in the Debian 13 root (rc $rc)"; exit 1; }
if grep -iE 'mlkem.*(Skipped|Not Run)' "$log"; then
	echo "tier_debian13: ML-KEM tests were skipped, but OpenSSL 3.5 provides ML-KEM"
	exit 1
fi
grep -qiE 'mlkem.*Passed' "$log" || { echo "tier_debian13: no ML-KEM test ran"; exit 1; }
echo "tier_debian13: passed, ML-KEM tests ran"
