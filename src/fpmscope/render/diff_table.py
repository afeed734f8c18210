"""`fpmscope diff` as terminal text: the headline, the two sides, then one row per change
with its evidence. Log text is shown as data, never as markup."""

from __future__ import annotations

from rich.text import Text

from fpmscope.model.diff import DiffReport, DiffSide, EndpointChange
from fpmscope.render import RenderOptions, printable
from fpmscope.render.terminal import Column, console, print_table
from fpmscope.units import size

STYLE = {"started leaking": "bold red", "leaks more": "red", "slower": "yellow", "stopped leaking": "green"}


def _side(name: str, s: DiffSide) -> Text:
    return Text(f"{name}: {printable(s.label)}: {s.requests} requests on {s.workers} workers, {s.suspects} suspect(s)")


def _kept(value: float | None) -> str:
    return "—" if value is None else size(value)


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def _row(c: EndpointChange) -> list[str | Text]:
    return [
        Text(printable(c.endpoint)),
        Text(c.change, style=STYLE.get(c.change, "")),
        _kept(c.before_kept_bytes_per_request),
        _kept(c.after_kept_bytes_per_request),
        _ms(c.before_wall_ms_mean),
        _ms(c.after_wall_ms_mean),
    ]


COLUMNS = (
    Column("endpoint", right=False, flex=True),
    Column("change", right=False),
    Column("kept/req before", drop=1),
    Column("kept/req after", drop=1),
    Column("ms before", drop=2),
    Column("ms after", drop=2),
)


def render(report: DiffReport, options: RenderOptions) -> str:
    con, buf = console(options)
    con.print(Text(printable(report.headline), style="bold"))
    con.print(_side("before", report.before))
    con.print(_side("after ", report.after))
    con.print()
    if report.changes:
        title = "What changed (kept/req: memory kept per request; ms: mean PHP wall time)"
        print_table(con, title, COLUMNS, [_row(c) for c in report.changes], options.width or 120)
        con.print()
        con.print(Text("Evidence", style="bold"))
        for c in report.changes:
            line = Text("- ")
            line.append(printable(c.endpoint), style="bold")
            line.append(f" {c.change}: {printable(c.evidence)}")
            con.print(line)
    con.print(Text(f"{report.compared_endpoints} endpoints ran on both sides."))
    for label, names in (("only before", report.only_before), ("only after", report.only_after)):
        if names:
            shown = ", ".join(printable(n) for n in names[:10])
            more = f" and {len(names) - 10} more" if len(names) > 10 else ""
            con.print(Text(f"Ran {label}: {shown}{more}"))
    return buf.getvalue()
