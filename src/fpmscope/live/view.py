"""The pure view of `fpmscope top`: a Snapshot in, a rich renderable out. No I/O, no clock,
no sorting: the same snapshot always renders the same text (snapshot-tested)."""

from __future__ import annotations

import datetime as dt

from rich.console import Group, RenderableType
from rich.text import Text

from fpmscope.live.sampler import Snapshot, WorkerRow
from fpmscope.render import RenderOptions, printable
from fpmscope.render.terminal import Column, console, fitted_table
from fpmscope.units import size
from fpmscope.when import stamp

SPARK = "▁▂▃▄▅▆▇█"
STATE_STYLE = {"Running": "bold green", "Reading headers": "green", "Finishing": "green", "Idle": "dim"}


def _size(n: float | None) -> str:
    return "-" if n is None else size(n)


def _growth(n: float | None) -> Text:
    if n is None:
        return Text("-")
    return Text(("+" if n > 0 else "") + size(n), style="bold red" if n > 0 else "")


def _pool_line(snap: Snapshot, tz: dt.tzinfo) -> Text:
    p = snap.pool
    when = stamp(snap.taken_at, tz)
    head = Text(f"{len(snap.workers)} workers, {snap.gone} gone since start; {when}; from ")
    head.append(printable(snap.source))
    if p is None:
        return head
    line = Text()
    line.append(f"pool {p.pool}", style="bold")
    line.append(
        f" ({p.process_manager}): {p.active_processes} active, {p.idle_processes} idle, "
        f"{p.total_processes} total; listen queue {p.listen_queue} (max {p.max_listen_queue} of "
        f"{p.listen_queue_len}); max children reached {p.max_children_reached}; "
        f"slow requests {p.slow_requests}; accepted {p.accepted_conn}\n"
    )
    line.append(head)
    return line


def _last_request(w: WorkerRow) -> Text:
    text = Text(f"{w.request_method} " if w.request_method else "", overflow="fold")
    text.append(printable(w.request_uri or "-"))
    if w.script and w.script != "-":
        text.append(f" {printable(w.script)}", style="dim")
    return text


# What gives way first on a narrow terminal: the highest `drop` goes first. The pid, the
# growth (this view's verdict) and the request (its endpoint) always stay.
COLUMNS = (
    Column("pid"),
    Column("state", right=False, drop=3),
    Column("rss", drop=4),
    Column("anon", drop=7),
    Column("shared", drop=8),
    Column("growth"),
    Column("per req", drop=2),
    Column("reqs", drop=5),
    Column("rss trend", right=False, drop=9),
    Column("request, script", right=False, flex=True),
    Column("ms", drop=6),
    Column("cpu", drop=10),
    Column("mem", drop=11),
)


def _row(w: WorkerRow) -> list[str | Text]:
    return [
        str(w.pid),
        Text(w.state, style=STATE_STYLE.get(w.state, "")),
        _size(w.rss_bytes),
        _size(w.anon_bytes),
        _size(w.shared_bytes),
        _growth(w.growth_bytes),
        _growth(w.growth_bytes_per_request),
        "-" if w.requests is None else str(w.requests),
        "".join(SPARK[level] for level in w.rss_levels[-9:]),
        _last_request(w),
        "-" if w.request_duration_ms is None else f"{w.request_duration_ms:.1f}",
        "-" if w.last_request_cpu_percent is None else f"{w.last_request_cpu_percent:.0f}%",
        _size(w.last_request_memory_bytes),
    ]


def render(snap: Snapshot, width: int = 120, footer: str | None = None, tz: dt.tzinfo = dt.UTC) -> RenderableType:
    """The snapshot at `width` columns; `footer` is the keys line of the live loop."""
    tail = [Text(footer, style="reverse")] if footer else []
    if not snap.workers:
        return Group(
            _pool_line(snap, tz), Text("No PHP-FPM workers found: is the pool running, and named as given?"), *tail
        )
    table = fitted_table("", COLUMNS, [_row(w) for w in snap.workers], width, header_style="bold underline", box=None)
    note = Text(
        "growth: anon memory since this view first saw the worker; per req: over the requests it served since; "
        "ms, cpu, mem: the current or last request's duration, CPU and Zend peak.",
        style="dim",
    )
    return Group(_pool_line(snap, tz), table, note, *tail)


def to_text(snap: Snapshot, width: int, color: bool = False, tz: dt.tzinfo = dt.UTC) -> str:
    con, buf = console(RenderOptions(width=width, color=color, tz=tz))
    con.print(render(snap, width, tz=tz))
    return buf.getvalue()
