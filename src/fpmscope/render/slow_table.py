"""Terminal tables for the slow-endpoints report. Log text is shown as data, never as markup,
and control characters in it are shown escaped."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from fpmscope.model.slow import SlowReport
from fpmscope.render import RenderOptions, printable
from fpmscope.render.terminal import Column, console, fitted_table, print_templates, stamp
from fpmscope.units import size


def ms(value: float | None) -> str:
    if value is None:
        return "-"
    # One unit per column: always milliseconds, never `1.05 s` under a `(times in ms)` title.
    return f"{value:.1f}" if value < 100 else f"{value:,.0f}"


def seconds(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.1f}" if value < 100_000 else f"{value:,.0f}"


def share(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


# At a narrow width the endpoint, its total, share and p95 stay; the rest goes in this order.
ENDPOINT_COLUMNS = (
    Column("endpoint", right=False, flex=True),
    Column("count", drop=4),
    Column("total s"),
    Column("share"),
    Column("mean", drop=5),
    Column("p50", drop=7),
    Column("p90", drop=6),
    Column("p95"),
    Column("p99", drop=3),
    Column("max", drop=2),
    Column("errors", drop=1),
)


def render(report: SlowReport, options: RenderOptions) -> str:
    con, buf = console(options)
    inp = report.inputs
    if report.warning:
        con.print(Text(printable(report.warning), style="bold red"))
    con.print(Text(printable(report.headline), style="bold"))
    span = (
        f", {stamp(inp.first_time, options)} .. {stamp(inp.last_time, options)}"
        if inp.first_time and inp.last_time
        else ""
    )
    fmt = f"; format {inp.format_name}" if inp.format_name else ""
    if inp.format_name and inp.format_detected and report.format_confidence is not None:
        fmt += f" (detected, parses {report.format_confidence:.0%} of the sampled lines)"
    con.print(Text(f"{inp.requests:,} requests from {len(inp.files)} file(s){span}"))
    con.print(Text(f"time: {inp.time_column or 'none in these logs'}{fmt}"))
    if inp.filters:
        con.print(Text("filters: " + "; ".join(printable(f) for f in inp.filters)))
    if inp.joined_requests is not None:
        con.print(Text(f"{inp.joined_requests:,} access-log requests matched to probe records by request id"))
    if inp.skipped_lines:
        con.print(Text(f"skipped {inp.skipped_lines:,} malformed lines, e.g. {printable(inp.skipped_example or '')!r}"))
    for note in inp.notes:
        con.print(Text("note: " + printable(note)))
    con.print()
    with_upstream = any(e.upstream_total_s is not None for e in report.endpoints)
    with_php = any(e.php_total_s is not None for e in report.endpoints)
    title = f"Endpoints by {report.sort}" + (" (times in ms)" if inp.time_column else "")
    shown = report.endpoints + ((report.others,) if report.others else ())
    rows: list[list[str | Text]] = [
        [
            Text(printable(e.endpoint), style="italic" if e is report.others else ""),
            f"{e.count:,}",
            seconds(e.total_s),
            share(e.share),
            ms(e.mean_ms),
            ms(e.p50_ms),
            ms(e.p90_ms),
            ms(e.p95_ms),
            ms(e.p99_ms),
            ms(e.max_ms),
            f"{e.errors:,}",
        ]
        for e in shown
    ]
    con.print(fitted_table(title, ENDPOINT_COLUMNS, rows, options.width or 120))
    if report.others:
        con.print(Text("(--top N shows more endpoints)"))
    con.print()
    mix = Table(title="Status mix and bytes", title_justify="left", show_edge=False, pad_edge=False)
    mix.add_column("endpoint", overflow="fold", min_width=24)
    for name in ("2xx", "3xx", "4xx", "499", "5xx", "504", "bytes"):
        mix.add_column(name, justify="right", no_wrap=True)
    for e in shown:
        mix.add_row(
            Text(printable(e.endpoint)),
            *(f"{n:,}" for n in (e.status_2xx, e.status_3xx, e.status_4xx, e.status_499, e.status_5xx, e.status_504)),
            size(e.bytes_total) if e.bytes_total is not None else "-",
        )
    con.print(mix)
    if with_upstream or with_php:
        con.print()
        con.print(_where_the_time_goes(report, with_upstream, with_php))
    if report.slowest:
        con.print()
        slow = Table(title="Slowest requests", title_justify="left", show_edge=False, pad_edge=False)
        slow.add_column("took ms", justify="right", no_wrap=True)
        slow.add_column("status", justify="right", no_wrap=True)
        slow.add_column("at", no_wrap=True)
        slow.add_column("path", overflow="fold")
        for r in report.slowest:
            slow.add_row(
                ms(r.time_ms),
                str(r.status) if r.status is not None else "-",
                Text(printable(stamp(r.time, options) if r.time else "-")),
                Text(printable(r.path[:300])),
            )
        con.print(slow)
    print_templates(con, report.inferred_templates)
    return buf.getvalue()


def _where_the_time_goes(report: SlowReport, with_upstream: bool, with_php: bool) -> Table:
    joined = any(e.joined for e in report.endpoints)
    title = "Where the time goes (means in ms" + ("; totals over requests in both logs, in s)" if joined else ")")
    table = Table(title=title, title_justify="left", show_edge=False, pad_edge=False)
    table.add_column("endpoint", overflow="fold", min_width=24)
    heads = ["mean"] + (["upstream"] if with_upstream else []) + (["php", "php cpu"] if with_php else [])
    if joined:
        heads += ["matched", "outside PHP s", "PHP waiting s", "PHP CPU s"]
    for name in heads:
        table.add_column(name, justify="right", no_wrap=True)
    for e in report.endpoints:
        row = [ms(e.mean_ms)]
        if with_upstream:
            row.append(ms(e.upstream_mean_ms))
        if with_php:
            row += [ms(e.php_mean_ms), ms(e.cpu_mean_ms)]
        if joined:
            row += [
                f"{e.joined:,}" if e.joined is not None else "0",
                seconds(e.outside_php_s),
                seconds(e.php_waiting_s),
                seconds(e.cpu_total_s),
            ]
        table.add_row(Text(printable(e.endpoint)), *row)
    return table
