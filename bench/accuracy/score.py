#!/usr/bin/env python3
"""Score fpmscope on finished accuracy-suite runs and print a markdown table.

    bench/accuracy/score.py DIR [--fpmscope '/work/main/.venv/bin/fpmscope'] [-o score.md] [--json score.json]

DIR holds scenario directories (each with probe.log and truth.json), as run.py writes them.
Exit status: 0 when every acceptance bar of issue 11 holds, 1 when one fails.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.accuracy import scoring


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dir", type=Path)
    default = str(Path(sys.executable).with_name("fpmscope"))
    parser.add_argument("--fpmscope", default=default, help=f"the fpmscope command to score (default {default})")
    parser.add_argument("-o", "--output", type=Path, help="also write the table to this file")
    parser.add_argument("--json", type=Path, help="also write per-scenario results and totals as JSON")
    args = parser.parse_args(argv)
    command = shlex.split(args.fpmscope)
    scores = []
    for d in scoring.scenario_dirs(args.dir):
        scores.append(scoring.score_dir(d, command))
        print(f"scored {d.name}", file=sys.stderr, flush=True)
    table = scoring.markdown(scores)
    print(table)
    if args.output:
        args.output.write_text(table)
        print(f"Wrote {args.output}", file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(scoring.as_json(scores), indent=1, sort_keys=True) + "\n")
        print(f"Wrote {args.json}", file=sys.stderr)
    return 0 if all(scoring.totals(scores).bars().values()) else 1


if __name__ == "__main__":
    sys.exit(main())
