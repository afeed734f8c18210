"""Slow endpoints: where the time goes, per endpoint, from access logs and/or probe logs.

Requests are filtered, each distinct request line is split and normalized once to its endpoint (the
same expression as the leak analysis, endpoints.py), and per endpoint DuckDB computes count,
total, exact percentiles (quantile_cont: linear interpolation between the two nearest ranks),
the status mix, bytes, upstream time and, with probe records, PHP wall and CPU time.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Final

import duckdb

from fpmscope.endpoint_templates import DEFAULT_MIN_VALUES, Template, collapse
from fpmscope.endpoints import (
    DEFAULT_ROUTE_PARAMS,
    DEFAULT_RULES,
    Rule,
    naming_sql,
    regex_problem,
    route_query_keep_sql,
)
from fpmscope.errors import FpmscopeError
from fpmscope.model.slow import EndpointTime, SlowInputs, SlowReport, SlowRequest
from fpmscope.sql import query, row, rows

SORT_KEYS: Final = ("total", "count", "mean", "p50", "p95", "p99", "max", "errors")


@dataclass(frozen=True, slots=True)
class StatusRange:
    low: int
    high: int
    text: str


def parse_status(text: str) -> tuple[StatusRange, ...]:
    """'5xx,499,200-299' -> ranges."""
    out = []
    for part in (p.strip() for p in text.split(",")):
        if re.fullmatch(r"[1-5]xx", part):
            low = int(part[0]) * 100
            out.append(StatusRange(low, low + 99, part))
        elif m := re.fullmatch(r"([0-9]{3})(?:-([0-9]{3}))?", part):
            low = int(m.group(1))
            high = int(m.group(2) or low)
            if high < low:
                raise FpmscopeError(f"bad --status {part!r}: {high} < {low}")
            out.append(StatusRange(low, high, part))
        else:
            raise FpmscopeError(f"bad --status {part!r}: expected e.g. 5xx, 499 or 200-299")
    return tuple(out)


def parse_time(text: str, what: str) -> dt.datetime:
    """An ISO 8601 date or time; without a zone it is UTC."""
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise FpmscopeError(f"bad {what} {text!r}: expected ISO 8601, e.g. 2024-05-01T12:00 or 2024-05-01") from None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class SlowOptions:
    sort: str = "total"
    top: int | None = None
    slowest: int = 10
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    status: tuple[StatusRange, ...] = ()
    path: str | None = None  # RE2 regex searched in the path (query string removed)
    rules: tuple[Rule, ...] = DEFAULT_RULES
    route_params: tuple[str, ...] = DEFAULT_ROUTE_PARAMS
    infer_min: int = DEFAULT_MIN_VALUES

    def __post_init__(self) -> None:
        if self.sort not in SORT_KEYS:
            raise ValueError(f"sort must be one of {SORT_KEYS}")
        if self.path is not None:
            problem = regex_problem(self.path)
            if problem is not None:
                raise FpmscopeError(f"bad --path {self.path!r}: {problem}")

    def where(self) -> tuple[str, dict[str, object], tuple[str, ...]]:
        """Filter SQL over slow_source's columns, its parameters, and a description of each."""
        clauses: list[str] = ["true"]
        params: dict[str, object] = {}
        described: list[str] = []
        if self.since is not None:
            clauses.append("ts_key IN (SELECT ts_key FROM slow_times WHERE ts >= $since)")
            params["since"] = self.since
            described.append(f"since {self.since.isoformat()}")
        if self.until is not None:
            clauses.append("ts_key IN (SELECT ts_key FROM slow_times WHERE ts < $until)")
            params["until"] = self.until
            described.append(f"until {self.until.isoformat()}")
        if self.status:
            clauses.append(
                "("
                + " OR ".join(f"status BETWEEN $status_low_{i} AND $status_high_{i}" for i in range(len(self.status)))
                + ")"
            )
            for i, r in enumerate(self.status):
                params[f"status_low_{i}"] = r.low
                params[f"status_high_{i}"] = r.high
            described.append("status " + ",".join(r.text for r in self.status))
        if self.path is not None:
            clauses.append("regexp_matches(path, $path)")
            params["path"] = self.path
            described.append(f"path ~ {self.path}")
        return " AND ".join(clauses), params, tuple(described)


@dataclass(frozen=True, slots=True)
class Source:
    """What was loaded: 'access', 'probe' or 'access+probe', and about the access logs."""

    kind: str
    files: tuple[str, ...]
    format_name: str | None
    format: str | None
    parsed: int
    skipped: int
    skipped_example: str | None
    has_time: bool  # most requests carry a time
    notes: tuple[str, ...] = ()
    format_confidence: float | None = None
    format_detected: bool = False
    timed: int | None = None  # access-log requests with a time; None: no time field at all

    @property
    def skipped_share(self) -> float:
        total = self.parsed + self.skipped
        return round(self.skipped / total, 4) if total else 0.0


CONFIDENT: Final = 0.9  # a detected format below this share of parsed sample lines is doubtful
FEW_SKIPPED: Final = 0.05


def _warning(source: Source, sort: str, wanted: str) -> str | None:
    """One line saying why the ranking may mislead, or None."""
    parts = []
    if source.format_detected and source.format_confidence is not None and source.format_confidence < CONFIDENT:
        parts.append(f"format {source.format_name} parses only {source.format_confidence:.0%} of the sampled lines")
    if source.skipped_share > FEW_SKIPPED:
        parts.append(f"{source.skipped_share:.1%} of the lines were skipped")
    if sort != wanted:
        parts.append(f"ranked by {sort}, not {wanted}: {_why_no_time(source)}")
    return "warning: " + "; ".join(parts) if parts else None


def _why_no_time(source: Source) -> str:
    if not source.timed and source.format_name is None:  # requests read back from a store
        return "no access-log request carries a request time"
    if not source.timed:
        return f"format {source.format_name} has no request time ($request_time, %D, time-taken...)"
    return f"only {source.timed:,} of {source.parsed:,} requests carry a request time"


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 3)


def _s(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 3)


@dataclass(frozen=True, slots=True)
class EndpointRow:
    """One row of sql/slow_top.sql (times in seconds)."""

    endpoint: str | None  # None: the row of all endpoints after the first --top
    rank: int | None
    requests: int
    total_s: float | None
    mean_s: float | None
    quantiles_s: list[float] | None
    max_s: float | None
    status_2xx: int
    status_3xx: int
    status_4xx: int
    status_5xx: int
    status_499: int
    status_504: int
    bytes_total: int | None
    upstream_mean_s: float | None
    upstream_total_s: float | None
    php_total_s: float | None
    cpu_total_s: float | None
    php_mean_s: float | None
    cpu_mean_s: float | None
    joined: int
    joined_t_s: float | None
    joined_php_s: float | None
    joined_cpu_s: float | None


@dataclass(frozen=True, slots=True)
class _Slowest:
    """One row of sql/slow_slowest.sql."""

    endpoint: str
    path: str
    status: int | None
    t: float | None
    upstream: float | None
    ts_text: str | None
    request_id: str | None


@dataclass(frozen=True, slots=True)
class _Summary:
    """The row of sql/slow_summary.sql."""

    requests: int
    first_ts: dt.datetime | None
    last_ts: dt.datetime | None
    joined: int


def _endpoint(r: EndpointRow, grand_total: float | None, name: str) -> EndpointTime:
    qs: list[float | None] = list(r.quantiles_s) if r.quantiles_s is not None else [None] * 4
    tot = float(r.total_s) if r.total_s is not None else None
    both = r.php_total_s is not None and r.joined_t_s is not None and r.joined > 0
    php_joined = float(r.joined_php_s or 0)
    return EndpointTime(
        endpoint=name,
        count=int(r.requests),
        total_s=_s(tot),
        share=round(tot / grand_total, 4) if tot is not None and grand_total else None,
        mean_ms=_ms(r.mean_s),
        p50_ms=_ms(qs[0]),
        p90_ms=_ms(qs[1]),
        p95_ms=_ms(qs[2]),
        p99_ms=_ms(qs[3]),
        max_ms=_ms(r.max_s),
        status_2xx=int(r.status_2xx),
        status_3xx=int(r.status_3xx),
        status_4xx=int(r.status_4xx),
        status_5xx=int(r.status_5xx),
        status_499=int(r.status_499),
        status_504=int(r.status_504),
        errors=int(r.status_5xx) + int(r.status_499) + int(r.status_504),
        bytes_total=int(r.bytes_total) if r.bytes_total is not None else None,
        upstream_mean_ms=_ms(r.upstream_mean_s),
        upstream_total_s=_s(r.upstream_total_s),
        php_total_s=_s(r.php_total_s),
        cpu_total_s=_s(r.cpu_total_s),
        php_mean_ms=_ms(r.php_mean_s),
        cpu_mean_ms=_ms(r.cpu_mean_s),
        joined=int(r.joined) if both else None,
        outside_php_s=_s(float(r.joined_t_s or 0) - php_joined) if both else None,
        php_waiting_s=_s(php_joined - float(r.joined_cpu_s or 0)) if both else None,
    )


# What each --sort ranks endpoints by, as SQL (fixed text, never log content): sums over the
# distinct request lines of slow_paths, or, for a percentile, every request's time.
_PER_LINE: Final = ("sum(requests)", "slow_paths")
_PER_REQUEST: Final = ("count(*)", "slow_source JOIN slow_paths USING (request)")
RANK_VALUES: Final = {
    "total": ("sum(total_us)", *_PER_LINE),
    "count": ("sum(requests)", *_PER_LINE),
    "mean": ("sum(total_us) / sum(timed)", *_PER_LINE),
    "p50": ("quantile_cont(t, 0.5)", *_PER_REQUEST),
    "p95": ("quantile_cont(t, 0.95)", *_PER_REQUEST),
    "p99": ("quantile_cont(t, 0.99)", *_PER_REQUEST),
    "max": ("max(max_t)", *_PER_LINE),
    "errors": ("sum(errors)", *_PER_LINE),
}
DEFAULT_TOP: Final = 40


@dataclass(frozen=True, slots=True)
class Totals:
    """The row of sql/slow_totals.sql."""

    endpoints: int
    total_s: float | None


def analyze(con: duckdb.DuckDBPyConnection, source: Source, options: SlowOptions) -> SlowReport:
    where, params, described = options.where()
    view = {"access": "slow_source_access", "probe": "slow_source_probe", "access+probe": "slow_source_joined"}
    con.execute(query(view[source.kind]))
    if params:
        con.execute(query("slow_filter").format(where=where), params)
    else:
        con.execute(query("slow_unfiltered"))
    naming, nparams = naming_sql("method", "path", options.rules, options.route_params)
    target = route_query_keep_sql("split_part(request, ' ', 2)", options.route_params)
    con.execute(query("slow_paths").format(path=target, **naming), nparams)
    # Templates are inferred over the distinct normalized paths and applied to the endpoints.
    templates = collapse(con, "slow_paths", options.infer_min)
    sort = ranked_by(source, options)
    # Ranking, percentiles, the first --top and one row for the rest all happen in SQL: Python
    # touches at most top + 1 endpoints, however many the logs hold.
    value, requests, source_rows = RANK_VALUES[sort]
    con.execute(query("slow_rank").format(value=value, requests=requests, rows=source_rows))
    totals = row(con, "slow_totals", Totals)
    top = options.top if options.top is not None else DEFAULT_TOP
    found = rows(con, "slow_top", EndpointRow, {"top": top})
    slowest = [
        SlowRequest(
            endpoint=r.endpoint,
            path=r.path,
            status=r.status,
            time_ms=_ms(r.t),
            upstream_ms=_ms(r.upstream),
            time=r.ts_text,
            request_id=r.request_id,
        )
        for r in rows(con, "slow_slowest", _Slowest, {"slowest": options.slowest})
    ]
    summary = row(con, "slow_summary", _Summary)
    first = summary.first_ts.isoformat() if summary.first_ts is not None else None
    last = summary.last_ts.isoformat() if summary.last_ts is not None else None
    ranked = Ranked(sort, totals, found, slowest, int(summary.requests), first, last, int(summary.joined), templates)
    return build_report(source, options, ranked, described)


def ranked_by(source: Source, options: SlowOptions) -> str:
    """The ranking used: the one asked for, or count when most requests carry no time."""
    return options.sort if source.has_time or options.sort in ("count", "errors") else "count"


@dataclass(frozen=True, slots=True)
class Ranked:
    """What an engine (DuckDB here, ClickHouse in fleet/slow.py) found, for build_report."""

    sort: str  # the ranking used: options.sort, or count when the requests carry no time
    totals: Totals
    rows: list[EndpointRow]  # the first --top endpoints, then at most one row (endpoint None) for the rest
    slowest: list[SlowRequest]
    requests: int
    first_time: str | None  # ISO 8601
    last_time: str | None
    joined: int  # requests joined to a probe record
    templates: tuple[Template, ...]


def build_report(source: Source, options: SlowOptions, found: Ranked, filters: tuple[str, ...]) -> SlowReport:
    """The report of either engine's rows: shares, the rest row, notes, warning and headline."""
    sort = found.sort
    grand = float(found.totals.total_s) if source.has_time and found.totals.total_s is not None else None
    endpoints = [_endpoint(r, grand, r.endpoint) for r in found.rows if r.endpoint is not None]
    rest = [r for r in found.rows if r.endpoint is None]
    others = (
        _endpoint(rest[0], grand, f"({found.totals.endpoints - len(endpoints):,} other endpoints)") if rest else None
    )
    notes = list(source.notes)
    if sort != options.sort:
        notes.append(f"endpoints are ranked by {sort}, not {options.sort}: {_why_no_time(source)}")
    inputs = SlowInputs(
        files=source.files,
        source=source.kind,
        format_name=source.format_name,
        format=source.format,
        requests=found.requests,
        parsed_lines=source.parsed,
        skipped_lines=source.skipped,
        skipped_example=source.skipped_example,
        first_time=found.first_time,
        last_time=found.last_time,
        time_column=_time_column(source),
        filters=filters,
        joined_requests=found.joined if source.kind == "access+probe" else None,
        notes=tuple(notes),
        format_detected=source.format_detected,
    )
    return SlowReport(
        inputs=inputs,
        sort=sort,
        total_time_s=_s(grand),
        endpoint_count=int(found.totals.endpoints),
        endpoints=tuple(endpoints),
        others=others,
        slowest=tuple(found.slowest),
        headline=_headline(endpoints, inputs, sort),
        inferred_templates=tuple(t.model() for t in found.templates),
        format_confidence=source.format_confidence,
        skipped_share=source.skipped_share,
        time_available=source.has_time,
        warning=_warning(source, sort, options.sort),
    )


def _time_column(source: Source) -> str | None:
    if source.kind == "probe":
        return "PHP wall time"
    return "request time" if source.has_time else None


def _headline(endpoints: list[EndpointTime], inputs: SlowInputs, sort: str) -> str:
    if not endpoints:
        return "No request matches the filters."
    top = endpoints[0]
    if sort == "total" and top.share is not None and top.total_s is not None:
        return (
            f"{top.endpoint} takes {top.share:.0%} of all {inputs.time_column}"
            f" ({top.total_s:,.1f} s over {top.count:,} requests, p95 {top.p95_ms:,.0f} ms)."
        )
    if sort in ("mean", "p50", "p95", "p99", "max") and top.p95_ms is not None:
        return f"{top.endpoint} is the slowest by {sort} (p95 {top.p95_ms:,.0f} ms over {top.count:,} requests)."
    return f"{top.endpoint} leads by {sort} ({top.count:,} requests)."
