"""Hypothesis settings of the fault and fuzz suite: `ci` by default (25 cases a test, a few
hundred in all) and `long` from bench/fuzz.sh (HYPOTHESIS_PROFILE=long, >= 10,000 cases).
Applied per test, so the rest of the suite keeps Hypothesis's defaults."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# Cases per test: pure parsers (FUZZ), and those that run a DuckDB ingest per case (FUZZ_INGEST,
# about 0.3 s each on a loaded 2-core machine).
CASES = {"ci": (25, 25), "long": (1000, 200)}
NAME = os.environ.get("HYPOTHESIS_PROFILE", "ci")
_CHECKS = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
FUZZ = settings(max_examples=CASES.get(NAME, CASES["ci"])[0], deadline=None, suppress_health_check=_CHECKS)
FUZZ_INGEST = settings(max_examples=CASES.get(NAME, CASES["ci"])[1], deadline=None, suppress_health_check=_CHECKS)
