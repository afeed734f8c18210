"""Probe logs into DuckDB: formats, compression, bad lines, kept databases."""

from __future__ import annotations

import gzip
import io
import sys
from pathlib import Path

import pytest

from fpmscope import ingest
from fpmscope.errors import FpmscopeError
from tests.synth import Worker, format_1


def sample_lines(n: int = 20, pid: int = 7) -> str:
    w = Worker(pid=pid)
    for i in range(n):
        w.request(f"/items/{i}")
    return "".join(r.to_line() for r in w.records)


def count(con: object) -> int:
    row = con.execute("SELECT count(*) FROM requests").fetchone()  # type: ignore[attr-defined]
    return int(row[0])


def test_records_round_trip_through_the_schema(tmp_path: Path) -> None:
    w = Worker(pid=7)
    w.request("/a\\tb", keep=4096)
    (tmp_path / "p.log").write_text(w.records[0].to_line())
    con = ingest.connect(None)
    ingest.ingest(con, [str(tmp_path / "p.log")])
    row = con.execute("SELECT pid, worker_cpu_us, worker_start, uri, anon_start, tag FROM requests").fetchone()
    assert row == (7, 20_000, None, "/a\\tb", w.records[0].anon_start, None)


def test_format_1_lines_are_read_with_their_worker_start(tmp_path: Path) -> None:
    """Earlier probes logged the process start time where format 2 logs the worker's CPU."""
    (tmp_path / "p.log").write_text(format_1(sample_lines(1), 73321) + sample_lines(1))
    con = ingest.connect(None)
    result = ingest.ingest(con, [str(tmp_path / "p.log")])
    assert (result.rows, result.skipped) == (2, 0)
    rows = con.execute("SELECT worker_start, worker_cpu_us FROM requests ORDER BY rowid").fetchall()
    assert rows == [(73321, None), (None, 20_000)]


def test_gzip_is_detected_by_content_not_name(tmp_path: Path) -> None:
    log = tmp_path / "rotated.log.1"
    log.write_bytes(gzip.compress(sample_lines().encode()))
    con = ingest.connect(None)
    result = ingest.ingest(con, [str(log)])
    assert (result.rows, result.skipped) == (20, 0)


def test_malformed_lines_are_skipped_counted_and_shown(tmp_path: Path) -> None:
    good = sample_lines(10)
    hostile = [
        "garbage\n",
        "\x00\x00\x00\x00\n",
        "fpms1\tweb1\ttruncated\n",
        "fpms1\t" + "x" * 2_000_000 + "\n",
        "fpms9\t" + "\t".join(["1"] * 28) + "\n",
    ]
    log = tmp_path / "p.log"
    # Two workers' lines: the same lines twice would be one request logged twice (dropped).
    log.write_bytes((good + "".join(hostile) + sample_lines(10, pid=8)).encode() + b"fpms1\t\xff\xfe\n")
    con = ingest.connect(None)
    result = ingest.ingest(con, [str(log)])
    assert result.rows == 20
    assert result.skipped == len(hostile) + 1
    assert result.skipped_example == "garbage"


def test_each_file_counts_its_own_bad_lines(tmp_path: Path) -> None:
    (tmp_path / "a.log").write_text("junk\n" + sample_lines(2))
    (tmp_path / "b.log").write_text("junk\njunk\n")
    (tmp_path / "c.log").write_bytes(gzip.compress(sample_lines(1, pid=8).encode()))
    con = ingest.connect(None)
    result = ingest.ingest(con, [str(tmp_path / n) for n in ("a.log", "b.log", "c.log")])
    assert (result.rows, result.skipped) == (3, 3)


def test_stdin_is_read_with_a_dash(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = io.TextIOWrapper(io.BytesIO(sample_lines(5).encode()))
    monkeypatch.setattr(sys, "stdin", fake)
    con = ingest.connect(None)
    assert ingest.ingest(con, ["-"]).rows == 5


def test_a_kept_database_does_not_load_a_file_twice(tmp_path: Path) -> None:
    log = tmp_path / "p.log"
    log.write_text(sample_lines(4))
    db = str(tmp_path / "keep.duckdb")
    con = ingest.connect(db)
    ingest.ingest(con, [str(log)])
    con.close()
    con = ingest.connect(db)
    again = ingest.ingest(con, [str(log)])
    assert again.already_loaded == (str(log),)
    assert count(con) == 4


@pytest.mark.parametrize("name", ["missing.log", "."])
def test_unreadable_inputs_are_clear_errors(tmp_path: Path, name: str) -> None:
    con = ingest.connect(None)
    with pytest.raises(FpmscopeError):
        ingest.ingest(con, [str(tmp_path / name)])


def test_a_log_that_grew_is_counted_once_in_a_kept_database(tmp_path: Path) -> None:
    log = tmp_path / "p.log"
    lines = sample_lines(30)
    log.write_text(lines[: lines.index("\n", len(lines) // 2) + 1])
    db = str(tmp_path / "keep.duckdb")
    ingest.ingest(ingest.connect(db), [str(log)])
    log.write_text(lines)  # the probe appended more requests
    con = ingest.connect(db)
    result = ingest.ingest(con, [str(log)])
    assert count(con) == 30
    assert result.duplicates > 0 and result.rows == 30 - result.duplicates


def test_overlapping_copies_count_each_request_once(tmp_path: Path) -> None:
    (tmp_path / "a.log").write_text(sample_lines(10))
    (tmp_path / "b.log").write_text(sample_lines(10))
    con = ingest.connect(None)
    result = ingest.ingest(con, [str(tmp_path / "a.log"), str(tmp_path / "b.log")])
    assert (count(con), result.duplicates) == (10, 10)


def test_a_bare_carriage_return_costs_its_line_not_the_file(tmp_path: Path) -> None:
    good = sample_lines(10)
    log = tmp_path / "p.log"
    log.write_text(good + "junk\rmore junk\n" + good.replace("/items/", "/other/"))
    con = ingest.connect(None)
    result = ingest.ingest(con, [str(log)])
    assert (result.rows, result.skipped) == (20, 2)
