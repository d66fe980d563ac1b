#!/usr/bin/env bash
# Runs the benchmarks (Benchmarks/ package) and rewrites Benchmarks/Thresholds/<swift-version>/ with the measured
# p90 of mallocCountTotal, one <Target>.<Benchmark>.p90.json per benchmark. The only way thresholds are updated.
#
# Usage: scripts/update-benchmark-thresholds.sh [extra `benchmark` arguments, e.g. --filter 'Store\..*']
# Env:   SWIFT_VERSION  thresholds directory to write (default: the running toolchain's major.minor, e.g. 6.3)
# Review the diff before committing: a higher count is a regression to explain, not to accept silently.
set -euo pipefail

log() { printf -- '** %s\n' "$*" >&2; }

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
package="$root/Benchmarks"
swift_version="${SWIFT_VERSION:-$(swift --version 2>/dev/null | sed -n 's/.*Swift version \([0-9]*\.[0-9]*\).*/\1/p' | head -n 1)}"
[ -n "$swift_version" ] || { log "cannot tell the Swift version; set SWIFT_VERSION"; exit 1; }
thresholds="$package/Thresholds/$swift_version"
mkdir -p "$thresholds"

unset PEER_100K
log "writing mallocCountTotal p90 thresholds to $thresholds"
swift package --package-path "$package" --allow-writing-to-package-directory \
    benchmark thresholds update --metric mallocCountTotal --no-progress --path "$thresholds" "$@"
log "done; review with: git diff -- Benchmarks/Thresholds/$swift_version"
