"""Streams and bad values: pipes, FIFOs, stdin and gzip streams are read once with exact counts;
a line with a bad value is one skipped line, never a failed file."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from fpmscope.cli import main

FPMSCOPE = [sys.executable, "-m", "fpmscope"]
N = 3000


def lines(n: int = N) -> list[str]:
    return [
        f"10.0.0.{i % 200} - - [01/May/2024:12:{i // 60 % 60:02d}:{i % 60:02d} +0000]"
        f' "GET /items/{i % 97}?p={i} HTTP/1.1" 200 {i} "-" "curl/8.4.0" {(i % 50) / 1000:.3f}'
        for i in range(n)
    ]


def text(n: int = N) -> bytes:
    return ("\n".join(lines(n)) + "\n").encode()


def run(args: list[str], stdin: bytes | None = None, shell: bool = False) -> dict[str, Any]:
    cmd: Any = " ".join(args) if shell else [*FPMSCOPE, *args]
    proc = subprocess.run(
        ["bash", "-c", cmd] if shell else cmd, input=stdin, capture_output=True, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stderr.decode()
    data: dict[str, Any] = json.loads(proc.stdout)
    return data


def test_process_substitution_counts_every_line(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    log.write_bytes(text())
    fpmscope = " ".join(FPMSCOPE)
    data = run([fpmscope, "slow", f"<(cat {log})", "--format", "json"], shell=True)
    assert (data["inputs"]["requests"], data["inputs"]["skipped_lines"]) == (N, 0)


def test_named_fifo_is_read_once_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "access.fifo"
    os.mkfifo(fifo)
    payload = text()

    def feed() -> None:
        with fifo.open("wb") as f:
            f.write(payload)

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    data = run(["slow", str(fifo), "--format", "json"])
    writer.join(timeout=10)
    assert (data["inputs"]["requests"], data["inputs"]["skipped_lines"]) == (N, 0)


def test_gzip_stream_on_stdin_and_a_multi_member_gzip_file(tmp_path: Path) -> None:
    data = run(["slow", "-", "--format", "json"], stdin=gzip.compress(text()))
    assert data["inputs"]["requests"] == N
    rotated = tmp_path / "access.log.1"  # gzip without a .gz name, two members
    half = len(lines()) // 2
    body = lines()
    rotated.write_bytes(
        gzip.compress(("\n".join(body[:half]) + "\n").encode())
        + gzip.compress(("\n".join(body[half:]) + "\n").encode())
    )
    result = CliRunner().invoke(main, ["slow", str(rotated), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["inputs"]["requests"] == N


BAD = {
    "bare CR": b'10.0.0.1 - - [01/May/2024:12:00:00 +0000] "GET /cr HTTP/1.1" 200 5 "-" "cu\rrl" 0.010',
    "NUL": b'10.0.0.1 - - [01/May/2024:12:00:00 +0000] "GET /nul HTTP/1.1" 200 5 "-" "c\x00url" 0.010',
    "text time": b'10.0.0.1 - - [01/May/2024:12:00:00 +0000] "GET /t HTTP/1.1" 200 5 "-" "curl" abc',
    "negative time": b'10.0.0.1 - - [01/May/2024:12:00:00 +0000] "GET /t HTTP/1.1" 200 5 "-" "curl" -1.000',
    "inf time": b'10.0.0.1 - - [01/May/2024:12:00:00 +0000] "GET /t HTTP/1.1" 200 5 "-" "curl" inf',
    "nan time": b'10.0.0.1 - - [01/May/2024:12:00:00 +0000] "GET /t HTTP/1.1" 200 5 "-" "curl" nan',
    "time over a day": b'10.0.0.1 - - [01/May/2024:12:00:00 +0000] "GET /t HTTP/1.1" 200 5 "-" "curl" 90000.000',
    "negative bytes": b'10.0.0.1 - - [01/May/2024:12:00:00 +0000] "GET /t HTTP/1.1" 200 -5 "-" "curl" 0.010',
    "text bytes": b'10.0.0.1 - - [01/May/2024:12:00:00 +0000] "GET /t HTTP/1.1" 200 lots "-" "curl" 0.010',
    "10 MB line": b'10.0.0.1 - - [01/May/2024:12:00:00 +0000] "GET /'
    + b"a" * 10_000_000
    + b' HTTP/1.1" 200 5 "-" "x" 0.1',
}


@pytest.mark.parametrize("kind", sorted(BAD))
def test_a_bad_value_is_one_skipped_line(kind: str, tmp_path: Path) -> None:
    good = lines(400)
    raw = [g.encode() for g in good[:3]] + [BAD[kind]] + [g.encode() for g in good[3:]]
    log = tmp_path / "access.log"
    log.write_bytes(b"\n".join(raw) + b"\n")
    result = CliRunner().invoke(main, ["slow", str(log), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["inputs"]["format_name"] == "timed"
    assert (data["inputs"]["requests"], data["inputs"]["skipped_lines"]) == (400, 1)
    assert data["inputs"]["skipped_example"]
    assert data["endpoints"][0]["total_s"] is not None


def test_every_bad_value_in_one_file_still_leaves_the_rest(tmp_path: Path) -> None:
    good = [g.encode() for g in lines(1000)]
    raw = good[:2] + list(BAD.values()) + good[2:]
    log = tmp_path / "access.log"
    log.write_bytes(b"\r\n".join(raw) + b"\r\n")  # CRLF line ends are not bare CRs
    result = CliRunner().invoke(main, ["slow", str(log), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["inputs"]["requests"], data["inputs"]["skipped_lines"]) == (1000, len(BAD))
    total = sum((i % 50) / 1000 for i in range(1000))
    assert sum(e["total_s"] for e in data["endpoints"]) == pytest.approx(total, abs=0.01)
