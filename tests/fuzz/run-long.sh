#!/bin/bash
# run-long.sh [SECONDS] [TARGET...]: the long fuzz run, outside the suite.
# Builds the libFuzzer targets (clang, ASan+UBSan) into build-fuzz and runs
# each for SECONDS (default 600), growing the scratch corpus; new inputs that
# raise coverage can be minimised and committed with
#   <target> -merge=1 tests/fuzz/corpus/<target> <scratch dir>.
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-600}
shift || true
cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DPETREL_SANITIZE=ON -DPETREL_FUZZ=ON \
	-DPETREL_TIERS=OFF >/dev/null
cmake --build build-fuzz -j2 >/dev/null
targets=("$@")
if [ ${#targets[@]} = 0 ]; then
	mapfile -t targets < <(find build-fuzz/tests/fuzz -maxdepth 1 -type f -executable -name 'fuzz_*' -printf '%f\n' | sort)
fi
for t in "${targets[@]}"; do
	tests/fuzz/run-fuzz.sh "build-fuzz/tests/fuzz/$t" "tests/fuzz/corpus/$t" "$secs"
done
