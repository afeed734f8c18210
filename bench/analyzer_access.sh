#!/usr/bin/env bash
# Analyzer speed on access logs: `fpmscope slow` against the awk pipelines and goaccess it
# replaces, on the same generated files, in the same run. One command, from the repository root:
#
#     bench/analyzer_access.sh [LINES ...]          (default: 1000000 10000000)
#
# Env: BENCH_DIR (default /tmp/fpmscope-bench) keeps the generated logs between runs;
# GOACCESS_MAX_LINES (default 2000000): goaccess reads ~30,000 lines/s here, so it runs only on
# files up to this size (10 M lines would take it over 5 minutes).
# Prints a markdown table: wall seconds, lines/s, ratio to fpmscope, peak RSS (GNU time's
# maximum resident set size; for a pipeline, its largest process).
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000000 10000000)
dir=${BENCH_DIR:-/tmp/fpmscope-bench}
goaccess_max=${GOACCESS_MAX_LINES:-2000000}
mkdir -p "$dir"

missing=()
[ -x /usr/bin/time ] || missing+=(time)
command -v goaccess >/dev/null 2>&1 || missing+=(goaccess)
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]}" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
[ -x .venv/bin/fpmscope ] || scripts/setup.sh

awk_name=$(readlink -f "$(command -v awk)")
export LC_ALL=C  # the baselines at their fastest: bytewise awk and sort

# The log is combined + $request_time: $7 is the URL, $NF the time.
naive='awk "{print \$NF, \$7}" "$1" | sort -rn | head -20'
per_url='awk "{split(\$7, u, \"?\"); n[u[1]]++; s[u[1]] += \$NF} END {for (k in n) printf \"%.4f %d %s\n\", s[k] / n[k], n[k], k}" "$1" | sort -rn | head -20'
goaccess_format='%h %^[%d:%t %^] "%r" %s %b "%R" "%u" %T'

measure() {  # name, command...: prints "seconds peak_kib"
    local name=$1; shift
    /usr/bin/time -f "%e %M" -o "$dir/time.out" "$@" >"$dir/$name.out" 2>"$dir/$name.err" || {
        echo "$name failed:" >&2; cat "$dir/$name.err" >&2; exit 1; }
    cat "$dir/time.out"
}

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r)," \
     "DuckDB $(.venv/bin/python -c 'import duckdb; print(duckdb.__version__)'), awk: $awk_name," \
     "$(goaccess --version | head -1), load $(cut -d' ' -f1 /proc/loadavg)"
echo
echo "| lines | file | tool | seconds | lines/s | time vs fpmscope | peak RSS |"
echo "|---:|---:|---|---:|---:|---:|---:|"
for n in "${sizes[@]}"; do
    log="$dir/access-$n.log"
    [ -s "$log" ] || .venv/bin/python bench/gen_access.py --lines "$n" -o "$log" >&2
    mb=$(( $(stat -c %s "$log") / 1000000 ))
    cat "$log" >/dev/null  # same page-cache state for every tool
    read -r fs fm < <(measure fpmscope-slow .venv/bin/fpmscope slow --top 20 "$log")
    read -r js jm < <(measure fpmscope-json .venv/bin/fpmscope slow --format json "$log")
    read -r ns nm < <(measure awk-naive sh -c "$naive" sh "$log")
    read -r ps pm < <(measure awk-per-url sh -c "$per_url" sh "$log")
    rows="fpmscope slow --top 20 (table)	$fs	$fm
fpmscope slow --format json (every endpoint)	$js	$jm
awk '{print \$NF, \$7}' \| sort -rn \| head	$ns	$nm
awk per-URL mean \| sort -rn \| head	$ps	$pm"
    if [ "$n" -le "$goaccess_max" ]; then
        read -r gs gm < <(measure goaccess goaccess "$log" --no-global-config --no-progress \
            "--log-format=$goaccess_format" --date-format=%d/%b/%Y --time-format=%T -o "$dir/goaccess.json")
        rows="$rows
goaccess (JSON report)	$gs	$gm"
    fi
    while IFS=$'\t' read -r tool s m; do
        awk -v n="$n" -v mb="$mb" -v tool="$tool" -v s="$s" -v m="$m" -v f="$fs" 'BEGIN {
            printf "| %d | %d MB | %s | %.1f | %.2f M | %.2fx | %d MB |\n", n, mb, tool, s, n / s / 1e6, s / f, m / 1024 }'
    done <<<"$rows"
done
echo
echo "fpmscope's slowest endpoint by total time on the largest file: $(grep -m1 -v '^$' "$dir/fpmscope-slow.out")"
echo "awk's top line (slowest single request): $(head -1 "$dir/awk-naive.out")"
