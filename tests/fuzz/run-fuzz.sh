#!/bin/bash
# run-fuzz.sh BINARY CORPUS SECONDS: run one libFuzzer target for a bounded
# time over a scratch copy of its committed seed corpus; print the number of
# executions; fail on any finding.
set -euo pipefail
bin=$1 corpus=$2 secs=$3
work=$(mktemp -d /tmp/petrel-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$work/artifacts"
[ -d "$corpus" ] && cp -r "$corpus"/. "$work/corpus/"
"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	-artifact_prefix="$work/artifacts/" "$work/corpus" > "$work/log" 2>&1 || {
	tail -40 "$work/log"
	for a in "$work"/artifacts/*; do [ -e "$a" ] && { echo "finding: $a"; xxd "$a" | head -20; }; done
	exit 1
}
runs=$(grep -E '^stat::number_of_executed_units' "$work/log" | awk '{print $2}')
echo "$(basename "$bin"): ${runs:-?} executions in ${secs}s, no findings"
