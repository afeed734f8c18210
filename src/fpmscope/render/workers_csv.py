"""`fpmscope workers` as CSV: one row per worker, spreadsheet-safe cells."""

from __future__ import annotations

import csv
import dataclasses
import io

from fpmscope.model.workers import WorkerLife, WorkersReport
from fpmscope.render import RenderOptions
from fpmscope.render.csv import cell


def render(report: WorkersReport, options: RenderOptions) -> str:
    fields = [f.name for f in dataclasses.fields(WorkerLife) if f.name != "top_endpoints"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*fields, "top_endpoints"])
    for w in report.workers:
        causes = "; ".join(f"{e.endpoint} ({e.kept_bytes:.0f})" for e in w.top_endpoints)
        writer.writerow([cell(getattr(w, f)) for f in fields] + [cell(causes)])
    return out.getvalue()
