#!/bin/bash
# debian13-libreswan-root.sh [ROOT]: make (once) a Debian 13 "trixie" root
# with Libreswan 5.2, for the Libreswan e2e case (tests/e2e/libreswan.sh).
# Libreswan conflicts with strongSwan in Debian, so it cannot share a root
# (or the host) with it. Cached outside the checkout (default
# /var/cache/petrel/trixie-lsw-root) and rebuilt only when the marker file is
# missing or the package list below changed. Needs root and debootstrap.
# (debootstrap --include=libreswan fails: it does not resolve the virtual
# package "host"; apt-get inside the root does.)
set -euo pipefail
ROOT=${1:-${PETREL_TRIXIE_LSW_ROOT:-/var/cache/petrel/trixie-lsw-root}}
MIRROR=${PETREL_DEBIAN_MIRROR:-http://deb.debian.org/debian}
PKGS="libreswan libnss3-tools iproute2 procps"
STAMP="trixie $PKGS"

[ "$(id -u)" = 0 ] || { echo "debian13-libreswan-root: must run as root" >&2; exit 1; }
if [ -f "$ROOT/.petrel-ready" ] && [ "$(cat "$ROOT/.petrel-ready")" = "$STAMP" ]; then
	echo "debian13-libreswan-root: $ROOT is ready (cached)"
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
echo "debian13-libreswan-root: debootstrap trixie into $ROOT (about a minute)"
debootstrap --variant=minbase trixie "$ROOT" "$MIRROR" >"$log" 2>&1 || {
	tail -20 "$log"; echo "debian13-libreswan-root: debootstrap failed" >&2; exit 1; }
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
# no service may start while packages are installed
printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
chmod +x "$ROOT/usr/sbin/policy-rc.d"
# apt in the root needs /proc; the mount stays private to this command.
unshare -m sh -c "mount -t proc proc '$ROOT/proc' && chroot '$ROOT' apt-get update -q && \
	DEBIAN_FRONTEND=noninteractive chroot '$ROOT' apt-get install -y -q --no-install-recommends $PKGS" \
	>"$log" 2>&1 || { tail -20 "$log"; echo "debian13-libreswan-root: apt-get in the root failed" >&2; exit 1; }
chroot "$ROOT" apt-get clean
[ -x "$ROOT/usr/libexec/ipsec/pluto" ] || { echo "debian13-libreswan-root: no pluto in $ROOT" >&2; exit 1; }
mkdir -p "$ROOT/petrel"
echo "$STAMP" >"$ROOT/.petrel-ready"
echo "debian13-libreswan-root: $(chroot "$ROOT" ipsec --version 2>/dev/null | head -1), ready in $(( $(date +%s) - t0 )) s, $(du -sh --one-file-system "$ROOT" | cut -f1)"
