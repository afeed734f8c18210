"""Wall time per endpoint from the probe records: always available, no access log needed.

Reads `leak_requests` (analysis/leaks.py: prepare). Percentiles are exact (DuckDB
quantile_cont); histograms use fixed half-octave bins so every endpoint shares one axis.
"""

from __future__ import annotations

import duckdb

from fpmscope.fullreport import EndpointLatency, LatencyReport
from fpmscope.sql import query

# Half-octave bins 2^(b/2) µs: bin 14 starts at 128 µs, bin 51 at about 46 s.
LOW_BIN = 14
HIGH_BIN = 51
TOP = 50


def build_latency(con: duckdb.DuckDBPyConnection, top: int = TOP) -> LatencyReport:
    rows = con.execute(query("latency_endpoints"), {"top": top}).fetchall()
    names = [r[0] for r in rows]
    params = {"endpoints": names, "low_bin": LOW_BIN, "high_bin": HIGH_BIN}
    width = HIGH_BIN - LOW_BIN + 1
    counts: dict[str | None, list[int]] = {}
    for endpoint, b, n in con.execute(query("latency_histogram"), params).fetchall():
        counts.setdefault(endpoint, [0] * width)[b - LOW_BIN] = int(n)
    total = con.execute("SELECT count(DISTINCT endpoint) FROM leak_requests WHERE wall_us IS NOT NULL").fetchone()
    assert total is not None
    endpoints = tuple(
        EndpointLatency(
            endpoint=name,
            requests=int(n),
            p50_ms=round(p50 / 1000, 3),
            p95_ms=round(p95 / 1000, 3),
            p99_ms=round(p99 / 1000, 3),
            max_ms=round(mx / 1000, 3),
            mean_ms=round(mean / 1000, 3),
            total_s=round(total_us / 1e6, 3),
            failed_requests=int(failed),
            histogram=tuple(counts.get(name, [0] * width)),
        )
        for name, n, p50, p95, p99, mx, mean, total_us, failed in rows
    )
    return LatencyReport(
        source="probe wall time (PHP's view: no nginx queueing or network)",
        endpoints=endpoints,
        endpoints_total=int(total[0]),
        bin_edges_ms=tuple(round(2 ** (b / 2) / 1000, 4) for b in range(LOW_BIN, HIGH_BIN + 2)),
        histogram_all=tuple(counts.get(None, [0] * width)),
    )
