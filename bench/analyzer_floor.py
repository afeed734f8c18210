"""How far the analyzer is from the least any DuckDB pipeline must do, in the same run:

    .venv/bin/python bench/analyzer_floor.py PROBE_LOG ACCESS_LOG [ROUNDS]

Issue 17 asks `leaks` for 1 M records/s and issue 13 asks `slow` for 1 M lines/s and 3x the
awk per-URL sum. Before blaming the pipeline, this measures what cannot be left out, with the
DuckDB the tool uses, on the same files, interleaved with the tools themselves (ROUNDS rounds,
default 3; medians; machines here differ 2-3x in speed, so only the ratios travel):

- probe log: DuckDB's CSV reader reading every record (count); the same read plus the one
  windowed step the next-start method cannot do without (per worker, in request order, the
  next record's anonymous memory minus this one's); `fpmscope leaks --top 20`.
- access log: the read (count); the read plus a group by raw URL with count and sum (awk's
  per-URL job, in DuckDB); the same grouped by request line, each distinct line then named
  by the endpoint expression `slow` uses (endpoints.naming_sql: its two branches, default
  rules and routing parameters), the least a pipeline that names endpoints does, in one
  pass with no row kept; `fpmscope slow --top 20`; the awk per-URL pipeline of
  bench/analyzer_access.sh.

The floors are lower bounds of the tools' own work: no template inference, no fit, no
percentiles, no report.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from fpmscope.endpoints import DEFAULT_ROUTE_PARAMS, DEFAULT_RULES, naming_sql, route_query_keep_sql

ROOT = Path(__file__).resolve().parent.parent
FPMSCOPE = str(ROOT / ".venv" / "bin" / "fpmscope")
PER_URL_AWK = (
    'awk \'{split($7, u, "?"); n[u[1]]++; s[u[1]] += $NF}'
    ' END {for (k in n) printf "%.4f %d %s\\n", s[k] / n[k], n[k], k}\' "$1" | sort -rn | head -20'
)


def probe_reader(path: str) -> str:
    cols = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(30))
    return (
        f"read_csv('{path}', delim = '\\t', quote = '', escape = '', header = false, auto_detect = false,"
        f" null_padding = true, strict_mode = false, ignore_errors = true, columns = {{{cols}}})"
    )


def access_reader(path: str) -> str:
    cols = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(11))
    return (
        f"read_csv('{path}', delim = ' ', quote = '\"', escape = '\"', header = false, auto_detect = false,"
        f" strict_mode = false, ignore_errors = true, columns = {{{cols}}})"
    )


def duck(sql: str, params: dict[str, object] | None = None) -> Callable[[], None]:
    def run() -> None:
        con = duckdb.connect()
        try:
            con.execute(sql, params).fetchall()
        finally:
            con.close()

    return run


def command(*argv: str) -> Callable[[], None]:
    def run() -> None:
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env={**os.environ, "LC_ALL": "C"})

    return run


def lines(path: str) -> int:
    with open(path, "rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 24), b""))


def main() -> None:
    probe, access = sys.argv[1], sys.argv[2]
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    p, a = probe_reader(probe), access_reader(access)
    # Columns of a format-2 record: c1 host, c2 pool, c3 pid, c5 ts, c9 anon at start.
    lead = (
        "SELECT count(*), sum(d) FROM (SELECT lead(c9::BIGINT) OVER w - c9::BIGINT AS d"
        f" FROM {p} WINDOW w AS (PARTITION BY c1, c2, c3 ORDER BY c5::DOUBLE))"
    )
    group = (
        "SELECT count(*) FROM (SELECT split_part(c5, '?', 1), count(*), sum(TRY_CAST(c10 AS DOUBLE))"
        f" FROM {a} GROUP BY 1)"
    )
    # c5 is the request line; the route-keeping cut and the two naming branches of slow_paths.sql.
    naming, params = naming_sql("method", "path", DEFAULT_RULES, DEFAULT_ROUTE_PARAMS)
    path = route_query_keep_sql("split_part(request, ' ', 2)", DEFAULT_ROUTE_PARAMS)
    lines_sql = (
        f"SELECT request, split_part(request, ' ', 1) AS method, {path} AS path, n, total FROM"
        f" (SELECT c5 AS request, count(*) AS n, sum(TRY_CAST(c10 AS DOUBLE)) AS total FROM {a} GROUP BY 1)"
    )
    named = (
        f"WITH lines AS MATERIALIZED ({lines_sql}) SELECT count(DISTINCT endpoint) FROM ("
        f"SELECT {naming['endpoint']} AS endpoint FROM lines WHERE NOT {naming['plain']} UNION ALL"
        f" SELECT {naming['plain_endpoint']} FROM lines WHERE {naming['plain']})"
    )
    steps: list[tuple[str, str, Callable[[], None]]] = [
        ("probe", "DuckDB reads every record", duck(f"SELECT count(*) FROM {p}")),
        ("probe", "+ next record's memory per worker (lead)", duck(lead)),
        ("probe", "fpmscope leaks --top 20", command(FPMSCOPE, "leaks", "--top", "20", probe)),
        ("access", "DuckDB reads every line", duck(f"SELECT count(*) FROM {a}")),
        ("access", "+ group by URL, count and sum", duck(group)),
        ("access", "+ by request line, each line named (one pass)", duck(named, params)),
        ("access", "fpmscope slow --top 20", command(FPMSCOPE, "slow", "--top", "20", access)),
        ("access", "awk per-URL mean, sort, head", command("sh", "-c", PER_URL_AWK, "sh", access)),
    ]
    counts = {"probe": lines(probe), "access": lines(access)}
    times: dict[str, list[float]] = {name: [] for _, name, _ in steps}
    loads = []
    for _ in range(rounds):
        for _, name, run in steps:
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
        loads.append(float(Path("/proc/loadavg").read_text().split()[0]))
    print(
        f"machine: {os.cpu_count()} CPUs, DuckDB {duckdb.__version__}, {rounds} rounds interleaved,"
        f" load {min(loads):.1f}-{max(loads):.1f}; medians"
    )
    print()
    print("| log | lines | step | seconds | M lines/s | share of 1 M lines/s budget |")
    print("|---|---:|---|---:|---:|---:|")
    for log, name, _ in steps:
        s = statistics.median(times[name])
        n = counts[log]
        print(f"| {log} | {n:,} | {name} | {s:.2f} | {n / s / 1e6:.2f} | {s / (n / 1e6):.0%} |")
    print()
    print("every run (s): " + "; ".join(f"{n}: {' '.join(f'{t:.2f}' for t in ts)}" for n, ts in times.items()))


if __name__ == "__main__":
    main()
