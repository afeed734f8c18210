"""The store layer and the schema, on a real 18.16 server, a two-shard cluster and chdb."""

from __future__ import annotations

import datetime as dt

import pytest

from fpmscope.errors import FpmscopeError
from fpmscope.fleet import schema
from fpmscope.fleet.store import Store, bind, opened, parse_url
from fpmscope.records import RECORD_FIELDS


def test_urls_parse_and_bad_ones_are_refused() -> None:
    t = parse_url("clickhouse://ops:s%40cret@db1:9440/fleet")
    assert (t.host, t.port, t.user, t.password, t.database) == ("db1", 9440, "ops", "s@cret", "fleet")
    assert parse_url("clickhouse://db1").database == "default"
    assert parse_url("chdb:/var/lib/x").path == "/var/lib/x"
    for bad in ("http://db1", "clickhouse://db1/no-such;db", "chdb:", "clickhouse://db1:port"):
        with pytest.raises(FpmscopeError):
            parse_url(bad)


def test_parameters_are_quoted_as_literals() -> None:
    sql = bind(
        "SELECT %(s)s, %(n)s, %(l)s, %(d)s", {"s": "it's \\ x", "n": None, "l": [1, 2], "d": dt.date(2026, 1, 2)}
    )
    assert sql == "SELECT 'it\\'s \\\\ x', NULL, [1, 2], '2026-01-02'"


def _roundtrip(url: str) -> None:
    with opened(url) as store:
        _check_roundtrip(store)


def _check_roundtrip(store: Store) -> None:
    rows = store.rows("SELECT %(s)s AS s, toDate('2026-01-02') AS d, toUInt64(18446744073709551615) AS u", {"s": "a'b"})
    assert rows == [{"s": "a'b", "d": dt.date(2026, 1, 2), "u": 18446744073709551615}]
    names = [n for n, _ in schema.RECORD_COLUMNS]
    assert names[: len(RECORD_FIELDS)] == [n for n, _ in RECORD_FIELDS]
    row = dict.fromkeys(names) | {"host": "h", "pool": "www", "pid": 7, "ts": 1.8e9, "uri": "/x"}
    row |= {"method": "GET", "script": "", "request_id": "", "outcome": "ok", "tag": "", "flags": ""}
    row |= {"day": dt.date(2027, 1, 15), "source": "h:/log"}
    row["rid"] = schema.record_identity(row)
    # Sent twice, as by a shipper killed before its checkpoint: counted once.
    for _ in range(2):
        assert store.insert(schema.RECORDS, names, [tuple(row[n] for n in names)]) == 1
    found = store.rows(
        f"SELECT count() AS n, any(anon_start) AS a FROM {schema.source(schema.RECORDS, store.database)}"
    )
    assert found == [{"n": 1, "a": None}]


def test_single_server_stores_a_resent_record_once(ch_single: str) -> None:
    with opened(ch_single) as store:
        assert store.version[:2] == (18, 16)
    _roundtrip(ch_single)


def test_distributed_tables_store_a_resent_record_once(ch_distributed: str) -> None:
    _roundtrip(ch_distributed)


def test_chdb_stores_a_resent_record_once(chdb_store: str) -> None:
    with opened(chdb_store) as store:
        assert store.version[0] >= 24
    _roundtrip(chdb_store)


def test_unreachable_server_is_one_clear_error() -> None:
    from fpmscope.fleet.local import free_port
    from fpmscope.fleet.store import Unavailable

    with pytest.raises(Unavailable, match="unreachable"), opened(f"clickhouse://127.0.0.1:{free_port()}/default"):
        pass
