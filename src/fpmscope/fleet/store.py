"""The connection to a ClickHouse store: one small interface over two engines.

- `clickhouse://[user[:password]@]host[:port]/[database]`: a server, over the native protocol
  (clickhouse-driver, the `clickhouse` extra). Works with every server from 18.16 on.
- `chdb:PATH`: ClickHouse in this process (chdb, a current engine), its data in PATH. Tests
  and single-machine trials use it; nothing to start.

Both run a statement, fetch rows as dicts by column name, insert rows in batches and know
the engine's version. Settings an old server needs (LowCardinality was experimental before
19.x; inserts into a Distributed table return only once the shards have the rows) are
applied here, not by callers. Parameters are bound by `bind` in this module, the same way
for both engines: `%(name)s` in the SQL, values quoted as ClickHouse literals.

The drivers are imported when a store is opened, so the one-machine tool needs neither.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import json
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from fpmscope.errors import FpmscopeError

DEFAULT_PORT = 9000
INSTALL_HINT = "pip install 'fpmscope[clickhouse]'"
# Settings sent with every statement to servers older than 19.1 (18.16 is Debian 12's).
OLD_SERVER_SETTINGS: Mapping[str, int] = {"allow_experimental_low_cardinality_type": 1}
# Settings sent to every server: an insert into a Distributed table is acknowledged once the
# shards wrote it (not when it was queued on the receiving server's disk), so an acknowledged
# batch is never lost with that server.
COMMON_SETTINGS: Mapping[str, int] = {"insert_distributed_sync": 1}


class StoreError(FpmscopeError):
    """The store refused a statement (bad SQL, a missing table, bad credentials)."""


class Unavailable(StoreError):
    """The store cannot be reached now (refused, reset, timed out): worth retrying."""


Row = dict[str, Any]


class Store(Protocol):
    """What every store offers. `url` is how it was opened; `version` e.g. (18, 16, 1)."""

    url: str
    database: str
    version: tuple[int, ...]
    engine: str  # "server" or "chdb"

    def execute(self, sql: str, params: Mapping[str, object] | None = None) -> None: ...

    def rows(self, sql: str, params: Mapping[str, object] | None = None) -> list[Row]: ...

    def insert(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> int: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class Target:
    """A parsed store URL."""

    kind: str  # "server" or "chdb"
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    user: str = "default"
    password: str = ""
    database: str = "default"
    path: str = ""


_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def parse_url(url: str) -> Target:
    """`clickhouse://[user[:password]@]host[:port]/[database]` or `chdb:PATH`; FpmscopeError
    (exit 2) for anything else."""
    if url.startswith("chdb:"):
        path = url[len("chdb:") :]
        if not path:
            raise FpmscopeError(f"--clickhouse {url}: give a directory, e.g. chdb:/var/lib/fpmscope")
        return Target("chdb", path=path)
    parts = urlsplit(url)
    if parts.scheme != "clickhouse" or not parts.hostname:
        raise FpmscopeError(
            f"--clickhouse {url!r}: expected clickhouse://[user[:password]@]host[:port]/[database] or chdb:PATH"
        )
    try:
        port = parts.port or DEFAULT_PORT
    except ValueError:
        raise FpmscopeError(f"--clickhouse {url!r}: the port is not a number") from None
    database = parts.path.strip("/") or "default"
    if not _IDENT.fullmatch(database):
        raise FpmscopeError(f"--clickhouse {url!r}: {database!r} is not a database name")
    return Target(
        "server",
        host=parts.hostname,
        port=port,
        user=unquote(parts.username) if parts.username else "default",
        password=unquote(parts.password) if parts.password else "",
        database=database,
    )


def connect(url: str) -> Store:
    """Open the store at `url`; FpmscopeError when its driver is missing or it cannot be reached."""
    target = parse_url(url)
    if target.kind == "chdb":
        return ChdbStore(url, target)
    return ServerStore(url, target)


@contextlib.contextmanager
def opened(url: str) -> Iterator[Store]:
    """`connect(url)`, closed when the block ends."""
    store = connect(url)
    try:
        yield store
    finally:
        store.close()


# --- binding parameters -------------------------------------------------------------------


def literal(value: object) -> str:
    """A ClickHouse literal for a Python value (str, int, float, bool, None, date, datetime,
    or a list/tuple of those)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
        return repr(value)
    if isinstance(value, dt.datetime):
        return "'" + value.strftime("%Y-%m-%d %H:%M:%S") + "'"
    if isinstance(value, dt.date):
        return "'" + value.isoformat() + "'"
    if isinstance(value, str):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    raise TypeError(f"no ClickHouse literal for {type(value).__name__}")


_PARAM = re.compile(r"%\((\w+)\)s")


def bind(sql: str, params: Mapping[str, object] | None) -> str:
    """`sql` with every `%(name)s` replaced by the literal of params[name]."""
    if not params:
        return sql
    return _PARAM.sub(lambda m: literal(params[m.group(1)]), sql)


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", text)[:3])


# --- a server, over the native protocol ----------------------------------------------------


def _driver() -> Any:
    try:
        import clickhouse_driver
    except ImportError:
        raise FpmscopeError(f"--clickhouse needs clickhouse-driver: {INSTALL_HINT}") from None
    return clickhouse_driver


class ServerStore:
    """A ClickHouse server over the native protocol (clickhouse-driver)."""

    engine = "server"

    def __init__(self, url: str, target: Target) -> None:
        driver = _driver()
        self.url = url
        self.target = target
        self.database = target.database
        self._errors = driver.errors
        self._client: Any = driver.Client(
            target.host,
            port=target.port,
            user=target.user,
            password=target.password,
            database=target.database,
            settings=dict(COMMON_SETTINGS),
            connect_timeout=5,
            send_receive_timeout=300,
        )
        rows = self._run("SELECT version()")
        self.version = _version(str(rows[0][0]))
        if self.version < (19, 1):
            self._client.settings.update(OLD_SERVER_SETTINGS)

    def _where(self) -> str:
        return f"{self.target.host}:{self.target.port}"

    def _run(self, sql: str, data: Sequence[Sequence[object]] | None = None, *, types: bool = False) -> Any:
        try:
            if data is not None:
                return self._client.execute(sql, data)
            return self._client.execute(sql, with_column_types=types)
        except (OSError, EOFError, self._errors.NetworkError, self._errors.SocketTimeoutError) as exc:
            self._client.disconnect()
            raise Unavailable(f"ClickHouse at {self._where()} is unreachable: {_first_line(exc)}") from None
        except self._errors.ServerException as exc:
            raise StoreError(f"ClickHouse at {self._where()}: {_first_line(exc)}") from None
        except self._errors.Error as exc:
            self._client.disconnect()
            raise Unavailable(f"ClickHouse at {self._where()}: {_first_line(exc)}") from None

    def execute(self, sql: str, params: Mapping[str, object] | None = None) -> None:
        self._run(bind(sql, params))

    def rows(self, sql: str, params: Mapping[str, object] | None = None) -> list[Row]:
        found, columns = self._run(bind(sql, params), types=True)
        names = [c[0] for c in columns]
        return [dict(zip(names, r, strict=True)) for r in found]

    def insert(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> int:
        if not rows:
            return 0
        self._run(f"INSERT INTO {table} ({', '.join(columns)}) VALUES", rows)
        return len(rows)

    def close(self) -> None:
        self._client.disconnect()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


# --- chdb: ClickHouse in process -----------------------------------------------------------


class ChdbStore:
    """ClickHouse in this process (chdb); the data lives in a directory.

    chdb allows one session per process at a time; a second store on the same path reuses
    the session.
    """

    engine = "chdb"
    _sessions: dict[str, Any] = {}  # noqa: RUF012 (one chdb session per process and path)

    def __init__(self, url: str, target: Target) -> None:
        try:
            # chdb's own annotations are partial; it is used through Any, like the driver.
            chdb_session: Any = importlib.import_module("chdb.session")
        except ImportError:
            raise FpmscopeError("chdb: stores need chdb: pip install chdb") from None
        self.url = url
        self.database = "default"
        path = str(Path(target.path).resolve())
        session = self._sessions.get(path)
        if session is None:
            for other in list(self._sessions):  # chdb holds one session per process
                self._sessions.pop(other).close()
            Path(path).mkdir(parents=True, exist_ok=True)
            session = chdb_session.Session(path)
            # 64-bit integers as JSON numbers, not strings: rows() returns them as ints.
            session.query("SET output_format_json_quote_64bit_integers = 0")
            self._sessions[path] = session
        self._session = session
        self.path = path
        self.version = _version(str(self.rows("SELECT version() AS v")[0]["v"]))

    def _query(self, sql: str, fmt: str = "CSV") -> Any:
        try:
            return self._session.query(sql, fmt)
        except Exception as exc:  # chdb raises its own error types, and RuntimeError
            raise StoreError(f"chdb {self.path}: {_first_line(exc)}") from None

    def execute(self, sql: str, params: Mapping[str, object] | None = None) -> None:
        self._query(bind(sql, params))

    def rows(self, sql: str, params: Mapping[str, object] | None = None) -> list[Row]:
        result = self._query(bind(sql, params), "JSONCompact")
        raw = result.bytes()
        if not raw:
            return []
        doc = json.loads(raw)
        names = [m["name"] for m in doc["meta"]]
        types = [m["type"] for m in doc["meta"]]
        return [{n: _from_json(v, t) for n, v, t in zip(names, r, types, strict=True)} for r in doc["data"]]

    def insert(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> int:
        if not rows:
            return 0
        lines = "\n".join(json.dumps(dict(zip(columns, map(_to_json, r), strict=True))) for r in rows)
        self._query(f"INSERT INTO {table} ({', '.join(columns)}) FORMAT JSONEachRow\n{lines}\n")
        return len(rows)

    def close(self) -> None:
        """The session stays open for the process (chdb's limit); `close_all` ends it."""

    @classmethod
    def close_all(cls) -> None:
        for path in list(cls._sessions):
            cls._sessions.pop(path).close()


def _to_json(value: object) -> object:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _from_json(value: object, kind: str) -> object:
    """A JSON value as the native driver returns it: dates and times as such, NaN (JSON null)
    in a column that cannot be NULL as NaN."""
    base = kind.removeprefix("Nullable(").removesuffix(")") if kind.startswith("Nullable(") else kind
    if value is None:
        return math.nan if base.startswith("Float") and base == kind else None
    if base == "Date" and isinstance(value, str):
        return dt.date.fromisoformat(value)
    if base.startswith("DateTime") and isinstance(value, str):
        return dt.datetime.fromisoformat(value)
    if base.startswith("Float") and isinstance(value, int | str):
        return float(value)
    return value
