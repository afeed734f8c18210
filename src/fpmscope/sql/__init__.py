"""Named SQL, one file per query, loaded by name. SQL text never contains log content.

Parameters are named (`$name`, bound from a dict). Rows come back as typed records by
column name: every query names its output columns, and `rows`/`row` check those names
against the record type's fields, so a reordered or renamed column fails loudly instead of
landing in the wrong field.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any, TypeVar

import duckdb

T = TypeVar("T")


@cache
def query(name: str) -> str:
    return (resources.files(__package__) / f"{name}.sql").read_text(encoding="utf-8")


def fields(kind: type) -> tuple[str, ...]:
    """The field names of a dataclass or named tuple, in order."""
    if dataclasses.is_dataclass(kind):
        return tuple(f.name for f in dataclasses.fields(kind))
    names = getattr(kind, "_fields", None)
    if names is None:
        raise TypeError(f"{kind.__name__} is neither a dataclass nor a named tuple")
    return tuple(names)


def columns(cursor: duckdb.DuckDBPyConnection) -> tuple[str, ...]:
    """The output column names of the last statement run on `cursor`."""
    return tuple(d[0] for d in cursor.description or ())


def _check(cursor: duckdb.DuckDBPyConnection, kind: type, what: str) -> None:
    got, want = columns(cursor), fields(kind)
    if got != want:
        raise TypeError(f"{what} returns columns {got}, but {kind.__name__} has fields {want}")


def rows(
    con: duckdb.DuckDBPyConnection, name: str, kind: type[T], params: Mapping[str, object] | None = None
) -> list[T]:
    """Every row of the named query as a `kind`, its columns matched to the fields by name."""
    cursor = con.execute(query(name), params or {})
    _check(cursor, kind, f"sql/{name}.sql")
    make: Any = kind
    return [make(*r) for r in cursor.fetchall()]


def row(con: duckdb.DuckDBPyConnection, name: str, kind: type[T], params: Mapping[str, object] | None = None) -> T:
    """The one row of the named query (an aggregate) as a `kind`."""
    found = rows(con, name, kind, params)
    if len(found) != 1:
        raise ValueError(f"sql/{name}.sql returned {len(found)} rows, expected one")
    return found[0]
