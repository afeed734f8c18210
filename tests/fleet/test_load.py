"""`fpmscope load` and `fpmscope clickhouse schema`, against a real 18.16 server, a two-shard
cluster and chdb: each request once, however often and in whatever copies it is loaded."""

from __future__ import annotations

import gzip
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from fpmscope import ingest
from fpmscope.accesslog import ingest as access_ingest
from fpmscope.accesslog.files import Input
from fpmscope.cli import main
from fpmscope.fleet import schema
from fpmscope.fleet.store import opened
from tests.fleet import logs
from tests.fleet.servers import Server

STORES = ("ch_single", "ch_distributed", "chdb_store")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_schema_prints_the_ddl_with_identity_and_day_partition() -> None:
    code, out = run("clickhouse", "schema")
    assert code == 0
    assert out.count("CREATE TABLE IF NOT EXISTS default.") == 2
    assert "ENGINE = ReplacingMergeTree()" in out and "PARTITION BY day" in out
    assert "ORDER BY (host, pool, pid, ts, rid)" in out
    assert "host LowCardinality(String)" in out
    code, out = run("clickhouse", "schema", "--cluster", "fleet")
    assert (
        "fpmscope_records_local" in out
        and "Distributed(fleet, default, fpmscope_records_local, cityHash64(host))" in out
    )


def test_schema_create_is_idempotent(ch_single: str) -> None:
    for _ in range(2):
        code, out = run("clickhouse", "schema", "--create", ch_single)
        assert code == 0, out
    with opened(ch_single) as store:
        found = store.rows("SELECT name FROM system.tables WHERE database = %(d)s ORDER BY name", {"d": store.database})
    assert [r["name"] for r in found] == ["fpmscope_hits", "fpmscope_records"]


@pytest.mark.parametrize("store", STORES)
def test_loading_twice_and_overlapping_copies_counts_each_request_once(
    store: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue(store)
    probe = logs.probe_log(tmp_path / "fpmscope.log", 1500)
    access = logs.access_log(tmp_path / "access.log", 1000, twins=3)
    # Overlapping copies: the first 60 % and the last 60 % of each log, and a gzip copy.
    parts = []
    for path in (probe, access):
        lines = path.read_bytes().splitlines(keepends=True)
        cut = len(lines) * 6 // 10
        head, tail = path.with_suffix(".head"), path.with_suffix(".tail")
        head.write_bytes(b"".join(lines[:cut]))
        tail.write_bytes(b"".join(lines[-cut:]))
        with path.open("rb") as src, gzip.open(path.with_suffix(".1.gz"), "wb") as dst:
            shutil.copyfileobj(src, dst)
        parts += [str(head), str(tail), str(path.with_suffix(".1.gz"))]
    code, out = run("load", "--clickhouse", url, "--host", "web1", str(probe), str(access))
    assert code == 0, out
    assert "Loaded 1,500 probe records and 1,003 requests" in out
    once = logs.counts(url)
    assert once == (1500, 1500, 1003, 1003)
    code, out = run("load", "--clickhouse", url, "--host", "web1", str(probe), str(access), *parts)
    assert code == 0, out
    assert logs.counts(url) == once
    # The identical lines are three requests, however many copies held them.
    with opened(url) as s:
        twins = s.rows(
            f"SELECT count() AS n FROM {schema.source(schema.HITS, s.database)} WHERE request = 'GET /item/0 HTTP/1.1'"
        )
    assert twins == [{"n": 4}]  # /item/0 of the numbered lines, and the three twins


def test_identical_lines_split_across_copies_keep_the_fullest_count(ch_single: str, tmp_path: Path) -> None:
    a = logs.access_log(tmp_path / "a.log", 5, twins=2)
    b = logs.access_log(tmp_path / "b.log", 5, twins=4)  # a later, longer copy of the same log
    assert run("load", "--clickhouse", ch_single, "--host", "h", str(a), str(b))[0] == 0
    assert logs.counts(ch_single)[2:] == (9, 9)


def test_records_land_on_the_shard_of_their_host(
    ch_distributed: str, clickhouse_cluster: list[Server], tmp_path: Path
) -> None:
    probe = logs.probe_log(tmp_path / "fpmscope.log", 600)
    assert run("load", "--clickhouse", ch_distributed, str(probe))[0] == 0
    database = ch_distributed.rsplit("/", 1)[1]
    shards = []
    for server in clickhouse_cluster:
        with opened(f"clickhouse://127.0.0.1:{server.tcp_port}/{database}") as store:
            found = store.rows("SELECT host, count() AS n FROM fpmscope_records_local GROUP BY host")
        shards.append({r["host"]: r["n"] for r in found})
    # Every host's records are all on one shard.
    assert sorted(h for shard in shards for h in shard) == list(logs.HOSTS)
    assert all(n == 200 for shard in shards for n in shard.values())


def test_skipped_lines_are_counted_as_the_duckdb_ingest_counts_them(chdb_store: str, tmp_path: Path) -> None:
    probe = logs.probe_log(tmp_path / "fpmscope.log", 200)
    with probe.open("a") as f:
        f.write("garbage line\n" + "fpms2\tweb1\twww\t-5\n" + "\x00\x00\n")
    access = logs.access_log(tmp_path / "access.log", 100)
    with access.open("a") as f:
        f.write("not a request\n")
    con = ingest.connect(None)
    expected = ingest.ingest(con, [str(probe)])
    hits = access_ingest.connect()
    expected_hits = access_ingest.ingest(hits, [Input(str(access), access)], None)
    code, out = run("load", "--clickhouse", chdb_store, str(probe), str(access))
    assert code == 0
    assert f"skipped {expected.skipped + expected_hits.skipped} malformed line(s)" in out
    assert logs.counts(chdb_store)[0::2] == (expected.rows, expected_hits.parsed)


def test_bad_url_and_missing_driver_are_one_line_errors(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    log = logs.access_log(tmp_path / "a.log", 3)
    code, out = run("load", "--clickhouse", "http://x", str(log))
    assert code == 2 and "expected clickhouse://" in out
    monkeypatch.setitem(sys.modules, "clickhouse_driver", None)
    code, out = run("load", "--clickhouse", "clickhouse://127.0.0.1:1/default", str(log))
    assert code == 2 and "pip install 'fpmscope[clickhouse]'" in out and "Traceback" not in out


def test_cluster_schema_needs_a_server_and_ship_refuses_a_bad_url(chdb_store: str, tmp_path: Path) -> None:
    code, out = run("clickhouse", "schema", "--create", chdb_store, "--cluster", "fpmscope")
    assert code == 2 and "--cluster needs a ClickHouse server" in out
    code, out = run(
        "ship", "--clickhouse", "mysql://x", "--checkpoint", str(tmp_path / "c.json"), str(tmp_path / "a.log")
    )
    assert code == 2 and "expected clickhouse://" in out
