"""Report model of `fpmscope leaks`: what each endpoint makes workers keep, built once by
analysis/leaks.py."""

from __future__ import annotations

from dataclasses import dataclass

from fpmscope.model.inputs import InferredTemplate, InputSummary


@dataclass(frozen=True, slots=True)
class EndpointLeak:
    """Memory retained per endpoint. Bytes are per request unless named `_total`.

    `retained_bytes_per_request` estimates what each request leaves behind for the next one
    on the same worker, native + shared (Zend's chunk cache heals itself and is reported apart
    as `zend_left_cached_bytes`, what it left cached on average, when positive). It is the
    window fit (`estimate_from` "windows"; "late windows" when the fit over the second half
    of the workers' lives is more by over a page and its standard error: early heap holes
    absorbed part of it), never below 0, or for endpoints not fitted the median request's (`"median"`; never a
    suspect); `retained_bytes_median` is what its typical request kept. `retained_bytes_fit` is
    the window fit the estimate comes from, `retained_bytes_low` its 99% lower confidence bound
    (null when not above 0), `retained_bytes_late` the fit over the second half of the workers'
    lives; `retained_bytes_total` is the estimate times `requests`.
    `positive_share` is the share of judged requests that grew the worker by a page or more;
    `workers_grew` of `workers` (those with 3 judged requests of it) saw its typical request
    grow them by a page or more. See docs/how-it-works.md.
    """

    endpoint: str
    requests: int
    judged_requests: int
    warmup_requests: int
    unknown_requests: int
    retained_bytes_per_request: float
    retained_bytes_median: float
    retained_bytes_fit: float | None
    retained_bytes_low: float | None
    retained_bytes_late: float | None
    retained_bytes_total: float
    estimate_from: str
    positive_share: float
    workers: int
    workers_grew: int
    native_bytes_per_request: float
    shared_bytes_per_request: float
    zend_left_cached_bytes: float
    warmup_bytes_total: float
    peak_footprint_bytes: int
    median_footprint_bytes: int
    wall_ms_mean: float
    wall_ms_p95: float
    cpu_ms_mean: float
    failed_requests: int
    kind: str
    suspect: bool
    reason: str


@dataclass(frozen=True, slots=True)
class OtherEndpoints:
    """The endpoints beyond the first --top, summed into one row: however many endpoints a
    log has, the output stays bounded. `retained_bytes_total` sums their estimates."""

    endpoints: int
    requests: int
    judged_requests: int
    retained_bytes_total: float
    suspects: int


@dataclass(frozen=True, slots=True)
class WorkerGrowth:
    """How fast workers grew after warm-up (native + shared), over all judged requests.

    `bytes_per_hour` is per worker; `workers_growing` counts workers whose requests kept at
    least 2 KiB each on average; `explained_share` is the part of the growth that the leak
    suspects' estimates account for (null when nothing grew).
    """

    bytes_per_request: float
    bytes_per_hour: float | None
    workers: int
    workers_growing: int
    explained_share: float | None


@dataclass(frozen=True, slots=True)
class LeakReport:
    by: str
    inputs: InputSummary
    suspects: tuple[EndpointLeak, ...]
    endpoints: tuple[EndpointLeak, ...]  # the first --top of them, suspects first
    endpoint_count: int  # endpoints in the data
    others: OtherEndpoints | None  # the rest when --top left some out
    footprint_ranking: tuple[EndpointLeak, ...]
    inferred_templates: tuple[InferredTemplate, ...]
    growth: WorkerGrowth
    memory_measured: bool  # false when no record carried memory (flag m: /proc unreadable)
    verdict: str
