"""Report model of `fpmscope advise`: the pm.* settings for a memory budget and their
arithmetic, built once by analysis/advise.py."""

from __future__ import annotations

from dataclasses import dataclass

from fpmscope.model.inputs import InputSummary


@dataclass(frozen=True, slots=True)
class Advice:
    """pm.max_children and pm.max_requests for a memory budget, with the arithmetic.

    Per child: `child_fresh_bytes` = baseline anon + p99 request footprint; it may grow by
    `growth_bytes_per_request` per request until recycled, up to `child_share_bytes`. Shared
    pages (opcache, the PHP binary, libraries) are the same physical pages in every worker and
    are counted once for the pool (`shared_bytes`). `max_requests` is 0 when no recycling is
    needed; `fits` is False when the budget cannot hold one worker.
    """

    memory_bytes: int
    reserve_bytes: int
    available_bytes: int
    shared_bytes: int
    baseline_anon_bytes: int
    peak_footprint_bytes: int
    growth_bytes_per_request: float
    workers_measured: int
    requests: int
    child_fresh_bytes: int
    child_share_bytes: int
    max_children: int
    max_requests: int
    recycling_needed: bool
    fits: bool
    explanation: tuple[str, ...]
    pool_lines: tuple[str, ...]
    verdict: str


@dataclass(frozen=True, slots=True)
class AdviceReport:
    inputs: InputSummary
    advice: Advice
