"""Probe and access logs for the fleet tests, and what ClickHouse holds of them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fpmscope.fleet import schema
from fpmscope.fleet.store import opened
from tests import synth

HOSTS = ("web1", "web2", "web3")


def probe_log(path: Path, n: int, *, start: int = 0) -> Path:
    """`n` format-2 records from three hosts (host by line number), written by DuckDB; `start`
    shifts the records so that two calls give distinct requests."""
    synth.write_many(path, n + start, workers=8)
    lines = path.read_text().splitlines(keepends=True)[start:]
    path.write_text("".join(line.replace("\tweb1\t", f"\t{HOSTS[i % 3]}\t", 1) for i, line in enumerate(lines, start)))
    return path


def access_line(i: int, *, second: int | None = None) -> str:
    """A combined + $request_time line; lines with the same `second` and i % 7 are identical."""
    t = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC) + dt.timedelta(seconds=second if second is not None else i)
    stamp = t.strftime("%d/%b/%Y:%H:%M:%S +0000")
    path = f"/item/{i % 7}" if second is not None else f"/item/{i}"
    return f'10.0.0.1 - - [{stamp}] "GET {path} HTTP/1.1" 200 512 "-" "curl/8" 0.005\n'


def access_log(path: Path, n: int, *, start: int = 0, twins: int = 0) -> Path:
    """`n` distinct requests (numbered from `start`), then `twins` lines repeating one identical
    request (a client that sent the same request several times in one second)."""
    lines = [access_line(i) for i in range(start, start + n)]
    lines += [access_line(0, second=10_000)] * twins
    path.write_text("".join(lines))
    return path


def counts(url: str) -> tuple[int, int, int, int]:
    """(records, distinct record ids, requests, distinct request ids) as readers see them."""
    with opened(url) as store:
        db = store.database
        rec = store.rows(f"SELECT count() AS n, uniqExact(rid) AS u FROM {schema.source(schema.RECORDS, db)}")[0]
        hit = store.rows(f"SELECT count() AS n, uniqExact(rid) AS u FROM {schema.source(schema.HITS, db)}")[0]
    return int(rec["n"]), int(rec["u"]), int(hit["n"]), int(hit["u"])
