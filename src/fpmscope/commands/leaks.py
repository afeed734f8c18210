"""`fpmscope leaks` and `fpmscope dump`: probe logs in, leak suspects out."""

from __future__ import annotations

import json
from pathlib import Path

import click

from fpmscope import ingest
from fpmscope.analysis.leaks import LeakOptions, analyze
from fpmscope.commands.common import (
    TABLE_TOP,
    db_option,
    emit,
    format_option,
    load_probe_logs,
    logs_argument,
    naming_options,
    note_input,
    output_options,
    pick_format,
    render_options,
)
from fpmscope.endpoints import DEFAULT_RULES, parse_route_params, parse_rule
from fpmscope.errors import FpmscopeError
from fpmscope.records import RECORD_FIELDS
from fpmscope.render import csv as csv_render
from fpmscope.render import json as json_render
from fpmscope.render import table as table_render
from fpmscope.report import LeakReport

RENDERERS = {"table": table_render.render, "json": json_render.render, "csv": csv_render.render}


def leak_report(logs: tuple[str, ...], db: str | None, options: LeakOptions) -> LeakReport:
    con, result = load_probe_logs(logs, db)
    return analyze(con, result, options)


@click.command()
@logs_argument
@format_option
@output_options
@db_option
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
def leaks(  # noqa: PLR0917 - one parameter per click option
    logs: tuple[str, ...],
    fmt: str | None,
    output: Path | None,
    force: bool,
    db: str | None,
    top: int | None,
    by: str,
    rules: tuple[str, ...],
    route_params: str,
    infer_min: int,
) -> None:
    """Rank endpoints by the memory they make PHP-FPM workers keep.

    Reads probe logs (plain or gzip; '-' for stdin). Retention is measured at the start of
    the next request on the same worker and split into native, Zend-cache and shared growth.
    """
    fmt = pick_format(fmt, output)
    if top is None and fmt == "table":
        top = TABLE_TOP
    options = LeakOptions(
        by=by,
        rules=tuple(parse_rule(r) for r in rules) + DEFAULT_RULES,
        top=top,
        route_params=parse_route_params(route_params),
        infer_min=infer_min,
    )
    report = leak_report(logs, db, options)
    emit(RENDERERS[fmt](report, render_options()), output, force)


@click.command()
@logs_argument
@click.option("--limit", type=click.IntRange(min=1, max=2**62), default=None, help="Print at most N records.")
def dump(logs: tuple[str, ...], limit: int | None) -> None:
    """Print parsed probe records, one JSON object per line."""
    con = ingest.connect(None)
    result = ingest.ingest(con, logs)
    # worker_start only comes with format-1 records (earlier probes).
    names = [name for name, _ in RECORD_FIELDS] + ["worker_start"]
    sql = f"SELECT {', '.join(names)} FROM requests"
    cur = con.execute(sql + (f" LIMIT {int(limit)}" if limit else ""))
    while batch := cur.fetchmany(10000):
        for row in batch:
            record = dict(zip(names, row, strict=True))
            if record["worker_start"] is None:
                del record["worker_start"]
            click.echo(json.dumps(record, ensure_ascii=False))
    note_input(result)
    if result.rows == 0:
        raise FpmscopeError("no probe records found in " + ", ".join(logs))
