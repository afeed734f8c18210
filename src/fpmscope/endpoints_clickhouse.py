"""Endpoint naming for ClickHouse: the rules of endpoints.py and endpoint_templates.py, as one
ClickHouse expression that names a request exactly as DuckDB's does.

The same rule tuples, routing parameters, constants and templates drive both: only the
functions differ (ClickHouse's RE2 `match` is a partial match, so full matches are anchored;
`multiIf` for CASE; arrays and lambdas for DuckDB's lists). Strings are never NULL in
ClickHouse: an empty string stands where DuckDB has NULL (an empty field of the log).
Patterns and names are bound parameters, as in endpoints.py.

Known difference: a routing value whose %-escapes decode to bytes that are not UTF-8 is
decoded anyway here (DuckDB keeps the escapes, then both turn every such run into `_`).
"""

from __future__ import annotations

import re

from fpmscope.endpoint_templates import PLACEHOLDER, Template
from fpmscope.endpoints import (
    _QUERY_MARKS,
    DEFAULT_RULES,
    ROUTE_VALUE_JUNK,
    ROUTE_VALUE_MAX,
    TOKEN_MIN_LEN,
    Rule,
    route_pairs_pattern,
)

# endpoints.DEFAULT_RULES_SKIP in ClickHouse: segments no default rule can match.
DEFAULT_RULES_SKIP = "length(s) < 16 AND NOT match(s, '[0-9@]')"


def _full(pattern: str) -> str:
    return f"^(?:{pattern})$"


def segment_sql(rules: tuple[Rule, ...]) -> tuple[str, dict[str, object]]:
    """A lambda body mapping segment `s` to its placeholder (endpoints.segment_sql)."""
    cases = []
    params: dict[str, object] = {}
    defaults_from = len(rules) - len(DEFAULT_RULES)
    for i, rule in enumerate(rules):
        if i == defaults_from and rules[i:] == DEFAULT_RULES:
            cases.append(f"{DEFAULT_RULES_SKIP}, s")
        if rule.placeholder == "{token}":
            # DuckDB's length() counts characters.
            cases.append(f"lengthUTF8(s) >= $token_min_len AND match(s, $rule_{i}), $name_{i}")
            params["token_min_len"] = TOKEN_MIN_LEN
        elif "\\" in rule.placeholder:
            cases.append(f"match(s, $rule_{i}), replaceRegexpOne(s, $whole_{i}, $name_{i})")
            params[f"whole_{i}"] = f"^(?:{rule.pattern})$"
        else:
            cases.append(f"match(s, $rule_{i}), $name_{i}")
        params[f"rule_{i}"] = _full(rule.pattern)
        params[f"name_{i}"] = rule.placeholder
    return "multiIf(" + ", ".join(cases) + ", s)", params


def path_sql(column: str, rules: tuple[Rule, ...]) -> tuple[str, dict[str, object]]:
    """The normalized path of `column` (a path without query string)."""
    body, params = segment_sql(rules)
    return f"arrayStringConcat(arrayMap(s -> {body}, splitByChar('/', {column})), '/')", params


def route_value_sql(column: str) -> str:
    """A raw routing value cleaned: URL-decoded, junk runs to `_`, cut."""
    decoded = f"decodeURLComponent(replaceAll({column}, '+', ' '))"
    return f"substring(replaceRegexpAll({decoded}, '{ROUTE_VALUE_JUNK}', '_'), 1, {ROUTE_VALUE_MAX})"


def query_sql(column: str, names: tuple[str, ...]) -> tuple[str, dict[str, object]]:
    """The routing part of query string `column`, as endpoints.query_sql builds it."""
    if not names:
        return "''", {}
    ps = f"extractAll({column}, $route_pairs)"
    name = "splitByChar('=', kv)[1]"
    value = route_value_sql("substring(kv, position(kv, '=') + 1)")
    # A repeated name counts once, with its last value, as in PHP's $_GET.
    later = f"arrayMap(p -> splitByChar('=', p)[1], arraySlice({ps}, i + 1))"
    last = f"arrayFilter((kv, i) -> NOT has({later}, {name}), {ps}, arrayEnumerate({ps}))"
    expr = f"arrayStringConcat(arraySort(arrayMap(kv -> concat({name}, '=', {value}), {last})), '&')"
    return expr, {"route_pairs": route_pairs_pattern(names)}


def _ch(text: str) -> str:
    """A ClickHouse string literal of fixed text (the query marks)."""
    return "'" + "".join(f"\\x{ord(c):02x}" if ord(c) < 0x20 else c for c in text) + "'"


def templates_sql(column: str, templates: tuple[Template, ...]) -> tuple[str, dict[str, object]]:
    """endpoint_templates.templates_sql in ClickHouse (the same patterns, bound)."""
    expr = column
    params: dict[str, object] = {}
    for k, t in enumerate(templates):
        prefix = re.escape(t.prefix)
        if t.fixed:
            fixed = "|".join(re.escape(v) for v in t.fixed)
            params[f"tprotect_{k}"] = f"^({prefix})({fixed})(/|\\?|$)"
            expr = f"replaceRegexpOne({expr}, $tprotect_{k}, '\\\\1\\x04\\\\2\\\\3')"
        params[f"tcollapse_{k}"] = f"^({prefix})[^/?{{\x01\x04][^/?]*"
        expr = f"replaceRegexpOne({expr}, $tcollapse_{k}, '\\\\1{PLACEHOLDER}')"
        if t.fixed:
            expr = f"replaceAll({expr}, '\\x04', '')"
    return expr, params


def uri_sql(
    column: str, rules: tuple[Rule, ...], names: tuple[str, ...], templates: tuple[Template, ...] = ()
) -> tuple[str, dict[str, object]]:
    """endpoints.uri_sql in ClickHouse: path segments normalized, then the routing parameters."""
    query, qparams = query_sql(f"splitByChar('?', {column})[2]", names)
    marked = query
    for sep, mark in _QUERY_MARKS[1:]:
        marked = f"replaceAll({marked}, '{sep}', {_ch(mark)})"
    joined = f"concat(splitByChar('?', {column})[1], if({query} = '', '', concat({_ch(_QUERY_MARKS[0][1])}, {marked})))"
    expr, pparams = path_sql(joined, rules)
    expr, tparams = templates_sql(expr, templates)
    for sep, mark in _QUERY_MARKS:
        expr = f"replaceAll({expr}, {_ch(mark)}, '{sep}')"
    # A routing parameter whose whole value is a placeholder names no code: it goes.
    expr = f"replaceRegexpAll(concat({expr}, '&'), '([?&])[^?&=/]+=\\\\{{[^{{}}&?/]*\\\\}}&', '\\\\1')"
    expr = f"replaceRegexpOne({expr}, '[&?]+$', '')"
    return expr, qparams | pparams | tparams


def endpoint_sql(
    method: str,
    uri: str,
    rules: tuple[Rule, ...],
    route_params: tuple[str, ...],
    templates: tuple[Template, ...] = (),
) -> tuple[str, dict[str, object]]:
    """`METHOD /normalized/path[?routing=params]`, or `METHOD name` for a route name."""
    expr, params = uri_sql(uri, rules, route_params, templates)
    return f"concat(if({method} = '', '-', {method}), ' ', {expr})", params


def route_query_keep_sql(column: str, names: tuple[str, ...]) -> str:
    """endpoints.route_query_keep_sql in ClickHouse: a request target reduced to its path plus
    its routing `name=value` pairs, raw. Names are validated, so the pattern is safe text."""
    path = f"splitByChar('?', {column})[1]"
    if not names:
        return path
    pattern = route_pairs_pattern(names).replace("\\", "\\\\").replace("'", "\\'")
    kept = f"arrayStringConcat(extractAll(splitByChar('?', {column})[2], '{pattern}'), '&')"
    return f"if(position({column}, '?') = 0, {column}, concat({path}, if({kept} = '', '', concat('?', {kept}))))"
