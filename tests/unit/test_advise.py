"""`fpmscope advise`: the arithmetic on known numbers, and on synthetic logs with known growth."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from fpmscope.analysis.advise import MIN_RECYCLE, compute
from fpmscope.cli import main
from fpmscope.units import parse_size
from tests.synth import MiB, Worker, noise, write

KiB = 1024
GiB = 1 << 30


@pytest.mark.parametrize(
    ("text", "expected"),
    [("512M", 512 * MiB), ("2G", 2 * GiB), ("1.5GiB", 3 * GiB // 2), ("1073741824", GiB), ("64 kb", 64 * KiB)],
)
def test_sizes_are_binary_and_forgiving(text: str, expected: int) -> None:
    assert parse_size(text) == expected


@pytest.mark.parametrize("text", ["", "lots", "2 GB please", "-1G", "1.5XB"])
def test_bad_sizes_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a size"):
        parse_size(text)


def test_arithmetic_on_known_numbers() -> None:
    a = compute(
        memory=GiB, reserve=0, shared=64 * MiB, baseline=30 * MiB, footprint=10 * MiB,
        growth=20 * KiB, workers=4, requests=1000,
    )  # fmt: skip
    room = GiB - 64 * MiB
    fresh = 40 * MiB
    children = room // (fresh + MIN_RECYCLE * 20 * KiB)
    assert children == 19
    assert a.max_children == children
    assert a.max_requests == (room // children - fresh) // (20 * KiB) == 538
    assert a.recycling_needed and a.fits
    assert a.pool_lines == ("pm.max_children = 19", "pm.max_requests = 538")
    # Every child at its limit, plus the shared pages once, fits the budget.
    assert 64 * MiB + children * (fresh + a.max_requests * 20 * KiB) <= GiB


def test_zero_growth_needs_no_recycling() -> None:
    a = compute(
        memory=GiB, reserve=128 * MiB, shared=64 * MiB, baseline=30 * MiB, footprint=10 * MiB,
        growth=3.0, workers=4, requests=1000,
    )  # fmt: skip
    assert not a.recycling_needed
    assert a.max_requests == 0
    assert a.max_children == (GiB - 192 * MiB) // (40 * MiB) == 20
    assert any("Recycling is not needed" in line for line in a.explanation)


def test_budget_too_small_for_one_worker() -> None:
    a = compute(
        memory=48 * MiB, reserve=0, shared=16 * MiB, baseline=30 * MiB, footprint=10 * MiB,
        growth=1 * KiB, workers=4, requests=1000,
    )  # fmt: skip
    assert not a.fits
    assert a.max_children == 0
    assert a.pool_lines == ()
    assert "cannot fit one PHP-FPM worker" in a.verdict


def leaky_log(tmp_path: Path, keep: int) -> Path:
    """Four workers, every request keeps `keep` bytes; 6 MiB shared, 10 MiB anon, 4 MiB peak."""
    rng = random.Random(11)
    workers = []
    for pid in range(4):
        w = Worker(pid=100 + pid)
        for i in range(400):
            w.request(f"/page/{i % 7}", keep=keep, peak=4 * MiB, noise=noise(rng))
        workers.append(w)
    return write(tmp_path / "probe.log", *workers)


def advise_json(*args: str) -> tuple[int, dict[str, object]]:
    out = CliRunner().invoke(main, ["advise", *args, "--format", "json"])
    return out.exit_code, json.loads(out.stdout)


def test_advise_finds_the_growth_planted_in_the_logs(tmp_path: Path) -> None:
    code, data = advise_json(str(leaky_log(tmp_path, 16 * KiB)), "--memory", "1G", "--reserve", "200M")
    assert code == 0
    a = data["advice"]
    assert isinstance(a, dict)
    assert abs(a["growth_bytes_per_request"] - 16 * KiB) < 0.05 * 16 * KiB
    assert a["shared_bytes"] == 6 * MiB
    assert a["peak_footprint_bytes"] == 4 * MiB
    # Baseline after warm-up: 10 MiB at start plus the 3 warm-up requests' 48 KiB, give or take noise.
    assert abs(a["baseline_anon_bytes"] - (10 * MiB + 3 * 16 * KiB)) < 64 * KiB
    assert a["max_children"] >= 1 and a["max_requests"] >= MIN_RECYCLE
    room = GiB - 200 * MiB - 6 * MiB
    assert a["max_children"] * (a["child_fresh_bytes"] + a["max_requests"] * a["growth_bytes_per_request"]) <= room


def test_advise_text_explains_and_prints_pool_lines(tmp_path: Path) -> None:
    out = CliRunner().invoke(main, ["advise", str(leaky_log(tmp_path, 16 * KiB)), "--memory", "1G"])
    assert out.exit_code == 0, out.output
    text = out.stdout
    assert "How this was worked out" in text
    assert "counted once" in text and "p99" in text and "per request" in text
    assert "    pm.max_children = " in text and "    pm.max_requests = " in text


def test_advise_on_logs_without_growth_says_no_recycling(tmp_path: Path) -> None:
    code, data = advise_json(str(leaky_log(tmp_path, 0)), "--memory", "1G")
    assert code == 0
    a = data["advice"]
    assert isinstance(a, dict)
    assert a["recycling_needed"] is False and a["max_requests"] == 0
    assert "no recycling needed" in a["verdict"]


def test_advise_exits_1_with_the_explanation_when_one_worker_does_not_fit(tmp_path: Path) -> None:
    out = CliRunner().invoke(main, ["advise", str(leaky_log(tmp_path, 16 * KiB)), "--memory", "12M"])
    assert out.exit_code == 1
    assert "cannot fit one PHP-FPM worker" in out.stdout
    assert "budget is too small" in out.stdout
    assert "cannot hold one PHP-FPM worker" in out.stderr


def test_advise_refuses_bad_sizes_with_exit_2(tmp_path: Path) -> None:
    log = str(leaky_log(tmp_path, 0))
    out = CliRunner().invoke(main, ["advise", log, "--memory", "lots"])
    assert out.exit_code == 2 and "not a size" in out.stderr
    out = CliRunner().invoke(main, ["advise", log, "--memory", "1G", "--reserve", "2G"])
    assert out.exit_code == 2 and "must be smaller" in out.stderr
