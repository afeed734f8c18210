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

from fpmscope.endpoint_templates import DEFAULT_MIN_VALUES, Template, collapse
from fpmscope.endpoints import DEFAULT_ROUTE_PARAMS, DEFAULT_RULES, Rule, naming_sql
from fpmscope.ingest import IngestResult
from fpmscope.model.inputs import InputSummary
from fpmscope.sql import Cursor, query, row

PAGE = 4096
# Requests a worker serves before it is judged: autoloaders, realpath and opcache fill up.
WORKER_WARMUP = 3


@dataclass(frozen=True, slots=True)
class LeakOptions:
    by: str = "endpoint"  # or "script"
    rules: tuple[Rule, ...] = DEFAULT_RULES
    top: int | None = None
    route_params: tuple[str, ...] = DEFAULT_ROUTE_PARAMS
    # Distinct values that make a path position an inferred template; 0 turns inference off.
    infer_min: int = DEFAULT_MIN_VALUES

    def __post_init__(self) -> None:
        if self.by not in ("endpoint", "script"):
            raise ValueError(f"by must be endpoint or script, not {self.by!r}")
        if self.top is not None and self.top < 1:
            raise ValueError("top must be at least 1")


@dataclass(frozen=True, slots=True)
class Requests:
    """The judged requests: `leak_requests` on `con`, grouped by `options`, and what the
    inputs held. Only `prepare` (DuckDB) and `fleet.analysis.prepare` (ClickHouse: `con`
    speaks its dialect, sql/__init__.py) make one."""

    con: Cursor
    options: LeakOptions
    inputs: InputSummary
    # The templates inferred for the endpoint names (endpoint_templates.py).
    templates: tuple[Template, ...] = ()
    # What later stages computed once from the table and share (e.g. the leak estimates that
    # leaks, workers and advise all use), by name.
    memo: dict[str, object] = field(default_factory=dict, compare=False, repr=False)


# A route name (set by the application, or read from its framework by the probe) wins over
# the path; endpoint_sql keeps a name as it is and normalizes a path.
_NAMED = "CASE WHEN tag <> '' THEN tag ELSE coalesce(uri, '') END"


def _name_keys(con: duckdb.DuckDBPyConnection, options: LeakOptions) -> tuple[Template, ...]:
    """Name every distinct request identity (temp table leak_keys), infer templates over the
    distinct paths of those names, and collapse the names they match. Each path is normalized
    once: inferring over the paths normalized a second time cost about 6 % of `leaks`."""
    keys = query("leak_keys")
    if options.by == "script":
        con.execute(keys.format(named="NULL", endpoint="coalesce(script, '-')", plain="false", plain_endpoint="NULL"))
        return ()
    naming, params = naming_sql("method", "named", options.rules, options.route_params)
    con.execute(keys.format(named=_NAMED, **naming), params)
    return collapse(con, "leak_keys", options.infer_min)


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


@dataclass(frozen=True, slots=True)
class _Sampling:
    """The row of sql/sample_share.sql."""

    share: float | None


def prepare(con: duckdb.DuckDBPyConnection, ingest: IngestResult, options: LeakOptions) -> Requests:
    """Build `leak_requests` over the records in `requests` and summarize them."""
    templates = _name_keys(con, options)
    con.execute(query("leak_requests").format(worker_warmup=WORKER_WARMUP, page=PAGE))
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
        sampled_share=row(con, "sample_share", _Sampling).share,
    )
    return Requests(con=con, options=options, inputs=inputs, templates=templates)
