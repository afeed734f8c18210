#!/usr/bin/env bash
# A local two-shard ClickHouse on 127.0.0.1 for trying fpmscope's fleet mode (docs/fleet.md).
#
#   scripts/clickhouse-local-cluster.sh start [DIR]   two clickhouse-servers (shards of cluster
#                                                     `fpmscope`) on ports 19000 and 19001, tables created
#   scripts/clickhouse-local-cluster.sh demo [DIR]    runs `fpmscope demo`, ships its logs with
#                                                     `fpmscope ship`, shows what each shard holds
#   scripts/clickhouse-local-cluster.sh stop [DIR]    stops the servers
#
# DIR defaults to /tmp/fpmscope-clickhouse; PORT (env) moves the first port. Needs
# clickhouse-server and clickhouse-client (scripts/setup.sh installs them).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
action="${1:-}"
dir="${2:-/tmp/fpmscope-clickhouse}"
port="${PORT:-19000}"
python="${PYTHON:-$here/.venv/bin/python}"
[ -x "$python" ] || python=python3
fpmscope=("$python" -m fpmscope)
url="clickhouse://127.0.0.1:$port/default"
query() { clickhouse-client --host 127.0.0.1 --port "$port" --query "$1"; }

case "$action" in
start)
    "$python" -m fpmscope.fleet.local start "$dir" --shards 2 --port "$port" >/dev/null
    "${fpmscope[@]}" clickhouse schema --create "$url" --cluster fpmscope
    echo "$url"
    ;;
demo)
    demo="$dir/demo"
    rm -rf "$demo"
    "${fpmscope[@]}" demo --keep "$demo" >/dev/null
    logs=("$demo/servers/probe.log" "$demo/servers/access.log")
    want_records=$(wc -l <"${logs[0]}")
    want_requests=$(wc -l <"${logs[1]}")
    "${fpmscope[@]}" ship --clickhouse "$url" --checkpoint "$dir/ship.json" --batch-seconds 0.5 "${logs[@]}" &
    shipper=$!
    trap 'kill "$shipper" 2>/dev/null || true' EXIT
    for _ in $(seq 1 600); do
        records=$(query "SELECT count() FROM fpmscope_records FINAL")
        requests=$(query "SELECT count() FROM fpmscope_hits FINAL")
        [ "$records" -ge "$want_records" ] && [ "$requests" -ge "$want_requests" ] && break
        sleep 0.2
    done
    kill -TERM "$shipper" && wait "$shipper" || true
    trap - EXIT
    echo "demo logs: $want_records probe records, $want_requests requests; in ClickHouse:"
    for p in "$port" $((port + 1)); do
        n=$(clickhouse-client --host 127.0.0.1 --port "$p" --query "SELECT count() FROM fpmscope_records_local FINAL")
        h=$(clickhouse-client --host 127.0.0.1 --port "$p" --query "SELECT count() FROM fpmscope_hits_local FINAL")
        echo "  shard on port $p: $n probe records, $h requests"
    done
    echo "  all shards (Distributed): $(query "SELECT count() FROM fpmscope_records FINAL") probe records, $(query "SELECT count() FROM fpmscope_hits FINAL") requests"
    ;;
stop)
    "$python" -m fpmscope.fleet.local stop "$dir"
    ;;
*)
    sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
