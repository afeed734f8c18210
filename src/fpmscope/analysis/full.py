"""Everything `fpmscope report` shows, computed once into a FullReport."""

from __future__ import annotations

import duckdb

from fpmscope.analysis.latency import build_latency
from fpmscope.analysis.leaks import LeakOptions, analyze
from fpmscope.analysis.timelines import DEFAULT_TIMELINES, TimelineOptions, build_timelines
from fpmscope.fullreport import FullReport
from fpmscope.ingest import IngestResult


def build(
    con: duckdb.DuckDBPyConnection,
    ingest: IngestResult,
    options: LeakOptions,
    *,
    timeline_options: TimelineOptions = DEFAULT_TIMELINES,
    slow: object | None = None,
    notes: tuple[str, ...] = (),
) -> FullReport:
    """The report over the records in `requests`.

    `slow` is the access-log SlowReport when the caller has one (commands/report.py); the
    latency section from the probe's wall time is there either way.
    """
    leaks = analyze(con, ingest, options)
    timelines = build_timelines(con, [s.endpoint for s in leaks.suspects], timeline_options)
    latency = build_latency(con)
    return FullReport(
        verdict=leaks.verdict,
        leaks=leaks,
        timelines=timelines,
        latency=latency,
        slow=slow,
        notes=notes,
    )
