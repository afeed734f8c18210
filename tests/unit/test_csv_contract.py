"""Every CSV renderer keeps spreadsheet formulas out: a text cell starting with =, +, -, @ (or
tab, CR, |, %) gets a leading quote, whatever field of whatever report it comes from.

The reports are built from their model types with every text field set to the hostile text, so
a new text field or a new CSV renderer is covered without touching this test (a renderer missing
from render.MODULES is caught by test_every_csv_renderer_is_listed).
"""

from __future__ import annotations

import csv
import dataclasses
import importlib
import io
import pkgutil
import types
import typing
from typing import Any

import pytest

from fpmscope import render
from fpmscope.model.leaks import LeakReport
from fpmscope.model.slow import SlowReport
from fpmscope.model.workers import WorkersReport
from fpmscope.render import RenderOptions

REPORTS: dict[str, type] = {"leaks": LeakReport, "slow": SlowReport, "workers": WorkersReport}
HOSTILE = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1:A2)", "=cmd|' /C calc'!A0"]


def build(kind: Any, text: str) -> Any:
    """A value of type `kind` whose every text is `text` and every number positive."""
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(kind) if a is not type(None)]
        return build(options[0], text)
    if origin is tuple:
        return (build(typing.get_args(kind)[0], text),) * 2
    if origin is list:
        return [build(typing.get_args(kind)[0], text)]
    if dataclasses.is_dataclass(kind) and isinstance(kind, type):
        hints = typing.get_type_hints(kind)
        return kind(**{f.name: build(hints[f.name], text) for f in dataclasses.fields(kind)})
    if kind is str:
        return text
    if kind is bool:
        return True
    if kind in (int, float):
        return kind(7)
    raise TypeError(f"no hostile value for {kind!r}")


def csv_renderers() -> list[str]:
    return sorted(report for report, fmt in render.MODULES if fmt == "csv")


def test_every_csv_renderer_is_listed() -> None:
    modules = {m.name for m in pkgutil.iter_modules(render.__path__) if m.name.endswith("_csv")}
    listed = {render.MODULES[report, "csv"] for report in csv_renderers()}
    assert modules == listed
    assert set(csv_renderers()) == set(REPORTS)


@pytest.mark.parametrize("report", csv_renderers())
@pytest.mark.parametrize("text", HOSTILE)
def test_no_csv_cell_starts_a_formula(report: str, text: str) -> None:
    model = build(REPORTS[report], text)
    out = render.renderer(report, "csv")(model, RenderOptions())
    cells = [c for line in csv.reader(io.StringIO(out)) for c in line]
    assert len(cells) > 2
    hostile = [c for c in cells if text in c]
    assert hostile, f"the {report} CSV shows no text field"
    for c in cells:
        assert not c.startswith(("=", "+", "-", "@")), f"{report} CSV cell {c!r} would run as a formula"
    assert any(c.startswith("'" + text) for c in hostile)


def test_module_list_imports() -> None:
    for module in set(render.MODULES.values()):
        assert hasattr(importlib.import_module(f"fpmscope.render.{module}"), "render")
