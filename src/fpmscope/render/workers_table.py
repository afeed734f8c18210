"""`fpmscope workers` as a terminal table. Log text is shown as data, never as markup."""

from __future__ import annotations

from rich.text import Text

from fpmscope.model.workers import WorkerLife, WorkersReport
from fpmscope.render import RenderOptions, printable
from fpmscope.render.terminal import Column, console, fitted_table, print_skipped, stamp, time_span
from fpmscope.units import size

STATE_STYLE = {"alive": "green", "recycled": "yellow"}


def _opt_size(n: float | None) -> str:
    return "-" if n is None else size(n)


# The pid, its growth per request and its state (the verdict) always stay; the rest gives
# way in this order on a narrow terminal.
COLUMNS = (
    Column("host", right=False, drop=5),
    Column("pid"),
    Column("first seen", right=False, drop=6),
    Column("requests", drop=3),
    Column("anon first → last", drop=2),
    Column("shared first → last", drop=4),
    Column("growth/req"),
    Column("× requests", drop=1),
    Column("state", right=False),
)


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
            f"{inputs.records} requests{time_span(inputs)}"
            f"{'' if inputs.first_ts is None else ' from ' + stamp(inputs.first_ts, options)}: "
            f"{report.alive} workers alive at the end, {report.recycled} recycled"
        )
    )
    print_skipped(con, inputs)
    con.print()
    rows: list[list[str | Text]] = []
    for w in report.workers:
        rows.append(
            [
                Text(printable(w.host)),
                str(w.pid),
                stamp(w.first_seen, options),
                str(w.requests),
                f"{_opt_size(w.first_anon_bytes)} → {_opt_size(w.last_anon_bytes)}",
                f"{_opt_size(w.first_shared_bytes)} → {_opt_size(w.last_shared_bytes)}",
                _opt_size(w.growth_bytes_per_request),
                _opt_size(w.trend_growth_bytes),
                Text(w.state, style=STATE_STYLE.get(w.state, "")),
            ]
        )
    con.print(fitted_table("Workers, fastest-growing first", COLUMNS, rows, options.width or 120))
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
