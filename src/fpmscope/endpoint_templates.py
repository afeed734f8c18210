"""Inferred templates: path positions that take many distinct values become `{slug}`.

Slugs, titles and tokens the default rules cannot recognize (`/blog/my-first-post`,
`/wiki/Main_Page`) make one endpoint per article: the leak is spread thin and the output grows
with the site. Over the distinct normalized paths of a log, position by position from the
left, a prefix under which one position takes at least `min_values` distinct values (scripts
and hubs apart, see sql/infer_level.sql) gets a template; its values collapse to `{slug}` and
the next positions are counted over the collapsed paths (`/user/{slug}/posts/{slug}`).

Set-based and sorted, so the same log always gives the same templates. The templates are
rules for the endpoint expression (endpoints.uri_sql), applied in order after the segment
rules: a user `--rule` that names a segment first leaves it to that rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

import duckdb

from fpmscope.model.inputs import InferredTemplate
from fpmscope.sql import query

PLACEHOLDER: Final = "{slug}"
# Distinct values a position must take under one prefix before it is a template. Real sites
# have a few dozen fixed routes side by side at most; articles, users and tags number hundreds.
DEFAULT_MIN_VALUES: Final = 50
MAX_DEPTH: Final = 16
# Templates applied at most: each is one step of the endpoint expression.
MAX_TEMPLATES: Final = 64


@dataclass(frozen=True, slots=True)
class Template:
    """Under `prefix` (ends with `/`), the next segment becomes `{slug}` unless it is in `fixed`."""

    prefix: str
    fixed: tuple[str, ...]
    values: int  # distinct values collapsed

    @property
    def name(self) -> str:
        return self.prefix + PLACEHOLDER

    def model(self) -> InferredTemplate:
        """As the reports show it."""
        return InferredTemplate(template=self.name, values=self.values, kept=self.fixed)


def infer(
    con: duckdb.DuckDBPyConnection, paths: str, params: dict[str, object], min_values: int
) -> tuple[Template, ...]:
    """Templates for the normalized paths that the SELECT `paths` (one column, `path`) gives."""
    if min_values <= 0:
        return ()
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE infer_paths AS SELECT DISTINCT string_split(path, '/') AS segs "
        f"FROM ({paths}) WHERE starts_with(path, '/')",
        params,
    )
    found: list[Template] = []
    depth = con.execute("SELECT coalesce(max(len(segs)), 0) FROM infer_paths").fetchone()
    assert depth is not None
    for i in range(2, min(int(depth[0]), MAX_DEPTH) + 1):
        con.execute(query("infer_level"), {"i": i, "min_values": min_values})
        level = con.execute("SELECT prefix, n_values, fixed FROM infer_found ORDER BY prefix").fetchall()
        if not level:
            continue
        found += [Template(prefix + "/", tuple(fixed), int(n)) for prefix, n, fixed in level]
        con.execute(query("infer_collapse"), {"i": i, "placeholder": PLACEHOLDER})
    con.execute("DROP TABLE IF EXISTS infer_paths; DROP TABLE IF EXISTS infer_found")
    # The biggest first when there are too many; still in position order (shorter prefixes first).
    kept = sorted(found, key=lambda t: (-t.values, t.prefix))[:MAX_TEMPLATES]
    return tuple(sorted(kept, key=lambda t: (t.prefix.count("/"), t.prefix)))


def collapse(con: duckdb.DuckDBPyConnection, table: str, min_values: int) -> tuple[Template, ...]:
    """Infer templates over the distinct paths of the endpoint names in `table` (its column
    `endpoint`: `METHOD /path[?routing]`, each path normalized once already) and rename the
    names they collapse, in place (sql/templates_apply.sql). `table` is a name from our code."""
    paths = f"SELECT DISTINCT split_part(endpoint[strpos(endpoint, ' ') + 1:], '?', 1) AS path FROM {table}"
    templates = infer(con, paths, {}, min_values)
    if templates:
        templated, params = templates_sql("rest", templates)
        con.execute(query("templates_apply").format(table=table, templated=templated), params)
    return templates


def infer_list(paths: list[str], min_values: int) -> tuple[Template, ...]:
    """`infer` over paths held in memory (those another engine found), in a scratch DuckDB.
    They go in as one list parameter: executemany inserts row by row (20 s for 100,000 paths)."""
    if min_values <= 0:
        return ()
    con = duckdb.connect()
    try:
        con.execute("CREATE TABLE given_paths AS SELECT unnest($paths::VARCHAR[]) AS path", {"paths": paths})
        return infer(con, "SELECT path FROM given_paths", {}, min_values)
    finally:
        con.close()


def templates_sql(column: str, templates: tuple[Template, ...]) -> tuple[str, dict[str, object]]:
    """SQL applying `templates` in order to the normalized path `column` (the query part, if
    any, follows as a `/\\x01/` segment or after `?`, and is never collapsed).

    Regexes only (patterns are bound parameters, their log-derived parts escaped): a template's
    fixed values are first marked with \\x04 so the collapse skips them, then unmarked. Binding
    the path to a lambda per template instead cost 10x more (nested lambdas over 200 k paths).
    """
    expr = column
    params: dict[str, object] = {}
    for k, t in enumerate(templates):
        prefix = re.escape(t.prefix)
        if t.fixed:
            fixed = "|".join(re.escape(v) for v in t.fixed)
            params[f"tprotect_{k}"] = f"^({prefix})({fixed})(/|\\?|$)"
            expr = f"regexp_replace({expr}, $tprotect_{k}, '\\1\x04\\2\\3')"
        params[f"tcollapse_{k}"] = f"^({prefix})[^/?{{\x01\x04][^/?]*"
        expr = f"regexp_replace({expr}, $tcollapse_{k}, '\\1{PLACEHOLDER}')"
        if t.fixed:
            expr = f"replace({expr}, '\x04', '')"
    return expr, params
