"""Routing parameters: the probe keeps them, the analyzer names endpoints with them, and both
clean a value the same way."""

from __future__ import annotations

import json
import re
import subprocess

import duckdb
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from fpmscope.endpoints import (
    DEFAULT_ROUTE_PARAMS,
    DEFAULT_RULES,
    endpoint_sql,
    parse_route_params,
    route_pairs_pattern,
    route_query_keep_sql,
)
from fpmscope.errors import FpmscopeError
from fpmscope.probe import probe_path


def name(uri: str, params: tuple[str, ...] = DEFAULT_ROUTE_PARAMS) -> str:
    expr, args = endpoint_sql("m", "u", DEFAULT_RULES, params)
    row = duckdb.execute(f"SELECT {expr} FROM (SELECT $m AS m, $u AS u)", {**args, "m": "GET", "u": uri}).fetchone()
    assert row is not None
    return str(row[0])


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("/wp-admin/admin-ajax.php?action=heartbeat&_wpnonce=abc", "GET /wp-admin/admin-ajax.php?action=heartbeat"),
        ("/index.php?route=product%2Fsearch&search=shoes", "GET /index.php?route=product/search"),
        ("/index.php?task=article.save&option=com_content&id=7", "GET /index.php?option=com_content&task=article.save"),
        ("/index.php?r=site/view&id=4", "GET /index.php?r=site/view"),
        ("/doku.php?id=start&do=edit", "GET /doku.php?do=edit"),
        ("/?rest_route=/wp/v2/posts/123", "GET /?rest_route=/wp/v2/posts/{id}"),
        ("/list.php?page=12", "GET /list.php"),
        ("/list.php?page=contact&r=4", "GET /list.php?page=contact"),
        ("/list.php?r=4&page=contact", "GET /list.php?page=contact"),
        ("/index.php?title=Main_Page&action=history", "GET /index.php?action=history"),
        ("/search?q=secret", "GET /search"),
        ("/x?action=a%20b%3Cscript%3E", "GET /x?action=a_b_script_"),
        ("/x?action=" + "x" * 100, "GET /x?action=" + "x" * 64),
        ("/x?", "GET /x"),
        ("/static/js/app.3f9c2e1a.js", "GET /static/js/app.{hash}.js"),
        ("/static/js/main-0a1b2c3d.chunk.css", "GET /static/js/main-{hash}.chunk.css"),
        ("/static/js/jquery-3.6.0.min.js", "GET /static/js/jquery-3.6.0.min.js"),
        ("posts.show", "GET posts.show"),
        ("wp:single-post", "GET wp:single-post"),
    ],
)
def test_routing_parameters_name_the_endpoint(uri: str, expected: str) -> None:
    assert name(uri) == expected


def test_the_list_can_be_changed() -> None:
    assert name("/a.php?cmd=run&action=x", parse_route_params("cmd")) == "GET /a.php?cmd=run"
    assert name("/a.php?cmd=run&action=x", ()) == "GET /a.php"


def test_bad_parameter_names_are_refused() -> None:
    with pytest.raises(FpmscopeError):
        parse_route_params("action,a|b")


def test_the_probe_list_is_the_analyzer_list() -> None:
    text = probe_path().read_text()
    found = re.search(r"const PARAMS = '([^']*)'", text)
    assert found is not None
    assert tuple(found.group(1).split(",")) == DEFAULT_ROUTE_PARAMS


_PAIR_NAMES = st.sampled_from((*DEFAULT_ROUTE_PARAMS, "id", "q", "page2", "Action", ""))
_VALUES = st.text(alphabet="ab1=+%2Fe/#?{}.\u00e9 -_", max_size=8)
_PAIRS = st.lists(st.tuples(_PAIR_NAMES, st.booleans(), _VALUES), max_size=3)


@settings(max_examples=100, deadline=None)  # ~0.1 s each: the name expression is compiled twice
@given(_PAIRS)
@example([("action", True, "a")])
@example([("page", True, "%ff")])
@example([("id", True, "4")])
def test_one_routing_pair_is_named_as_the_general_case_names_it(pairs: list[tuple[str, bool, str]]) -> None:
    """A query string with at most one routing pair skips the general case (dedupe by name,
    sort); repeating its last routing pair sends it through the general case, and changes no
    name there (a repeated name counts once, with its last value)."""
    query = "&".join(f"{k}={v}" if eq else k + v for k, eq, v in pairs)
    found = re.findall(route_pairs_pattern(DEFAULT_ROUTE_PARAMS), query)
    if not found:
        assert "?" not in name("/x?" + query), query
        return
    assert name("/x?" + query) == name("/x?" + query + "&" + found[-1]), query


QUERIES = [
    "action=heartbeat&_wpnonce=abc",
    "task=save&option=com_content&id=7",
    "action=one&action=two",
    "route=product%2Fproduct&product_id=5",
    "action=a+b%20c&page=12",
    "action=%ff%fe&do=x",
    "action=%E2%82%AC-price",
    "action=a=b&do=%3Cscript%3E",
    "page2=x&page=y",
    "action=" + "b" * 80 + "&r=1",
    "action",
    "action=",
    "&&=x&action=ok",
]


@pytest.mark.parametrize("query", QUERIES)
def test_probe_log_and_access_log_give_the_same_endpoint(query: str) -> None:
    """The probe keeps `path?routing-pairs`; an access log carries the whole query string,
    reduced at ingest; both give the endpoint the whole query string gives."""
    script = f"include {str(probe_path())!r}; echo json_encode(\\Fpmscope\\Route::params('/index.php', $argv[1], ''));"
    out = subprocess.run(
        ["php", "-n", "-r", script, "--", query],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stderr == ""
    probe_uri = json.loads(out.stdout)
    whole = "/index.php?" + query
    keep = route_query_keep_sql("u", DEFAULT_ROUTE_PARAMS)
    row = duckdb.execute(f"SELECT {keep} FROM (SELECT $u AS u)", {"u": whole}).fetchone()
    assert row is not None
    access_uri = str(row[0])
    assert name(probe_uri) == name(access_uri) == name(whole)
    assert "abc" not in probe_uri and "product_id" not in probe_uri
