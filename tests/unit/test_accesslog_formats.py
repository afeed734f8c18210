"""Log-format strings compile to the right columns and regexes; nginx configs yield their formats."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fpmscope.accesslog import formats, nginxconf
from fpmscope.accesslog.formats import CsvColumn, parse_apache, parse_format, parse_nginx
from fpmscope.errors import FpmscopeError

COMBINED_LINE = (
    '203.0.113.9 - bob [10/Oct/2000:13:55:36 -0700] "GET /a/b?c=1 HTTP/1.1" 200 2326 "http://x/" "Mozilla/5.0 (X11)"'
)


def test_combined_splits_time_local_over_two_csv_columns() -> None:
    layout = formats.preset("timed").csv_layout()
    assert layout is not None
    assert layout[3] == CsvColumn("time_local", 1, 0, 1)
    assert layout[4] == CsvColumn("time_local", 0, 1, 2)
    assert layout[5] == CsvColumn("request")
    assert layout[-1] == CsvColumn("request_time")
    assert len(layout) == 11


def test_regex_of_combined_matches_a_real_line() -> None:
    m = re.match(formats.preset("combined").regex(), COMBINED_LINE)
    assert m is not None
    assert m.groups() == (
        "203.0.113.9",
        "bob",
        "10/Oct/2000:13:55:36 -0700",
        "GET /a/b?c=1 HTTP/1.1",
        "200",
        "2326",
        "http://x/",
        "Mozilla/5.0 (X11)",
    )


def test_apache_log_format_maps_to_nginx_names() -> None:
    fmt = parse_apache('%h %l %u %t \\"%r\\" %>s %b %D')
    assert fmt.variables == (
        "remote_addr",
        "remote_ident",
        "remote_user",
        "time_local",
        "request",
        "status",
        "body_bytes_sent_clf",
        "request_time_us",
    )
    assert fmt.csv_layout() is not None
    assert parse_apache("%h %{ms}T %{User-Agent}i").variables == ("remote_addr", "request_time_ms", "http_user_agent")


def test_format_with_glued_fields_has_no_csv_layout_but_a_regex() -> None:
    fmt = parse_nginx("$status|$request_time|$request_uri")
    assert fmt.csv_layout() is None
    m = re.match(fmt.regex(), "200|0.125|/x?y=1")
    assert m is not None and m.groups() == ("200", "0.125", "/x?y=1")


def test_prefixed_field_is_cut_in_csv() -> None:
    layout = parse_nginx('"$request" $status rt=$request_time').csv_layout()
    assert layout == (CsvColumn("request"), CsvColumn("status"), CsvColumn("request_time", 3, 0))


def test_multi_value_upstream_time_is_one_group() -> None:
    fmt = parse_nginx("$status $upstream_response_time $request_id")
    m = re.match(fmt.regex(), "502 0.100, 0.004 : 1.5 abc")
    assert m is not None and m.groups() == ("502", "0.100, 0.004 : 1.5", "abc")


@pytest.mark.parametrize(
    "text",
    ["nothing here", "$a$b", "%h %Z", ""],
)
def test_bad_formats_are_refused_with_a_message(text: str) -> None:
    with pytest.raises(FpmscopeError):
        parse_format(text)


def test_presets_by_name() -> None:
    assert parse_format("common").name == "common"
    assert "request_time" in parse_format("timed").variables


def test_nginx_conf_with_include_and_access_log(tmp_path: Path) -> None:
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "nginx.conf").write_text(
        "# main\nhttp {\n  include conf.d/*.conf;\n  access_log /var/log/nginx/a.log main; # used\n}\n"
    )
    (tmp_path / "conf.d" / "formats.conf").write_text(
        "log_format main '$remote_addr - [$time_local] '\n"
        "                '\"$request\" $status $request_time';  # two parts\n"
        'log_format other escape=json \'{"t":"$request_time","u":"$request_uri","s":"$status"}\';\n'
    )
    fmt = nginxconf.pick(tmp_path / "nginx.conf", None)
    assert fmt.name == "main"
    assert fmt.variables == ("remote_addr", "time_local", "request", "status", "request_time")
    other = nginxconf.pick(tmp_path / "nginx.conf", "other")
    assert other.json_keys == (("t", "request_time"), ("u", "request_uri"), ("s", "status"))
    with pytest.raises(FpmscopeError, match="no log_format 'nope'"):
        nginxconf.pick(tmp_path / "nginx.conf", "nope")


def test_nginx_conf_with_several_formats_and_no_access_log_asks_for_a_name(tmp_path: Path) -> None:
    conf = tmp_path / "nginx.conf"
    conf.write_text("log_format a '$status $request_uri';\nlog_format b '$status $uri';\n")
    with pytest.raises(FpmscopeError, match="--format-name"):
        nginxconf.pick(conf, None)
