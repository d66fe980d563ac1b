#!/usr/bin/env bash
# Runs the whole benchmark suite (Benchmarks/ package) and prints markdown tables; the figures in
# docs/BENCHMARKS.md come from this script.
#
# Usage: scripts/benchmark.sh [extra `benchmark` arguments, e.g. --target ExpositionBenchmarks --filter '.*w1_100k.*']
# Env:   PEER_100K=1  also run Store.populate.peer_w1_100k (swift-prometheus populate + emit at 100k series:
#                     about 4 minutes, the peer's series creation is quadratic). Off by default and in CI.
#        OUT=DIR      also export JMH JSON (DIR/*.jmh.json) for scripting.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
package="$root/Benchmarks"

echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
    "nproc=$(nproc) $(lscpu | sed -n 's/^Model name: *//p' | head -n 1) $(swift --version 2>&1 | head -n 1)"
swift package --package-path "$package" --allow-writing-to-package-directory \
    benchmark --no-progress --format markdown --path stdout "$@"
if [ -n "${OUT:-}" ]; then
    mkdir -p "$OUT"
    swift package --package-path "$package" --allow-writing-to-package-directory \
        benchmark --no-progress --format jmh --path "$OUT" "$@"
fi
