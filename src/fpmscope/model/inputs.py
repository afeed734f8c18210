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
    # The share of workers the probe measured (env[FPMSCOPE_SAMPLE], flag `s<share>` in the
    # records); None when every worker was measured. The smallest share when logs differ.
    sampled_share: float | None = None


@dataclass(frozen=True, slots=True)
class InferredTemplate:
    """A path position collapsed to `{slug}` because it took many distinct values under one
    prefix (endpoint_templates.py): `template` is the path up to it, `values` how many
    distinct values it collapsed, `kept` the values left as they are (scripts, hubs)."""

    template: str
    values: int
    kept: tuple[str, ...]
