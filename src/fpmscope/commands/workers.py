"""`fpmscope workers`: every PHP-FPM worker over its life."""

from __future__ import annotations

from pathlib import Path

import click

from fpmscope import progress
from fpmscope.analysis import workers as analysis
from fpmscope.analysis.requests import LeakOptions
from fpmscope.commands.common import (
    db_option,
    emit,
    fleet_options,
    fleet_query,
    format_option,
    note_input,
    output_options,
    pick_format,
    probe_logs_argument,
    render_options,
    since_until_options,
    tz_option,
)
from fpmscope.pipeline import finish, requests_for
from fpmscope.render import renderer


@click.command()
@probe_logs_argument
@format_option
@output_options
@db_option
@fleet_options
@since_until_options
@tz_option
def workers(  # noqa: PLR0917 - one parameter per click option
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
    tz: str | None,
) -> None:
    """One row per PHP-FPM worker: requests served, memory, growth per request and its causes.

    A worker is host + pool + pid, split where the pid's CPU time starts over (a new process
    took the pid), so reused pids are told apart. It is
    'recycled' when a later worker of its pool took over and its records stop well before the
    log ends, 'alive' otherwise. With --clickhouse URL it reads a fleet's records in ClickHouse.
    """
    fleet = fleet_query(logs, clickhouse, since, until, hosts, pools, tz)
    fmt = pick_format(fmt, output)
    with progress.stages(3) as step:
        requests, result = requests_for(logs, db, fleet, LeakOptions(), step)
        step("following each worker")
        try:
            report = analysis.analyze(requests)
        finally:
            finish(requests)
    note_input(result)
    emit(renderer("workers", fmt)(report, render_options(tz)), output, force)
