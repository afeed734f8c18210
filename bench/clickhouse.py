"""Analysis inside ClickHouse beside DuckDB, on the same generated records.

    .venv/bin/python bench/clickhouse.py RECORDS [--dir DIR]

Generates RECORDS probe records (bench/gen_probe.py), starts two Debian 18.16 servers on
loopback as the two shards of the cluster `fpmscope` (fleet/local.py), loads the records into
the Distributed table (sharded by host), and times the same analysis (the per-request stage,
then `leaks`) in DuckDB and inside ClickHouse. Reading the log into DuckDB and loading
ClickHouse are timed apart: the comparison is of the analysis alone. Prints one markdown row
with the load average, and checks that both engines found the same suspects. Ratios only:
the machine is shared.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from fpmscope import ingest
from fpmscope.analysis import leaks
from fpmscope.analysis.requests import LeakOptions, prepare
from fpmscope.fleet import schema
from fpmscope.fleet.analysis import Filters, FleetQuery
from fpmscope.fleet.local import CLUSTER, running_cluster
from fpmscope.fleet.store import connect
from fpmscope.pipeline import finish, fleet_requests
from fpmscope.records import RECORD_FIELDS

BATCH = 100_000
_READ = [name for name, _ in RECORD_FIELDS] + ["worker_start"]
_STRINGS = {name for name, kind in RECORD_FIELDS if kind == "VARCHAR"}


def load(url: str, con: object) -> float:
    """Insert the DuckDB table `requests` into the store's records; seconds taken."""
    started = time.perf_counter()
    store = connect(url)
    names = [n for n, _ in schema.RECORD_COLUMNS]
    cursor = con.execute(f"SELECT {', '.join(_READ)} FROM requests")  # type: ignore[attr-defined]
    while batch := cursor.fetchmany(BATCH):
        rows = []
        for values in batch:
            r = {k: ("" if v is None and k in _STRINGS else v) for k, v in zip(_READ, values, strict=True)}
            r["day"] = dt.datetime.fromtimestamp(float(r["ts"]), dt.UTC).date()
            r["rid"] = schema.record_identity(r)
            r["source"] = "bench"
            rows.append([r[n] for n in names])
        store.insert(schema.RECORDS, names, rows)
    store.close()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("records", type=int)
    parser.add_argument("--dir", type=Path, default=Path(os.environ.get("BENCH_DIR", "/tmp/fpmscope-bench")))
    args = parser.parse_args()
    logging.getLogger("clickhouse_driver").setLevel(logging.CRITICAL)
    args.dir.mkdir(parents=True, exist_ok=True)
    log = args.dir / f"probe-{args.records}.log"
    if not log.exists():
        subprocess.run([sys.executable, "bench/gen_probe.py", str(args.records), str(log)], check=True)
    options = LeakOptions(top=20)

    started = time.perf_counter()
    con = ingest.connect(None)
    result = ingest.ingest(con, (str(log),))
    read = time.perf_counter() - started
    started = time.perf_counter()
    duck = leaks.analyze(prepare(con, result, options))
    duck_s = time.perf_counter() - started

    with tempfile.TemporaryDirectory(prefix="fpmscope-bench-ch-") as tmp, running_cluster(Path(tmp)) as servers:
        url = f"clickhouse://127.0.0.1:{servers[0].tcp_port}/default"
        schema.create(connect(url), CLUSTER)
        loaded = load(url, con)
        started = time.perf_counter()
        requests, _ = fleet_requests(FleetQuery(url, Filters()), options)
        ch = leaks.analyze(requests)
        finish(requests)
        ch_s = time.perf_counter() - started
    same = [s.endpoint for s in duck.suspects] == [s.endpoint for s in ch.suspects]
    load1, load5, _ = os.getloadavg()
    print(
        "| records | DuckDB read s | DuckDB analysis s | ClickHouse load s | ClickHouse analysis s | ratio "
        "| same suspects | load avg 1/5 min |"
    )
    print("|---|---|---|---|---|---|---|---|")
    print(
        f"| {result.rows:,} | {read:.1f} | {duck_s:.1f} | {loaded:.1f} | {ch_s:.1f} | {ch_s / duck_s:.2f} | "
        f"{'yes' if same else 'NO'} | {load1:.1f} / {load5:.1f} |"
    )
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
