"""The slow-endpoints report: frozen dataclasses built once by analysis/slow.py.

Times are in milliseconds per request (`*_ms`) or seconds in total (`*_s`); None where the
input has no such column. Renderers format these values and never compute.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SlowInputs:
    files: tuple[str, ...]
    source: str  # "access", "probe" or "access+probe"
    format_name: str | None
    format: str | None
    requests: int  # after filters
    parsed_lines: int
    skipped_lines: int
    skipped_example: str | None
    first_time: str | None  # ISO 8601, from the first and last request read
    last_time: str | None
    time_column: str | None  # what "time" means: "$request_time", "PHP wall time", or None
    filters: tuple[str, ...]
    joined_requests: int | None  # access-log requests matched to a probe record by request id
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EndpointTime:
    """One endpoint. Status counts: 4xx excludes 499, 5xx excludes 504 (counted apart);
    `errors` is 5xx + 499 + 504."""

    endpoint: str
    count: int
    total_s: float | None
    share: float | None  # of the time of all endpoints
    mean_ms: float | None
    p50_ms: float | None
    p90_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    max_ms: float | None
    status_2xx: int
    status_3xx: int
    status_4xx: int
    status_5xx: int
    status_499: int
    status_504: int
    errors: int
    bytes_total: int | None
    upstream_mean_ms: float | None
    upstream_total_s: float | None
    php_total_s: float | None  # PHP wall time (probe)
    cpu_total_s: float | None  # PHP CPU time, user + system (probe)
    php_mean_ms: float | None
    cpu_mean_ms: float | None
    joined: int | None  # requests with both access-log time and a probe record
    outside_php_s: float | None  # joined requests: total - PHP wall (queueing, nginx, network)
    php_waiting_s: float | None  # joined requests: PHP wall - CPU (waiting on I/O, sleep, locks)


@dataclass(frozen=True, slots=True)
class SlowRequest:
    endpoint: str
    path: str
    status: int | None
    time_ms: float | None
    upstream_ms: float | None
    time: str | None
    request_id: str | None


@dataclass(frozen=True, slots=True)
class SlowReport:
    inputs: SlowInputs
    sort: str
    total_time_s: float | None
    endpoint_count: int  # endpoints in the data; `endpoints` may hold only the first --top
    endpoints: tuple[EndpointTime, ...]
    slowest: tuple[SlowRequest, ...]
    headline: str
