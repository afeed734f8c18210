"""`fpmscope advise`: pm.max_children and pm.max_requests for a memory budget."""

from __future__ import annotations

from pathlib import Path

import click

from fpmscope import progress
from fpmscope.analysis import advise as analysis
from fpmscope.analysis.requests import LeakOptions
from fpmscope.commands.common import (
    budget,
    db_option,
    emit,
    fleet_options,
    fleet_query,
    note_input,
    output_options,
    probe_logs_argument,
    render_options,
    since_until_options,
)
from fpmscope.errors import FpmscopeError
from fpmscope.pipeline import finish, requests_for
from fpmscope.render import formats, renderer


@click.command()
@probe_logs_argument
@click.option("--memory", required=True, metavar="SIZE", help="RAM for this pool and what --reserve covers: 2G, 512M.")
@click.option("--reserve", default="0", metavar="SIZE", help="Part of --memory kept for everything else (default 0).")
@click.option("--format", "fmt", type=click.Choice(formats("advise")), default="table", show_default=True)
@output_options
@db_option
@fleet_options
@since_until_options
def advise(  # noqa: PLR0917 - one parameter per click option
    logs: tuple[str, ...],
    memory: str,
    reserve: str,
    fmt: str,
    output: Path | None,
    force: bool,
    db: str | None,
    clickhouse: str | None,
    hosts: tuple[str, ...],
    pools: tuple[str, ...],
    since: str | None,
    until: str | None,
) -> None:
    """Compute pm.max_children and pm.max_requests that fit a memory budget, and explain them.

    From the probe logs: each worker's memory after warm-up, its growth per request and the
    p99 footprint of one request. Sizes are binary: 512M, 2G, 1.5GiB or plain bytes. Exits
    with 1 (the advice printed) when the budget cannot hold even one worker. With --clickhouse
    URL (and --host/--pool: advice is per pool) it reads a fleet's records in ClickHouse.
    """
    fleet = fleet_query(logs, clickhouse, since, until, hosts, pools)
    total, kept = budget(memory, reserve)
    with progress.stages(3) as step:
        requests, result = requests_for(logs, db, fleet, LeakOptions(), step)
        step("sizing the pool")
        try:
            report = analysis.analyze(requests, total, kept)
        finally:
            finish(requests)
    note_input(result)
    emit(renderer("advise", fmt)(report, render_options()), output, force)
    if not report.advice.fits:
        raise FpmscopeError("the memory budget cannot hold one PHP-FPM worker", exit_code=1)
