"""Every terminal table at 80 and 120 columns: nothing wider than the terminal, every row keeps
its endpoint (or pid) and its verdict, dropped columns are named; goldens pin the text."""

from __future__ import annotations

from pathlib import Path

import pytest

from fpmscope.analysis import advise, leaks, workers
from fpmscope.analysis.requests import LeakOptions
from fpmscope.analysis.slow import SlowOptions
from fpmscope.pipeline import probe_requests, slow_report
from fpmscope.render import RenderOptions, renderer
from fpmscope.render.terminal import Column, fitted_table
from fpmscope.render.terminal import console as make_console
from tests import golden
from tests.unit.test_golden import fixed_log

ROOT = Path(__file__).resolve().parents[2]
WIDTHS = (80, 120)


def lines_fit(text: str, width: int) -> None:
    too_wide = [line for line in text.splitlines() if len(line) > width]
    assert not too_wide, f"{len(too_wide)} line(s) wider than {width}: {too_wide[0]!r}"


@pytest.mark.parametrize("width", WIDTHS)
def test_slow_keeps_endpoint_total_share_and_p95(width: int) -> None:
    report = slow_report((str(ROOT / "tests/data/slow/small.log"),), None, SlowOptions(slowest=3))
    text = renderer("slow", "table")(report, RenderOptions(width=width))
    golden.check(f"slow_small_{width}.txt", text)
    lines_fit(text, width)
    table = text.split("Endpoints by")[1].split("Status mix")[0]
    for e in report.endpoints:
        assert e.endpoint.split("/")[1][:6] in table
    assert "p95" in table and "share" in table


@pytest.mark.parametrize("width", WIDTHS)
def test_workers_keep_pid_growth_and_state(width: int, tmp_path: Path) -> None:
    requests, _ = probe_requests((str(fixed_log(tmp_path / "probe.log")),), None, LeakOptions())
    report = workers.analyze(requests)
    text = renderer("workers", "table")(report, RenderOptions(width=width))
    golden.check(f"workers_{width}.txt", text)
    lines_fit(text, width)
    for w in report.workers:
        row = next(line for line in text.splitlines() if f" {w.pid} " in f" {line} " and w.state in line)
        assert "growth" not in row and "KiB" in row


@pytest.mark.parametrize("width", WIDTHS)
def test_advise_fits(width: int, tmp_path: Path) -> None:
    requests, _ = probe_requests((str(fixed_log(tmp_path / "probe.log")),), None, LeakOptions())
    text = renderer("advise", "table")(advise.analyze(requests, 1 << 30, 256 << 20), RenderOptions(width=width))
    golden.check(f"advise_{width}.txt", text)
    lines_fit(text, width)


@pytest.mark.parametrize("width", WIDTHS)
def test_leaks_keep_endpoint_kept_per_request_and_verdict(width: int, tmp_path: Path) -> None:
    requests, _ = probe_requests((str(fixed_log(tmp_path / "probe.log")),), None, LeakOptions())
    report = leaks.analyze(requests)
    text = renderer("leaks", "table")(report, RenderOptions(width=width))
    golden.check(f"leaks_{width}.txt", text)
    table = text.split("Memory kept per endpoint")[1].split("Not leaks")[0]
    for e in report.endpoints:
        row = next(line for line in table.splitlines() if line.split(" │")[0].strip() == e.endpoint)
        assert ("LEAK" if e.suspect else "ok") in row
    assert "kept/req" in table and "verdict" in table


def test_a_long_endpoint_wraps_and_a_tiny_terminal_stacks_rows() -> None:
    columns = (Column("endpoint", right=False, flex=True), Column("a", drop=1), Column("verdict", right=False))
    rows = [["GET /" + "segment/" * 12 + "end", "12.0 KiB", "LEAK"]]
    con, buf = make_console(RenderOptions(width=60))
    con.print(fitted_table("t", columns, rows, 60))
    text = buf.getvalue()
    lines_fit(text, 60)
    assert "end" in text and "LEAK" in text and "12.0 KiB" in text
    con, buf = make_console(RenderOptions(width=24))
    con.print(fitted_table("t", columns, rows, 24))
    stacked = buf.getvalue()
    assert "LEAK" in stacked and "a 12.0 KiB" in stacked
