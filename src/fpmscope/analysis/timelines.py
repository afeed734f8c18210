"""Per-worker memory timelines for the report, small whatever the log's size.

Reads `leak_requests` (analysis/leaks.py: prepare). Each chosen worker's requests are cut into
buckets by position and only every bucket's extremes are kept (sql/timeline_points.sql), plus
the requests of leak suspects up to a cap, so a 1 M-request log still draws a few thousand
points and a climbing worker still climbs.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

import duckdb

from fpmscope.fullreport import Timelines, WorkerTimeline
from fpmscope.sql import query


@dataclass(frozen=True, slots=True)
class TimelineOptions:
    max_workers: int = 12
    buckets: int = 400
    suspect_cap: int = 400

    def __post_init__(self) -> None:
        if min(self.max_workers, self.buckets, self.suspect_cap) < 1:
            raise ValueError("max_workers, buckets and suspect_cap must be at least 1")


DEFAULT_TIMELINES = TimelineOptions()


def build_timelines(
    con: duckdb.DuckDBPyConnection, suspects: list[str], options: TimelineOptions = DEFAULT_TIMELINES
) -> Timelines:
    workers = con.execute(
        query("timeline_workers"), {"suspects": suspects, "max_workers": options.max_workers}
    ).fetchall()
    total = con.execute("SELECT count(DISTINCT worker) FROM leak_requests WHERE anon_start IS NOT NULL").fetchone()
    assert total is not None
    keys = [w[0] for w in workers]
    rows = con.execute(
        query("timeline_points"),
        {"suspects": suspects, "workers": keys, "buckets": options.buckets, "suspect_cap": options.suspect_cap},
    ).fetchall()
    names: dict[str, int] = {}
    points = {key: list(group) for key, group in groupby(rows, key=lambda r: r[0])}
    timelines = []
    for key, host, pool, pid, n, first_ts, last_ts, anon_first, anon_last, anon_max, growth, marked in workers:
        pts = points.get(key, [])
        timelines.append(
            WorkerTimeline(
                worker=key,
                host=host,
                pool=pool,
                pid=pid,
                requests=n,
                first_ts=first_ts,
                last_ts=last_ts,
                anon_first=anon_first,
                anon_last=anon_last,
                anon_max=anon_max,
                anon_growth=growth,
                suspect_requests=marked,
                seq=tuple(int(p[1]) for p in pts),
                ts=tuple(round(float(p[2]), 6) for p in pts),
                endpoint=tuple(names.setdefault(p[3], len(names)) for p in pts),
                anon=tuple(int(p[4]) for p in pts),
                shared=tuple(int(p[5]) for p in pts),
                suspect=tuple(int(p[6]) for p in pts),
                floor=tuple(int(p[7]) for p in pts),
            )
        )
    return Timelines(
        endpoints=tuple(names),
        workers=tuple(timelines),
        workers_total=int(total[0]),
        max_workers=options.max_workers,
        buckets=options.buckets,
        suspect_cap=options.suspect_cap,
    )
