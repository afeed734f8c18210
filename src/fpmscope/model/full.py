"""The whole report (`fpmscope report`): every section, computed once, read by the renderers.

The leak analysis, per-worker memory timelines, probe wall-time latency and the workers'
lives are always there. The access-log slow endpoints need --access-log and the pm.* advice a
memory budget; without them those fields are None and the renderers say so in one line.
"""

from __future__ import annotations

from dataclasses import dataclass

from fpmscope.model.advise import AdviceReport
from fpmscope.model.leaks import LeakReport
from fpmscope.model.slow import SlowReport
from fpmscope.model.workers import WorkersReport


@dataclass(frozen=True, slots=True)
class WorkerTimeline:
    """One worker's memory, request by request, downsampled with its extremes kept.

    The point columns are parallel tuples in request order: `seq` is the request's position
    on the worker (1 = first), `endpoint` an index into Timelines.endpoints, `anon` and
    `shared` the worker's resident bytes at the request's start, `suspect` the rank of the
    request's endpoint among the leak suspects (1 = top suspect), 0 for other endpoints,
    `floor` the least anon the worker comes back to from that request on (what it has kept
    for good: a leak makes it climb, a spike does not move it).
    """

    worker: str
    host: str
    pool: str
    pid: int
    requests: int
    first_ts: float
    last_ts: float
    anon_first: int
    anon_last: int
    anon_max: int
    anon_growth: int
    suspect_requests: int
    seq: tuple[int, ...]
    ts: tuple[float, ...]
    endpoint: tuple[int, ...]
    anon: tuple[int, ...]
    shared: tuple[int, ...]
    suspect: tuple[int, ...]
    floor: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Timelines:
    """The workers with the most anon growth (at most `max_workers` of `workers_total`)."""

    endpoints: tuple[str, ...]
    workers: tuple[WorkerTimeline, ...]
    workers_total: int
    max_workers: int
    buckets: int
    suspect_cap: int


@dataclass(frozen=True, slots=True)
class EndpointLatency:
    """Wall time of one endpoint as PHP measured it (probe `wall_us`), in milliseconds."""

    endpoint: str
    requests: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float
    total_s: float
    failed_requests: int
    histogram: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class LatencyReport:
    """Slowest endpoints by total time, with exact percentiles and half-octave histograms.

    `bin_edges_ms` has one more entry than each histogram: bin i counts requests with
    edges[i] <= wall < edges[i+1]; the first and last bins also hold everything beyond them.
    """

    source: str
    endpoints: tuple[EndpointLatency, ...]
    endpoints_total: int
    bin_edges_ms: tuple[float, ...]
    histogram_all: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class FullReport:
    verdict: str
    leaks: LeakReport
    timelines: Timelines
    latency: LatencyReport
    workers: WorkersReport
    # Access-log slow endpoints when --access-log is given; pm.* advice for a memory budget.
    slow: SlowReport | None = None
    advice: AdviceReport | None = None
    notes: tuple[str, ...] = ()
