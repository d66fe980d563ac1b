#!/usr/bin/env bash
# Builds every libFuzzer target, replays every regression input, then fuzzes each target for the given time.
# Usage: scripts/fuzz.sh [seconds-per-target]   (default 60; 0 = build and replay only)
# Exits non-zero on a build failure, a crash, a leak or an AddressSanitizer report.
set -euo pipefail
seconds="${1:-60}"
root="$(cd "$(dirname "$0")/.." && pwd)"
fuzz="$root/Fuzz"
targets=(FuzzParserText FuzzParserOpenMetrics FuzzParserSplit)
export SWIFT_BACKTRACE=enable=no

cd "$fuzz"
for target in "${targets[@]}"; do
    echo "== building $target"
    swift build -c release --sanitize fuzzer -Xswiftc -sanitize=fuzzer,address --product "$target" 2>&1 \
        | { grep -v 'Cannot export' || true; }
    test -x ".build/release/$target"
done
[ -d "$fuzz/Corpus/FuzzParserText" ] || "$root/scripts/seed-fuzz-corpus.sh"

status=0
for target in "${targets[@]}"; do
    binary="$fuzz/.build/release/$target"
    regressions="$fuzz/Regressions/$target"
    mkdir -p "$regressions"
    inputs=("$regressions"/*)
    if [ -e "${inputs[0]}" ]; then
        echo "== replaying ${#inputs[@]} regression input(s) for $target"
        if ! "$binary" -runs=1 "${inputs[@]}"; then
            echo "FAIL: a regression input of $target crashes again"
            status=1
        fi
    fi
    if [ "$seconds" -gt 0 ]; then
        echo "== fuzzing $target for ${seconds}s"
        work="$fuzz/.fuzz-corpus/$target"
        artifacts="$fuzz/artifacts/$target/"
        mkdir -p "$work" "$artifacts"
        if ! "$binary" "$work" "$fuzz/Corpus/$target" -max_total_time="$seconds" -max_len=10240 \
            -artifact_prefix="$artifacts" -print_final_stats=1 -detect_leaks=1; then
            echo "FAIL: $target found a crash, leak or sanitizer report; see $artifacts"
            status=1
        fi
    fi
done
exit "$status"
