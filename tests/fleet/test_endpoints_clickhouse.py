"""Endpoint names in ClickHouse (endpoints_clickhouse.py) are DuckDB's (endpoints.py), on
awkward requests: ids, UUIDs, hashes, e-mails, tokens, routing parameters (repeated, encoded,
paginated), route names, a user rule with a group reference, and inferred templates."""

from __future__ import annotations

import duckdb

from fpmscope import endpoints, endpoints_clickhouse
from fpmscope.endpoint_templates import Template, templates_sql
from fpmscope.endpoints import DEFAULT_ROUTE_PARAMS, DEFAULT_RULES, Rule
from fpmscope.fleet.cursor import open_cursor
from fpmscope.fleet.store import ChdbStore

REQUESTS = [
    ("GET", "/", ""),
    ("GET", "/users/123/avatar", ""),
    ("GET", "/orders/0b5d6f3e-1c2a-4b7e-9f00-123456789abc/items", ""),
    ("GET", "/files/deadbeefdeadbeefdeadbeef", ""),
    ("GET", "/archive/2024-05-01/list", ""),
    ("GET", "/people/jane.doe@example.com", ""),
    ("GET", "/t/AbCdEf0123456789_abcdefXYZ", ""),
    ("GET", "/img/123.png", ""),
    ("GET", "/static/app.3f9c2e1a.js", ""),
    ("POST", "/index.php?route=product/search&q=shoes", ""),
    ("GET", "/index.php?action=edit&action=view", ""),
    ("GET", "/index.php?page=2", ""),
    ("GET", "/index.php?r=site%2Flogin&x=1", ""),
    ("GET", "/wp-admin/admin-ajax.php?action=heart+beat%21", ""),
    ("GET", "/blog/my-first-post", ""),
    ("GET", "/blog/hello-world/comments", ""),
    ("GET", "/blog/archive", ""),
    ("GET", "/v2/things/9", ""),
    ("", "/no-method", ""),
    ("GET", "/ignored", "wp:single-post"),
    ("GET", "/ignored", "/named/42/path"),
    ("GET", "", ""),
]
RULES = (Rule(r"v([0-9]+)", r"v\1-{n}"), *DEFAULT_RULES)
TEMPLATES = (Template("/blog/", ("archive",), 50),)


def _duckdb_names() -> list[str]:
    expr, params = endpoints.endpoint_sql(
        "method", "CASE WHEN tag <> '' THEN tag ELSE coalesce(uri, '') END", RULES, DEFAULT_ROUTE_PARAMS, TEMPLATES
    )
    con = duckdb.connect()
    con.execute("CREATE TABLE r (i INTEGER, method VARCHAR, uri VARCHAR, tag VARCHAR)")
    # The DuckDB ingest reads an empty field as NULL.
    con.executemany(
        "INSERT INTO r VALUES (?, ?, ?, ?)",
        [(i, m or None, u or None, t or None) for i, (m, u, t) in enumerate(REQUESTS)],
    )
    return [n for (n,) in con.execute(f"SELECT {expr} FROM r ORDER BY i", params).fetchall()]


def _clickhouse_names(url: str) -> list[str]:
    expr, params = endpoints_clickhouse.endpoint_sql(
        "method", "if(tag != '', tag, uri)", RULES, DEFAULT_ROUTE_PARAMS, TEMPLATES
    )
    cur = open_cursor(url)
    try:
        found = cur.execute(
            f"SELECT i, {expr} AS endpoint FROM (SELECT $ms AS ms, $us AS us, $ts AS ts) AS q "
            "ARRAY JOIN arrayEnumerate(ms) AS i, ms AS method, us AS uri, ts AS tag ORDER BY i",
            {"ms": [m for m, _, _ in REQUESTS], "us": [u for _, u, _ in REQUESTS], "ts": [t for _, _, t in REQUESTS]}
            | params,
        ).fetchall()
    finally:
        cur.close()
    return [name for _, name in found]


def test_chdb_names_endpoints_as_duckdb_does(tmp_path: object) -> None:
    try:
        assert _clickhouse_names(f"chdb:{tmp_path}") == _duckdb_names()
    finally:
        ChdbStore.close_all()


def test_an_18_16_server_names_endpoints_as_duckdb_does(ch_single: str) -> None:
    assert _clickhouse_names(ch_single) == _duckdb_names()


def test_templates_applied_to_finished_names_agree_and_keep_a_value_before_a_query(tmp_path: object) -> None:
    """`slow` applies templates to finished names (`?` before the routing parameters): a kept
    value before `?` stays, in both engines (fleet/slow.py and analysis/slow.py)."""
    templates = (Template("/", ("blog", "index.php"), 100), *TEMPLATES)
    names = ["/index.php?action=view", "/index.php", "/my-post?page=2", "/blog/archive?page=3", "/blog/x?page=3"]
    expr, params = templates_sql("n", templates)
    con = duckdb.connect()
    duck = [
        r[0]
        for r in con.execute(f"SELECT {expr} FROM unnest($ns::VARCHAR[]) AS t(n)", {"ns": names} | params).fetchall()
    ]
    assert duck == [
        "/index.php?action=view",
        "/index.php",
        "/{slug}?page=2",
        "/blog/archive?page=3",
        "/blog/{slug}?page=3",
    ]
    cexpr, cparams = endpoints_clickhouse.templates_sql("n", templates)
    cur = open_cursor(f"chdb:{tmp_path}")
    try:
        found = cur.execute(
            f"SELECT i, {cexpr} FROM (SELECT $ns AS ns) AS q ARRAY JOIN arrayEnumerate(ns) AS i, ns AS n ORDER BY i",
            {"ns": names} | cparams,
        ).fetchall()
    finally:
        cur.close()
        ChdbStore.close_all()
    assert [name for _, name in found] == duck
