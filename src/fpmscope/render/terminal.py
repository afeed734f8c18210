"""Terminal helpers shared by every rich renderer and the live view: one console setup, the
same durations and input notes everywhere. Log text is shown as data, never as markup."""

from __future__ import annotations

import io

from rich.console import Console
from rich.text import Text

from fpmscope.model.inputs import InferredTemplate, InputSummary
from fpmscope.render import RenderOptions, printable


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
    if inputs.sampled_share is not None:
        con.print(Text(sampling_note(inputs.sampled_share)))


def sampling_note(share: float) -> str:
    return (
        f"sampled: the probe measured {share:.0%} of the workers (env[FPMSCOPE_SAMPLE] = {share:g}), every request "
        "of each; counts are of those workers' requests, per-request and per-worker figures stand for the pool"
    )


def print_templates(con: Console, templates: tuple[InferredTemplate, ...]) -> None:
    """The inferred templates, one line each (--infer-min 0 turns inference off)."""
    if not templates:
        return
    con.print()
    con.print(Text("Inferred templates (--infer-min 0 turns them off, --rule names a segment first)", style="bold"))
    for t in templates:
        kept = f"; kept as they are: {', '.join(t.kept)}" if t.kept else ""
        con.print(Text(f"- {printable(t.template)} from {t.values:,} distinct values{printable(kept)}"))
