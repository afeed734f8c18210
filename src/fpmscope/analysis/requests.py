"""The per-request stage: every probe record judged once, as the temp table `leak_requests`.

Each record gets its worker (a life of a pid), its endpoint, its position on the worker and
what the next request on the same worker found (DESIGN §4). Every later analysis (leaks,
workers, advise, latency, timelines) reads that table through the `Requests` handle that
`prepare` returns, so none of them can run before it is built, nor rebuild it with another
grouping.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from fpmscope.endpoints import DEFAULT_RULES, Rule, endpoint_sql
from fpmscope.ingest import IngestResult
from fpmscope.model.inputs import InputSummary
from fpmscope.sql import query, row

PAGE = 4096
# Requests a worker serves before it is judged: autoloaders, realpath and opcache fill up.
WORKER_WARMUP = 3


@dataclass(frozen=True, slots=True)
class LeakOptions:
    by: str = "endpoint"  # or "script"
    rules: tuple[Rule, ...] = DEFAULT_RULES
    top: int | None = None

    def __post_init__(self) -> None:
        if self.by not in ("endpoint", "script"):
            raise ValueError(f"by must be endpoint or script, not {self.by!r}")
        if self.top is not None and self.top < 1:
            raise ValueError("top must be at least 1")


@dataclass(frozen=True, slots=True)
class Requests:
    """The judged requests: `leak_requests` on `con`, grouped by `options`, and what the
    inputs held. Only `prepare` makes one."""

    con: duckdb.DuckDBPyConnection
    options: LeakOptions
    inputs: InputSummary
    # What later stages computed once from the table and share (e.g. the leak estimates that
    # leaks, workers and advise all use), by name.
    memo: dict[str, object] = field(default_factory=dict, compare=False, repr=False)


def _endpoint_expression(options: LeakOptions) -> tuple[str, dict[str, object]]:
    if options.by == "script":
        return "coalesce(script, '-')", {}
    expr, params = endpoint_sql("method", "split_part(uri, '?', 1)", options.rules)
    # A route name set by the application wins over the path.
    return f"CASE WHEN tag <> '' THEN coalesce(method, '-') || ' ' || tag ELSE {expr} END", params


@dataclass(frozen=True, slots=True)
class _Summary:
    """One row of sql/leak_summary.sql."""

    requests: int
    workers: int
    hosts: int
    first_ts: float | None
    last_ts: float | None
    warmup_requests: int | None
    unknown_requests: int | None
    unmeasured_requests: int | None


def prepare(con: duckdb.DuckDBPyConnection, ingest: IngestResult, options: LeakOptions) -> Requests:
    """Build `leak_requests` over the records in `requests` and summarize them."""
    expr, params = _endpoint_expression(options)
    sql = query("leak_requests").format(endpoint=expr, worker_warmup=WORKER_WARMUP, page=PAGE)
    con.execute(sql, params)
    found = row(con, "leak_summary", _Summary)
    inputs = InputSummary(
        files=ingest.files,
        records=found.requests,
        skipped_lines=ingest.skipped,
        skipped_example=ingest.skipped_example,
        workers=found.workers,
        hosts=found.hosts,
        first_ts=found.first_ts,
        last_ts=found.last_ts,
        warmup_requests=found.warmup_requests or 0,
        unknown_requests=found.unknown_requests or 0,
        unmeasured_requests=found.unmeasured_requests or 0,
    )
    return Requests(con=con, options=options, inputs=inputs)
