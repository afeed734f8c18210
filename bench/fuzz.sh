#!/usr/bin/env bash
# The long fuzz run: HYPOTHESIS_PROFILE=long gives 10,000 pool files, 1,000 status pages,
# 200 probe logs and 200 access logs (11,400 cases). Prints Hypothesis's statistics (the
# outcome classes per test) and pytest's summary. The fault tests (kills, full disk, non-root
# reads) run in the default suite. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
HYPOTHESIS_PROFILE=long .venv/bin/pytest -q -p no:cacheprovider --hypothesis-show-statistics tests/fuzz "$@"
