"""`fpmscope top`: a live view of a pool's workers, from its status page and /proc."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import select
import shutil
import sys
import termios
import time
import tty
import urllib.parse
from collections.abc import Callable
from functools import partial
from pathlib import Path

import click
from rich.console import RenderableType
from rich.live import Live

from fpmscope.commands.common import tz_option, zone
from fpmscope.errors import FpmscopeError
from fpmscope.live import controls, fastcgi, recent, status, view
from fpmscope.live.sampler import Sampler
from fpmscope.model import SCHEMA_VERSION
from fpmscope.render import json as json_render


def _fastcgi_status(address: str, path: str, _label: str) -> str:
    return fastcgi.get(address, path, "json&full")


@click.command()
@click.option(
    "--status-url", metavar="URL", help="The pool's pm.status_path over HTTP, e.g. http://127.0.0.1/fpm-status."
)
@click.option(
    "--fcgi", metavar="ADDRESS", help="Ask the pool itself over FastCGI: its listen HOST:PORT or socket path."
)
@click.option("--status-path", default="/fpm-status", show_default=True, help="The pool's pm.status_path, with --fcgi.")
@click.option("--pid", "master", type=int, metavar="PID", help="The php-fpm master pid: watch its children via /proc.")
@click.option("--pool", metavar="NAME", help="Watch processes titled 'php-fpm: pool NAME' via /proc.")
@click.option(
    "--interval", type=click.FloatRange(min=0.2), default=2.0, show_default=True, help="Seconds between samples."
)
@click.option(
    "--history", type=click.IntRange(min=2), default=60, show_default=True, help="RSS samples kept per worker."
)
@click.option("--once", is_flag=True, help="Print one snapshot and exit.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@tz_option
@click.option(
    "--probe-log",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The pool's probe log: show each worker's last request URI where the status page only knows the script.",
)
@click.option("--proc-root", type=click.Path(file_okay=False, path_type=Path), default=Path("/proc"), hidden=True)
def top(  # noqa: PLR0917 - one parameter per click option
    status_url: str | None,
    fcgi: str | None,
    status_path: str,
    master: int | None,
    pool: str | None,
    interval: float,
    history: int,
    once: bool,
    fmt: str,
    tz: str | None,
    probe_log: Path | None,
    proc_root: Path,
) -> None:
    """Watch a PHP-FPM pool's workers live: memory from /proc, growth, requests, the current URI.

    Sources: the pool's status page (needs pm.status_path) for states, request counts and
    URIs, over HTTP (--status-url) or straight from the pool over FastCGI (--fcgi), and /proc
    for memory; without a status page, --pid or --pool find the workers in /proc. Rows are
    sorted by growth since first seen, so the swelling worker is on top. Keys: q quit, s sort,
    r reverse, / filter, p pause, h help. --once prints one snapshot (--format json for
    scripts and monitoring) and exits 1 when no worker is found.
    """
    zone_ = zone(tz)
    fetch: Callable[[str], str] = status.fetch
    if fcgi is not None:
        if status_url is not None:
            raise FpmscopeError("give --status-url or --fcgi, not both")
        status_url = f"fastcgi {fcgi} {status_path}?json&full"
        fetch = partial(_fastcgi_status, fcgi, status_path)
    sampler = Sampler(
        status_url=status_url, fetch=fetch, master=master, pool=pool, history=history, proc_root=proc_root
    )
    if fmt == "json" and not once:
        raise FpmscopeError("--format json needs --once")
    if once:
        snap = sampler.sample()
        uris = recent.last_requests(probe_log) if probe_log is not None else None
        snap = controls.apply(controls.Controls(status_path=_path_of(status_url) or status_path, probe_uris=uris), snap)
        if fmt == "json":
            click.echo(json_render.document({"schema_version": SCHEMA_VERSION, **json_render.plain(snap)}), nl=False)
        else:
            tty = sys.stdout.isatty()
            width = max(40, _width())
            click.echo(view.to_text(snap, width=width, color=tty, tz=zone_), nl=False)
        if not snap.workers:
            # A monitor must not read an empty pool as healthy.
            raise FpmscopeError("no PHP-FPM workers found", exit_code=1)
        return
    if sys.stdin.isatty():
        own = status_path if fcgi is not None else _path_of(status_url)
        _interactive(sampler, interval, own, zone_, probe_log)
        return
    try:
        with Live(view.render(sampler.sample(), _width(), tz=zone_), auto_refresh=False, screen=False) as live:
            while True:
                time.sleep(interval)
                try:
                    live.update(view.render(sampler.sample(), _width(), tz=zone_), refresh=True)
                except FpmscopeError as exc:
                    # Keep watching through a restart of php-fpm or nginx; say what failed.
                    live.console.print(f"fpmscope: {exc}", markup=False, highlight=False)
    except KeyboardInterrupt:
        return


def _width() -> int:
    return shutil.get_terminal_size((120, 24)).columns


def _path_of(url: str | None) -> str | None:
    return urllib.parse.urlsplit(url).path or None if url is not None and "://" in url else None


def _interactive(
    sampler: Sampler, interval: float, status_path: str | None, tz: dt.tzinfo, probe_log: Path | None
) -> None:
    """The live loop with keys (see live/controls.py): stdin in cbreak mode, read between
    samples, the terminal restored on the way out."""
    state = controls.Controls(status_path=status_path)
    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)
    snap = sampler.sample()
    error = ""

    def frame() -> RenderableType:
        uris = recent.last_requests(probe_log) if probe_log is not None else None
        shown = controls.apply(dataclasses.replace(state, probe_uris=uris), snap)
        footer = controls.footer(state, len(shown.workers), len(snap.workers))
        return view.render(shown, _width(), footer + (f" · {error}" if error else ""), tz)

    try:
        tty.setcbreak(fd)
        with Live(frame(), auto_refresh=False, screen=True) as live:
            next_sample = time.monotonic() + interval
            while not state.quit:
                ready, _, _ = select.select([fd], [], [], max(0.0, next_sample - time.monotonic()))
                if ready:
                    for key in os.read(fd, 32).decode(errors="replace"):
                        state = controls.press(state, key)
                elif not state.paused:
                    try:
                        snap, error = sampler.sample(), ""
                    except FpmscopeError as exc:
                        error = f"fpmscope: {exc}"  # keep watching through a restart
                if time.monotonic() >= next_sample:
                    next_sample = time.monotonic() + interval
                live.update(frame(), refresh=True)
    except KeyboardInterrupt:
        return
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)
