"""Everything `fpmscope report` shows, computed once into a FullReport."""

from __future__ import annotations

import duckdb

from fpmscope.analysis import advise, workers
from fpmscope.analysis.latency import build_latency
from fpmscope.analysis.leaks import LeakOptions, analyze
from fpmscope.analysis.timelines import DEFAULT_TIMELINES, TimelineOptions, build_timelines
from fpmscope.fullreport import FullReport
from fpmscope.ingest import IngestResult
from fpmscope.slowreport import SlowReport


def build(
    con: duckdb.DuckDBPyConnection,
    ingest: IngestResult,
    options: LeakOptions,
    *,
    timeline_options: TimelineOptions = DEFAULT_TIMELINES,
    slow: SlowReport | None = None,
    budget: tuple[int, int] | None = None,
) -> FullReport:
    """The report over the records in `requests`.

    `slow` is the access-log SlowReport when the caller has one (commands/report.py); the
    latency section from the probe's wall time is there either way. `budget` is (memory,
    reserve) in bytes; with it the report carries fpmscope advise's pm.* advice.
    """
    leaks = analyze(con, ingest, options)
    timelines = build_timelines(con, [s.endpoint for s in leaks.suspects], timeline_options)
    latency = build_latency(con)
    # Every section reads the leak_requests that analyze() built with the caller's grouping.
    lives = workers.analyze(con, ingest, options, prepared=True)
    advice = advise.analyze(con, ingest, *budget, options, prepared=True) if budget is not None else None
    return FullReport(
        verdict=leaks.verdict,
        leaks=leaks,
        timelines=timelines,
        latency=latency,
        slow=slow,
        workers=lives,
        advice=advice,
    )
