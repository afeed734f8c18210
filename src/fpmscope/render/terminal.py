"""Terminal helpers shared by every rich renderer and the live view: one console setup, the
same durations and input notes everywhere. Log text is shown as data, never as markup."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from fpmscope import when
from fpmscope.model.inputs import InferredTemplate, InputSummary
from fpmscope.render import RenderOptions, printable


def duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.1f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def stamp(value: float | str, options: RenderOptions) -> str:
    """The one timestamp style of terminal output, in the --tz zone: 2026-05-01 12:00:00 UTC.
    `value` is unix seconds or an ISO 8601 text (shown as it is if it does not parse)."""
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        return when.stamp(parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC), options.tz)
    return when.stamp(value, options.tz)


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


@dataclass(frozen=True, slots=True)
class Column:
    """A column of a width-aware table. `drop` orders what gives way when the terminal is too
    narrow: 0 never goes (the endpoint, the verdict), then the highest numbers go first.
    `flex` marks the one column (the endpoint) that wraps to take the room left."""

    name: str
    right: bool = True
    drop: int = 0
    flex: bool = False


Cell = str | Text
# Narrowest the endpoint column may get before rows are stacked instead of tabulated.
MIN_FLEX = 18
# rich puts one space each side of a cell and a one-character rule between columns.
GAP = 3


def _cell_width(cell: Cell) -> int:
    return max((Text(line).cell_len for line in str(cell).splitlines()), default=0)


def fit(columns: Sequence[Column], rows: Sequence[Sequence[Cell]], width: int) -> tuple[list[int], list[str], int]:
    """Which columns fit in `width`: (indices kept, names dropped, width left for the flex
    column; below MIN_FLEX the caller stacks the rows)."""
    natural = [max([len(c.name)] + [_cell_width(r[i]) for r in rows]) for i, c in enumerate(columns)]
    kept = list(range(len(columns)))
    dropped: list[str] = []

    def room() -> int:
        fixed = sum(natural[i] for i in kept if not columns[i].flex)
        return width - fixed - GAP * (len(kept) - 1)

    flex = next((i for i, c in enumerate(columns) if c.flex), None)
    need = min(natural[flex], MIN_FLEX + 6) if flex is not None else 0
    by_priority = sorted((i for i, c in enumerate(columns) if c.drop), key=lambda i: -columns[i].drop)
    for i in by_priority:
        if room() >= need:
            break
        kept.remove(i)
        dropped.append(columns[i].name)
    return kept, dropped, min(room(), natural[flex]) if flex is not None else room()


def fitted_table(
    title: str, columns: Sequence[Column], rows: Sequence[Sequence[Cell]], width: int, **table: Any
) -> RenderableType:
    """A table that keeps its endpoint and verdict at any width: low-priority columns are
    dropped first (and named below it), the endpoint wraps, and when even then it would be
    narrower than MIN_FLEX the rows are stacked, one block each."""
    kept, dropped, flex_width = fit(columns, rows, width)
    if flex_width < MIN_FLEX and any(c.flex for c in columns):
        return _stacked(title, columns, rows)
    options: dict[str, Any] = {"title_justify": "left", "show_edge": False, "pad_edge": False, "expand": False}
    t = Table(title=title or None, **{**options, **table})
    for i in kept:
        c = columns[i]
        if c.flex:
            t.add_column(c.name, overflow="fold", width=max(flex_width, MIN_FLEX))
        else:
            t.add_column(c.name, justify="right" if c.right else "left", no_wrap=True)
    for r in rows:
        t.add_row(*(r[i] for i in kept))
    if not dropped:
        return t
    note = Text(f"(not shown at this width: {', '.join(dropped)}; a wider terminal shows them)", style="dim")
    return Group(t, note)


def print_table(
    con: Console, title: str, columns: Sequence[Column], rows: Sequence[Sequence[Cell]], width: int
) -> None:
    con.print(fitted_table(title, columns, rows, width))


def _stacked(title: str, columns: Sequence[Column], rows: Sequence[Sequence[Cell]]) -> RenderableType:
    """One block per row: the flex and never-dropped cells on a line, the rest below."""
    lines: list[RenderableType] = [Text(title, style="bold")] if title else []
    head = [i for i, c in enumerate(columns) if c.flex or not c.drop]
    rest = [i for i in range(len(columns)) if i not in head]
    for r in rows:
        line = Text()
        for n, i in enumerate(head):
            if n:
                line.append("  ")
            cell = r[i]
            line.append(cell if isinstance(cell, Text) else Text(cell))
        lines.append(line)
        lines.append(Text("  " + " · ".join(f"{columns[i].name} {r[i]}" for i in rest)))
    return Group(*lines)
