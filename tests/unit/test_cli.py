"""The command line as a user meets it: messages, exit codes, files, formats."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from fpmscope.cli import main
from fpmscope.probe import probe_path
from tests.synth import Worker, format_1, write


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def leaky_log(tmp_path: Path, uri: str = "/export/=cmd|' /C calc'!A0") -> Path:
    w = Worker(pid=1)
    for i in range(200):
        w.request(uri if i % 4 == 0 else "/", keep=65536 if i % 4 == 0 else 0)
    return write(tmp_path / "p.log", w)


def test_missing_log_is_one_line_and_exit_2(tmp_path: Path) -> None:
    code, out, err = run("leaks", str(tmp_path / "nope.log"))
    assert code == 2
    assert out == ""
    assert err.strip().count("\n") == 0 and "no such file" in err
    assert "Traceback" not in err


def test_a_log_with_no_records_is_an_error_not_an_empty_report(tmp_path: Path) -> None:
    (tmp_path / "junk.log").write_text("hello\nworld\n")
    code, out, err = run("leaks", str(tmp_path / "junk.log"))
    assert code == 2 and out == ""
    assert "no probe records" in err and "'hello'" in err


def test_csv_cannot_smuggle_formulas(tmp_path: Path) -> None:
    code, out, _ = run("leaks", str(leaky_log(tmp_path)), "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    cells = [v for row in rows for v in row.values()]
    assert not any(c.startswith(("=", "+", "@", "|")) for c in cells)
    assert any(c.startswith("'GET") or c.startswith("GET /export/=cmd") for c in cells)


def test_output_file_is_never_overwritten_without_force(tmp_path: Path) -> None:
    log = leaky_log(tmp_path, "/export")
    out = tmp_path / "leaks.json"
    code, _, err = run("leaks", str(log), "-o", str(out))
    assert code == 0 and f"Wrote {out}" in err
    assert json.loads(out.read_text())["schema_version"] == 3
    code, _, err = run("leaks", str(log), "-o", str(out))
    assert code == 2 and "--force" in err
    assert run("leaks", str(log), "-o", str(out), "--force")[0] == 0


def test_top_limits_the_table(tmp_path: Path) -> None:
    code, out, _ = run("leaks", str(leaky_log(tmp_path, "/export")), "--format", "json", "--top", "1")
    assert code == 0
    assert len(json.loads(out)["endpoints"]) == 1


def test_hostile_uri_is_shown_as_text_in_the_table(tmp_path: Path) -> None:
    code, out, _ = run("leaks", str(leaky_log(tmp_path, "/[bold]x[/bold]\\033[31m")))
    assert code == 0
    assert "[bold]x[/bold]\\033[31m" in out
    assert "\x1b" not in out


def test_probe_commands_point_at_the_shipped_probe() -> None:
    code, out, _ = run("probe", "path")
    assert code == 0 and Path(out.strip()) == probe_path() and probe_path().is_file()
    code, out, _ = run("probe", "ini", "--log", "/var/log/fpmscope/www.log", "--pool", "www")
    assert f"php_admin_value[auto_prepend_file] = {probe_path()}" in out
    assert "env[FPMSCOPE_LOG] = /var/log/fpmscope/www.log" in out


def test_dump_prints_parsed_records(tmp_path: Path) -> None:
    code, out, _ = run("dump", str(leaky_log(tmp_path, "/x")), "--limit", "3")
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert len(records) == 3 and records[0]["pid"] == 1 and records[0]["uri"] == "/x"
    assert records[0]["worker_cpu_us"] == 20_000 and "worker_start" not in records[0]


def test_dump_keeps_the_start_time_of_format_1_records(tmp_path: Path) -> None:
    old = tmp_path / "old.log"
    old.write_text(format_1(leaky_log(tmp_path, "/x").read_text().splitlines(keepends=True)[0], 73321))
    code, out, _ = run("dump", str(old))
    assert code == 0
    record = json.loads(out)
    assert (record["worker_start"], record["worker_cpu_us"], record["uri"]) == (73321, None, "/x")


def test_unknown_option_is_a_usage_error() -> None:
    code, _, err = run("leaks", "--frobnicate", "x.log")
    assert code == 2 and "No such option" in err


def test_raw_terminal_escapes_in_a_log_never_reach_the_terminal(tmp_path: Path) -> None:
    # The probe escapes control bytes, but a log may come from elsewhere or be tampered with.
    log = leaky_log(tmp_path, "/x\x1b]0;pwned\x07\x1b[2J")
    for command in (["leaks"], ["workers"], ["slow"]):
        code, out, _ = run(*command, str(log))
        assert code == 0, command
        assert "\x1b" not in out and "\x07" not in out, command
        assert "\\x1b]0;pwned\\x07" in out or command == ["workers"]


def test_top_refuses_a_pid_that_does_not_exist() -> None:
    code, out, err = run("top", "--once", "--pid", "999999999")
    assert code == 2 and out == "" and "no such process" in err


def test_a_bad_memory_limit_is_refused_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FPMSCOPE_MEMORY_LIMIT", "lots")
    for command in ("leaks", "slow"):
        code, _, err = run(command, str(leaky_log(tmp_path, "/x")))
        assert code == 2 and "FPMSCOPE_MEMORY_LIMIT" in err and err.count("\n") == 1, command
