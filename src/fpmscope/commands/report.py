"""`fpmscope report`: everything in one self-contained HTML file (or one JSON document)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from fpmscope import progress
from fpmscope.analysis import full
from fpmscope.analysis.requests import LeakOptions
from fpmscope.analysis.slow import SlowOptions
from fpmscope.commands.common import (
    budget,
    db_option,
    emit,
    fleet_options,
    fleet_query,
    note_input,
    output_options,
    probe_logs_argument,
    rules_from,
    since_until_options,
)
from fpmscope.errors import FpmscopeError
from fpmscope.fleet import slow as fleet_slow
from fpmscope.pipeline import finish, requests_for, slow_report
from fpmscope.render import RenderOptions, formats, renderer

# Rows of the endpoint tables; suspects are always all kept.
TOP = 500


def report_format(fmt: str | None, output: Path | None) -> str:
    if fmt is not None:
        return fmt
    if output is not None and output.suffix.lower() == ".json":
        return "json"
    return "html"


@click.command()
@probe_logs_argument
@click.option("--access-log", "access_logs", multiple=True, metavar="FILE", help="nginx/Apache access log(s).")
@click.option("--format", "fmt", type=click.Choice(formats("full")), default=None, help="html (default) or json.")
@output_options
@db_option
@click.option("--top", type=click.IntRange(min=1), default=TOP, show_default=True, help="Rows per endpoint table.")
@click.option("--by", type=click.Choice(["endpoint", "script"]), default="endpoint", show_default=True)
@click.option("--rule", "rules", multiple=True, metavar="REGEX=NAME", help="Extra path-segment rule.")
@click.option("--memory", default=None, metavar="SIZE", help="Memory budget for the pm.* advice section: 2G, 512M.")
@click.option("--reserve", default="0", metavar="SIZE", help="Part of --memory kept for everything else.")
@fleet_options
@since_until_options
def report(  # noqa: PLR0917 - one parameter per click option
    logs: tuple[str, ...],
    access_logs: tuple[str, ...],
    fmt: str | None,
    output: Path | None,
    force: bool,
    db: str | None,
    top: int,
    by: str,
    rules: tuple[str, ...],
    memory: str | None,
    reserve: str,
    clickhouse: str | None,
    hosts: tuple[str, ...],
    pools: tuple[str, ...],
    since: str | None,
    until: str | None,
) -> None:
    """Write one self-contained HTML report: verdict, leak suspects, endpoints, worker memory
    timelines, peak footprints and latency. It needs no network to open. With --clickhouse URL
    the probe records, and the access-log requests unless --access-log reads files, are a
    fleet's, analysed inside ClickHouse.
    """
    fleet = fleet_query(logs, clickhouse, since, until, hosts, pools)
    fmt = report_format(fmt, output)
    if fmt == "html" and output is None and sys.stdout.isatty():
        raise FpmscopeError("not writing HTML to a terminal; use -o report.html")
    if output is not None and output.exists() and not force:
        raise FpmscopeError(f"{output} exists; use --force to overwrite it")
    options = LeakOptions(by=by, rules=rules_from(rules), top=top)
    pool_budget = budget(memory, reserve) if memory is not None else None
    for p in access_logs:
        if not Path(p).is_file():
            raise FpmscopeError(f"{p}: no such access log")
    with progress.stages(4) as step:
        requests, result = requests_for(logs, db, fleet, options, step)
        # The access logs' slow endpoints (fpmscope slow's report); the probe wall-time latency
        # section stays either way.
        slow = None
        step("reading access logs")
        slow_options = SlowOptions(top=top, rules=options.rules)
        if access_logs:
            slow = slow_report(access_logs, None, slow_options)
        elif fleet is not None:  # the fleet's access-log requests, when it ships them
            slow = fleet_slow.access_report(fleet, slow_options)
        step("building the report")
        try:
            full_report = full.build(requests, slow=slow, budget=pool_budget)
        finally:
            finish(requests)
    note_input(result)
    emit(renderer("full", fmt)(full_report, RenderOptions()), output, force)
