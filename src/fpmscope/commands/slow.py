"""`fpmscope slow`: access logs and/or probe logs in, endpoints ranked by where time goes."""

from __future__ import annotations

from pathlib import Path

import click

from fpmscope.analysis.slow import SORT_KEYS, SlowOptions, parse_status
from fpmscope.commands.common import (
    TABLE_TOP,
    emit,
    format_option,
    log_format_options,
    logs_argument,
    naming_options,
    output_options,
    pick_format,
    render_options,
    rules_from,
    time_option,
    tz_option,
)
from fpmscope.endpoints import parse_route_params
from fpmscope.pipeline import pick_log_format, slow_report
from fpmscope.render import renderer


@click.command()
@logs_argument
@format_option
@output_options
@log_format_options
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
    "--since", default=None, metavar="TIME", help="Only requests at or after TIME: ISO 8601, 2h, 30min, yesterday."
)
@click.option("--until", default=None, metavar="TIME", help="Only requests before TIME.")
@tz_option
@click.option("--status", "status", default=None, metavar="LIST", help="Only these statuses, e.g. 5xx,499 or 200-299.")
@click.option("--path", "path_re", default=None, metavar="REGEX", help="Only paths matching REGEX (query removed).")
@click.option("--rule", "rules", multiple=True, metavar="REGEX=NAME", help="Extra path-segment rule, as for leaks.")
@naming_options
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
    route_params: str,
    infer_min: int,
    tz: str | None,
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
        since=time_option(since, "--since", tz) if since else None,
        until=time_option(until, "--until", tz) if until else None,
        status=parse_status(status) if status else (),
        path=path_re,
        rules=rules_from(rules),
        route_params=parse_route_params(route_params),
        infer_min=infer_min,
    )
    report = slow_report(logs, log_fmt, options)
    emit(renderer("slow", out_fmt)(report, render_options(tz)), output, force)
