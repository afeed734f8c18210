"""Renderers: pure functions `render(report, options) -> str`, one module per format."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RenderOptions:
    width: int | None = None  # terminal columns for tables; None lets rich decide
    color: bool = False


FORMATS = ("table", "json", "csv")
