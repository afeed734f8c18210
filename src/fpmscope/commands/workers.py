"""`fpmscope workers`: every PHP-FPM worker over its life."""

from __future__ import annotations

from pathlib import Path

import click
import duckdb

from fpmscope import ingest
from fpmscope.analysis import workers as analysis
from fpmscope.commands.common import (
    db_option,
    emit,
    format_option,
    logs_argument,
    note_input,
    output_options,
    pick_format,
    render_options,
)
from fpmscope.errors import FpmscopeError
from fpmscope.render import json as json_render
from fpmscope.render import workers_csv, workers_table
from fpmscope.workersreport import WorkersReport

RENDERERS = {"table": workers_table.render, "json": json_render.render, "csv": workers_csv.render}


def load(logs: tuple[str, ...], db: str | None) -> tuple[duckdb.DuckDBPyConnection, ingest.IngestResult]:
    con = ingest.connect(db)
    result = ingest.ingest(con, logs)
    note_input(result)
    total = con.execute("SELECT count(*) FROM requests").fetchone()
    if total is None or total[0] == 0:
        detail = f"; {result.skipped} malformed line(s), first: {result.skipped_example!r}" if result.skipped else ""
        raise FpmscopeError(f"no probe records in {', '.join(logs)}{detail}")
    return con, result


def workers_report(logs: tuple[str, ...], db: str | None) -> WorkersReport:
    con, result = load(logs, db)
    return analysis.analyze(con, result)


@click.command()
@logs_argument
@format_option
@output_options
@db_option
def workers(logs: tuple[str, ...], fmt: str | None, output: Path | None, force: bool, db: str | None) -> None:
    """One row per PHP-FPM worker: requests served, memory, growth per request and its causes.

    A worker is host + pool + pid + process start time, so reused pids are told apart. It is
    'recycled' when a later worker of its pool took over and its records stop well before the
    log ends, 'alive' otherwise.
    """
    fmt = pick_format(fmt, output)
    emit(RENDERERS[fmt](workers_report(logs, db), render_options()), output, force)
