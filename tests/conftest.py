"""Shared fixtures. End-to-end tests run a real php-fpm and nginx; they fail, never skip,
when those are missing (scripts/setup.sh installs them)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from fpmscope.demo import app, stack, traffic
from fpmscope.probe import probe_path

E2E_REQUESTS = 2400


@pytest.fixture(autouse=True)
def _fixed_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("NO_COLOR", "1")


@dataclass(frozen=True)
class DemoRun:
    root: Path
    probe_log: Path
    access_log: Path
    responses: list[traffic.Response]


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoRun]:
    """The bundled shop on 4 FPM workers with the probe, after 2,400 mixed concurrent requests."""
    root = tmp_path_factory.mktemp("demo")
    docroot = app.install_app(root / "www")
    cfg = stack.StackConfig(docroot=docroot, workers=4, probe=probe_path(), admin_values={"ffi.enable": "1"})
    with stack.running(cfg, root / "servers") as servers:
        responses = traffic.drive(servers.url, app.request_paths(E2E_REQUESTS, seed=7), concurrency=8)
    if os.environ.get("FPMSCOPE_KEEP_ARTIFACTS"):
        keep = Path(os.environ["FPMSCOPE_KEEP_ARTIFACTS"])
        keep.mkdir(parents=True, exist_ok=True)
        (keep / "e2e-probe.log").write_bytes(servers.probe_log.read_bytes())
        (keep / "e2e-access.log").write_bytes(servers.access_log.read_bytes())
    yield DemoRun(root, servers.probe_log, servers.access_log, responses)
