"""Loopback ClickHouse servers for tests and for trying fleets out: one server, or a cluster of
shards, each a `clickhouse-server` process with its own config, data directory and free ports.

Debian's clickhouse-server package (18.16) installs a service that does not run without
systemd; these servers need none of it, only the binary. `python -m fpmscope.fleet.local
start DIR --shards 2` starts a cluster in DIR and prints its URL; `stop DIR` ends it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

SERVER_BINARY = "clickhouse-server"
USERS_CONFIG = "/etc/clickhouse-server/users.xml"
CLUSTER = "fpmscope"
START_TIMEOUT = 60.0
# Servers this process started, by pid: stopped through their Popen, which reaps them.
_children: dict[int, subprocess.Popen[bytes]] = {}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass(frozen=True)
class Server:
    """One running clickhouse-server on 127.0.0.1."""

    root: Path
    tcp_port: int
    http_port: int
    pid: int

    @property
    def url(self) -> str:
        return f"clickhouse://127.0.0.1:{self.tcp_port}/default"

    @property
    def log(self) -> Path:
        return self.root / "server.log"


def _config(root: Path, tcp: int, http: int, shards: Sequence[int]) -> str:
    cluster = ""
    if shards:
        replicas = "".join(f"<shard><replica><host>127.0.0.1</host><port>{p}</port></replica></shard>" for p in shards)
        cluster = f"<remote_servers><{CLUSTER}>{replicas}</{CLUSTER}></remote_servers>"
    path = escape(str(root))
    return f"""<?xml version="1.0"?>
<yandex>
    <logger><level>warning</level><log>{path}/server.log</log><errorlog>{path}/server.err.log</errorlog>
        <size>10M</size><count>1</count></logger>
    <listen_host>127.0.0.1</listen_host>
    <tcp_port>{tcp}</tcp_port>
    <http_port>{http}</http_port>
    <path>{path}/data/</path>
    <tmp_path>{path}/tmp/</tmp_path>
    <user_files_path>{path}/user_files/</user_files_path>
    <format_schema_path>{path}/format_schemas/</format_schema_path>
    <users_config>{USERS_CONFIG}</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <mark_cache_size>268435456</mark_cache_size>
    <max_concurrent_queries>50</max_concurrent_queries>
    {cluster}
</yandex>
"""


def _ready(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
        return True
    return False


def start(root: Path, *, shard_ports: Sequence[int] = (), tcp_port: int | None = None) -> Server:
    """Start a server whose data lives in `root` (kept across restarts: a restart with the same
    root and port finds its tables). `shard_ports` names the tcp ports of the cluster's shards."""
    binary = shutil.which(SERVER_BINARY) or f"/usr/sbin/{SERVER_BINARY}"
    if not Path(binary).exists():
        raise RuntimeError(f"{SERVER_BINARY} is not installed (scripts/setup.sh installs it)")
    root.mkdir(parents=True, exist_ok=True)
    tcp = tcp_port or free_port()
    http = free_port()
    config = root / "config.xml"
    config.write_text(_config(root, tcp, http, shard_ports), encoding="utf-8")
    with (root / "stdout.log").open("ab") as out:
        proc = subprocess.Popen(
            [binary, f"--config-file={config}"], stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    _children[proc.pid] = proc
    deadline = time.monotonic() + START_TIMEOUT
    while not _ready(tcp):
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_pid(proc.pid)
            tail = (root / "stdout.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"clickhouse-server in {root} did not start: {tail}")
        time.sleep(0.05)
    server = Server(root, tcp, http, proc.pid)
    (root / "server.json").write_text(json.dumps({"tcp_port": tcp, "http_port": http, "pid": proc.pid}))
    return server


def stop_pid(pid: int, timeout: float = START_TIMEOUT) -> None:
    """SIGTERM, then SIGKILL if it lingers; returns when the process is gone."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    child = _children.pop(pid, None)
    if child is not None:
        try:
            child.wait(timeout)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        return
    deadline = time.monotonic() + timeout  # started by another process: poll until it is gone
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def stop(server: Server) -> None:
    stop_pid(server.pid)


def start_cluster(root: Path, shards: int = 2) -> list[Server]:
    """`shards` servers, each one shard of the cluster `fpmscope` that every one of them knows."""
    ports = [free_port() for _ in range(shards)]
    started: list[Server] = []
    try:
        for i, port in enumerate(ports):
            started.append(start(root / f"shard{i + 1}", shard_ports=ports, tcp_port=port))
    except BaseException:
        for server in started:
            stop(server)
        raise
    return started


@contextlib.contextmanager
def running_cluster(root: Path, shards: int = 2) -> Iterator[list[Server]]:
    servers = start_cluster(root, shards)
    try:
        yield servers
    finally:
        for server in servers:
            stop(server)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fpmscope.fleet.local", description=__doc__)
    sub = parser.add_subparsers(dest="action", required=True)
    up = sub.add_parser("start", help="start a loopback cluster in DIR and print its URL")
    up.add_argument("dir", type=Path)
    up.add_argument("--shards", type=int, default=2)
    down = sub.add_parser("stop", help="stop the cluster started in DIR")
    down.add_argument("dir", type=Path)
    args = parser.parse_args(argv)
    if args.action == "start":
        servers = start_cluster(args.dir.resolve(), args.shards)
        for server in servers:
            print(f"shard {server.root.name}: {server.url} (pid {server.pid})", file=sys.stderr)
        print(servers[0].url)
        return 0
    stopped = 0
    for info in sorted(args.dir.glob("shard*/server.json")):
        stop_pid(int(json.loads(info.read_text())["pid"]))
        stopped += 1
    print(f"stopped {stopped} server(s) in {args.dir}", file=sys.stderr)
    return 0 if stopped else 1


if __name__ == "__main__":
    raise SystemExit(main())
