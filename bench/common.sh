# Shared by bench/analyzer_leaks.sh and bench/analyzer_access.sh, sourced from the repository
# root after `set -euo pipefail`: the files and tools, the timing, the markdown table.

sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000000 10000000)
dir=${BENCH_DIR:-/tmp/fpmscope-bench}
mkdir -p "$dir"
export LC_ALL=C  # the baselines at their fastest: bytewise awk and sort

require() {  # package=command ...: installs the Debian packages whose command is missing
    local missing=() pair
    for pair in "$@"; do
        command -v "${pair#*=}" >/dev/null 2>&1 || missing+=("${pair%%=*}")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "installing ${missing[*]}" >&2
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
    [ -x .venv/bin/fpmscope ] || scripts/setup.sh
}

measure() {  # name, command...: prints "seconds peak_kib" (GNU time; a pipeline's largest process)
    local name=$1; shift
    /usr/bin/time -f "%e %M" -o "$dir/time.out" "$@" >"$dir/$name.out" 2>"$dir/$name.err" || {
        echo "$name failed:" >&2; cat "$dir/$name.err" >&2; exit 1; }
    cat "$dir/time.out"
}

header() {  # extra words for the machine line
    echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')," \
         "kernel $(uname -r), DuckDB $(.venv/bin/python -c 'import duckdb; print(duckdb.__version__)')," \
         "awk: $(readlink -f "$(command -v awk)"), $*load $(cut -d' ' -f1 /proc/loadavg)"
    echo
    echo "| lines | file | tool | seconds | lines/s | time vs fpmscope | peak RSS |"
    echo "|---:|---:|---|---:|---:|---:|---:|"
}

rows() {  # lines, file, baseline seconds; stdin: "tool<TAB>seconds<TAB>peak KiB" per line
    local n=$1 log=$2 base=$3 tool s m
    local mb=$(( $(stat -L -c %s "$log") / 1000000 ))  # -L: a symlinked log counts its target
    while IFS=$'\t' read -r tool s m; do
        awk -v n="$n" -v mb="$mb" -v tool="$tool" -v s="$s" -v m="$m" -v f="$base" 'BEGIN {
            printf "| %d | %d MB | %s | %.1f | %.2f M | %.2fx | %d MB |\n", n, mb, tool, s, n / s / 1e6, s / f, m / 1024 }'
    done
}
