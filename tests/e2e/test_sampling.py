"""Worker sampling (env[FPMSCOPE_SAMPLE]) on the bundled shop: half the workers measured, every
request of each, and the planted leak is still found; the reports say they saw a sample."""

from __future__ import annotations

import json
import time
from pathlib import Path

from click.testing import CliRunner

from fpmscope.cli import main
from fpmscope.demo import app, stack, traffic
from fpmscope.live import proc
from fpmscope.probe import probe_path
from fpmscope.records import RECORD_FIELDS

FIELD = {name: i + 1 for i, (name, _) in enumerate(RECORD_FIELDS)}
WORKERS = 6
# Requests measured before analysing: about what the unsampled demo test measures.
MEASURED = 900
BATCH = 1200


def sampled(pid: int, share: float) -> bool:
    """The probe's choice (the test at the top of probe.php): a hash of the pid."""
    return pid % 10000 * 6181 % 10000 < share * 10000


def test_half_the_workers_still_find_the_thumbnail_leak(tmp_path: Path) -> None:
    docroot = app.install_app(tmp_path / "www")
    cfg = stack.StackConfig(
        docroot=docroot,
        workers=WORKERS,
        probe=probe_path(),
        admin_values={"ffi.enable": "1"},
        env={"FPMSCOPE_SAMPLE": "0.5"},
    )
    for attempt in range(5):
        with stack.running(cfg, tmp_path / f"servers{attempt}") as servers:
            workers = _workers(servers.fpm_master_pid())
            chosen = {pid for pid in workers if sampled(pid, 0.5)}
            if not 0 < len(chosen) < WORKERS:
                continue  # all or none picked (1 in 32): new workers, new pids
            served = 0
            # How many requests a sample measures depends on how many workers were picked:
            # serve until it has measured enough to judge (or give up).
            while served < 4 * BATCH and _lines(servers.probe_log) < MEASURED:
                paths = app.request_paths(BATCH, seed=11 + served)
                responses = traffic.drive(servers.url, paths, concurrency=WORKERS)
                assert {r.status for r in responses} == {200}
                served += BATCH
        break
    assert len(workers) == WORKERS
    lines = [line.split("\t") for line in servers.probe_log.read_text().splitlines()]
    assert {f[FIELD["flags"]] for f in lines} == {"s0.5"}
    # Exactly the workers the hash picked logged, each every request it served.
    assert {int(f[FIELD["pid"]]) for f in lines} == chosen
    assert len(lines) < served
    result = CliRunner().invoke(main, ["leaks", str(servers.probe_log), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["inputs"]["sampled_share"] == 0.5
    assert "GET /images/{id}/thumbnail" in [s["endpoint"] for s in data["suspects"]]
    table = CliRunner().invoke(main, ["leaks", str(servers.probe_log)])
    assert "sampled: the probe measured 50% of the workers" in table.stdout


def _lines(log: Path) -> int:
    return log.read_bytes().count(b"\n") if log.exists() else 0


def _workers(master: int) -> list[int]:
    """The pool's worker pids, once the master has forked them all."""
    deadline = time.monotonic() + 10
    while len(pids := proc.pool_pids(master=master)) < WORKERS and time.monotonic() < deadline:
        time.sleep(0.05)
    return pids
