"""Load DuckDB-ingested probe records into a ClickHouse table (the analysis tests' loader)."""

from __future__ import annotations

from fpmscope import ingest
from fpmscope.fleet.cursor import ClickHouseCursor, literal
from fpmscope.records import RECORD_FIELDS

_TYPES = {"VARCHAR": "String", "INTEGER": "Nullable(Int32)", "BIGINT": "Nullable(Int64)", "DOUBLE": "Float64"}
NAMES = [n for n, _ in RECORD_FIELDS]


def ddl(table: str, engine: str = "MergeTree ORDER BY (host, pool, pid, ts)") -> str:
    cols = ", ".join(f"{n} {'Int32' if n == 'pid' else _TYPES[t]}" for n, t in RECORD_FIELDS)
    return f"CREATE TABLE {table} ({cols}) ENGINE = {engine}"


def records(log: str) -> list[tuple[object, ...]]:
    con = ingest.connect(None)
    ingest.ingest(con, (log,))
    names = ", ".join(NAMES)
    rows = con.execute(f"SELECT {names} FROM requests").fetchall()
    con.close()
    return [
        tuple("" if v is None and t == "VARCHAR" else v for v, (_, t) in zip(r, RECORD_FIELDS, strict=True))
        for r in rows
    ]


def insert(url: str, cur: ClickHouseCursor, table: str, rows: list[tuple[object, ...]], batch: int = 5000) -> None:
    if url.startswith("clickhouse://"):
        from urllib.parse import urlsplit

        from clickhouse_driver import Client  # type: ignore[import-untyped]

        parts = urlsplit(url)
        client = Client(parts.hostname, port=parts.port, database=parts.path.strip("/") or "default")
        client.execute(f"INSERT INTO {table} ({', '.join(NAMES)}) VALUES", rows)
        client.disconnect()
        return
    for start in range(0, len(rows), batch):
        values = ",".join("(" + ",".join(literal(v) for v in r) + ")" for r in rows[start : start + batch])
        cur.execute(f"INSERT INTO {table} ({', '.join(NAMES)}) VALUES {values}")
