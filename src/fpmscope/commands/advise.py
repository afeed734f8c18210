"""`fpmscope advise`: pm.max_children and pm.max_requests for a memory budget."""

from __future__ import annotations

from pathlib import Path

import click

from fpmscope.analysis import advise as analysis
from fpmscope.commands.common import db_option, emit, load_probe_logs, logs_argument, output_options, render_options
from fpmscope.errors import FpmscopeError
from fpmscope.render import advise_text
from fpmscope.render import json as json_render
from fpmscope.units import parse_size

RENDERERS = {"table": advise_text.render, "json": json_render.render}


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


@click.command()
@logs_argument
@click.option("--memory", required=True, metavar="SIZE", help="RAM for this pool and what --reserve covers: 2G, 512M.")
@click.option("--reserve", default="0", metavar="SIZE", help="Part of --memory kept for everything else (default 0).")
@click.option("--format", "fmt", type=click.Choice(tuple(RENDERERS)), default="table", show_default=True)
@output_options
@db_option
def advise(  # noqa: PLR0917 - one parameter per click option
    logs: tuple[str, ...], memory: str, reserve: str, fmt: str, output: Path | None, force: bool, db: str | None
) -> None:
    """Compute pm.max_children and pm.max_requests that fit a memory budget, and explain them.

    From the probe logs: each worker's memory after warm-up, its growth per request and the
    p99 footprint of one request. Sizes are binary: 512M, 2G, 1.5GiB or plain bytes. Exits
    with 1 (the advice printed) when the budget cannot hold even one worker.
    """
    total, kept = budget(memory, reserve)
    con, result = load_probe_logs(logs, db)
    report = analysis.analyze(con, result, total, kept)
    emit(RENDERERS[fmt](report, render_options()), output, force)
    if not report.advice.fits:
        raise FpmscopeError("the memory budget cannot hold one PHP-FPM worker", exit_code=1)
