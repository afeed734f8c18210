#!/usr/bin/env bash
# Does the probe slow the page's own code? The 1 ms page's integer loop, its CPU time read
# inside PHP (getrusage() before and after the loop only: the probe's own start and finish
# are not in it, and CPU time, unlike hrtime, does not count the time other processes take
# the CPU). php-cgi processes serve the page 300 times each (-T, opcache on, as an FPM
# worker), with no prepend, with the probe and with an empty prepend, one of each in turn,
# ROUNDS times (default 8). Prints each process's median and mean loop CPU (µs).
#
#     bench/page_cpu.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v php-cgi >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq php-cgi >/dev/null; }
[ -x .venv/bin/python ] || scripts/setup.sh
rounds=${1:-8}
probe=$(.venv/bin/python -c 'from fpmscope.probe import probe_path; print(probe_path())')
work=$(mktemp -d /tmp/fpmscope-pagecpu-XXXXXX)
trap 'rm -rf "$work"' EXIT
cat >"$work/loop.php" <<'PHP'
<?php
function fpmscope_bench_cpu_us(): int {
    $r = getrusage();
    return $r['ru_utime.tv_sec'] * 1000000 + $r['ru_utime.tv_usec'] + $r['ru_stime.tv_sec'] * 1000000 + $r['ru_stime.tv_usec'];
}
$t = fpmscope_bench_cpu_us();
$x = 0;
for ($i = 0; $i < 72952; $i++) { $x += $i % 7; }
file_put_contents(getenv('TIMES'), (fpmscope_bench_cpu_us() - $t) . "\n", FILE_APPEND);
echo $x, "\n";
PHP
echo '<?php' >"$work/empty.php"

# "median mean" loop CPU (µs) of one php-cgi process serving the page 300 times.
loop_cpu() {
    local prepend=$1 times="$work/times"
    local args=(-d opcache.enable=1 -d opcache.enable_cli=1 -q -T 300)
    [ "$prepend" = none ] || args+=(-d "auto_prepend_file=$prepend")
    rm -f "$times"
    env -i PATH="$PATH" TIMES="$times" FPMSCOPE_LOG="$work/probe.log" REQUEST_URI=/loop.php \
        SCRIPT_FILENAME="$work/loop.php" php-cgi "${args[@]}" "$work/loop.php" >/dev/null 2>&1
    sort -n "$times" | awk '{v[NR] = $1; s += $1} END {printf "%.0f %.0f\n", v[int((NR + 1) / 2)], s / NR}'
}

declare -A cells
names=(none "$probe" "$work/empty.php")
for _ in $(seq "$rounds"); do
    for prepend in "${names[@]}"; do
        read -r med mean < <(loop_cpu "$prepend")
        cells[$prepend]+="$med/$mean "
    done
done
echo "| prepend | loop CPU µs per request, median/mean of each process, in turn |"
echo "|---|---|"
for prepend in "${names[@]}"; do
    name=$(basename "$prepend")
    [ "$prepend" != "$work/empty.php" ] || name="empty prepend"
    echo "| $name | ${cells[$prepend]}|"
done
