"""CSV helpers shared by every CSV renderer: cells safe to open in a spreadsheet (no formula
injection). tests/unit/test_csv_contract.py holds every CSV renderer to it."""

from __future__ import annotations

import csv
import io
import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "|", "%")
# Control characters (C0, DEL, C1) are written as \xHH, the probe's own escape: a URI from an
# access log may hold ESC sequences that retitle, clear or rewrite a terminal showing the CSV.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def cell(value: object) -> object:
    """Strings that a spreadsheet would run as a formula get a leading quote; control
    characters are escaped."""
    if not isinstance(value, str):
        return value
    value = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
    return "'" + value if value.startswith(FORMULA_START) else value


def rows(items: tuple[object, ...], fields: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(fields)
    for item in items:
        writer.writerow([cell(getattr(item, f)) for f in fields])
    return out.getvalue()
