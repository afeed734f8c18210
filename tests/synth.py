"""Synthetic probe records for unit tests, built from the one record schema.

A worker is simulated request by request: each request names its endpoint and what it does to
the worker's memory (native bytes kept, Zend cache after it, shared growth, noise).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from fpmscope.records import ProbeRecord

MiB = 1 << 20


@dataclass
class Worker:
    pid: int
    start: int
    ts: float = 1_700_000_000.0
    native: int = 8 * MiB
    zend_cache: int = 2 * MiB
    shared: int = 6 * MiB
    records: list[ProbeRecord] = field(default_factory=list)

    def request(
        self,
        uri: str,
        *,
        keep: int = 0,
        zend_cache_after: int | None = None,
        shared_growth: int = 0,
        peak: int = 0,
        noise: int = 0,
        method: str = "GET",
        tag: str = "",
    ) -> None:
        """One request; what it keeps shows at the next request's start."""
        anon = self.native + self.zend_cache
        self.records.append(
            ProbeRecord(
                host="web1",
                pool="www",
                pid=self.pid,
                worker_start=self.start,
                ts=self.ts,
                wall_us=1500,
                cpu_user_us=900,
                cpu_sys_us=100,
                rss_start=anon + self.shared,
                rss_end=anon + self.shared + peak,
                anon_start=anon,
                anon_end=anon + peak,
                shared_start=self.shared,
                shared_end=self.shared,
                zend_start=400_000,
                zend_end=400_000 + peak,
                zend_peak=400_000 + peak,
                zend_real_start=self.zend_cache,
                zend_real_peak=self.zend_cache + peak,
                status=200,
                method=method,
                uri=uri,
                script="/srv/app/public/index.php",
                request_id="",
                included_files=40,
                outcome="ok",
                tag=tag,
                flags="",
            )
        )
        self.ts += 0.01
        self.native += keep + noise
        self.shared += shared_growth
        if zend_cache_after is not None:
            self.zend_cache = zend_cache_after


def noise(rng: random.Random, pages: int = 2) -> int:
    """Kernel-counter and allocator jitter: usually nothing, sometimes a few pages either way."""
    return rng.choice([0] * 8 + [4096 * rng.randint(-pages, pages)])


def write(path: Path, *workers: Worker) -> Path:
    lines = [r.to_line() for w in workers for r in w.records]
    path.write_text("".join(lines))
    return path
