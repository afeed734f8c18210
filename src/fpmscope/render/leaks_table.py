"""`fpmscope leaks` as a terminal table. Log text is shown as data, never as markup."""

from __future__ import annotations

from rich.text import Text

from fpmscope.model.leaks import LeakReport
from fpmscope.render import RenderOptions, printable
from fpmscope.render.terminal import Column, console, fitted_table, print_skipped, print_templates, time_span
from fpmscope.units import size

TITLE = "Memory kept per endpoint (kept = native + shared; Zend's cache heals, shown as left cached)"
# The endpoint, what it keeps per request and the verdict always stay; on a narrow terminal
# the other columns give way, the highest number first.
COLUMNS = (
    Column("endpoint", right=False, flex=True),
    Column("requests", drop=2),
    Column("kept/req"),
    Column("kept total", drop=1),
    Column("native", drop=5),
    Column("shared", drop=6),
    Column("left cached", drop=4),
    Column("peak", drop=3),
    Column("verdict", right=False),
)


def render(report: LeakReport, options: RenderOptions) -> str:
    con, buf = console(options)
    inputs = report.inputs
    con.print(Text(printable(report.verdict), style="bold"))
    con.print(
        Text(
            f"{inputs.records} requests on {inputs.workers} workers{time_span(inputs)}; "
            f"{inputs.warmup_requests} warm-up and {inputs.unknown_requests} last-of-worker requests not judged"
        )
    )
    print_skipped(con, inputs)
    con.print()
    if report.suspects:
        con.print(Text("Leak suspects, most memory kept first", style="bold"))
        for i, e in enumerate(report.suspects, 1):
            line = Text(f"{i}. ")
            line.append(printable(e.endpoint), style="bold red")
            line.append(f"  {size(e.retained_bytes_per_request)}/request, {e.kind}; {printable(e.reason)}")
            con.print(line)
        con.print()
    rows: list[list[str | Text]] = [
        [
            Text(printable(e.endpoint)),
            str(e.requests),
            size(e.retained_bytes_per_request),
            size(e.retained_bytes_total),
            size(e.native_bytes_per_request),
            size(e.shared_bytes_per_request),
            size(e.zend_left_cached_bytes) if e.zend_left_cached_bytes else "-",
            size(e.peak_footprint_bytes),
            Text("LEAK", style="bold red") if e.suspect else Text("ok"),
        ]
        for e in report.endpoints
    ]
    others = report.others
    if others is not None:
        rows.append(
            [
                Text(f"({others.endpoints:,} other endpoints)", style="italic"),
                str(others.requests),
                "",
                size(others.retained_bytes_total),
                *([""] * 4),
                Text(f"{others.suspects} LEAK", style="bold red") if others.suspects else Text(""),
            ]
        )
    con.print(fitted_table(TITLE, COLUMNS, rows, options.width or 120))
    if others is not None:
        con.print(Text("--top N shows more endpoints, --format csv all of them"))
    print_templates(con, report.inferred_templates)
    notes = [e for e in report.endpoints if not e.suspect and e.kind != "none"]
    if notes:
        con.print()
        con.print(Text("Not leaks, and why", style="bold"))
        for e in notes:
            line = Text("- ")
            line.append(printable(e.endpoint), style="bold")
            line.append(f" (peak {size(e.peak_footprint_bytes)}): {printable(e.reason)}")
            con.print(line)
    return buf.getvalue()
