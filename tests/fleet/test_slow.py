"""`slow --clickhouse`: the slow table computed inside ClickHouse is the one `slow LOG` gives.

The same logs are read by DuckDB (`slow FILE...`) and loaded with `fpmscope load` into each
engine (chdb 26.x in process, one 18.16 server, a Distributed table over two 18.16 shards),
then `slow --clickhouse` runs there. Same endpoints in the same order, equal counts, times and
percentiles within 1 % (they agree to the digit here: both compute DuckDB's quantile_cont).
The N slowest requests agree in their times; requests tied on time may be listed in another
order (ClickHouse has no file order to break ties with).
"""

from __future__ import annotations

import dataclasses
import json
import random
from pathlib import Path
from typing import Any

import pytest
from bench import gen_access
from click.testing import CliRunner

from fpmscope.analysis.slow import SlowOptions
from fpmscope.cli import main
from fpmscope.fleet.analysis import Filters, FleetQuery
from fpmscope.fleet.slow import access_report
from tests.synth import Worker

REAL = Path(__file__).parent.parent / "data" / "real-logs"


def run(*args: str) -> Any:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result


def slow_json(*args: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(run("slow", "--format", "json", *args).stdout)
    return data


def load(url: str, host: str, *logs: Path) -> None:
    run("load", "--clickhouse", url, "--host", host, *map(str, logs))


def assert_same_table(duck: dict[str, Any], ch: dict[str, Any]) -> None:
    """The same slow table: endpoints, order, counts; times and percentiles within 1 %."""
    assert [e["endpoint"] for e in ch["endpoints"]] == [e["endpoint"] for e in duck["endpoints"]]
    rows = [*zip(duck["endpoints"], ch["endpoints"], strict=True)]
    if duck["others"] is not None or ch["others"] is not None:
        rows.append((duck["others"], ch["others"]))
    for d, c in rows:
        for key, value in d.items():
            if isinstance(value, float):
                assert c[key] == pytest.approx(value, rel=0.01), (d["endpoint"], key)
            else:
                assert c[key] == value, (d["endpoint"], key)
    for key in ("endpoint_count", "sort", "time_available", "inferred_templates", "headline"):
        assert ch[key] == duck[key], key
    if duck["total_time_s"] is None:
        assert ch["total_time_s"] is None
    else:
        assert ch["total_time_s"] == pytest.approx(duck["total_time_s"], rel=0.01)
    assert [s["time_ms"] for s in ch["slowest"]] == [s["time_ms"] for s in duck["slowest"]]
    same = ("requests", "first_time", "last_time", "joined_requests", "source", "time_column")
    assert {k: ch["inputs"][k] for k in same} == {k: duck["inputs"][k] for k in same}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """6,000 requests with known slow routes (a 2.5 s export, a 400 ms invoice) and blog slugs
    that only an inferred template folds; combined + upstream time + $request_id."""
    path = tmp_path_factory.mktemp("slow") / "access.log"
    gen_access.main(["--lines", "6000", "-o", str(path), "--format", "e2e", "--cardinality", "high", "--seed", "7"])
    return path


def probe_for(access: Path, out: Path, n: int) -> Path:
    """Probe records for the first `n` requests of `access`, joined to them by request id, with
    PHP wall and CPU times of their own."""
    rng = random.Random(5)
    workers = [Worker(pid=100 + i, host="h1") for i in range(4)]
    for i, line in enumerate(access.read_text().splitlines()[:n]):
        method, target = line.split('"')[1].split(" ")[:2]
        worker = workers[i % len(workers)]
        worker.request(target.split("?")[0], method=method)
        worker.records[-1] = dataclasses.replace(
            worker.records[-1],
            request_id=line.rsplit(" ", 1)[1],
            wall_us=rng.randint(500, 90_000),
            cpu_user_us=rng.randint(100, 400),
        )
    out.write_text("".join(r.to_line() for w in workers for r in w.records))
    return out


def test_chdb_ranks_the_known_slow_endpoints_as_duckdb_does_by_each_time(chdb_store: str, generated: Path) -> None:
    load(chdb_store, "web1", generated)
    for sort in ("total", "p95", "mean"):
        duck = slow_json(str(generated), "--sort", sort, "--top", "12")
        ch = slow_json("--clickhouse", chdb_store, "--sort", sort, "--top", "12")
        assert_same_table(duck, ch)
    by_p95 = slow_json("--clickhouse", chdb_store, "--sort", "p95", "--top", "3")
    assert by_p95["endpoints"][0]["endpoint"] == "GET /reports/export"
    assert any(t["template"].startswith("/blog/") for t in by_p95["inferred_templates"])
    filtered = ("--status", "5xx,499", "--path", "^/(products|blog)/", "--slowest", "3")
    assert_same_table(slow_json(str(generated), *filtered), slow_json("--clickhouse", chdb_store, *filtered))


@pytest.mark.parametrize(
    "name",
    [
        "otus-dexpiper-nginx-access-ui.log-20170630",  # the real production nginx format, ids in paths
        "lnav-iis-w3c-big-time-taken.log",  # IIS W3C, time-taken in ms
        "lnav-shop-combined-no-timing.log",  # no request time: ranked by count
        "beats-nginx-ingress-controller-test.log",  # multi-value upstream times, odd methods
    ],
)
def test_one_18_16_server_gives_the_slow_table_of_real_logs(ch_single: str, name: str) -> None:
    host = name.split("-")[1]
    load(ch_single, host, REAL / name)
    duck = slow_json(str(REAL / name), "--top", "15")
    ch = slow_json("--clickhouse", ch_single, "--host", host, "--top", "15")
    assert_same_table(duck, ch)


def test_distributed_table_joins_probe_records_over_two_shards(
    ch_distributed: str, generated: Path, tmp_path: Path
) -> None:
    """Half the requests from a host on each shard, probe records on one: the joined table
    (PHP wall and CPU time per endpoint) is DuckDB's over the same files."""
    lines = generated.read_text().splitlines(keepends=True)
    first, second = tmp_path / "web1.log", tmp_path / "h1.log"
    first.write_text("".join(lines[:3000]))
    second.write_text("".join(lines[3000:]))
    probe = probe_for(generated, tmp_path / "probe.log", 1500)
    load(ch_distributed, "web1", first, probe)
    load(ch_distributed, "h1", second)
    duck = slow_json(str(first), str(second), str(probe), "--top", "10")
    ch = slow_json("--clickhouse", ch_distributed, "--top", "10")
    assert ch["inputs"]["source"] == "access+probe"
    assert ch["inputs"]["joined_requests"] == 1500
    assert_same_table(duck, ch)
    # The probe records alone, for one pool: PHP's wall time.
    pool = slow_json("--clickhouse", ch_distributed, "--pool", "www", "--top", "10")
    assert pool["inputs"]["source"] == "probe"
    assert_same_table(slow_json(str(probe), "--top", "10"), pool)


def test_cli_refuses_what_clickhouse_cannot_serve(chdb_store: str) -> None:
    runner = CliRunner()
    cases = {
        ("slow", "--clickhouse", chdb_store, "access.log"): "not both",
        ("slow", "--clickhouse", chdb_store, "--log-format", "combined"): "--log-format",
        ("slow", "--host", "web1", str(REAL / "alp-ltsv_access.log")): "--clickhouse",
        ("slow",): "LOG",
        ("slow", "--clickhouse", chdb_store): "no requests in ClickHouse",
    }
    for args, message in cases.items():
        found = runner.invoke(main, list(args))
        assert found.exit_code == 2, (args, found.output)
        assert message in found.output, (args, found.output)
        assert "Traceback" not in found.output


def test_report_takes_its_slow_section_from_the_fleets_access_log_requests(
    chdb_store: str, generated: Path, tmp_path: Path
) -> None:
    probe = probe_for(generated, tmp_path / "probe.log", 600)
    load(chdb_store, "h1", generated, probe)
    duck = json.loads(
        run("report", str(probe), "--access-log", str(generated), "--format", "json", "--top", "10").stdout
    )
    ch = json.loads(run("report", "--clickhouse", chdb_store, "--format", "json", "--top", "10").stdout)
    assert ch["slow"]["inputs"]["source"] == "access"
    assert_same_table(duck["slow"], ch["slow"])
    # A pool narrows the probe records; access-log lines have none, so no slow section.
    assert access_report(FleetQuery(chdb_store, Filters(pools=("www",))), SlowOptions()) is None
