"""Renderers: pure functions `render(report, options) -> str`, one module per report and
format, `render/<report>_<format>.py` (JSON is one module for every report: render/json.py).

`renderer(report, fmt)` finds one by name and imports only that module (a command's start
should not pay for jinja2 or rich when it prints JSON).
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class RenderOptions:
    width: int | None = None  # terminal columns for tables; None lets rich decide
    color: bool = False
    tz: dt.tzinfo = dt.UTC  # the zone timestamps are shown in (--tz)


FORMATS = ("table", "json", "csv")

# (report, format) -> module of fpmscope.render.
MODULES = {
    ("leaks", "table"): "leaks_table",
    ("leaks", "json"): "json",
    ("leaks", "csv"): "leaks_csv",
    ("slow", "table"): "slow_table",
    ("slow", "json"): "json",
    ("slow", "csv"): "slow_csv",
    ("workers", "table"): "workers_table",
    ("workers", "json"): "json",
    ("workers", "csv"): "workers_csv",
    ("advise", "table"): "advise_text",
    ("advise", "json"): "json",
    ("full", "html"): "full_html",
    ("full", "json"): "json",
    ("diff", "table"): "diff_table",
    ("diff", "json"): "json",
}

Renderer = Callable[[Any, "RenderOptions"], str]


def formats(report: str) -> tuple[str, ...]:
    """The formats `report` can be rendered in."""
    return tuple(fmt for name, fmt in MODULES if name == report)


def renderer(report: str, fmt: str) -> Renderer:
    render: Renderer = importlib.import_module(f"{__name__}.{MODULES[report, fmt]}").render
    return render


def printable(text: str) -> str:
    """Log text with control and other unprintable characters escaped (no terminal injection)."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
