"""Two leak reports in (before, after), the endpoints whose verdict or time changed out.

An endpoint *started leaking* when it is a suspect after and was not before (it may be new),
*stopped leaking* the other way round (only when it still ran after: an endpoint that is gone
is listed apart, its leak not shown fixed). Both sides suspects: *leaks more / less* when the
estimate moved by LEAK_RATIO or more. Time: *slower / faster* when the mean PHP wall time
moved by TIME_RATIO and by TIME_MS at least, over MIN_REQUESTS requests or more on each side.
"""

from __future__ import annotations

from fpmscope.model.diff import CHANGES, DiffReport, DiffSide, EndpointChange
from fpmscope.model.leaks import EndpointLeak, LeakReport
from fpmscope.units import size

LEAK_RATIO = 1.5
TIME_RATIO = 2.0
TIME_MS = 20.0
MIN_REQUESTS = 10


def side(label: str, report: LeakReport) -> DiffSide:
    inputs = report.inputs
    return DiffSide(
        label=label,
        requests=inputs.records,
        workers=inputs.workers,
        first_ts=inputs.first_ts,
        last_ts=inputs.last_ts,
        suspects=len(report.suspects),
    )


def _kept(e: EndpointLeak) -> str:
    verdict = "LEAK" if e.suspect else "not leaking"
    return f"{size(e.retained_bytes_per_request)}/request over {e.requests} requests, {verdict}"


def _leak_change(b: EndpointLeak | None, a: EndpointLeak) -> tuple[str, str] | None:
    if a.suspect and (b is None or not b.suspect):
        before = "not seen before" if b is None else f"before: {_kept(b)}"
        return "started leaking", f"{before}; after: {_kept(a)} ({a.reason})"
    if b is None:
        return None
    if b.suspect and not a.suspect:
        return "stopped leaking", f"before: {_kept(b)} ({b.reason}); after: {_kept(a)}"
    if b.suspect and a.suspect and b.retained_bytes_per_request > 0:
        ratio = a.retained_bytes_per_request / b.retained_bytes_per_request
        if ratio >= LEAK_RATIO or ratio <= 1 / LEAK_RATIO:
            change = "leaks more" if ratio > 1 else "leaks less"
            return change, f"before: {_kept(b)}; after: {_kept(a)}"
    return None


def _time_change(b: EndpointLeak, a: EndpointLeak) -> tuple[str, str] | None:
    if min(b.requests, a.requests) < MIN_REQUESTS or b.wall_ms_mean <= 0:
        return None
    ratio = a.wall_ms_mean / b.wall_ms_mean
    if abs(a.wall_ms_mean - b.wall_ms_mean) < TIME_MS or 1 / TIME_RATIO < ratio < TIME_RATIO:
        return None
    evidence = (
        f"mean {b.wall_ms_mean:,.0f} ms → {a.wall_ms_mean:,.0f} ms, p95 {b.wall_ms_p95:,.0f} ms → "
        f"{a.wall_ms_p95:,.0f} ms, over {b.requests} / {a.requests} requests"
    )
    return ("slower" if ratio > 1 else "faster"), evidence


def _change(endpoint: str, change: str, evidence: str, b: EndpointLeak | None, a: EndpointLeak) -> EndpointChange:
    return EndpointChange(
        endpoint=endpoint,
        change=change,
        before_requests=b.requests if b else None,
        after_requests=a.requests,
        before_kept_bytes_per_request=b.retained_bytes_per_request if b else None,
        after_kept_bytes_per_request=a.retained_bytes_per_request,
        before_suspect=b.suspect if b else None,
        after_suspect=a.suspect,
        before_wall_ms_mean=b.wall_ms_mean if b else None,
        after_wall_ms_mean=a.wall_ms_mean,
        evidence=evidence,
    )


def _weight(c: EndpointChange) -> float:
    """How big a change is, to order the changes of one kind: bytes kept, or ms."""
    if c.change in ("slower", "faster"):
        return abs((c.after_wall_ms_mean or 0) - (c.before_wall_ms_mean or 0))
    return abs((c.after_kept_bytes_per_request or 0) - (c.before_kept_bytes_per_request or 0))


def compare(before: LeakReport, after: LeakReport, labels: tuple[str, str]) -> DiffReport:
    """Reports over all endpoints (LeakOptions(top=None)) of the two sides."""
    old = {e.endpoint: e for e in before.endpoints}
    new = {e.endpoint: e for e in after.endpoints}
    changes: list[EndpointChange] = []
    for name, a in new.items():
        b = old.get(name)
        found = _leak_change(b, a)
        if found is not None:
            changes.append(_change(name, *found, b, a))
        timed = _time_change(b, a) if b is not None else None
        if timed is not None and b is not None:
            changes.append(_change(name, *timed, b, a))
    # A gone endpoint that leaked before: listed apart (only_before); its leak may not be fixed.
    changes.sort(key=lambda c: (CHANGES.index(c.change), -_weight(c), c.endpoint))
    counts = {kind: sum(1 for c in changes if c.change == kind) for kind in CHANGES}
    if changes:
        named = "; ".join(f"{c.endpoint} {c.change}" for c in changes[:3])
        more = f" (and {len(changes) - 3} more changes)" if len(changes) > 3 else ""
        headline = named + more + " [" + ", ".join(f"{n} {kind}" for kind, n in counts.items() if n) + "]"
    else:
        headline = "No endpoint started or stopped leaking, or changed speed."
    return DiffReport(
        before=side(labels[0], before),
        after=side(labels[1], after),
        changes=tuple(changes),
        compared_endpoints=len(old.keys() & new.keys()),
        only_before=tuple(sorted(old.keys() - new.keys())),
        only_after=tuple(sorted(new.keys() - old.keys())),
        headline=headline,
    )
