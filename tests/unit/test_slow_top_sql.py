"""Ranking, the first --top and the `(N other endpoints)` row come from SQL: they agree with a
ranking of every endpoint done here in Python from the raw lines, for every sort key."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from fpmscope.analysis.slow import SORT_KEYS
from fpmscope.cli import main

ENDPOINTS = 120


def quantile(values: list[float], q: float) -> float:
    xs = sorted(values)
    pos = (len(xs) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


@pytest.fixture(scope="module")
def log(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list[tuple[float, int]]]]:
    rnd = random.Random(13)
    by_endpoint: dict[str, list[tuple[float, int]]] = {}
    lines = []
    for i in range(4000):
        # ~100 distinct slugs, one much busier; times spread by the slug so the sorts differ
        slug = "page" + "".join(rnd.choice("abcdefghij") for _ in range(2)) if i > 200 else "pageaa"
        t = round(rnd.lognormvariate(-3, 1 + (ord(slug[4]) - 97) / 5), 3)
        status = rnd.choice((200, 200, 200, 404, 500, 499, 504))
        lines.append(
            f'10.0.0.1 - - [01/May/2024:12:00:00 +0000] "GET /wiki/{slug} HTTP/1.1" {status} 10 "-" "ua" {t:.3f}'
        )
        by_endpoint.setdefault(f"GET /wiki/{slug}", []).append((t, status))
    path = tmp_path_factory.mktemp("top") / "access.log"
    path.write_text("\n".join(lines) + "\n")
    return path, by_endpoint


def value(sort: str, reqs: list[tuple[float, int]]) -> float:
    times = [t for t, _ in reqs]
    return {
        "total": sum(round(t * 1e6) for t in times),
        "count": len(reqs),
        "mean": sum(round(t * 1e6) for t in times) / len(times),
        "p50": quantile(times, 0.5),
        "p95": quantile(times, 0.95),
        "p99": quantile(times, 0.99),
        "max": max(times),
        "errors": sum(1 for _, s in reqs if s >= 500 or s == 499),
    }[sort]


def slow(path: Path, *args: str) -> dict[str, Any]:
    # The ranking under test is over ~100 distinct pages: no template may merge them.
    result = CliRunner().invoke(main, ["slow", str(path), "--format", "json", "--infer-min", "0", *args])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


@pytest.mark.parametrize("sort", SORT_KEYS)
def test_top_and_others_match_a_full_ranking(sort: str, log: tuple[Path, dict[str, list[tuple[float, int]]]]) -> None:
    path, by_endpoint = log
    ranked = sorted(by_endpoint, key=lambda e: (-value(sort, by_endpoint[e]), -len(by_endpoint[e]), e))
    data = slow(path, "--sort", sort, "--top", "7")
    assert [e["endpoint"] for e in data["endpoints"]] == ranked[:7]
    rest = [r for e in ranked[7:] for r in by_endpoint[e]]
    others = data["others"]
    assert others["endpoint"] == f"({len(ranked) - 7} other endpoints)"
    assert others["count"] == len(rest)
    assert others["total_s"] == pytest.approx(sum(t for t, _ in rest), abs=1e-6)
    assert others["p95_ms"] == pytest.approx(quantile([t for t, _ in rest], 0.95) * 1000, abs=1e-3)
    assert others["errors"] == sum(1 for _, s in rest if s >= 500 or s == 499)
    assert data["endpoint_count"] == len(by_endpoint)


def test_json_lists_the_default_top_and_no_more(log: tuple[Path, dict[str, list[tuple[float, int]]]]) -> None:
    path, by_endpoint = log
    assert len(by_endpoint) > 40
    data = slow(path)
    assert len(data["endpoints"]) == 40
    assert data["others"]["count"] + sum(e["count"] for e in data["endpoints"]) == 4000
    everything = slow(path, "--top", "100000")
    assert everything["others"] is None and len(everything["endpoints"]) == len(by_endpoint)
