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
from dataclasses import dataclass
from typing import NamedTuple

import duckdb

from fpmscope.endpoint_templates import DEFAULT_MIN_VALUES, Template, infer
from fpmscope.endpoints import DEFAULT_ROUTE_PARAMS, DEFAULT_RULES, Rule, endpoint_sql, path_sql
from fpmscope.ingest import IngestResult
from fpmscope.report import EndpointLeak, InputSummary, LeakReport
from fpmscope.sql import query
from fpmscope.units import size

PAGE = 4096
# Requests a worker serves before it is judged: autoloaders, realpath and opcache fill up.
WORKER_WARMUP = 3
# Judged (or clean) requests an endpoint needs before its mean is used.
MIN_JUDGED = 8
# One-sided 99% normal quantile for the lower bound of a mean.
Z99 = 2.326


@dataclass(frozen=True, slots=True)
class LeakOptions:
    by: str = "endpoint"  # or "script"
    rules: tuple[Rule, ...] = DEFAULT_RULES
    top: int | None = None
    route_params: tuple[str, ...] = DEFAULT_ROUTE_PARAMS
    # Distinct values that make a path position an inferred template; 0 turns inference off.
    infer_min: int = DEFAULT_MIN_VALUES

    def __post_init__(self) -> None:
        if self.by not in ("endpoint", "script"):
            raise ValueError(f"by must be endpoint or script, not {self.by!r}")
        if self.top is not None and self.top < 1:
            raise ValueError("top must be at least 1")


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


# A route name (set by the application, or read from its framework by the probe) wins over
# the path; endpoint_sql keeps a name as it is and normalizes a path.
_NAMED = "CASE WHEN tag <> '' THEN tag ELSE coalesce(uri, '') END"


def _templates(con: duckdb.DuckDBPyConnection, options: LeakOptions) -> tuple[Template, ...]:
    """Inferred templates over the distinct normalized paths of the records."""
    if options.by == "script":
        return ()
    path, params = path_sql("split_part(u, '?', 1)", options.rules)
    paths = f"SELECT DISTINCT {path} AS path FROM (SELECT DISTINCT {_NAMED} AS u FROM requests)"
    return infer(con, paths, params, options.infer_min)


def _endpoint_expression(options: LeakOptions, templates: tuple[Template, ...]) -> tuple[str, dict[str, object]]:
    if options.by == "script":
        return "coalesce(script, '-')", {}
    return endpoint_sql("method", _NAMED, options.rules, options.route_params, templates)


def prepare(con: duckdb.DuckDBPyConnection, options: LeakOptions) -> tuple[Template, ...]:
    """Build the per-request table `leak_requests` (also used by the workers analysis);
    return the templates inferred for its endpoint names."""
    templates = _templates(con, options)
    expr, params = _endpoint_expression(options, templates)
    sql = query("leak_requests").format(endpoint=expr, worker_warmup=WORKER_WARMUP, page=PAGE)
    con.execute(sql, params)
    return templates


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


def suspect_stats(con: duckdb.DuckDBPyConnection) -> list[EndpointStats]:
    """The statistics of the endpoints judged leaking in leak_requests, most kept first
    (what the workers and advise analyses attribute growth to)."""
    stats = map(EndpointStats._make, con.execute(query("leak_endpoints")).fetchall())
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


def analyze(con: duckdb.DuckDBPyConnection, ingest: IngestResult, options: LeakOptions) -> LeakReport:
    prepare(con, options)
    stats = list(map(EndpointStats._make, con.execute(query("leak_endpoints")).fetchall()))
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
    summary = summarize(con, ingest)
    return LeakReport(
        by=options.by,
        inputs=summary,
        suspects=suspects,
        endpoints=tuple(items[st.endpoint] for st in shown),
        endpoint_count=len(stats),
        footprint_ranking=tuple(items[st.endpoint] for st in by_footprint),
        verdict=_verdict(suspects, summary),
    )


def summarize(con: duckdb.DuckDBPyConnection, ingest: IngestResult) -> InputSummary:
    row = con.execute(query("leak_summary")).fetchone()
    assert row is not None
    records, workers, hosts, first_ts, last_ts, warmup, unknown, unmeasured = row
    return InputSummary(
        files=ingest.files,
        records=records,
        skipped_lines=ingest.skipped,
        skipped_example=ingest.skipped_example,
        workers=workers,
        hosts=hosts,
        first_ts=first_ts,
        last_ts=last_ts,
        warmup_requests=warmup or 0,
        unknown_requests=unknown or 0,
        unmeasured_requests=unmeasured or 0,
    )


def _verdict(suspects: tuple[EndpointLeak, ...], summary: InputSummary) -> str:
    if summary.records == 0:
        return "No probe records to analyse."
    if not suspects:
        return f"No endpoint leaves memory behind ({summary.records} requests on {summary.workers} workers)."
    top = suspects[0]
    more = f", and {len(suspects) - 1} more suspect(s)" if len(suspects) > 1 else ""
    return f"{top.endpoint} leaks about {size(top.retained_bytes_per_request)} per request ({top.kind}){more}."
