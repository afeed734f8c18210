"""A pid reused by a new php-fpm worker is a new worker in the analysis.

The kernel hands out pids in order, so reuse comes after `pid_max` forks (32768 on many
systems). The test makes it happen at once: it sets the pool's one worker as the last pid given
out (/proc/sys/kernel/ns_last_pid, root only), kills the worker, and php-fpm's replacement is
forked with the same pid. The real probe's records must then split into two workers: the new
process starts with less CPU time than the old one had used.
"""

from __future__ import annotations

import json
import os
import signal
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from fpmscope import ingest
from fpmscope.cli import main
from fpmscope.demo import stack
from fpmscope.live import proc
from fpmscope.probe import probe_path

LAST_PID = Path("/proc/sys/kernel/ns_last_pid")
REQUESTS = 30


def next_worker(master: int, after: int) -> int:
    """The pool's one worker once it started after `after` (clock ticks since boot)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        # A killed worker is gone from the pool's titles at once; its replacement may lag.
        pids = proc.pool_pids(master=master)
        if len(pids) == 1 and (proc.start_time(pids[0]) or -1) > after:
            return pids[0]
        time.sleep(0.02)
    raise AssertionError("php-fpm did not start a new worker")


def serve(url: str, n: int) -> None:
    for i in range(n):
        with urllib.request.urlopen(f"{url}/page.php?i={i}", timeout=10) as resp:
            resp.read()


@pytest.mark.skipif(
    os.geteuid() != 0 or not os.access(LAST_PID, os.W_OK),
    reason="setting the next pid needs root in the host's pid namespace",
)
def test_a_reused_pid_is_two_workers(tmp_path: Path) -> None:
    www = tmp_path / "www"
    www.mkdir()
    (www / "page.php").write_text('<?php\n$a = range(1, 20000);\necho count($a), "\\n";\n')
    cfg = stack.StackConfig(docroot=www, workers=1, probe=probe_path(), pool="reuse")
    with stack.running(cfg, tmp_path / "stack") as s:
        master = s.fpm_master_pid()
        old = next_worker(master, -1)
        serve(s.url, REQUESTS)
        for _ in range(20):  # another fork on the machine may take the pid first: try again
            (current,) = proc.pool_pids(master=master)
            started = proc.start_time(current) or -1
            time.sleep(0.05)  # start times count in clock ticks: the next one must differ
            LAST_PID.write_text(str(old - 1))
            os.kill(current, signal.SIGKILL)
            if next_worker(master, started) == old:
                break
        else:
            pytest.fail(f"php-fpm never gave pid {old} to a new worker")
        serve(s.url, REQUESTS)
    # Any requests served by workers in between (other pids) are left out below.
    con = ingest.connect(None)
    ingest.ingest(con, [str(s.probe_log)])
    cpu = con.execute(
        "SELECT worker_cpu_us, cpu_user_us + cpu_sys_us FROM requests WHERE pid = ? ORDER BY ts", [old]
    ).fetchall()
    assert len(cpu) == 2 * REQUESTS
    first_life, second_life = cpu[:REQUESTS], cpu[REQUESTS:]
    assert second_life[0][0] < first_life[-1][0] + first_life[-1][1], "a new process has used less CPU"
    out = CliRunner().invoke(main, ["workers", str(s.probe_log), "--format", "json"])
    assert out.exit_code == 0, out.output
    lives = [w for w in json.loads(out.stdout)["workers"] if w["pid"] == old]
    assert [w["requests"] for w in lives] == [REQUESTS, REQUESTS]
    assert [w["state"] for w in lives] == ["recycled", "alive"]
