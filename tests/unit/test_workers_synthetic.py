"""Workers over their lives on synthetic logs: pid reuse, recycled vs alive, growth and causes."""

from __future__ import annotations

import random
from pathlib import Path

from fpmscope import ingest
from fpmscope.analysis.requests import LeakOptions, prepare
from fpmscope.analysis.workers import analyze, theil_sen
from fpmscope.model.workers import WorkerLife, WorkersReport
from tests.synth import Worker, noise, write

KiB = 1024
ORDINARY = ("/", "/products/1", "/cart", "/users/7/profile")


def report(tmp_path: Path, *workers: Worker) -> WorkersReport:
    log = write(tmp_path / "probe.log", *workers)
    con = ingest.connect(None)
    return analyze(prepare(con, ingest.ingest(con, [str(log)]), LeakOptions()))


def serve(w: Worker, rng: random.Random, n: int, leak: dict[str, int] | None = None) -> Worker:
    paths = [*ORDINARY, *(leak or {})]
    for _ in range(n):
        uri = rng.choice(paths)
        w.request(uri, keep=(leak or {}).get(uri, 0), noise=noise(rng))
    return w


def by_key(rep: WorkersReport) -> dict[tuple[int, int], WorkerLife]:
    """Workers by pid and life of that pid (0 = the first seen)."""
    lives: dict[int, int] = {}
    keyed = {}
    for w in sorted(rep.workers, key=lambda w: w.first_seen):
        keyed[w.pid, lives.get(w.pid, 0)] = w
        lives[w.pid] = lives.get(w.pid, 0) + 1
    return keyed


def test_theil_sen_ignores_spikes_and_an_early_step() -> None:
    xs = [float(x) for x in range(40)]
    spikes = {7: 1 << 20, 19: 1 << 20, 33: 1 << 20}
    ys = [100.0 * x + spikes.get(x, 0) + (50_000.0 if x >= 3 else 0.0) for x in range(40)]
    # The line from first to last point would say 100 + 50000/39 = 1382 bytes per request.
    assert theil_sen(xs, ys) == 100.0


def test_reused_pid_is_two_workers_and_the_first_was_recycled(tmp_path: Path) -> None:
    rng = random.Random(1)
    first = serve(Worker(pid=42), rng, 300)
    second = serve(Worker(pid=42, ts=first.ts + 0.5), rng, 300)
    rep = report(tmp_path, first, second)
    workers = by_key(rep)
    assert set(workers) == {(42, 0), (42, 1)}
    assert workers[42, 0].state == "recycled"
    assert workers[42, 0].requests == 300
    assert workers[42, 1].state == "alive"
    assert (rep.recycled, rep.alive) == (1, 1)


def test_quiet_worker_with_no_successor_is_not_called_gone(tmp_path: Path) -> None:
    rng = random.Random(2)
    busy = serve(Worker(pid=1), rng, 600)
    quiet = serve(Worker(pid=2), rng, 100)  # started with busy, ends 5 s before it
    rep = report(tmp_path, busy, quiet)
    assert by_key(rep)[2, 0].state == "alive"
    assert "no later worker" in by_key(rep)[2, 0].state_reason


def test_worker_replaced_in_the_last_few_requests_is_not_yet_called_recycled(tmp_path: Path) -> None:
    rng = random.Random(6)
    first = serve(Worker(pid=5), rng, 300)
    second = serve(Worker(pid=6, ts=first.ts + 0.5), rng, 10)
    rep = report(tmp_path, first, second)
    assert by_key(rep)[5, 0].state == "alive"
    assert "too close to the end" in by_key(rep)[5, 0].state_reason


def test_leaking_worker_grows_by_leak_size_times_its_leak_share(tmp_path: Path) -> None:
    rng = random.Random(3)
    leaky = serve(Worker(pid=7), rng, 500, {"/export/pdf": 32 * KiB})
    clean = serve(Worker(pid=8), rng, 500)
    rep = report(tmp_path, leaky, clean)
    assert rep.workers[0].pid == 7, "the swelling worker comes first"
    w = rep.workers[0]
    leaks = sum(1 for r in leaky.records[3:] if r.uri == "/export/pdf")
    expected = 32 * KiB * leaks / len(leaky.records[3:])
    assert w.growth_bytes_per_request is not None
    assert abs(w.growth_bytes_per_request - expected) < 0.25 * expected
    assert w.top_endpoints[0].endpoint == "GET /export/pdf"
    share = w.top_endpoints[0].share
    assert share is not None and share > 0.8
    assert w.anon_growth_bytes is not None
    assert abs(w.anon_growth_bytes - 32 * KiB * leaks) < 0.1 * 32 * KiB * leaks
    other = rep.workers[1]
    assert other.growth_bytes_per_request is not None
    assert abs(other.growth_bytes_per_request) < 512


def test_worker_with_too_few_requests_has_no_slope(tmp_path: Path) -> None:
    rng = random.Random(4)
    rep = report(tmp_path, serve(Worker(pid=9), rng, 6))
    assert rep.workers[0].growth_bytes_per_request is None
    assert "none with enough requests" in rep.verdict


def test_workers_json_and_csv_through_the_cli(tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from fpmscope.cli import main

    rng = random.Random(5)
    log = write(tmp_path / "p.log", serve(Worker(pid=3), rng, 50, {"/x": 8 * KiB}))
    out = CliRunner().invoke(main, ["workers", str(log), "--format", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["schema_version"] == 3
    assert data["workers"][0]["pid"] == 3
    csv_out = CliRunner().invoke(main, ["workers", str(log), "--format", "csv"])
    assert csv_out.stdout.splitlines()[0].startswith("host,pool,pid,first_seen")
    assert len(csv_out.stdout.splitlines()) == 2
    table = CliRunner().invoke(main, ["workers", str(log)])
    assert "pid 3" in table.stdout and "GET /x" in table.stdout


WORKER_KEYS = {
    "host", "pool", "pid", "first_seen", "last_seen", "requests", "first_anon_bytes",
    "last_anon_bytes", "first_shared_bytes", "last_shared_bytes", "anon_growth_bytes", "growth_bytes_per_request",
    "trend_growth_bytes", "baseline_anon_bytes", "top_endpoints", "state", "state_reason",
}  # fmt: skip


def test_workers_json_contract(tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from fpmscope.cli import main

    rng = random.Random(8)
    log = write(tmp_path / "p.log", serve(Worker(pid=3), rng, 200, {"/x": 32 * KiB}))
    data = json.loads(CliRunner().invoke(main, ["workers", str(log), "--format", "json"]).stdout)
    assert set(data) == {"schema_version", "inputs", "workers", "recycled", "alive", "verdict"}
    (worker,) = data["workers"]
    assert set(worker) == WORKER_KEYS
    assert set(worker["top_endpoints"][0]) == {"endpoint", "requests", "kept_bytes", "share"}
    assert worker["top_endpoints"][0]["endpoint"] == "GET /x"
