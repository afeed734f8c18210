"""Named SQL, one file per query, loaded by name. SQL text never contains log content.

Parameters are named (`$name`, bound from a dict). Rows come back as typed records by
column name: every query names its output columns, and `rows`/`row` check those names
against the record type's fields, so a reordered or renamed column fails loudly instead of
landing in the wrong field.

Two dialects: DuckDB (`sql/NAME.sql`, the default) and ClickHouse (`sql/clickhouse/NAME.sql`,
the twin of the DuckDB file of the same name, for analysis inside a fleet's ClickHouse). A
connection says which it speaks by a `dialect` attribute (DuckDB's has none); `rows`, `row`
and `run` load the file of that dialect, so an analysis runs unchanged on either.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any, Protocol, TypeVar

import duckdb

T = TypeVar("T")

DUCKDB = "duckdb"
CLICKHOUSE = "clickhouse"


class Cursor(Protocol):
    """What the analyses use of a connection: DuckDB's, or fleet/cursor.py's over ClickHouse."""

    @property
    def description(self) -> Any: ...

    def execute(self, query: str, parameters: object = ..., /) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def fetchone(self) -> Any: ...


def dialect(con: object) -> str:
    """The SQL dialect `con` speaks: DuckDB unless it says otherwise."""
    return str(getattr(con, "dialect", DUCKDB))


@cache
def query(name: str, dialect: str = DUCKDB) -> str:
    folder = resources.files(__package__)
    if dialect == CLICKHOUSE:
        folder = folder / CLICKHOUSE
    return (folder / f"{name}.sql").read_text(encoding="utf-8")


def run(con: Cursor, name: str, params: Mapping[str, object] | None = None) -> Any:
    """Run the named statement in `con`'s dialect; the cursor for its rows."""
    return con.execute(query(name, dialect(con)), params or {})


def fields(kind: type) -> tuple[str, ...]:
    """The field names of a dataclass or named tuple, in order."""
    if dataclasses.is_dataclass(kind):
        return tuple(f.name for f in dataclasses.fields(kind))
    names = getattr(kind, "_fields", None)
    if names is None:
        raise TypeError(f"{kind.__name__} is neither a dataclass nor a named tuple")
    return tuple(names)


def columns(cursor: Cursor | duckdb.DuckDBPyConnection) -> tuple[str, ...]:
    """The output column names of the last statement run on `cursor`."""
    return tuple(d[0] for d in cursor.description or ())


def _check(cursor: Cursor, kind: type, what: str) -> None:
    got, want = columns(cursor), fields(kind)
    if got != want:
        raise TypeError(f"{what} returns columns {got}, but {kind.__name__} has fields {want}")


def rows(con: Cursor, name: str, kind: type[T], params: Mapping[str, object] | None = None) -> list[T]:
    """Every row of the named query as a `kind`, its columns matched to the fields by name."""
    cursor = run(con, name, params)
    found = cursor.fetchall()
    # A ClickHouse store names columns only in the rows it returns.
    if found or dialect(con) == DUCKDB:
        _check(cursor, kind, f"sql/{name}.sql")
    make: Any = kind
    return [make(*r) for r in found]


def row(con: Cursor, name: str, kind: type[T], params: Mapping[str, object] | None = None) -> T:
    """The one row of the named query (an aggregate) as a `kind`."""
    found = rows(con, name, kind, params)
    if len(found) != 1:
        raise ValueError(f"sql/{name}.sql returned {len(found)} rows, expected one")
    return found[0]
