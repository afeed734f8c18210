#!/usr/bin/env bash
# Analyzer speed on probe logs: `fpmscope leaks` against the awk pipelines it replaces, on the
# same generated files, in the same run. One command, from the repository root:
#
#     bench/analyzer_leaks.sh [LINES ...]          (default: 1000000 10000000)
#
# Env: BENCH_DIR (default /tmp/fpmscope-bench) keeps the generated logs between runs.
# Prints a markdown table: wall seconds, lines/s, ratio to fpmscope, peak RSS (GNU time's
# maximum resident set size; for a pipeline, its largest process).
set -euo pipefail
cd "$(dirname "$0")/.."

source bench/common.sh
require time=/usr/bin/time

# Fields of a probe record (records.RECORD_FIELDS, after the `fpms2` tag): $10 rss_start,
# $11 rss_end, $23 uri.
naive='awk -F"\t" "{print \$11-\$10, \$23}" "$1" | sort -rn | head -20'
per_url='awk -F"\t" "{n[\$23]++; s[\$23]+=\$11-\$10} END {for (u in n) printf \"%.0f %d %s\n\", s[u]/n[u], n[u], u}" "$1" | sort -rn | head -20'

header
for n in "${sizes[@]}"; do
    log="$dir/probe-$n.log"
    [ -s "$log" ] || .venv/bin/python bench/gen_probe.py "$n" "$log" >&2
    cat "$log" >/dev/null  # same page-cache state for every tool
    read -r fs fm < <(measure fpmscope-top .venv/bin/fpmscope leaks --top 20 "$log")
    read -r cs cm < <(measure fpmscope-csv .venv/bin/fpmscope leaks --format csv "$log")
    read -r ns nm < <(measure awk-naive sh -c "$naive" sh "$log")
    read -r ps pm < <(measure awk-per-url sh -c "$per_url" sh "$log")
    rows "$n" "$log" "$fs" <<EOF_ROWS
fpmscope leaks --top 20 (table)	$fs	$fm
fpmscope leaks --format csv (every endpoint)	$cs	$cm
awk '{print \$11-\$10, \$23}' \| sort -rn \| head	$ns	$nm
awk per-URL mean \| sort -rn \| head	$ps	$pm
EOF_ROWS
done
echo
echo "fpmscope's verdict on the largest file: $(head -1 "$dir/fpmscope-top.out")"
echo "awk's top line (rss_end - rss_start): $(head -1 "$dir/awk-naive.out")"
