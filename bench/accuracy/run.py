#!/usr/bin/env python3
"""Run the accuracy suite's scenarios one at a time and write each to OUT/<scenario-id>/.

    bench/accuracy/run.py --scenarios 40 --seed 1 --out /work/accdata [--shop] [--requests N]

Scenario i of seed s is always the same app, pool and traffic. Existing finished scenario
directories are kept unless --force (so an interrupted run resumes).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.accuracy import runner, scenario


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenarios", type=int, default=40, help="random scenarios to run (default 40)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--first", type=int, default=1, help="index of the first scenario (default 1)")
    parser.add_argument("--shop", action="store_true", help="also run the fixed shop scenario of issue 11")
    parser.add_argument("--requests", type=int, default=None, help="override the drawn request count")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--force", action="store_true", help="re-run scenarios already written")
    args = parser.parse_args(argv)
    todo = [scenario.shop(args.requests or 3000)] if args.shop else []
    todo += [scenario.draw(args.seed, i, args.requests) for i in range(args.first, args.first + args.scenarios)]
    args.out.mkdir(parents=True, exist_ok=True)
    for sc in todo:
        target = args.out / sc["id"]
        if (target / "truth.json").exists() and not args.force:
            print(f"{sc['id']}: kept (already run)", flush=True)
            continue
        started = time.monotonic()
        try:
            truth = runner.run(sc, target)
        except runner.RunError as exc:
            print(f"{sc['id']}: FAILED {exc}", flush=True)
            continue
        print(
            f"{sc['id']}: {truth['requests']} requests, {truth['failed_requests']} failed, "
            f"{sum(e['leak'] for e in truth['endpoints'])} leaks, {time.monotonic() - started:.0f} s -> {target}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
