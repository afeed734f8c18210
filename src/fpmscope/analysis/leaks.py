"""Which endpoints make PHP-FPM workers keep memory (DESIGN §4-5, docs/how-it-works.md).

Request k's retention is what the start of request k+1 on the same worker (pid + life)
finds: anon growth minus the change of Zend's chunk cache is native growth; shared growth
(opcache, mapped files) is added; Zend's cache heals itself and is never a leak. Warm-up
requests (the first of each endpoint on a worker, the first few of a worker) and each
worker's last request (no successor) are reported but not judged.

The estimate is the window fit (analysis/retention.py): the growth of windows of consecutive
requests on a worker, regressed on how many requests of each endpoint they hold. The median
of each endpoint's per-request retention, what its typical request keeps, is reported beside
it, and shows where the two part: the median is blind to a leak that heap left free by other
requests absorbs (its requests seem to keep nothing), and believes a request that re-extends
heap that leaks used up (it seems to keep what they took); the window fit is not, because
growth that moves between requests stays inside the window. A mean over requests would be
moved by any rare large step; the fit's Huber weights are not.

An endpoint is a suspect when enough requests were judged, the fit's 99% lower confidence
bound is above one page, and the growth goes on in the second half of the workers' lives (a
cache that fills and stops is not a leak).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterable
from typing import NamedTuple, cast

from fpmscope.analysis import retention
from fpmscope.analysis.requests import PAGE, Requests
from fpmscope.model.inputs import InputSummary
from fpmscope.model.leaks import EndpointLeak, LeakReport, OtherEndpoints, WorkerGrowth
from fpmscope.sql import row, rows
from fpmscope.units import size

# Judged requests an endpoint needs before it is judged.
MIN_JUDGED = 8
# A request that held this much memory for a while may refill the heap's free pool when it
# frees it: its endpoint is a candidate cut for the windows (retention.best_fit).
BIG_FOOTPRINT = 1 << 20
# One-sided 99% normal quantile for lower bounds.
Z99 = 2.326
# Endpoints fitted one by one at most; the others share one coefficient.
MAX_REGRESSORS = 48
# Late growth below this share of the estimate means it stopped: a cache, not a leak.
PERSISTS = 0.25
# A cache: growth stopped within this share of its requests on each worker, after at least
# CACHE_MIN bytes in all.
CACHE_STOPPED = 0.5
CACHE_MIN = 16 * PAGE
# A suspect's 99% lower bound must be at least this share of its estimate.
PRECISE = 0.5
# A suspect's growth must show on each half of the workers (or of one worker's life), at
# least this share of its estimate: growth that one worker's rare steps put on a rare
# endpoint does not.
REPLICATED = 0.25
# The late fit is the estimate when its standard error is below this share of the whole
# fit's: on about half the windows it would be about sqrt(2) times the whole fit's if early
# windows followed the same rates; below 1/sqrt(2) its variance is under half the whole fit's,
# a margin that the noise of two sandwich errors does not cross by chance.
SHARPER = 1 / math.sqrt(2)
# Windows of the late fit that must hold an endpoint before its error is compared with the
# whole fit's (retention.Fit.support).
LATE_SUPPORT = 4
# Workers growing by at least this per request after warm-up get a headline of their own.
GROWTH_FLOOR = 2048.0


class EndpointStats(NamedTuple):
    """One row of sql/leak_endpoints.sql, mapped by column name.

    A named tuple rather than a dataclass: a million-line log has ~47,000 endpoints, and
    building that many frozen dataclasses cost 0.1 s.
    """

    endpoint: str
    requests: int
    warmup: int
    unknown: int
    judged: int
    mean: float
    median: float
    positive_share: float
    shared_mean: float
    shared_median: float
    zend_mean: float
    warmup_total: float
    footprint_max: int
    footprint_median: int
    wall_mean_us: float
    wall_p95_us: float
    cpu_mean_us: float
    failed: int
    workers: int
    workers_grew: int
    grew_until: float
    grew_until_share: float
    kept_until: float


class Assessment(NamedTuple):
    """An endpoint's estimate and verdict; the reason is written only for what is shown."""

    stats: EndpointStats
    estimate: float  # bytes kept per request
    basis: str  # "windows": the window fit; "late windows": its second half; "median": not fitted
    fit: float | None  # the window fit's bytes per request
    low: float  # 99% lower bound of the fit (-inf when not fitted)
    late: float | None  # the fit over the second half of the workers' lives
    persists: bool
    halves: tuple[float | None, float | None]  # the fit over each half of the workers
    replicated: bool  # every half where it ran shows it
    suspect: bool

    @property
    def endpoint(self) -> str:
        return self.stats.endpoint

    @property
    def requests(self) -> int:
        return self.stats.requests

    @property
    def shared(self) -> float:
        part = self.stats.shared_median if self.basis == "median" else self.stats.shared_mean
        return min(max(part, 0.0), max(self.estimate, 0.0))

    @property
    def native(self) -> float:
        return self.estimate - self.shared

    @property
    def total(self) -> float:
        return self.estimate * self.stats.requests


def endpoint_stats(requests: Requests) -> list[EndpointStats]:
    """The rows of sql/leak_endpoints.sql over the judged requests."""
    return rows(requests.con, "leak_endpoints", EndpointStats, {"page": PAGE, "cache_min": CACHE_MIN})


def _regressors(stats: list[EndpointStats], judged: list[EndpointStats]) -> list[str]:
    """The endpoints fitted one by one: of those with enough judged requests (`judged`),
    growing ones first (any sign of growth), then the busiest; the rest share one coefficient."""
    # Fewer coefficients on a short log: eight windows of data per coefficient, so that the
    # late fit and each half fit, on half the windows, still have the four a way of cutting
    # needs to compete (retention.CUT_WINDOWS_PER_COEFFICIENT). With four, MediaWiki's 2,400
    # requests carried 27 coefficients on ~200 windows, and its 48 KiB leak came out at
    # 24-30 KiB in two live runs of ten (docs/realapps.md).
    per_coefficient = 2 * retention.CUT_WINDOWS_PER_COEFFICIENT * retention.WINDOW
    most = min(MAX_REGRESSORS, max(8, sum(st.judged for st in stats) // per_coefficient))
    growing = sorted(
        (st for st in judged if max(st.median, st.mean) > PAGE / 2),
        key=lambda st: (-max(st.median, st.mean) * st.judged, st.endpoint),
    )
    chosen = {st.endpoint for st in growing[:most]}
    busiest = sorted((st for st in judged if st.endpoint not in chosen), key=lambda st: (-st.judged, st.endpoint))
    return [st.endpoint for st in growing[:most]] + [st.endpoint for st in busiest[: max(0, most - len(chosen))]]


def assess(requests: Requests) -> list[Assessment]:
    """Estimate and verdict of every endpoint of the judged requests (computed once per
    handle: leaks, workers and advise of one report share them)."""
    if "assessments" not in requests.memo:
        requests.memo["assessments"] = _assess_all(requests)
    return cast("list[Assessment]", requests.memo["assessments"])


def _assess_all(requests: Requests) -> list[Assessment]:
    stats = endpoint_stats(requests)
    judged = [st for st in stats if st.judged >= MIN_JUDGED]
    regressors = _regressors(stats, judged)
    # Where windows may be cut (the cut that makes them exact is the request that refills the
    # heap's free pool): endpoints whose typical request grows the worker (leaks, or big
    # transient allocations re-extending the heap that leaks used up), then those whose
    # requests held the most memory for a while, which refill the pool without growing the
    # worker as long as leaks leave them room.
    growing = [st.endpoint for st in sorted(judged, key=lambda st: (-st.median, st.endpoint)) if st.median >= PAGE]
    big = [
        st.endpoint
        for st in sorted(judged, key=lambda st: (-st.footprint_max, st.endpoint))
        if st.footprint_max >= BIG_FOOTPRINT and st.endpoint not in growing
    ]
    cuts = [*growing, *big]
    fits = retention.best_fit(requests.con, regressors, cuts)
    return [_assess(st, fits) for st in stats]


def _assess(st: EndpointStats, fits: retention.Fits) -> Assessment:
    whole, late = fits.whole.get(st.endpoint), fits.late.get(st.endpoint)
    if whole is None:
        return Assessment(st, st.median, "median", None, -math.inf, None, True, (None, None), False, False)
    fit, se = whole
    late_fit = None if late is None else late[0]
    # The late fit itself must show it, with no slack for its noise: a leak's late estimate
    # tracks its whole one (on the accuracy suite, within a few %), while growth that stopped
    # is far below it, and an app whose heap grows in rare big steps puts them anywhere.
    persists = late_fit is None or late_fit >= max(PAGE, PERSISTS * max(fit, 0.0))
    basis = "windows"
    higher = late is not None and late[0] - fit > max(PAGE, late[1])
    # On half the windows the late fit should be the less precise one. When it is clearly the
    # more precise all the same, the early windows hold growth that no per-request rate
    # explains: a cache that fills in young workers (s1-014: 14 entries of 56 KiB per worker,
    # put by the whole fit on a 23 KiB leak that ran beside them, 32.4 ± 4.0 KiB; late
    # 23.0 ± 0.3 KiB).
    sharper = late is not None and late[1] < SHARPER * se and fits.late.support.get(st.endpoint, 0) >= LATE_SUPPORT
    if late is not None and (higher or sharper):
        # More late in the workers' lives than over them, by over a page and the late fit's
        # standard error: early on, holes the heap still had took the leak's bytes and the
        # worker did not grow (MediaWiki's 48 KiB plant: 35 KiB over whole lives, 46.7 KiB
        # in their second halves). Or known better late in their lives than over them. Either
        # way, what goes on is what a long-lived worker keeps.
        (fit, se), basis = late, "late windows"
    # What a request keeps: an endpoint whose requests give memory back keeps nothing.
    estimate = max(fit, 0.0)
    low = fit - Z99 * se
    halves = tuple(None if (h := half.get(st.endpoint)) is None else h[0] for half in fits.halves)
    # A half where it never ran, or too few windows to fit, says nothing either way.
    replicated = all(h >= max(PAGE, REPLICATED * estimate) for h in halves if h is not None)
    # Known to within a factor of two: growth that a few rare big steps put on an endpoint
    # (an app whose heap reaches a new high-water mark now and then) has a wide bound.
    precise = low >= PRECISE * estimate
    suspect = st.judged >= MIN_JUDGED and low > PAGE and estimate > PAGE and persists and replicated and precise
    return Assessment(st, estimate, basis, fit, low, late_fit, persists, (halves[0], halves[1]), replicated, suspect)


def reason(a: Assessment) -> str:
    """The verdict in plain words; every number in it is one the report shows beside it."""
    st = a.stats
    grew = f"{st.positive_share:.0%} of its {st.judged} judged requests grew the worker by a page or more" + (
        f", on {st.workers_grew} of {st.workers} workers" if st.workers > 1 else ""
    )
    if a.suspect:
        late = " in the second half of the workers' lives" if a.basis == "late windows" else ""
        return (
            f"keeps {size(a.estimate)} per request{late} (99% bound {size(a.low)}), its typical request "
            f"{size(st.median)}; {grew}"
        )
    if st.judged < MIN_JUDGED:
        return f"only {st.judged} requests after warm-up; {MIN_JUDGED} are needed to judge"
    if a.fit is None:
        return (
            "not fitted (only the most growing or busiest endpoints are, as many as the log can carry); "
            f"a typical request keeps {size(st.median)}"
        )
    if not a.persists and a.low > PAGE and not _filled_a_cache(st):
        return (
            f"grew the workers early ({size(a.estimate)}/request over their lives) but not in the second half "
            f"of their lives ({size(a.late or 0.0)}/request): warm-up or a cache, not a leak"
        )
    if (not a.persists and a.low > PAGE) or _filled_a_cache(st):
        return (
            f"fills a cache: its requests kept {size(st.kept_until)} on a worker, 90% of it in their first "
            f"{st.grew_until:.0f} there ({st.grew_until_share:.0%} of them); then it stopped"
        )
    if a.low > PAGE and a.persists and not a.replicated:
        h0, h1 = (size(h) if h is not None else "nothing" for h in a.halves)
        return (
            f"{size(a.estimate)}/request overall, but not alike across workers ({h0} on one half of them, "
            f"{h1} on the other; with one worker, the halves of its life): growth a few of its requests "
            "happened to share, not a leak"
        )
    if st.median >= PAGE and st.median - a.estimate > max(PAGE, a.estimate - a.low):
        return (
            f"a typical request grew the worker by {size(st.median)} ({grew}), but windows of requests show it "
            f"keeps {size(a.estimate)}: it re-extends heap that other requests used up"
        )
    zend = (
        f"; it leaves Zend's chunk cache {size(st.zend_mean)} fuller, which PHP gives back over the next requests"
        if st.zend_mean > PAGE
        else ""
    )
    if a.estimate <= PAGE:
        return f"keeps nothing measurable ({size(a.estimate)}/request over {st.judged} requests){zend}"
    if a.low > PAGE:
        return f"{size(a.estimate)}/request but too uncertain to call (99% bound only {size(a.low)}){zend}"
    return f"{size(a.estimate)}/request but not significant (99% bound {size(a.low)}){zend}"


def _filled_a_cache(st: EndpointStats) -> bool:
    """Its requests kept more than a few pages on a worker, but 90% of it in their first
    part (a bounded cache, filled: a robust fit sees little, the median nothing)."""
    return st.grew_until_share <= CACHE_STOPPED and st.kept_until >= CACHE_MIN


def _kind(a: Assessment) -> str:
    """What dominates what the endpoint leaves behind: native or shared memory it keeps, or
    Zend's chunk cache it leaves fuller (which heals); none when nothing is measurable."""
    if a.suspect or a.estimate > PAGE or a.stats.median >= PAGE:
        return "shared" if a.shared > a.native else "native"
    return "zend" if a.stats.zend_mean > PAGE else "none"


def _item(a: Assessment) -> EndpointLeak:
    st = a.stats
    return EndpointLeak(
        endpoint=st.endpoint,
        requests=st.requests,
        judged_requests=st.judged,
        warmup_requests=st.warmup,
        unknown_requests=st.unknown,
        retained_bytes_per_request=round(a.estimate, 1),
        retained_bytes_median=float(st.median),
        retained_bytes_fit=None if a.fit is None else round(a.fit, 1),
        retained_bytes_low=round(a.low, 1) if math.isfinite(a.low) and a.low > 0 else None,
        retained_bytes_late=None if a.late is None else round(a.late, 1),
        retained_bytes_total=round(a.total),
        estimate_from=a.basis,
        positive_share=round(st.positive_share, 4),
        workers=st.workers,
        workers_grew=st.workers_grew,
        native_bytes_per_request=round(a.native, 1),
        shared_bytes_per_request=round(a.shared, 1),
        zend_left_cached_bytes=round(max(st.zend_mean, 0.0), 1),
        warmup_bytes_total=float(st.warmup_total),
        peak_footprint_bytes=int(st.footprint_max),
        median_footprint_bytes=int(st.footprint_median),
        wall_ms_mean=round(st.wall_mean_us / 1000, 3),
        wall_ms_p95=round(st.wall_p95_us / 1000, 3),
        cpu_ms_mean=round(st.cpu_mean_us / 1000, 3),
        failed_requests=st.failed,
        kind=_kind(a),
        suspect=a.suspect,
        reason=reason(a),
    )


def suspect_stats(requests: Requests) -> list[Assessment]:
    """The endpoints judged leaking, most kept first (what the workers and advise analyses
    attribute growth to)."""
    return sorted((a for a in assess(requests) if a.suspect), key=lambda a: (-a.total, a.endpoint))


def _rank_key(a: Assessment) -> tuple[bool, int, str]:
    return not a.suspect, -round(a.total), a.endpoint


def _footprint_key(a: Assessment) -> tuple[int, str]:
    return -int(a.stats.footprint_max), a.endpoint


def _first(
    n: int | None, items: Iterable[Assessment], key: Callable[[Assessment], tuple[object, ...]]
) -> list[Assessment]:
    """sorted(items, key=key)[:n]; for a small n without sorting everything."""
    return sorted(items, key=key) if n is None else heapq.nsmallest(n, items, key=key)


def analyze(requests: Requests) -> LeakReport:
    options = requests.options
    assessed = assess(requests)
    # Rank on the keys alone and build items (their reasons and roundings) only for what is
    # shown: with --top, 20 of the ~47,000 endpoints of a 1 M-line log.
    suspects_ranked = sorted((a for a in assessed if a.suspect), key=_rank_key)
    shown = _first(options.top, assessed, _rank_key)
    by_footprint = _first(options.top, assessed, _footprint_key)
    items: dict[str, EndpointLeak] = {}
    for a in (*suspects_ranked, *shown, *by_footprint):
        if a.endpoint not in items:
            items[a.endpoint] = _item(a)
    suspects = tuple(items[a.endpoint] for a in suspects_ranked)
    summary = requests.inputs
    growth = worker_growth(requests, sum(a.estimate * a.stats.judged for a in suspects_ranked))
    return LeakReport(
        by=options.by,
        inputs=summary,
        suspects=suspects,
        endpoints=tuple(items[a.endpoint] for a in shown),
        endpoint_count=len(assessed),
        others=_others(assessed, shown),
        footprint_ranking=tuple(items[a.endpoint] for a in by_footprint),
        inferred_templates=tuple(t.model() for t in requests.templates),
        growth=growth,
        memory_measured=summary.records > summary.unmeasured_requests,
        verdict=_verdict(suspects, summary, growth),
    )


def _others(assessed: list[Assessment], shown: list[Assessment]) -> OtherEndpoints | None:
    """The endpoints not shown, summed (the same totals their own rows would give)."""
    if len(shown) == len(assessed):
        return None
    listed = {a.endpoint for a in shown}
    rest = [a for a in assessed if a.endpoint not in listed]
    return OtherEndpoints(
        endpoints=len(rest),
        requests=sum(a.stats.requests for a in rest),
        judged_requests=sum(a.stats.judged for a in rest),
        retained_bytes_total=float(sum(round(a.total) for a in rest)),
        suspects=sum(1 for a in rest if a.suspect),
    )


class _Growth(NamedTuple):
    """The row of sql/leak_growth.sql."""

    judged: int
    kept: float
    seconds: float
    workers: int
    workers_growing: int


def worker_growth(requests: Requests, explained: float) -> WorkerGrowth:
    """How fast workers grow after warm-up, and how much of it the suspects explain
    (`explained`: the suspects' bytes kept per request times their judged requests)."""
    judged, kept, seconds, workers, growing = row(requests.con, "leak_growth", _Growth, {"floor": GROWTH_FLOOR})
    per_request = kept / judged if judged else 0.0
    return WorkerGrowth(
        bytes_per_request=round(per_request, 1),
        bytes_per_hour=round(kept / seconds * 3600, 1) if seconds else None,
        workers=workers,
        workers_growing=growing,
        explained_share=round(min(explained / kept, 1.0), 4) if kept > 0 else None,
    )


def _verdict(suspects: tuple[EndpointLeak, ...], summary: InputSummary, growth: WorkerGrowth) -> str:
    if summary.records == 0:
        return "No probe records to analyse."
    if summary.unmeasured_requests == summary.records:
        return (
            f"Memory was not measured: the probe could not read /proc/self/statm in any of the {summary.records} "
            "requests (open_basedir without /proc?); `fpmscope check` says how to fix it."
        )
    unexplained = growth.bytes_per_request * (1 - (growth.explained_share or 0.0))
    grows = growth.bytes_per_request >= GROWTH_FLOOR and unexplained >= GROWTH_FLOOR / 2
    per_hour = f", {size(growth.bytes_per_hour)} per hour" if growth.bytes_per_hour else ""
    where = f"on {growth.workers_growing} of {growth.workers} workers"
    if not suspects:
        if grows:
            return (
                f"Workers grow {size(growth.bytes_per_request)} per request after warm-up{per_hour} ({where}), "
                "but no endpoint explains it: the growth is spread over requests fpmscope cannot tell apart "
                "(one script serving many routes: routing parameters or Probe::tag() would separate them)."
            )
        return f"No endpoint leaves memory behind ({summary.records} requests on {summary.workers} workers)."
    top = suspects[0]
    more = f", and {len(suspects) - 1} more suspect(s)" if len(suspects) > 1 else ""
    rest = (
        f" Workers grow {size(growth.bytes_per_request)} per request{per_hour} ({where}); "
        f"the suspects explain {growth.explained_share or 0.0:.0%} of it."
        if grows
        else ""
    )
    return f"{top.endpoint} leaks about {size(top.retained_bytes_per_request)} per request ({top.kind}){more}.{rest}"
