"""`fpmscope ship`: follow live logs into ClickHouse (see fleet/ship.py and docs/fleet.md)."""

from __future__ import annotations

import signal
import socket
import sys
import threading
from pathlib import Path
from types import FrameType

import click

from fpmscope.commands.common import clickhouse_target_option, log_format_options, size_option
from fpmscope.fleet.ship import ShipOptions, Shipper
from fpmscope.fleet.store import parse_url
from fpmscope.pipeline import pick_log_format


@click.command()
@click.argument("logs", nargs=-1, required=True, metavar="LOG...", type=click.Path(dir_okay=False, path_type=Path))
@clickhouse_target_option
@click.option(
    "--checkpoint",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Where the shipped positions are kept, e.g. /var/lib/fpmscope/ship.json.",
)
@click.option(
    "--host", default=None, metavar="NAME", help="This machine's name in the access-log rows (default: its hostname)."
)
@log_format_options
@click.option("--batch-size", default="1MiB", show_default=True, help="Send when this much was read.")
@click.option(
    "--batch-seconds", type=click.FloatRange(min=0.05), default=2.0, show_default=True, help="Send at least this often."
)
@click.option("--max-buffer", default="8MiB", show_default=True, help="Read no more while this much waits to be sent.")
@click.option(
    "--max-backoff",
    type=click.FloatRange(min=0.1),
    default=30.0,
    show_default=True,
    help="Longest wait between retries, seconds.",
)
@click.option(
    "--stop-timeout",
    type=click.FloatRange(min=0),
    default=10.0,
    show_default=True,
    help="After SIGTERM, how long to keep trying to send what was read, seconds.",
)
def ship(  # noqa: PLR0917 - one parameter per click option
    logs: tuple[Path, ...],
    url: str,
    checkpoint: Path,
    host: str | None,
    log_format: str | None,
    nginx_conf: Path | None,
    format_name: str | None,
    batch_size: str,
    batch_seconds: float,
    max_buffer: str,
    max_backoff: float,
    stop_timeout: float,
) -> None:
    """Follow probe logs and access logs and ship their lines to ClickHouse, each request once.

    Follows logrotate's rename and copytruncate; inserts in batches; the checkpoint advances
    only after ClickHouse acknowledged a batch; retries with backoff while the server is
    down; SIGTERM sends what was read and exits. Runs until stopped (see docs/fleet.md for a
    systemd unit).
    """
    parse_url(url)  # a bad URL is an error now, not a retry loop
    options = ShipOptions(
        url=url,
        logs=logs,
        checkpoint=checkpoint,
        host=host or socket.gethostname(),
        fmt=pick_log_format(log_format, nginx_conf, format_name),
        batch_bytes=size_option(batch_size, "--batch-size"),
        batch_seconds=batch_seconds,
        max_buffer=size_option(max_buffer, "--max-buffer"),
        max_backoff=max_backoff,
        stop_timeout=stop_timeout,
    )
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    shipper = Shipper(options, stop, say=lambda text: click.echo(f"fpmscope ship: {text}", err=True))
    code = shipper.run()
    s = shipper.stats
    click.echo(
        f"fpmscope ship: sent {s.records:,} probe records and {s.requests:,} requests in {s.batches:,} batches"
        f" ({s.retries} retries, {s.skipped} lines skipped)",
        err=True,
    )
    sys.exit(code)
