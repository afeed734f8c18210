"""`fpmscope slow` output pinned byte for byte (table at COLUMNS=120, JSON, CSV).

tests/golden.py says how to update them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from fpmscope.cli import main
from tests import golden

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_slow_report_matches_golden(fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["slow", "tests/data/slow/small.log", "--format", fmt, "--slowest", "5"])
    assert result.exit_code == 0, result.output
    golden.check(f"slow_small.{'txt' if fmt == 'table' else fmt}", result.stdout)
