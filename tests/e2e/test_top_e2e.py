"""`fpmscope top` against its own real php-fpm pool behind nginx: pids and memory match /proc,
and a worker that serves the leaking route grows."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from fpmscope.cli import main
from fpmscope.demo import app, stack, traffic
from fpmscope.live.sampler import Sampler
from fpmscope.probe import probe_path

KiB = 1024
PAGE = os.sysconf("SC_PAGE_SIZE")


@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[stack.Stack]:
    root = tmp_path_factory.mktemp("top")
    docroot = app.install_app(root / "www")
    cfg = stack.StackConfig(docroot=docroot, workers=3, probe=probe_path(), admin_values={"ffi.enable": "1"})
    with stack.running(cfg, root / "servers") as servers:
        traffic.drive(servers.url, app.request_paths(120, seed=5), concurrency=3)
        # Let Zend give back the chunks it cached after the big export requests (about half per
        # request). Otherwise the worker that serves the status request frees megabytes right
        # after the sample, and RSS read a moment later differs; growth would be negative.
        traffic.drive(servers.url, ["/products/1"] * 90, concurrency=3)
        yield servers


def children(master: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == master:
                found.add(int(entry.name))
    return found


def test_once_json_lists_every_worker_with_rss_matching_proc(pool: stack.Stack) -> None:
    url = f"{pool.url}/fpm-status?json&full"
    out = CliRunner().invoke(main, ["top", "--once", "--format", "json", "--status-url", url])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["schema_version"] == 3
    assert data["pool"]["pool"] == "demo" and data["pool"]["total_processes"] == 3
    workers = {w["pid"]: w for w in data["workers"]}
    assert set(workers) == children(pool.fpm_master_pid())
    for pid, w in workers.items():
        resident = int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
        assert abs(w["rss_bytes"] - resident) <= 0.05 * resident
        assert w["anon_bytes"] + w["shared_bytes"] == w["rss_bytes"]
        assert w["requests"] > 0
        assert w["state"] in {"Idle", "Running", "Finishing", "Reading headers"}


def test_proc_only_view_finds_the_same_workers_by_master_pid_and_pool_name(pool: stack.Stack) -> None:
    master = pool.fpm_master_pid()
    for args in (["--pid", str(master)], ["--pool", "demo"]):
        out = CliRunner().invoke(main, ["top", "--once", "--format", "json", *args])
        assert out.exit_code == 0, out.output
        pids = {w["pid"] for w in json.loads(out.stdout)["workers"]}
        # --pool may also see other tests' pools named demo; the master's children must be there.
        assert children(master) <= pids if args[0] == "--pool" else children(master) == pids


def test_worker_serving_the_leaking_route_shows_growth(pool: stack.Stack) -> None:
    sampler = Sampler(status_url=f"{pool.url}/fpm-status")
    before = sampler.sample()
    traffic.drive(pool.url, [f"/images/{n}/thumbnail" for n in range(60)], concurrency=2)
    after = sampler.sample()
    assert {w.pid for w in after.workers} == {w.pid for w in before.workers}
    total = sum(w.growth_bytes or 0 for w in after.workers)
    assert total >= 0.5 * 60 * 64 * KiB, after
    top = after.workers[0]
    assert top.growth_bytes is not None and top.growth_bytes > 0
    assert top.growth_bytes == max(w.growth_bytes or 0 for w in after.workers), "sorted by growth"
    assert top.growth_bytes_per_request is not None and top.growth_bytes_per_request > 8 * KiB, after
    assert len(top.rss_history) == 2


def test_table_once_shows_the_pool_line(pool: stack.Stack) -> None:
    out = CliRunner().invoke(main, ["top", "--once", "--status-url", f"{pool.url}/fpm-status"])
    assert out.exit_code == 0, out.output
    assert "pool demo (static): " in out.stdout and "listen queue" in out.stdout
    assert "max children reached" in out.stdout and "slow requests" in out.stdout


def test_unreachable_status_page_is_one_line_and_exit_2() -> None:
    out = CliRunner().invoke(main, ["top", "--once", "--status-url", "http://127.0.0.1:9/fpm-status"])
    assert out.exit_code == 2
    assert out.stderr.startswith("fpmscope: cannot read the status page")


def listen_address(servers: stack.Stack) -> str:
    for line in (servers.root / "php-fpm.conf").read_text().splitlines():
        if line.startswith("listen = "):
            return line.removeprefix("listen = ")
    raise AssertionError("no listen line")


def test_fastcgi_straight_to_the_pool_gives_the_same_workers(pool: stack.Stack) -> None:
    out = CliRunner().invoke(main, ["top", "--once", "--format", "json", "--fcgi", listen_address(pool)])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["pool"]["pool"] == "demo"
    assert {w["pid"] for w in data["workers"]} == children(pool.fpm_master_pid())
    assert data["source"].startswith("fastcgi 127.0.0.1:")


def test_fastcgi_with_a_wrong_status_path_says_so(pool: stack.Stack) -> None:
    args = ["top", "--once", "--fcgi", listen_address(pool), "--status-path", "/nope"]
    out = CliRunner().invoke(main, args)
    assert out.exit_code == 2
    assert "/nope" in out.stderr and "pm.status_path" in out.stderr
