#!/usr/bin/env bash
# ClickHouse sizing and load cost for docs/fleet.md: bytes per row after compression (LZ4,
# the default, and ZSTD), and what `fpmscope load` costs. One command, from the repository root:
#
#     bench/fleet_sizing.sh [LINES]          (default: 500000 probe records and access lines)
#
# Generates the logs with bench/gen_probe.py and bench/gen_access.py, starts two throwaway
# clickhouse-servers (Debian's 18.16; one with ZSTD) on free loopback ports, loads, merges
# (OPTIMIZE ... FINAL), and prints system.parts per table and system.columns per column.
# Env: BENCH_DIR (default /tmp/fpmscope-bench) keeps the generated logs between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
lines=${1:-500000}
dir=${BENCH_DIR:-/tmp/fpmscope-bench}
mkdir -p "$dir"
py=.venv/bin/python
[ -x "$py" ] || scripts/setup.sh

probe="$dir/fleet-probe-$lines.log"
access="$dir/fleet-access-$lines.log"
[ -s "$probe" ] || "$py" bench/gen_probe.py "$lines" "$probe" >&2
[ -s "$access" ] || "$py" bench/gen_access.py --lines "$lines" -o "$access" --format e2e >&2

servers="$dir/fleet-servers"
rm -rf "$servers"
ports=$("$py" - "$servers" <<'PY'
import sys
from pathlib import Path
from fpmscope.fleet import local
root = Path(sys.argv[1])
lz4 = local.start(root / "lz4")
zstd = local.start(root / "zstd", extra_config="<compression><case><method>zstd</method></case></compression>")
print(lz4.tcp_port, zstd.tcp_port)
PY
)
read -r lz4 zstd <<<"$ports"
cleanup() { for p in "$servers"/*/server.json; do kill "$(sed 's/.*"pid": \([0-9]*\).*/\1/' "$p")" 2>/dev/null || true; done; }
trap cleanup EXIT

q() { clickhouse-client --host 127.0.0.1 --port "$1" --query "$2"; }
for port in "$lz4" "$zstd"; do
    q "$port" "CREATE DATABASE sizing"
    "$py" -m fpmscope clickhouse schema --create "clickhouse://127.0.0.1:$port/sizing" 2>/dev/null
done

url="clickhouse://127.0.0.1:$lz4/sizing"
for kind in probe access; do
    file=$probe; [ $kind = access ] && file=$access
    /usr/bin/time -f "%e s wall, %U+%S s CPU, %M KiB peak RSS" "$py" -m fpmscope load --clickhouse "$url" --host web1 "$file" 2>"$dir/fleet-load-$kind.err" >/dev/null
    echo "load $kind ($lines lines): $(tail -1 "$dir/fleet-load-$kind.err")"
done
for t in records hits; do
    q "$zstd" "INSERT INTO sizing.fpmscope_$t SELECT * FROM remote('127.0.0.1:$lz4', sizing.fpmscope_$t)"
    for port in "$lz4" "$zstd"; do q "$port" "OPTIMIZE TABLE sizing.fpmscope_$t FINAL"; done
done
for port in "$lz4" "$zstd"; do
    name=LZ4; [ "$port" = "$zstd" ] && name=ZSTD
    echo
    echo "## $name"
    q "$port" "SELECT table, sum(rows) AS n, sum(bytes_on_disk) AS disk, round(sum(bytes_on_disk) / sum(rows), 1) AS disk_per_row,
        round(sum(data_uncompressed_bytes) / sum(rows), 1) AS uncompressed_per_row
        FROM system.parts WHERE database = 'sizing' AND active GROUP BY table ORDER BY table FORMAT PrettyCompactMonoBlock"
    q "$port" "SELECT table, name, type, round(data_compressed_bytes / $lines, 2) AS per_row
        FROM system.columns WHERE database = 'sizing' ORDER BY table, data_compressed_bytes DESC FORMAT PrettyCompactMonoBlock"
done
echo
echo "gzip -6 of the logs, bytes per line: probe $(( $(gzip -c "$probe" | wc -c) / lines )), access $(( $(gzip -c "$access" | wc -c) / lines ))"
