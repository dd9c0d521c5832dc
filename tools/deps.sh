#!/bin/bash
# deps.sh: install the Debian packages petrel's build and test suite need
# (Debian 12 or 13, as root). Idempotent: installs only what is missing.
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "deps: must run as root (apt-get)" >&2; exit 1; }
PKGS="gcc clang libclang-rt-14-dev llvm make cmake pkg-config
      libssl-dev openssl libuv1-dev libyaml-dev libcjson-dev
      debootstrap util-linux iproute2 xxd"
# e2e (tests/e2e): strongSwan 5.9.8 as peer (charon with kernel-libipsec, swanctl, pki,
# charon-cmd, eap-mschapv2 from libcharon-extauth-plugins), nftables for the NAT
# case, conntrack to make that NAT forget its mappings (a rebinding), ping for the underlay check; iperf3, tcpdump and python3 for the
# traffic, replay and benchmark cases (tests/e2e/tunnel_*.sh, tests/bench/tunnel.sh).
PKGS="$PKGS strongswan-charon strongswan-swanctl strongswan-pki charon-cmd libcharon-extauth-plugins
      libcharon-extra-plugins libstrongswan-standard-plugins libstrongswan-extra-plugins
      nftables conntrack iputils-ping iperf3 tcpdump python3"
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
# Debian's strongswan/ipsec services must never start: the tests run their own
# charons in namespaces. A policy-rc.d that refuses every start is kept only for
# this install (unless one was there already).
policy_made=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	policy_made=1
fi
rc=0
# shellcheck disable=SC2086 # one word per package
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >/dev/null || rc=$?
[ $policy_made = 0 ] || rm -f /usr/sbin/policy-rc.d
if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
	for unit in strongswan strongswan-starter ipsec; do
		systemctl disable --now "$unit" >/dev/null 2>&1 || true
	done
fi
exit $rc
