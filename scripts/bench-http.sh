#!/usr/bin/env bash
# Scrape benchmarks of `promkit serve` over loopback (see docs/HTTP.md for the recorded figures).
#
#   scripts/bench-http.sh [PROMKIT]     PROMKIT defaults to .build/release/promkit
#
# 1. W1 100k: scrape latency (curl, 10 runs each, median) with identity and gzip, next to the render time alone
#    (`promkit render`, when PROMKIT has the render command).
# 2. W3 with keep-alive: requests/s with wrk (2 threads, 16 connections, 10 s), identity and gzip.
# Needs curl and wrk (/usr/bin/wrk, Debian package `wrk`). Everything runs on 127.0.0.1 and stops by itself.
set -euo pipefail

PROMKIT=${1:-.build/release/promkit}
RENDER_PROMKIT=${RENDER_PROMKIT:-$PROMKIT} # a promkit with the render command, for the render-alone figure
RUNS=${RUNS:-10}
DURATION=${DURATION:-10s}
work=$(mktemp -d)
server_pid=""
cleanup() {
    if [[ -n "$server_pid" ]]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

# Starts `promkit serve` on a free port; sets server_pid and url.
start_server() {
    "$PROMKIT" serve --port 0 "$@" >"$work/serve.out" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 600); do
        url=$(grep -o 'http://[^ ]*' "$work/serve.out" 2>/dev/null || true)
        [[ -n "$url" ]] && return 0
        sleep 0.1
    done
    echo "promkit serve did not start:" >&2; cat "$work/serve.out" >&2; exit 1
}

stop_server() {
    kill -TERM "$server_pid"; wait "$server_pid" || true; server_pid=""
}

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }

# Prints "first-byte-ms total-ms bytes" medians over RUNS scrapes.
scrape_latency() {
    local encoding=$1
    curl -s -o /dev/null -H "Accept-Encoding: $encoding" "$url" # warm-up: buffers, pools, page cache
    for _ in $(seq 1 "$RUNS"); do
        curl -s -o /dev/null -H "Accept-Encoding: $encoding" -w '%{time_starttransfer} %{time_total} %{size_download}\n' "$url"
    done >"$work/lat"
    printf '%-9s first byte %6.1f ms   total %6.1f ms   %9d bytes\n' "$encoding" \
        "$(awk '{print $1 * 1000}' "$work/lat" | median)" "$(awk '{print $2 * 1000}' "$work/lat" | median)" \
        "$(awk '{print $3}' "$work/lat" | median)"
}

echo "== W1 100k series: scrape latency over loopback (median of $RUNS, writers incrementing) =="
start_server --workload W1 --series 100000
scrape_latency identity
scrape_latency gzip
stop_server
if "$RENDER_PROMKIT" render --help >/dev/null 2>&1; then
    echo "-- render alone (promkit render, best of 5):"
    "$RENDER_PROMKIT" render --workload W1 --series 100000 --repeats 5 2>&1 | sed 's/^/   /'
    "$RENDER_PROMKIT" render --workload W1 --series 100000 --repeats 5 --gzip 1 2>&1 | sed 's/^/   /'
fi

echo "== W3: requests/s with keep-alive (wrk -t2 -c16 -d$DURATION) =="
start_server --workload W3 --writers 1
for encoding in identity gzip; do
    echo "-- $encoding"
    wrk -t2 -c16 -d"$DURATION" -H "Accept-Encoding: $encoding" "$url" | grep -E 'Requests/sec|Latency|Transfer/sec|Non-2xx|Socket errors'
done
stop_server
