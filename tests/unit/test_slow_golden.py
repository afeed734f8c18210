"""`fpmscope slow` output pinned byte for byte (table at COLUMNS=120, JSON, CSV).

Set FPMSCOPE_UPDATE_GOLDEN=1 to rewrite the files after a deliberate change, then review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from fpmscope.cli import main

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_slow_report_matches_golden(fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["slow", "tests/data/slow/small.log", "--format", fmt, "--slowest", "5"])
    assert result.exit_code == 0, result.output
    golden = GOLDEN / f"slow_small.{'txt' if fmt == 'table' else fmt}"
    if os.environ.get("FPMSCOPE_UPDATE_GOLDEN"):
        golden.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == golden.read_text(encoding="utf-8")
