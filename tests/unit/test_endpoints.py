"""Endpoint normalization: variable path segments become placeholders."""

from __future__ import annotations

import duckdb
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from fpmscope.endpoints import (
    DEFAULT_RULES,
    DEFAULT_RULES_SKIP,
    Rule,
    endpoint_sql,
    parse_rule,
    plain_endpoint_sql,
    plain_uri_sql,
)
from fpmscope.errors import FpmscopeError


def normalize(path: str, rules: tuple[Rule, ...] = DEFAULT_RULES) -> str:
    expr, params = endpoint_sql("m", "p", rules)
    row = duckdb.execute(f"SELECT {expr} FROM (SELECT $m AS m, $p AS p)", {**params, "m": "GET", "p": path}).fetchone()
    assert row is not None
    return str(row[0])


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/", "GET /"),
        ("/user/123/avatar", "GET /user/{id}/avatar"),
        ("/a/1/2/3", "GET /a/{id}/{id}/{id}"),
        ("/u/3f2504e0-4f89-11d3-9a0c-0305e82c3301", "GET /u/{uuid}"),
        ("/blob/0123456789abcdef0123", "GET /blob/{hex}"),
        ("/archive/2024-02-29/posts", "GET /archive/{date}/posts"),
        ("/reset/aGVsbG8gd29ybGQgdGhpcyBpcyBhIHRva2Vu9", "GET /reset/{token}"),
        ("/img/42.jpg", "GET /img/{id}.ext"),
        ("/people/jane@example.org", "GET /people/{email}"),
        ("/v2/products", "GET /v2/products"),
        ("/index.php", "GET /index.php"),
        ("/cafe", "GET /cafe"),
    ],
)
def test_variable_segments_become_placeholders(path: str, expected: str) -> None:
    assert normalize(path) == expected


def test_user_rules_come_first() -> None:
    rules = (parse_rule("v[0-9]+={version}"), *DEFAULT_RULES)
    assert normalize("/api/v2/items/9", rules) == "GET /api/{version}/items/{id}"


@pytest.mark.parametrize("text", ["no-equals", "=x", "[unclosed={x}"])
def test_bad_rules_are_refused(text: str) -> None:
    with pytest.raises(FpmscopeError):
        parse_rule(text)


def test_log_content_cannot_inject_sql() -> None:
    assert normalize("/x'); DROP TABLE t; --") == "GET /x'); DROP TABLE t; --"


# Segments near every default rule's edges: what each rule matches, and mixes of digits, hex
# letters, dashes, dots, `@` and non-ASCII.
segments = st.one_of(
    st.text(alphabet=st.sampled_from(list("0123456789abcdefABCDEFxyz-_.@é")), max_size=40),
    *(st.from_regex(rule.pattern, fullmatch=True).filter(lambda s: "/" not in s) for rule in DEFAULT_RULES),
)


@settings(max_examples=300, deadline=None)
@example(["abcdefabcdefabcd"])  # {hex} without a digit: caught by the length alone
@example(["abcdefab-abcd-abcd-abcd-abcdefabcdef"])  # so is a {uuid}
@example(["jane@example.org"])
@given(st.lists(segments, min_size=1, max_size=4))
def test_the_plain_word_shortcut_changes_no_endpoint(parts: list[str]) -> None:
    """DEFAULT_RULES_SKIP only spares segments that no default rule matches."""
    path = "/" + "/".join(parts)
    expr, params = endpoint_sql("m", "p", DEFAULT_RULES)
    shortcut = f"WHEN {DEFAULT_RULES_SKIP} THEN s "
    assert shortcut in expr
    full = expr.replace(shortcut, "")
    sql = f"SELECT {expr}, {full} FROM (SELECT $m AS m, $p AS p)"
    row = duckdb.execute(sql, {**params, "m": "GET", "p": path}).fetchone()
    assert row is not None
    assert row[0] == row[1]


# Whole URIs: paths of such segments, sometimes a query string, `&`, `=`, a control mark, a
# route name (no leading `/`), an empty one.
uris = st.builds(
    lambda lead, parts, tail: lead + "/".join(parts) + tail,
    st.sampled_from(["/", "", "//"]),
    st.lists(segments, max_size=4),
    st.one_of(
        st.just(""),
        st.sampled_from(["?", "&", "?action=edit", "?page=2&x=1", "&a=1", "\x01", "\x02/x", "/\x03/", "/=", "?&"]),
        st.text(alphabet=st.sampled_from(list("?&=/\x01a1")), max_size=8),
    ),
)


@settings(max_examples=400, deadline=None)
@example("/search&", DEFAULT_RULES)  # uri_sql trims a trailing `&`: not plain
@example("/a&page={id}&", DEFAULT_RULES)
@example("/index.php?action=view", DEFAULT_RULES)
@example("api.users", DEFAULT_RULES)
@example("/a/\x01/b", DEFAULT_RULES)  # uri_sql turns its marks back into `?`, `=`, `&`
@example("/a/\x02/b", DEFAULT_RULES)
@example("/a/\x03/b", DEFAULT_RULES)
@given(uris, st.sampled_from([DEFAULT_RULES, (Rule("v[0-9]+", "{version}"), *DEFAULT_RULES)]))
def test_a_plain_uri_gets_the_same_name_without_the_query_machinery(uri: str, rules: tuple[Rule, ...]) -> None:
    """plain_endpoint_sql names every URI that plain_uri_sql lets through as endpoint_sql does."""
    expr, params = endpoint_sql("m", "p", rules)
    plain = plain_endpoint_sql("m", "p", rules)
    assert plain is not None
    plain_expr, plain_params = plain
    sql = f"SELECT {plain_uri_sql('p')}, {expr}, {plain_expr} FROM (SELECT $m AS m, $p AS p)"
    row = duckdb.execute(sql, {**params, **plain_params, "m": "GET", "p": uri}).fetchone()
    assert row is not None
    is_plain, full, short = row
    if is_plain:
        assert short == full
    else:
        assert any(c in uri for c in "?&\x01\x02\x03")


def test_a_rule_whose_name_holds_a_query_character_turns_the_shortcut_off() -> None:
    assert plain_endpoint_sql("m", "p", (Rule("x+", "{a&b}"), *DEFAULT_RULES)) is None
    assert plain_endpoint_sql("m", "p", (Rule("x+", "{a?}"),)) is None
    assert plain_endpoint_sql("m", "p", DEFAULT_RULES) is not None
