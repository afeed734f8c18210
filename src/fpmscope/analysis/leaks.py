"""Which endpoints make PHP-FPM workers keep memory (DESIGN §4-5).

Request k's retention is what the start of request k+1 on the same worker (pid + start
time) finds: anon growth minus the change of Zend's chunk cache is native growth; shared
growth (opcache, mapped files) is kept apart; Zend's cache heals itself and is never a leak.
Warm-up requests (the first of each endpoint on a worker, the first few of a worker) and each
worker's last request (no successor) are reported but not judged.

Allocators re-use memory: when a leak eats the free heap that another request's temporary
mallocs left resident, that other request re-extends the heap next time and seems to retain
memory, while the leak seems smaller. So the estimate of an endpoint is taken over its clean
requests, those before which no other request on the worker grew it since
this endpoint last ran, when there are enough of them; that removes the shift both ways.

An endpoint is a suspect only when enough requests were judged and the 99% lower confidence
bound of its estimate is above one page.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterable
from typing import NamedTuple

from fpmscope.analysis.requests import PAGE, Requests
from fpmscope.model.inputs import InputSummary
from fpmscope.model.leaks import EndpointLeak, LeakReport
from fpmscope.sql import query
from fpmscope.units import size

# Judged (or clean) requests an endpoint needs before its mean is used.
MIN_JUDGED = 8
# One-sided 99% normal quantile for the lower bound of a mean.
Z99 = 2.326


class EndpointStats(NamedTuple):
    """One row of sql/leak_endpoints.sql, in its column order.

    A named tuple rather than a dataclass: a million-line log has ~47,000 endpoints, and
    building that many frozen dataclasses cost 0.1 s.
    """

    endpoint: str
    requests: int
    warmup: int
    unknown: int
    judged: int
    mean: float
    sd: float
    median: float
    positive_share: float
    native: float
    zend: float
    shared: float
    clean: int
    clean_mean: float
    clean_sd: float
    clean_native: float
    clean_zend: float
    clean_shared: float
    warmup_total: float
    footprint_max: int
    footprint_median: int
    wall_mean_us: float
    wall_p95_us: float
    cpu_mean_us: float
    failed: int

    @property
    def use_clean(self) -> bool:
        return self.clean >= MIN_JUDGED

    @property
    def estimate(self) -> float:
        return self.clean_mean if self.use_clean else self.mean

    @property
    def low(self) -> float:
        n, mean, sd = (
            (self.clean, self.clean_mean, self.clean_sd) if self.use_clean else (self.judged, self.mean, self.sd)
        )
        return mean - Z99 * sd / math.sqrt(n) if n > 1 else -math.inf

    @property
    def split(self) -> tuple[float, float, float]:
        if self.use_clean:
            return self.clean_native, self.clean_zend, self.clean_shared
        return self.native, self.zend, self.shared

    @property
    def suspect(self) -> bool:
        """The verdict: enough judged requests, and the 99% lower bound above one page.
        judge() adds the reason, which costs formatting; ranking needs only this."""
        return self.judged >= MIN_JUDGED and self.low > PAGE

    @property
    def mean_low(self) -> float:
        return self.mean - Z99 * self.sd / math.sqrt(self.judged) if self.judged > 1 else -math.inf


def _kind(native: float, zend: float, shared: float) -> str:
    parts = {"native": native, "zend": zend, "shared": shared}
    return max(parts, key=lambda k: parts[k])


def judge(st: EndpointStats) -> tuple[bool, str]:
    """The verdict (st.suspect) and its reason in plain words."""
    est, low = st.estimate, st.low
    if st.suspect:
        basis = f"{st.clean} clean requests" if st.use_clean else f"{st.judged} requests"
        return True, (
            f"leaves {size(est)} behind per request (99% bound {size(low)}, {basis}); "
            f"{st.positive_share:.0%} of its requests grew the worker"
        )
    if st.judged < MIN_JUDGED:
        return False, f"only {st.judged} requests after warm-up; {MIN_JUDGED} are needed to judge"
    # Judged, and the lower bound is not above a page.
    if st.use_clean and st.mean_low > PAGE:
        return False, (
            f"grows the worker only after other requests did ({size(st.mean)}/request then, "
            f"{size(est)} over {st.clean} clean requests): it re-extends heap that they used up"
        )
    zend = st.split[1]
    zend_note = (
        f"; Zend kept {size(zend)} of freed chunks cached, which PHP gives back over the next requests"
        if zend > PAGE
        else ""
    )
    if est <= PAGE:
        return False, f"keeps nothing measurable ({size(est)}/request over {st.judged} requests){zend_note}"
    return False, f"{size(est)}/request on average but too noisy to call (99% bound {size(low)}){zend_note}"


def _item(st: EndpointStats) -> EndpointLeak:
    suspect, reason = judge(st)
    native, zend, shared = st.split
    return EndpointLeak(
        endpoint=st.endpoint,
        requests=st.requests,
        judged_requests=st.judged,
        warmup_requests=st.warmup,
        unknown_requests=st.unknown,
        retained_bytes_per_request=round(st.estimate, 1),
        retained_bytes_median=float(st.median),
        retained_bytes_low=round(st.low, 1) if math.isfinite(st.low) else 0.0,
        retained_bytes_total=round(st.estimate * st.requests),
        retained_bytes_mean_all=round(st.mean, 1),
        clean_requests=st.clean,
        estimate_from="clean" if st.use_clean else "all",
        positive_share=round(st.positive_share, 4),
        native_bytes_per_request=round(native, 1),
        zend_cache_bytes_per_request=round(zend, 1),
        shared_bytes_per_request=round(shared, 1),
        warmup_bytes_total=float(st.warmup_total),
        peak_footprint_bytes=int(st.footprint_max),
        median_footprint_bytes=int(st.footprint_median),
        wall_ms_mean=round(st.wall_mean_us / 1000, 3),
        wall_ms_p95=round(st.wall_p95_us / 1000, 3),
        cpu_ms_mean=round(st.cpu_mean_us / 1000, 3),
        failed_requests=st.failed,
        kind=_kind(native, zend, shared) if suspect or max(native, zend, shared) > PAGE else "none",
        suspect=suspect,
        reason=reason,
    )


def suspect_stats(requests: Requests) -> list[EndpointStats]:
    """The statistics of the endpoints judged leaking, most kept first (what the workers and
    advise analyses attribute growth to)."""
    stats = map(EndpointStats._make, requests.con.execute(query("leak_endpoints")).fetchall())
    return sorted((st for st in stats if st.suspect), key=lambda st: (-st.estimate * st.requests, st.endpoint))


def _rank_key(st: EndpointStats) -> tuple[bool, int, str]:
    return not st.suspect, -round(st.estimate * st.requests), st.endpoint


def _footprint_key(st: EndpointStats) -> tuple[int, str]:
    return -int(st.footprint_max), st.endpoint


def _first(
    n: int | None, stats: Iterable[EndpointStats], key: Callable[[EndpointStats], tuple[object, ...]]
) -> list[EndpointStats]:
    """sorted(stats, key=key)[:n]; for a small n without sorting everything."""
    return sorted(stats, key=key) if n is None else heapq.nsmallest(n, stats, key=key)


def analyze(requests: Requests) -> LeakReport:
    options = requests.options
    stats = list(map(EndpointStats._make, requests.con.execute(query("leak_endpoints")).fetchall()))
    # Rank on the keys alone and build items (their reasons and roundings) only for what is
    # shown: with --top, 20 of the ~47,000 endpoints of a 1 M-line log. The keys are the
    # items' own fields: suspect, retained_bytes_total, peak_footprint_bytes, endpoint.
    suspect_stats = sorted((st for st in stats if st.suspect), key=_rank_key)
    shown = _first(options.top, stats, _rank_key)
    by_footprint = _first(options.top, stats, _footprint_key)
    items: dict[str, EndpointLeak] = {}
    for st in (*suspect_stats, *shown, *by_footprint):
        if st.endpoint not in items:
            items[st.endpoint] = _item(st)
    suspects = tuple(items[st.endpoint] for st in suspect_stats)
    summary = requests.inputs
    return LeakReport(
        by=options.by,
        inputs=summary,
        suspects=suspects,
        endpoints=tuple(items[st.endpoint] for st in shown),
        endpoint_count=len(stats),
        footprint_ranking=tuple(items[st.endpoint] for st in by_footprint),
        verdict=_verdict(suspects, summary),
    )


def _verdict(suspects: tuple[EndpointLeak, ...], summary: InputSummary) -> str:
    if summary.records == 0:
        return "No probe records to analyse."
    if not suspects:
        return f"No endpoint leaves memory behind ({summary.records} requests on {summary.workers} workers)."
    top = suspects[0]
    more = f", and {len(suspects) - 1} more suspect(s)" if len(suspects) > 1 else ""
    return f"{top.endpoint} leaks about {size(top.retained_bytes_per_request)} per request ({top.kind}){more}."
