"""`fpmscope workers`: every PHP-FPM worker over its life."""

from __future__ import annotations

from pathlib import Path

import click

from fpmscope.analysis import workers as analysis
from fpmscope.commands.common import (
    db_option,
    emit,
    format_option,
    load_probe_logs,
    logs_argument,
    output_options,
    pick_format,
    render_options,
)
from fpmscope.render import json as json_render
from fpmscope.render import workers_csv, workers_table
from fpmscope.workersreport import WorkersReport

RENDERERS = {"table": workers_table.render, "json": json_render.render, "csv": workers_csv.render}


def workers_report(logs: tuple[str, ...], db: str | None) -> WorkersReport:
    con, result = load_probe_logs(logs, db)
    return analysis.analyze(con, result)


@click.command()
@logs_argument
@format_option
@output_options
@db_option
def workers(logs: tuple[str, ...], fmt: str | None, output: Path | None, force: bool, db: str | None) -> None:
    """One row per PHP-FPM worker: requests served, memory, growth per request and its causes.

    A worker is host + pool + pid, split where the pid's CPU time starts over (a new process
    took the pid), so reused pids are told apart. It is
    'recycled' when a later worker of its pool took over and its records stop well before the
    log ends, 'alive' otherwise.
    """
    fmt = pick_format(fmt, output)
    emit(RENDERERS[fmt](workers_report(logs, db), render_options()), output, force)
