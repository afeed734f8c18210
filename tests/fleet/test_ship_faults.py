"""`fpmscope ship` under faults, as real processes against a real 18.16 server and real files:
kill -9 mid-batch, ClickHouse restarted mid-stream, logrotate's rename and copytruncate
mid-read, a full batch buffer. Afterwards every request is in ClickHouse exactly once (count
and identity, read through the deduplicated source)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from fpmscope.fleet import local, schema
from fpmscope.fleet.store import opened
from tests.fleet import logs
from tests.fleet.servers import fresh_database
from tests.fleet.shipping import ShipProcess, wait_for


def append(path: Path, lines: list[str]) -> None:
    with path.open("a") as f:
        f.write("".join(lines))


def source_lines(tmp_path: Path, probes: int, requests: int) -> tuple[list[str], list[str]]:
    probe = logs.probe_log(tmp_path / "source-probe.log", probes).read_text().splitlines(keepends=True)
    access = logs.access_log(tmp_path / "source-access.log", requests).read_text().splitlines(keepends=True)
    return probe, access


def expect(url: str, records: int, requests: int) -> None:
    """Wait until readers see exactly this many, then check that each is there once."""
    wait_for(lambda: logs.counts(url)[0::2] == (records, requests), f"{records} records and {requests} requests")
    assert logs.counts(url) == (records, records, requests, requests)


def raw_records(url: str) -> int:
    """Rows stored, duplicates included (before merges)."""
    with opened(url) as store:
        return int(store.rows(f"SELECT count() AS n FROM {store.database}.{schema.RECORDS}")[0]["n"])


@pytest.fixture
def shipper_cleanup() -> Iterator[list[ShipProcess]]:
    started: list[ShipProcess] = []
    yield started
    for proc in started:
        proc.stop_quietly()


def test_rotation_by_rename_and_copytruncate_mid_read(
    ch_single: str, tmp_path: Path, shipper_cleanup: list[ShipProcess]
) -> None:
    probe, access = source_lines(tmp_path, 2100, 500)
    live = tmp_path / "logs"
    live.mkdir()
    plog, alog = live / "fpmscope.log", live / "access.log"
    append(plog, probe[:1000])
    append(alog, access[:150])
    append(alog, ["not a request\n", "\x00\x00 NUL bytes\n"])  # skipped and counted, as `slow` does
    append(alog, access[150:300])
    half = access[300]
    append(alog, [half[:20]])  # a line being written: it must wait for its end
    ship = ShipProcess(ch_single, [plog, alog], tmp_path / "ship.json", "--batch-seconds", "0.2").start()
    shipper_cleanup.append(ship)
    expect(ch_single, 1000, 300)
    # rename: the writer appends to the old file until it reopens, then writes the new one
    plog.rename(live / "fpmscope.log.1")
    append(live / "fpmscope.log.1", probe[1000:1500])
    append(plog, probe[1500:2000])
    # copytruncate: the half line ends, more lines, copied, emptied, written again
    append(alog, [half[20:], *access[301:400]])
    shutil.copy(alog, live / "access.log.1")
    os.truncate(alog, 0)
    append(alog, access[400:500])
    expect(ch_single, 2000, 500)
    append(plog, probe[2000:2100])
    assert ship.terminate() == 0
    # What the checkpoint says was sent is in ClickHouse; a restart sends the rest, once.
    saved = json.loads((tmp_path / "ship.json").read_text())["files"]
    assert saved[str(alog)]["offset"] == alog.stat().st_size
    shipper_cleanup.append(
        ShipProcess(ch_single, [plog, alog], tmp_path / "ship.json", "--batch-seconds", "0.2").start()
    )
    expect(ch_single, 2100, 500)
    assert "Traceback" not in ship.stderr()
    assert "skipped 2 malformed line(s)" in ship.stderr()
    # Loading the rotated and current files afterwards (a backfill) adds nothing: shipped
    # and loaded rows have the same identities.
    files = [str(p) for p in sorted(live.iterdir())]
    loaded = subprocess.run(
        [sys.executable, "-m", "fpmscope", "load", "--clickhouse", ch_single, "--host", "web1", *files],
        capture_output=True,
        text=True,
        check=False,
    )
    assert loaded.returncode == 0, loaded.stderr
    assert logs.counts(ch_single) == (2100, 2100, 500, 500)


def test_kill_9_mid_batch_then_restart_sends_each_record_once(
    ch_single: str, tmp_path: Path, shipper_cleanup: list[ShipProcess]
) -> None:
    probe, _ = source_lines(tmp_path, 6000, 0)
    plog = tmp_path / "fpmscope.log"
    append(plog, probe)
    args = (ch_single, [plog], tmp_path / "ship.json", "--batch-size", "32KiB", "--batch-seconds", "0.1")
    for _ in range(2):  # killed twice while batches are going out
        if logs.counts(ch_single)[0] == 6000:
            break  # all sent already (a very fast machine): the kill still came once
        ship = ShipProcess(*args).start()
        shipper_cleanup.append(ship)
        before = raw_records(ch_single)
        wait_for(lambda before=before: raw_records(ch_single) > before, "a batch to arrive")  # type: ignore[misc]
        ship.kill9()
    shipper_cleanup.append(ShipProcess(*args).start())
    expect(ch_single, 6000, 0)


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[list[local.Server]]:
    """A server of this test's own, to be stopped and restarted: the list holds the running one."""
    servers = [local.start(tmp_path / "server")]
    yield servers
    local.stop(servers[-1])


def test_clickhouse_restarted_mid_stream(
    own_server: list[local.Server], tmp_path: Path, shipper_cleanup: list[ShipProcess]
) -> None:
    server = own_server[0]
    url = fresh_database([server])
    probe, access = source_lines(tmp_path, 1500, 400)
    plog, alog = tmp_path / "fpmscope.log", tmp_path / "access.log"
    append(plog, probe[:500])
    append(alog, access[:200])
    ship = ShipProcess(url, [plog, alog], tmp_path / "ship.json", "--batch-seconds", "0.2", "--max-backoff", "1")
    shipper_cleanup.append(ship.start())
    expect(url, 500, 200)
    os.kill(server.pid, 9)  # the server dies; the shipper keeps reading and retrying
    local.stop(server)
    append(plog, probe[500:1500])
    append(alog, access[200:400])
    wait_for(lambda: "retrying" in ship.stderr(), "the shipper to retry")
    own_server.append(local.start(server.root, tcp_port=server.tcp_port))
    expect(url, 1500, 400)
    assert ship.terminate() == 0


def test_full_buffer_pauses_reading_until_clickhouse_is_back(
    tmp_path: Path, shipper_cleanup: list[ShipProcess]
) -> None:
    port = local.free_port()
    url = f"clickhouse://127.0.0.1:{port}/fleet"
    probe, _ = source_lines(tmp_path, 3000, 0)
    plog = tmp_path / "fpmscope.log"
    append(plog, probe)  # ~0.8 MB, far beyond the buffer
    options = ("--batch-size", "32KiB", "--max-buffer", "96KiB", "--max-backoff", "1")
    ship = ShipProcess(url, [plog], tmp_path / "ship.json", *options).start()
    shipper_cleanup.append(ship)
    wait_for(lambda: "buffer full (" in ship.stderr(), "the buffer to fill")
    wait_for(lambda: "unreachable" in ship.stderr(), "a failed attempt")
    assert not (tmp_path / "ship.json").exists()  # nothing acknowledged, nothing checkpointed
    server = local.start(tmp_path / "server", tcp_port=port)
    try:
        with opened(f"clickhouse://127.0.0.1:{port}/default") as admin:
            admin.execute("CREATE DATABASE fleet")
        with opened(url) as store:
            schema.create(store)
        expect(url, 3000, 0)
        assert ship.terminate() == 0
    finally:
        local.stop(server)


def test_ship_into_distributed_tables_puts_each_host_on_one_shard(
    ch_distributed: str, clickhouse_cluster: list[local.Server], tmp_path: Path, shipper_cleanup: list[ShipProcess]
) -> None:
    probe, access = source_lines(tmp_path, 900, 300)
    plog, alog = tmp_path / "fpmscope.log", tmp_path / "access.log"
    append(plog, probe)
    append(alog, access)
    ship = ShipProcess(ch_distributed, [plog, alog], tmp_path / "ship.json", "--batch-size", "64KiB")
    shipper_cleanup.append(ship.start())
    expect(ch_distributed, 900, 300)
    assert ship.terminate() == 0
    database = ch_distributed.rsplit("/", 1)[1]
    hosts: list[str] = []
    for server in clickhouse_cluster:  # each shard's own table: inserts were synchronous
        with opened(f"clickhouse://127.0.0.1:{server.tcp_port}/{database}") as store:
            found = store.rows("SELECT host, count() AS n FROM fpmscope_records_local FINAL GROUP BY host")
        assert all(r["n"] == 300 for r in found)
        hosts += [r["host"] for r in found]
    assert sorted(hosts) == list(logs.HOSTS)


def test_sigterm_while_clickhouse_is_away_exits_1_and_the_next_start_sends_it(
    tmp_path: Path, shipper_cleanup: list[ShipProcess]
) -> None:
    port = local.free_port()
    probe, _ = source_lines(tmp_path, 300, 0)
    plog = tmp_path / "fpmscope.log"
    append(plog, probe)
    url = f"clickhouse://127.0.0.1:{port}/default"
    args = (url, [plog], tmp_path / "ship.json", "--stop-timeout", "1", "--max-backoff", "0.5")
    ship = ShipProcess(*args).start()
    shipper_cleanup.append(ship)
    wait_for(lambda: "unreachable" in ship.stderr(), "a failed attempt")
    assert ship.terminate() == 1
    assert "bytes unsent; they are sent at the next start" in ship.stderr()
    server = local.start(tmp_path / "server", tcp_port=port)
    try:
        with opened(url) as store:
            schema.create(store)
        shipper_cleanup.append(ShipProcess(*args).start())
        expect(url, 300, 0)
    finally:
        local.stop(server)
