#!/usr/bin/env bash
# The probe's cost in user-space instructions per request, which a loaded machine does not
# change (worker CPU time does, 2-3x): php-cgi runs a page N times in one process (-T, opcache
# on, like an FPM worker) under callgrind, with and without the probe; the difference over
# 200 extra runs, divided by 200, is what the probe adds to one request. Kernel time (the
# syscalls) is not counted: see bench/syscall_floor.c for that part.
#
#     bench/probe_instructions.sh [PROBE.php ...]       # default: the packaged probe
#
# Pages: hello world, a page including 1 file, one including 150 (a real app's page view
# includes ~150), and loop.php, ~9.5 M instructions of integer PHP (about 1 ms of worker CPU
# in FPM here). Also an empty prepend, and a worker that FPMSCOPE_SAMPLE leaves out or keeps.
# Besides instructions, callgrind's cache simulation counts the first-level instruction and
# data cache misses the probe adds (a model of the caches, not the machine's counters).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v php-cgi >/dev/null 2>&1 || ! command -v valgrind >/dev/null 2>&1; then
    echo "installing php-cgi and valgrind" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq php-cgi valgrind >/dev/null
fi
[ -x .venv/bin/python ] || scripts/setup.sh
probes=()
for p in "$@"; do probes+=("$(realpath "$p")"); done
[ ${#probes[@]} -gt 0 ] || probes=("$(.venv/bin/python -c 'from fpmscope.probe import probe_path; print(probe_path())')")
work=$(mktemp -d /tmp/fpmscope-instr-XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir "$work/inc"
for i in $(seq 0 149); do echo "<?php function fpmscope_bench_f$i(\$x) { return \$x + $i; }" > "$work/inc/f$i.php"; done
echo '<?php echo "hello world\n";' > "$work/hello.php"
echo '<?php include __DIR__ . "/inc/f0.php"; echo "ok";' > "$work/files1.php"
echo '<?php for ($i = 0; $i < 150; $i++) { include __DIR__ . "/inc/f$i.php"; } echo "ok";' > "$work/files150.php"
echo '<?php $x = 0; for ($i = 0; $i < 100000; $i++) { $x += $i % 7; } echo $x, "\n";' > "$work/loop.php"

# Instructions, I1 and D1 misses of N runs of PAGE with PROBE (or none).
total() {
    local probe=$1 page=$2 n=$3
    local args=(-d opcache.enable=1 -d opcache.enable_cli=1 -q -T "$n")
    [ "$probe" = none ] || args+=(-d "auto_prepend_file=$probe")
    # A clean environment, as php-fpm gives its workers (clear_env = yes): CGI's getenv() scans
    # the process environment, and a shell's thirty-odd variables made each call ~1 k instructions.
    env -i PATH="$PATH" ${FPMSCOPE_SAMPLE:+FPMSCOPE_SAMPLE=$FPMSCOPE_SAMPLE} \
        FPMSCOPE_LOG="$work/probe.log" REQUEST_URI="/$page" SCRIPT_FILENAME="$work/$page" \
        valgrind --tool=callgrind --cache-sim=yes --callgrind-out-file=/dev/null php-cgi "${args[@]}" "$work/$page" 2>&1 >/dev/null |
        sed -n 's/.*Collected : //p' | awk '{print $1, $4, $5 + $6}'
}
# Per request: the difference between N + 20 runs and 20 runs, over N (200; 100 for loop.php).
per_request() {
    local n=200
    [ "$2" != loop.php ] || n=100
    local a b
    read -r -a a < <(total "$1" "$2" $((n + 20)))
    read -r -a b < <(total "$1" "$2" 20)
    echo $(((a[0] - b[0]) / n)) $(((a[1] - b[1]) / n)) $(((a[2] - b[2]) / n))
}
# "a - b" of two per_request results, as table cells: instructions | I1 misses | D1 misses.
minus() {
    local a b
    read -r -a a <<<"$1"
    read -r -a b <<<"$2"
    echo "$((a[0] - b[0])) | $((a[1] - b[1])) | $((a[2] - b[2]))"
}

echo "| probe | page | instructions added per request | I1 misses added | D1 misses added |"
echo "|---|---|---:|---:|---:|"
for page in hello.php files1.php files150.php loop.php; do
    base=$(per_request none "$page")
    for probe in "${probes[@]}"; do
        echo "| $(basename "$probe") | $page | $(minus "$(per_request "$probe" "$page")" "$base") |"
    done
done
base=$(per_request none hello.php)
echo '<?php' > "$work/empty.php"
echo "| an empty prepend (reference) | hello.php | $(minus "$(per_request "$work/empty.php" hello.php)" "$base") |"
for probe in "${probes[@]}"; do
    # 0.000001: only a pid that is a multiple of 10000 would be picked.
    echo "| $(basename "$probe"), a worker FPMSCOPE_SAMPLE leaves out | hello.php | $(minus \
        "$(FPMSCOPE_SAMPLE=0.000001 per_request "$probe" hello.php)" "$base") |"
    echo "| $(basename "$probe"), a worker FPMSCOPE_SAMPLE keeps (flag s0.9999) | hello.php | $(minus \
        "$(FPMSCOPE_SAMPLE=0.9999 per_request "$probe" hello.php)" "$base") |"
done
