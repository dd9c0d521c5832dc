#!/bin/sh
# ESP data-plane throughput next to `openssl speed -evp`, one core.
# Builds esp_bench in an optimised, sanitizer-free tree (BENCH_BUILD, default
# build-bench) and prints one table. BENCH_SECONDS per measurement (0.5).
#
# petrel's columns are whole ESP operations on one packet in place (sequence
# number, trailer, header, nonce, AAD, AEAD, tag; decap: lookup, replay
# window, tag check, trailer), in MB/s of inner octets and packets/s. The
# openssl column is `openssl speed -evp <cipher> -bytes <n>`: the bare cipher
# on the same size (on OpenSSL 3.0 for ChaCha20-Poly1305 that is
# EVP_EncryptUpdate alone, no nonce and no tag), so the ratio reads "how far
# from the library's best case", not as overhead.
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${BENCH_BUILD:-$src/build-bench}
secs=${BENCH_SECONDS:-0.5}

if [ ! -f "$build/CMakeCache.txt" ]; then
	cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build "$build" --target esp_bench -j2 >/dev/null
bin=$(find "$build" -name esp_bench -type f -perm -u+x | head -n1)

ours=$(mktemp)
trap 'rm -f "$ours"' EXIT
"$bin" "$secs" >"$ours"

speed() { # <cipher> <bytes>: bytes/s
	openssl speed -mr -seconds 1 -evp "$1" -bytes "$2" 2>/dev/null | awk -F: '/^\+F:/ { print $NF }' | tail -n1
}

echo "ESP on one core ($(uname -m), $(openssl version | cut -d' ' -f1-2)); MB = 10^6 inner octets"
printf '%-18s %5s | %9s %9s | %9s %9s | %9s %9s | %11s %6s\n' \
	cipher bytes encap_MB/s encap_kpps decap_MB/s decap_kpps both_MB/s both_kpps openssl_MB/s enc/ssl
while read -r name bytes emb epps dmb dpps bmb bpps; do
	ref=$(speed "$name" "$bytes")
	awk -v n="$name" -v b="$bytes" -v emb="$emb" -v epps="$epps" -v dmb="$dmb" -v dpps="$dpps" \
	    -v bmb="$bmb" -v bpps="$bpps" -v r="${ref:-0}" 'BEGIN {
		r /= 1e6
		printf "%-18s %5d | %9.1f %9.1f | %9.1f %9.1f | %9.1f %9.1f | %11.1f %6.2f\n",
			n, b, emb, epps / 1e3, dmb, dpps / 1e3, bmb, bpps / 1e3, r, (r > 0 ? emb / r : 0) }'
done <"$ours"
