"""DuckDB's memory is capped so that a big log spills to disk instead of filling the server."""

from __future__ import annotations

import pytest

from fpmscope import ingest
from fpmscope.errors import FpmscopeError


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
