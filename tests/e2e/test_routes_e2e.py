"""An app routed only by `?action=`, on a real php-fpm behind a real nginx, with the pool lines
`fpmscope probe ini` writes and nothing else: the leaking action is named, the query string
beyond the routing parameters never reaches the probe log."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from fpmscope.cli import main
from fpmscope.demo import stack, traffic
from fpmscope.probe import probe_path

KiB = 1024
LEAK = 32 * KiB
SECRET = "hunter2-do-not-log"

ROUTER = r"""<?php
// Everything goes through this file; `action` says what runs.
$action = isset($_GET['action']) ? $_GET['action'] : 'home';
header('Content-Type: text/plain');
switch ($action) {
    case 'export':
        // A native library that forgets to free 32 KiB on every call (FFI stands in for it).
        $libc = FFI::cdef('void *malloc(size_t size); void *memset(void *s, int c, size_t n);', 'libc.so.6');
        $buf = $libc->malloc(32 * 1024);
        $libc->memset($buf, 1, 32 * 1024);
        echo "exported\n";
        break;
    case 'search':
        $rows = [];
        for ($i = 0; $i < 2000; $i++) { $rows[] = str_repeat('x', 100); }
        echo count($rows), "\n";
        break;
    case 'view':
        echo "item ", isset($_GET['id']) ? (int) $_GET['id'] : 0, "\n";
        break;
    default:
        echo "home\n";
}
"""


@dataclass(frozen=True)
class RouterRun:
    probe_log: Path
    access_log: Path
    responses: list[traffic.Response]


def request_paths(n: int, seed: int) -> list[str]:
    rnd = random.Random(seed)
    paths = []
    for _ in range(n):
        action = rnd.choices(["export", "search", "view", "home"], weights=[20, 30, 35, 15])[0]
        if action == "home":
            paths.append(f"/index.php?token={SECRET}")
        elif action == "view":
            paths.append(f"/index.php?action=view&id={rnd.randrange(10**6)}&sid={SECRET}")
        else:
            paths.append(f"/index.php?q=a%20b&action={action}&password={SECRET}")
    return paths


@pytest.fixture(scope="module")
def router_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RouterRun]:
    root = tmp_path_factory.mktemp("router")
    docroot = root / "www"
    docroot.mkdir()
    (docroot / "index.php").write_text(ROUTER)
    cfg = stack.StackConfig(docroot=docroot, workers=3, probe=probe_path(), admin_values={"ffi.enable": "1"})
    with stack.running(cfg, root / "servers") as servers:
        responses = traffic.drive(servers.url, request_paths(1500, seed=12), concurrency=6)
    yield RouterRun(servers.probe_log, servers.access_log, responses)


def test_no_query_value_beyond_the_routing_parameters_reaches_the_probe_log(router_run: RouterRun) -> None:
    assert {r.status for r in router_run.responses} == {200}
    log = router_run.probe_log.read_text()
    assert log.count("\n") == 1500
    assert SECRET not in log
    assert "token=" not in log and "password=" not in log and "id=" not in log
    assert "/index.php?action=export\t" in log


def test_leaks_names_the_leaking_action(router_run: RouterRun) -> None:
    result = CliRunner().invoke(main, ["leaks", str(router_run.probe_log), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [s["endpoint"] for s in data["suspects"]] == ["GET /index.php?action=export"]
    (export,) = data["suspects"]
    assert abs(export["retained_bytes_per_request"] - LEAK) <= 0.25 * LEAK
    names = {e["endpoint"] for e in data["endpoints"]}
    assert names == {f"GET /index.php?action={a}" for a in ("export", "search", "view")} | {"GET /index.php"}


def test_slow_names_the_same_endpoints_from_the_access_log(router_run: RouterRun) -> None:
    result = CliRunner().invoke(main, ["slow", str(router_run.access_log), "--format", "json"])
    assert result.exit_code == 0, result.output
    names = {e["endpoint"] for e in json.loads(result.stdout)["endpoints"]}
    assert names == {f"GET /index.php?action={a}" for a in ("export", "search", "view")} | {"GET /index.php"}
