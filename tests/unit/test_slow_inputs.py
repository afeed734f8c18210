"""`fpmscope slow` on awkward inputs: gzip, stdin, hostile lines, wrong formats, filters, probe logs."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from fpmscope.accesslog.files import Input
from fpmscope.cli import main
from tests.synth import Worker, write

LINE = '10.0.0.1 - - [01/May/2024:12:00:{s:02d} +0000] "{m} {p} HTTP/1.1" {st} 100 "-" "ua" {rt} {up} id{i}'


def lines(n: int = 20, path: str = "/items/{i}", rt: float = 0.050, status: int = 200) -> list[str]:
    return [
        LINE.format(s=i % 60, m="GET", p=path.format(i=i), st=status, rt=f"{rt:.3f}", up=f"{rt:.3f}", i=i)
        for i in range(n)
    ]


def run(*args: str, stdin: bytes | None = None) -> Any:
    return CliRunner().invoke(main, ["slow", *args], input=stdin)


def slow_json(*args: str, stdin: bytes | None = None) -> dict[str, Any]:
    result = run(*args, "--format", "json", stdin=stdin)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def by_endpoint(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["endpoint"]: e for e in data["endpoints"]}


def test_gzip_is_detected_by_content_not_name(tmp_path: Path) -> None:
    log = tmp_path / "access.log.1"  # no .gz suffix
    log.write_bytes(gzip.compress(("\n".join(lines(30)) + "\n").encode()))
    data = slow_json(str(log))
    assert by_endpoint(data)["GET /items/{id}"]["count"] == 30


def test_stdin_and_rotated_files_add_up(tmp_path: Path) -> None:
    (tmp_path / "a.log").write_text("\n".join(lines(10)) + "\n")
    (tmp_path / "a.log.2.gz").write_bytes(gzip.compress(("\n".join(lines(5)) + "\n").encode()))
    stdin = ("\n".join(lines(7)) + "\n").encode()
    data = slow_json(str(tmp_path / "a.log"), str(tmp_path / "a.log.2.gz"), "-", stdin=stdin)
    assert data["inputs"]["requests"] == 22


def test_multi_value_upstream_times_are_summed_and_dash_is_missing(tmp_path: Path) -> None:
    log = tmp_path / "a.log"
    rows = [
        LINE.format(s=1, m="GET", p="/a", st=502, rt="0.500", up="0.100, 0.200 : 0.150", i=1),
        LINE.format(s=2, m="GET", p="/a", st=200, rt="0.300", up="-", i=2),
        LINE.format(s=3, m="GET", p="/a", st=200, rt="0.300", up="0.050, -", i=3),
    ]
    log.write_text("\n".join(rows) + "\n")
    a = by_endpoint(slow_json(str(log)))["GET /a"]
    assert a["count"] == 3
    assert a["upstream_total_s"] == pytest.approx(0.5)
    assert a["upstream_mean_ms"] == pytest.approx(250.0)
    assert a["status_5xx"] == 1


def test_hostile_lines_are_skipped_and_counted(tmp_path: Path) -> None:
    good = lines(10)
    hostile = [
        b"this is a test",
        b"\x00" * 500,
        b"\xff\xfe\xfd binary \x80\x81",
        good[0][:40].encode(),  # truncated
        b'10.0.0.1 - - [01/May/2024:12:00:00 +0000] "GET /x HTTP/1.1" 200 100 "-" "a"b"c" 0.1 0.1 id',
        b"1" * (2 * 1024 * 1024),  # a 2 MB line
        b'10.0.0.1 - - [01/May/2024:12:00:00 +0000] "GET /\xc3\x28bad HTTP/1.1" 200 1 "-" "u" 0.2 0.2 idx',
    ]
    log = tmp_path / "a.log"
    log.write_bytes(b"\n".join([*(g.encode() for g in good), *hostile]) + b"\n")
    result = run(str(log), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["inputs"]["parsed_lines"] + data["inputs"]["skipped_lines"] == len(good) + len(hostile)
    assert data["inputs"]["skipped_lines"] >= 5
    assert by_endpoint(data)["GET /items/{id}"]["count"] == 10
    # The line with invalid UTF-8 in its path still counts, with the bad byte replaced.
    assert any(e.startswith("GET /\ufffd") for e in by_endpoint(data))


def test_wrong_log_format_exits_2_with_the_first_line(tmp_path: Path) -> None:
    log = tmp_path / "a.log"
    log.write_text("\n".join(lines(5)) + "\n")
    result = run(str(log), "--log-format", "$status|$request_time|$request_uri")
    assert result.exit_code == 2
    assert "no line of" in result.stderr and "10.0.0.1 - -" in result.stderr
    assert "$status|$request_time|$request_uri" in result.stderr
    assert result.stdout == ""


def test_unknown_format_without_log_format_exits_2(tmp_path: Path) -> None:
    log = tmp_path / "a.log"
    log.write_text("2024-01-01 hello world\n")
    result = run(str(log))
    assert result.exit_code == 2
    assert "hello world" in result.stderr and "--log-format" in result.stderr


def test_filters_status_path_and_time(tmp_path: Path) -> None:
    log = tmp_path / "a.log"
    rows = lines(10, "/a/{i}", 0.1, 200) + lines(10, "/b", 0.2, 504)
    log.write_text("\n".join(rows) + "\n")
    assert set(by_endpoint(slow_json(str(log), "--status", "5xx"))) == {"GET /b"}
    assert set(by_endpoint(slow_json(str(log), "--path", "^/a/"))) == {"GET /a/{id}"}
    since = slow_json(str(log), "--since", "2024-05-01T12:00:05", "--until", "2024-05-01T12:00:07+00:00")
    assert since["inputs"]["requests"] == 4
    assert run(str(log), "--status", "abc").exit_code == 2
    assert run(str(log), "--since", "someday").exit_code == 2  # yesterday, 2h are times now


def test_sort_keys_and_status_classes(tmp_path: Path) -> None:
    log = tmp_path / "a.log"
    rows = lines(50, "/many", 0.010, 200) + lines(3, "/slow", 2.0, 499) + lines(2, "/err", 0.001, 504)
    log.write_text("\n".join(rows) + "\n")
    assert slow_json(str(log))["endpoints"][0]["endpoint"] == "GET /slow"
    assert slow_json(str(log), "--sort", "count")["endpoints"][0]["endpoint"] == "GET /many"
    data = slow_json(str(log), "--sort", "errors")
    assert [e["endpoint"] for e in data["endpoints"]][:2] == ["GET /slow", "GET /err"]
    slow = by_endpoint(data)["GET /slow"]
    assert (slow["status_499"], slow["status_4xx"], slow["errors"]) == (3, 0, 3)
    assert by_endpoint(data)["GET /err"]["status_504"] == 2
    assert data["slowest"][0]["time_ms"] == 2000.0


def test_log_without_request_time_ranks_by_count(tmp_path: Path) -> None:
    log = tmp_path / "a.log"
    log.write_text(
        '1.2.3.4 - - [01/May/2024:12:00:00 +0000] "GET /x HTTP/1.1" 200 5 "-" "ua"\n'
        '1.2.3.4 - - [01/May/2024:12:00:00 +0000] "GET /x HTTP/1.1" 200 5 "-" "ua"\n'
        '1.2.3.4 - - [01/May/2024:12:00:00 +0000] "GET /y HTTP/1.1" 404 5 "-" "ua"\n'
    )
    data = slow_json(str(log))
    assert data["inputs"]["format_name"] == "combined"
    assert data["sort"] == "count"
    assert data["endpoints"][0]["endpoint"] == "GET /x"
    assert data["endpoints"][0]["total_s"] is None
    assert any("no request time" in n for n in data["inputs"]["notes"])


def test_apache_format_with_microseconds(tmp_path: Path) -> None:
    log = tmp_path / "a.log"
    log.write_text(
        '1.2.3.4 - - [01/May/2024:12:00:00 +0200] "GET /x HTTP/1.1" 200 - 250000\n'
        '1.2.3.4 - - [01/May/2024:12:00:01 +0200] "GET /x HTTP/1.1" 200 512 750000\n'
    )
    x = by_endpoint(slow_json(str(log), "--log-format", '%h %l %u %t \\"%r\\" %>s %b %D'))["GET /x"]
    assert x["mean_ms"] == pytest.approx(500.0)
    assert x["bytes_total"] == 512


def test_nginx_conf_option(tmp_path: Path) -> None:
    conf = tmp_path / "nginx.conf"
    conf.write_text("log_format t '$request_uri $status $request_time';\naccess_log /x.log t;\n")
    log = tmp_path / "a.log"
    log.write_text("/q?x=1 200 0.5\n/q 200 1.5\n")
    q = by_endpoint(slow_json(str(log), "--nginx-conf", str(conf)))["- /q"]
    assert q["total_s"] == pytest.approx(2.0)


def test_probe_logs_give_php_wall_and_cpu_time(tmp_path: Path) -> None:
    w = Worker(pid=10)
    for i in range(20):
        w.request("/search" if i % 2 else "/", noise=0)
    log = write(tmp_path / "probe.log", w)
    data = slow_json(str(log))
    assert data["inputs"]["source"] == "probe"
    assert data["inputs"]["time_column"] == "PHP wall time"
    assert {e["endpoint"] for e in data["endpoints"]} == {"GET /search", "GET /"}
    assert all(e["php_total_s"] is not None for e in data["endpoints"])


def test_lines_the_csv_reader_misreads_are_matched_again(tmp_path: Path) -> None:
    # A multi-value upstream time with an empty last field: DuckDB's CSV reader takes the
    # line with one column too many as valid; the status check catches it, the regex reads it.
    log = tmp_path / "a.log"
    fmt = '$upstream_response_time $status "$request" "$http_user_agent"'
    log.write_text(
        '0.1 200 "GET /a HTTP/1.1" "x"\n\n0.1, 0.2 200 "GET /b HTTP/1.1" ""\n\n0.3 404 "GET /c HTTP/1.1" ""\n'
    )
    data = slow_json(str(log), "--log-format", fmt)
    assert data["inputs"]["skipped_lines"] == 0
    b = by_endpoint(data)["GET /b"]
    assert b["upstream_total_s"] == pytest.approx(0.3)
    assert b["status_2xx"] == 1
    assert by_endpoint(data)["GET /c"]["status_4xx"] == 1


def test_progress_bar_path_loads_every_file(tmp_path: Path) -> None:
    from fpmscope.accesslog import ingest

    files = []
    for n in (3, 4):
        path = tmp_path / f"a{n}.log"
        path.write_text("\n".join(lines(n)) + "\n")
        files.append(Input(path.name, path))
    con = ingest.connect()
    assert ingest.ingest(con, files, None, progress=True).parsed == 7


def test_time_filter_on_a_log_without_times_is_refused(tmp_path: Path) -> None:
    conf_fmt = "$request_uri $status $request_time"
    log = tmp_path / "a.log"
    log.write_text("/q 200 0.5\n")
    result = run(str(log), "--log-format", conf_fmt, "--since", "2024-01-01")
    assert result.exit_code == 2 and "no time field" in result.stderr
