"""Wall time per endpoint from the probe records: always available, no access log needed.

Reads the judged requests (analysis/requests.py). Percentiles are exact (DuckDB
quantile_cont); histograms use fixed half-octave bins so every endpoint shares one axis.
"""

from __future__ import annotations

from dataclasses import dataclass

from fpmscope.analysis.requests import Requests
from fpmscope.model.full import EndpointLatency, LatencyReport
from fpmscope.sql import row, rows

# Half-octave bins 2^(b/2) µs: bin 14 starts at 128 µs, bin 51 at about 46 s.
LOW_BIN = 14
HIGH_BIN = 51
TOP = 50


@dataclass(frozen=True, slots=True)
class _Latency:
    """One row of sql/latency_endpoints.sql."""

    endpoint: str
    requests: int
    p50_us: float
    p95_us: float
    p99_us: float
    max_us: int
    mean_us: float
    total_us: int
    failed: int


@dataclass(frozen=True, slots=True)
class _Bin:
    """One row of sql/latency_histogram.sql."""

    endpoint: str | None
    bin: int
    n: int


@dataclass(frozen=True, slots=True)
class _Count:
    endpoints: int


def build_latency(requests: Requests, top: int = TOP) -> LatencyReport:
    con = requests.con
    found = rows(con, "latency_endpoints", _Latency, {"top": top})
    params = {"endpoints": [r.endpoint for r in found], "low_bin": LOW_BIN, "high_bin": HIGH_BIN}
    width = HIGH_BIN - LOW_BIN + 1
    counts: dict[str | None, list[int]] = {}
    for b in rows(con, "latency_histogram", _Bin, params):
        counts.setdefault(b.endpoint, [0] * width)[b.bin - LOW_BIN] = int(b.n)
    total = row(con, "latency_count", _Count)
    endpoints = tuple(
        EndpointLatency(
            endpoint=r.endpoint,
            requests=int(r.requests),
            p50_ms=round(r.p50_us / 1000, 3),
            p95_ms=round(r.p95_us / 1000, 3),
            p99_ms=round(r.p99_us / 1000, 3),
            max_ms=round(r.max_us / 1000, 3),
            mean_ms=round(r.mean_us / 1000, 3),
            total_s=round(r.total_us / 1e6, 3),
            failed_requests=int(r.failed),
            histogram=tuple(counts.get(r.endpoint, [0] * width)),
        )
        for r in found
    )
    return LatencyReport(
        source="probe wall time (PHP's view: no nginx queueing or network)",
        endpoints=endpoints,
        endpoints_total=int(total.endpoints),
        bin_edges_ms=tuple(round(2 ** (b / 2) / 1000, 4) for b in range(LOW_BIN, HIGH_BIN + 2)),
        histogram_all=tuple(counts.get(None, [0] * width)),
    )
