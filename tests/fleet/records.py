"""Probe records into a fleet store, for the analysis tests: read by the DuckDB ingest (the
reference), written with the schema's columns and identities (fleet/schema.py)."""

from __future__ import annotations

import datetime as dt

from fpmscope import ingest
from fpmscope.fleet import schema
from fpmscope.fleet.store import Store
from fpmscope.records import RECORD_FIELDS

_STRINGS = {name for name, kind in RECORD_FIELDS if kind == "VARCHAR"}
_READ = [name for name, _ in RECORD_FIELDS] + ["worker_start"]


def records(log: str) -> list[dict[str, object]]:
    """The records of a probe log as the DuckDB ingest reads them, by column name."""
    con = ingest.connect(None)
    ingest.ingest(con, (log,))
    found = con.execute(f"SELECT {', '.join(_READ)} FROM requests").fetchall()
    con.close()
    return [dict(zip(_READ, r, strict=True)) for r in found]


def store_records(store: Store, found: list[dict[str, object]], source: str = "test", batch: int = 20_000) -> None:
    """Insert `found` into the store's records table (strings never NULL there)."""
    names = [name for name, _ in schema.RECORD_COLUMNS]
    rows = []
    for r in found:
        row = {k: ("" if v is None and k in _STRINGS else v) for k, v in r.items()}
        row["day"] = dt.datetime.fromtimestamp(float(str(row["ts"])), dt.UTC).date()
        row["rid"] = schema.record_identity(row)
        row["source"] = source
        rows.append([row[n] for n in names])
    for start in range(0, len(rows), batch):
        store.insert(schema.RECORDS, names, rows[start : start + batch])
