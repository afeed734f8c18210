"""Every probe log on every ClickHouse engine: the acceptance matrix of `--clickhouse`.

    PYTHONPATH=. .venv/bin/python bench/clickhouse_accuracy.py [LOG ...]

For each log (default: tests/data/fleet/*.log.gz and, when present, /work/accdata's shop,
s1-004, s1-005 and the two real-application leak runs), the whole report (leaks, workers,
advice, latency, timelines) from DuckDB is compared with the report analysed inside chdb
(26.x, in process), one 18.16 server, and a Distributed table over two 18.16 shards: the same
suspects, ranking, estimates within 1 %, and then everything equal (tests/fleet/test_analysis.py
asserts the same, one log per engine, in the default suite). Prints one line per log and engine.
"""

from __future__ import annotations

import logging
import sys
import tempfile
import time
from pathlib import Path

from tests.fleet.servers import drop_database, fresh_database, running_cluster
from tests.fleet.test_analysis import DATA, assert_same, clickhouse_report, duckdb_report

from fpmscope.fleet.store import ChdbStore

CORPUS = Path("/work/accdata")
EXTRA = ("shop", "s1-004", "s1-005", "realapps-wordpress-leak", "realapps-mediawiki-leak")


def main() -> int:
    logging.getLogger("clickhouse_driver").setLevel(logging.CRITICAL)
    logs = sys.argv[1:] or [
        *(str(p) for p in sorted(DATA.glob("*.log.gz"))),
        *(str(CORPUS / d / "probe.log") for d in EXTRA if (CORPUS / d / "probe.log").exists()),
    ]
    failed = 0
    with tempfile.TemporaryDirectory(prefix="fpmscope-chacc-") as tmp:
        root = Path(tmp)
        with running_cluster(root / "single", shards=1) as single, running_cluster(root / "pair", shards=2) as pair:
            for i, log in enumerate(logs):
                duck = duckdb_report(log)
                engines = {
                    "chdb": (None, f"chdb:{root / f'chdb{i}'}"),
                    "18.16": (single, None),
                    "2 shards": (pair, None),
                }
                for engine, (servers, url) in engines.items():
                    target = url or fresh_database(servers or [])
                    if url:
                        from fpmscope.fleet import schema
                        from fpmscope.fleet.store import connect

                        schema.create(connect(target))
                    started = time.perf_counter()
                    try:
                        assert_same(duck, clickhouse_report(target, log))
                        verdict = "same"
                    except AssertionError as exc:
                        why = str(exc) or "the reports differ beyond the leaks"
                        verdict = f"DIFFERENT: {why.splitlines()[0][:200]}"
                        failed += 1
                    finally:
                        if servers:
                            drop_database(servers, target)
                        else:
                            ChdbStore.close_all()
                    suspects = ", ".join(s.endpoint for s in duck.leaks.suspects) or "none"
                    print(
                        f"{Path(log).parent.name or log} {Path(log).name} | {engine} | {verdict} | "
                        f"{time.perf_counter() - started:.1f} s | suspects: {suspects}",
                        flush=True,
                    )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
