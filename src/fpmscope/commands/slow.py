"""`fpmscope slow`: access logs and/or probe logs in, endpoints ranked by where time goes."""

from __future__ import annotations

from pathlib import Path

import click

from fpmscope.analysis.slow import SORT_KEYS, SlowOptions, parse_status
from fpmscope.commands.common import (
    TABLE_TOP,
    emit,
    fleet_options,
    format_option,
    log_format_options,
    naming_options,
    output_options,
    pick_format,
    probe_logs_argument,
    render_options,
    rules_from,
    time_option,
    tz_option,
)
from fpmscope.endpoints import parse_route_params
from fpmscope.fleet import slow as fleet_slow
from fpmscope.fleet.analysis import Filters, FleetQuery
from fpmscope.pipeline import pick_log_format, slow_report
from fpmscope.render import renderer


@click.command()
@probe_logs_argument
@format_option
@output_options
@log_format_options
@fleet_options
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
    clickhouse: str | None,
    hosts: tuple[str, ...],
    pools: tuple[str, ...],
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
    logs together, each endpoint also shows PHP wall and CPU time. With --clickhouse URL it
    ranks a fleet's requests in ClickHouse, computed there (docs/fleet.md).
    """
    _check_inputs(logs, clickhouse, hosts, pools, log_format, nginx_conf, format_name)
    out_fmt = pick_format(fmt, output)
    if top is None and out_fmt == "table":
        top = TABLE_TOP
    log_fmt = None if clickhouse else pick_log_format(log_format, nginx_conf, format_name)
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
    if clickhouse is not None:
        filters = Filters(
            since=options.since.timestamp() if options.since else None,
            until=options.until.timestamp() if options.until else None,
            hosts=hosts,
            pools=pools,
        )
        report = fleet_slow.slow_report(FleetQuery(clickhouse, filters), options)
    else:
        report = slow_report(logs, log_fmt, options)
    emit(renderer("slow", out_fmt)(report, render_options(tz)), output, force)


def _check_inputs(  # noqa: PLR0917 - the input options, checked together
    logs: tuple[str, ...],
    clickhouse: str | None,
    hosts: tuple[str, ...],
    pools: tuple[str, ...],
    log_format: str | None,
    nginx_conf: Path | None,
    format_name: str | None,
) -> None:
    """LOG files or --clickhouse, and only the options that go with each."""
    if clickhouse is None:
        if not logs:
            raise click.UsageError("Missing argument 'LOG...' (or --clickhouse URL).")
        if hosts or pools:
            raise click.UsageError("--host and --pool filter --clickhouse; give it or drop them.")
        return
    if logs:
        raise click.UsageError("give LOG files or --clickhouse, not both")
    if log_format is not None or nginx_conf is not None or format_name is not None:
        raise click.UsageError(
            "--log-format, --nginx-conf and --format-name read log files; with --clickhouse the requests"
            " were parsed when loaded (give them to `fpmscope load` or `ship`)"
        )
