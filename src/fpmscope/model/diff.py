"""`fpmscope diff`: what changed between two runs, per endpoint, built by analysis/diff.py."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DiffSide:
    """One side of the comparison: where its records came from and what they held."""

    label: str  # the file(s) or the time window
    requests: int
    workers: int
    first_ts: float | None
    last_ts: float | None
    suspects: int


@dataclass(frozen=True, slots=True)
class EndpointChange:
    """One endpoint whose verdict or time changed. `change` is one of CHANGES; the before/after
    values are None on the side where the endpoint did not run."""

    endpoint: str
    change: str
    before_requests: int | None
    after_requests: int | None
    before_kept_bytes_per_request: float | None
    after_kept_bytes_per_request: float | None
    before_suspect: bool | None
    after_suspect: bool | None
    before_wall_ms_mean: float | None
    after_wall_ms_mean: float | None
    evidence: str


CHANGES = ("started leaking", "stopped leaking", "leaks more", "leaks less", "slower", "faster")


@dataclass(frozen=True, slots=True)
class DiffReport:
    before: DiffSide
    after: DiffSide
    changes: tuple[EndpointChange, ...]  # in CHANGES order, then by size of the change
    compared_endpoints: int  # endpoints seen on both sides
    only_before: tuple[str, ...]
    only_after: tuple[str, ...]
    headline: str
