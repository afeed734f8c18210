"""The accuracy suite's scoring rules, on a hand-written truth and a stand-in fpmscope."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from bench.accuracy import scoring
from bench.accuracy.scenario import endpoint_regex

KiB = 1024


def _endpoint(method: str, template: str, leak: int, share: float, **extra: Any) -> dict[str, Any]:
    return {
        "endpoint": f"{method} {template}",
        "regex": endpoint_regex(method, template),
        "leak_bytes_per_request": leak,
        "leak": leak > 0,
        "bounded_cache": "cache_full_workers" in extra,
        "requests": round(share * 1000),
        "share": share,
        **extra,
    }


def _scenario(tmp_path: Path, endpoints: list[dict[str, Any]], suspects: list[dict[str, Any]], verdict: str) -> Path:
    d = tmp_path / "sc"
    d.mkdir()
    growth = sum(e["leak_bytes_per_request"] * e["share"] for e in endpoints)
    truth = {
        "id": "sc",
        "no_leak": not any(e["leak"] for e in endpoints),
        "endpoints": endpoints,
        "planted_growth_bytes_per_request": growth,
        "growth_headline_expected": growth >= 2 * KiB,
    }
    (d / "truth.json").write_text(json.dumps(truth))
    (d / "probe.log").write_text("")
    leaks = {"suspects": suspects, "endpoints": suspects, "verdict": verdict}
    (d / "leaks.json").write_text(json.dumps(leaks))
    (d / "workers.json").write_text(json.dumps({"verdict": "3 workers"}))
    return d


def _fake_fpmscope(tmp_path: Path) -> list[str]:
    """A command answering `leaks`/`workers --format json LOG` from files next to LOG."""
    script = tmp_path / "fake.py"
    script.write_text(
        "import sys, pathlib\n"
        "log = pathlib.Path(sys.argv[-1])\n"
        "print((log.parent / (sys.argv[1] + '.json')).read_text())\n"
    )
    return [sys.executable, str(script)]


def _suspect(name: str, est: float, requests: int = 100) -> dict[str, Any]:
    return {"endpoint": name, "retained_bytes_per_request": est, "requests": requests}


def test_hits_false_positives_misses_and_small_leaks(tmp_path: Path) -> None:
    eps = [
        _endpoint("POST", "/cart/add", 96 * KiB, 0.10),
        _endpoint("GET", "/account/{id}/orders", 40 * KiB, 0.05),
        _endpoint("GET", "/tiny/{id}", 4 * KiB, 0.20),  # below 8 KiB: neither way
        _endpoint("GET", "/rare", 64 * KiB, 0.02),  # below 3 %: neither way
        _endpoint("GET", "/product/{id}", 0, 0.30),
    ]
    suspects = [
        _suspect("POST /cart/add", 120 * KiB),
        _suspect("GET /product/{id}", 100 * KiB),
        _suspect("GET /tiny/{id}", 4 * KiB),
        _suspect("GET /rare", 64 * KiB),
    ]
    sc = scoring.score_dir(_scenario(tmp_path, eps, suspects, "POST /cart/add leaks"), _fake_fpmscope(tmp_path))
    assert sc.error == ""
    assert sc.hits == [("POST /cart/add", 96 * KiB, 120 * KiB)]
    assert sc.errors == [0.25]
    assert sc.false_positives == ["GET /product/{id}"]
    assert [m[0] for m in sc.misses] == ["GET /account/{id}/orders"]
    assert sorted(sc.small_found) == ["GET /rare", "GET /tiny/{id}"]
    tot = scoring.totals([sc])
    assert (tot.precision, tot.recall) == (0.5, 0.5)


def test_slug_names_of_one_endpoint_are_one_false_positive_each(tmp_path: Path) -> None:
    eps = [_endpoint("GET", "/blog/{slug}", 0, 0.5), _endpoint("GET", "/", 0, 0.5)]
    suspects = [_suspect("GET /blog/hello-world", 140 * KiB), _suspect("GET /blog/fpm-tuning", 150 * KiB)]
    sc = scoring.score_dir(_scenario(tmp_path, eps, suspects, "leaks"), _fake_fpmscope(tmp_path))
    assert sc.false_positives == ["GET /blog/hello-world", "GET /blog/fpm-tuning"]
    assert scoring.totals([sc]).no_leak_with_suspects == 1


def test_a_cache_that_did_not_fill_counts_neither_way_one_that_filled_is_a_false_positive(tmp_path: Path) -> None:
    eps = [
        _endpoint("GET", "/a/{id}", 0, 0.5, cache_full_workers=[1, 4]),
        _endpoint("GET", "/b/{id}", 0, 0.5, cache_full_workers=[3, 4]),
    ]
    suspects = [_suspect("GET /a/{id}", 20 * KiB), _suspect("GET /b/{id}", 20 * KiB)]
    sc = scoring.score_dir(_scenario(tmp_path, eps, suspects, "leaks"), _fake_fpmscope(tmp_path))
    assert sc.unfilled_cache == ["GET /a/{id}"]
    assert sc.false_positives == ["GET /b/{id}"]


def test_growth_must_reach_the_headline_when_nothing_is_suspect(tmp_path: Path) -> None:
    eps = [_endpoint("GET", "/x", 40 * KiB, 0.10), _endpoint("GET", "/y", 0, 0.9)]
    sc = scoring.score_dir(_scenario(tmp_path, eps, [], "No endpoint leaves memory behind"), _fake_fpmscope(tmp_path))
    assert sc.growth_reported is False
    assert not scoring.totals([sc]).bars()["growth >= 2 KiB/request reported"]


def test_a_failing_fpmscope_is_reported_not_scored_as_silence(tmp_path: Path) -> None:
    eps = [_endpoint("GET", "/x", 40 * KiB, 0.10)]
    d = _scenario(tmp_path, eps, [], "")
    sc = scoring.score_dir(d, [sys.executable, "-c", "import sys; sys.exit(2)"])
    assert sc.error
    assert not scoring.totals([sc]).bars()["every run scored"]
