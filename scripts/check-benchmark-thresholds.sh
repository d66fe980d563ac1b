#!/usr/bin/env bash
# Builds and runs the benchmarks (Benchmarks/ package) and exits non-zero when an allocation count regresses
# against Benchmarks/Thresholds/<swift-version>/<Target>.<Benchmark>.p90.json.
#
# Only mallocCountTotal is gated (exact and repeatable; wall-clock on shared 2-core runners is noise). The opt-in
# peer 100k benchmark (PEER_100K) is never run here.
#
# Usage: scripts/check-benchmark-thresholds.sh [extra `benchmark` arguments, e.g. --target StoreBenchmarks]
# Env:   SWIFT_VERSION  thresholds directory to use (default: the running toolchain's major.minor, e.g. 6.3)
# Exit:  0 no regression (an improvement is reported: run scripts/update-benchmark-thresholds.sh to lock it in)
#        1 a malloc count regressed; non-zero also on a build or run failure or when no thresholds are found.
set -uo pipefail

log() { printf -- '** %s\n' "$*" >&2; }
fatal() { printf -- '** ERROR: %s\n' "$*" >&2; exit 1; }

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
package="$root/Benchmarks"
swift_version="${SWIFT_VERSION:-$(swift --version 2>/dev/null | sed -n 's/.*Swift version \([0-9]*\.[0-9]*\).*/\1/p' | head -n 1)}"
[ -n "$swift_version" ] || fatal "cannot tell the Swift version; set SWIFT_VERSION"
thresholds="$package/Thresholds/$swift_version"
[ -d "$thresholds" ] || fatal "no thresholds for Swift $swift_version at $thresholds (run scripts/update-benchmark-thresholds.sh)"

unset PEER_100K
log "checking mallocCountTotal against $thresholds"
output="$(mktemp)"
trap 'rm -f "$output"' EXIT
swift package --package-path "$package" --allow-writing-to-package-directory \
    benchmark thresholds check --metric mallocCountTotal --no-progress --path "$thresholds" "$@" 2>&1 | tee "$output"
rc=${PIPESTATUS[0]}

# The plugin reports the tool's exit as its own failure (exit 1), so tell the cases apart by the tool's verdict.
if grep -q "is WORSE than the defined thresholds" "$output"; then
    log "allocation counts REGRESSED (see 'Deviations worse than threshold' above)"
    exit 1
elif grep -q "is BETTER than the defined thresholds" "$output"; then
    log "allocation counts IMPROVED: run scripts/update-benchmark-thresholds.sh and commit the new thresholds"
    exit 0
elif [ "$rc" -ne 0 ]; then
    log "benchmark run failed (exit $rc): build error, a failing benchmark, or missing thresholds"
    exit "$rc"
fi
log "no malloc regression"
exit 0
