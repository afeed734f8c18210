#!/usr/bin/env python3
"""Time `fpmscope slow`, an awk per-URL aggregation and goaccess on the same access log, in the
same run, and print lines/s, peak RSS and the ratios.

    .venv/bin/python bench/analyzer_slow.py [--lines 2000000] [--runs 3] [--log FILE] [--no-goaccess]

The log is made by bench/gen_access.py (combined + $request_time) unless --log is given. Each
tool runs --runs times under /usr/bin/time; the median wall time and the largest peak RSS are
reported. What each tool computes differs, and is said in the table:
- fpmscope: parse, normalize endpoints, exact p50/p90/p95/p99, status mix, bytes, slowest requests;
- awk (mawk on Debian): count and sum of $request_time per raw URL (no normalization, no
  percentiles), the classic one-liner, then sort;
- goaccess: its full report (JSON output), with %T as the time served.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
AWK = r"""{ split($7, u, "?"); n[u[1]]++; s[u[1]] += $NF } END { for (k in n) printf "%d %.3f %s\n", n[k], s[k], k }"""
GOACCESS_FORMAT = '%h %^[%d:%t %^] "%r" %s %b "%R" "%u" %T'


def timed(cmd: list[str] | str, shell: bool = False) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one run, from GNU time."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as out:
        wrapper = ["/usr/bin/time", "-o", out.name, "-f", "%e %M"]
        full = [*wrapper, "sh", "-c", cmd] if shell else [*wrapper, *cmd]  # type: ignore[list-item]
        subprocess.run(full, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wall, rss = out.read().split()[-2:]
    return float(wall), int(rss)


def bench(name: str, cmd: list[str] | str, runs: int, shell: bool = False) -> tuple[str, float, int]:
    results = [timed(cmd, shell) for _ in range(runs)]
    return name, statistics.median(r[0] for r in results), max(r[1] for r in results)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=2_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--log", type=Path, default=None)
    ap.add_argument("--no-goaccess", action="store_true")
    ap.add_argument("--goaccess-runs", type=int, default=1, help="goaccess is slow: one run by default")
    args = ap.parse_args()
    fpmscope = str(ROOT / ".venv" / "bin" / "fpmscope")
    with tempfile.TemporaryDirectory(prefix="fpmscope-bench-") as tmp:
        log = args.log or Path(tmp) / "access.log"
        if args.log is None:
            subprocess.run(
                [sys.executable, str(HERE / "gen_access.py"), "--lines", str(args.lines), "-o", str(log)], check=True
            )
        with log.open("rb") as f:
            lines = sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))
        rows = [
            bench(
                "fpmscope slow (json)",
                [fpmscope, "slow", str(log), "--format", "json", "-o", f"{tmp}/r.json", "--force"],
                args.runs,
            ),
            bench("awk per-URL count+sum | sort", f"awk '{AWK}' {log} | sort -k2,2nr > {tmp}/awk.txt", args.runs, True),
        ]
        if not args.no_goaccess and shutil.which("goaccess"):
            goaccess = [
                "goaccess", str(log), "--no-global-config", "--no-progress", f"--log-format={GOACCESS_FORMAT}",
                "--date-format=%d/%b/%Y", "--time-format=%T", "-o", f"{tmp}/ga.json",
            ]  # fmt: skip
            rows.append(bench("goaccess (json report)", goaccess, args.goaccess_runs))
    base = rows[0][1]
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()},"
        f" Python {platform.python_version()}"
    )
    print(
        f"log: {lines:,} lines, {log.stat().st_size / 1e6:,.0f} MB" if args.log else f"log: {lines:,} lines (generated)"
    )
    print(f"{'tool':32} {'median s':>9} {'lines/s':>12} {'peak RSS':>10} {'time vs fpmscope':>17}")
    for name, wall, rss in rows:
        print(f"{name:32} {wall:9.2f} {lines / wall:12,.0f} {rss / 1024:8.0f} MB {wall / base:16.2f}x")
    print(f"load average after the runs: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
