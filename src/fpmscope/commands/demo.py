"""`fpmscope demo`: the bundled shop with planted faults, on a real loopback nginx + php-fpm."""

from __future__ import annotations

import tempfile
import threading
import time
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from fpmscope.analysis.requests import LeakOptions
from fpmscope.analysis.slow import SlowOptions
from fpmscope.commands.common import pick_format, render_options
from fpmscope.demo import app, stack, traffic
from fpmscope.errors import FpmscopeError
from fpmscope.pipeline import demo_reports
from fpmscope.probe import probe_path
from fpmscope.render import RenderOptions, formats, renderer

FAULTS = """The bundled shop has planted faults:
  GET /images/{id}/thumbnail  leaks 64 KiB of native memory per call (malloc via FFI)
  GET /orders/{id}/invoice    leaks 16 KiB of native memory per call
  GET /reports/export         builds and frees ~30 MB of PHP strings (big, but not a leak)
  GET /search                 is slow (waits 300 ms on a backend)
  GET /catalog/{id}           includes 120 files (opcache warm-up)"""

# Faults `--fix` can switch off (the app reads them from DEMO_FIXED), e.g. to try `fpmscope diff`.
FIXABLE = ("thumbnail", "invoice", "search")
# Requests per second sent while `--serve` keeps the stack up, so `top` has something to show.
SERVE_RATE = 20


def next_steps(root: Path, url: str | None, findings: tuple[str, str]) -> str:
    probe, access = root / "servers" / "probe.log", root / "servers" / "access.log"
    lines = [
        "Found:",
        f"  memory: {findings[0]}",
        f"  time:   {findings[1]}",
        f"Wrote {root / 'report.html'} (open it in a browser).",
        "Next, on the kept logs:",
        f"  fpmscope leaks {probe}",
        f"  fpmscope slow {access}",
        f"  fpmscope workers {probe}",
        f"  fpmscope advise {probe} --memory 2G",
        f"  fpmscope leaks {probe} --fail-on 8KiB   (exit 1 if a leak keeps more: a CI gate)",
        f"  fpmscope diff {probe} DIR/servers/probe.log   (after: fpmscope demo --fix thumbnail --keep DIR)",
    ]
    if url is not None:
        lines.append(f"  fpmscope top --status-url {url}/fpm-status   (while this demo serves; Ctrl-C stops it)")
    return "\n".join(lines)


def _trickle(url: str, stop: threading.Event) -> None:
    """Keep sending the demo's traffic mix, SERVE_RATE a second, until `stop` is set."""
    seed = 2
    while not stop.is_set():
        for path in app.request_paths(SERVE_RATE, seed=seed):
            if stop.wait(1 / SERVE_RATE):
                return
            try:
                traffic.drive(url, [path], concurrency=1)
            except OSError:
                continue  # the stack is stopping
        seed += 1


@click.command()
@click.option("--requests", "count", type=click.IntRange(min=50), default=3000, show_default=True)
@click.option("--workers", type=click.IntRange(min=1, max=32), default=4, show_default=True)
@click.option("--concurrency", type=click.IntRange(min=1, max=64), default=8, show_default=True)
@click.option(
    "--keep",
    type=click.Path(file_okay=False, path_type=Path),
    help="Put the app, logs and report in this directory (default: a new temporary one).",
)
@click.option(
    "--fix", "fixed", multiple=True, type=click.Choice(FIXABLE), help="Switch a planted fault off (repeatable)."
)
@click.option("--serve", is_flag=True, help="Keep nginx and php-fpm running (with light traffic) until Ctrl-C.")
@click.option("--format", "fmt", type=click.Choice(formats("leaks")), default=None)
def demo(  # noqa: PLR0917 - one parameter per click option
    count: int, workers: int, concurrency: int, keep: Path | None, fixed: tuple[str, ...], serve: bool, fmt: str | None
) -> None:
    """Run the bundled app with planted faults and show what fpmscope finds.

    Starts php-fpm (with the probe and FFI enabled) and nginx on 127.0.0.1, sends mixed
    traffic, and prints the leak suspects and the slow endpoints. The logs and an HTML report
    stay in the demo's directory, with the commands to try next. --serve keeps the servers
    up for `fpmscope top` until Ctrl-C.
    """
    missing = stack.missing_servers()
    if missing:
        raise FpmscopeError(
            f"the demo needs {' and '.join(missing)}, which is not installed; "
            f"on Debian or Ubuntu: sudo apt-get install {' '.join(missing)}"
        )
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    root = keep or Path(tempfile.mkdtemp(prefix="fpmscope-demo-"))
    docroot = app.install_app(root / "www")
    env = {"DEMO_FIXED": ",".join(fixed)} if fixed else {}
    cfg = stack.StackConfig(
        docroot=docroot, workers=workers, probe=probe_path(), admin_values={"ffi.enable": "1"}, env=env
    )
    err.print(FAULTS, markup=False)
    if fixed:
        err.print(f"Fixed for this run: {', '.join(fixed)}", markup=False)
    with stack.running(cfg, root / "servers") as servers:
        err.print(f"php-fpm ({workers} workers) and nginx listening at {servers.url}", markup=False)
        columns = (TextColumn("sending requests"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=err, transient=False, disable=not err.is_terminal) as progress:
            task = progress.add_task("requests", total=count)
            responses = traffic.drive(
                servers.url, app.request_paths(count), concurrency=concurrency, on_done=lambda: progress.advance(task)
            )
        failed = sum(1 for r in responses if r.status >= 500)
        if failed:
            err.print(f"[yellow]{failed} requests failed; see {root / 'servers'}[/]")
        findings = _show_findings(root, servers, fmt)
        err.print(next_steps(root, servers.url if serve else None, findings), markup=False)
        if serve:
            _serve(servers.url, err)


def _show_findings(root: Path, servers: stack.Stack, fmt: str | None) -> tuple[str, str]:
    """Print the leak and slow reports, write report.html; the two headlines."""
    full, slow = demo_reports(
        servers.probe_log, servers.access_log, LeakOptions(), SlowOptions(top=5, slowest=0, rules=LeakOptions().rules)
    )
    (root / "report.html").write_text(renderer("full", "html")(full, RenderOptions()), encoding="utf-8")
    out_fmt = pick_format(fmt, None)
    click.echo(renderer("leaks", out_fmt)(full.leaks, render_options()), nl=False)
    if out_fmt == "table":
        click.echo()
        click.echo(renderer("slow", "table")(slow, render_options()), nl=False)
    return full.leaks.verdict, slow.headline


def _serve(url: str, err: Console) -> None:
    err.print(f"Serving at {url} with {SERVE_RATE} requests/s until Ctrl-C.", markup=False)
    stop = threading.Event()
    sender = threading.Thread(target=_trickle, args=(url, stop), daemon=True)
    sender.start()
    try:
        while sender.is_alive():
            time.sleep(0.5)
    except KeyboardInterrupt:
        err.print("Stopping nginx and php-fpm.")
    finally:
        stop.set()
        sender.join(timeout=5)
