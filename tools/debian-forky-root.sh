#!/bin/bash
# debian-forky-root.sh [ROOT]: make (once) a Debian "forky" (testing) root
# with strongSwan 6.1 and OpenSSL 3.6, whose openssl plugin does ML-KEM, for
# the post-quantum interop test (tests/tier/pq_interop.sh). strongSwan 6.0.1
# in Debian 13 has no ML-KEM, so the peer comes from testing. Cached outside
# the checkout (default /var/cache/petrel/forky-ss-root) and rebuilt only
# when the marker file is missing or the package list changed:
# debian13-root.sh does the work (PETREL_ROOT_SUITE=forky).
#
# Then, each time: a charon from the root, in throwaway network and mount
# namespaces, must list ML_KEM_768 from the openssl plugin
# (`swanctl --list-algs`), or this fails (the test then fails too).
set -euo pipefail
ROOT=${1:-${PETREL_FORKY_ROOT:-/var/cache/petrel/forky-ss-root}}
TAG=debian-forky-root
# charon (kernel-libipsec is in libcharon-extra-plugins; openssl, curve25519,
# gcm etc. in the libstrongswan plugin packages), swanctl, openssl.
PETREL_ROOT_SUITE=forky PETREL_ROOT_TAG=$TAG \
	PETREL_ROOT_PKGS="strongswan-charon strongswan-swanctl libcharon-extra-plugins libstrongswan-standard-plugins libstrongswan-extra-plugins openssl" \
	bash "$(dirname "$0")/debian13-root.sh" "$ROOT"
[ -x "$ROOT/usr/lib/ipsec/charon" ] || { echo "$TAG: no charon in $ROOT" >&2; exit 1; }
mkdir -p "$ROOT/petrel/work"

# The check: charon with just what --list-algs needs, vici on a socket in
# the root's /petrel/check (removed afterwards).
chk=$ROOT/petrel/check
rm -rf "$chk"; mkdir -p "$chk"
trap '[ "${PETREL_KEEP_CHECK:-0}" = 1 ] || rm -rf "$chk"' EXIT
cat >"$chk/strongswan.conf" <<-EOF
	charon {
	    load_modular = no
	    load = random nonce openssl curve25519 kernel-netlink socket-default vici
	    plugins { vici { socket = unix:///petrel/check/charon.vici } }
	    syslog { daemon { default = -1 } }
	    filelog { f { path = /petrel/check/charon.log
	                  default = 1 } }
	}
	swanctl { socket = unix:///petrel/check/charon.vici }
EOF
algs=$(timeout 30 unshare -m -n --fork --propagation private sh -c "
	mount -t proc proc '$ROOT/proc' && mount -t tmpfs -o size=4m tmpfs '$ROOT/run' || exit 1
	STRONGSWAN_CONF=/petrel/check/strongswan.conf chroot '$ROOT' /usr/lib/ipsec/charon >/dev/null 2>&1 &
	pid=\$!
	for i in \$(seq 1 50); do [ -S '$chk/charon.vici' ] && break; sleep 0.1; done
	STRONGSWAN_CONF=/petrel/check/strongswan.conf chroot '$ROOT' swanctl --list-algs
	kill \$pid; wait \$pid
" 2>&1) || true
ver=$(sed -nE 's/.*(strongSwan [0-9.]+[^,]*).*/\1/p' "$chk/charon.log" 2>/dev/null | head -1)
ssl=$(chroot "$ROOT" openssl version 2>/dev/null | cut -d' ' -f1-2 || true)
if ! grep -q 'ML_KEM_768\[openssl\]' <<<"$algs"; then
	echo "$TAG: charon in $ROOT does not list ML_KEM_768[openssl] ($ver, $ssl):" >&2
	echo "$algs" | tail -20 >&2
	exit 1
fi
echo "$TAG: $ver, $ssl:$(grep -oE 'ML_KEM_[0-9]+\[openssl\]' <<<"$algs" | tr '\n' ' ' | sed 's/^/ /')"
