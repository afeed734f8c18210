"""`fpmscope load`: rotated probe and access logs (plain or gzip) into ClickHouse.

Inputs are classified and made readable as `slow` does (accesslog.files.classify: stdin,
FIFOs, gzip, lines with a bare CR or NUL), then parsed file by file by the DuckDB ingest
(fleet.rows) and inserted in batches. Loading is idempotent by construction: every row
carries its identity, so a file loaded twice, or overlapping copies of a log, leave each
request once in what readers see (schema.source); nothing is looked up before inserting.
"""

from __future__ import annotations

import socket
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from fpmscope.accesslog import files as access_files
from fpmscope.accesslog.formats import LogFormat
from fpmscope.fleet import rows
from fpmscope.fleet.store import Store


@dataclass(frozen=True, slots=True)
class FileLoad:
    name: str
    kind: str  # "probe" or "access"
    rows: int  # rows sent
    skipped: int
    skipped_example: str | None
    duplicates: int = 0


@dataclass(frozen=True, slots=True)
class LoadResult:
    files: tuple[FileLoad, ...]

    @property
    def records(self) -> int:
        return sum(f.rows for f in self.files if f.kind == "probe")

    @property
    def requests(self) -> int:
        return sum(f.rows for f in self.files if f.kind == "access")

    @property
    def skipped(self) -> int:
        return sum(f.skipped for f in self.files)

    @property
    def skipped_example(self) -> str | None:
        return next((f.skipped_example for f in self.files if f.skipped_example), None)

    @property
    def duplicates(self) -> int:
        return sum(f.duplicates for f in self.files)


def source_name(name: str) -> str:
    """Where a row came from: this machine and the file's absolute path."""
    where = "stdin" if name == "-" else str(Path(name).absolute())
    return f"{socket.gethostname()}:{where}"


def load(store: Store, names: Sequence[str], *, host: str, fmt: LogFormat | None) -> LoadResult:
    """Load every file; access logs are `host`'s, in `fmt` (detected from the first access
    log if None, then used for all of them, as `slow` does)."""
    done: list[FileLoad] = []
    with access_files.temp_dir() as tmp:
        inputs = access_files.classify(names, Path(tmp))
        for item in inputs.probe:
            parsed = rows.parse_probe(item.path, source_name(item.name))
            sent = rows.insert_all(store, parsed)
            skipped = parsed.skipped + item.dropped
            example = parsed.skipped_example or item.dropped_example
            done.append(FileLoad(item.name, "probe", sent, skipped, example, parsed.duplicates))
        if inputs.access:
            fmt = rows.access_format(inputs.access[0].path, fmt)
        for item in inputs.access:
            assert fmt is not None
            parsed = rows.parse_access(item, fmt, host, source_name(item.name))
            sent = rows.insert_all(store, parsed)
            done.append(FileLoad(item.name, "access", sent, parsed.skipped, parsed.skipped_example))
    return LoadResult(tuple(done))
