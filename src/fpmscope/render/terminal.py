"""Terminal helpers shared by every rich renderer and the live view: one console setup, the
same durations and input notes everywhere. Log text is shown as data, never as markup."""

from __future__ import annotations

import io

from rich.console import Console
from rich.text import Text

from fpmscope.model.inputs import InputSummary
from fpmscope.render import RenderOptions


def duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.1f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def console(options: RenderOptions) -> tuple[Console, io.StringIO]:
    buf = io.StringIO()
    con = Console(
        file=buf,
        width=options.width or 120,
        force_terminal=options.color,
        color_system="standard" if options.color else None,
        highlight=False,
        soft_wrap=False,
    )
    return con, buf


def time_span(inputs: InputSummary) -> str:
    """' over 4.2 min' for the records' time span, or '' when it is unknown."""
    if inputs.first_ts is None or inputs.last_ts is None:
        return ""
    return f" over {duration(inputs.last_ts - inputs.first_ts)}"


def print_skipped(con: Console, inputs: InputSummary) -> None:
    if inputs.skipped_lines:
        con.print(Text(f"skipped {inputs.skipped_lines} malformed lines, e.g. {inputs.skipped_example!r}"))
