"""`slow --clickhouse`: the slow analysis inside ClickHouse, the twin of analysis/slow.py's
`analyze`.

The fleet's access-log requests (`fpmscope_hits`), joined by request id to its probe records
when both carry one, or its probe records alone (with --pool, or when no access-log request is
within the filters: PHP's wall time), are filtered into the session's temporary table
`slow_source`; every later step is the ClickHouse twin of a DuckDB file
(sql/clickhouse/slow_*.sql): the distinct request lines named once, ranked, the first --top
with exact percentiles and one row for the rest. Only those rows, the N slowest requests and
the distinct normalized paths (for the inferred templates, which DuckDB infers in process, as
fleet/analysis.py does) cross to Python, into the same report model as `slow LOG`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import math
from dataclasses import dataclass
from typing import Final

from fpmscope import endpoints_clickhouse as ch
from fpmscope.analysis.slow import (
    DEFAULT_TOP,
    EndpointRow,
    Ranked,
    SlowOptions,
    Source,
    Totals,
    _ms,
    build_report,
    ranked_by,
)
from fpmscope.endpoint_templates import Template, infer_list
from fpmscope.errors import FpmscopeError
from fpmscope.fleet import schema
from fpmscope.fleet.analysis import Filters, FleetQuery
from fpmscope.fleet.cursor import ClickHouseCursor
from fpmscope.fleet.store import connect
from fpmscope.model.slow import SlowReport, SlowRequest
from fpmscope.sql import CLICKHOUSE, columns, fields, query, row, rows

# analysis/slow.py's RANK_VALUES in ClickHouse: sums over slow_paths' distinct request lines,
# or, for a percentile, DuckDB's quantile_cont over every request's time (sorted once per
# endpoint in `_SORTED`, then interpolated).
_PER_LINE: Final = ("sum(requests)", "slow_paths")
_SORTED: Final = (
    "(SELECT endpoint, count() AS requests, arraySort(groupArray(t)) AS s FROM slow_source"
    " ALL INNER JOIN (SELECT request, endpoint FROM slow_paths) AS named USING (request)"
    " GROUP BY endpoint) AS sorted"
)


def _quantile(q: float) -> str:
    """quantile_cont(t, q) over an endpoint's sorted times `s` (NULL when it has none)."""
    at = f"(length(any(s)) - 1) * {q}"
    lo = f"any(s)[toUInt64(floor({at})) + 1]"
    hi = f"any(s)[toUInt64(ceil({at})) + 1]"
    return f"if(length(any(s)) = 0, NULL, {lo} + ({hi} - {lo}) * ({at} - floor({at})))"


RANK_VALUES: Final = {
    "total": ("sum(total_us)", *_PER_LINE),
    "count": ("sum(requests)", *_PER_LINE),
    "mean": ("if(sum(timed) = 0, NULL, sum(total_us) / sum(timed))", *_PER_LINE),
    "p50": (_quantile(0.5), "any(requests)", _SORTED),
    "p95": (_quantile(0.95), "any(requests)", _SORTED),
    "p99": (_quantile(0.99), "any(requests)", _SORTED),
    "max": ("max(max_t)", *_PER_LINE),
    "errors": ("sum(errors)", *_PER_LINE),
}


@dataclass(frozen=True, slots=True)
class _Held:
    """The row of sql/clickhouse/slow_inputs.sql."""

    hits: int
    timed: int
    hits_with_id: int
    records: int
    records_with_id: int


@dataclass(frozen=True, slots=True)
class _Slowest:
    """One row of sql/clickhouse/slow_slowest.sql (`ts` in unix seconds)."""

    endpoint: str
    path: str
    status: int | None
    t: float | None
    upstream: float | None
    ts: float | None
    request_id: str | None


@dataclass(frozen=True, slots=True)
class _Summary:
    """The row of sql/clickhouse/slow_summary.sql (times in unix seconds)."""

    requests: int
    first_ts: float | None
    last_ts: float | None
    joined: int


def _where(filters: Filters, *, pools: bool) -> tuple[str, dict[str, object]]:
    """The fleet filters over a table; without `pools` (access-log requests have none)."""
    return dataclasses.replace(filters, pools=filters.pools if pools else ()).where()


def _filter(options: SlowOptions) -> tuple[str, dict[str, object], tuple[str, ...]]:
    """--status and --path over slow_source's columns (SlowOptions.where in ClickHouse), their
    bound values and their descriptions."""
    clauses, params, described = ["1"], dict[str, object](), list[str]()
    if options.status:
        spans = [f"(status >= $status_low_{i} AND status <= $status_high_{i})" for i in range(len(options.status))]
        clauses.append("(" + " OR ".join(spans) + ")")
        for i, r in enumerate(options.status):
            params[f"status_low_{i}"] = r.low
            params[f"status_high_{i}"] = r.high
        described.append("status " + ",".join(r.text for r in options.status))
    if options.path is not None:
        clauses.append("match(path, $path)")
        params["path"] = options.path
        described.append(f"path ~ {options.path}")
    return " AND ".join(clauses), params, tuple(described)


def _source(con: ClickHouseCursor, fleet: FleetQuery, *, access_only: bool = False) -> tuple[Source, str] | None:
    """What `slow` reads from the store, as analysis/slow.py's Source, and the SQL file that
    fills slow_source: access-log requests (joined to probe records by request id when both
    carry ids), or probe records with --pool or when no access-log request is kept. With
    `access_only`, the access-log requests alone, or None."""
    db = con.store.database
    hit_where, hit_params = _where(fleet.filters, pools=False)
    record_where, record_params = _where(fleet.filters, pools=True)
    sql = query("slow_inputs", CLICKHOUSE).format(
        hits=schema.source(schema.HITS, db),
        records=schema.source(schema.RECORDS, db),
        hit_where=hit_where,
        record_where=record_where,
    )
    (found,) = con.execute(sql, {**hit_params, **record_params}).fetchall()
    if columns(con) != fields(_Held):
        raise TypeError(f"sql/clickhouse/slow_inputs.sql returns columns {columns(con)}, not {fields(_Held)}")
    held = _Held(*found)
    notes: list[str] = []
    if held.hits and not fleet.filters.pools:
        joined = held.hits_with_id > 0 and held.records_with_id > 0 and not access_only
        kind, name = ("access+probe", "slow_source_joined") if joined else ("access", "slow_source_access")
        # As the access-log ingest says it (time_available): most requests carry a time.
        has_time = held.timed * 2 > held.hits
        parsed, timed = held.hits + (held.records if joined else 0), held.timed
    elif access_only:
        return None
    elif held.records:
        kind, name, parsed, timed, has_time = "probe", "slow_source_probe", held.records, None, True
        if fleet.filters.pools and held.hits:
            notes.append("--pool: PHP wall time from the probe records (access-log requests carry no pool)")
    else:
        raise FpmscopeError("no requests in ClickHouse within the filters")
    source = Source(
        kind=kind,
        files=(fleet.describe(),),
        format_name=None,
        format=None,
        parsed=parsed,
        skipped=0,  # lines a format could not read were skipped, counted and reported when loaded
        skipped_example=None,
        has_time=has_time,
        notes=tuple(notes),
        timed=timed,
    )
    return source, name


def _templates(con: ClickHouseCursor, options: SlowOptions) -> tuple[Template, ...]:
    """endpoint_templates.infer over the distinct normalized paths, which ClickHouse finds."""
    if options.infer_min <= 0:
        return ()
    found = con.execute(query("slow_template_paths", CLICKHOUSE)).fetchall()
    return infer_list([p for (p,) in found], options.infer_min)


def _stamp(ts: float) -> str:
    """A request's time as DuckDB's slow_slowest.sql shows it (whole seconds, UTC)."""
    return dt.datetime.fromtimestamp(math.floor(ts), dt.UTC).strftime("%Y-%m-%dT%H:%M:%S+00")


def _iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return dt.datetime.fromtimestamp(round(ts, 6), dt.UTC).isoformat()


def slow_report(fleet: FleetQuery, options: SlowOptions) -> SlowReport:
    """The slow report over the fleet's requests in ClickHouse within `fleet`'s filters."""
    report = _report(fleet, options, access_only=False)
    assert report is not None  # the probe records stand in for access-log requests
    return report


def access_report(fleet: FleetQuery, options: SlowOptions) -> SlowReport | None:
    """The slow report over the fleet's access-log requests alone, as `report --access-log`
    makes its slow section from files; None when none is within the filters or a pool is
    asked for (an access-log line says nothing of its pool). The probe records' wall time is
    the report's own latency section."""
    return _report(fleet, options, access_only=True)


def _report(fleet: FleetQuery, options: SlowOptions, *, access_only: bool) -> SlowReport | None:
    logging.getLogger("clickhouse_driver").setLevel(logging.CRITICAL)
    con = ClickHouseCursor(connect(fleet.url))
    try:
        found = _source(con, fleet, access_only=access_only)
        return None if found is None else _analyze(con, fleet, options, *found)
    finally:
        con.close()


def _analyze(con: ClickHouseCursor, fleet: FleetQuery, options: SlowOptions, source: Source, fill: str) -> SlowReport:
    db = con.store.database
    table = schema.RECORDS if source.kind == "probe" else schema.HITS
    where, params = _where(fleet.filters, pools=source.kind == "probe")
    condition, filter_params, described = _filter(options)
    # The joined source is the access-log one, put aside as slow_hits, then joined.
    joined = fill == "slow_source_joined"
    for name in ("slow_source_access", fill) if joined else (fill,):
        con.execute(
            query(name, CLICKHOUSE).format(
                source=schema.source(table, db),
                records=schema.source(schema.RECORDS, db),
                where=where,
                filter=condition,
                into="slow_hits" if joined else "slow_source",
            ),
            {**params, **filter_params},
        )
    expr, eparams = ch.endpoint_sql("method", "path", options.rules, options.route_params)
    target = ch.route_query_keep_sql("splitByChar(' ', request)[2]", options.route_params)
    con.execute(query("slow_paths", CLICKHOUSE).format(endpoint=expr, path=target), eparams)
    templates = _templates(con, options)
    templated, tparams = "named", dict[str, object]()
    if templates:
        rest, tparams = ch.templates_sql("rest", templates)
        templated = f"concat(splitByChar(' ', named)[1], ' ', {rest})"
    con.execute(query("slow_templates_apply", CLICKHOUSE).format(templated=templated), tparams)
    sort = ranked_by(source, options)
    value, requests, source_rows = RANK_VALUES[sort]
    con.execute(query("slow_rank", CLICKHOUSE).format(value=value, requests=requests, rows=source_rows))
    totals = row(con, "slow_totals", Totals)
    top = options.top if options.top is not None else DEFAULT_TOP
    # An empty list of percentiles is DuckDB's NULL (no request carries a time).
    found = [
        dataclasses.replace(r, quantiles_s=r.quantiles_s or None)
        for r in rows(con, "slow_top", EndpointRow, {"top": top})
    ]
    slowest = [
        SlowRequest(
            endpoint=r.endpoint,
            path=r.path,
            status=r.status,
            time_ms=_ms(r.t),
            upstream_ms=_ms(r.upstream),
            time=_stamp(r.ts) if r.ts is not None else None,
            request_id=r.request_id,
        )
        for r in rows(con, "slow_slowest", _Slowest, {"slowest": options.slowest})
    ]
    summary = row(con, "slow_summary", _Summary)
    first, last = _iso(summary.first_ts), _iso(summary.last_ts)
    ranked = Ranked(sort, totals, found, slowest, int(summary.requests), first, last, int(summary.joined), templates)
    # The time, host and pool filters are in the input's name; the format's confidence and the
    # skipped lines were the loader's to report.
    return build_report(source, options, ranked, described)
