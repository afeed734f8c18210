"""pm.max_children and pm.max_requests that fit a memory budget, from what workers did.

Memory of a pool = the shared pages once + every child's own (anonymous) memory. Shared
pages (opcache's shared memory, the PHP binary and its libraries) are the same physical
pages in every worker, so /proc counts them again in each worker's RSS; adding RSS over
workers would count them N times. The largest shared size seen in any worker stands for
all of them. A child's own memory is its baseline after warm-up, plus the p99 footprint of
one request (all children may be busy at once), plus what it has kept: growth per request
times the requests served since it was started.

Inputs are taken on the high side: the p90 across workers of baseline and of growth per
request (with four workers that is the largest), the p99 request footprint. max_children is
the number of children that fit when each may grow for MIN_RECYCLE requests; max_requests
then spends the room left over per child on growth.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from fpmscope.analysis.leaks import suspect_stats
from fpmscope.analysis.requests import WORKER_WARMUP, Requests
from fpmscope.analysis.workers import MIN_POINTS, trends
from fpmscope.errors import FpmscopeError
from fpmscope.model.advise import Advice, AdviceReport
from fpmscope.sql import row
from fpmscope.units import size

# Fewer requests than this between recycles and recycling itself (a fork and a warm-up) costs.
MIN_RECYCLE = 500
# Growth below this is within the noise of page-granular counters and allocator jitter: less
# than one 4 KiB page per 8 requests (the slope of a random walk of a few pages is about this).
ZERO_GROWTH = 512.0
PERCENTILE = 0.9


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile: a value that was observed."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def compute(
    *,
    memory: int,
    reserve: int,
    shared: int,
    baseline: int,
    footprint: int,
    growth: float,
    workers: int,
    requests: int,
    suspects: tuple[str, ...] = (),
) -> Advice:
    """The arithmetic, kept apart from the data so tests can check it with known numbers."""
    available = memory - reserve
    fresh = baseline + footprint
    room = available - shared
    recycle = growth >= ZERO_GROWTH
    g = growth if recycle else 0.0
    lines = [
        f"Budget: {size(memory)} minus {size(reserve)} reserved for everything else = {size(available)} for PHP-FPM.",
        f"Shared memory (opcache, PHP and its libraries; the same pages in every worker, counted once): "
        f"{size(shared)}. That leaves {size(room)} for the children.",
        f"One child right after warm-up: {size(baseline)} of its own memory (p90 across {workers} workers), plus "
        f"{size(footprint)} while it serves a big request (p99 of {requests} requests) = {size(fresh)}.",
    ]
    if reserve == 0:
        lines.append("Nothing was reserved for the OS, nginx, databases or the php-fpm master: see --reserve.")
    if recycle:
        lines.append(
            f"Children grow by {size(g)} per request they serve (p{PERCENTILE * 100:.0f} across {workers} workers)."
        )
        if suspects:
            lines.append(
                f"That growth is a leak in {', '.join(suspects)} (see `fpmscope leaks`); recycling hides it, "
                "fixing it lets children live longer."
            )
    else:
        lines.append(
            f"Children do not grow with the requests they serve: p90 growth is {size(growth)}/request, "
            f"below the {size(ZERO_GROWTH)}/request that counter noise alone can show."
        )
    if room < fresh + g:
        lines.append(f"{size(room)} cannot hold even one child of {size(fresh + g)}: the budget is too small.")
        return Advice(
            memory, reserve, available, shared, baseline, footprint, round(growth, 1), workers, requests,
            fresh, fresh, 0, 0, recycle, False, tuple(lines), (),
            f"{size(memory)} minus {size(reserve)} reserved cannot fit one PHP-FPM worker ({size(shared + fresh)}).",
        )  # fmt: skip
    if not recycle:
        children = room // fresh
        max_requests = 0
        share = fresh
        lines.append(f"{size(room)} / {size(fresh)} per child = {room / fresh:.2f}, so pm.max_children = {children}.")
        lines.append("Recycling is not needed for memory: pm.max_requests = 0 (never recycle).")
    else:
        planned = fresh + g * MIN_RECYCLE
        children = max(1, room // math.ceil(planned))
        share = room // children
        max_requests = int((share - fresh) // g)
        lines.append(
            f"Letting each child serve at least {MIN_RECYCLE} requests before it is recycled, it may reach "
            f"{size(fresh)} + {MIN_RECYCLE} × {size(g)} = {size(planned)}; {size(room)} / {size(planned)} = "
            f"{room / planned:.2f}, so pm.max_children = {children}."
        )
        lines.append(
            f"Each of the {children} children may then use {size(room)} / {children} = {size(share)}: "
            f"({size(share)} − {size(fresh)}) / {size(g)} per request = {max_requests} requests, "
            f"so pm.max_requests = {max_requests}: a child is replaced by a fresh one after that many requests, "
            "which gives back what it kept."
        )
    pool_lines = (f"pm.max_children = {children}", f"pm.max_requests = {max_requests}")
    verdict = f"Set pm.max_children = {children} and pm.max_requests = {max_requests}" + (
        "." if recycle else " (no recycling needed: workers do not grow)."
    )
    return Advice(
        memory, reserve, available, shared, baseline, footprint, round(growth, 1), workers, requests,
        fresh, int(share), int(children), max_requests, recycle, True, tuple(lines), pool_lines, verdict,
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Inputs:
    """The row of sql/advise_inputs.sql."""

    footprint_p99: int
    footprint_max: int
    shared_max: int
    requests: int


def analyze(requests: Requests, memory: int, reserve: int) -> AdviceReport:
    fits = list(trends(requests).values())
    pool = row(requests.con, "advise_inputs", _Inputs)
    if not fits:
        raise FpmscopeError(
            f"no worker served the {WORKER_WARMUP + MIN_POINTS} requests needed to measure its baseline and growth"
        )
    baseline = percentile([t.baseline_anon for t in fits], PERCENTILE)
    growth = max(0.0, percentile([t.slope for t in fits], PERCENTILE))
    suspects = tuple(st.endpoint for st in suspect_stats(requests))
    advice = compute(
        memory=memory,
        reserve=reserve,
        shared=int(pool.shared_max),
        baseline=int(baseline),
        footprint=int(pool.footprint_p99),
        growth=growth,
        workers=len(fits),
        requests=int(pool.requests),
        suspects=suspects[:3],
    )
    return AdviceReport(inputs=requests.inputs, advice=advice)
