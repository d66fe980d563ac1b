#!/usr/bin/env bash
# Copies the conformance inputs into Fuzz/Corpus/<Target>/ as libFuzzer seed corpora.
# Usage: scripts/seed-fuzz-corpus.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cases="$root/Tests/Fixtures/conformance/cases"
for target in FuzzParserText FuzzParserOpenMetrics FuzzParserSplit; do
    rm -rf "$root/Fuzz/Corpus/$target"
    mkdir -p "$root/Fuzz/Corpus/$target"
done
for dir in "$cases"/*/; do
    name="$(basename "$dir")"
    input="$dir/input"
    [ -f "$input" ] || continue
    if grep -qx 'openmetrics-1.0' "$dir/format"; then
        cp "$input" "$root/Fuzz/Corpus/FuzzParserOpenMetrics/$name"
        control='\x01'
    else
        cp "$input" "$root/Fuzz/Corpus/FuzzParserText/$name"
        control='\x00'
    fi
    # FuzzParserSplit reads a control byte first: bit 0 selects OpenMetrics.
    { printf "$control"; cat "$input"; } > "$root/Fuzz/Corpus/FuzzParserSplit/$name"
done
echo "seeded $(ls "$root/Fuzz/Corpus/FuzzParserSplit" | wc -l) inputs per target into Fuzz/Corpus/"
