"""How big and how fast is `fpmscope report` on a large probe log? Usage:

    .venv/bin/python bench/report_scale.py [REQUESTS] [WORKERS]

Writes a synthetic probe log (tests/synth.py: write_many) of REQUESTS on WORKERS workers, then times
`fpmscope report` to HTML, prints the file size, and times loading it in headless Chromium.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.synth import write_many


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    with tempfile.TemporaryDirectory(prefix="fpmscope-bench-") as tmp:
        log, out = Path(tmp) / "probe.log", Path(tmp) / "report.html"
        t = time.perf_counter()
        write_many(log, n, workers)
        print(
            f"generated {n} requests on {workers} workers: {log.stat().st_size / 1e6:.0f} MB "
            f"in {time.perf_counter() - t:.1f} s"
        )
        t = time.perf_counter()
        cli = [sys.executable, "-m", "fpmscope", "report", str(log), "-o", str(out)]
        subprocess.run(cli, check=True)
        print(f"report: {time.perf_counter() - t:.1f} s, {out.stat().st_size / 1e6:.2f} MB")
        from tests.browser import open_report

        t = time.perf_counter()
        with open_report(out) as o:
            drawn = o.page.eval_on_selector_all("svg.chart", "els => els.map(e => e.dataset.drawn)")
            print(
                f"chromium: loaded and drawn in {time.perf_counter() - t:.2f} s (incl. launch); "
                f"{len(drawn)} charts, errors {o.errors}"
            )


if __name__ == "__main__":
    main()
