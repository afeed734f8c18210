"""CSV: one row per endpoint, safe to open in a spreadsheet (no formula injection)."""

from __future__ import annotations

import csv
import dataclasses
import io

from fpmscope.render import RenderOptions
from fpmscope.report import EndpointLeak, LeakReport

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "|", "%")


def cell(value: object) -> object:
    """Strings that a spreadsheet would run as a formula get a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def rows(items: tuple[object, ...], fields: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(fields)
    for item in items:
        writer.writerow([cell(getattr(item, f)) for f in fields])
    return out.getvalue()


def render(report: LeakReport, options: RenderOptions) -> str:
    fields = [f.name for f in dataclasses.fields(EndpointLeak)]
    return rows(report.endpoints, fields)
