"""CSV helpers shared by every CSV renderer: cells safe to open in a spreadsheet (no formula
injection). tests/unit/test_csv_contract.py holds every CSV renderer to it."""

from __future__ import annotations

import csv
import io

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
