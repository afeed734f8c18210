"""Probe logs (plain or gzip, many files, `-` for stdin) into a DuckDB table `requests`.

Lines are parsed by DuckDB's CSV reader with the columns and types of records.RECORD_FIELDS
given explicitly (never auto-detected). Lines that do not parse, or carry another format tag,
are skipped and counted; the first one is kept as an example for the message. Format-1 lines
(earlier probes) are read too: their fifth field goes to the `worker_start` column.

A line whose numbers no PHP worker can produce (a negative size, memory beyond BOUNDS, a
NaN or far-off timestamp, CPU time orders of magnitude above wall time) is skipped like a
malformed one, with its reason as the example: one such line must not overflow a sum or
drown the real leaks, and bounded inputs keep every later addition inside INT64.

A kept database (`--db`) changes in one transaction per run: a run killed mid-ingest leaves
it as it was. A file that is not a database this module wrote is refused before anything is
written to it.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from fpmscope.errors import FpmscopeError
from fpmscope.inputs import gunzip, is_gzip, readable, regular_copy, truncated_note
from fpmscope.records import FORMAT_TAG, LEGACY_TAG, RECORD_FIELDS
from fpmscope.sql import query

SCHEMA_VERSION = "2"
MAX_LINE = 4 * 1024 * 1024
# DuckDB's memory cap by default (see memory_config).
MEMORY_LIMIT = "2GB"
_SPILL_IDS = itertools.count()

TiB = 1 << 40
YEAR_US = 366 * 86_400 * 1_000_000
# The range of each numeric field a real probe can write. Sizes: no PHP worker holds a TiB.
# Timestamps: 2000 to 2100. Times: a request of a year, a worker of ten years of CPU.
BOUNDS: dict[str, tuple[int, int]] = {
    "pid": (1, 2**31 - 1),
    "worker_cpu_us": (0, 10 * YEAR_US),
    "ts": (946_684_800, 4_102_444_800),
    "wall_us": (0, YEAR_US),
    "cpu_user_us": (0, 10 * YEAR_US),
    "cpu_sys_us": (0, 10 * YEAR_US),
    **{f"{kind}_{when}": (0, TiB) for kind in ("rss", "anon", "shared", "zend") for when in ("start", "end")},
    "zend_peak": (0, TiB),
    "zend_real_start": (0, TiB),
    "zend_real_peak": (0, TiB),
    "status": (0, 999),
    "included_files": (0, 10_000_000),
}
# PHP runs a request on one thread: CPU time beyond 100 x wall time (+1 s of clock
# granularity) is no measurement. Extensions with threads stay far below that.
CPU_OVER_WALL = 100


@dataclass(frozen=True, slots=True)
class IngestResult:
    files: tuple[str, ...]
    rows: int
    skipped: int
    skipped_example: str | None
    already_loaded: tuple[str, ...] = ()
    duplicates: int = 0  # records dropped because the same request was already loaded


def memory_config(
    memory_limit: str = MEMORY_LIMIT, temp_directory: Path | None = None
) -> dict[str, str | bool | int | float | list[str]]:
    """DuckDB's memory cap and where it spills beyond it.

    Without a cap DuckDB may take 80% of RAM on a big log, on the very server being diagnosed;
    with it, memory stays flat as logs grow and the excess goes to a temporary directory
    (removed when the connection closes). FPMSCOPE_MEMORY_LIMIT overrides `memory_limit` for
    every command, e.g. 4GB.
    """
    limit = os.environ.get("FPMSCOPE_MEMORY_LIMIT", memory_limit).strip()
    if not re.fullmatch(r"[0-9]+(\.[0-9]+)?\s*[KMGT]i?B", limit, re.IGNORECASE):
        raise FpmscopeError(f"FPMSCOPE_MEMORY_LIMIT={limit!r}: expected a size such as 512MB or 4GB")
    spill = temp_directory or Path(tempfile.gettempdir()) / f"fpmscope-{os.getpid()}-{next(_SPILL_IDS)}"
    return {"memory_limit": limit, "temp_directory": str(spill)}


DUCKDB_MAGIC = b"DUCK"  # at offset 8 of every DuckDB file


def refuse_foreign(db_path: str) -> None:
    """FpmscopeError unless `db_path` is new, empty, or a DuckDB file (by its magic bytes).

    Checked before DuckDB opens it: on a SQLite file DuckDB tries to download an extension.
    An unrelated DuckDB file is refused by refuse_foreign_tables before our tables are made.
    """
    path = Path(db_path)
    if not path.exists():
        return
    refuse = f"--db {db_path}: not a database fpmscope wrote"
    try:
        with path.open("rb") as f:
            head = f.read(16)
    except OSError as exc:
        raise FpmscopeError(f"--db {db_path}: cannot read: {exc.strerror}") from None
    if not head:
        # An empty file (made by mktemp, say) holds nothing to lose; DuckDB refuses to open it.
        path.unlink()
        return
    if head[8:12] != DUCKDB_MAGIC:
        kind = "a SQLite file" if head.startswith(b"SQLite format 3") else "not a DuckDB file"
        raise FpmscopeError(f"{refuse} ({kind}); give a new file name")


def refuse_foreign_tables(con: duckdb.DuckDBPyConnection, db_path: str) -> None:
    """FpmscopeError when the database holds tables but not our `meta` (someone else's file)."""
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    if not tables or ("meta" in tables and con.execute("SELECT 1 FROM meta WHERE key = 'schema_version'").fetchone()):
        return
    con.close()
    shown = ", ".join(sorted(tables)[:5])
    raise FpmscopeError(
        f"--db {db_path}: not a database fpmscope wrote (it holds tables {shown}); give a new file name"
    )


def connect(
    db_path: str | None, *, memory_limit: str = MEMORY_LIMIT, temp_directory: Path | None = None
) -> duckdb.DuckDBPyConnection:
    """The one place a DuckDB connection is made, with its memory cap, spill directory and
    settings. In-memory by default; a file keeps the ingested records for later runs."""
    if db_path:
        refuse_foreign(db_path)
    try:
        con = duckdb.connect(db_path or ":memory:", config=memory_config(memory_limit, temp_directory))
    except duckdb.Error as exc:
        raise FpmscopeError(f"cannot open database {db_path}: {exc}") from None
    if db_path:
        refuse_foreign_tables(con, db_path)
    con.execute("SET TimeZone = 'UTC'")  # times shown in UTC, whatever zones the logs mix
    con.execute(query("schema"))
    columns = ", ".join(f"{name} {kind}" for name, kind in RECORD_FIELDS)
    # worker_start: the process start time that format-1 records carry instead of worker_cpu_us.
    con.execute(f"CREATE TABLE IF NOT EXISTS requests ({columns}, worker_start BIGINT)")
    found = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if found is None:
        con.execute("INSERT INTO meta VALUES ('schema_version', $version)", {"version": SCHEMA_VERSION})
    elif found[0] != SCHEMA_VERSION:
        raise FpmscopeError(
            f"database {db_path} has schema {found[0]}, this fpmscope writes {SCHEMA_VERSION}; use a new --db file"
        )
    return con


def _csv_columns() -> str:
    items = [("format", "VARCHAR"), *RECORD_FIELDS]
    return "{" + ", ".join(f"'{name}': '{kind}'" for name, kind in items) + "}"


READ = (
    "read_csv($path, delim = '\t', quote = '', escape = '', header = false, auto_detect = false,"
    " strict_mode = true, null_padding = false, ignore_errors = true, store_rejects = true,"
    " rejects_table = 'ingest_rejects', rejects_scan = 'ingest_scans',"
    f" max_line_size = {MAX_LINE}, compression = $compression, columns = {_csv_columns()})"
)


def ingest(con: duckdb.DuckDBPyConnection, paths: Sequence[str]) -> IngestResult:
    """Load every file into `requests`; files already in a kept database are not loaded twice.

    All of it is one transaction: an error, Ctrl-C or a kill leaves the database as it was.
    """
    files = [(p, readable(p)) for p in paths if p != "-"]
    with tempfile.TemporaryDirectory(prefix="fpmscope-") as tmp:
        if "-" in paths:
            stdin_copy = Path(tmp) / "stdin"
            with stdin_copy.open("wb") as out:
                shutil.copyfileobj(sys.stdin.buffer, out)
            files.append(("-", stdin_copy))
        # A FIFO or a device gives its bytes once: read it from a copy, never as "already loaded".
        inputs = [(name, regular_copy(name, given, Path(tmp))) for name, given in files]
        streams = {name for (name, given), (_, path) in zip(files, inputs, strict=True) if name == "-" or path != given}
        # A file DuckDB cannot read as it is (a lone CR, a truncated gzip) aborts the
        # transaction, which has no savepoints: start again, reading that file from a copy.
        copied: set[str] = set()
        while True:
            con.begin()
            try:
                outcome = _load_all(con, inputs, streams, Path(tmp), copied)
                con.commit()
                break
            except _NeedsCopy as exc:
                con.rollback()
                copied.add(exc.name)
            except BaseException:
                con.rollback()
                raise
    loaded, already, rows, skipped, example, duplicates = outcome
    return IngestResult(tuple(loaded), rows - duplicates, skipped, example, tuple(already), duplicates)


class _NeedsCopy(Exception):
    def __init__(self, name: str) -> None:
        self.name = name


_Outcome = tuple[list[str], list[str], int, int, str | None, int]


def _load_all(
    con: duckdb.DuckDBPyConnection, files: Sequence[tuple[str, Path]], streams: set[str], tmp: Path, copied: set[str]
) -> _Outcome:
    rows = skipped = 0
    example: str | None = None
    loaded, already = [], []
    for name, path in files:
        stream = name in streams
        stat = path.stat()
        key = {"path": "-" if stream else str(path.resolve()), "size": stat.st_size, "mtime": stat.st_mtime}
        seen = con.execute(query("sources_seen"), key).fetchone()
        if seen is not None and not stream:
            already.append(name)
            continue
        n, bad, first_bad = _load_one(con, path, tmp, name, copy=name in copied)
        con.execute(query("sources_add"), {**key, "rows": n, "skipped": bad})
        rows += n
        skipped += bad
        example = example or first_bad
        loaded.append(name)
    # Within one file too: `cat log log` must not count each request twice.
    duplicates = _drop_duplicates(con) if loaded else 0
    return loaded, already, rows, skipped, example, duplicates


def records(con: duckdb.DuckDBPyConnection, limit: int | None = None) -> Iterator[dict[str, object]]:
    """The ingested records as dicts in RECORD_FIELDS order (`fpmscope dump`); worker_start
    only when the record has one (format 1, earlier probes)."""
    names = [name for name, _ in RECORD_FIELDS] + ["worker_start"]
    sql = f"SELECT {', '.join(names)} FROM requests"
    cur = con.execute(sql + (" LIMIT $limit" if limit else ""), {"limit": limit} if limit else {})
    while batch := cur.fetchmany(10000):
        for row in batch:
            record = dict(zip(names, row, strict=True))
            if record["worker_start"] is None:
                del record["worker_start"]
            yield record


def record_count(con: duckdb.DuckDBPyConnection) -> int:
    """Probe records in the database."""
    row = con.execute("SELECT count(*) FROM requests").fetchone()
    return int(row[0]) if row else 0


def _drop_duplicates(con: duckdb.DuckDBPyConnection) -> int:
    """Keep one record per request: a log that grew is loaded again into a kept database,
    and overlapping copies of a log may be given together. A request is its worker and its
    start time to the microsecond."""
    found = con.execute(query("duplicates_exist")).fetchone()
    if not found or not found[0]:
        return 0
    row = con.execute(query("drop_duplicates")).fetchone()
    return int(row[0]) if row else 0


def _sanitized_copy(path: Path, tmp: Path) -> tuple[Path, bool]:
    """The file, decompressed, with bare carriage returns turned into line ends; and whether
    it was whole (a truncated gzip keeps what could be read).

    DuckDB's CSV reader gives up on a whole file at a lone CR (the probe never writes one: it
    escapes control bytes), and on a gzip file cut short. Splitting there keeps every other
    line; the pieces are counted as malformed lines like any other.
    """
    plain = tmp / f"plain-{path.name}"
    whole = True
    if is_gzip(path):
        with plain.open("wb") as dst:
            whole = gunzip(path, dst)
        path = plain
    out = tmp / f"clean-{path.name}"
    with path.open("rb") as src, out.open("wb") as dst:
        while chunk := src.read(1 << 20):
            dst.write(chunk.replace(b"\r", b"\n"))
    return out, whole


def _invalid(bounds: dict[str, tuple[int, int]]) -> str:
    """An SQL CASE naming the first field out of its physical range, else NULL."""
    cases = []
    for name, (low, high) in bounds.items():
        # worker_cpu_us is the raw fifth field here: format 1's worker start fits the same range.
        check = f"NOT ({name} BETWEEN {low} AND {high})"
        if name == "ts":
            check = f"NOT isfinite(ts) OR {check}"
        cases.append(f"WHEN {name} IS NOT NULL AND ({check}) THEN '{name} = ' || {name}::VARCHAR")
    cases.append(
        # In DOUBLE: the sum of two unchecked BIGINTs could overflow.
        f"WHEN cpu_user_us::DOUBLE + cpu_sys_us::DOUBLE > {CPU_OVER_WALL} * wall_us::DOUBLE + 1e6"
        " THEN 'cpu_user_us + cpu_sys_us = ' || cpu_user_us::VARCHAR || ' + ' || cpu_sys_us::VARCHAR"
        " || ' for wall_us = ' || wall_us::VARCHAR"
    )
    return "CASE " + " ".join(cases) + " END"


def _load_one(
    con: duckdb.DuckDBPyConnection, path: Path, tmp: Path, name: str, *, copy: bool
) -> tuple[int, int, str | None]:
    """Parse the file straight into `requests`, then drop the lines of another format.

    The format tag rides along in a temporary column (earlier rows default to the tag), so the
    file is parsed and stored once: staging it in a table of its own first cost a second copy
    of every record, 0.2 s and a few hundred MB per million lines.
    """
    compression = "gzip" if is_gzip(path) else "none"
    names = ", ".join(name for name, _ in RECORD_FIELDS)
    # The fifth field is worker_cpu_us in format 2 and worker_start in format 1.
    values = ", ".join(
        f"CASE WHEN format = '{FORMAT_TAG}' THEN {name} END" if name == "worker_cpu_us" else name
        for name, _ in RECORD_FIELDS
    )
    values += f", CASE WHEN format = '{LEGACY_TAG}' THEN worker_cpu_us END"
    # A line out of physical range gets its reason in place of the format tag, so it is
    # dropped and counted with the lines of another format, the reason as its example.
    tag = (
        f"CASE WHEN format IS NULL OR format NOT IN ('{FORMAT_TAG}', '{LEGACY_TAG}') THEN format"
        f" ELSE coalesce('impossible value: ' || ({_invalid(BOUNDS)}), format) END"
    )
    # Reject tables accumulate across scans; each file is counted on its own.
    con.execute("DROP TABLE IF EXISTS ingest_rejects")
    con.execute("DROP TABLE IF EXISTS ingest_scans")
    # DDL takes no parameters; the tag is this module's constant, never log content.
    # On any failure the caller's transaction is rolled back, and this column with it.
    con.execute(f"ALTER TABLE requests ADD COLUMN format VARCHAR DEFAULT '{FORMAT_TAG}'")
    insert = f"INSERT INTO requests ({names}, worker_start, format) SELECT {values}, {tag} FROM {READ}"
    whole = True
    if not copy:
        try:
            loaded = con.execute(insert, {"path": str(path), "compression": compression}).fetchone()
        except duckdb.Error:
            raise _NeedsCopy(name) from None
    else:
        plain, whole = _sanitized_copy(path, tmp)
        try:
            loaded = con.execute(insert, {"path": str(plain), "compression": "none"}).fetchone()
        except duckdb.Error as exc:
            first = str(exc).strip().splitlines()[0]
            raise FpmscopeError(f"{path}: cannot read as a probe log: {first}") from None
    tags = {"tag": FORMAT_TAG, "legacy": LEGACY_TAG}
    other = con.execute(query("ingest_other_format"), tags).fetchone()
    con.execute(query("ingest_drop_other_format"), tags)
    con.execute("ALTER TABLE requests DROP COLUMN format")
    rejected = con.execute(query("ingest_rejected")).fetchone()
    assert loaded is not None and other is not None and rejected is not None
    example = rejected[1] if rejected[0] else (other[1] if other[0] else None)
    bad = int(other[0]) + int(rejected[0])
    if not whole:
        # The cut itself is counted, and said first: the last line is usually cut with it.
        bad, example = bad + 1, truncated_note(path)
    return int(loaded[0]) - int(other[0]), bad, example
