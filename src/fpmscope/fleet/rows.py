"""Log files into rows for the ClickHouse tables, parsed by the one-machine tool's own code.

A probe log goes through `fpmscope.ingest` and an access log through
`fpmscope.accesslog.ingest`, each into an in-memory DuckDB exactly as `leaks` and `slow`
read them: the same format detection, bounds checks, skipped-line counts and examples. The
rows are then read back in batches of columns, with their identity, day and source made
in the same SQL (schema.record_key / hit_identity describe the identities). `load` and
`ship` both parse this way.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import duckdb

from fpmscope import ingest as probe_ingest
from fpmscope.accesslog import ingest as access_ingest
from fpmscope.accesslog.detect import detect
from fpmscope.accesslog.files import Input, first_lines
from fpmscope.accesslog.formats import LogFormat
from fpmscope.errors import FpmscopeError
from fpmscope.fleet import schema
from fpmscope.fleet.store import Store
from fpmscope.records import FORMAT_TAG, LEGACY_TAG, RECORD_FIELDS

BATCH_ROWS: Final = 20_000

Columns = list[list[Any]]  # a batch: one list of values per column

_STRINGS: Final = frozenset(n for n, t in RECORD_FIELDS if t == "VARCHAR")
_KEYS: Final = {"host": "''", "pool": "''", "pid": "0", "ts": "0"}


def _digest_sql(text: str) -> str:
    """schema.digest in DuckDB SQL."""
    return f"('0x' || left(md5({text}), 16))::UBIGINT"


def _day_sql(seconds: str) -> str:
    """The UTC day of unix time `seconds`, whatever the session's time zone: 1970-01-01 when
    NULL or outside 1970-2099 (ClickHouse's Date ends in 2106 on every version)."""
    return (
        f"CASE WHEN {seconds} >= 0 AND {seconds} < 4102444800"
        f" THEN DATE '1970-01-01' + CAST(floor({seconds} / 86400) AS INTEGER) ELSE DATE '1970-01-01' END"
    )


def _text(expr: str) -> str:
    return f"coalesce(CAST({expr} AS VARCHAR), '')"


def _record_select() -> str:
    items = []
    for name, _ in RECORD_FIELDS:
        if name in _KEYS:
            items.append(f"coalesce({name}, {_KEYS[name]})")
        elif name in _STRINGS:
            items.append(f"coalesce({name}, '')")
        else:
            items.append(name)
    # schema.record_key, in SQL.
    key = " || chr(9) || ".join(
        [
            "'r'",
            _text("host"),
            _text("pool"),
            _text("pid"),
            _text("worker_start"),
            "printf('%.6f', coalesce(ts, 0))",
            _text("uri"),
        ]
    )
    items += ["worker_start", _day_sql("ts"), _digest_sql(key), "$source"]
    return f"SELECT {', '.join(items)} FROM requests"


RECORD_SELECT: Final = _record_select()
_HIT_STRINGS: Final = frozenset(n for n, t in access_ingest.HITS_COLUMNS if t == "VARCHAR")
_HIT_FIELDS: Final = tuple(f"h.{n}" for n, _ in access_ingest.HITS_COLUMNS)
HIT_SELECT: Final = (
    "SELECT $host, "
    + ", ".join(f"coalesce(h.{n}, '')" if n in _HIT_STRINGS else f"h.{n}" for n, _ in access_ingest.HITS_COLUMNS)
    + ", epoch(t.ts), "
    + _day_sql("epoch(t.ts)")
    # The content digest, then how many requests with the same content came earlier in the
    # file: schema.hit_identity turns the two into the rid.
    + ", "
    + _digest_sql("'h' || chr(9) || $host || chr(9) || " + " || chr(9) || ".join(_text(f) for f in _HIT_FIELDS))
    + f", row_number() OVER (PARTITION BY {', '.join(_HIT_FIELDS)} ORDER BY h.rowid) - 1"
    + ", $source FROM hits h LEFT JOIN hit_times t ON t.raw = h.ts_raw ORDER BY h.rowid"
)
RECORD_NAMES: Final = tuple(n for n, _ in schema.RECORD_COLUMNS)
HIT_NAMES: Final = tuple(n for n, _ in schema.HIT_COLUMNS)


@dataclass
class Parsed:
    """What one file gave: batches of columns (`batches`, read once), and what was skipped."""

    kind: str  # "probe" or "access"
    rows: int
    skipped: int
    skipped_example: str | None
    duplicates: int = 0  # probe records the DuckDB ingest found twice in the file
    format_name: str | None = None
    batches: Iterator[Columns] = field(default_factory=lambda: iter(()))


def is_probe(path: Path) -> bool:
    """A probe log starts with a format tag; anything else is taken for an access log (the
    classification `slow` uses)."""
    head = first_lines(path, 1)
    return bool(head) and head[0].startswith((FORMAT_TAG + "\t", LEGACY_TAG + "\t"))


def parse_probe(path: Path, source: str, *, batch_rows: int = BATCH_ROWS) -> Parsed:
    """A probe log (plain or gzip) as batches of RECORD_COLUMNS."""
    con = probe_ingest.connect(None)
    try:
        result = probe_ingest.ingest(con, [str(path)])
    except BaseException:
        con.close()
        raise
    batches = _batches(con, RECORD_SELECT, {"source": source}, batch_rows)
    return Parsed("probe", result.rows, result.skipped, result.skipped_example, result.duplicates, batches=batches)


def _batches(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, object], batch_rows: int) -> Iterator[Columns]:
    try:
        cursor = con.execute(sql, params)
        while chunk := cursor.fetchmany(batch_rows):
            yield [list(c) for c in zip(*chunk, strict=True)]
    finally:
        con.close()


def access_format(path: Path, given: LogFormat | None) -> LogFormat:
    """The format given, or the one detected from the file's first lines (as `slow` does)."""
    if given is not None:
        return given
    head = first_lines(path)
    if not head:
        raise FpmscopeError(f"{path}: the access log is empty")
    return detect(head).fmt


def parse_access(
    item: Input,
    fmt: LogFormat,
    host: str,
    source: str,
    *,
    seen: Counter[int] | None = None,
    batch_rows: int = BATCH_ROWS,
) -> Parsed:
    """An access log (plain or gzip) of `host` as batches of HIT_COLUMNS.

    `seen` counts, by content digest, the requests met in earlier pieces of the same file
    (hit_identity's occurrence numbers): a shipper reads a file in pieces and passes the
    counts it keeps across them, updated here once the piece is read; a whole-file load
    passes none.
    """
    con = access_ingest.connect()
    try:
        result = access_ingest.ingest(con, [item], fmt)
    except BaseException:
        con.close()
        raise
    batches = _hit_batches(_batches(con, HIT_SELECT, {"host": host, "source": source}, batch_rows), seen)
    return Parsed(
        "access", result.parsed, result.skipped, result.skipped_example, format_name=result.format_name, batches=batches
    )


_CONTENT = HIT_NAMES.index("rid")  # the column holding the content digest, then the occurrence


def _hit_batches(batches: Iterator[Columns], seen: Counter[int] | None) -> Iterator[Columns]:
    added: Counter[int] = Counter()
    for columns in batches:
        contents, occurrences = columns[_CONTENT], columns[_CONTENT + 1]
        if seen is not None:  # within this piece SQL numbers them; before it, `seen` did
            occurrences = [o + seen[c] for c, o in zip(contents, occurrences, strict=True)]
            added.update(contents)
        rids = [schema.hit_identity(c, o) for c, o in zip(contents, occurrences, strict=True)]
        yield [*columns[:_CONTENT], rids, *columns[_CONTENT + 2 :]]
    if seen is not None:
        seen.update(added)


def table_of(kind: str) -> tuple[str, Sequence[str]]:
    """The table and its insert columns for rows of `kind` ("probe" or "access")."""
    return (schema.RECORDS, RECORD_NAMES) if kind == "probe" else (schema.HITS, HIT_NAMES)


def insert_all(store: Store, parsed: Parsed) -> int:
    """Insert every batch of `parsed` into its table; the rows sent."""
    table, names = table_of(parsed.kind)
    sent = 0
    for columns in parsed.batches:
        sent += store.insert_columns(table, names, columns)
    return sent
