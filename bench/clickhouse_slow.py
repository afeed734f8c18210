"""`slow` inside ClickHouse beside DuckDB's `slow`, on the same generated access log.

    .venv/bin/python bench/clickhouse_slow.py LINES [--dir DIR]

Generates LINES access-log lines (bench/gen_access.py, combined + upstream time + $request_id,
high cardinality: slugs and hashed assets), starts two Debian 18.16 servers on loopback as the
two shards of the cluster `fpmscope` (fleet/local.py), loads the log with `fpmscope load` into
the Distributed table (half the lines as one host, half as another, so both shards hold some),
and times `slow` by total and by p95: DuckDB from the files (reading included: DuckDB's slow
parses as it goes), ClickHouse on the loaded rows. Prints one markdown row per sort with the
load average, and whether the two tables are the same. Ratios only: the machine is shared.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from fpmscope.analysis.slow import SlowOptions
from fpmscope.fleet import load as fleet_load
from fpmscope.fleet import schema
from fpmscope.fleet import slow as fleet_slow
from fpmscope.fleet.analysis import Filters, FleetQuery
from fpmscope.fleet.local import CLUSTER, running_cluster
from fpmscope.fleet.store import connect
from fpmscope.model.slow import SlowReport
from fpmscope.pipeline import slow_report


def _table(report: SlowReport) -> tuple[object, ...]:
    """What must agree: the endpoints and the row of the others, their names and figures."""
    return (report.endpoint_count, report.endpoints, report.others, report.inferred_templates)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("lines", type=int)
    parser.add_argument("--dir", type=Path, default=Path(os.environ.get("BENCH_DIR", "/tmp/fpmscope-bench")))
    args = parser.parse_args()
    logging.getLogger("clickhouse_driver").setLevel(logging.CRITICAL)
    args.dir.mkdir(parents=True, exist_ok=True)
    log = args.dir / f"access-{args.lines}.log"
    if not log.exists():
        generate = [sys.executable, "bench/gen_access.py", "--lines", str(args.lines), "-o", str(log)]
        subprocess.run([*generate, "--format", "e2e", "--cardinality", "high"], check=True)
    lines = log.read_text().splitlines(keepends=True)
    halves = [args.dir / f"access-{args.lines}-a.log", args.dir / f"access-{args.lines}-b.log"]
    halves[0].write_text("".join(lines[: len(lines) // 2]))
    halves[1].write_text("".join(lines[len(lines) // 2 :]))
    del lines

    with tempfile.TemporaryDirectory(prefix="fpmscope-bench-ch-") as tmp, running_cluster(Path(tmp)) as servers:
        url = f"clickhouse://127.0.0.1:{servers[0].tcp_port}/default"
        store = connect(url)
        schema.create(store, CLUSTER)
        started = time.perf_counter()
        for host, half in zip(("web1", "h1"), halves, strict=True):  # one host on each shard
            fleet_load.load(store, [str(half)], host=host, fmt=None)
        load_s = time.perf_counter() - started
        store.close()
        print(
            "| lines | sort | DuckDB slow s (read + analysis) | ClickHouse load s | ClickHouse slow s"
            " | ratio | same table | load avg 1/5 min |"
        )
        print("|---|---|---|---|---|---|---|---|")
        for sort in ("total", "p95"):
            options = SlowOptions(sort=sort, top=40)
            started = time.perf_counter()
            duck = slow_report(tuple(str(h) for h in halves), None, options)
            duck_s = time.perf_counter() - started
            started = time.perf_counter()
            ch = fleet_slow.slow_report(FleetQuery(url, Filters()), options)
            ch_s = time.perf_counter() - started
            same = _table(duck) == _table(ch) and [s.time_ms for s in duck.slowest] == [s.time_ms for s in ch.slowest]
            load1, load5, _ = os.getloadavg()
            print(
                f"| {args.lines:,} | {sort} | {duck_s:.1f} | {load_s:.1f} | {ch_s:.1f} | {ch_s / duck_s:.2f}"
                f" | {'yes' if same else 'NO'} | {load1:.1f} / {load5:.1f} |"
            )
            if not same:
                first = (dataclasses.asdict(duck)["endpoints"][:1], dataclasses.asdict(ch)["endpoints"][:1])
                print(f"first endpoints differ: {first}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
