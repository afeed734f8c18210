"""Report model of `fpmscope leaks`: what each endpoint makes workers keep, built once by
analysis/leaks.py."""

from __future__ import annotations

from dataclasses import dataclass

from fpmscope.model.inputs import InputSummary


@dataclass(frozen=True, slots=True)
class EndpointLeak:
    """Memory retained per endpoint. Bytes are per request unless named `_total`.

    `retained_bytes_per_request` estimates what each request leaves behind for the next one
    on the same worker, native + shared (Zend's chunk cache heals itself and is reported apart
    as `zend_cache_bytes_per_request`). It is the mean over the clean requests (no other
    request grew the worker since this endpoint last ran) when there are enough of them, else
    over all judged requests (`estimate_from` says which). `retained_bytes_low` is its 99%
    lower confidence bound; `retained_bytes_total` is the estimate times `requests`.
    """

    endpoint: str
    requests: int
    judged_requests: int
    warmup_requests: int
    unknown_requests: int
    retained_bytes_per_request: float
    retained_bytes_median: float
    retained_bytes_low: float
    retained_bytes_total: float
    retained_bytes_mean_all: float
    clean_requests: int
    estimate_from: str
    positive_share: float
    native_bytes_per_request: float
    zend_cache_bytes_per_request: float
    shared_bytes_per_request: float
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
class LeakReport:
    by: str
    inputs: InputSummary
    suspects: tuple[EndpointLeak, ...]
    endpoints: tuple[EndpointLeak, ...]  # the first --top of them, suspects first
    endpoint_count: int  # endpoints in the data
    footprint_ranking: tuple[EndpointLeak, ...]
    verdict: str
