#!/usr/bin/env bash
# The long fault and fuzz run: HYPOTHESIS_PROFILE=long gives 26,000 pool files, 2,600 status
# pages, 500 probe logs and 500 access logs (about 30,000 cases), plus the fault tests.
# Prints Hypothesis's statistics (outcome classes per test) and pytest's summary.
set -euo pipefail
cd "$(dirname "$0")/.."
HYPOTHESIS_PROFILE=long .venv/bin/pytest -q -p no:cacheprovider --hypothesis-show-statistics \
    tests/fuzz tests/unit/test_ingest_hostile.py tests/unit/test_status_hostile.py \
    tests/unit/test_poolconf_hostile.py tests/unit/test_inputs_hostile.py "$@"
