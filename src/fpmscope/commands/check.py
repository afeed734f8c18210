"""`fpmscope check`: is the probe working in a pool? Each failed step comes with its fix."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from fpmscope.fpm import check as fpm_check
from fpmscope.fpm.system import fpm_binary, ini_values
from fpmscope.render import json as json_render


@click.command()
@click.option(
    "--pool",
    "pool_file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help=f"Pool file to check (default: every {fpm_check.DEBIAN_POOLS}).",
)
@click.option(
    "--max-age", default=600.0, show_default=True, help="Seconds within which the log must have a new record."
)
@click.option("--fpm-bin", help="php-fpm binary whose php.ini open_basedir applies (default: found on PATH).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def check(pool_file: Path | None, max_age: float, fpm_bin: str | None, fmt: str) -> None:
    """Check, in order: probe file readable by the pool user, log dir writable by the pool user,
    /proc readable under open_basedir, records written recently, record format current.

    Exit code 1 when a step fails.
    """
    basedir = ini_values(fpm_binary(fpm_bin), "open_basedir")["open_basedir"]
    checks = []
    for path in fpm_check.pool_files(pool_file):
        checks += fpm_check.check_file(path, max_age=max_age, open_basedir=basedir)
    text = json_render.document(fpm_check.as_data(checks)) if fmt == "json" else fpm_check.render_text(checks)
    click.echo(text, nl=False)
    if not all(c.ok for c in checks):
        sys.exit(1)
