"""DuckDB's memory is capped so that a big log spills to disk instead of filling the server."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from fpmscope import ingest, pipeline
from fpmscope.cli import main
from fpmscope.errors import FpmscopeError
from tests.unit.test_golden import fixed_log


def test_memory_is_capped_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FPMSCOPE_MEMORY_LIMIT", raising=False)
    con = ingest.connect(None)
    limit = con.execute("SELECT current_setting('memory_limit')").fetchone()
    assert limit is not None and limit[0] == "1.8 GiB"  # DuckDB shows 2 GB (10^9) in GiB


def test_memory_limit_can_be_raised_and_bad_values_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FPMSCOPE_MEMORY_LIMIT", "4GB")
    con = ingest.connect(None)
    limit = con.execute("SELECT current_setting('memory_limit')").fetchone()
    assert limit is not None and limit[0] == "3.7 GiB"
    monkeypatch.setenv("FPMSCOPE_MEMORY_LIMIT", "lots; DROP TABLE requests")
    with pytest.raises(FpmscopeError, match="FPMSCOPE_MEMORY_LIMIT"):
        ingest.connect(None)


def test_big_probe_logs_go_to_a_compressed_scratch_file_and_give_the_same_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FPMSCOPE_MEMORY_LIMIT", raising=False)
    monkeypatch.chdir(tmp_path)
    fixed_log(tmp_path / "probe.log")
    in_memory = CliRunner().invoke(main, ["leaks", "probe.log", "--format", "json"])
    # Every input counts as big: the records go to a scratch file, under the lower cap.
    monkeypatch.setattr(pipeline, "SCRATCH_FILE_BYTES", 0)
    con, _ = pipeline.load_probe_logs(("probe.log",), None)
    files = "SELECT path FROM duckdb_databases() WHERE NOT internal AND path IS NOT NULL"
    (path,) = con.execute(files).fetchone() or ("",)
    assert Path(path).name == "work.duckdb" and Path(path).is_file()
    assert con.execute("SELECT current_setting('memory_limit')").fetchone() == ("953.6 MiB",)
    con.close()
    scratch = CliRunner().invoke(main, ["leaks", "probe.log", "--format", "json"])
    assert in_memory.exit_code == scratch.exit_code == 0
    assert scratch.stdout == in_memory.stdout
