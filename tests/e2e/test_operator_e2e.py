"""The operator's path, end to end on a real nginx + php-fpm: the demo's findings and next
steps, the CI gate (`leaks --fail-on`), `diff` between a run with the planted faults and one
with them fixed, and `top` in a real terminal (tmux) quitting on `q`."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from fpmscope.cli import main
from fpmscope.demo import app, stack, traffic
from fpmscope.probe import probe_path

# Enough for the demo's 16 KiB invoice leak (~10 % of traffic) to be judged on both halves of
# the workers' lives: at 600 requests it had 57, and one CI run called it warm-up.
DEMO_REQUESTS = "1500"


def run_demo(root: Path, *extra: str) -> tuple[str, str]:
    result = CliRunner().invoke(
        main, ["demo", "--requests", DEMO_REQUESTS, "--concurrency", "8", "--keep", str(root), *extra]
    )
    assert result.exit_code == 0, result.output
    return result.stdout, result.stderr


@pytest.fixture(scope="module")
def leaky(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    root = tmp_path_factory.mktemp("leaky")
    return (root, *run_demo(root))


@pytest.fixture(scope="module")
def fixed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    root = tmp_path_factory.mktemp("fixed")
    return (root, *run_demo(root, "--fix", "thumbnail", "--fix", "invoice", "--fix", "search"))


def test_demo_shows_the_leak_and_the_slow_endpoint_writes_the_report_and_says_what_next(
    leaky: tuple[Path, str, str],
) -> None:
    root, out, err = leaky
    assert "GET /images/{id}/thumbnail" in out and "LEAK" in out
    assert "GET /search" in out and "Endpoints by total" in out
    assert "memory: GET /images/{id}/thumbnail leaks" in err
    assert "time:" in err
    report = root / "report.html"
    assert report.is_file() and "GET /images/{id}/thumbnail" in report.read_text()
    probe = root / "servers" / "probe.log"
    assert f"fpmscope leaks {probe}" in err and f"fpmscope slow {root / 'servers' / 'access.log'}" in err
    assert "--fail-on" in err and "fpmscope diff" in err


def gate(probe: Path) -> tuple[int, dict[str, object]]:
    result = CliRunner().invoke(main, ["leaks", str(probe), "--fail-on", "8KiB", "--format", "json"])
    return result.exit_code, json.loads(result.stdout)["gate"]


def test_fail_on_exits_1_on_the_leaky_run_naming_the_endpoints_and_0_on_the_fixed_one(
    leaky: tuple[Path, str, str], fixed: tuple[Path, str, str]
) -> None:
    code, verdict = gate(leaky[0] / "servers" / "probe.log")
    assert code == 1
    assert verdict["passed"] is False
    assert {f["endpoint"] for f in verdict["failed"]} == {  # type: ignore[attr-defined]
        "GET /images/{id}/thumbnail",
        "GET /orders/{id}/invoice",
    }
    code, verdict = gate(fixed[0] / "servers" / "probe.log")
    assert code == 0 and verdict["passed"] is True and verdict["failed"] == []


def test_diff_names_the_leaks_that_stopped_and_the_endpoint_that_got_faster(
    leaky: tuple[Path, str, str], fixed: tuple[Path, str, str]
) -> None:
    before, after = leaky[0] / "servers" / "probe.log", fixed[0] / "servers" / "probe.log"
    result = CliRunner().invoke(main, ["diff", str(before), str(after), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    changes = {(c["endpoint"], c["change"]) for c in data["changes"]}
    assert ("GET /images/{id}/thumbnail", "stopped leaking") in changes
    assert ("GET /orders/{id}/invoice", "stopped leaking") in changes
    assert ("GET /search", "faster") in changes
    assert not any(kind == "started leaking" for _, kind in changes)
    back = CliRunner().invoke(main, ["diff", str(after), str(before)])
    assert back.exit_code == 0
    assert "started leaking" in back.stdout and "GET /images/{id}/thumbnail" in back.stdout


@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[stack.Stack]:
    root = tmp_path_factory.mktemp("tmuxtop")
    cfg = stack.StackConfig(docroot=app.install_app(root / "www"), workers=2, probe=probe_path())
    with stack.running(cfg, root / "servers") as servers:
        traffic.drive(servers.url, app.request_paths(60, seed=3), concurrency=2)
        yield servers


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], check=True, capture_output=True, text=True).stdout


def wait_for(session: str, text: str, timeout: float = 20) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = tmux("capture-pane", "-p", "-t", session)
        if text in screen:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{text!r} not on screen:\n{screen}")


@pytest.mark.parametrize("width", [80, 120])
def test_top_in_a_real_terminal_shows_every_worker_and_quits_on_q(pool: stack.Stack, width: int) -> None:
    assert shutil.which("tmux"), "scripts/setup.sh installs tmux"
    session = f"fpmscope-test-{width}"
    # Fresh application requests, so the worker not answering top's first status request
    # last served a route of the front controller.
    traffic.drive(pool.url, app.request_paths(40, seed=width), concurrency=2)
    fpmscope = str(Path(sys.executable).parent / "fpmscope")
    command = (
        f"{fpmscope} top --status-url {pool.url}/fpm-status --probe-log {pool.probe_log} --interval 0.5;"
        " echo EXITED $?; sleep 30"
    )
    tmux("new-session", "-d", "-s", session, "-x", str(width), "-y", "40", command)
    try:
        screen = wait_for(session, "q quit")
        children = [line.split()[0] for line in screen.splitlines() if line.strip()[:1].isdigit()]
        assert len([pid for pid in children if pid.isdigit() and int(pid) > 1]) >= 2, screen
        assert "growth" in screen and "request" in screen
        # The front controller's rows show the URI the probe logged, not /index.php alone.
        routes = ["/products/", "/users/", "/api/", "/images/", "/orders/", "/reports/", "/catalog/", "/search"]
        routes.append("/legacy/")
        assert any(route in screen for route in routes), screen
        assert all(len(line) <= width for line in screen.splitlines())
        tmux("send-keys", "-t", session, "s")
        wait_for(session, "sorted by rss")
        tmux("send-keys", "-t", session, "q")
        assert "EXITED 0" in wait_for(session, "EXITED")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], check=False, capture_output=True)
