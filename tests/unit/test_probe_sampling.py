"""A worker that FPMSCOPE_SAMPLE leaves out binds none of the probe's classes but a stub, so an
application's `Probe::tag()` still works there, and the chained prepend still runs (php-cli runs
the real probe as its auto_prepend_file; FPMSCOPE_CLI=1 makes a measured run log a line)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from fpmscope.probe import probe_path

APP = r"""<?php
\Fpmscope\Probe::tag('checkout');
echo json_encode([
    'probe' => class_exists('Fpmscope\Probe', false),
    'route' => class_exists('Fpmscope\Route', false),
    'measuring' => \Fpmscope\Probe::$start !== null,
    'chained' => defined('APP_CHAINED'),
]);
"""


def run(tmp_path: Path, sample: str | None) -> tuple[str, str]:
    (tmp_path / "app.php").write_text(APP)
    (tmp_path / "chain.php").write_text("<?php define('APP_CHAINED', true);\n")
    log = tmp_path / "probe.log"
    env = {"PATH": "/usr/bin:/bin", "FPMSCOPE_LOG": str(log), "FPMSCOPE_CLI": "1"}
    env["FPMSCOPE_CHAIN"] = str(tmp_path / "chain.php")
    if sample is not None:
        env["FPMSCOPE_SAMPLE"] = sample
    out = subprocess.run(
        ["php", "-d", f"auto_prepend_file={probe_path()}", "-d", "display_errors=stderr", str(tmp_path / "app.php")],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stderr == ""
    return out.stdout, log.read_text() if log.exists() else ""


def test_a_worker_left_out_has_a_stub_probe_and_still_chains(tmp_path: Path) -> None:
    # A share of 0 leaves every pid out.
    out, log = run(tmp_path, "0")
    assert out == '{"probe":true,"route":false,"measuring":false,"chained":true}'
    assert log == ""


def test_a_measured_worker_binds_the_probe_and_logs_the_tag(tmp_path: Path) -> None:
    out, log = run(tmp_path, None)
    assert out == '{"probe":true,"route":true,"measuring":true,"chained":true}'
    fields = log.rstrip("\n").split("\t")
    assert fields[0] == "fpms2" and "checkout" in fields
