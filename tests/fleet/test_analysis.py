"""`--clickhouse`: the analysis inside ClickHouse gives DuckDB's answer, for leaks and for the
whole report (workers, pm.* advice, latency and memory timelines).

Three logs of the accuracy corpus (tests/data/fleet): s1-002, whose windows are cut after a
big transient endpoint; s1-007, with a bounded cache; s1-008, where nothing leaks. Each runs
on one engine (chdb 26.x in process, one 18.16 server, a Distributed table over two 18.16
shards) to keep the suite short; bench/clickhouse_accuracy.sh runs every log on every engine.
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

import pytest
from click.testing import CliRunner

from fpmscope.analysis import full
from fpmscope.analysis.requests import LeakOptions
from fpmscope.cli import main
from fpmscope.fleet.analysis import Filters, FleetQuery
from fpmscope.fleet.store import connect
from fpmscope.model.full import FullReport
from fpmscope.pipeline import finish, fleet_requests, probe_requests
from tests.fleet.records import records, store_records

DATA = Path(__file__).parent.parent / "data" / "fleet"


OPTIONS = LeakOptions(top=500)
BUDGET = (2 << 30, 0)


def log(name: str) -> str:
    return str(DATA / f"{name}-probe.log.gz")


@functools.cache
def duckdb_report(path: str) -> FullReport:
    requests, _ = probe_requests((path,), None, OPTIONS)
    return full.build(requests, budget=BUDGET)


def clickhouse_report(url: str, path: str, filters: Filters | None = None) -> FullReport:
    """The report over the records of the probe log `path`, stored at `url` and analysed there."""
    store = connect(url)
    try:
        store_records(store, records(path))
    finally:
        store.close()
    requests, _ = fleet_requests(FleetQuery(url, filters or Filters()), OPTIONS)
    try:
        return full.build(requests, budget=BUDGET)
    finally:
        finish(requests)


def assert_same(duck_full: FullReport, ch_full: FullReport) -> None:
    """The same suspects, the same ranking, estimates within 1 %, the same verdict; and then
    the same report, the inputs' names apart."""
    duck, ch = duck_full.leaks, ch_full.leaks
    assert [s.endpoint for s in ch.suspects] == [s.endpoint for s in duck.suspects]
    assert [e.endpoint for e in ch.endpoints] == [e.endpoint for e in duck.endpoints]
    for d, c in zip(duck.endpoints, ch.endpoints, strict=True):
        assert c.retained_bytes_per_request == pytest.approx(d.retained_bytes_per_request, rel=0.01, abs=1.0)
        assert (c.requests, c.judged_requests, c.suspect, c.kind) == (d.requests, d.judged_requests, d.suspect, d.kind)
    assert ch.verdict == duck.verdict
    assert _unnamed(ch_full) == _unnamed(duck_full)


def _unnamed(report: FullReport) -> FullReport:
    """The report with its inputs' names (log files, or the ClickHouse URL) left out."""
    inputs = dataclasses.replace(report.leaks.inputs, files=())
    assert report.advice is not None
    return dataclasses.replace(
        report,
        leaks=dataclasses.replace(report.leaks, inputs=inputs),
        workers=dataclasses.replace(report.workers, inputs=inputs),
        advice=dataclasses.replace(report.advice, inputs=inputs),
    )


def test_chdb_finds_the_leaks_duckdb_finds_with_windows_cut_after_a_big_request(chdb_store: str) -> None:
    duck = duckdb_report(log("s1-002"))
    assert len(duck.leaks.suspects) == 3
    assert_same(duck, clickhouse_report(chdb_store, log("s1-002")))


def test_one_18_16_server_judges_a_bounded_cache_as_duckdb_does(ch_single: str) -> None:
    assert_same(duckdb_report(log("s1-007")), clickhouse_report(ch_single, log("s1-007")))


def test_distributed_table_over_two_shards_finds_no_leak_where_duckdb_finds_none(ch_distributed: str) -> None:
    duck = duckdb_report(log("s1-008"))
    assert duck.leaks.suspects == ()
    assert_same(duck, clickhouse_report(ch_distributed, log("s1-008")))


def test_cli_reads_clickhouse_with_filters_and_refuses_logs_beside_it(chdb_store: str) -> None:
    store = connect(chdb_store)
    store_records(store, records(log("s1-002")))
    store.close()
    runner = CliRunner()
    found = runner.invoke(main, ["leaks", "--clickhouse", chdb_store, "--format", "json", "--host", "nowhere"])
    assert found.exit_code == 2
    assert "no probe records in ClickHouse" in found.output
    both = runner.invoke(main, ["leaks", "--clickhouse", chdb_store, "x.log"])
    assert both.exit_code == 2
    neither = runner.invoke(main, ["leaks", "--since", "2h", log("s1-002")])
    assert neither.exit_code == 2
