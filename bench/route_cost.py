"""What the probe's route naming costs, inside php-fpm (issue 12).

    .venv/bin/python bench/route_cost.py

Serves bench/route_cost.php beside the framework apps of tests/data/frameworks (Debian's
Laravel and Symfony) on one php-fpm worker with the probe, and prints the warm ns per call of
Route::name() after a plain page, a Laravel and a Symfony request, and of Route::params() on a
five-pair query string: the best of 5 runs of 2,000 calls each.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import urllib.request
from pathlib import Path

from fpmscope.demo import stack
from fpmscope.probe import probe_path

HERE = Path(__file__).resolve().parent
APPS = HERE.parent / "tests" / "data" / "frameworks"


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="fpmscope-route-cost-") as tmp:
        www = Path(tmp) / "www"
        shutil.copytree(APPS, www)
        shutil.copy(HERE / "route_cost.php", www / "route_cost.php")
        best: dict[str, float] = {}
        cfg = stack.StackConfig(docroot=www, workers=1, probe=probe_path())
        with stack.running(cfg, Path(tmp) / "stack") as s:
            out = Path(tmp) / "times.txt"
            for _ in range(5):
                for app in ("plain", "laravel", "symfony"):
                    url = f"{s.url}/route_cost.php?app={app}&n=2000&out={out}"
                    with urllib.request.urlopen(url, timeout=60) as resp:
                        resp.read()
            for line in out.read_text().splitlines():
                name, ns = line.split("\t")
                best[name] = min(best.get(name, float("inf")), float(ns))
        print("| call (warm, in a loop) | ns per call |\n|---|---:|")
        for name, ns in best.items():
            print(f"| {name} | {ns:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
