#!/bin/bash
# debian13-libreswan-root.sh [ROOT]: make (once) a Debian 13 "trixie" root
# with Libreswan 5.2, for the Libreswan e2e case (tests/e2e/libreswan.sh).
# Libreswan conflicts with strongSwan in Debian, so it cannot share a root
# (or the host) with it. Cached outside the checkout (default
# /var/cache/petrel/trixie-lsw-root) and rebuilt only when the marker file is
# missing or the package list below changed: debian13-root.sh does the work.
# (debootstrap --include=libreswan fails: it does not resolve the virtual
# package "host"; apt-get inside the root does.)
set -euo pipefail
ROOT=${1:-${PETREL_TRIXIE_LSW_ROOT:-/var/cache/petrel/trixie-lsw-root}}
PETREL_ROOT_PKGS="libreswan libnss3-tools iproute2 procps" PETREL_ROOT_TAG=debian13-libreswan-root \
	bash "$(dirname "$0")/debian13-root.sh" "$ROOT"
[ -x "$ROOT/usr/libexec/ipsec/pluto" ] || { echo "debian13-libreswan-root: no pluto in $ROOT" >&2; exit 1; }
mkdir -p "$ROOT/petrel"
echo "debian13-libreswan-root: $(chroot "$ROOT" ipsec --version 2>/dev/null | head -1)"
