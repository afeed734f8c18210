"""JSON: the report dataclasses as objects, plus `schema_version`; sorted keys, stable."""

from __future__ import annotations

import dataclasses
import json
import math
from typing import Any

from fpmscope.render import RenderOptions
from fpmscope.report import SCHEMA_VERSION


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def render(report: Any, options: RenderOptions) -> str:
    data = {"schema_version": SCHEMA_VERSION, **dataclasses.asdict(report)}
    return json.dumps(_clean(data), sort_keys=True, indent=2, ensure_ascii=False) + "\n"
