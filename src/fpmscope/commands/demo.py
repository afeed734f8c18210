"""`fpmscope demo`: the bundled shop with planted faults, on a real loopback nginx + php-fpm."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from fpmscope import ingest
from fpmscope.analysis import leaks
from fpmscope.analysis.requests import LeakOptions, prepare
from fpmscope.commands.common import pick_format, render_options
from fpmscope.demo import app, stack, traffic
from fpmscope.errors import FpmscopeError
from fpmscope.probe import probe_path
from fpmscope.render import formats, renderer

FAULTS = """The bundled shop has planted faults:
  GET /images/{id}/thumbnail  leaks 64 KiB of native memory per call (malloc via FFI)
  GET /orders/{id}/invoice    leaks 16 KiB of native memory per call
  GET /reports/export         builds and frees ~30 MB of PHP strings (big, but not a leak)
  GET /search                 is slow (waits 300 ms on a backend)
  GET /catalog/{id}           includes 120 files (opcache warm-up)"""


@click.command()
@click.option("--requests", "count", type=click.IntRange(min=50), default=3000, show_default=True)
@click.option("--workers", type=click.IntRange(min=1, max=32), default=4, show_default=True)
@click.option("--concurrency", type=click.IntRange(min=1, max=64), default=8, show_default=True)
@click.option(
    "--keep", type=click.Path(file_okay=False, path_type=Path), help="Keep the app and logs in this directory."
)
@click.option("--format", "fmt", type=click.Choice(formats("leaks")), default=None)
def demo(count: int, workers: int, concurrency: int, keep: Path | None, fmt: str | None) -> None:
    """Run the bundled app with planted faults and show what fpmscope finds.

    Starts php-fpm (with the probe and FFI enabled) and nginx on 127.0.0.1 in a temporary
    directory, sends mixed traffic, stops them and prints the leak report.
    """
    missing = stack.missing_servers()
    if missing:
        raise FpmscopeError(
            f"the demo needs {' and '.join(missing)}, which is not installed; "
            f"on Debian or Ubuntu: sudo apt-get install {' '.join(missing)}"
        )
    err = Console(stderr=True)
    root = keep or Path(tempfile.mkdtemp(prefix="fpmscope-demo-"))
    try:
        docroot = app.install_app(root / "www")
        cfg = stack.StackConfig(docroot=docroot, workers=workers, probe=probe_path(), admin_values={"ffi.enable": "1"})
        err.print(FAULTS)
        with stack.running(cfg, root / "servers") as servers:
            err.print(f"php-fpm ({workers} workers) and nginx listening at {servers.url}")
            columns = (TextColumn("sending requests"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
            with Progress(*columns, console=err, transient=False) as progress:
                task = progress.add_task("requests", total=count)
                responses = traffic.drive(
                    servers.url,
                    app.request_paths(count),
                    concurrency=concurrency,
                    on_done=lambda: progress.advance(task),
                )
        failed = sum(1 for r in responses if r.status >= 500)
        if failed:
            err.print(f"[yellow]{failed} requests failed; see {root / 'servers'}[/]")
        con = ingest.connect(None)
        result = ingest.ingest(con, [str(servers.probe_log)])
        report = leaks.analyze(prepare(con, result, LeakOptions()))
        click.echo(renderer("leaks", pick_format(fmt, None))(report, render_options()), nl=False)
        if keep:
            err.print(f"Logs kept in {root / 'servers'}: probe.log, access.log")
    finally:
        if keep is None:
            shutil.rmtree(root, ignore_errors=True)
