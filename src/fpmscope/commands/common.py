"""Options and helpers shared by commands: input logs, --format, -o/--force, --db, --rule,
--memory/--reserve, and the notes on stderr."""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from fpmscope import when
from fpmscope.endpoint_templates import DEFAULT_MIN_VALUES
from fpmscope.endpoints import DEFAULT_ROUTE_PARAMS, DEFAULT_RULES, Rule, parse_rule
from fpmscope.errors import FpmscopeError
from fpmscope.fleet.analysis import Filters, FleetQuery
from fpmscope.ingest import IngestResult
from fpmscope.render import FORMATS, RenderOptions
from fpmscope.units import parse_size

F = TypeVar("F", bound=Callable[..., Any])

# Endpoints a terminal table shows unless --top says otherwise; JSON and CSV hold them all.
TABLE_TOP = 40


def logs_argument(f: F) -> F:
    return click.argument("logs", nargs=-1, required=True, metavar="LOG...")(f)


def format_option(f: F) -> F:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default=None,
        help="Output format (default: table, or from -o's suffix).",
    )(f)


def output_options(f: F) -> F:
    f = click.option("--force", is_flag=True, help="Overwrite the output file.")(f)
    return click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file.")(
        f
    )


def db_option(f: F) -> F:
    return click.option(
        "--db", type=click.Path(dir_okay=False), default=None, help="Keep the ingested records in this DuckDB file."
    )(f)


def pick_format(fmt: str | None, output: Path | None) -> str:
    if fmt is not None:
        return fmt
    if output is not None and output.suffix.lstrip(".") in FORMATS:
        return output.suffix.lstrip(".")
    return "table"


def tz_option(f: F) -> F:
    return click.option(
        "--tz",
        default=None,
        metavar="ZONE",
        help="Show and read times in ZONE: UTC, local, Europe/Berlin (default: $TZ, else UTC).",
    )(f)


def zone(tz: str | None) -> dt.tzinfo:
    try:
        return when.zone(tz)
    except ValueError as exc:
        raise FpmscopeError(f"--tz: {exc}") from None


def render_options(tz: str | None = None) -> RenderOptions:
    """Width and colour from the terminal (none when piped), times in the --tz zone."""
    tty = sys.stdout.isatty()
    width = shutil.get_terminal_size().columns if tty else None
    return RenderOptions(width=max(width, 40) if width else None, color=tty, tz=zone(tz))


def emit(text: str, output: Path | None, force: bool) -> None:
    """Print, or write to `output` (never over an existing file without --force)."""
    if output is None:
        click.echo(text, nl=False)
        return
    if output.exists() and not force:
        raise FpmscopeError(f"{output} exists; use --force to overwrite it")
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise FpmscopeError(f"cannot write {output}: {exc.strerror}") from None
    click.echo(f"Wrote {output}", err=True)


def rules_from(rules: tuple[str, ...]) -> tuple[Rule, ...]:
    """The endpoint rules of the --rule options, tried before the built-in ones."""
    return tuple(parse_rule(r) for r in rules) + DEFAULT_RULES


def time_option(value: str, what: str, tz: str | None) -> dt.datetime:
    """An aware datetime from a time option (ISO 8601, 2h, yesterday), in the --tz zone."""
    try:
        return when.parse(value, zone(tz))
    except ValueError as exc:
        raise FpmscopeError(f"{what}: {exc}") from None


def size_option(value: str, what: str) -> int:
    """Bytes from a size option (--fail-on 8KiB), or a one-line error naming the option."""
    return _size(value, what)


def _size(value: str, what: str) -> int:
    try:
        return parse_size(value)
    except ValueError as exc:
        raise FpmscopeError(f"{what}: {exc}") from None


def budget(memory: str, reserve: str) -> tuple[int, int]:
    """(memory, reserve) in bytes from --memory and --reserve, checked."""
    total, kept = _size(memory, "--memory"), _size(reserve, "--reserve")
    if kept >= total:
        raise FpmscopeError(f"--reserve ({reserve}) must be smaller than --memory ({memory})")
    return total, kept


def note_input(result: IngestResult) -> None:
    """What ingest left out, on stderr: malformed lines, and requests found twice."""
    note_skipped(result.skipped, result.skipped_example)
    if result.duplicates:
        click.echo(
            f"fpmscope: dropped {result.duplicates} duplicate record(s) (the same request loaded twice)", err=True
        )


def note_skipped(skipped: int, example: str | None) -> None:
    if skipped:
        click.echo(f"fpmscope: skipped {skipped} malformed line(s), first: {example!r}", err=True)


def naming_options(f: F) -> F:
    """--route-params and --infer-min: how endpoints are named beyond --rule."""
    f = click.option(
        "--infer-min",
        type=click.IntRange(min=0),
        default=DEFAULT_MIN_VALUES,
        show_default=True,
        help="Distinct values that make a path position a {slug} template (0: never).",
    )(f)
    return click.option(
        "--route-params",
        default=",".join(DEFAULT_ROUTE_PARAMS),
        show_default=True,
        metavar="NAMES",
        help="Query parameters whose value names the endpoint ('' for none); the probe's FPMSCOPE_ROUTE_PARAMS.",
    )(f)


def probe_logs_argument(f: F) -> F:
    """LOG... for commands that can read a fleet's ClickHouse instead (--clickhouse)."""
    return click.argument("logs", nargs=-1, required=False, metavar="[LOG...]")(f)


# Where load and ship write (required there, unlike the analysers' --clickhouse).
clickhouse_target_option = click.option(
    "--clickhouse",
    "url",
    required=True,
    metavar="URL",
    help="clickhouse://[user[:password]@]host[:port]/[db] or chdb:PATH.",
)


def fleet_options(f: F) -> F:
    """--clickhouse URL and the filters of what it reads (--since/--until are added apart,
    since `slow` has them for logs too)."""
    f = click.option(
        "--pool", "pools", multiple=True, metavar="NAME", help="With --clickhouse: only this pool (repeatable)."
    )(f)
    f = click.option(
        "--host", "hosts", multiple=True, metavar="NAME", help="With --clickhouse: only this host (repeatable)."
    )(f)
    return click.option(
        "--clickhouse",
        default=None,
        metavar="URL",
        help="Analyse the records in ClickHouse (clickhouse://host[:port]/db or chdb:PATH) instead of LOG files.",
    )(f)


def log_format_options(f: F) -> F:
    """How access logs are read: --log-format, or the log_format of --nginx-conf
    (pipeline.pick_log_format); detected when neither is given."""
    f = click.option(
        "--format-name", default=None, help="Which log_format of --nginx-conf (default: the one access_log uses)."
    )(f)
    f = click.option(
        "--nginx-conf",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Read the log_format from this nginx config (includes followed).",
    )(f)
    return click.option(
        "--log-format", default=None, metavar="FORMAT", help="nginx log_format body, Apache LogFormat, or preset."
    )(f)


def since_until_options(f: F) -> F:
    f = click.option("--until", default=None, metavar="TIME", help="Only requests before TIME.")(f)
    return click.option(
        "--since", default=None, metavar="TIME", help="Only requests at or after TIME: ISO 8601, 2h, 30min, yesterday."
    )(f)


def fleet_query(  # noqa: PLR0917 - the fleet options, checked together
    logs: tuple[str, ...],
    clickhouse: str | None,
    since: str | None,
    until: str | None,
    hosts: tuple[str, ...],
    pools: tuple[str, ...],
    tz: str | None = None,
) -> FleetQuery | None:
    """The fleet query the options ask for, or None for LOG files; a usage error for both,
    neither, or filters without --clickhouse."""
    if clickhouse is None:
        if not logs:
            raise click.UsageError("Missing argument 'LOG...' (or --clickhouse URL).")
        if since or until or hosts or pools:
            raise click.UsageError("--since, --until, --host and --pool filter --clickhouse; give it or drop them.")
        return None
    if logs:
        raise click.UsageError("give LOG files or --clickhouse, not both")
    return FleetQuery(
        url=clickhouse,
        filters=Filters(
            since=time_option(since, "--since", tz).timestamp() if since else None,
            until=time_option(until, "--until", tz).timestamp() if until else None,
            hosts=hosts,
            pools=pools,
        ),
    )
