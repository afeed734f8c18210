"""`top`'s status-page reader against hostile servers: odd JSON, non-finite numbers, a page
that makes a backtracking repair slow, a server that trickles bytes forever, a --pid that is
not php-fpm. Each gives a row or one clear error; none a traceback or a hang."""

from __future__ import annotations

import contextlib
import json
import signal
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import pytest
from click.testing import CliRunner

from fpmscope.cli import main
from fpmscope.errors import FpmscopeError
from fpmscope.live import fastcgi, status
from fpmscope.live.sampler import Sampler


@contextlib.contextmanager
def must_finish_within(seconds: int) -> Iterator[None]:
    """Fail instead of hanging the suite: the cases below hung (or took minutes) before."""

    def expired(_sig: int, _frame: FrameType | None) -> None:
        raise AssertionError(f"still running after {seconds} s")

    old = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def page(**process: object) -> str:
    proc = {"pid": 7, "state": "Idle", "requests": 3, "request uri": "/x", **process}
    return json.dumps({"pool": "www", "accepted conn": 1, "processes": [proc]})


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999", "-1e999", "1e300"])
def test_non_finite_and_huge_numbers_become_unknown(number: str) -> None:
    text = (
        page()
        .replace('"requests": 3', f'"requests": {number}')
        .replace('"accepted conn": 1', f'"accepted conn": {number}')
    )
    text = text.replace('"pid": 7', f'"pid": 7, "last request cpu": {number}, "request duration": {number}')
    pool, (proc,) = status.parse(text)
    assert proc.pid == 7
    assert proc.requests == 0 and proc.request_duration_us == 0
    assert proc.last_request_cpu == 0.0
    assert pool.accepted_conn == 0


@pytest.mark.parametrize(
    "text",
    [
        '{"pool": "www", "processes": 5}',
        '{"pool": "www", "processes": {"pid": 1}}',
        '{"pool": ["www"], "processes": [{"pid": "12"}, {"pid": null}, [], 3]}',
        '{"pool": "www", "processes": [{"pid": true, "requests": -1}]}',
        '{"pool": {"a": 1}}',
        "[" * 100_000 + "]" * 100_000,
        '{"pool": "www", "processes": [' + "[" * 100_000 + "]" * 100_000 + "]}",
        '"pool"',
        "",
        "\x00\xff",
    ],
)
def test_odd_json_gives_rows_or_one_clear_error(text: str) -> None:
    try:
        status.parse(text)
    except FpmscopeError as exc:
        assert "status page" in str(exc)


def test_the_repair_of_unescaped_strings_is_not_quadratic() -> None:
    # 110 KB of unterminated free-text values: 73 s with the backtracking regex.
    text = '{"pool":"www","processes":[' + '"script": "' * 10_000
    with must_finish_within(20), pytest.raises(FpmscopeError, match="not FPM's JSON status"):
        status.loads(text)


def test_the_repair_still_fixes_unescaped_quotes() -> None:
    text = '{"pool": "www", "processes": [{"pid": 3, "request uri": "/a"b\\c", "script": "/s.php"}]}'
    _, (proc,) = status.parse(text)
    assert (proc.request_uri, proc.script) == ('/a"b\\c', "/s.php")


@contextlib.contextmanager
def trickling_server() -> Iterator[str]:
    """Answers with headers then one body byte every 0.1 s, for ever (until stopped)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    stop = threading.Event()

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(4096)
            conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{")
            while not stop.is_set():
                try:
                    conn.sendall(b" ")
                except OSError:
                    return
                time.sleep(0.1)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/status"
    finally:
        stop.set()
        listener.close()
        thread.join(5)


def test_a_trickling_server_hits_the_overall_deadline() -> None:
    with trickling_server() as url, must_finish_within(30), pytest.raises(FpmscopeError, match="did not answer"):
        status.fetch(url, timeout=1.0)


def test_top_with_a_pid_that_is_not_php_fpm_exits_with_a_reason() -> None:
    result = CliRunner().invoke(main, ["top", "--pid", "1", "--once"])
    assert result.exit_code == 2
    assert "not a php-fpm master" in result.stderr


def test_a_php_fpm_master_pid_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "40").mkdir()
    (tmp_path / "40" / "cmdline").write_bytes(b"php-fpm: master process (/etc/php/fpm.conf)\0")
    Sampler(master=40, proc_root=tmp_path)


def test_a_trickling_fastcgi_server_hits_the_overall_deadline() -> None:
    with trickling_server() as url, must_finish_within(30), pytest.raises(FpmscopeError, match="did not answer"):
        fastcgi.get(url.split("/")[2], "/status", "json&full", timeout=1.0)
