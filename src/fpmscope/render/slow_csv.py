"""CSV for the slow-endpoints report: one row per endpoint, spreadsheet-safe cells."""

from __future__ import annotations

import dataclasses

from fpmscope.model.slow import EndpointTime, SlowReport
from fpmscope.render import RenderOptions
from fpmscope.render.csv import rows


def render(report: SlowReport, options: RenderOptions) -> str:
    fields = [f.name for f in dataclasses.fields(EndpointTime)]
    return rows(report.endpoints, fields)
