"""Endpoint identity: method + normalized path, the same for probe logs and access logs.

Modern apps route every URL through index.php, so per-script ranking says nothing; an
endpoint is the method plus the path with its variable segments (ids, UUIDs, long hex, dates,
tokens, build hashes) replaced by placeholders, plus the values of the query parameters that
route requests in query-string routers (`?action=`, `?route=`...), normalized the same way.
A route name (the probe's `tag`) that does not start with `/` names the endpoint as it is.
The rules compile to one DuckDB SQL expression; user rules and log content are bound
parameters, never spliced into the SQL text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

import duckdb

from fpmscope.endpoint_templates import Template, templates_sql
from fpmscope.errors import FpmscopeError


@dataclass(frozen=True, slots=True)
class Rule:
    """Replace a whole path segment matching `pattern` (RE2 syntax) with `placeholder`."""

    pattern: str
    placeholder: str


# Order matters: the first rule whose pattern matches the whole segment wins.
DEFAULT_RULES: Final = (
    Rule(r"[0-9]+", "{id}"),
    Rule(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}", "{uuid}"),
    Rule(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", "{date}"),
    Rule(r"[0-9a-fA-F]{16,}", "{hex}"),
    Rule(r"[^/@]+@[^/@]+\.[A-Za-z]{2,}", "{email}"),
    # Long opaque tokens: 24+ characters of base64/url-safe alphabet with at least one digit.
    Rule(r"[A-Za-z0-9_-]*[0-9][A-Za-z0-9_-]*", "{token}"),
    Rule(r"[0-9]+\.[A-Za-z0-9]{1,5}", "{id}.ext"),
    # Build hashes in asset names (`app.3f9c2e1a.js`, `main-0a1b2c.chunk.css`): a hex run with
    # a digit and a letter between a `.`/`-` and the extension; the name and extension stay.
    Rule(
        r"([^/]*[.-])(?:[0-9a-f]*[0-9][0-9a-f]*[a-f][0-9a-f]*|[0-9a-f]*[a-f][0-9a-f]*[0-9][0-9a-f]*)(\.[A-Za-z0-9.]+)",
        r"\1{hash}\2",
    ),
)

TOKEN_MIN_LEN: Final = 24

# Segments no default rule can match: every one needs a digit, an `@` or 16+ characters. Most
# segments are plain words; this one test spares them the seven regexes (tests/unit/
# test_endpoints.py checks it against DEFAULT_RULES).
DEFAULT_RULES_SKIP: Final = "strlen(s) < 16 AND NOT regexp_matches(s, '[0-9@]')"


# Query parameters whose value says which code runs, kept by the probe (FPMSCOPE_ROUTE_PARAMS
# changes its list) and read from access logs: WordPress admin-ajax/admin-post/wp-login
# `action`, plain-permalink `rest_route` and admin `page`; MediaWiki `action`; DokuWiki `do`;
# Joomla `option`, `task`, `view`; OpenCart and phpMyAdmin `route`; Yii `r`; PrestaShop
# `controller`. Names of things rather than of code (MediaWiki `title`, DokuWiki `id`,
# WordPress `p`, search `q`) are left out: they are one value per article, and would split
# one route into thousands of endpoints. Keep in step with probe.php's ROUTE_PARAMS.
DEFAULT_ROUTE_PARAMS: Final = (
    *("action", "controller", "do", "option", "page"),
    *("r", "rest_route", "route", "task", "view"),
)
ROUTE_PARAM_NAME: Final = re.compile(r"[A-Za-z0-9_-]{1,64}")
# A value is URL-decoded, every run of other characters becomes `_`, and it is cut to 64
# characters (probe.php does the same, so the analyzer's pass changes nothing it wrote).
ROUTE_VALUE_JUNK: Final = "[^A-Za-z0-9._~:/-]+"
ROUTE_VALUE_MAX: Final = 64


def parse_route_params(text: str) -> tuple[str, ...]:
    """Parse a comma-separated list of routing parameter names (as given to --route-params)."""
    names = tuple(sorted({n.strip() for n in text.split(",") if n.strip()}))
    bad = [n for n in names if not ROUTE_PARAM_NAME.fullmatch(n)]
    if bad:
        raise FpmscopeError(f"bad routing parameter name {bad[0]!r}: letters, digits, _ and - only")
    return names


def parse_rule(text: str) -> Rule:
    """Parse a user rule `REGEX=PLACEHOLDER` (as given to --rule)."""
    pattern, sep, placeholder = text.rpartition("=")
    if not sep or not pattern or not placeholder:
        raise FpmscopeError(f"bad --rule {text!r}: expected REGEX=PLACEHOLDER, e.g. 'v[0-9]+={{version}}'")
    problem = regex_problem(pattern)
    if problem is not None:
        raise FpmscopeError(f"bad --rule {text!r}: {problem}")
    return Rule(pattern, placeholder)


def regex_problem(pattern: str) -> str | None:
    """Why DuckDB's RE2 refuses `pattern` (lookarounds, backreferences...), or None."""
    try:
        duckdb.execute("SELECT regexp_matches('', $pattern)", {"pattern": pattern}).fetchall()
    except duckdb.Error as exc:
        return str(exc).strip().splitlines()[0]
    return None


def segment_sql(rules: tuple[Rule, ...]) -> tuple[str, dict[str, object]]:
    """A lambda body mapping segment `s` to its placeholder, and its (named) parameters.

    A placeholder with a group reference (`\\1`) rewrites the segment with regexp_replace;
    any other replaces it whole.
    """
    cases = []
    params: dict[str, object] = {}
    defaults_from = len(rules) - len(DEFAULT_RULES)
    for i, rule in enumerate(rules):
        if i == defaults_from and rules[i:] == DEFAULT_RULES:
            cases.append(f"WHEN {DEFAULT_RULES_SKIP} THEN s")
        if rule.placeholder == "{token}":
            cases.append(f"WHEN length(s) >= $token_min_len AND regexp_full_match(s, $rule_{i}) THEN $name_{i}")
            params["token_min_len"] = TOKEN_MIN_LEN
        elif "\\" in rule.placeholder:
            cases.append(f"WHEN regexp_full_match(s, $rule_{i}) THEN regexp_replace(s, $whole_{i}, $name_{i})")
            params[f"whole_{i}"] = f"^(?:{rule.pattern})$"
        else:
            cases.append(f"WHEN regexp_full_match(s, $rule_{i}) THEN $name_{i}")
        params[f"rule_{i}"] = rule.pattern
        params[f"name_{i}"] = rule.placeholder
    return "CASE " + " ".join(cases) + " ELSE s END", params


def path_sql(column: str, rules: tuple[Rule, ...]) -> tuple[str, dict[str, object]]:
    """SQL for the normalized path of `column` (a path without query string)."""
    body, params = segment_sql(rules)
    expr = f"array_to_string(list_transform(string_split({column}, '/'), lambda s: {body}), '/')"
    return expr, params


def route_value_sql(column: str) -> str:
    """SQL cleaning a raw routing parameter value (URL-decoded, junk runs to `_`, cut)."""
    # A value that does not decode to UTF-8 loses its escapes: the probe's bytes >= 0x80 are junk too.
    undecodable = f"regexp_replace({column}, '(%[0-9A-Fa-f]{{2}})+', '%', 'g')"
    decoded = f"coalesce(try(url_decode(replace({column}, '+', ' '))), {undecodable})"
    return f"left(regexp_replace({decoded}, '{ROUTE_VALUE_JUNK}', '_', 'g'), {ROUTE_VALUE_MAX})"


def route_pairs_pattern(names: tuple[str, ...]) -> str:
    """RE2 pattern whose group 1 is one `name=value` pair of a routing parameter."""
    for name in names:
        if not ROUTE_PARAM_NAME.fullmatch(name):
            raise ValueError(f"bad routing parameter name {name!r}")
    return "(?:^|&)((?:" + "|".join(names) + ")=[^&#]*)"


def query_sql(column: str, names: tuple[str, ...]) -> tuple[str, dict[str, object]]:
    """SQL for the routing part of query string `column`: `name=value&...` sorted as the probe
    sorts them, each value cleaned (route_value_sql); '' when none is present."""
    if not names:
        return "''", {}
    value = route_value_sql("kv[strpos(kv, '=') + 1:]")
    pairs = f"regexp_extract_all({column}, $route_pairs, 1)"
    # A repeated name counts once, with its last value, as in PHP's $_GET.
    later = "list_transform(ps[i + 1:], lambda p: split_part(p, '=', 1))"
    last = f"list_filter(ps, lambda kv, i: NOT list_contains({later}, split_part(kv, '=', 1)))"
    pair = f"split_part(kv, '=', 1) || '=' || {value}"
    # One pair (or none), the usual case, needs neither the filter nor the sort: they cost
    # half of the naming of a URI with a query string.
    one = f"coalesce(list_transform(ps, lambda kv: {pair})[1], '')"
    many = f"array_to_string(list_sort(list_transform({last}, lambda kv: {pair})), '&')"
    expr = f"list_transform([{pairs}], lambda ps: CASE WHEN len(ps) < 2 THEN {one} ELSE {many} END)[1]"
    return expr, {"route_pairs": route_pairs_pattern(names)}


# Separators of the query part while it is normalized with the path's segments: as segments of
# their own (`/\x01/` for `?`, `/\x02/` for `=`, `/\x03/` for `&`) the rules never see them, and
# a cleaned value has no control bytes. One list_transform then normalizes the path and every
# value: a second one for the values cost as much again.
_QUERY_MARKS: Final = (("?", "/\x01/"), ("=", "/\x02/"), ("&", "/\x03/"))


def uri_sql(
    column: str, rules: tuple[Rule, ...], names: tuple[str, ...], templates: tuple[Template, ...] = ()
) -> tuple[str, dict[str, object]]:
    """SQL naming `column`: a path with or without a query string, or a route name.

    The path's segments are normalized, then `?` and the routing parameters (query_sql) if
    any, their values normalized like segments. A route name (not starting with `/`) has no
    `/` to split on, and keeps its name unless a whole-segment rule matches it.
    """
    query, qparams = query_sql(f"split_part({column}, '?', 2)", names)
    marked = f"nullif({query}, '')"
    for sep, mark in _QUERY_MARKS[1:]:
        marked = f"replace({marked}, '{sep}', '{mark}')"
    joined = f"split_part({column}, '?', 1) || coalesce('{_QUERY_MARKS[0][1]}' || {marked}, '')"
    expr, pparams = path_sql(joined, rules)
    expr, tparams = templates_sql(expr, templates)
    for sep, mark in _QUERY_MARKS:
        expr = f"replace({expr}, '{mark}', '{sep}')"
    # A routing parameter whose whole value is a placeholder (`?page=2` paginates, `?r=123`)
    # names no code: it goes. Every pair ends with `&` while this runs.
    expr = f"rtrim(regexp_replace({expr} || '&', '([?&])[^?&=/]+=\\{{[^{{}}&?/]*\\}}&', '\\1', 'g'), '&?')"
    return expr, qparams | pparams | tparams


def endpoint_sql(
    method: str,
    uri: str,
    rules: tuple[Rule, ...],
    route_params: tuple[str, ...] = DEFAULT_ROUTE_PARAMS,
    templates: tuple[Template, ...] = (),
) -> tuple[str, dict[str, object]]:
    """SQL for `METHOD /normalized/path[?routing=params]`, or `METHOD name` for a route name;
    `templates` (endpoint_templates.infer) collapse slugs after the segment rules."""
    expr, params = uri_sql(uri, rules, route_params, templates)
    return f"coalesce({method}, '-') || ' ' || {expr}", params


# Characters that make uri_sql do more than normalize a URI's path segments: the query string,
# `&` (trimmed as a pair separator), and its marks for `?`, `=` and `&` (_QUERY_MARKS).
_NOT_PLAIN: Final = "?&\x01\x02\x03"


def plain_uri_sql(column: str) -> str:
    """SQL true when `column` has none of the characters that uri_sql treats apart (no query
    string, no `&`, none of its marks): its name is then its path's segments normalized."""
    return "NOT (" + " OR ".join(f"contains({column}, chr({ord(c)}))" for c in _NOT_PLAIN) + ")"


def naming_sql(
    method: str, uri: str, rules: tuple[Rule, ...], route_params: tuple[str, ...]
) -> tuple[dict[str, str], dict[str, object]]:
    """The pieces of a query that names `uri` in two branches (sql/slow_paths.sql,
    sql/leak_keys.sql): `endpoint` (endpoint_sql), `plain` (plain_uri_sql, or false when a
    rule turns the shortcut off) and `plain_endpoint` (plain_endpoint_sql), with their
    parameters together."""
    expr, params = endpoint_sql(method, uri, rules, route_params)
    plain = plain_endpoint_sql(method, uri, rules)
    if plain is None:
        return {"endpoint": expr, "plain": "false", "plain_endpoint": "NULL"}, params
    return {"endpoint": expr, "plain": plain_uri_sql(uri), "plain_endpoint": plain[0]}, params | plain[1]


def plain_endpoint_sql(method: str, uri: str, rules: tuple[Rule, ...]) -> tuple[str, dict[str, object]] | None:
    """endpoint_sql for the URIs plain_uri_sql holds true of, without the query string's
    machinery (lists, regexes, sorting), which costs more than the segments themselves; the
    same names. None when a rule's placeholder holds one of those characters: every URI then
    takes endpoint_sql."""
    if any(any(ch in r.placeholder for ch in _NOT_PLAIN) for r in rules):
        return None
    expr, params = path_sql(uri, rules)
    return f"coalesce({method}, '-') || ' ' || {expr}", params


def route_query_keep_sql(column: str, names: tuple[str, ...]) -> str:
    """SQL that reduces a request target to its path plus its routing `name=value` pairs, raw.

    For access-log ingest: the query string beyond the routing parameters never reaches the
    table, and the distinct paths stay few. Names are validated, so the pattern is safe text.
    """
    path = f"split_part({column}, '?', 1)"
    if not names:
        return path
    pattern = route_pairs_pattern(names)
    kept = f"array_to_string(regexp_extract_all(split_part({column}, '?', 2), '{pattern}', 1), '&')"
    return (
        f"CASE WHEN NOT contains({column}, '?') THEN {column} "
        f"ELSE {path} || list_transform([{kept}], lambda q: CASE WHEN q = '' THEN '' ELSE '?' || q END)[1] END"
    )
