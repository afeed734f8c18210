"""Endpoint identity: method + normalized path, the same for probe logs and access logs.

Modern apps route every URL through index.php, so per-script ranking says nothing; an
endpoint is the method plus the path with its variable segments (ids, UUIDs, long hex, dates,
tokens) replaced by placeholders. The rules compile to one DuckDB SQL expression; user rules
are passed as bound parameters, never spliced into the SQL text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import duckdb

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
)

TOKEN_MIN_LEN: Final = 24

# Segments no default rule can match: every one needs a digit, an `@` or 16+ characters. Most
# segments are plain words; this one test spares them the seven regexes (tests/unit/
# test_endpoints.py checks it against DEFAULT_RULES).
DEFAULT_RULES_SKIP: Final = "strlen(s) < 16 AND NOT regexp_matches(s, '[0-9@]')"


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
    """A lambda body mapping segment `s` to its placeholder, and its (named) parameters."""
    cases = []
    params: dict[str, object] = {}
    defaults_from = len(rules) - len(DEFAULT_RULES)
    for i, rule in enumerate(rules):
        if i == defaults_from and rules[i:] == DEFAULT_RULES:
            cases.append(f"WHEN {DEFAULT_RULES_SKIP} THEN s")
        if rule.placeholder == "{token}":
            cases.append(f"WHEN length(s) >= $token_min_len AND regexp_full_match(s, $rule_{i}) THEN $name_{i}")
            params["token_min_len"] = TOKEN_MIN_LEN
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


def endpoint_sql(method: str, path: str, rules: tuple[Rule, ...]) -> tuple[str, dict[str, object]]:
    """SQL for `METHOD /normalized/path`; `path` must already lack the query string."""
    expr, params = path_sql(path, rules)
    return f"coalesce({method}, '-') || ' ' || {expr}", params
