"""`fpmscope workers` as a terminal table. Log text is shown as data, never as markup."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.table import Table
from rich.text import Text

from fpmscope.model.workers import WorkerLife, WorkersReport
from fpmscope.render import RenderOptions, printable
from fpmscope.render.terminal import console, print_skipped, time_span
from fpmscope.units import size

STATE_STYLE = {"alive": "green", "recycled": "yellow"}


def _opt_size(n: float | None) -> str:
    return "-" if n is None else size(n)


def _time(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%H:%M:%S")


def _since(ts: float | None) -> str:
    return "" if ts is None else f" from {datetime.fromtimestamp(ts, UTC).strftime('%Y-%m-%d %H:%M:%S')} UTC"


def _causes(w: WorkerLife) -> Text:
    text = Text()
    for i, e in enumerate(w.top_endpoints):
        if i:
            text.append(", ")
        text.append(printable(e.endpoint))
        text.append(f" {size(e.kept_bytes)}" + (f" ({e.share:.0%})" if e.share is not None else ""))
    return text


def render(report: WorkersReport, options: RenderOptions) -> str:
    con, buf = console(options)
    inputs = report.inputs
    con.print(Text(printable(report.verdict), style="bold"))
    con.print(
        Text(
            f"{inputs.records} requests{time_span(inputs)}{_since(inputs.first_ts)}: "
            f"{report.alive} workers alive at the end, {report.recycled} recycled"
        )
    )
    print_skipped(con, inputs)
    con.print()
    table = Table(title="Workers, fastest-growing first", title_justify="left", show_edge=False, pad_edge=False)
    table.add_column("host", overflow="fold", max_width=16)
    table.add_column("pid", justify="right", no_wrap=True)
    table.add_column("first seen", no_wrap=True)
    for name in ("requests", "anon first → last", "shared first → last", "growth/req", "× requests"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("state", no_wrap=True)
    for w in report.workers:
        table.add_row(
            Text(printable(w.host)),
            str(w.pid),
            _time(w.first_seen),
            str(w.requests),
            f"{_opt_size(w.first_anon_bytes)} → {_opt_size(w.last_anon_bytes)}",
            f"{_opt_size(w.first_shared_bytes)} → {_opt_size(w.last_shared_bytes)}",
            _opt_size(w.growth_bytes_per_request),
            _opt_size(w.trend_growth_bytes),
            Text(w.state, style=STATE_STYLE.get(w.state, "")),
        )
    con.print(table)
    con.print()
    con.print(Text("Leak suspects behind each worker's growth (share of its trend growth)", style="bold"))
    for w in report.workers:
        line = Text(f"{printable(w.host)} pid {w.pid}: ")
        line.append(_causes(w) if w.top_endpoints else Text("no leak suspect served"))
        con.print(line)
    con.print()
    con.print(
        Text(
            "growth/req: Theil-Sen slope of native memory (anon minus Zend's cache) per request after "
            "warm-up; state: recycled when a later worker of the pool took over and this one's records "
            "stop well before the log ends."
        )
    )
    return buf.getvalue()
