"""The ClickHouse tables: probe records (`fpmscope_records`) and access-log requests
(`fpmscope_hits`), their DDL for one server or a cluster, each row's identity, and the one
deduplicated source that readers query.

Exactly once without coordination: every row carries `rid`, a hash of what makes it one
request, and the tables are ReplacingMergeTree ordered by a key that ends in `rid`. A batch
sent twice (a shipper killed before its checkpoint, a file loaded again, two overlapping
copies of a log) gives rows with equal keys, which ClickHouse merges into one in the
background; until it has, readers see one through `source()`, which reads with FINAL.
Duplicates always meet: `day` is derived from the row itself, so a row and its copy share a
partition, and on a cluster the Distributed table shards by host, so they share a shard.

Probe records: the identity is the DuckDB ingest's (host, pool, pid, worker start, start
time to the microsecond, URI); ORDER BY (host, pool, pid, ts, rid) keeps a worker's records
together, in time order. Access-log lines: see `hit_identity`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any, Final

from fpmscope.accesslog.ingest import HITS_COLUMNS
from fpmscope.errors import FpmscopeError
from fpmscope.fleet.store import Store, StoreError, Target, connect, parse_url
from fpmscope.records import RECORD_FIELDS

RECORDS: Final = "fpmscope_records"
HITS: Final = "fpmscope_hits"
LOCAL_SUFFIX: Final = "_local"  # on a cluster: the per-shard table behind the Distributed one

# Strings with few distinct values are dictionary-encoded; URIs and request ids are not.
_LOW_CARDINALITY: Final = frozenset({"host", "pool", "method", "script", "outcome", "tag", "flags"})
_NUMERIC: Final = {"INTEGER": "Int32", "BIGINT": "Int64", "DOUBLE": "Float64", "SMALLINT": "Int16"}
# Part of the sorting key (never NULL: a missing value is stored as 0 or '').
_KEY_FIELDS: Final = frozenset({"host", "pool", "pid", "ts"})


def _column_type(name: str, duck: str) -> str:
    if duck == "VARCHAR":
        # Strings are never NULL here: '' stands for a missing value (DuckDB's NULL).
        return "LowCardinality(String)" if name in _LOW_CARDINALITY else "String"
    kind = _NUMERIC[duck]
    return kind if name in _KEY_FIELDS else f"Nullable({kind})"


# (name, ClickHouse type) in insert order. The RECORD_FIELDS columns keep their names.
RECORD_COLUMNS: Final[tuple[tuple[str, str], ...]] = (
    *((name, _column_type(name, duck)) for name, duck in RECORD_FIELDS),
    ("worker_start", "Nullable(Int64)"),  # format-1 records: the worker's start time
    ("day", "Date"),  # UTC day of ts: the partition
    ("rid", "UInt64"),  # the record's identity (record_identity)
    ("source", "String"),  # the file it was read from (host:path); not part of the identity
)

HIT_COLUMNS: Final[tuple[tuple[str, str], ...]] = (
    ("host", "LowCardinality(String)"),  # the machine whose log it is (access logs do not say)
    *((name, "String" if duck == "VARCHAR" else f"Nullable({_NUMERIC[duck]})") for name, duck in HITS_COLUMNS),
    ("ts", "Nullable(Float64)"),  # ts_raw parsed, unix seconds (NULL when the format has no time)
    ("day", "Date"),  # UTC day of ts (1970-01-01 without a time): the partition
    ("rid", "UInt64"),  # the line's identity (hit_identity)
    ("source", "String"),
)

_ORDER: Final = {RECORDS: "(host, pool, pid, ts, rid)", HITS: "(host, rid)"}
_COLUMNS: Final = {RECORDS: RECORD_COLUMNS, HITS: HIT_COLUMNS}
TABLES: Final = (RECORDS, HITS)


def _create(table: str, name: str, database: str) -> str:
    columns = ",\n    ".join(f"{n} {t}" for n, t in _COLUMNS[table])
    return (
        f"CREATE TABLE IF NOT EXISTS {database}.{name} (\n    {columns}\n)\n"
        f"ENGINE = ReplacingMergeTree()\nPARTITION BY day\nORDER BY {_ORDER[table]}"
    )


def _distributed(table: str, database: str, cluster: str) -> str:
    return (
        f"CREATE TABLE IF NOT EXISTS {database}.{table} AS {database}.{table}{LOCAL_SUFFIX}\n"
        f"ENGINE = Distributed({cluster}, {database}, {table}{LOCAL_SUFFIX}, cityHash64(host))"
    )


def ddl(database: str = "default", cluster: str | None = None) -> list[str]:
    """The CREATE statements, in order. With `cluster`: per table a `_local` table (on every
    shard) and a Distributed table over it sharded by host (on every server queried)."""
    if cluster is None:
        return [_create(t, t, database) for t in TABLES]
    return [s for t in TABLES for s in (_create(t, t + LOCAL_SUFFIX, database), _distributed(t, database, cluster))]


def create(store: Store, cluster: str | None = None) -> list[str]:
    """Apply the DDL; returns where it was applied.

    On a cluster without ZooKeeper there is no `ON CLUSTER`: the local tables are created on
    every replica that `system.clusters` lists for `cluster`, by connecting to each with the
    store's credentials, and the Distributed tables on each of them too (any can be queried).
    """
    if cluster is None:
        for statement in ddl(store.database):
            store.execute(statement)
        return [store.url]
    if store.engine != "server":
        raise FpmscopeError("--cluster needs a ClickHouse server (clickhouse://...), not chdb")
    found = store.rows(
        "SELECT host_address, port FROM system.clusters WHERE cluster = %(c)s ORDER BY shard_num, replica_num",
        {"c": cluster},
    )
    if not found:
        raise FpmscopeError(f"--cluster {cluster}: the server at {store.url} knows no such cluster (remote_servers)")
    done = []
    statements = ddl(store.database, cluster)
    for node in found:
        url = _node_url(store.url, str(node["host_address"]), int(node["port"]))
        shard = connect(url)
        try:
            for statement in statements:
                shard.execute(statement)
        except StoreError as exc:
            raise FpmscopeError(f"--cluster {cluster}: {exc}") from None
        finally:
            shard.close()
        done.append(url)
    return done


def _node_url(url: str, host: str, port: int) -> str:
    t: Target = parse_url(url)
    auth = t.user + (f":{t.password}" if t.password else "") + "@"
    return f"clickhouse://{auth}{host}:{port}/{t.database}"


def source(table: str, database: str = "default") -> str:
    """The deduplicated rows of `table` (RECORDS or HITS) as a FROM-clause item: a subquery
    each request appears in once, merged or not. Filters go outside it (`WHERE ...`): a
    row and its duplicate are identical, so filtering before or after the dedupe is the same.
    """
    if table not in _COLUMNS:
        raise ValueError(f"unknown table {table!r}")
    names = ", ".join(n for n, _ in _COLUMNS[table])
    return f"(SELECT {names} FROM {database}.{table} FINAL)"


def _digest(text: str) -> int:
    raw = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(raw, "big")


def record_identity(record: Mapping[str, Any]) -> int:
    """A probe record's identity: its worker (host, pool, pid, and worker_start for format-1
    records) and start time to the microsecond, and its URI: the key DuckDB's ingest
    deduplicates on. `record` maps column names to values, like a row of RECORD_COLUMNS."""
    start = record.get("worker_start")
    start_text = "" if start is None else str(start)
    key = f"r\t{record['host']}\t{record['pool']}\t{record['pid']}\t{start_text}\t{float(record['ts']):.6f}"
    return _digest(f"{key}\t{record['uri']}")


def hit_identity(host: str, values: Sequence[object], occurrence: int) -> int:
    """An access-log request's identity: its host, its parsed fields (HITS_COLUMNS) and how many
    requests with the very same fields came before it in the same file.

    Two requests can give identical lines (the same client, URL, second, size and time), so
    the content alone would merge them; the occurrence number keeps them apart, and is the
    same each time the file, or any copy holding all of those lines, is read again. Loading
    overlapping copies therefore keeps, of each identical group, as many as the fullest copy
    holds: right, except for identical lines split across two files (the same second on both
    sides of a rotation), which count once. A format with $request_id or $msec has none.
    """
    fields = "\t".join("\\N" if v is None else repr(v) for v in values)
    return _digest(f"h\t{host}\t{fields}\t{occurrence}")
