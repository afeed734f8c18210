"""`fpmscope leaks` as CSV: one row per endpoint, spreadsheet-safe cells; with --top, a last
row `(N other endpoints)` holds the totals of the rest (the fields it has; others empty)."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

from fpmscope.model.leaks import EndpointLeak, LeakReport
from fpmscope.render import RenderOptions
from fpmscope.render.csv import rows


def render(report: LeakReport, options: RenderOptions) -> str:
    fields = [f.name for f in dataclasses.fields(EndpointLeak)]
    text = rows(report.endpoints, fields)
    others = report.others
    if others is None:
        return text
    known = {
        "endpoint": f"({others.endpoints} other endpoints)",
        "requests": others.requests,
        "judged_requests": others.judged_requests,
        "retained_bytes_total": others.retained_bytes_total,
    }
    # The header row is dropped: the same fields, in the same order.
    return text + rows((SimpleNamespace(**{f: known.get(f, "") for f in fields}),), fields).split("\n", 1)[1]
