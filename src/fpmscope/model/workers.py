"""Report model of `fpmscope workers`: frozen dataclasses built once by the analysis and read
by the renderers, which never compute. Bytes are bytes; times are unix
seconds."""

from __future__ import annotations

from dataclasses import dataclass

from fpmscope.model.inputs import InputSummary


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
