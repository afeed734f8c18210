#!/usr/bin/env bash
# Probe overhead, one command from the repository root (installs wrk and the venv if missing):
#
#     bench/probe_overhead.sh [--pairs 10] [--duration 3] [--pages hello,1ms,10ms] [--json FILE]
#
# See bench/probe_overhead.py for what is measured.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v wrk >/dev/null 2>&1; then
    echo "installing wrk" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
[ -x .venv/bin/python ] || scripts/setup.sh
exec .venv/bin/python bench/probe_overhead.py "$@"
