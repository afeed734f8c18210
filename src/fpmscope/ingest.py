"""Probe logs (plain or gzip, many files, `-` for stdin) into a DuckDB table `requests`.

Lines are parsed by DuckDB's CSV reader with the columns and types of records.RECORD_FIELDS
given explicitly (never auto-detected). Lines that do not parse, or carry another format tag,
are skipped and counted; the first one is kept as an example for the message. Format-1 lines
(earlier probes) are read too: their fifth field goes to the `worker_start` column.
"""

from __future__ import annotations

import gzip
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
from fpmscope.inputs import is_gzip, readable
from fpmscope.records import FORMAT_TAG, LEGACY_TAG, RECORD_FIELDS
from fpmscope.sql import query

SCHEMA_VERSION = "2"
MAX_LINE = 4 * 1024 * 1024
# DuckDB's memory cap by default (see memory_config).
MEMORY_LIMIT = "2GB"
_SPILL_IDS = itertools.count()


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


def connect(
    db_path: str | None, *, memory_limit: str = MEMORY_LIMIT, temp_directory: Path | None = None
) -> duckdb.DuckDBPyConnection:
    """The one place a DuckDB connection is made, with its memory cap, spill directory and
    settings. In-memory by default; a file keeps the ingested records for later runs."""
    try:
        con = duckdb.connect(db_path or ":memory:", config=memory_config(memory_limit, temp_directory))
    except duckdb.Error as exc:
        raise FpmscopeError(f"cannot open database {db_path}: {exc}") from None
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
    """Load every file into `requests`; files already in a kept database are not loaded twice."""
    files = [(p, readable(p)) for p in paths if p != "-"]
    with tempfile.TemporaryDirectory(prefix="fpmscope-") as tmp:
        if "-" in paths:
            stdin_copy = Path(tmp) / "stdin"
            with stdin_copy.open("wb") as out:
                shutil.copyfileobj(sys.stdin.buffer, out)
            files.append(("-", stdin_copy))
        rows = skipped = 0
        example: str | None = None
        loaded, already = [], []
        before = record_count(con)
        for name, path in files:
            stat = path.stat()
            key = {"path": str(path.resolve()) if name != "-" else "-", "size": stat.st_size, "mtime": stat.st_mtime}
            seen = con.execute(query("sources_seen"), key).fetchone()
            if seen is not None and name != "-":
                already.append(name)
                continue
            n, bad, first_bad = _load_one(con, path, Path(tmp))
            con.execute(query("sources_add"), {**key, "rows": n, "skipped": bad})
            rows += n
            skipped += bad
            example = example or first_bad
            loaded.append(name)
    duplicates = _drop_duplicates(con) if loaded and (before or len(loaded) > 1) else 0
    return IngestResult(tuple(loaded), rows - duplicates, skipped, example, tuple(already), duplicates)


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
    row = con.execute(query("drop_duplicates")).fetchone()
    return int(row[0]) if row else 0


def _sanitized_copy(path: Path, tmp: Path) -> Path:
    """The file, decompressed, with bare carriage returns turned into line ends.

    DuckDB's CSV reader gives up on a whole file at a lone CR (the probe never writes one: it
    escapes control bytes). Splitting there keeps every other line; the pieces are counted
    as malformed lines like any other.
    """
    out = tmp / f"clean-{path.name}"
    opener = gzip.open if is_gzip(path) else open
    with opener(path, "rb") as src, out.open("wb") as dst:
        while chunk := src.read(1 << 20):
            dst.write(chunk.replace(b"\r", b"\n"))
    return out


def _load_one(con: duckdb.DuckDBPyConnection, path: Path, tmp: Path) -> tuple[int, int, str | None]:
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
    # Reject tables accumulate across scans; each file is counted on its own.
    con.execute("DROP TABLE IF EXISTS ingest_rejects")
    con.execute("DROP TABLE IF EXISTS ingest_scans")
    # DDL takes no parameters; the tag is this module's constant, never log content.
    con.execute(f"ALTER TABLE requests ADD COLUMN format VARCHAR DEFAULT '{FORMAT_TAG}'")
    try:
        insert = f"INSERT INTO requests ({names}, worker_start, format) SELECT {values}, format FROM {READ}"
        try:
            loaded = con.execute(insert, {"path": str(path), "compression": compression}).fetchone()
        except duckdb.Error:
            # A failed INSERT adds nothing; retry once on a copy without bare CRs.
            con.execute("DROP TABLE IF EXISTS ingest_rejects")
            con.execute("DROP TABLE IF EXISTS ingest_scans")
            try:
                loaded = con.execute(
                    insert, {"path": str(_sanitized_copy(path, tmp)), "compression": "none"}
                ).fetchone()
            except duckdb.Error as exc:
                first = str(exc).strip().splitlines()[0]
                raise FpmscopeError(f"{path}: cannot read as a probe log: {first}") from None
        tags = {"tag": FORMAT_TAG, "legacy": LEGACY_TAG}
        other = con.execute(query("ingest_other_format"), tags).fetchone()
        con.execute(query("ingest_drop_other_format"), tags)
    finally:
        con.execute("ALTER TABLE requests DROP COLUMN format")
    rejected = con.execute(query("ingest_rejected")).fetchone()
    assert loaded is not None and other is not None and rejected is not None
    example = rejected[1] if rejected[0] else (other[1] if other[0] else None)
    return int(loaded[0]) - int(other[0]), int(other[0]) + int(rejected[0]), example
