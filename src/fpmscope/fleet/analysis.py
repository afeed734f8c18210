"""The per-request stage inside ClickHouse: the twin of analysis/requests.py's `prepare`.

It fills the session's temporary tables `requests` (the fleet's records within the filters)
and `leak_requests` (sql/clickhouse/leak_requests.sql) and returns the same `Requests` handle,
whose connection speaks ClickHouse: every later analysis (leaks, workers, advise, report)
then runs its own code, loading the ClickHouse twin of each of its SQL files. Only small
results cross to Python: per endpoint, per worker, the fit's k×k sums.

Two inputs are computed by DuckDB in process, from small results, so that both engines agree
exactly: the inferred templates (over the distinct normalized paths, endpoint_templates.infer),
and the order of workers by DuckDB's hash of their names (which half of the workers each is in).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

from fpmscope import endpoints_clickhouse as ch
from fpmscope.analysis.requests import (
    PAGE,
    WORKER_WARMUP,
    LeakOptions,
    Requests,
    _Sampling,
    _Summary,
)
from fpmscope.endpoint_templates import Template, infer_list
from fpmscope.errors import FpmscopeError
from fpmscope.fleet import schema
from fpmscope.model.inputs import InputSummary
from fpmscope.sql import CLICKHOUSE, Cursor, query, row

# Workers ranked per statement (leak_worker_rank.sql): keeps each statement's text small.
RANK_BATCH = 20_000

_NAMED = "if(tag != '', tag, uri)"


@dataclass(frozen=True, slots=True)
class Filters:
    """Which records: [since, until) in unix seconds, and hosts and pools (none: all)."""

    since: float | None = None
    until: float | None = None
    hosts: tuple[str, ...] = ()
    pools: tuple[str, ...] = ()

    def where(self) -> tuple[str, dict[str, object]]:
        """A WHERE condition of fixed pieces, and its bound values."""
        parts, params = ["1"], dict[str, object]()
        if self.since is not None:
            parts.append("ts >= $since")
            params["since"] = float(self.since)
        if self.until is not None:
            parts.append("ts < $until")
            params["until"] = float(self.until)
        if self.hosts:
            parts.append("has(CAST($hosts AS Array(String)), toString(host))")
            params["hosts"] = list(self.hosts)
        if self.pools:
            parts.append("has(CAST($pools AS Array(String)), toString(pool))")
            params["pools"] = list(self.pools)
        return " AND ".join(parts), params


@dataclass(frozen=True, slots=True)
class FleetQuery:
    """The records of the ClickHouse store at `url` within `filters`."""

    url: str
    filters: Filters

    def describe(self) -> str:
        """How the reports name the input: the URL without its password, and the filters."""
        url = re.sub(r"(//[^:/@]*):[^@/]*@", r"\1@", self.url)
        f = self.filters
        parts = [url]
        if f.since is not None:
            parts.append(f"since {_utc(f.since)}")
        if f.until is not None:
            parts.append(f"until {_utc(f.until)}")
        if f.hosts:
            parts.append("host " + ",".join(f.hosts))
        if f.pools:
            parts.append("pool " + ",".join(f.pools))
        return " ".join(parts)


def _utc(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def load_records(con: Cursor, database: str, filters: Filters) -> None:
    """Fill the temporary table `requests` from the store's records (each once: the schema's
    deduplicated source) within `filters`."""
    where, params = filters.where()
    source = schema.source(schema.RECORDS, database)
    start = "CAST(worker_start AS Nullable(Int64))"
    con.execute(query("records", CLICKHOUSE).format(source=source, where=where, worker_start=start), params)


def _templates(con: Cursor, options: LeakOptions) -> tuple[Template, ...]:
    """endpoint_templates.infer over the distinct normalized paths, which ClickHouse finds."""
    if options.by == "script" or options.infer_min <= 0:
        return ()
    path, params = ch.path_sql(f"splitByChar('?', {_NAMED})[1]", options.rules)
    found = con.execute(
        f"SELECT DISTINCT {path} AS path FROM (SELECT DISTINCT {_NAMED} AS uri, tag FROM requests) AS named",
        params,
    ).fetchall()
    return infer_list([p for (p,) in found], options.infer_min)


def _endpoint_expression(options: LeakOptions, templates: tuple[Template, ...]) -> tuple[str, dict[str, object]]:
    if options.by == "script":
        return "if(script = '', '-', script)", {}
    return ch.endpoint_sql("method", _NAMED, options.rules, options.route_params, templates)


def rank_workers(con: Cursor) -> None:
    """leak_worker_rank: every worker of leak_requests, in the order of DuckDB's hash of its
    name (then the name), as sql/leak_windows.sql ranks them."""
    names = [w for (w,) in con.execute("SELECT DISTINCT worker FROM leak_requests").fetchall()]
    local = duckdb.connect()
    try:
        ordered = [
            w
            for (w,) in local.execute(
                "SELECT w FROM unnest($names::VARCHAR[]) AS t(w) ORDER BY hash(w), w", {"names": names}
            ).fetchall()
        ]
    finally:
        local.close()
    con.execute("DROP TEMPORARY TABLE IF EXISTS leak_worker_rank")
    con.execute("CREATE TEMPORARY TABLE leak_worker_rank (worker String, hrank UInt64) ENGINE = Memory")
    for offset in range(0, len(ordered), RANK_BATCH):
        batch: Sequence[str] = ordered[offset : offset + RANK_BATCH]
        con.execute(query("leak_worker_rank", CLICKHOUSE), {"workers": list(batch), "offset": offset})


def prepare(con: Cursor, files: tuple[str, ...], options: LeakOptions) -> Requests:
    """Build `leak_requests` over the records in `requests` (load_records) and summarize them;
    `files` name the inputs in the report (the ClickHouse URL and its filters)."""
    (records,) = con.execute("SELECT count() AS n FROM requests").fetchone() or (0,)
    if not records:
        raise FpmscopeError("no probe records in ClickHouse within the filters")
    templates = _templates(con, options)
    expr, params = _endpoint_expression(options, templates)
    sql = query("leak_requests", CLICKHOUSE).format(endpoint=expr, worker_warmup=WORKER_WARMUP, page=PAGE)
    con.execute(sql, params)
    rank_workers(con)
    found = row(con, "leak_summary", _Summary)
    inputs = InputSummary(
        files=files,
        records=found.requests,
        skipped_lines=0,
        skipped_example=None,
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
