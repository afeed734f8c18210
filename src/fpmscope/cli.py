"""The `fpmscope` console script: a click group of thin commands.

Every FpmscopeError becomes one line on stderr and its exit code (2 for usage or input, 1
for a failed check); so do click's usage errors and, as a last resort, DuckDB's errors on
input it cannot take. No traceback reaches the user.
"""

from __future__ import annotations

import sys
from typing import Any

import click
import duckdb

from fpmscope import __version__
from fpmscope.commands.advise import advise
from fpmscope.commands.check import check
from fpmscope.commands.demo import demo
from fpmscope.commands.install import install, uninstall
from fpmscope.commands.leaks import dump, leaks
from fpmscope.commands.probe import probe
from fpmscope.commands.report import report
from fpmscope.commands.slow import slow
from fpmscope.commands.top import top
from fpmscope.commands.workers import workers
from fpmscope.errors import FpmscopeError


class Main(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except FpmscopeError as exc:
            click.echo(f"fpmscope: {exc}", err=True)
            sys.exit(exc.exit_code)
        except click.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx is not None else "fpmscope"
            click.echo(f"{where}: {exc.format_message()} (see --help)", err=True)
            sys.exit(2)
        except duckdb.Error as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            click.echo(f"fpmscope: the input could not be processed: {first}", err=True)
            sys.exit(2)
        except BrokenPipeError:
            sys.stderr.close()
            sys.exit(0)


@click.group(cls=Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="fpmscope")
def main() -> None:
    """Find the PHP endpoints that make PHP-FPM workers leak memory, and the slow ones."""


for command in (probe, leaks, dump, demo, workers, advise, top, report, install, uninstall, check, slow):
    main.add_command(command)
