"""The docs' two-shard cluster script (scripts/clickhouse-local-cluster.sh), started and stopped
for real; and the commands docs/fleet.md tells a newcomer to run are the script's."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

from fpmscope.fleet.local import free_port
from fpmscope.fleet.store import opened

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "clickhouse-local-cluster.sh"


def test_docs_commands_are_the_scripts() -> None:
    doc = (ROOT / "docs" / "fleet.md").read_text()
    commands = re.findall(r"^scripts/clickhouse-local-cluster\.sh (\w+)", doc, re.MULTILINE)
    assert commands[:2] == ["start", "demo"]
    usage = SCRIPT.read_text()
    assert all(f"\n{c})" in usage for c in commands)
    assert "(docs/fleet.md)" in (ROOT / "README.md").read_text()


def _two_free_ports() -> int:
    """A port P with P and P + 1 free (the script's shards), below Linux's ephemeral range
    (32768 on): there, free_port() (the servers' HTTP ports) cannot hand out P + 1 meanwhile."""
    for port in range(20000 + os.getpid() % 4000 * 2, 32000, 2):
        try:
            for p in (port, port + 1):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", p))
        except OSError:
            continue
        return port
    return free_port()


def test_script_starts_two_shards_with_the_tables_and_stops_them(tmp_path: Path) -> None:
    port = _two_free_ports()
    env = {**os.environ, "PORT": str(port), "PYTHON": sys.executable}
    root = tmp_path / "cluster"
    started = subprocess.run([str(SCRIPT), "start", str(root)], env=env, capture_output=True, text=True, check=False)
    try:
        assert started.returncode == 0, started.stderr
        url = started.stdout.strip()
        assert url == f"clickhouse://127.0.0.1:{port}/default"
        with opened(url) as store:
            shards = store.rows(
                "SELECT shard_num, port FROM system.clusters WHERE cluster = 'fpmscope' ORDER BY shard_num"
            )
            tables = store.rows("SELECT name, engine FROM system.tables WHERE name LIKE 'fpmscope%' ORDER BY name")
        assert [r["shard_num"] for r in shards] == [1, 2]
        assert {r["name"]: r["engine"] for r in tables}["fpmscope_records"] == "Distributed"
    finally:
        stopped = subprocess.run([str(SCRIPT), "stop", str(root)], env=env, capture_output=True, text=True, check=False)
    assert stopped.returncode == 0 and "stopped 2 server(s)" in stopped.stderr
