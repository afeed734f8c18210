"""Probe logs and --db files that are not what they should be: duplicated lines, absurd
numbers, truncated or fake gzip, FIFOs, foreign databases, terminal escapes, a run killed or
interrupted mid-ingest. Each gives the right answer or one clear line, and loses nothing."""

from __future__ import annotations

import gc
import gzip
import math
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from fpmscope.cli import main
from fpmscope.records import RECORD_FIELDS
from tests import synth

FIELD = {name: i + 1 for i, (name, _) in enumerate(RECORD_FIELDS)}
SRC = Path(__file__).resolve().parents[2] / "src"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def leaky_log(path: Path, workers: int = 4, requests: int = 150) -> Path:
    ws = []
    for pid in range(10, 10 + workers):
        w = synth.Worker(pid=pid, ts=1_700_000_000.0 + pid)
        for i in range(requests):
            w.request("/leak" if i % 3 == 0 else "/ok", keep=64 * 1024 if i % 3 == 0 else 0)
        ws.append(w)
    return synth.write(path, *ws)


def test_duplicated_lines_in_one_file_give_the_same_verdict(tmp_path: Path) -> None:
    log = leaky_log(tmp_path / "p.log")
    twice = tmp_path / "twice.log"
    twice.write_bytes(log.read_bytes() * 2)
    code, once_out, _ = run("leaks", str(log))
    assert code == 0 and "GET /leak" in once_out
    code, twice_out, err = run("leaks", str(twice))
    assert code == 0, err
    assert twice_out == once_out
    assert "dropped 600 duplicate record(s)" in err


def with_field(line: str, **values: str) -> str:
    fields = line.rstrip("\n").split("\t")
    for name, value in values.items():
        fields[FIELD[name]] = value
    return "\t".join(fields) + "\n"


def without_notes(text: str) -> str:
    return "".join(line for line in text.splitlines(keepends=True) if "malformed line" not in line)


ABSURD = [
    {"rss_start": "-4096"},
    {"anon_start": str(2**63 - 1), "anon_end": str(-(2**63) + 1)},
    {"rss_start": str(2**63 - 1), "rss_end": str(2**63 - 1)},
    {"zend_peak": str(2**50)},
    {"ts": "nan"},
    {"ts": "inf"},
    {"ts": "-inf"},
    {"ts": "1e300"},
    {"ts": "-5"},
    {"wall_us": "-1"},
    {"cpu_user_us": str(10**12)},
    {"worker_cpu_us": str(-(2**62))},
    {"pid": "-3"},
    {"status": "70000"},
    {"included_files": "-1"},
]


def hostile_and_clean(tmp_path: Path, absurd: list[dict[str, str]]) -> tuple[Path, Path]:
    """Every line of worker 13 made absurd (enough to drown a real leak or overflow a sum),
    cycling through `absurd`; and the same log without worker 13."""
    lines = leaky_log(tmp_path / "p.log").read_text().splitlines(keepends=True)
    ours = [line for line in lines if line.split("\t")[3] == "13"]
    bad = {line: with_field(line, **absurd[i % len(absurd)]) for i, line in enumerate(ours)}
    hostile = tmp_path / "hostile.log"
    hostile.write_text("".join(bad.get(line, line) for line in lines))
    clean = tmp_path / "clean.log"
    clean.write_text("".join(line for line in lines if line not in bad))
    return hostile, clean


@pytest.mark.parametrize("values", ABSURD, ids=lambda v: ",".join(f"{k}={v[k][:8]}" for k in v))
def test_a_line_with_an_impossible_number_is_skipped_with_its_reason(tmp_path: Path, values: dict[str, str]) -> None:
    hostile, clean = hostile_and_clean(tmp_path, [values])
    _, expected, _ = run("leaks", str(clean))
    code, out, err = run("leaks", str(hostile))
    assert code == 0, err
    assert without_notes(out) == without_notes(expected)
    assert "skipped 150 malformed line(s)" in err, err
    assert next(iter(values)) in err and "Traceback" not in err


def test_every_analysis_survives_impossible_numbers(tmp_path: Path) -> None:
    hostile, clean = hostile_and_clean(tmp_path, ABSURD)
    for command in (["workers"], ["advise", "--memory", "4GB"]):
        _, expected, _ = run(*command, str(clean))
        code, out, err = run(*command, str(hostile))
        assert code == 0, err
        assert without_notes(out) == without_notes(expected), command
        assert "skipped 150 malformed line(s)" in err, err
    code, _, err = run("report", str(hostile), "-o", str(tmp_path / "r.html"))
    assert code == 0, err


def test_a_truncated_gzip_log_keeps_what_was_written(tmp_path: Path) -> None:
    log = leaky_log(tmp_path / "p.log")
    packed = gzip.compress(log.read_bytes())
    cut = tmp_path / "cut.log.gz"
    cut.write_bytes(packed[: len(packed) * 2 // 3])
    code, out, err = run("dump", str(cut))
    assert code == 0, err
    kept = out.count("\n")
    assert 0 < kept < 600
    assert "truncated" in err and "Aborted" not in err


@pytest.mark.parametrize("junk", [b"\x1f\x8bjunk", b"\x1f\x8b\x08\x00" + b"\xff" * 40, b"\x1f\x8b"])
def test_gzip_magic_then_junk_is_one_line(tmp_path: Path, junk: bytes) -> None:
    bad = tmp_path / "bad.gz"
    bad.write_bytes(junk)
    for command in ("leaks", "slow"):
        code, _, err = run(command, str(bad))
        assert code == 2, (command, err)
        assert len(err.strip().splitlines()) == 1 and "gzip" in err, err


def test_a_truncated_gzip_access_log_keeps_what_was_written(tmp_path: Path) -> None:
    line = '127.0.0.1 - - [10/Oct/2024:13:55:{:02d} +0000] "GET /a{} HTTP/1.1" 200 5 "-" "x"\n'
    text = "".join(line.format(i % 60, i) for i in range(3000)).encode()
    packed = gzip.compress(text)
    cut = tmp_path / "access.log.gz"
    cut.write_bytes(packed[: len(packed) // 2])
    code, out, err = run("slow", str(cut))
    assert code == 0, err
    assert "truncated" in out + err


def test_a_fifo_is_read_whole(tmp_path: Path) -> None:
    log = leaky_log(tmp_path / "p.log")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)

    def feed() -> None:
        with fifo.open("wb") as f:
            f.write(log.read_bytes())

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    code, out, err = run("dump", str(fifo))
    writer.join(10)
    assert code == 0, err
    assert out.count("\n") == 600


def test_a_sqlite_db_is_refused_untouched(tmp_path: Path) -> None:
    db = tmp_path / "app.db"
    with sqlite3.connect(db) as con:
        con.execute("CREATE TABLE t (x)")
    before = db.read_bytes()
    code, _, err = run("leaks", str(leaky_log(tmp_path / "p.log")), "--db", str(db))
    assert code == 2
    assert "not a database fpmscope wrote" in err and len(err.strip().splitlines()) == 1
    assert db.read_bytes() == before


def test_an_unrelated_duckdb_file_is_refused_without_our_tables(tmp_path: Path) -> None:
    db = tmp_path / "other.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE invoices (id INTEGER)")
    code, _, err = run("leaks", str(leaky_log(tmp_path / "p.log")), "--db", str(db))
    assert code == 2
    assert "not a database fpmscope wrote" in err
    with duckdb.connect(str(db)) as con:
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert tables == {"invoices"}


def test_a_text_file_as_db_is_refused_untouched(tmp_path: Path) -> None:
    db = tmp_path / "notes.txt"
    db.write_text("hello\n")
    code, _, err = run("leaks", str(leaky_log(tmp_path / "p.log")), "--db", str(db))
    assert code == 2 and "not a database fpmscope wrote" in err
    assert db.read_text() == "hello\n"


def test_csv_to_a_terminal_carries_no_escape_sequences(tmp_path: Path) -> None:
    w = synth.Worker(pid=5)
    for i in range(60):
        w.request("/\x1b]0;pwned\x07/\x1b[2J/\x9b31m" if i % 2 else "/ok", keep=4096 if i % 2 else 0)
    log = synth.write(tmp_path / "esc.log", w)
    for command in ("leaks", "workers"):
        code, out, err = run(command, str(log), "--format", "csv")
        assert code == 0, err
        assert not any(c in out for c in "\x1b\x07\x9b"), command


def fpmscope(*args: str) -> list[str]:
    return [sys.executable, "-m", "fpmscope", *args]


def big_log(tmp_path: Path) -> Path:
    return synth.write_many(tmp_path / "big.log", 400_000, 40)


def start_and_wait_for_ingest(args: list[str], db: Path | None, cwd: Path) -> subprocess.Popen[str]:
    """Start fpmscope and return once it is inside the ingest (the DB's WAL exists, or 1 s of
    CPU has been spent on an in-memory run)."""
    proc = subprocess.Popen(fpmscope(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if db is not None and Path(str(db) + ".wal").exists():
            return proc
        if db is None:
            ticks = int(Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()[11])
            if ticks > os.sysconf("SC_CLK_TCK"):
                return proc
        time.sleep(0.01)
    raise AssertionError(f"fpmscope never started its ingest: {proc.communicate()}")


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_a_run_killed_during_ingest_leaves_the_db_usable(tmp_path: Path, sig: signal.Signals) -> None:
    db = tmp_path / "keep.duckdb"
    small = leaky_log(tmp_path / "p.log")
    code, before, err = run("leaks", str(small), "--db", str(db))
    assert code == 0, err
    proc = start_and_wait_for_ingest(["leaks", str(big_log(tmp_path)), "--db", str(db)], db, tmp_path)
    proc.send_signal(sig)
    proc.communicate(timeout=60)
    code, after, err = run("leaks", str(small), "--db", str(db))
    assert code == 0, err
    # Either the big log landed whole (a late kill) or not at all: never half of it.
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT count(*) FROM requests").fetchone()
    assert rows is not None and rows[0] in (600, 600 + 400_000)
    if rows[0] == 600:
        assert after == before


def test_ctrl_c_during_ingest_is_one_line_and_exit_130(tmp_path: Path) -> None:
    proc = start_and_wait_for_ingest(["leaks", str(big_log(tmp_path))], None, tmp_path)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    # DuckDB may have drawn its progress bar (carriage returns, no newline) before.
    assert "Traceback" not in err and err.splitlines()[-1] == "fpmscope: interrupted", err


def test_the_probe_fields_checked_are_all_numbers() -> None:
    """The range checks cover every numeric field of the record (a new one needs a bound)."""
    from fpmscope import ingest

    numeric = {name for name, kind in RECORD_FIELDS if kind in ("BIGINT", "INTEGER", "DOUBLE")}
    assert numeric <= set(ingest.BOUNDS)
    assert all(math.isfinite(low) and math.isfinite(high) for low, high in ingest.BOUNDS.values())


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MiB tmpfs: a --db on it runs out of space mid-ingest."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True, check=False
    )
    assert done.returncode == 0, f"mount refused: {done.stderr!r} (this test needs root and mount)"
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def test_a_full_disk_during_ingest_is_one_line_and_keeps_the_db(tmp_path: Path, tiny_disk: Path) -> None:
    db = tiny_disk / "keep.duckdb"
    small = leaky_log(tmp_path / "p.log")
    code, before, err = run("leaks", str(small), "--db", str(db))
    assert code == 0, err
    big = synth.write_many(tmp_path / "big.log", 200_000, 20)
    code, _, err = run("leaks", str(big), "--db", str(db))
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "space" in err.lower(), err
    gc.collect()  # the failed in-process run's connection (a real run is one process)
    code, after, err = run("leaks", str(small), "--db", str(db))
    assert code == 0, err
    assert after == before
