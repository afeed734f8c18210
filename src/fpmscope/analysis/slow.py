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
from fpmscope.slowreport import EndpointTime, SlowInputs, SlowReport, SlowRequest
from fpmscope.sql import query

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

    def where(self) -> tuple[str, list[object], tuple[str, ...]]:
        """Filter SQL over slow_source's columns, its parameters, and a description of each."""
        clauses: list[str] = ["true"]
        params: list[object] = []
        described: list[str] = []
        if self.since is not None:
            clauses.append("ts >= ?")
            params.append(self.since)
            described.append(f"since {self.since.isoformat()}")
        if self.until is not None:
            clauses.append("ts < ?")
            params.append(self.until)
            described.append(f"until {self.until.isoformat()}")
        if self.status:
            clauses.append("(" + " OR ".join("status BETWEEN ? AND ?" for _ in self.status) + ")")
            for r in self.status:
                params += [r.low, r.high]
            described.append("status " + ",".join(r.text for r in self.status))
        if self.path is not None:
            clauses.append("regexp_matches(path, ?)")
            params.append(self.path)
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
    if not source.timed:
        return f"format {source.format_name} has no request time ($request_time, %D, time-taken...)"
    return f"only {source.timed:,} of {source.parsed:,} requests carry a request time"


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 3)


def _s(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 3)


def _endpoint(row: tuple[object, ...], grand_total: float | None) -> EndpointTime:
    (
        endpoint,
        count,
        total,
        mean,
        quantiles,
        mx,
        s2,
        s3,
        s4,
        s5,
        s499,
        s504,
        nbytes,
        up_mean,
        up_total,
        php_total,
        cpu_total,
        php_mean,
        cpu_mean,
        joined,
        t_joined,
        php_joined,
        cpu_joined,
    ) = row
    qs = list(quantiles) if isinstance(quantiles, list) else [None] * 4
    tot = float(total) if isinstance(total, int | float) else None
    has_php = isinstance(php_total, int | float)
    both = has_php and isinstance(t_joined, int | float) and joined
    return EndpointTime(
        endpoint=str(endpoint),
        count=int(count),  # type: ignore[call-overload]
        total_s=_s(tot),
        share=round(tot / grand_total, 4) if tot is not None and grand_total else None,
        mean_ms=_ms(mean),  # type: ignore[arg-type]
        p50_ms=_ms(qs[0]),
        p90_ms=_ms(qs[1]),
        p95_ms=_ms(qs[2]),
        p99_ms=_ms(qs[3]),
        max_ms=_ms(mx),  # type: ignore[arg-type]
        status_2xx=int(s2),  # type: ignore[call-overload]
        status_3xx=int(s3),  # type: ignore[call-overload]
        status_4xx=int(s4),  # type: ignore[call-overload]
        status_5xx=int(s5),  # type: ignore[call-overload]
        status_499=int(s499),  # type: ignore[call-overload]
        status_504=int(s504),  # type: ignore[call-overload]
        errors=int(s5) + int(s499) + int(s504),  # type: ignore[call-overload]
        bytes_total=int(nbytes) if isinstance(nbytes, int | float) else None,
        upstream_mean_ms=_ms(up_mean),  # type: ignore[arg-type]
        upstream_total_s=_s(up_total),  # type: ignore[arg-type]
        php_total_s=_s(php_total),  # type: ignore[arg-type]
        cpu_total_s=_s(cpu_total),  # type: ignore[arg-type]
        php_mean_ms=_ms(php_mean),  # type: ignore[arg-type]
        cpu_mean_ms=_ms(cpu_mean),  # type: ignore[arg-type]
        joined=int(joined) if both else None,  # type: ignore[call-overload]
        outside_php_s=_s(float(t_joined) - float(php_joined)) if both else None,  # type: ignore[arg-type]
        php_waiting_s=_s(float(php_joined) - float(cpu_joined or 0)) if both else None,  # type: ignore[arg-type]
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
    if params:  # a view cannot hold parameters: filtered requests are materialized
        con.execute(f"CREATE OR REPLACE TEMP TABLE slow_source AS SELECT * FROM slow_all WHERE {where}", params)
    else:
        con.execute("CREATE OR REPLACE TEMP VIEW slow_source AS SELECT * FROM slow_all")
    expr, eparams = endpoint_sql("method", "path", options.rules)
    con.execute(query("slow_paths").format(endpoint=expr), eparams)
    rows = con.execute(query("slow_endpoints")).fetchall()
    # Whole microseconds, summed exactly: the total does not depend on the rows' order.
    grand = sum(round(float(r[2]) * 1_000_000) for r in rows if r[2] is not None) / 1e6 if source.has_time else None
    items = [_endpoint(r, grand) for r in rows]
    sort = options.sort if source.has_time or options.sort in ("count", "errors") else "count"
    endpoints = _ordered(items, sort)
    if options.top is not None:
        endpoints = endpoints[: options.top]
    slowest = [
        SlowRequest(
            endpoint=r[0],
            path=r[1],
            status=r[2],
            time_ms=_ms(r[3]),
            upstream_ms=_ms(r[4]),
            time=r[5],
            request_id=r[6],
        )
        for r in con.execute(query("slow_slowest"), [options.slowest]).fetchall()
    ]
    summary = con.execute(
        "SELECT count(*), min(ts), max(ts), count(php) FILTER (WHERE t IS NOT NULL) FROM slow_source"
    ).fetchone()
    assert summary is not None
    notes = list(source.notes)
    if sort != options.sort:
        notes.append(f"endpoints are ranked by {sort}, not {options.sort}: {_why_no_time(source)}")
    inputs = SlowInputs(
        files=source.files,
        source=source.kind,
        format_name=source.format_name,
        format=source.format,
        requests=int(summary[0]),
        parsed_lines=source.parsed,
        skipped_lines=source.skipped,
        skipped_example=source.skipped_example,
        first_time=summary[1].isoformat() if summary[1] is not None else None,
        last_time=summary[2].isoformat() if summary[2] is not None else None,
        time_column=_time_column(source),
        filters=tuple(described),
        joined_requests=int(summary[3]) if source.kind == "access+probe" else None,
        notes=tuple(notes),
        format_detected=source.format_detected,
    )
    return SlowReport(
        inputs=inputs,
        sort=sort,
        total_time_s=_s(grand),
        endpoint_count=len(items),
        endpoints=tuple(endpoints),
        slowest=tuple(slowest),
        headline=_headline(endpoints, inputs, sort),
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
