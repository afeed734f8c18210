"""The live view's parts without servers: status page parsing, the sampler over a recorded
/proc tree, and the pure view rendered at a pinned width (snapshot)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fpmscope.errors import FpmscopeError
from fpmscope.live import status, view
from fpmscope.live.sampler import Sampler, Snapshot, WorkerRow, levels
from tests import golden

MiB = 1 << 20


def status_json(processes: list[dict[str, object]]) -> str:
    return json.dumps(
        {
            "pool": "www", "process manager": "dynamic", "start time": 1700000000, "start since": 60,
            "accepted conn": 500, "listen queue": 2, "max listen queue": 7, "listen queue len": 511,
            "idle processes": 1, "active processes": len(processes) - 1, "total processes": len(processes),
            "max active processes": 5, "max children reached": 3, "slow requests": 4, "processes": processes,
        },
        separators=(",", ":"),  # as FPM writes it
    )  # fmt: skip


def process(pid: int, requests: int, uri: str = "/index.php", state: str = "Idle") -> dict[str, object]:
    return {
        "pid": pid, "state": state, "start time": 1700000000, "start since": 60, "requests": requests,
        "request duration": 1500, "request method": "GET", "request uri": uri, "content length": 0,
        "user": "-", "script": "/srv/app/index.php", "last request cpu": 12.5, "last request memory": 2 * MiB,
    }  # fmt: skip


def test_status_url_asks_for_json_and_full_once() -> None:
    assert status.status_url("http://h/fpm-status") == "http://h/fpm-status?json&full"
    assert status.status_url("http://h/fpm-status?json&full") == "http://h/fpm-status?json&full"
    assert status.status_url("http://h/s?full") == "http://h/s?full&json"
    with pytest.raises(FpmscopeError):
        status.status_url("/fpm-status")


def test_unescaped_json_of_older_php_is_repaired() -> None:
    raw = status_json([process(1, 3), process(2, 4)]).replace('"/index.php"', '"/a"b\\c?token=secret"', 1)
    with pytest.raises(json.JSONDecodeError):
        json.loads(raw)
    pool, processes = status.parse(raw)
    assert pool.max_children_reached == 3 and pool.listen_queue == 2
    assert processes[0].request_uri == '/a"b\\c', "query string dropped, quote and backslash kept"
    assert processes[1].request_uri == "/index.php"


def test_not_a_status_page_is_an_input_error() -> None:
    with pytest.raises(FpmscopeError, match="not FPM's JSON status"):
        status.parse("<html>hello</html>")


def fake_proc(root: Path, pid: int, anon: int, shared: int, start: int = 555) -> None:
    d = root / str(pid)
    d.mkdir(parents=True, exist_ok=True)
    (d / "status").write_text(
        f"Name:\tphp-fpm8.2\nVmRSS:\t{(anon + shared) // 1024} kB\nRssAnon:\t{anon // 1024} kB\n"
        f"RssFile:\t{shared // 1024} kB\nRssShmem:\t0 kB\n"
    )
    fields = ["S", "1", *["0"] * 17, str(start)]
    (d / "stat").write_text(f"{pid} (php-fpm8.2) {' '.join(fields)} 0 0\n")
    (d / "cmdline").write_bytes(b"php-fpm: pool www\0\0")


def test_sampler_tracks_growth_per_request_forgets_dead_workers_and_bounds_history(tmp_path: Path) -> None:
    pages = {"now": status_json([process(10, 5), process(11, 5)])}
    fake_proc(tmp_path, 10, 10 * MiB, 8 * MiB)
    fake_proc(tmp_path, 11, 10 * MiB, 8 * MiB)
    clock = iter(float(t) for t in range(100))
    sampler = Sampler(
        status_url="http://x/s", history=3, clock=lambda: next(clock), fetch=lambda _: pages["now"], proc_root=tmp_path
    )
    first = sampler.sample()
    assert [w.growth_bytes for w in first.workers] == [0, 0]
    for n in range(1, 5):
        fake_proc(tmp_path, 10, 10 * MiB + n * MiB, 8 * MiB)
        pages["now"] = status_json([process(10, 5 + 4 * n), process(11, 5 + n)])
        snap = sampler.sample()
    top = snap.workers[0]
    assert top.pid == 10, "the growing worker first"
    assert top.growth_bytes == 4 * MiB and top.requests_seen == 16
    assert top.growth_bytes_per_request == MiB / 4
    assert len(top.rss_history) == 3 and top.rss_levels == (0, 4, 7)
    # pid 11 exits; pid 10 is replaced by a new process with the same pid.
    fake_proc(tmp_path, 10, 9 * MiB, 8 * MiB, start=999)
    pages["now"] = status_json([process(10, 1)])
    snap = sampler.sample()
    assert [w.pid for w in snap.workers] == [10]
    assert snap.workers[0].growth_bytes == 0 and snap.workers[0].rss_history == (17 * MiB,)
    assert snap.gone == 2


def test_proc_only_sampler_finds_workers_by_pool_title(tmp_path: Path) -> None:
    fake_proc(tmp_path, 20, 4 * MiB, 4 * MiB)
    (tmp_path / "21").mkdir()
    (tmp_path / "21" / "cmdline").write_bytes(b"php-fpm: pool other\0")
    snap = Sampler(pool="www", proc_root=tmp_path).sample()
    assert [(w.pid, w.rss_bytes, w.state, w.requests) for w in snap.workers] == [(20, 8 * MiB, "-", None)]
    assert snap.pool is None


def test_sampler_needs_a_source() -> None:
    with pytest.raises(FpmscopeError, match="--status-url"):
        Sampler()


def test_levels_scale_history_to_eight_steps() -> None:
    assert levels((5, 5, 5)) == (0, 0, 0)
    assert levels((0, 50, 100)) == (0, 4, 7)


def sample_snapshot() -> Snapshot:
    pool, _ = status.parse(status_json([process(1, 1)]))

    def row(pid: int, growth: int | None, uri: str, state: str) -> WorkerRow:
        history = (20 * MiB, 21 * MiB, 20 * MiB + (growth or 0))
        return WorkerRow(
            pid=pid, state=state, rss_bytes=history[-1], anon_bytes=history[-1] - 9 * MiB, shared_bytes=9 * MiB,
            growth_bytes=growth, growth_bytes_per_request=None if growth is None else growth / 40,
            requests=120, requests_seen=40, seen_for_s=30.0, request_method="GET", request_uri=uri,
            script="/srv/app/public/index.php", request_duration_ms=12.5, last_request_cpu_percent=33.3,
            last_request_memory_bytes=4 * MiB, rss_history=history, rss_levels=levels(history),
        )  # fmt: skip

    return Snapshot(
        taken_at=1_700_000_000.0,
        source="http://127.0.0.1/fpm-status?json&full",
        pool=pool,
        workers=(
            row(4242, 3 * MiB, "/images/7/thumbnail", "Running"),
            row(4243, 0, "/products/[red]bold", "Idle"),
            row(4244, None, "", "Idle"),
        ),
        gone=1,
    )


def test_view_snapshot_at_pinned_width() -> None:
    golden.check("top_view_120.txt", view.to_text(sample_snapshot(), width=120))


def test_terminal_escapes_in_request_data_are_shown_escaped() -> None:
    raw = status_json([process(1, 3, uri="/x\x1b[2J\x9b")])
    _, processes = status.parse(raw)
    assert processes[0].request_uri == "/x\\x1b[2J\\x9b"


def test_view_shows_log_text_as_data() -> None:
    text = view.to_text(sample_snapshot(), width=200)
    assert "[red]bold" in text


def test_view_at_80_columns_keeps_pid_growth_and_request_and_names_what_it_dropped() -> None:
    text = view.to_text(sample_snapshot(), width=80)
    golden.check("top_view_80.txt", text)
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "not shown at this width" in text
    for w in sample_snapshot().workers:
        assert str(w.pid) in text
