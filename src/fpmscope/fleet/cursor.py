"""A DuckDB-shaped cursor over ClickHouse, so that the analyses run their SQL unchanged.

The analyses talk to their database through three calls, `execute(sql, params)`,
`fetchall()` / `fetchone()` and `description` (sql/__init__.py: `Cursor`). This class gives
them those over a fleet store (fleet/store.py), and says `dialect = "clickhouse"`, so that
`sql.query` loads the ClickHouse twin of each file. A statement that returns no row has no
column names here (the store returns rows as dicts): `sql.rows` checks names when rows come.

Parameters are bound here, on the client, as ClickHouse literals (numbers, quoted strings,
arrays; NULL): 18.16 has no server-side parameters. A value is always quoted by its type,
never spliced as SQL text, and a `$name` inside a bound value is never read again. A file may
hold several statements, each ending with `;` at the end of a line; they run in order.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from fpmscope.fleet.store import Store, connect
from fpmscope.sql import CLICKHOUSE

_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_STATEMENT_END = re.compile(r";[ \t]*(?:\n|$)")
# Comments go before binding (they name parameters); the SQL files hold no `--` in a string.
_COMMENT = re.compile(r"--[^\n]*")
_SELECT = re.compile(r"\s*(SELECT|WITH)\b", re.IGNORECASE)


def literal(value: object) -> str:
    """`value` as a ClickHouse literal."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return "'" + "".join(_char(c) for c in value) + "'"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    raise TypeError(f"cannot bind a {type(value).__name__} as a ClickHouse literal")


def _char(c: str) -> str:
    if c in "\\'":
        return "\\" + c
    if ord(c) < 0x20 or ord(c) == 0x7F:
        return f"\\x{ord(c):02x}"
    return c


def bind(sql: str, params: Mapping[str, object]) -> str:
    """`sql` with every `$name` replaced by the literal of params[name]."""

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in params:
            raise KeyError(f"SQL parameter ${name} was not given")
        return literal(params[name])

    return _PARAM.sub(one, sql)


def statements(sql: str) -> list[str]:
    """The statements of a file, comments-only parts dropped."""
    return [part for part in _STATEMENT_END.split(sql) if part.strip()]


class ClickHouseCursor:
    """execute / fetchall / fetchone / description over `run`, in the ClickHouse dialect."""

    dialect = CLICKHOUSE

    def __init__(self, store: Store) -> None:
        self.store = store
        self._names: Sequence[str] = ()
        self._rows: list[tuple[Any, ...]] = []

    @property
    def description(self) -> list[tuple[str]]:
        return [(name,) for name in self._names]

    def execute(self, query: str, parameters: object = None, /) -> ClickHouseCursor:
        params: Mapping[str, object] = parameters if isinstance(parameters, Mapping) else {}
        self._names, self._rows = (), []
        for statement in statements(bind(_COMMENT.sub("", query), params)):
            if _SELECT.match(statement):
                found = self.store.rows(statement)
                self._names = list(found[0]) if found else ()
                self._rows = [tuple(r.values()) for r in found]
            else:
                self.store.execute(statement)
                self._names, self._rows = (), []
        return self

    def close(self) -> None:
        self.store.close()

    def fetchall(self) -> list[tuple[Any, ...]]:
        found, self._rows = self._rows, []
        return found

    def fetchone(self) -> tuple[Any, ...] | None:
        return self._rows.pop(0) if self._rows else None


def open_cursor(url: str) -> ClickHouseCursor:
    """A cursor over the store at `url` (fleet/store.py: `clickhouse://...` or `chdb:PATH`)."""
    return ClickHouseCursor(connect(url))
