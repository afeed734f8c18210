"""Leak, workers and advise reports on a fixed synthetic log, pinned as golden files (JSON is
a public contract). tests/golden.py says how to update them.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from fpmscope.cli import main
from tests import golden
from tests.synth import MiB, Worker, noise, write


def fixed_log(path: Path) -> Path:
    rng = random.Random(42)
    workers = []
    for pid in (101, 102):
        w = Worker(pid=pid)
        for _ in range(300):
            uri = rng.choice(["/", "/products/12", "/products/99", "/images/5/thumb", "/report"])
            if uri == "/images/5/thumb":
                w.request(uri, keep=48 * 1024, noise=noise(rng))
            elif uri == "/report":
                w.request(uri, zend_cache_after=w.zend_cache + 8 * MiB, peak=24 * MiB)
            else:
                w.request(uri, noise=noise(rng), zend_cache_after=max(2 * MiB, w.zend_cache // 2))
        workers.append(w)
    return write(path, *workers)


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (["leaks", "--format", "json"], "leaks.json"),
        (["leaks", "--format", "table"], "leaks.txt"),
        (["leaks", "--format", "csv"], "leaks.csv"),
        (["workers", "--format", "table"], "workers.txt"),
        (["advise", "--memory", "1G", "--reserve", "256M"], "advise.txt"),
    ],
)
def test_report_matches_golden(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], name: str) -> None:
    monkeypatch.chdir(tmp_path)
    fixed_log(tmp_path / "probe.log")
    result = CliRunner().invoke(main, [args[0], "probe.log", *args[1:]])
    assert result.exit_code == 0, result.output
    golden.check(name, result.stdout)
