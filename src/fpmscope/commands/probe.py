"""`fpmscope probe`: where the probe is and how to enable it."""

from __future__ import annotations

from pathlib import Path

import click

from fpmscope.errors import FpmscopeError
from fpmscope.probe import probe_path


def enable_lines(log: str, pool: str, style: str, sample: float | None = None) -> str:
    probe = probe_path()
    what = "every request" if sample is None else f"every request of {sample:g} of the workers"
    if style == "ini":
        # php.ini has no environment: FPMSCOPE_SAMPLE is only read from the pool's env[].
        if sample is not None:
            raise FpmscopeError("--sample needs --style pool: the probe reads it from the pool's env[FPMSCOPE_SAMPLE]")
        return (
            f"; fpmscope probe (php.ini): measures {what}, one line each\n"
            f"auto_prepend_file = {probe}\n"
            f"fpmscope.log = {log}\n"
        )
    lines = (
        f"; fpmscope probe (FPM pool): measures {what}, one line each\n"
        f"php_admin_value[auto_prepend_file] = {probe}\n"
        f"env[FPMSCOPE_LOG] = {log}\n"
        f"env[FPMSCOPE_POOL] = {pool}\n"
    )
    return lines + (f"env[FPMSCOPE_SAMPLE] = {sample:g}\n" if sample is not None else "")


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
@click.option(
    "--sample",
    type=click.FloatRange(0, 1, min_open=True),
    default=None,
    help="Measure this share of the workers (e.g. 0.25), every request of each; default all.",
)
def ini(log: str, pool: str, style: str, sample: float | None) -> None:
    """Print the configuration lines that enable the probe."""
    if not Path(log).is_absolute():
        # FPM workers run from the script's directory: a relative log could land in the docroot.
        raise FpmscopeError(f"--log must be an absolute path, not {log!r}")
    click.echo(enable_lines(log, pool, style, sample), nl=False)
