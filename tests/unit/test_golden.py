"""Leak reports on a fixed synthetic log, pinned as golden files (JSON is a public contract).

Regenerate after an intended change with FPMSCOPE_UPDATE_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from fpmscope.cli import main
from tests.synth import MiB, Worker, noise, write

GOLDEN = Path(__file__).parent.parent / "golden"


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


@pytest.mark.parametrize(("fmt", "golden"), [("json", "leaks.json"), ("table", "leaks.txt"), ("csv", "leaks.csv")])
def test_leak_report_matches_golden(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, golden: str) -> None:
    monkeypatch.chdir(tmp_path)
    fixed_log(tmp_path / "probe.log")
    result = CliRunner().invoke(main, ["leaks", "probe.log", "--format", fmt])
    assert result.exit_code == 0, result.output
    expected = GOLDEN / golden
    if os.environ.get("FPMSCOPE_UPDATE_GOLDEN"):
        expected.write_text(result.stdout)
    assert result.stdout == expected.read_text()
