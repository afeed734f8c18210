"""However many endpoints a log has, the leak table and JSON list the first --top and one
`(N other endpoints)` row with their totals; inferred templates are listed."""

from __future__ import annotations

import json
import random
from pathlib import Path

from click.testing import CliRunner

from fpmscope.cli import main
from tests.synth import Worker, noise, write

LEAK = 32 * 1024


def many_endpoints_log(tmp_path: Path) -> Path:
    """300 script endpoints, a blog of 120 slugs and one leaking `?action=`."""
    rng = random.Random(5)
    uris = [f"/page{chr(97 + i % 26)}{chr(97 + i // 26 % 26)}.php" for i in range(300)]
    slugs = [
        f"/blog/{rng.choice(['tuning', 'memory', 'pools'])}-notes-{chr(97 + i % 26)}{chr(97 + i // 26)}"
        for i in range(120)
    ]
    workers = []
    for pid in (21, 22, 23):
        w = Worker(pid=pid)
        for _ in range(900):
            uri = "/index.php?action=export&token=x" if rng.random() < 0.05 else rng.choice([*uris, *slugs])
            w.request(uri, keep=LEAK if "export" in uri else 0, noise=noise(rng))
        workers.append(w)
    return write(tmp_path / "probe.log", *workers)


def leaks(*args: str) -> str:
    result = CliRunner().invoke(main, ["leaks", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_top_n_and_one_row_for_the_others(tmp_path: Path) -> None:
    log = many_endpoints_log(tmp_path)
    full = json.loads(leaks(str(log), "--format", "json"))
    top = json.loads(leaks(str(log), "--format", "json", "--top", "5"))
    assert full["others"] is None and len(full["endpoints"]) == full["endpoint_count"]
    assert len(top["endpoints"]) == 5
    others = top["others"]
    assert others["endpoints"] == full["endpoint_count"] - 5
    assert sum(e["requests"] for e in top["endpoints"]) + others["requests"] == sum(
        e["requests"] for e in full["endpoints"]
    )
    shown = {e["endpoint"] for e in top["endpoints"]}
    rest = [e for e in full["endpoints"] if e["endpoint"] not in shown]
    assert others["retained_bytes_total"] == sum(e["retained_bytes_total"] for e in rest)
    assert top["endpoints"][0]["endpoint"] == "GET /index.php?action=export"


def test_the_table_ends_with_the_others_and_the_inferred_templates(tmp_path: Path) -> None:
    out = leaks(str(many_endpoints_log(tmp_path)), "--top", "10")
    assert "(292 other endpoints)" in out
    assert "Inferred templates" in out
    assert "/blog/{slug} from 120 distinct values" in out


def test_csv_ends_with_the_others_row(tmp_path: Path) -> None:
    lines = leaks(str(many_endpoints_log(tmp_path)), "--format", "csv", "--top", "3").splitlines()
    assert len(lines) == 1 + 3 + 1
    assert lines[-1].startswith("(299 other endpoints),")
