"""The sampler of `fpmscope top`: the status page and /proc in, typed rows out.

Each sample reads the pool's status page (if given) and /proc for every worker pid, and keeps
per worker (pid + process start time, as pids are reused) what it looked like when first seen
and a bounded history of its RSS. Workers that disappear are forgotten; new ones start fresh.
Rows come out sorted by growth since first seen, largest first, so the swelling worker is on
top; the view only formats them.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from fpmscope.errors import FpmscopeError
from fpmscope.live import proc, status

SPARK_LEVELS = 8


@dataclass(frozen=True, slots=True)
class WorkerRow:
    pid: int
    state: str  # from the status page, or "-" when only /proc is read
    rss_bytes: int | None
    anon_bytes: int | None
    shared_bytes: int | None
    growth_bytes: int | None  # anon now minus anon when first seen
    growth_bytes_per_request: float | None  # over the requests served since first seen
    requests: int | None  # served since the worker started (status page)
    requests_seen: int | None  # served since first seen by this sampler
    seen_for_s: float
    request_method: str
    request_uri: str
    script: str
    request_duration_ms: float | None
    last_request_cpu_percent: float | None
    last_request_memory_bytes: int | None
    rss_history: tuple[int, ...]  # oldest first, bounded
    rss_levels: tuple[int, ...]  # rss_history scaled to 0..7 for a sparkline


@dataclass(frozen=True, slots=True)
class Snapshot:
    taken_at: float
    source: str
    pool: status.PoolStatus | None
    workers: tuple[WorkerRow, ...]
    gone: int  # workers seen before that have exited since the sampler started


@dataclass
class _Seen:
    first_at: float
    first_anon: int | None
    first_requests: int | None
    history: deque[int] = field(default_factory=deque)


def levels(values: tuple[int, ...]) -> tuple[int, ...]:
    low, high = min(values, default=0), max(values, default=0)
    if high == low:
        return tuple(0 for _ in values)
    return tuple(min(SPARK_LEVELS - 1, (v - low) * SPARK_LEVELS // (high - low)) for v in values)


class Sampler:
    """Call `sample()` repeatedly; state between calls is bounded by `history` per worker."""

    def __init__(
        self,
        *,
        status_url: str | None = None,
        master: int | None = None,
        pool: str | None = None,
        history: int = 60,
        clock: Callable[[], float] = time.time,
        fetch: Callable[[str], str] = status.fetch,
        proc_root: Path = proc.PROC,
    ) -> None:
        if status_url is None and master is None and pool is None:
            raise FpmscopeError("say which pool to watch: --status-url URL, --pid MASTER_PID or --pool NAME")
        if master is not None:
            if not (proc_root / str(master)).is_dir():
                raise FpmscopeError(f"--pid {master}: no such process (give the php-fpm master's pid)")
            title = proc.command_line(master, proc_root)
            if not title.startswith("php-fpm: master process"):
                raise FpmscopeError(
                    f"--pid {master}: not a php-fpm master (it runs {title[:60] or 'nothing readable'!r}); "
                    "give the pid of 'php-fpm: master process', e.g. from pgrep -o php-fpm"
                )
        self.status_url = status_url
        self.master = master
        self.pool = pool
        self.history = history
        self.clock = clock
        self.fetch = fetch
        self.proc_root = proc_root
        self.seen: dict[tuple[int, int | None], _Seen] = {}
        self.gone = 0

    def _source(self) -> str:
        if self.status_url is not None:
            return self.status_url
        return f"/proc, master pid {self.master}" if self.master is not None else f"/proc, pool {self.pool}"

    def sample(self) -> Snapshot:
        now = self.clock()
        pool: status.PoolStatus | None = None
        processes: dict[int, status.ProcessStatus] = {}
        if self.status_url is not None:
            pool, listed = status.parse(self.fetch(self.status_url))
            processes = {p.pid: p for p in listed}
        pids = set(processes)
        if self.master is not None or self.pool is not None:
            pids |= set(proc.pool_pids(self.master, self.pool, self.proc_root))
        rows = []
        alive = set()
        for pid in sorted(pids):
            st = processes.get(pid)
            key = (pid, proc.start_time(pid, self.proc_root) or (st.start_time if st else None))
            alive.add(key)
            rows.append(self._row(pid, key, now, st))
        self.gone += sum(1 for key in self.seen if key not in alive)
        self.seen = {key: seen for key, seen in self.seen.items() if key in alive}
        rows.sort(key=lambda r: (r.growth_bytes is None, -(r.growth_bytes or 0), r.pid))
        return Snapshot(taken_at=now, source=self._source(), pool=pool, workers=tuple(rows), gone=self.gone)

    def _row(self, pid: int, key: tuple[int, int | None], now: float, st: status.ProcessStatus | None) -> WorkerRow:
        mem = proc.memory(pid, self.proc_root)
        anon = mem.anon if mem else None
        requests = st.requests if st else None
        seen = self.seen.get(key)
        if seen is None:
            seen = self.seen[key] = _Seen(now, anon, requests, deque(maxlen=self.history))
        if mem is not None:
            seen.history.append(mem.rss)
        if seen.first_anon is None:
            seen.first_anon = anon
        growth = None if anon is None or seen.first_anon is None else anon - seen.first_anon
        served = None if requests is None or seen.first_requests is None else requests - seen.first_requests
        history = tuple(seen.history)
        return WorkerRow(
            pid=pid,
            state=st.state if st else "-",
            rss_bytes=mem.rss if mem else None,
            anon_bytes=anon,
            shared_bytes=mem.shared if mem else None,
            growth_bytes=growth,
            growth_bytes_per_request=round(growth / served, 1) if growth is not None and served else None,
            requests=requests,
            requests_seen=served,
            seen_for_s=round(now - seen.first_at, 3),
            request_method=st.request_method if st else "",
            request_uri=st.request_uri if st else "",
            script=st.script if st else "",
            request_duration_ms=st.request_duration_us / 1000 if st else None,
            last_request_cpu_percent=st.last_request_cpu if st else None,
            last_request_memory_bytes=st.last_request_memory if st else None,
            rss_history=history,
            rss_levels=levels(history),
        )
