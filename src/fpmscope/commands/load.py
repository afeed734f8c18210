"""`fpmscope load`: probe and access logs into ClickHouse, each request once."""

from __future__ import annotations

import socket
from pathlib import Path

import click

from fpmscope.commands.common import clickhouse_target_option, log_format_options, logs_argument, note_skipped
from fpmscope.fleet import load as fleet_load
from fpmscope.fleet.store import opened
from fpmscope.pipeline import pick_log_format


@click.command()
@logs_argument
@clickhouse_target_option
@click.option(
    "--host", default=None, metavar="NAME", help="The machine the access logs are from (default: this one's name)."
)
@log_format_options
def load(  # noqa: PLR0917 - one parameter per click option
    logs: tuple[str, ...],
    url: str,
    host: str | None,
    log_format: str | None,
    nginx_conf: Path | None,
    format_name: str | None,
) -> None:
    """Load probe logs and access logs (plain or gzip, rotated ones too) into ClickHouse.

    Lines are checked and parsed exactly as `leaks` and `slow` read them; skipped lines are
    counted and reported. Loading is idempotent: a file loaded twice, or overlapping copies of
    a log, count each request once. Create the tables first: `fpmscope clickhouse schema --create URL`.
    """
    fmt = pick_log_format(log_format, nginx_conf, format_name)
    with opened(url) as store:
        result = fleet_load.load(store, logs, host=host or socket.gethostname(), fmt=fmt)
    for item in result.files:
        what = "probe records" if item.kind == "probe" else "requests"
        click.echo(f"fpmscope: {item.name}: {item.rows:,} {what}", err=True)
    note_skipped(result.skipped, result.skipped_example)
    if result.duplicates:
        click.echo(
            f"fpmscope: dropped {result.duplicates} duplicate record(s) (the same request twice in a file)", err=True
        )
    click.echo(f"Loaded {result.records:,} probe records and {result.requests:,} requests into {url}", err=True)
