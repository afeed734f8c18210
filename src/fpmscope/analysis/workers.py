"""Workers over their lives: requests served, memory first and last, growth per request, the
endpoints behind it, and whether each worker was recycled or is still alive.

Growth per request is the Theil-Sen slope (the median of the slopes between all pairs of
points) of each worker's native memory level against its request number, after warm-up.
The median of per-request deltas would not do: when the leaking endpoint is less than half
of a worker's traffic, as it usually is, the median delta is 0. The mean of the deltas is the
straight line between the first and last point, moved by any one-off step (a late warm-up, a
heap re-extension). Theil-Sen follows the steady trend and ignores up to ~29% of outlying
points (spikes) and steps near either end of a worker's life. The native level (anon minus
Zend's chunk cache) is used so that Zend keeping a big request's chunks cached for a few
requests does not look like growth.

A worker is *recycled* when a later worker of the same host and pool started serving after
its last request and its own records stop well before the log ends for that pool: the pool
served at least QUIET_REQUESTS more requests, over more than QUIET_GAPS times the longest
interval the worker ever had between two of its requests (FPM hands requests to workers
unevenly: a live worker may sit out a hundred requests while a slow one runs). Otherwise it
is *alive*: a log cannot tell a quiet worker from a dead one without a successor, nor a
worker recycled in the last few requests from a live one.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass

from fpmscope.analysis.leaks import suspect_stats
from fpmscope.analysis.requests import WORKER_WARMUP, Requests
from fpmscope.model.workers import WorkerEndpoint, WorkerLife, WorkersReport
from fpmscope.sql import rows
from fpmscope.units import size

# Points per worker fed to Theil-Sen (pairs grow as the square); evenly thinned beyond this.
MAX_POINTS = 128
# Fewer points than this after warm-up give no slope.
MIN_POINTS = 8
QUIET_GAPS = 2
QUIET_REQUESTS = 20
TOP_ENDPOINTS = 3


@dataclass(frozen=True, slots=True)
class Trend:
    slope: float  # native bytes per request
    baseline_anon: float  # anon level right after warm-up


@dataclass(frozen=True, slots=True)
class _Life:
    """One row of sql/worker_lives.sql."""

    worker: str
    host: str
    pool: str
    pid: int
    requests: int
    first_ts: float
    last_ts: float
    first_anon: int | None
    last_anon: int | None
    first_shared: int | None
    last_shared: int | None
    max_gap: float
    log_end: float
    pool_after: int
    replaced: bool


def theil_sen(xs: list[float], ys: list[float]) -> float:
    """Median of the pairwise slopes; xs must be distinct."""
    slopes = [(ys[j] - ys[i]) / (xs[j] - xs[i]) for i in range(len(xs)) for j in range(i + 1, len(xs))]
    return statistics.median(slopes)


@dataclass(frozen=True, slots=True)
class _Point:
    """One row of sql/worker_series.sql."""

    worker: str
    seq: int
    anon_start: int
    native_level: int


def trends(requests: Requests) -> dict[str, Trend]:
    """Growth trend of every worker with enough requests after warm-up."""
    series: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    params = {"worker_warmup": WORKER_WARMUP, "max_points": MAX_POINTS}
    for p in rows(requests.con, "worker_series", _Point, params):
        series[p.worker].append((p.seq, p.anon_start, p.native_level))
    out = {}
    for worker, points in series.items():
        if len(points) < MIN_POINTS:
            continue
        xs = [float(p[0]) for p in points]
        slope = theil_sen(xs, [float(p[2]) for p in points])
        start = WORKER_WARMUP + 1
        baseline = statistics.median(p[1] - slope * (p[0] - start) for p in points)
        out[worker] = Trend(slope=slope, baseline_anon=baseline)
    return out


@dataclass(frozen=True, slots=True)
class _Served:
    """One row of sql/worker_endpoints.sql."""

    worker: str
    endpoint: str
    requests: int


def _contributors(
    requests: Requests, lives: list[_Life], fits: dict[str, Trend]
) -> dict[str, tuple[WorkerEndpoint, ...]]:
    """The leak suspects of `fpmscope leaks`, each with its native bytes kept per request
    (estimated over all workers) times its requests on the worker, as a share of the worker's
    trend growth. One worker's own deltas would not do: when a leak eats the free heap, the
    next request of another endpoint re-extends it and seems to keep memory; the pooled
    window fit charges that shift to its cause, and the verdict keeps noise out."""
    per_request = {a.endpoint: a.native for a in suspect_stats(requests)}
    grown = {life.worker: fits[life.worker].slope * life.requests for life in lives if life.worker in fits}
    found: dict[str, list[tuple[str, int, float]]] = defaultdict(list)
    for served in rows(requests.con, "worker_endpoints", _Served):
        kept = per_request.get(served.endpoint, 0.0) * served.requests
        if kept > 0:
            found[served.worker].append((served.endpoint, served.requests, round(kept)))
    out = {}
    for worker, items in found.items():
        items.sort(key=lambda item: (-item[2], item[0]))
        total = grown.get(worker, 0.0)
        out[worker] = tuple(
            WorkerEndpoint(endpoint=e, requests=n, kept_bytes=kept, share=round(kept / total, 4) if total > 0 else None)
            for e, n, kept in items[:TOP_ENDPOINTS]
        )
    return out


def _state(life: _Life) -> tuple[str, str]:
    quiet = life.log_end - life.last_ts
    after = f"{quiet:.1f} s and {life.pool_after} pool requests before the log's end"
    if life.replaced and quiet > QUIET_GAPS * life.max_gap and life.pool_after >= QUIET_REQUESTS:
        return "recycled", f"stopped {after}; a later worker took over"
    if not life.replaced:
        return "alive", f"served until {after}; no later worker took over"
    return "alive", f"served until {after}, too close to the end to call it gone"


def _diff(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else b - a


def analyze(requests: Requests) -> WorkersReport:
    lives = rows(requests.con, "worker_lives", _Life)
    fits = trends(requests)
    contributors = _contributors(requests, lives, fits)
    workers = []
    for life in lives:
        state, reason = _state(life)
        trend = fits.get(life.worker)
        workers.append(
            WorkerLife(
                host=life.host,
                pool=life.pool,
                pid=life.pid,
                first_seen=life.first_ts,
                last_seen=life.last_ts,
                requests=life.requests,
                first_anon_bytes=life.first_anon,
                last_anon_bytes=life.last_anon,
                first_shared_bytes=life.first_shared,
                last_shared_bytes=life.last_shared,
                anon_growth_bytes=_diff(life.first_anon, life.last_anon),
                growth_bytes_per_request=None if trend is None else round(trend.slope, 1),
                trend_growth_bytes=None if trend is None else round(trend.slope * life.requests),
                baseline_anon_bytes=None if trend is None else round(trend.baseline_anon),
                top_endpoints=contributors.get(life.worker, ()),
                state=state,
                state_reason=reason,
            )
        )
    # The swelling worker first; workers without a slope last, in order of life.
    workers.sort(key=lambda w: (w.growth_bytes_per_request is None, -(w.growth_bytes_per_request or 0.0)))
    summary = requests.inputs
    counts = {s: sum(w.state == s for w in workers) for s in ("alive", "recycled")}
    return WorkersReport(
        inputs=summary,
        workers=tuple(workers),
        recycled=counts["recycled"],
        alive=counts["alive"],
        verdict=_verdict(workers),
    )


def _verdict(workers: list[WorkerLife]) -> str:
    if not workers:
        return "No probe records to analyse."
    top = workers[0]
    if top.growth_bytes_per_request is None:
        return f"{len(workers)} workers, none with enough requests after warm-up to measure growth."
    if top.growth_bytes_per_request < 1:
        return f"{len(workers)} workers; none grows with the requests it serves."
    cause = f", mostly from {top.top_endpoints[0].endpoint}" if top.top_endpoints else ""
    return (
        f"{len(workers)} workers; the fastest-growing (pid {top.pid} on {top.host}) gains "
        f"{size(top.growth_bytes_per_request)} per request{cause}."
    )
