#!/bin/sh
# petrel crypto micro-benchmark next to `openssl speed`, same algorithms and
# sizes. Builds bench_micro in an optimised, sanitizer-free tree (BENCH_BUILD,
# default build-bench) and prints one table with the ratio petrel/openssl.
# Runs in well under a minute.
#
# petrel's numbers are whole AEAD operations per packet (set the nonce, AAD,
# encrypt/decrypt, tag) and, for open, the tag check. What `openssl speed -evp`
# does per operation depends on the OpenSSL version and the mode (on 3.0,
# for ChaCha20-Poly1305 it is EVP_EncryptUpdate alone: no nonce, no tag), so
# read the ratios as "how far from the library's best case", not as overhead.
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${BENCH_BUILD:-$src/build-bench}
secs=${BENCH_SECONDS:-0.3}

if [ ! -f "$build/CMakeCache.txt" ]; then
	cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build "$build" --target bench_micro -j2 >/dev/null
bin=$(find "$build" -name bench_micro -type f -perm -u+x | head -n1)

ours=$(mktemp)
trap 'rm -f "$ours"' EXIT
"$bin" "$secs" >"$ours"

# openssl speed -mr prints "+F:<n>:<name>:<bytes/s>" for the one size asked.
speed() { # <openssl speed args...>
	openssl speed -mr -seconds 1 "$@" 2>/dev/null | awk -F: '/^\+F:/ { print $NF }' | tail -n1
}

printf '%-18s %-5s %6s %12s %12s %7s\n' algorithm op bytes petrel_MB/s openssl_MB/s ratio
while read -r name op bytes mbs; do
	case $name in
	hmac-sha256) ref=$(speed -hmac sha256 -bytes "$bytes") ;;
	*) ref=$(speed -evp "$name" -bytes "$bytes") ;;
	esac
	if [ -n "$ref" ]; then
		awk -v n="$name" -v o="$op" -v b="$bytes" -v m="$mbs" -v r="$ref" 'BEGIN {
			r /= 1e6; printf "%-18s %-5s %6d %12.1f %12.1f %7.2f\n", n, o, b, m, r, m / r }'
	else
		printf '%-18s %-5s %6d %12.1f %12s %7s\n' "$name" "$op" "$bytes" "$mbs" n/a n/a
	fi
done <"$ours"
