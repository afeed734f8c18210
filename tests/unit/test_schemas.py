"""Every JSON output holds to its published schema in docs/schemas/, and the schemas are
generated from the current models (scripts/schemas.py)."""

from __future__ import annotations

import random
import runpy
from pathlib import Path

import pytest
from click.testing import CliRunner

from fpmscope.cli import main
from fpmscope.model import SCHEMA_VERSION
from fpmscope.render import json as json_render
from tests.schema import DIR, errors, validate
from tests.synth import MiB, Worker, noise, write
from tests.unit.test_golden import fixed_log
from tests.unit.test_top_live import sample_snapshot

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"


def test_schemas_are_generated_from_the_current_models() -> None:
    script = runpy.run_path(str(ROOT / "scripts" / "schemas.py"))
    for stem in script["OUTPUTS"]:
        assert (DIR / f"{stem}.schema.json").read_text() == script["text"](stem), "run python scripts/schemas.py"


def test_the_validator_rejects_what_the_schema_forbids() -> None:
    schema = {
        "type": "object",
        "properties": {"n": {"type": "integer"}},
        "required": ["n"],
        "additionalProperties": False,
    }
    assert errors({"n": 1}, schema) == []
    assert errors({"n": 1.5}, schema) and errors({}, schema) and errors({"n": 1, "x": 2}, schema)
    assert errors({"n": True}, schema), "a boolean is not an integer"


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code in (0, 1), result.output
    return result.stdout


@pytest.fixture
def probe_log(tmp_path: Path) -> Path:
    return fixed_log(tmp_path / "probe.log")


def test_leaks_json_and_its_gate_hold_to_the_schema(probe_log: Path) -> None:
    validate(run("leaks", str(probe_log), "--format", "json"), "leaks")
    gated = validate(run("leaks", str(probe_log), "--format", "json", "--fail-on", "8KiB"), "leaks")
    assert gated["gate"]["failed"], "the 48 KiB leak of the fixed log fails an 8 KiB gate"


def test_workers_advise_and_report_json_hold_to_their_schemas(probe_log: Path) -> None:
    validate(run("workers", str(probe_log), "--format", "json"), "workers")
    validate(run("advise", str(probe_log), "--memory", "1G", "--format", "json"), "advise")
    validate(run("report", str(probe_log), "--format", "json"), "report")


def test_slow_json_holds_to_its_schema(probe_log: Path) -> None:
    validate((GOLDEN / "slow_small.json").read_text(), "slow")
    validate(run("slow", str(probe_log), "--format", "json"), "slow")


def test_diff_json_holds_to_its_schema(probe_log: Path, tmp_path: Path) -> None:
    rng = random.Random(1)
    w = Worker(pid=7)
    for _ in range(300):
        w.request(rng.choice(["/", "/images/5/thumb"]), noise=noise(rng), zend_cache_after=2 * MiB)
    after = write(tmp_path / "after.log", w)
    data = validate(run("diff", str(probe_log), str(after), "--format", "json"), "diff")
    assert any(c["change"] == "stopped leaking" for c in data["changes"])


def test_top_and_check_json_hold_to_their_schemas() -> None:
    snap = json_render.document({"schema_version": SCHEMA_VERSION, **json_render.plain(sample_snapshot())})
    validate(snap, "top")
    validate(run("check", "--pool", str(ROOT / "tests" / "data" / "www.conf"), "--format", "json"), "check")
