"""JSON for the slow-endpoints report: the dataclasses plus `schema_version`, sorted keys."""

from __future__ import annotations

import dataclasses
import json

from fpmscope.render import RenderOptions
from fpmscope.render.json import _clean
from fpmscope.slowreport import SLOW_SCHEMA_VERSION, SlowReport


def render(report: SlowReport, options: RenderOptions) -> str:
    data = {"schema_version": SLOW_SCHEMA_VERSION, **dataclasses.asdict(report)}
    return json.dumps(_clean(data), sort_keys=True, indent=2, ensure_ascii=False) + "\n"
