"""Hypothesis settings of the fault and fuzz suite: `ci` by default (25 cases a test, a few
hundred in all) and `long` from bench/fuzz.sh (HYPOTHESIS_PROFILE=long, >= 10,000 cases).
Applied per test, so the rest of the suite keeps Hypothesis's defaults."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

CASES = {"ci": 25, "long": 2600}
NAME = os.environ.get("HYPOTHESIS_PROFILE", "ci")
FUZZ = settings(
    max_examples=CASES.get(NAME, CASES["ci"]),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
