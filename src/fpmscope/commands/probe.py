"""`fpmscope probe`: where the probe is and how to enable it."""

from __future__ import annotations

from pathlib import Path

import click

from fpmscope.errors import FpmscopeError
from fpmscope.probe import probe_path


def enable_lines(log: str, pool: str, style: str) -> str:
    probe = probe_path()
    if style == "ini":
        return (
            "; fpmscope probe (php.ini): measures every request, one line each\n"
            f"auto_prepend_file = {probe}\n"
            f"fpmscope.log = {log}\n"
        )
    return (
        "; fpmscope probe (FPM pool): measures every request, one line each\n"
        f"php_admin_value[auto_prepend_file] = {probe}\n"
        f"env[FPMSCOPE_LOG] = {log}\n"
        f"env[FPMSCOPE_POOL] = {pool}\n"
    )


@click.group()
def probe() -> None:
    """Where the PHP probe is, and the lines that enable it."""


@probe.command()
def path() -> None:
    """Print the path of probe.php."""
    click.echo(str(probe_path()))


@probe.command()
@click.option("--log", required=True, help="File the probe appends its records to.")
@click.option("--pool", default="www", show_default=True, help="Pool name written in each record.")
@click.option(
    "--style",
    type=click.Choice(["pool", "ini"]),
    default="pool",
    show_default=True,
    help="Lines for an FPM pool file, or for php.ini.",
)
def ini(log: str, pool: str, style: str) -> None:
    """Print the configuration lines that enable the probe."""
    if not Path(log).is_absolute():
        # FPM workers run from the script's directory: a relative log could land in the docroot.
        raise FpmscopeError(f"--log must be an absolute path, not {log!r}")
    click.echo(enable_lines(log, pool, style), nl=False)
