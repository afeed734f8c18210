"""Slow endpoints: where the time goes, per endpoint, from access logs and/or probe logs.

Requests are filtered, each distinct (method, path) is normalized once to its endpoint (the
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

from fpmscope.endpoints import DEFAULT_RULES, Rule, endpoint_sql, regex_problem
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
            clauses.append("ts >= $since")
            params["since"] = self.since
            described.append(f"since {self.since.isoformat()}")
        if self.until is not None:
            clauses.append("ts < $until")
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
    has_time: bool
    notes: tuple[str, ...] = ()


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 3)


def _s(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 3)


@dataclass(frozen=True, slots=True)
class _EndpointRow:
    """One row of sql/slow_endpoints.sql (times in seconds)."""

    endpoint: str
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


def _endpoint(r: _EndpointRow, grand_total: float | None) -> EndpointTime:
    qs: list[float | None] = list(r.quantiles_s) if r.quantiles_s is not None else [None] * 4
    tot = float(r.total_s) if r.total_s is not None else None
    both = r.php_total_s is not None and r.joined_t_s is not None and r.joined > 0
    php_joined = float(r.joined_php_s or 0)
    return EndpointTime(
        endpoint=str(r.endpoint),
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


def _sort_key(sort: str) -> tuple[str, bool]:
    return {
        "total": ("total_s", True),
        "count": ("count", True),
        "mean": ("mean_ms", True),
        "p50": ("p50_ms", True),
        "p95": ("p95_ms", True),
        "p99": ("p99_ms", True),
        "max": ("max_ms", True),
        "errors": ("errors", True),
    }[sort]


def _ordered(items: list[EndpointTime], sort: str) -> list[EndpointTime]:
    field, _ = _sort_key(sort)

    def key(e: EndpointTime) -> tuple[float, int, str]:
        value = getattr(e, field)
        return (-(value if value is not None else -1.0), -e.count, e.endpoint)

    return sorted(items, key=key)


def analyze(con: duckdb.DuckDBPyConnection, source: Source, options: SlowOptions) -> SlowReport:
    where, params, described = options.where()
    view = {"access": "slow_source_access", "probe": "slow_source_probe", "access+probe": "slow_source_joined"}
    con.execute(query(view[source.kind]))
    if params:
        con.execute(query("slow_filter").format(where=where), params)
    else:
        con.execute(query("slow_unfiltered"))
    expr, eparams = endpoint_sql("method", "path", options.rules)
    con.execute(query("slow_paths").format(endpoint=expr), eparams)
    found = rows(con, "slow_endpoints", _EndpointRow)
    # Whole microseconds, summed exactly: the total does not depend on the rows' order.
    grand = (
        sum(round(float(r.total_s) * 1_000_000) for r in found if r.total_s is not None) / 1e6
        if source.has_time
        else None
    )
    items = [_endpoint(r, grand) for r in found]
    sort = options.sort if source.has_time or options.sort in ("count", "errors") else "count"
    endpoints = _ordered(items, sort)
    if options.top is not None:
        endpoints = endpoints[: options.top]
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
    notes = list(source.notes)
    if sort != options.sort:
        notes.append(f"the logs carry no request time, so endpoints are ranked by {sort}, not {options.sort}")
    inputs = SlowInputs(
        files=source.files,
        source=source.kind,
        format_name=source.format_name,
        format=source.format,
        requests=int(summary.requests),
        parsed_lines=source.parsed,
        skipped_lines=source.skipped,
        skipped_example=source.skipped_example,
        first_time=summary.first_ts.isoformat() if summary.first_ts is not None else None,
        last_time=summary.last_ts.isoformat() if summary.last_ts is not None else None,
        time_column=_time_column(source),
        filters=tuple(described),
        joined_requests=int(summary.joined) if source.kind == "access+probe" else None,
        notes=tuple(notes),
    )
    return SlowReport(
        inputs=inputs,
        sort=sort,
        total_time_s=_s(grand),
        endpoint_count=len(items),
        endpoints=tuple(endpoints),
        slowest=tuple(slowest),
        headline=_headline(endpoints, inputs, sort),
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
