"""Renderers: pure functions `render(report, options) -> str`, one module per format."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RenderOptions:
    width: int | None = None  # terminal columns for tables; None lets rich decide
    color: bool = False


FORMATS = ("table", "json", "csv")


def printable(text: str) -> str:
    """Log text with control and other unprintable characters escaped (no terminal injection)."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
