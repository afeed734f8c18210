"""The result of `fpmscope leaks --fail-on SIZE`: which endpoints keep more than the limit."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class GateFailure:
    endpoint: str
    requests: int
    retained_bytes_per_request: float
    reason: str


@dataclass(frozen=True, slots=True)
class Gate:
    """`passed` is False when at least one leak suspect keeps more than `fail_on_bytes` per
    request. Endpoints not judged leaking never fail the gate: their estimate is noise."""

    fail_on_bytes: int
    passed: bool
    failed: tuple[GateFailure, ...]
    suspects_checked: int
