"""What the probe logs held: the inputs section every probe-log report carries."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class InputSummary:
    files: tuple[str, ...]
    records: int
    skipped_lines: int
    skipped_example: str | None
    workers: int
    hosts: int
    first_ts: float | None
    last_ts: float | None
    warmup_requests: int
    unknown_requests: int
    unmeasured_requests: int
