"""Everything `fpmscope report` shows, computed once into a FullReport."""

from __future__ import annotations

from fpmscope.analysis import advise, leaks, workers
from fpmscope.analysis.latency import build_latency
from fpmscope.analysis.requests import Requests
from fpmscope.analysis.timelines import DEFAULT_TIMELINES, TimelineOptions, build_timelines
from fpmscope.model.full import FullReport
from fpmscope.model.slow import SlowReport


def build(
    requests: Requests,
    *,
    timeline_options: TimelineOptions = DEFAULT_TIMELINES,
    slow: SlowReport | None = None,
    budget: tuple[int, int] | None = None,
) -> FullReport:
    """The report over the judged requests.

    `slow` is the access-log SlowReport when the caller has one (commands/report.py); the
    latency section from the probe's wall time is there either way. `budget` is (memory,
    reserve) in bytes; with it the report carries fpmscope advise's pm.* advice.
    """
    leak = leaks.analyze(requests)
    timelines = build_timelines(requests, [s.endpoint for s in leak.suspects], timeline_options)
    latency = build_latency(requests)
    lives = workers.analyze(requests)
    advice = advise.analyze(requests, *budget) if budget is not None else None
    return FullReport(
        verdict=leak.verdict,
        leaks=leak,
        timelines=timelines,
        latency=latency,
        slow=slow,
        workers=lives,
        advice=advice,
    )
