#!/usr/bin/env bash
# Analyzer speed and scaling, one command from the repository root:
#
#     bench/analyzer.sh [LINES ...]          (default: 1000000 10000000)
#
# Probe logs (`fpmscope leaks`, bench/analyzer_leaks.sh), then access logs (`fpmscope slow`,
# bench/analyzer_access.sh), each file generated once and timed against its baselines in the
# same run. About 4 minutes on 2 cores with the defaults, generation included.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "## Probe logs: fpmscope leaks"
echo
bench/analyzer_leaks.sh "$@"
echo
echo "## Access logs: fpmscope slow"
echo
bench/analyzer_access.sh "$@"
