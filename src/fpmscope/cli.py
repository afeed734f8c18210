"""The `fpmscope` console script: a click group of thin commands.

Every FpmscopeError becomes one line on stderr and its exit code (2 for usage or input, 1
for a failed check); so do click's usage errors and, as a last resort, DuckDB's errors on
input it cannot take. No traceback reaches the user.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click
import duckdb

from fpmscope import __version__
from fpmscope.errors import FpmscopeError

# Each command's module is imported only when that command runs (or --help lists them all):
# importing every command, with jinja2, rich and the live views, took 0.18 s of each run.
COMMANDS = {
    "advise": "fpmscope.commands.advise",
    "check": "fpmscope.commands.check",
    "clickhouse": "fpmscope.commands.clickhouse",
    "demo": "fpmscope.commands.demo",
    "diff": "fpmscope.commands.diff",
    "dump": "fpmscope.commands.leaks",
    "install": "fpmscope.commands.install",
    "leaks": "fpmscope.commands.leaks",
    "load": "fpmscope.commands.load",
    "probe": "fpmscope.commands.probe",
    "report": "fpmscope.commands.report",
    "ship": "fpmscope.commands.ship",
    "slow": "fpmscope.commands.slow",
    "top": "fpmscope.commands.top",
    "uninstall": "fpmscope.commands.install",
    "workers": "fpmscope.commands.workers",
}


INTERRUPTED_QUERY = "Query interrupted"


class Main(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMANDS.get(cmd_name)
        if module is None:
            return None
        command = getattr(importlib.import_module(module), cmd_name)
        assert isinstance(command, click.Command)
        return command

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
        except KeyboardInterrupt:
            # Ctrl-C: an ingest into --db is rolled back; say so in one line, exit like a shell.
            click.echo("fpmscope: interrupted", err=True)
            sys.exit(130)
        except RuntimeError as exc:
            # Ctrl-C inside a DuckDB query: DuckDB takes the signal and raises this instead.
            if str(exc) != INTERRUPTED_QUERY:
                raise
            click.echo("fpmscope: interrupted", err=True)
            sys.exit(130)


@click.group(cls=Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="fpmscope")
def main() -> None:
    """Find the PHP endpoints that make PHP-FPM workers leak memory, and the slow ones."""
