"""Known failures of the leak estimate on real runs, kept as strict xfails: a fix flips them.

tests/data/accuracy/s2-002-*: a run of the accuracy suite's seed 2, scenario 2
(`bench/accuracy/run.py --seed 2`), regenerated on 2026-12-02: 3,013 requests on 8 workers in
2.3 s; three planted native/shared leaks, and `GET /product/{id}`, which allocates ~100 KiB
of native memory per request and frees it (no leak). An earlier run of the same scenario
scored clean; this one names the transient endpoint a leak.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from fpmscope.cli import main

DATA = Path(__file__).resolve().parents[1] / "data" / "accuracy"


@pytest.mark.xfail(
    strict=True,
    reason=(
        "the ways of cutting windows are compared by their residual scale alone: the cut after "
        "GET /ticket/{id} (a frequent leak, scale 14,358) beats the cut after the refill "
        "endpoint GET /product/{id} (scale 14,560; product 341 B, every leak within 2 %) by "
        "1.4 %, and product inherits the pool each window leaves: 21.4 KiB/request"
    ),
)
def test_a_transient_refill_endpoint_is_not_a_leak_when_a_frequent_leak_cuts_windows_a_hair_better() -> None:
    truth = json.loads((DATA / "s2-002-truth.json").read_text())
    leaks = {e["endpoint"]: e["leak_bytes_per_request"] for e in truth["endpoints"] if e["leak"]}
    result = CliRunner().invoke(main, ["leaks", "--format", "json", str(DATA / "s2-002-probe.log.gz")])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    suspects = {e["endpoint"]: e["retained_bytes_per_request"] for e in report["endpoints"] if e["suspect"]}
    # Every planted leak is found (this holds today)...
    for endpoint, planted in leaks.items():
        assert endpoint in suspects
        assert abs(suspects[endpoint] - planted) <= 0.25 * planted
    # ...and nothing else is named (this does not).
    assert set(suspects) == set(leaks)
