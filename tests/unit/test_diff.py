"""`fpmscope diff` over one log cut in two by time, and over two databases kept with --db."""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

from click.testing import CliRunner

from fpmscope.cli import main
from tests.synth import Worker, noise, write


def fixed_at_half_time(path: Path) -> tuple[Path, str]:
    """Two workers; /thumb leaks 48 KiB per call in the first 300 requests of each, not after."""
    rng = random.Random(5)
    workers = []
    for pid in (11, 12):
        w = Worker(pid=pid)
        for i in range(600):
            uri = rng.choice(["/", "/thumb", "/list"])
            w.request(uri, keep=48 * 1024 if uri == "/thumb" and i < 300 else 0, noise=noise(rng))
        workers.append(w)
    write(path, *workers)
    cut = workers[0].records[300].ts
    return path, dt.datetime.fromtimestamp(cut, dt.UTC).isoformat()


def changes(result_stdout: str) -> set[tuple[str, str]]:
    return {(c["endpoint"], c["change"]) for c in json.loads(result_stdout)["changes"]}


def test_one_log_cut_at_a_time_shows_the_leak_that_stopped(tmp_path: Path) -> None:
    log, cut = fixed_at_half_time(tmp_path / "probe.log")
    result = CliRunner().invoke(main, ["diff", str(log), "--until", cut, "--since", cut, "--format", "json"])
    assert result.exit_code == 0, result.output
    assert ("GET /thumb", "stopped leaking") in changes(result.stdout)
    one = CliRunner().invoke(main, ["diff", str(log)])
    assert one.exit_code == 2 and "--until" in one.stderr


def test_two_databases_kept_with_db_are_compared_and_left_unchanged(tmp_path: Path) -> None:
    log, cut = fixed_at_half_time(tmp_path / "probe.log")
    before, after = tmp_path / "before.duckdb", tmp_path / "after.duckdb"
    early = CliRunner().invoke(main, ["diff", str(log), "--until", cut, "--since", cut])
    assert early.exit_code == 0
    for db in (before, after):
        assert CliRunner().invoke(main, ["leaks", str(log), "--db", str(db), "--format", "json"]).exit_code == 0
    stamp = before.stat().st_mtime_ns
    result = CliRunner().invoke(main, ["diff", str(before), str(after), "--db", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert changes(result.stdout) == set(), "the same records on both sides: nothing changed"
    assert before.stat().st_mtime_ns == stamp, "the user's database is read from a copy"
