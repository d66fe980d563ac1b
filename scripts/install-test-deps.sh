#!/usr/bin/env bash
# Installs what the tests need and fails loudly when something cannot be had:
#   zlib1g-dev       the system zlib (PromGzip links it)
#   prometheus       promtool (the reference linter) and the Prometheus server the HTTP tests scrape with
#   openssl          makes the self-signed certificate of the TLS scrape test
#   prometheus_client (pip) the Python reference parser the exposition tests compare with
set -euo pipefail

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        echo "error: need root (or sudo) to run: $*" >&2
        exit 1
    fi
}

missing_apt=()
[ -f /usr/include/zlib.h ] || missing_apt+=(zlib1g-dev)
command -v promtool >/dev/null && [ -x /usr/bin/prometheus ] || missing_apt+=(prometheus)
[ -x /usr/bin/openssl ] || missing_apt+=(openssl)
if [ ${#missing_apt[@]} -gt 0 ]; then
    echo "installing ${missing_apt[*]} (apt)"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing_apt[@]}" >/dev/null
fi

if ! python3 -c 'import prometheus_client' 2>/dev/null; then
    echo "installing prometheus_client (pip)"
    python3 -m pip install --quiet prometheus_client
fi

status=0
[ -f /usr/include/zlib.h ] || { echo "error: zlib.h is still missing (apt package zlib1g-dev)" >&2; status=1; }
command -v promtool >/dev/null || { echo "error: promtool is still missing (apt package prometheus)" >&2; status=1; }
[ -x /usr/bin/prometheus ] || { echo "error: /usr/bin/prometheus is still missing (apt package prometheus)" >&2; status=1; }
[ -x /usr/bin/openssl ] || { echo "error: /usr/bin/openssl is still missing (apt package openssl)" >&2; status=1; }
python3 -c 'import prometheus_client' 2>/dev/null || { echo "error: python prometheus_client is still missing" >&2; status=1; }
exit $status
