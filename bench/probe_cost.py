"""Where the probe's time goes, measured inside php-fpm.

    .venv/bin/python bench/probe_cost.py [--pages hello,files150,...] [--no-pieces] [PROBE.php ...]

1. Pieces: bench/probe_pieces.php runs each call a probe might make 2,000 times in a worker
   and prints ns per call (warm: the same call in a loop).
2. Variants: the probe (default: the packaged one; or the files given) and copies of it with
   one part cut out (no log write, no getrusage, no statm, none of those), each prepended
   through bench/probe_timed.php, which logs how long the probe's start and finisher took in
   each request. All pools run side by side and wrk visits them in
   turn, 1 s each, 6 rounds, so drift on a shared machine hits every variant alike. The
   difference between a variant and the full probe is what the cut part costs in a real
   request (cold caches included).
3. Pages (--pages): the same timing on other pages than hello world, to see what grows with
   the application: `files1`/`files150` include 1 or 150 small files (a real app's page view
   includes ~150), `cache` spends ~1 ms reading an 8 MB array at random (evicting the probe's
   code and data from the CPU caches, as a real page does), `loop` ~1 ms in a tight loop.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.request
from contextlib import ExitStack
from pathlib import Path

from fpmscope.demo import stack
from fpmscope.probe import probe_path

HERE = Path(__file__).resolve().parent
# name -> (text in the probe, replacement): each variant cuts one measurement out.
CUTS = {
    "no log write": [("@\\file_put_contents($log, $line, \\FILE_APPEND);", "")],
    "no getrusage": [("\\function_exists('getrusage') ? \\getrusage() : null", "null")],
    "no statm": [("@\\fopen('/proc/self/statm', 'rb')", "false")],
    # Issue 12: the framework route lookup at the end of the request (hello.php has no query
    # string, so the routing-parameter filter does not run; bench/route_cost.py times it).
    "no route naming": [("Route::name($uri)", "''")],
}
CUTS["PHP code only"] = [r for name, reps in CUTS.items() if name != "no route naming" for r in reps]
EMPTY = (
    "<?php\nnamespace FpmscopeBench;\nfinal class Empty_ {\n"
    "    public static function later() { \\register_shutdown_function([__CLASS__, 'last']); }\n"
    "    public static function last() {}\n}\n"
    "\\register_shutdown_function([Empty_::class, 'later']);\n"
)


def variants(probe: Path, out: Path) -> dict[str, Path]:
    text = probe.read_text()
    found = {f"{probe.name}": probe}
    for name, reps in CUTS.items():
        cut = text
        if not all(old in cut for old, _ in reps):
            print(f"variant '{name}': pattern not found in {probe}, skipped", file=sys.stderr)
            continue
        for old, new in reps:
            cut = cut.replace(old, new)
        path = out / f"{probe.stem}-{name.replace(' ', '_').replace('/', '')}.php"
        path.write_text(cut)
        found[f"{probe.name}, {name}"] = path
    empty = out / "empty.php"
    empty.write_text(EMPTY)
    found["empty prepend + shutdown function"] = empty
    return found


def pieces(root: Path) -> str:
    www = root / "pieces"
    www.mkdir()
    shutil.copy(HERE / "probe_pieces.php", www / "probe_pieces.php")
    best: dict[str, float] = {}
    with stack.running(stack.StackConfig(docroot=www, workers=1), root / "pieces-stack") as s:
        for _ in range(3):
            with urllib.request.urlopen(s.url + "/probe_pieces.php?n=2000", timeout=60) as resp:
                for line in resp.read().decode().splitlines():
                    name, ns = line.split("\t")
                    best[name] = min(best.get(name, float("inf")), float(ns))
    rows = ["| piece (warm, in a loop) | ns per call |", "|---|---:|"]
    rows += [f"| {name} | {ns:.0f} |" for name, ns in best.items() if name != "empty loop"]
    return "\n".join(rows)


PAGES = {
    "hello": '<?php\necho "hello world\\n";\n',
    "files1": "<?php\ninclude __DIR__ . '/inc/f0.php';\necho 'ok';\n",
    "files150": "<?php\nfor ($i = 0; $i < 150; $i++) { include __DIR__ . \"/inc/f$i.php\"; }\necho 'ok';\n",
    "cache": (
        "<?php\n$a = range(0, 1 << 19); $x = 0; $n = count($a) - 1;\n"
        "for ($i = 0; $i < 60000; $i++) { $x += $a[($i * 7919) & $n]; }\necho $x;\n"
    ),
    "loop": "<?php\n$x = 0;\nfor ($i = 0; $i < 60000; $i++) { $x += $i % 7; }\necho $x;\n",
}


def write_pages(www: Path) -> None:
    (www / "inc").mkdir()
    for i in range(150):
        (www / "inc" / f"f{i}.php").write_text(f"<?php\nfunction fpmscope_bench_f{i}($x) {{ return $x + {i}; }}\n")
    for name, text in PAGES.items():
        (www / f"{name}.php").write_text(text)


def timed(root: Path, probes: dict[str, Path], rounds: int = 6, page: str = "hello") -> str:
    www = root / f"www-{page}"
    www.mkdir()
    write_pages(www)
    pools = {}
    with ExitStack() as servers:
        for i, (name, probe) in enumerate(probes.items()):
            times = root / f"{page}-{i}.times"
            cfg = stack.StackConfig(
                docroot=www,
                workers=1,
                probe=HERE / "probe_timed.php",
                pool=f"cost{i}",
                env={"FPMSCOPE_BENCH_PROBE": str(probe.resolve()), "FPMSCOPE_BENCH_TIMES": str(times)},
            )
            pools[name] = (servers.enter_context(stack.running(cfg, root / f"{page}-pool{i}")), times)
        for _ in range(rounds):
            for s, _ in pools.values():
                subprocess.run(["wrk", "-t1", "-c1", "-d1s", f"{s.url}/{page}.php"], capture_output=True, check=True)
    rows = [
        f"| probe ({page}) | requests | start µs (p50) | finisher µs (p50) | total µs (p50) | total µs (p10..p90) |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for name, (_, times) in pools.items():
        data = [tuple(int(x) for x in line.split("\t")) for line in times.read_text().splitlines()]
        data = data[100:]  # the worker's first requests warm opcache and the realpath cache
        begin = statistics.median(b for b, _ in data) / 1000
        finish = statistics.median(f for _, f in data) / 1000
        total = sorted((b + f) / 1000 for b, f in data)
        p10, p50, p90 = (total[int(len(total) * q)] for q in (0.1, 0.5, 0.9))
        rows.append(f"| {name} | {len(data)} | {begin:.1f} | {finish:.1f} | {p50:.1f} | {p10:.1f}..{p90:.1f} |")
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("probes", nargs="*", type=Path, help="probe files (default: the packaged one, and cut copies)")
    parser.add_argument("--pages", default="hello", help="comma-separated subset of " + ",".join(PAGES))
    parser.add_argument("--no-pieces", action="store_true", help="skip the per-call timings")
    parser.add_argument("--no-cuts", action="store_true", help="time only the probes given, not cut copies")
    parser.add_argument("--rounds", type=int, default=6, help="wrk rounds of 1 s per pool (default 6)")
    args = parser.parse_args()
    probes = [p.resolve() for p in args.probes] or [probe_path()]
    if shutil.which("wrk") is None:
        print("wrk not found; on Debian: apt-get install wrk", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="fpmscope-cost-") as tmp:
        root = Path(tmp)
        if not args.no_pieces:
            print(pieces(root) + "\n")
        todo: dict[str, Path] = {}
        for i, probe in enumerate(probes):
            out = root / f"variants{i}"
            out.mkdir()
            if i == 0 and not args.no_cuts:
                todo |= variants(probe, out)
            else:
                todo[f"{probe.name} ({probe.parent.name})"] = probe
        for page in args.pages.split(","):
            print(timed(root, todo, args.rounds, page) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
