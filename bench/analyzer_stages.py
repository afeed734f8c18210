"""Where `fpmscope leaks` spends its time, query by query, on one probe log:

    .venv/bin/python bench/analyzer_stages.py LOG [JSON_OUT]

Runs the leaks pipeline (ingest, the per-request stage, the window fit, the report model) with
the DuckDB connection wrapped so that every statement is timed (wall and process CPU) and
named by its sql/*.sql file, or its first words, and its caller. Prints the stages' totals,
peak RSS, then the statements, the costliest first; with JSON_OUT, writes the report as
`fpmscope leaks --format json` prints it (to compare builds byte for byte).
"""

from __future__ import annotations

import collections
import hashlib
import inspect
import itertools
import resource
import sys
import time
from pathlib import Path
from typing import Any

import fpmscope.sql
from fpmscope import ingest, pipeline
from fpmscope.analysis import leaks
from fpmscope.analysis.requests import LeakOptions
from fpmscope.render import RenderOptions, renderer
from fpmscope.sql import query

NAMES = {query(p.stem).strip()[:300]: p.stem for p in Path(fpmscope.sql.__file__).parent.glob("*.sql")}
WALL: dict[str, float] = collections.defaultdict(float)
CPU: dict[str, float] = collections.defaultdict(float)
COUNT: collections.Counter[str] = collections.Counter()


class Timed:
    """A connection whose execute() is timed; everything else is the connection's."""

    def __init__(self, con: Any) -> None:
        self._con = con

    def execute(self, sql: str, *args: Any) -> Any:
        caller = inspect.stack()[1]
        label = f"{Path(caller.filename).stem}.{caller.function}: " + (
            NAMES.get(sql.strip()[:300]) or " ".join(sql.split())[:60]
        )
        wall, cpu = time.perf_counter(), time.process_time()
        result = self._con.execute(sql, *args)
        WALL[label] += time.perf_counter() - wall
        CPU[label] += time.process_time() - cpu
        COUNT[label] += 1
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)


def main() -> None:
    connect = ingest.connect
    pipeline.probe_ingest.connect = lambda *a, **k: Timed(connect(*a, **k))  # type: ignore[assignment]
    marks = [("start", time.perf_counter(), time.process_time())]
    requests, _ = pipeline.probe_requests((sys.argv[1],), None, LeakOptions())
    marks.append(("ingest + per-request stage", time.perf_counter(), time.process_time()))
    report = leaks.analyze(requests)
    marks.append(("window fit, statistics, report model", time.perf_counter(), time.process_time()))
    for (_, w0, c0), (name, w1, c1) in itertools.pairwise(marks):
        print(f"{name}: {w1 - w0:.2f} s wall, {c1 - c0:.2f} s CPU")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MB, load {Path('/proc/loadavg').read_text().split()[0]}")
    text = renderer("leaks", "json")(report, RenderOptions())
    print(f"report digest {hashlib.md5(text.encode()).hexdigest()[:8]}")
    if len(sys.argv) > 2:
        Path(sys.argv[2]).write_text(text, encoding="utf-8")
    print("| wall s | CPU s | runs | statement |\n|---:|---:|---:|---|")
    for label in sorted(WALL, key=lambda k: -CPU[k]):
        print(f"| {WALL[label]:.2f} | {CPU[label]:.2f} | {COUNT[label]} | {label} |")


if __name__ == "__main__":
    main()
