#!/bin/bash
# debian13-root.sh [ROOT]: make (once) a Debian 13 "trixie" root for the second
# test tier, where OpenSSL 3.5 provides ML-KEM. Cached outside the checkout
# (default /var/cache/petrel/trixie-root) and rebuilt only when the marker file
# is missing or the package list below changed. Needs root and debootstrap.
# Other roots (debian13-libreswan-root.sh, debian-forky-root.sh) reuse it with
# PETREL_ROOT_PKGS (their packages), PETREL_ROOT_TAG (the name in messages)
# and PETREL_ROOT_SUITE (another Debian suite than trixie, e.g. forky).
set -euo pipefail
SUITE=${PETREL_ROOT_SUITE:-trixie}
if [ "$SUITE" = trixie ]; then
	ROOT=${1:-${PETREL_TRIXIE_ROOT:-/var/cache/petrel/trixie-root}}
else
	ROOT=${1:-/var/cache/petrel/$SUITE-root}
fi
MIRROR=${PETREL_DEBIAN_MIRROR:-http://deb.debian.org/debian}
PKGS=${PETREL_ROOT_PKGS:-gcc libc6-dev make cmake pkg-config libssl-dev openssl libuv1-dev libyaml-dev libcjson-dev}
TAG=${PETREL_ROOT_TAG:-debian13-root}
STAMP="$SUITE $PKGS"

[ "$(id -u)" = 0 ] || { echo "$TAG: must run as root" >&2; exit 1; }
if [ -f "$ROOT/.petrel-ready" ] && [ "$(cat "$ROOT/.petrel-ready")" = "$STAMP" ]; then
	echo "$TAG: $ROOT is ready (cached)"
	exit 0
fi
command -v debootstrap >/dev/null || {
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap >/dev/null
}
log=$(mktemp /tmp/petrel-debootstrap.XXXXXX)
trap 'rm -f "$log"' EXIT
t0=$(date +%s)
rm -rf "$ROOT"
mkdir -p "$(dirname "$ROOT")"
# Debian 12's debootstrap has no script for suites newer than trixie (forky):
# sid's script fits them all.
script=
[ -e "/usr/share/debootstrap/scripts/$SUITE" ] || script=/usr/share/debootstrap/scripts/sid
echo "$TAG: debootstrap $SUITE into $ROOT (about a minute)"
# shellcheck disable=SC2086 # no script: no argument
debootstrap --variant=minbase "$SUITE" "$ROOT" "$MIRROR" $script >"$log" 2>&1 || {
	tail -20 "$log"; echo "$TAG: debootstrap failed" >&2; exit 1; }
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
# testing's Release files carry a Valid-Until a few days ahead; a mirror (or
# a clock) a little behind makes apt refuse them as expired
[ "$SUITE" = trixie ] || echo 'Acquire::Check-Valid-Until "false";' >"$ROOT/etc/apt/apt.conf.d/99petrel-no-valid-until"
# no service may start while packages are installed
printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
chmod +x "$ROOT/usr/sbin/policy-rc.d"
# apt in the root needs /proc; the mount stays private to this command.
unshare -m sh -c "mount -t proc proc '$ROOT/proc' && chroot '$ROOT' apt-get update -q && \
	DEBIAN_FRONTEND=noninteractive chroot '$ROOT' apt-get install -y -q --no-install-recommends $PKGS" \
	>"$log" 2>&1 || { tail -20 "$log"; echo "$TAG: apt-get in the root failed" >&2; exit 1; }
chroot "$ROOT" apt-get clean
echo "$STAMP" >"$ROOT/.petrel-ready"
echo "$TAG: ready in $(( $(date +%s) - t0 )) s, $(du -sh --one-file-system "$ROOT" | cut -f1)"
