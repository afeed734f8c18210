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
# includes ~150). Also an empty prepend, and a worker that FPMSCOPE_SAMPLE leaves out or keeps.
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

# Instructions of N runs of PAGE with PROBE (or none).
total() {
    local probe=$1 page=$2 n=$3
    local args=(-d opcache.enable=1 -d opcache.enable_cli=1 -q -T "$n")
    [ "$probe" = none ] || args+=(-d "auto_prepend_file=$probe")
    # A clean environment, as php-fpm gives its workers (clear_env = yes): CGI's getenv() scans
    # the process environment, and a shell's thirty-odd variables made each call ~1 k instructions.
    env -i PATH="$PATH" ${FPMSCOPE_SAMPLE:+FPMSCOPE_SAMPLE=$FPMSCOPE_SAMPLE} \
        FPMSCOPE_LOG="$work/probe.log" REQUEST_URI="/$page" SCRIPT_FILENAME="$work/$page" \
        valgrind --tool=callgrind --callgrind-out-file=/dev/null php-cgi "${args[@]}" "$work/$page" 2>&1 >/dev/null |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
per_request() { echo $((($(total "$1" "$2" 220) - $(total "$1" "$2" 20)) / 200)); }

echo "| probe | page | instructions added per request |"
echo "|---|---|---:|"
for page in hello.php files1.php files150.php; do
    base=$(per_request none "$page")
    for probe in "${probes[@]}"; do
        echo "| $(basename "$probe") | $page | $(($(per_request "$probe" "$page") - base)) |"
    done
done
base=$(per_request none hello.php)
echo '<?php' > "$work/empty.php"
echo "| an empty prepend (reference) | hello.php | $(($(per_request "$work/empty.php" hello.php) - base)) |"
for probe in "${probes[@]}"; do
    # 0.000001: only a pid that is a multiple of 10000 would be picked.
    echo "| $(basename "$probe"), a worker FPMSCOPE_SAMPLE leaves out | hello.php | $((
        $(FPMSCOPE_SAMPLE=0.000001 per_request "$probe" hello.php) - base)) |"
    echo "| $(basename "$probe"), a worker FPMSCOPE_SAMPLE keeps (flag s0.9999) | hello.php | $((
        $(FPMSCOPE_SAMPLE=0.9999 per_request "$probe" hello.php) - base)) |"
done
