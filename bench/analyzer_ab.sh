#!/usr/bin/env bash
# Another build of fpmscope against this one on the same probe log, runs alternated so that
# both see the same load; one command from the repository root:
#
#     bench/analyzer_ab.sh OTHER_FPMSCOPE LOG [PAIRS]        (default: 2 pairs)
#
# e.g. a copy of main: git worktree add /tmp/base main && (cd /tmp/base && python3 -m venv
# .venv && .venv/bin/pip install -e .), then bench/analyzer_ab.sh /tmp/base/.venv/bin/fpmscope LOG.
# Prints one line per run of `fpmscope leaks --top 20 LOG`: the build, the load average before
# it, wall seconds, user and system CPU seconds, peak RSS (KiB, GNU time), and a digest of
# the output (equal digests: the same report).
set -euo pipefail
cd "$(dirname "$0")/.."
other=$1 log=$2 pairs=${3:-2}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "| pair | build | load | wall s | user s | sys s | peak RSS | output |"
echo "|---:|---|---:|---:|---:|---:|---:|---|"
for i in $(seq 1 "$pairs"); do
    for build in other this; do
        fp=$other
        [ "$build" = this ] && fp=.venv/bin/fpmscope
        load=$(cut -d' ' -f1 /proc/loadavg)
        /usr/bin/time -f "%e %U %S %M" -o "$out/time" "$fp" leaks --top 20 "$log" >"$out/report" 2>&1
        read -r wall user sys kib <"$out/time"
        echo "| $i | $build | $load | $wall | $user | $sys | $((kib / 1024)) MB | $(md5sum <"$out/report" | cut -c1-8) |"
    done
done
