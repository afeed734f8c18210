"""Probe overhead: the same pages on two loopback nginx + php-fpm stacks, one with the probe.

Run from the repository root with the project's venv (bench/probe_overhead.sh does the setup):

    .venv/bin/python bench/probe_overhead.py [--pairs 10] [--duration 3] [--probe FILE]

Both stacks run side by side (static pool, 2 workers each), started afresh for every pair;
wrk hits one, then the other, page by page, in interleaved pairs whose order alternates (A B,
B A, ...) so that drift on a shared machine falls on both sides. Per run it records wrk's
throughput and p50/p99 latency, and the FPM workers' own CPU time (utime + stime from
/proc/<pid>/stat, before and after) divided by the requests the pool accepted (from its
status page). Worker CPU per request is the stable
figure; throughput and latency move with whatever else the machine does.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import ExitStack
from pathlib import Path

from fpmscope.demo import stack
from fpmscope.probe import probe_path

TICK = os.sysconf("SC_CLK_TCK")
CALIBRATE_LOOPS = 1_000_000
# A page whose cost is mostly PHP work: integer arithmetic in a loop, calibrated in FPM.
WORK_PAGE = '<?php\n$x = 0;\nfor ($i = 0; $i < {n}; $i++) {{ $x += $i % 7; }}\necho $x, "\\n";\n'
CALIBRATE_PAGE = (
    "<?php\n$t = hrtime(true);\n$x = 0;\n"
    "for ($i = 0; $i < " + str(CALIBRATE_LOOPS) + "; $i++) { $x += $i % 7; }\n"
    "echo hrtime(true) - $t;\n"
)
PAGES = {"hello": 0.0, "1ms": 1.0, "10ms": 10.0}  # name -> target PHP work in ms


def worker_pids(master: int) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        if int(stat[stat.rindex(")") + 2 :].split()[1]) == master:
            pids.append(int(entry))
    return sorted(pids)


def cpu_ticks(pids: list[int]) -> int:
    """utime + stime of the given processes, in clock ticks."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text()
        rest = fields[fields.rindex(")") + 2 :].split()
        total += int(rest[11]) + int(rest[12])  # fields 14 and 15 of stat
    return total


def fpm_status(url: str) -> dict[str, int]:
    with urllib.request.urlopen(url + "/fpm-status?json", timeout=10) as resp:
        data: dict[str, int] = json.loads(resp.read())
        return data


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as resp:
        return str(resp.read().decode())


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def run_wrk(url: str, seconds: float, connections: int) -> dict[str, float]:
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    lat = {m[0]: float(m[1]) * UNITS[m[2]] for m in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)}
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)", out)
    if rps is None or set(lat) != {"50", "99"}:
        raise RuntimeError("cannot parse wrk output:\n" + out)
    if errors:
        raise RuntimeError("wrk saw errors:\n" + out)
    return {"rps": float(rps[1]), "p50_ms": lat["50"], "p99_ms": lat["99"]}


class Pool:
    """One running stack and how to measure its workers."""

    def __init__(self, running: stack.Stack) -> None:
        self.stack = running
        self.url = running.url
        self.workers = worker_pids(running.fpm_master_pid())

    def measure(self, page: str, seconds: float, connections: int) -> dict[str, float]:
        before_conn = fpm_status(self.url)["accepted conn"]
        before_cpu = cpu_ticks(self.workers)
        result = run_wrk(f"{self.url}/{page}.php", seconds, connections)
        # Let the requests still in flight when wrk stopped finish before reading the counters.
        time.sleep(0.2)
        after_cpu = cpu_ticks(self.workers)
        after_conn = fpm_status(self.url)["accepted conn"]
        served = after_conn - before_conn - 1  # the first status request is counted in `after`
        result["requests"] = served
        result["cpu_us_per_request"] = (after_cpu - before_cpu) / TICK * 1e6 / served
        return result


def calibrate(pool: Pool) -> float:
    """Nanoseconds per loop iteration, measured inside php-fpm (the best of 7)."""
    return min(int(get(f"{pool.url}/calibrate.php")) for _ in range(7)) / CALIBRATE_LOOPS


def write_pages(docroot: Path, ns_per_loop: float) -> dict[str, int]:
    loops = {}
    for name, ms in PAGES.items():
        if ms == 0:
            (docroot / f"{name}.php").write_text('<?php\necho "hello world\\n";\n')
            loops[name] = 0
        else:
            loops[name] = round(ms * 1e6 / ns_per_loop)
            (docroot / f"{name}.php").write_text(WORK_PAGE.format(n=loops[name]))
    return loops


def spread(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def machine() -> dict[str, str]:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "?",
    )
    php = subprocess.run(["php", "-r", "echo PHP_VERSION;"], capture_output=True, text=True, check=False).stdout
    return {
        "nproc": str(os.cpu_count()),
        "cpu": model,
        "kernel": platform.release(),
        "php": php,
        "wrk": subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False).stdout.split()[1],
    }


def summarize(runs: list[dict[str, object]], pages: list[str]) -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = {}
    for page in pages:
        pairs: dict[int, dict[str, dict[str, float]]] = {}
        for r in runs:
            if r["page"] == page:
                pairs.setdefault(int(r["pair"]), {})[str(r["probe"])] = r  # type: ignore[assignment]
        done = [p for p in pairs.values() if len(p) == 2]
        ratio = {k: [p["on"][k] / p["off"][k] for p in done] for k in ("rps", "p50_ms", "p99_ms")}
        off = [p["off"]["cpu_us_per_request"] for p in done]
        on = [p["on"]["cpu_us_per_request"] for p in done]
        added = [b - a for a, b in zip(off, on, strict=True)]
        out[page] = {
            "pairs": len(done),
            "throughput_ratio": spread(ratio["rps"]),
            "p50_ratio": spread(ratio["p50_ms"]),
            "p99_ratio": spread(ratio["p99_ms"]),
            "rps_off": spread([p["off"]["rps"] for p in done]),
            "rps_on": spread([p["on"]["rps"] for p in done]),
            "cpu_us_off": spread(off),
            "cpu_us_on": spread(on),
            "cpu_us_added": spread(added),
            "requests_per_run": spread([p["on"]["requests"] for p in done]),
        }
    return out


def fmt_spread(s: dict[str, float], digits: int = 3, scale: float = 1.0, unit: str = "") -> str:
    m, lo, hi = (s[k] * scale for k in ("median", "min", "max"))
    return f"{m:.{digits}f}{unit} [{lo:.{digits}f}..{hi:.{digits}f}]"


def table(summary: dict[str, dict[str, object]]) -> str:
    rows = [
        "| page | pairs | req/s off | throughput on/off | p50 on/off | p99 on/off "
        "| worker CPU µs/req off | on | added by probe |",
        "|---|---:|---:|---|---|---|---|---|---|",
    ]
    for page, s in summary.items():
        g = s.get
        rows.append(
            f"| {page} | {g('pairs')} | {g('rps_off')['median']:.0f} "  # type: ignore[index]
            f"| {fmt_spread(g('throughput_ratio'))} | {fmt_spread(g('p50_ratio'))} "  # type: ignore[arg-type]
            f"| {fmt_spread(g('p99_ratio'))} | {fmt_spread(g('cpu_us_off'), 1)} "  # type: ignore[arg-type]
            f"| {fmt_spread(g('cpu_us_on'), 1)} | {fmt_spread(g('cpu_us_added'), 1)} |"  # type: ignore[arg-type]
        )
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=10, help="interleaved off/on pairs per page (default 10)")
    parser.add_argument("--duration", type=float, default=3.0, help="seconds per wrk run (default 3)")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections (default 4)")
    parser.add_argument("--workers", type=int, default=2, help="static FPM workers per pool (default 2)")
    parser.add_argument("--probe", type=Path, default=None, help="probe file to measure (default: the packaged one)")
    parser.add_argument(
        "--baseline-probe", type=Path, default=None, help="run the 'off' pool with this probe instead of none"
    )
    parser.add_argument("--pages", default=",".join(PAGES), help="comma-separated subset of " + ",".join(PAGES))
    parser.add_argument("--json", type=Path, default=None, help="also write every run and the summary here")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk not found; on Debian: apt-get install wrk (bench/probe_overhead.sh does it)", file=sys.stderr)
        return 2
    pages = [p for p in args.pages.split(",") if p]
    probe = (args.probe or probe_path()).resolve()
    info = machine()
    print(f"machine: {info}; load before: {os.getloadavg()[0]:.2f}", file=sys.stderr)
    runs: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="fpmscope-bench-") as tmp:
        root = Path(tmp)
        docroot = root / "www"
        docroot.mkdir()
        (docroot / "calibrate.php").write_text(CALIBRATE_PAGE)
        baseline = args.baseline_probe.resolve() if args.baseline_probe else None
        roles = {"off": baseline, "on": probe}
        with stack.running(stack.StackConfig(docroot=docroot, workers=1), root / "calibrate") as s:
            ns = calibrate(Pool(s))
        loops = write_pages(docroot, ns)
        print(f"calibrated: {ns:.2f} ns per loop; loops per page {loops}", file=sys.stderr)
        started = time.monotonic()
        probe_lines = 0
        for pair in range(args.pairs):
            # Fresh pools for every pair, started in alternating order: a pool's own layout
            # (opcache addresses, which core its workers land on) can shift a tight PHP loop by
            # several per cent, and that must be noise across pairs, not a bias of one side.
            order = ("off", "on") if pair % 2 == 0 else ("on", "off")
            with ExitStack() as servers:
                pools = {}
                for name in order:
                    cfg = stack.StackConfig(docroot=docroot, workers=args.workers, probe=roles[name], pool=f"b{name}")
                    pools[name] = Pool(servers.enter_context(stack.running(cfg, root / f"{pair}-{name}")))
                for page in pages:  # warm opcache and the workers
                    for name in order:
                        run_wrk(f"{pools[name].url}/{page}.php", 1, args.connections)
                for page in pages:
                    for name in order:
                        r = pools[name].measure(page, args.duration, args.connections)
                        runs.append({"pair": pair, "page": page, "probe": name, **r})
                        print(
                            f"pair {pair} {page:>5} {name:>3}: {r['rps']:8.0f} req/s  p50 {r['p50_ms']:.3f} ms  "
                            f"p99 {r['p99_ms']:.3f} ms  worker CPU {r['cpu_us_per_request']:.1f} µs/req "
                            f"({r['requests']:.0f} req)",
                            file=sys.stderr,
                        )
                log = pools["on"].stack.probe_log
                probe_lines += sum(1 for _ in log.open("rb")) if log.exists() else 0
        info["load_after"] = f"{os.getloadavg()[0]:.2f}"
        info["minutes"] = f"{(time.monotonic() - started) / 60:.1f}"
    summary = summarize(runs, pages)
    print(f"\nprobe: {probe} ({probe_lines} lines logged); baseline: {args.baseline_probe or 'no probe'}")
    print(
        f"{info['nproc']} CPUs ({info['cpu']}), kernel {info['kernel']}, PHP {info['php']}, wrk {info['wrk']}; "
        f"{args.workers} static workers per pool, wrk -t1 -c{args.connections} -d{args.duration:g}s, "
        f"{args.pairs} pairs; median [min..max] over pairs\n"
    )
    print(table(summary))
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "machine": info,
                    "args": vars(args) | {"probe": str(probe), "json": str(args.json)},
                    "loops": loops,
                    "summary": summary,
                    "runs": runs,
                },
                indent=2,
                default=str,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
