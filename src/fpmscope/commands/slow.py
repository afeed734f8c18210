"""`fpmscope slow`: access logs and/or probe logs in, endpoints ranked by where time goes."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click

from fpmscope import ingest as probe_ingest
from fpmscope.accesslog import files as access_files
from fpmscope.accesslog import ingest as access_ingest
from fpmscope.accesslog import nginxconf
from fpmscope.accesslog.formats import LogFormat, parse_format
from fpmscope.analysis.slow import SORT_KEYS, SlowOptions, Source, analyze, parse_status, parse_time
from fpmscope.commands.common import (
    TABLE_TOP,
    emit,
    format_option,
    logs_argument,
    output_options,
    pick_format,
    render_options,
)
from fpmscope.endpoints import DEFAULT_RULES, parse_rule
from fpmscope.errors import FpmscopeError
from fpmscope.inputs import is_gzip
from fpmscope.render import json as json_render
from fpmscope.render import slow_csv, slow_table
from fpmscope.slowreport import SlowReport

RENDERERS = {"table": slow_table.render, "json": json_render.render, "csv": slow_csv.render}
PROGRESS_BYTES = 200 * 1024 * 1024
MEMORY_LIMIT = "768MB"
SCRATCH_FILE_BYTES = 512 * 1024 * 1024


def pick_log_format(log_format: str | None, nginx_conf: Path | None, format_name: str | None) -> LogFormat | None:
    if log_format is not None and nginx_conf is not None:
        raise FpmscopeError("give --log-format or --nginx-conf, not both")
    if format_name is not None and nginx_conf is None:
        raise FpmscopeError("--format-name needs --nginx-conf")
    if nginx_conf is not None:
        return nginxconf.pick(nginx_conf, format_name)
    return parse_format(log_format) if log_format is not None else None


def _input_bytes(logs: tuple[str, ...]) -> int:
    """Plain-text size of the inputs, roughly: gzip counts ten times its size, stdin as big."""
    total = 0
    for name in logs:
        path = Path(name)
        if name == "-" or not path.is_file():
            total += SCRATCH_FILE_BYTES
            continue
        total += path.stat().st_size * (10 if is_gzip(path) else 1)
    return total


def slow_report(logs: tuple[str, ...], fmt: LogFormat | None, options: SlowOptions) -> SlowReport:
    started = time.perf_counter()
    with access_files.temp_dir() as tmp:
        # Exact percentiles need every request's time. Big inputs go to a scratch database
        # file, which DuckDB compresses and keeps within MEMORY_LIMIT of RAM (10 M lines in
        # about 0.5 GB); small ones stay in memory, which reads about a third faster.
        big_input = _input_bytes(logs) > SCRATCH_FILE_BYTES
        con = probe_ingest.connect(str(Path(tmp) / "work.duckdb") if big_input else None)
        # Its own, lower cap (percentiles spill well), unless the user set one for every command.
        limit = probe_ingest.memory_config()["memory_limit"] if "FPMSCOPE_MEMORY_LIMIT" in os.environ else MEMORY_LIMIT
        con.execute(f"SET memory_limit = '{limit}'")  # a checked size, never log content
        con.execute("SET temp_directory = ?", [str(Path(tmp) / "spill")])
        con.execute("SET TimeZone = 'UTC'")  # times shown in UTC, whatever zones the logs mix
        access_ingest.create_hits(con)
        inputs = access_files.classify(logs, Path(tmp))
        notes: list[str] = []
        access = None
        if inputs.access:
            big = sum(f.path.stat().st_size for f in inputs.access) > PROGRESS_BYTES
            access = access_ingest.ingest(con, inputs.access, fmt, progress=big and sys.stderr.isatty())
        if access is not None and "ts" not in access.columns and (options.since or options.until):
            raise FpmscopeError(f"--since/--until: format {access.format_name} has no time field ($time_local ...)")
        probe = probe_ingest.ingest(con, [str(f.path) for f in inputs.probe]) if inputs.probe else None
        if probe is not None and probe.rows == 0:
            raise FpmscopeError(f"no probe records in {', '.join(f.name for f in inputs.probe)}")
        if access is not None and probe is not None and "request_id" not in access.columns:
            notes.append("the access logs carry no $request_id, so probe records are not matched to them")
            probe = None
        kind = "access+probe" if access and probe else ("access" if access else "probe")
        dropped = sum(f.dropped for f in inputs.probe)  # lines with a bare CR or a NUL
        skipped = (access.skipped if access else 0) + (probe.skipped if probe else 0) + dropped
        example = (
            (access.skipped_example if access else None)
            or (probe.skipped_example if probe else None)
            or next((f.dropped_example for f in inputs.probe if f.dropped_example), None)
        )
        source = Source(
            kind=kind,
            files=tuple(logs),
            format_name=access.format_name if access else None,
            format=access.format_source if access else None,
            parsed=(access.parsed if access else 0) + (probe.rows if probe else 0),
            skipped=skipped,
            skipped_example=example,
            has_time=bool(access is None or access.time_available),
            notes=tuple(notes) + (access.notes if access else ()),
            format_confidence=access.confidence if access else None,
            format_detected=bool(access and access.detected),
            timed=access.timed if access else None,
        )
        loaded = time.perf_counter()
        report = analyze(con, source, options)
        con.close()
    if os.environ.get("FPMSCOPE_TIMING"):
        click.echo(f"fpmscope: read {loaded - started:.2f} s, analysis {time.perf_counter() - loaded:.2f} s", err=True)
    return report


@click.command()
@logs_argument
@format_option
@output_options
@click.option(
    "--log-format", default=None, metavar="FORMAT", help="nginx log_format body, Apache LogFormat, or preset."
)
@click.option(
    "--nginx-conf",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Read the log_format from this nginx config (includes followed).",
)
@click.option(
    "--format-name", default=None, help="Which log_format of --nginx-conf (default: the one access_log uses)."
)
@click.option("--sort", type=click.Choice(SORT_KEYS), default="total", show_default=True, help="Rank endpoints by.")
@click.option("--top", type=click.IntRange(min=1), default=None, help="Show only the first N endpoints (table: 40).")
@click.option(
    "--slowest",
    type=click.IntRange(min=0, max=100_000),
    default=10,
    show_default=True,
    help="List the N slowest requests.",
)
@click.option(
    "--since", default=None, metavar="TIME", help="Only requests at or after TIME (ISO 8601; UTC if no zone)."
)
@click.option("--until", default=None, metavar="TIME", help="Only requests before TIME.")
@click.option("--status", "status", default=None, metavar="LIST", help="Only these statuses, e.g. 5xx,499 or 200-299.")
@click.option("--path", "path_re", default=None, metavar="REGEX", help="Only paths matching REGEX (query removed).")
@click.option("--rule", "rules", multiple=True, metavar="REGEX=NAME", help="Extra path-segment rule, as for leaks.")
def slow(  # noqa: PLR0917 - one parameter per click option
    logs: tuple[str, ...],
    fmt: str | None,
    output: Path | None,
    force: bool,
    log_format: str | None,
    nginx_conf: Path | None,
    format_name: str | None,
    sort: str,
    top: int | None,
    slowest: int,
    since: str | None,
    until: str | None,
    status: str | None,
    path_re: str | None,
    rules: tuple[str, ...],
) -> None:
    """Rank endpoints by the time they take, from nginx/Apache access logs or probe logs.

    The log format is detected (combined, combined + $request_time, common, JSON lines) or
    given with --log-format / --nginx-conf. With access logs carrying $request_id and probe
    logs together, each endpoint also shows PHP wall and CPU time.
    """
    out_fmt = pick_format(fmt, output)
    if top is None and out_fmt == "table":
        top = TABLE_TOP
    log_fmt = pick_log_format(log_format, nginx_conf, format_name)
    options = SlowOptions(
        sort=sort,
        top=top,
        slowest=slowest,
        since=parse_time(since, "--since") if since else None,
        until=parse_time(until, "--until") if until else None,
        status=parse_status(status) if status else (),
        path=path_re,
        rules=tuple(parse_rule(r) for r in rules) + DEFAULT_RULES,
    )
    report = slow_report(logs, log_fmt, options)
    emit(RENDERERS[out_fmt](report, render_options()), output, force)
