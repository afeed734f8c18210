"""Synthetic probe records for unit tests, built from the one record schema.

A worker is simulated request by request: each request names its endpoint and what it does to
the worker's memory (native bytes kept, Zend cache after it, shared growth, noise).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from fpmscope.records import LEGACY_TAG, ProbeRecord

MiB = 1 << 20


@dataclass
class Worker:
    pid: int
    ts: float = 1_700_000_000.0
    cpu: int = 20_000  # the process's CPU time so far, µs: a new worker starts small
    native: int = 8 * MiB
    zend_cache: int = 2 * MiB
    shared: int = 6 * MiB
    host: str = "web1"
    pool: str = "www"
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
                host=self.host,
                pool=self.pool,
                pid=self.pid,
                worker_cpu_us=self.cpu,
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
        self.cpu += 900 + 100 + 30  # the request's CPU, and FPM's own between requests
        self.native += keep + noise
        self.shared += shared_growth
        if zend_cache_after is not None:
            self.zend_cache = zend_cache_after


def format_1(line: str, start: int) -> str:
    """A record line as earlier probes wrote it: the worker's start time in place of its CPU time."""
    fields = line.split("\t")
    return "\t".join([LEGACY_TAG, *fields[1:4], str(start), *fields[5:]])


def noise(rng: random.Random, pages: int = 2) -> int:
    """Kernel-counter and allocator jitter: usually nothing, sometimes a few pages either way."""
    return rng.choice([0] * 8 + [4096 * rng.randint(-pages, pages)])


def write(path: Path, *workers: Worker) -> Path:
    lines = [r.to_line() for w in workers for r in w.records]
    path.write_text("".join(lines))
    return path


# Log text written to attack an HTML report: each would set window.__xss if it ever ran.
XSS_CORPUS = (
    "/x/</script><script>window.__xss=1</script>",
    '/y/<img src=x onerror="window.__xss=2">',
    "/z/\"'><svg onload=window.__xss=3>",
    "/t/{{7*7}}/${7*7}/<!--",
    "/u/line\u2028sep\u2029para",
    "/v/\u202egnp.exe\u202c/\u2066isolate\u2069/zero\u200bwidth",
    "/w/javascript:window.__xss=4",
)


def hostile_worker(pid: int, ts: float, requests: int = 210) -> Worker:
    """A worker whose host, pool and URIs are the XSS corpus; its first URI leaks 64 KiB."""
    w = Worker(pid=pid, ts=ts, host="<b>web</b>\u202e", pool="</script><script>window.__xss=5</script>")
    for i in range(requests):
        uri = XSS_CORPUS[i % len(XSS_CORPUS)]
        w.request(
            uri, keep=64 * 1024 if uri == XSS_CORPUS[0] else 0, tag="<i onmouseover=window.__xss=6>" if i == 5 else ""
        )
    return w


MANY = """
COPY (
    WITH r AS (SELECT i, 1000 + i % $workers AS pid, hash(i) % 20 AS e FROM range($n) t(i)),
    m AS (
        SELECT *, 8388608 + 65536 * coalesce(sum((e = 0)::INTEGER) OVER (
            PARTITION BY pid ORDER BY i ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
            AS anon,
            CASE WHEN i % 97 = 0 THEN 20971520 ELSE 0 END AS peak
        FROM r
    )
    SELECT 'fpms2', 'web1', 'www', pid, 20000 + i * 1000, round(1700000000 + i * 0.001, 6),
        500 + hash(i * 7) % 50000, 300, 20, anon + 6291456, anon + peak + 6291456, anon, anon + peak, 6291456, 6291456,
        400000, 400000 + peak, 400000 + peak, 2097152, 2097152 + peak, 200, 'GET', '/e' || e || '/' || (i % 1000),
        '/srv/app/index.php', NULL, 40, 'ok', NULL, NULL
    FROM m ORDER BY i
) TO '{path}' (DELIMITER '\t', HEADER false, QUOTE '')
"""


def write_many(path: Path, n: int, workers: int) -> Path:
    """A big probe log written by DuckDB (a million lines in seconds): `workers` workers, 20
    endpoints `/eK/{id}`, /e0 keeps 64 KiB per request, every 97th request peaks 20 MiB higher and frees it."""
    if "'" in str(path):
        raise ValueError("path must not contain a quote")
    duckdb.connect().execute(MANY.format(path=path), {"n": n, "workers": workers})
    return path
