"""`fpmscope leaks` and `fpmscope dump`: probe logs in, leak suspects out."""

from __future__ import annotations

import json
from pathlib import Path

import click

from fpmscope import ingest, progress
from fpmscope.analysis import gate
from fpmscope.analysis import leaks as analysis
from fpmscope.analysis.requests import LeakOptions
from fpmscope.commands.common import (
    TABLE_TOP,
    db_option,
    emit,
    fleet_options,
    fleet_query,
    format_option,
    logs_argument,
    naming_options,
    note_input,
    output_options,
    pick_format,
    probe_logs_argument,
    render_options,
    rules_from,
    since_until_options,
    size_option,
    tz_option,
)
from fpmscope.endpoints import parse_route_params
from fpmscope.errors import FpmscopeError
from fpmscope.model.leaks import LeakReport
from fpmscope.pipeline import finish, requests_for
from fpmscope.render import json as json_render
from fpmscope.render import renderer


@click.command()
@probe_logs_argument
@format_option
@output_options
@db_option
@fleet_options
@since_until_options
@click.option("--top", type=click.IntRange(min=1), default=None, help="Show only the first N endpoints (table: 40).")
@click.option(
    "--by",
    type=click.Choice(["endpoint", "script"]),
    default="endpoint",
    show_default=True,
    help="Group by method + normalized path, or by PHP script.",
)
@click.option(
    "--rule",
    "rules",
    multiple=True,
    metavar="REGEX=NAME",
    help="Extra path-segment rule, tried before the built-in ones, e.g. 'v[0-9]+={v}'.",
)
@naming_options
@click.option(
    "--fail-on",
    default=None,
    metavar="SIZE",
    help="Exit 1 when a leak suspect keeps more than SIZE per request (8KiB, 64K): a CI or canary gate.",
)
@tz_option
def leaks(  # noqa: PLR0917 - one parameter per click option
    logs: tuple[str, ...],
    fmt: str | None,
    output: Path | None,
    force: bool,
    db: str | None,
    clickhouse: str | None,
    hosts: tuple[str, ...],
    pools: tuple[str, ...],
    since: str | None,
    until: str | None,
    top: int | None,
    by: str,
    rules: tuple[str, ...],
    route_params: str,
    infer_min: int,
    fail_on: str | None,
    tz: str | None,
) -> None:
    """Rank endpoints by the memory they make PHP-FPM workers keep.

    Reads probe logs (plain or gzip; '-' for stdin). Retention is measured at the start of
    the next request on the same worker and split into native, Zend-cache and shared growth.
    With --fail-on SIZE it is a gate: exit 1 when a suspect keeps more than SIZE per request
    (the JSON's `gate` says which endpoints failed). With --clickhouse URL it reads a fleet's
    records in ClickHouse and runs the analysis there (docs/fleet.md).
    """
    fleet = fleet_query(logs, clickhouse, since, until, hosts, pools, tz)
    limit = size_option(fail_on, "--fail-on") if fail_on is not None else None
    fmt = pick_format(fmt, output)
    if top is None and fmt == "table":
        top = TABLE_TOP
    options = LeakOptions(
        by=by,
        rules=rules_from(rules),
        top=top,
        route_params=parse_route_params(route_params),
        infer_min=infer_min,
    )
    with progress.stages(3) as step:
        requests, result = requests_for(logs, db, fleet, options, step)
        step("ranking endpoints")
        report = analysis.analyze(requests)
    finish(requests)
    note_input(result)
    if limit is None:
        emit(renderer("leaks", fmt)(report, render_options(tz)), output, force)
        _require_memory(report)
        return
    result_gate = gate.check(report, limit)
    if fmt == "json":
        emit(json_render.render_with(report, gate=result_gate), output, force)
    else:
        emit(renderer("leaks", fmt)(report, render_options(tz)), output, force)
    _require_memory(report)
    if not result_gate.passed:
        raise FpmscopeError(gate.summary(result_gate), exit_code=1)
    click.echo(f"fpmscope: {gate.summary(result_gate)}", err=True)


@click.command()
@logs_argument
@click.option("--limit", type=click.IntRange(min=1, max=2**62), default=None, help="Print at most N records.")
def dump(logs: tuple[str, ...], limit: int | None) -> None:
    """Print parsed probe records, one JSON object per line."""
    con = ingest.connect(None)
    result = ingest.ingest(con, logs)
    for record in ingest.records(con, limit):
        click.echo(json.dumps(record, ensure_ascii=False))
    note_input(result)
    if result.rows == 0:
        raise FpmscopeError("no probe records found in " + ", ".join(logs))


def _require_memory(report: LeakReport) -> None:
    """Memory not measured is not 'no leak': a verdict was asked for and none can be given."""
    if report.inputs.records and not report.memory_measured:
        raise FpmscopeError("memory was not measured in any record (flag m): no leak verdict", exit_code=1)
