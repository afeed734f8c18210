"""The planted faults of the bundled shop, found from outside by the real probe on a real
php-fpm behind a real nginx."""

from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner

from fpmscope.cli import main
from fpmscope.records import FORMAT_TAG, RECORD_FIELDS
from tests.conftest import E2E_REQUESTS, DemoRun

KiB = 1024
REQUIRED_KEYS = {"endpoint", "requests", "retained_bytes_per_request", "retained_bytes_total", "kind", "reason"}


def leaks_json(run: DemoRun) -> dict[str, object]:
    result = CliRunner().invoke(main, ["leaks", str(run.probe_log), "--format", "json"])
    assert result.exit_code == 0, result.output
    data: dict[str, object] = json.loads(result.stdout)
    return data


def test_every_request_is_served_and_logged_once(demo_run: DemoRun) -> None:
    assert {r.status for r in demo_run.responses} == {200}
    lines = demo_run.probe_log.read_text().splitlines()
    assert len(lines) == E2E_REQUESTS
    for line in lines:
        fields = line.split("\t")
        assert fields[0] == FORMAT_TAG
        assert len(fields) == 1 + len(RECORD_FIELDS)


def test_responses_are_untouched_by_the_probe(demo_run: DemoRun) -> None:
    for r in demo_run.responses:
        assert b"fpmscope" not in r.body.lower()
        assert b"Warning" not in r.body and b"Notice" not in r.body
    errors = demo_run.root / "servers" / "php-errors.log"
    assert not errors.exists() or errors.read_text() == ""


def test_planted_native_leaks_rank_first_with_their_size(demo_run: DemoRun) -> None:
    data = leaks_json(demo_run)
    suspects = data["suspects"]
    assert isinstance(suspects, list)
    assert [s["endpoint"] for s in suspects] == ["GET /images/{id}/thumbnail", "GET /orders/{id}/invoice"]
    big, small = suspects
    assert abs(big["retained_bytes_per_request"] - 64 * KiB) <= 0.25 * 64 * KiB
    assert abs(small["retained_bytes_per_request"] - 16 * KiB) <= 0.25 * 16 * KiB
    assert big["kind"] == small["kind"] == "native"


def test_big_array_is_peak_only_and_ordinary_routes_are_not_suspects(demo_run: DemoRun) -> None:
    data = leaks_json(demo_run)
    endpoints = {e["endpoint"]: e for e in data["endpoints"]}  # type: ignore[attr-defined]
    export = endpoints["GET /reports/export"]
    assert not export["suspect"]
    assert export["retained_bytes_per_request"] < 16 * KiB
    assert data["footprint_ranking"][0]["endpoint"] == "GET /reports/export"  # type: ignore[index]
    assert export["peak_footprint_bytes"] > 20 * 1024 * KiB
    leaks = {"GET /images/{id}/thumbnail", "GET /orders/{id}/invoice"}
    assert {e for e, v in endpoints.items() if v["suspect"]} == leaks
    assert "GET /legacy/status.php" in endpoints  # old-style per-file scripts are endpoints too


def test_json_carries_the_documented_contract(demo_run: DemoRun) -> None:
    data = leaks_json(demo_run)
    assert data["schema_version"] == 3
    for item in [*data["suspects"], *data["endpoints"]]:  # type: ignore[misc]
        assert set(item) >= REQUIRED_KEYS
        assert item["kind"] in {"native", "zend", "shared", "none"}


def test_by_script_groups_front_controller_requests(demo_run: DemoRun) -> None:
    result = CliRunner().invoke(main, ["leaks", str(demo_run.probe_log), "--by", "script", "--format", "json"])
    assert result.exit_code == 0
    names = {e["endpoint"] for e in json.loads(result.stdout)["endpoints"]}
    assert any(n.endswith("/www/index.php") for n in names)
    assert any(n.endswith("/legacy/status.php") for n in names)


def test_table_names_the_leaks_and_explains_the_big_array(demo_run: DemoRun) -> None:
    result = CliRunner().invoke(main, ["leaks", str(demo_run.probe_log)])
    assert result.exit_code == 0
    out = result.stdout
    assert out.splitlines()[0].startswith("GET /images/{id}/thumbnail leaks about")
    assert "GET /reports/export" in out.split("Not leaks, and why")[1]


def test_demo_command_runs_and_reports(tmp_path: object) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "fpmscope", "demo", "--requests", "600"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "GET /images/{id}/thumbnail" in proc.stdout
    assert "planted faults" in proc.stderr
