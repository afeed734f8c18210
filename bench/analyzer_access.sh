#!/usr/bin/env bash
# Analyzer speed on access logs: `fpmscope slow` against the awk pipelines and goaccess it
# replaces, on the same generated files, in the same run. One command, from the repository root:
#
#     bench/analyzer_access.sh [LINES ...]          (default: 1000000 10000000)
#
# Then the same on a high-cardinality log (gen_access.py --cardinality high: blog slugs and
# hashed assets, about one new raw URL every five lines): HIGH_LINES lines (default 2000000;
# 0 skips it), each tool run RUNS times (default 3) in turn, medians reported.
#
# Env: BENCH_DIR (default /tmp/fpmscope-bench) keeps the generated logs between runs;
# GOACCESS_MAX_LINES (default 2000000): goaccess reads ~30,000 lines/s here, so it runs only on
# files up to this size (10 M lines would take it over 5 minutes).
# Prints a markdown table: wall seconds, lines/s, ratio to fpmscope, peak RSS (GNU time's
# maximum resident set size; for a pipeline, its largest process).
set -euo pipefail
cd "$(dirname "$0")/.."

source bench/common.sh
goaccess_max=${GOACCESS_MAX_LINES:-2000000}
require time=/usr/bin/time goaccess=goaccess

# The log is combined + $request_time: $7 is the URL, $NF the time.
naive='awk "{print \$NF, \$7}" "$1" | sort -rn | head -20'
per_url='awk "{split(\$7, u, \"?\"); n[u[1]]++; s[u[1]] += \$NF} END {for (k in n) printf \"%.4f %d %s\n\", s[k] / n[k], n[k], k}" "$1" | sort -rn | head -20'
goaccess_format='%h %^[%d:%t %^] "%r" %s %b "%R" "%u" %T'

header "$(goaccess --version | head -1), "
for n in "${sizes[@]}"; do
    log="$dir/access-$n.log"
    [ -s "$log" ] || .venv/bin/python bench/gen_access.py --lines "$n" -o "$log" >&2
    cat "$log" >/dev/null  # same page-cache state for every tool
    read -r fs fm < <(measure fpmscope-slow .venv/bin/fpmscope slow --top 20 "$log")
    read -r js jm < <(measure fpmscope-json .venv/bin/fpmscope slow --format json "$log")  # first 40 + the rest
    read -r ns nm < <(measure awk-naive sh -c "$naive" sh "$log")
    read -r ps pm < <(measure awk-per-url sh -c "$per_url" sh "$log")
    table="fpmscope slow --top 20 (table)	$fs	$fm
fpmscope slow --format json (first 40, one row for the rest)	$js	$jm
awk '{print \$NF, \$7}' \| sort -rn \| head	$ns	$nm
awk per-URL mean \| sort -rn \| head	$ps	$pm"
    if [ "$n" -le "$goaccess_max" ]; then
        read -r gs gm < <(measure goaccess goaccess "$log" --no-global-config --no-progress \
            "--log-format=$goaccess_format" --date-format=%d/%b/%Y --time-format=%T -o "$dir/goaccess.json")
        table="$table
goaccess (JSON report)	$gs	$gm"
    fi
    rows "$n" "$log" "$fs" <<<"$table"
done
high=${HIGH_LINES:-2000000}
runs=${RUNS:-3}
median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
if [ "$high" -gt 0 ]; then
    log="$dir/access-high-$high.log"
    [ -s "$log" ] || .venv/bin/python bench/gen_access.py --lines "$high" --cardinality high -o "$log" >&2
    distinct=$(awk '{print $7}' "$log" | sort -u | wc -l)
    echo
    echo "High cardinality: $distinct distinct raw URLs in $high lines; each tool run $runs times in turn, medians:"
    echo
    echo "| lines | file | tool | seconds | lines/s | time vs fpmscope | peak RSS |"
    echo "|---:|---:|---|---:|---:|---:|---:|"
    cat "$log" >/dev/null
    names=(fpmscope-slow-high fpmscope-json-high awk-per-url-high)
    for name in "${names[@]}"; do : >"$dir/$name.runs"; done
    for ((r = 1; r <= runs; r++)); do
        measure fpmscope-slow-high .venv/bin/fpmscope slow --top 20 "$log" >>"$dir/fpmscope-slow-high.runs"
        measure fpmscope-json-high .venv/bin/fpmscope slow --format json --top 20 "$log" >>"$dir/fpmscope-json-high.runs"
        measure awk-per-url-high sh -c "$per_url" sh "$log" >>"$dir/awk-per-url-high.runs"
    done
    for name in "${names[@]}"; do
        echo "$(cut -d' ' -f1 "$dir/$name.runs" | median) $(cut -d' ' -f2 "$dir/$name.runs" | sort -n | tail -1)"
    done >"$dir/high.medians"
    { read -r fs fm; read -r js jm; read -r ps pm; } <"$dir/high.medians"
    rows "$high" "$log" "$fs" <<<"fpmscope slow --top 20 (table)	$fs	$fm
fpmscope slow --format json --top 20	$js	$jm
awk per-URL mean \| sort -rn \| head	$ps	$pm"
    echo
    echo "every run (seconds peak-KiB): table $(tr '\n' ' ' <"$dir/fpmscope-slow-high.runs")|" \
        "json $(tr '\n' ' ' <"$dir/fpmscope-json-high.runs")| awk $(tr '\n' ' ' <"$dir/awk-per-url-high.runs")"
fi
echo
echo "fpmscope's slowest endpoint by total time on the largest file: $(grep -m1 -v '^$' "$dir/fpmscope-slow.out")"
echo "awk's top line (slowest single request): $(head -1 "$dir/awk-naive.out")"
