"""THE probe record, format 2: column names, types and order, in one place.

The probe (probe/probe.php) writes these fields tab-separated, one request a line, the first
field being the literal FORMAT_TAG. The DuckDB ingest, `fpmscope dump` and the test fixtures
all derive from RECORD_FIELDS; a change here is a format change and needs a new tag.

Format 1 (`fpms1`, earlier probes) had the same fields but one: in place of `worker_cpu_us`
it logged the worker's start time from /proc/self/stat (`worker_start`), which cost a third
of the probe's time. Its lines are still read, into the `worker_start` column.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Final

FORMAT_TAG: Final = "fpms2"
LEGACY_TAG: Final = "fpms1"

# Field name -> DuckDB type, in the probe's column order (after the format tag).
RECORD_FIELDS: Final[tuple[tuple[str, str], ...]] = (
    ("host", "VARCHAR"),
    ("pool", "VARCHAR"),
    ("pid", "INTEGER"),
    # The worker's CPU time (user + system, µs) when the request started. It only grows in one
    # process, so a pid whose next request starts lower is a new worker: pids are reused.
    ("worker_cpu_us", "BIGINT"),
    ("ts", "DOUBLE"),
    ("wall_us", "BIGINT"),
    ("cpu_user_us", "BIGINT"),
    ("cpu_sys_us", "BIGINT"),
    ("rss_start", "BIGINT"),
    ("rss_end", "BIGINT"),
    ("anon_start", "BIGINT"),
    ("anon_end", "BIGINT"),
    ("shared_start", "BIGINT"),
    ("shared_end", "BIGINT"),
    ("zend_start", "BIGINT"),
    ("zend_end", "BIGINT"),
    ("zend_peak", "BIGINT"),
    ("zend_real_start", "BIGINT"),
    ("zend_real_peak", "BIGINT"),
    ("status", "INTEGER"),
    ("method", "VARCHAR"),
    ("uri", "VARCHAR"),
    ("script", "VARCHAR"),
    ("request_id", "VARCHAR"),
    ("included_files", "INTEGER"),
    ("outcome", "VARCHAR"),
    ("tag", "VARCHAR"),
    ("flags", "VARCHAR"),
)

OUTCOMES: Final = ("ok", "exit", "fatal", "oom", "timeout")

# Letters of the `flags` field: what the probe could not measure or had to cut.
FLAGS: Final = {
    "m": "memory (/proc/self/statm) unreadable",
    "c": "CPU time (getrusage) unavailable",
    "t": "a field was longer than its cap and was cut",
    # Followed by the share, e.g. `s0.25`: the pool measures that share of its workers
    # (env[FPMSCOPE_SAMPLE]), and this record's worker is one of them.
    "s": "worker sampling: the share of workers measured follows the letter",
}


@dataclass(frozen=True, slots=True)
class ProbeRecord:
    """One request as the probe saw it. Strings are kept escaped, exactly as logged.

    Escapes are C-style (`\\t`, `\\n`, `\\\\`, `\\033`) and `\\xHH` for bytes that are not
    UTF-8, so a record is always one line and safe to print.
    """

    host: str
    pool: str
    pid: int
    worker_cpu_us: int | None
    ts: float
    wall_us: int | None
    cpu_user_us: int | None
    cpu_sys_us: int | None
    rss_start: int | None
    rss_end: int | None
    anon_start: int | None
    anon_end: int | None
    shared_start: int | None
    shared_end: int | None
    zend_start: int | None
    zend_end: int | None
    zend_peak: int | None
    zend_real_start: int | None
    zend_real_peak: int | None
    status: int | None
    method: str
    uri: str
    script: str
    request_id: str
    included_files: int | None
    outcome: str
    tag: str
    flags: str

    def to_line(self) -> str:
        """The record as the probe writes it (for fixtures and round-trip tests)."""
        values = ("" if v is None else _format(v) for v in dataclasses.astuple(self))
        return "\t".join((FORMAT_TAG, *values)) + "\n"


def _format(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.6f}"
    return str(value)


assert tuple(f.name for f in dataclasses.fields(ProbeRecord)) == tuple(n for n, _ in RECORD_FIELDS)
