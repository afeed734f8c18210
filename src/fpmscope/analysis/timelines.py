"""Per-worker memory timelines for the report, small whatever the log's size.

Reads the judged requests (analysis/requests.py). Each chosen worker's requests are cut into
buckets by position and only every bucket's extremes are kept (sql/timeline_points.sql), plus
the requests of leak suspects up to a cap, so a 1 M-request log still draws a few thousand
points and a climbing worker still climbs.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

from fpmscope.analysis.requests import Requests
from fpmscope.model.full import Timelines, WorkerTimeline
from fpmscope.sql import row, rows


@dataclass(frozen=True, slots=True)
class TimelineOptions:
    max_workers: int = 12
    buckets: int = 400
    suspect_cap: int = 400

    def __post_init__(self) -> None:
        if min(self.max_workers, self.buckets, self.suspect_cap) < 1:
            raise ValueError("max_workers, buckets and suspect_cap must be at least 1")


DEFAULT_TIMELINES = TimelineOptions()


@dataclass(frozen=True, slots=True)
class _Worker:
    """One row of sql/timeline_workers.sql."""

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


@dataclass(frozen=True, slots=True)
class _Point:
    """One row of sql/timeline_points.sql."""

    worker: str
    seq: int
    ts: float
    endpoint: str
    anon_start: int
    shared_start: int
    suspect: int
    floor: int


@dataclass(frozen=True, slots=True)
class _Count:
    workers: int


def build_timelines(requests: Requests, suspects: list[str], options: TimelineOptions = DEFAULT_TIMELINES) -> Timelines:
    con = requests.con
    workers = rows(con, "timeline_workers", _Worker, {"suspects": suspects, "max_workers": options.max_workers})
    total = row(con, "timeline_count", _Count)
    params = {
        "suspects": suspects,
        "workers": [w.worker for w in workers],
        "buckets": options.buckets,
        "suspect_cap": options.suspect_cap,
    }
    names: dict[str, int] = {}
    points = {
        key: list(group) for key, group in groupby(rows(con, "timeline_points", _Point, params), key=lambda p: p.worker)
    }
    timelines = []
    for w in workers:
        pts = points.get(w.worker, [])
        timelines.append(
            WorkerTimeline(
                worker=w.worker,
                host=w.host,
                pool=w.pool,
                pid=w.pid,
                requests=w.requests,
                first_ts=w.first_ts,
                last_ts=w.last_ts,
                anon_first=w.anon_first,
                anon_last=w.anon_last,
                anon_max=w.anon_max,
                anon_growth=w.anon_growth,
                suspect_requests=w.suspect_requests,
                seq=tuple(int(p.seq) for p in pts),
                ts=tuple(round(float(p.ts), 6) for p in pts),
                endpoint=tuple(names.setdefault(p.endpoint, len(names)) for p in pts),
                anon=tuple(int(p.anon_start) for p in pts),
                shared=tuple(int(p.shared_start) for p in pts),
                suspect=tuple(int(p.suspect) for p in pts),
                floor=tuple(int(p.floor) for p in pts),
            )
        )
    return Timelines(
        endpoints=tuple(names),
        workers=tuple(timelines),
        workers_total=int(total.workers),
        max_workers=options.max_workers,
        buckets=options.buckets,
        suspect_cap=options.suspect_cap,
    )
