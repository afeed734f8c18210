"""The real probe, run by the real php-cli, parsed by the real ingest."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from fpmscope import ingest
from fpmscope.probe import probe_path
from fpmscope.records import RECORD_FIELDS

PHP = shutil.which("php") or "php"


def run_php(tmp_path: Path, script: str, env: dict[str, str], *ini: str) -> subprocess.CompletedProcess[bytes]:
    (tmp_path / "app.php").write_text(script)
    args = [PHP, "-n", "-d", f"auto_prepend_file={probe_path()}", *ini, str(tmp_path / "app.php")]
    return subprocess.run(args, env={"PATH": os.environ["PATH"], **env}, capture_output=True, timeout=30, check=False)


def test_hostile_uri_stays_on_one_line_and_parses(tmp_path: Path) -> None:
    log = tmp_path / "probe.log"
    # The probe reads request facts with getenv(); a wrapper prepend plants a hostile URI there
    # (bytes the environment cannot carry otherwise). A NUL cannot be in the environment at
    # all, so it comes through the route tag the app sets.
    uri = r'"REQUEST_URI=/a\tb\nc\r\\d\x1b[31m<script>\xff\xfe?token=secret"'
    wrapper = tmp_path / "wrapper.php"
    wrapper.write_text(f"<?php\nputenv({uri});\ninclude {str(probe_path())!r};\n")
    env = {"FPMSCOPE_LOG": str(log), "FPMSCOPE_CLI": "1", "FPMSCOPE_POOL": "cli"}
    (tmp_path / "app.php").write_text("<?php \\Fpmscope\\Probe::tag(\"route\\x00\\ttag\"); echo 'hi';")
    proc = subprocess.run(
        [PHP, "-n", "-d", f"auto_prepend_file={wrapper}", str(tmp_path / "app.php")],
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        timeout=30,
        check=False,
    )
    assert proc.stdout == b"hi" and proc.stderr == b""
    raw = log.read_bytes()
    assert raw.count(b"\n") == 1
    assert len(raw.split(b"\t")) == 1 + len(RECORD_FIELDS)
    con = ingest.connect(None)
    result = ingest.ingest(con, [str(log)])
    assert (result.rows, result.skipped) == (1, 0)
    row = con.execute("SELECT uri, tag, pool, outcome, anon_start > 0, worker_cpu_us > 0 FROM requests").fetchone()
    assert row is not None
    logged_uri, tag, pool, outcome, has_anon, has_cpu = row
    assert logged_uri == "/a\\tb\\nc\\r\\\\d\\033[31m<script>\\xff\\xfe"
    assert tag == "route\\000\\ttag"
    assert "secret" not in logged_uri  # query strings are dropped by default
    assert (pool, outcome, has_anon, has_cpu) == ("cli", "ok", True, True)


def test_probe_is_off_in_the_cli_by_default(tmp_path: Path) -> None:
    log = tmp_path / "probe.log"
    proc = run_php(tmp_path, "<?php echo 'x';", {"FPMSCOPE_LOG": str(log)})
    assert proc.stdout == b"x" and proc.stderr == b""
    assert not log.exists()


def test_fatal_error_still_writes_a_line_with_its_outcome(tmp_path: Path) -> None:
    log = tmp_path / "probe.log"
    env = {"FPMSCOPE_LOG": str(log), "FPMSCOPE_CLI": "1"}
    run_php(tmp_path, "<?php undefined_function();", env, "-d", "display_errors=0")
    run_php(tmp_path, "<?php $a = []; while (true) { $a[] = str_repeat('x', 1000); }", env, "-d", "memory_limit=16M")
    outcomes = [line.split("\t")[26] for line in log.read_text().splitlines()]
    assert outcomes == ["fatal", "oom"]
