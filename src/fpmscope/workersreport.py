"""Report models of `fpmscope workers` and `fpmscope advise`: frozen dataclasses built once by
the analysis and read by the renderers, which never compute. Bytes are bytes; times are unix
seconds."""

from __future__ import annotations

from dataclasses import dataclass

from fpmscope.report import InputSummary


@dataclass(frozen=True, slots=True)
class WorkerEndpoint:
    """A leak suspect's part in one worker's growth: its native bytes kept per request as
    `fpmscope leaks` estimates it over all workers, times its requests on this worker after
    warm-up; `share` is that over the worker's trend growth (None without a trend)."""

    endpoint: str
    requests: int
    kept_bytes: float
    share: float | None


@dataclass(frozen=True, slots=True)
class WorkerLife:
    """One worker: a life of a pid on a host and pool (pids are reused).

    Memory is taken at the start of a request, which holds what earlier requests left
    behind. `growth_bytes_per_request` is the Theil-Sen slope of native memory (anon minus
    Zend's chunk cache) over the request number after warm-up; None with too few requests.
    `trend_growth_bytes` is that slope times the requests served: what the worker gained over
    its life beyond warm-up and Zend's cache. `baseline_anon_bytes` is the trend's anon level
    right after warm-up.
    """

    host: str
    pool: str
    pid: int
    first_seen: float
    last_seen: float
    requests: int
    first_anon_bytes: int | None
    last_anon_bytes: int | None
    first_shared_bytes: int | None
    last_shared_bytes: int | None
    anon_growth_bytes: int | None
    growth_bytes_per_request: float | None
    trend_growth_bytes: int | None  # growth_bytes_per_request times requests served
    baseline_anon_bytes: float | None
    top_endpoints: tuple[WorkerEndpoint, ...]
    state: str  # recycled (a later worker took over) or alive
    state_reason: str


@dataclass(frozen=True, slots=True)
class WorkersReport:
    inputs: InputSummary
    workers: tuple[WorkerLife, ...]
    recycled: int
    alive: int
    verdict: str


@dataclass(frozen=True, slots=True)
class Advice:
    """pm.max_children and pm.max_requests for a memory budget, with the arithmetic.

    Per child: `child_fresh_bytes` = baseline anon + p99 request footprint; it may grow by
    `growth_bytes_per_request` per request until recycled, up to `child_share_bytes`. Shared
    pages (opcache, the PHP binary, libraries) are the same physical pages in every worker and
    are counted once for the pool (`shared_bytes`). `max_requests` is 0 when no recycling is
    needed; `fits` is False when the budget cannot hold one worker.
    """

    memory_bytes: int
    reserve_bytes: int
    available_bytes: int
    shared_bytes: int
    baseline_anon_bytes: int
    peak_footprint_bytes: int
    growth_bytes_per_request: float
    workers_measured: int
    requests: int
    child_fresh_bytes: int
    child_share_bytes: int
    max_children: int
    max_requests: int
    recycling_needed: bool
    fits: bool
    explanation: tuple[str, ...]
    pool_lines: tuple[str, ...]
    verdict: str


@dataclass(frozen=True, slots=True)
class AdviceReport:
    inputs: InputSummary
    advice: Advice
