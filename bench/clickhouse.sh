#!/usr/bin/env bash
# Analysis inside ClickHouse (two 18.16 shards on loopback, a Distributed table) beside DuckDB
# on the same generated records. One command, from the repository root:
#
#     bench/clickhouse.sh [RECORDS ...]          (default: 1000000)
#
# Needs clickhouse-server (scripts/setup.sh installs it). Env: BENCH_DIR keeps the logs.
set -euo pipefail
cd "$(dirname "$0")/.."
for n in "${@:-1000000}"; do
    .venv/bin/python bench/clickhouse.py "$n"
done
