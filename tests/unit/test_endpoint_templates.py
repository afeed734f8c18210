"""Inferred templates: positions with many distinct values collapse to `{slug}`, scripts and
hubs stay, deterministically."""

from __future__ import annotations

import random

import duckdb

from fpmscope.endpoint_templates import infer, templates_sql
from fpmscope.endpoints import DEFAULT_RULES, endpoint_sql, parse_rule, path_sql

WORDS = ("alpha", "beta", "gamma", "delta", "omega", "tune", "leak", "pool", "memory", "slow", "fast", "php")


def slug(rnd: random.Random) -> str:
    return "-".join(rnd.choice(WORDS) for _ in range(3)) + "-" + "".join(rnd.choices("abcdefghijklmnopqrstuvwxyz", k=6))


FIXED = [
    "/",
    "/wp-admin/edit.php",
    "/wp-admin/post.php",
    "/wp-admin/admin-ajax.php",
    "/wp-json/wp/v2/posts",
    "/wp-json/wp/v2/pages",
    "/index.php",
    "/static/js/app.3f9c2e1a.js",
    "/static/js/app.77aa01be.js",
    "/static/css/site.0b1c2d3e4f.css",
]


def slug_paths(n: int, seed: int = 1) -> list[str]:
    """n slug URLs under five templates, and the fixed routes above."""
    rnd = random.Random(seed)
    shapes = ("/blog/{}", "/wiki/{}", "/user/{}/posts", "/tag/{}/feed/", "/{}/")
    out = [shapes[i % 5].format(slug(rnd)) for i in range(n)]
    return out + FIXED * 3


def endpoints(paths: list[str], min_values: int = 50, rules: tuple[object, ...] = DEFAULT_RULES) -> dict[str, int]:
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT unnest($p) AS u", {"p": paths})
    path, params = path_sql("u", rules)  # type: ignore[arg-type]
    templates = infer(con, f"SELECT DISTINCT {path} AS path FROM t", params, min_values)
    expr, eparams = endpoint_sql("'GET'", "u", rules, templates=templates)  # type: ignore[arg-type]
    rows = con.execute(f"SELECT {expr}, count(*) FROM t GROUP BY ALL", eparams).fetchall()
    return {str(e): int(n) for e, n in rows}


def test_200k_slug_urls_under_five_templates_give_five_endpoints_and_the_fixed_ones() -> None:
    found = endpoints(slug_paths(200_000))
    assert {e: n for e, n in found.items() if n > 3} == {
        "GET /blog/{slug}": 40_000,
        "GET /wiki/{slug}": 40_000,
        "GET /user/{slug}/posts": 40_000,
        "GET /tag/{slug}/feed/": 40_000,
        "GET /{slug}/": 40_000,
        "GET /static/js/app.{hash}.js": 6,
    }
    assert {e for e, n in found.items() if n <= 3} == {
        "GET /",
        "GET /wp-admin/edit.php",
        "GET /wp-admin/post.php",
        "GET /wp-admin/admin-ajax.php",
        "GET /wp-json/wp/v2/posts",
        "GET /wp-json/wp/v2/pages",
        "GET /index.php",
        "GET /static/css/site.{hash}.css",
    }


def test_templates_say_where_and_from_how_many_values() -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT unnest($p) AS path", {"p": slug_paths(5_000)})
    templates = infer(con, "SELECT DISTINCT path FROM t", {}, 50)
    assert [(t.name, t.values) for t in templates] == [
        ("/{slug}", 1_000),
        ("/blog/{slug}", 1_000),
        ("/tag/{slug}", 1_000),
        ("/user/{slug}", 1_000),
        ("/wiki/{slug}", 1_000),
    ]
    assert templates[0].fixed == ("blog", "index.php", "static", "tag", "user", "wiki", "wp-admin", "wp-json")
    again = infer(con, "SELECT path FROM t ORDER BY random()", {}, 50)
    assert again == templates


def test_few_distinct_values_stay_as_they_are() -> None:
    paths = [f"/blog/post-{w}" for w in WORDS] * 10
    assert set(endpoints(paths)) == {f"GET /blog/post-{w}" for w in WORDS}


def test_inference_can_be_turned_off_and_rules_come_first() -> None:
    paths = slug_paths(1_000)
    off = endpoints(paths, min_values=0)
    assert len(off) > 900
    rule = parse_rule("[a-z]+-[a-z]+-[a-z]+-[a-z]{6}={post}")
    named = endpoints(paths, rules=(rule, *DEFAULT_RULES))
    assert named["GET /blog/{post}"] == 200 and "GET /blog/{slug}" not in named


def test_a_kept_value_stays_when_a_query_string_follows_it() -> None:
    """`slow` applies templates to finished endpoint names, where a routing parameter follows
    the path after `?`, not as a marked segment: `/index.php?action=view` under a root
    template kept `index.php` only when `/` followed it, and became `/{slug}?action=view`."""
    paths = [f"/my-post-{i}-title" for i in range(100)] + ["/index.php?action=view&id=7"]
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT unnest($p) AS u", {"p": paths})
    path, params = path_sql("split_part(u, '?', 1)", DEFAULT_RULES)
    templates = infer(con, f"SELECT DISTINCT {path} AS path FROM t", params, 50)
    assert [(t.prefix, t.fixed) for t in templates] == [("/", ("index.php",))]
    templated, tparams = templates_sql("e", templates)
    names = ["/index.php?action=view", "/index.php", "/my-post-3-title?page=2", "/index.phpx"]
    found = con.execute(f"SELECT {templated} FROM unnest($n::VARCHAR[]) AS n(e)", {"n": names} | tparams).fetchall()
    assert [r[0] for r in found] == ["/index.php?action=view", "/index.php", "/{slug}?page=2", "/{slug}"]
