"""A DuckDB-shaped cursor over ClickHouse, so that the analyses run their SQL unchanged.

The analyses talk to their database through three calls, `execute(sql, params)`,
`fetchall()` / `fetchone()` and `description` (sql/__init__.py: `Cursor`). This class gives
them those over a ClickHouse connection (anything with `run(sql) -> (names, rows)`), and says
`dialect = "clickhouse"`, so that `sql.query` loads the ClickHouse twin of each file.

Parameters are bound here, on the client, as ClickHouse literals (numbers, quoted strings,
arrays; NULL): 18.16 has no server-side parameters. A value is always quoted by its type,
never spliced as SQL text, and a `$name` inside a bound value is never read again. A file may
hold several statements, each ending with `;` at the end of a line; they run in order.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from fpmscope.errors import FpmscopeError
from fpmscope.sql import CLICKHOUSE

Run = Callable[[str], tuple[Sequence[str], Sequence[Sequence[Any]]]]

_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_STATEMENT_END = re.compile(r";[ \t]*(?:\n|$)")
# Comments go before binding (they name parameters); the SQL files hold no `--` in a string.
_COMMENT = re.compile(r"--[^\n]*")


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

    def __init__(self, run: Run, version: str = "") -> None:
        self._run = run
        self.version = version
        self._names: Sequence[str] = ()
        self._rows: list[tuple[Any, ...]] = []

    @property
    def description(self) -> list[tuple[str]]:
        return [(name,) for name in self._names]

    def execute(self, query: str, parameters: object = None, /) -> ClickHouseCursor:
        params: Mapping[str, object] = parameters if isinstance(parameters, Mapping) else {}
        self._names, self._rows = (), []
        for statement in statements(bind(_COMMENT.sub("", query), params)):
            names, found = self._run(statement)
            self._names, self._rows = names, [tuple(r) for r in found]
        return self

    def fetchall(self) -> list[tuple[Any, ...]]:
        found, self._rows = self._rows, []
        return found

    def fetchone(self) -> tuple[Any, ...] | None:
        return self._rows.pop(0) if self._rows else None


def missing_driver(what: str) -> FpmscopeError:
    return FpmscopeError(f"--clickhouse needs {what}: pip install 'fpmscope[clickhouse]'")


def _chdb_run(path: str) -> tuple[Run, str]:
    """A run function over an in-process chdb session whose data lives in `path`."""
    import json

    try:
        from chdb import session
    except ImportError as exc:
        raise missing_driver("chdb") from exc
    sess = _CHDB_SESSIONS.get(path)
    if sess is None:
        sess = _CHDB_SESSIONS[path] = session.Session(path)  # type: ignore[no-untyped-call]

    def run(sql: str) -> tuple[Sequence[str], Sequence[Sequence[Any]]]:
        result = sess.query(sql, "JSONCompact")
        data = result.bytes() if result is not None else b""
        if not data:
            return (), []
        parsed = json.loads(data)
        # JSON writes 2.0 as 2: floats come back as floats, as the native protocol gives them.
        floats = [i for i, m in enumerate(parsed["meta"]) if "Float" in m["type"] and "Array" not in m["type"]]
        rows = parsed["data"]
        for r in rows:
            for i in floats:
                if r[i] is not None:
                    r[i] = float(r[i])
        return [m["name"] for m in parsed["meta"]], rows

    sess.query("SET output_format_json_quote_64bit_integers = 0")
    sess.query("SET output_format_json_quote_64bit_floats = 0")
    (version,) = run("SELECT version() AS v")[1][0]
    return run, str(version)


_CHDB_SESSIONS: dict[str, Any] = {}


def _native_run(url: str) -> tuple[Run, str]:
    """A run function over ClickHouse's native protocol (clickhouse-driver)."""
    from urllib.parse import unquote, urlsplit

    try:
        from clickhouse_driver import Client  # type: ignore[import-untyped]
    except ImportError as exc:
        raise missing_driver("clickhouse-driver") from exc
    parts = urlsplit(url)
    client = Client(
        parts.hostname or "127.0.0.1",
        port=parts.port or 9000,
        user=unquote(parts.username or "default"),
        password=unquote(parts.password or ""),
        database=parts.path.strip("/") or "default",
        settings={"allow_experimental_low_cardinality_type": 1},
    )

    def run(sql: str) -> tuple[Sequence[str], Sequence[Sequence[Any]]]:
        found = client.execute(sql, with_column_types=True)
        if not found:
            return (), []
        rows, types = found
        return [name for name, _ in types], rows

    (version,) = client.execute("SELECT version()")[0]
    return run, str(version)


def open_cursor(url: str) -> ClickHouseCursor:
    """A cursor for `clickhouse://[user[:password]@]host[:port]/[database]` or `chdb:PATH`."""
    if url.startswith("chdb:"):
        run, version = _chdb_run(url.removeprefix("chdb:"))
    elif url.startswith("clickhouse://"):
        run, version = _native_run(url)
    else:
        raise FpmscopeError(f"--clickhouse {url!r}: expected clickhouse://host[:port]/[database] or chdb:PATH")
    return ClickHouseCursor(run, version)
