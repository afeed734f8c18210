"""Debian's MediaWiki and WordPress, as shipped, on nginx + php-fpm with the probe: realistic
traffic, clean and with a planted native leak, and what fpmscope says about each run.

    .venv/bin/python bench/realapps.py [--apps mediawiki,wordpress] [--variants clean,leak]
        [--requests 2400] [--workers 4] [--concurrency 4] [--leak-kib 48] [--out DIR]

Each run leaves in DIR/realapps-<app>-<variant>/: probe.log, access.log, truth.json (what was
planted where, counted by the plant itself), leaks.txt/leaks.json and workers.txt (fpmscope's
output). The last lines printed are one verdict per run against its truth.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.realapps.harness import APPS, running_app  # noqa: E402

from fpmscope.cli import main as fpmscope_main  # noqa: E402


def fpmscope(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(fpmscope_main, list(args))
    return result.exit_code, result.stdout + (result.stderr if result.stderr_bytes else "")


def one_run(app_name: str, variant: str, args: argparse.Namespace, out: Path) -> str:
    leak = args.leak_kib * 1024 if variant == "leak" else None
    dest = out / f"realapps-{app_name}-{variant}"
    dest.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"fpmscope-{app_name}-"))
    started = time.monotonic()
    try:
        with running_app(app_name, work, leak, workers=args.workers, concurrency=args.concurrency) as app:
            app.drive(app.plan(args.requests, args.seed))
        app.write_truth(dest / "truth.json")
        for name in ("probe.log", "access.log"):
            shutil.copy(work / "servers" / name, dest / name)
        errors = work / "servers" / "php-errors.log"
        if errors.exists():
            shutil.copy(errors, dest / "php-errors.log")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    took = time.monotonic() - started
    _, leaks_txt = fpmscope("leaks", str(dest / "probe.log"))
    _, leaks_json = fpmscope("leaks", str(dest / "probe.log"), "--format", "json")
    _, workers_txt = fpmscope("workers", str(dest / "probe.log"))
    (dest / "leaks.txt").write_text(leaks_txt)
    (dest / "leaks.json").write_text(leaks_json)
    (dest / "workers.txt").write_text(workers_txt)
    print(f"== {app_name} {variant}: {args.requests} requests in {took:.0f} s -> {dest}")
    print(leaks_txt)
    print(workers_txt)
    truth = json.loads((dest / "truth.json").read_text())
    return verdict(app_name, variant, truth, leaks_json)


def verdict(app_name: str, variant: str, truth: dict[str, object], leaks_json: str) -> str:
    try:
        suspects = json.loads(leaks_json).get("suspects", [])
    except json.JSONDecodeError:
        return f"{app_name} {variant}: fpmscope leaks gave no JSON"
    names = [s["endpoint"] for s in suspects]
    leak = truth["leak"]
    if not isinstance(leak, dict):
        return f"{app_name} clean: {len(names)} suspect(s) {names} (want 0)"
    found = next((s for s in suspects if s["endpoint"] == leak["endpoint"]), None)
    size = leak["bytes_per_call"] / 1024
    if found is None:
        return f"{app_name} leak: {leak['endpoint']} ({size:.0f} KiB) NOT a suspect; suspects {names}"
    est = found["retained_bytes_per_request"] / 1024
    others = [n for n in names if n != leak["endpoint"]]
    return (
        f"{app_name} leak: {leak['endpoint']} found at {est:.1f} KiB/request (planted {size:.0f}, "
        f"error {100 * (est - size) / size:+.0f} %); other suspects {others}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--apps", default=",".join(APPS))
    parser.add_argument("--variants", default="clean,leak")
    parser.add_argument("--requests", type=int, default=2400)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--leak-kib", type=int, default=48)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="fpmscope-realapps-"))
    verdicts = [
        one_run(app, variant, args, out) for app in args.apps.split(",") for variant in args.variants.split(",")
    ]
    print("== verdicts")
    print("\n".join(verdicts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
