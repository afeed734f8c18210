"""`fpmscope leaks` as CSV: one row per endpoint, spreadsheet-safe cells."""

from __future__ import annotations

import dataclasses

from fpmscope.model.leaks import EndpointLeak, LeakReport
from fpmscope.render import RenderOptions
from fpmscope.render.csv import rows


def render(report: LeakReport, options: RenderOptions) -> str:
    fields = [f.name for f in dataclasses.fields(EndpointLeak)]
    return rows(report.endpoints, fields)
