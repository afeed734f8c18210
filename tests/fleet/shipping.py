"""A real `fpmscope ship` process for the fault tests, and polling with generous timeouts
(never a sleep that assumes an idle machine)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

TIMEOUT = 120.0


def wait_for(condition: Callable[[], bool], what: str, timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(0.1)


class ShipProcess:
    """`python -m fpmscope ship` in its own process group, its stderr in a file."""

    def __init__(self, url: str, logs: Sequence[Path], checkpoint: Path, *options: str) -> None:
        self.args = [
            sys.executable,
            "-m",
            "fpmscope",
            "ship",
            "--clickhouse",
            url,
            "--checkpoint",
            str(checkpoint),
            "--host",
            "web1",
            *options,
            *map(str, logs),
        ]
        self.err = checkpoint.with_suffix(".stderr")
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> ShipProcess:
        with self.err.open("ab") as err:
            self.proc = subprocess.Popen(self.args, stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)
        return self

    def stderr(self) -> str:
        return self.err.read_text(errors="replace") if self.err.exists() else ""

    def kill9(self) -> None:
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def terminate(self, timeout: float = TIMEOUT) -> int:
        """SIGTERM, and the exit code once it has flushed and exited."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout)

    def stop_quietly(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.kill9()
