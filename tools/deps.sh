#!/bin/bash
# deps.sh: install the Debian packages petrel's build and test suite need
# (Debian 12 or 13, as root). Idempotent: installs only what is missing.
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "deps: must run as root (apt-get)" >&2; exit 1; }
PKGS="gcc clang libclang-rt-14-dev llvm make cmake pkg-config
      libssl-dev openssl libuv1-dev libyaml-dev libcjson-dev
      debootstrap util-linux iproute2 xxd"
missing=""
for p in $PKGS; do
	dpkg-query -W -f '${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed || missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "deps: all packages present"
	exit 0
fi
echo "deps: installing$missing"
# apt-get update only when the package lists are missing or older than a day.
[ -n "$(find /var/lib/apt/lists -name '*Packages*' -mmin -1440 2>/dev/null | head -1)" ] \
	|| apt-get update -q >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >/dev/null
