#!/usr/bin/env bash
# `slow` inside ClickHouse (two 18.16 shards on loopback, a Distributed table) beside DuckDB's
# `slow` on the same generated access log. One command, from the repository root:
#
#     bench/clickhouse_slow.sh [LINES ...]          (default: 1000000)
#
# Needs clickhouse-server (scripts/setup.sh installs it). Env: BENCH_DIR keeps the logs.
set -euo pipefail
cd "$(dirname "$0")/.."
for n in "${@:-1000000}"; do
    .venv/bin/python bench/clickhouse_slow.py "$n"
done
