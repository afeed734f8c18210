"""The leak verdicts on synthetic workers: what must and must not be called a leak."""

from __future__ import annotations

import random
from pathlib import Path

from fpmscope import ingest
from fpmscope.analysis.leaks import analyze
from fpmscope.analysis.requests import LeakOptions, prepare
from fpmscope.model.leaks import LeakReport
from tests.synth import MiB, Worker, format_1, noise, write

ORDINARY = ("/", "/products/1", "/products/2", "/cart", "/users/7/profile")


def report(tmp_path: Path, *workers: Worker) -> LeakReport:
    log = write(tmp_path / "probe.log", *workers)
    con = ingest.connect(None)
    return analyze(prepare(con, ingest.ingest(con, [str(log)]), LeakOptions()))


def by_name(rep: LeakReport) -> dict[str, object]:
    return {e.endpoint: e for e in rep.endpoints}


def mixed_worker(pid: int, rng: random.Random, n: int, leak: dict[str, int] | None = None, pages: int = 2) -> Worker:
    w = Worker(pid=pid)
    paths = [*ORDINARY, *(leak or {})]
    for _ in range(n):
        uri = rng.choice(paths)
        w.request(uri, keep=(leak or {}).get(uri, 0), noise=noise(rng, pages))
    return w


def test_planted_leak_is_found_with_its_size(tmp_path: Path) -> None:
    rng = random.Random(1)
    workers = [mixed_worker(pid, rng, 400, {"/export/pdf": 32 * 1024}) for pid in (10, 11, 12)]
    rep = report(tmp_path, *workers)
    assert [e.endpoint for e in rep.suspects] == ["GET /export/pdf"]
    assert abs(rep.suspects[0].retained_bytes_per_request - 32 * 1024) < 0.1 * 32 * 1024
    assert rep.suspects[0].kind == "native"


def test_zend_cache_decay_after_a_spike_is_not_a_leak(tmp_path: Path) -> None:
    rng = random.Random(2)
    w = Worker(pid=20)
    for _ in range(600):
        uri = rng.choice([*ORDINARY, "/report"])
        if uri == "/report":
            # Zend keeps half of the extra chunks, then gives half back after each request.
            w.request(uri, zend_cache_after=w.zend_cache + 12 * MiB, peak=30 * MiB)
        else:
            w.request(uri, zend_cache_after=2 * MiB + (w.zend_cache - 2 * MiB) // 2 // (2 * MiB) * (2 * MiB))
    rep = report(tmp_path, w)
    assert rep.suspects == ()
    big = by_name(rep)["GET /report"]
    assert big.zend_cache_bytes_per_request > 4 * MiB  # type: ignore[attr-defined]
    assert rep.footprint_ranking[0].endpoint == "GET /report"


def test_pid_reuse_starts_a_new_worker(tmp_path: Path) -> None:
    old = Worker(pid=30)
    for _ in range(50):
        old.request("/a", keep=0)
    old.native += 200 * MiB  # the old worker swelled, then was recycled
    old.request("/last")
    new = Worker(pid=30, ts=old.ts + 1)  # same pid, a new process: small again, little CPU used
    for _ in range(50):
        new.request("/last")
    rep = report(tmp_path, old, new)
    assert rep.inputs.workers == 2
    assert rep.inputs.unknown_requests == 2
    assert rep.suspects == ()
    assert by_name(rep)["GET /last"].retained_bytes_per_request < 4096  # type: ignore[attr-defined]


def test_two_lives_of_a_pid_are_analysed_like_two_pids(tmp_path: Path) -> None:
    """Warm-up, successors and clean requests are per life of a pid, as if pids were never reused."""

    def lives(second_pid: int) -> tuple[Worker, Worker]:
        rng = random.Random(5)
        old = Worker(pid=30)
        new = Worker(pid=second_pid, ts=old.ts + 600)  # old serves 500 requests, 0.01 s apart
        for w in (old, new):
            for i in range(500):
                # A worker's first requests fill autoloaders and caches: warm-up, not leaks (the
                # same endpoint, so that only the worker's warm-up rule covers the 2nd and 3rd).
                uri = "/" if i < 3 else rng.choice([*ORDINARY, "/export/pdf"])
                keep = 256 * 1024 if i < 3 else 16 * 1024 if uri == "/export/pdf" else 0
                w.request(uri, keep=keep, noise=noise(rng))
        return old, new

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    reused = report(tmp_path / "a", *lives(30))
    distinct = report(tmp_path / "b", *lives(31))
    assert reused.inputs.workers == distinct.inputs.workers == 2
    assert reused.inputs.warmup_requests == distinct.inputs.warmup_requests
    assert reused.endpoints == distinct.endpoints and reused.suspects == distinct.suspects
    assert [e.endpoint for e in reused.suspects] == ["GET /export/pdf"]


def test_format_1_logs_tell_reused_pids_apart_by_start_time(tmp_path: Path) -> None:
    old, new = Worker(pid=30), Worker(pid=30)
    for _ in range(50):
        old.request("/a")
    old.native += 200 * MiB
    old.request("/last")
    new.ts = old.ts + 1
    for _ in range(50):
        new.request("/last")
    # Format 1: the process start time in place of the CPU time (the same for both here).
    lines = [format_1(r.to_line(), start) for start, w in ((1000, old), (9000, new)) for r in w.records]
    log = tmp_path / "old.log"
    log.write_text("".join(lines))
    con = ingest.connect(None)
    rep = analyze(prepare(con, ingest.ingest(con, [str(log)]), LeakOptions()))
    assert rep.inputs.workers == 2 and rep.inputs.unknown_requests == 2
    assert by_name(rep)["GET /last"].retained_bytes_per_request < 4096  # type: ignore[attr-defined]


def test_noise_does_not_create_suspects(tmp_path: Path) -> None:
    rng = random.Random(3)
    workers = [mixed_worker(pid, rng, 1500, pages=8) for pid in range(40, 44)]
    rep = report(tmp_path, *workers)
    assert rep.suspects == ()


def test_an_endpoint_seen_once_is_not_judged(tmp_path: Path) -> None:
    rng = random.Random(4)
    w = mixed_worker(50, rng, 200)
    w.request("/once", keep=50 * MiB)
    w.request("/")
    rep = report(tmp_path, w)
    once = by_name(rep)["GET /once"]
    assert not once.suspect  # type: ignore[attr-defined]
    assert "needed to judge" in once.reason  # type: ignore[attr-defined]


def test_growth_that_only_follows_other_requests_growth_is_not_a_leak(tmp_path: Path) -> None:
    # /catalog's temporary mallocs re-extend heap that /leak used up: it seems to keep 16 KiB,
    # but only when /leak ran since its previous call; /leak then seems 16 KiB smaller.
    rng = random.Random(5)
    workers = []
    for pid in (60, 61, 62):
        w = Worker(pid=pid)
        free_resident = 0
        for _ in range(600):
            uri = rng.choice([*ORDINARY, "/leak", "/catalog"])
            if uri == "/leak":
                w.request(uri, keep=64 * 1024 - free_resident)
                free_resident = 0
            elif uri == "/catalog":
                w.request(uri, keep=16384 - free_resident)
                free_resident = 16384
            else:
                w.request(uri)
        workers.append(w)
    rep = report(tmp_path, *workers)
    assert [e.endpoint for e in rep.suspects] == ["GET /leak"]
    assert abs(rep.suspects[0].retained_bytes_per_request - 65536) < 0.1 * 65536
    assert "only after other requests" in by_name(rep)["GET /catalog"].reason  # type: ignore[attr-defined]


def test_warmup_is_reported_not_judged(tmp_path: Path) -> None:
    rng = random.Random(6)
    w = Worker(pid=70)
    distinct = ("/", "/products/1", "/cart", "/users/7/profile")
    for i in range(300):
        uri = rng.choice(distinct)
        first = uri not in {r.uri for r in w.records}
        w.request(uri, keep=512 * 1024 if first else 0, shared_growth=256 * 1024 if i < 3 else 0)
    rep = report(tmp_path, w)
    assert rep.suspects == ()
    assert rep.inputs.warmup_requests >= len(distinct)
    assert sum(e.warmup_bytes_total for e in rep.endpoints) >= len(distinct) * 512 * 1024
