"""Every public log in tests/data/real-logs (SOURCES.md), read with no format given: the request
count and the top endpoint equal what a few lines of independent Python read from the file
(a hand-written regex or a split per file, never the parser under test)."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from fpmscope.cli import main

LOGS = Path(__file__).resolve().parents[1] / "data" / "real-logs"
REQ = r'"(?P<m>[A-Za-z]+) (?P<p>[^ ?"]*)[^"]*"'
HEAD = r"^\S+ - \S+ \[[^]]+\] " + REQ + r" \d{3} "
OTUS = r"^\S+ \S+  \S+ \[[^]]+\] " + REQ + r' \d{3} \d+ (?:"[^"]*" ){5}(?P<t>[\d.]+)$'
# Per file: a regex for the lines that are requests (method, path, time), or a reader.
TEXT = {
    "alp-combined_access.log": HEAD + r'\d+ "[^"]*" "[^"]*" "[^"]*" (?P<t>[\d.]+|-)$',
    "beats-nginx-ingress-controller-test.log": HEAD + r'\d+ "[^"]*" "[^"]*" \d+ (?P<t>[\d.]+) \[',
    "lnav-shop-combined-no-timing.log": HEAD + r'\d+ "[^"]*" "[^"]*" "[^"]*"$',
    "otus-braxiatel-nginx-access-ui.log-20180601": OTUS,
    "otus-braxiatel-plain-nginx-access-ui.log-20160630": OTUS,
    "otus-dexpiper-nginx-access-ui.log-20170630": OTUS,
    "rla-apache_combined.log": HEAD + r'\d+ "[^"]*" "[^"]*"$',
    "rla-sinatra-rack-duration.log": HEAD + r"\S+ (?P<t>[\d.]+)$",
}


def from_text(name: str) -> Iterator[tuple[str, str, float | None]]:
    rx = re.compile(TEXT[name])
    for line in (LOGS / name).read_text(encoding="utf-8").splitlines():
        if m := rx.match(line):
            t = m.groupdict().get("t")
            yield m["m"], m["p"], float(t) if t not in (None, "-") else None


def from_json(name: str) -> Iterator[tuple[str, str, float | None]]:
    for line in (LOGS / name).read_text().splitlines():
        obj = json.loads(line)
        t = obj["response_time"] if obj["response_time"] != "-" else obj.get("request_time")
        yield obj["method"], obj["uri"].split("?")[0], t


def from_ltsv(name: str) -> Iterator[tuple[str, str, float | None]]:
    for line in (LOGS / name).read_text().splitlines():
        kv = dict(part.split(":", 1) for part in line.split("\t"))
        t = kv["apptime"] if kv["apptime"] != "-" else kv.get("reqtime", "-")
        yield kv["method"], kv["uri"].split("?")[0], float(t) if t != "-" else None


def from_w3c(name: str) -> Iterator[tuple[str, str, float | None]]:
    fields: list[str] = []
    for line in (LOGS / name).read_text().splitlines():
        if line.startswith("#Fields:"):
            fields = line.split()[1:]
        elif not line.startswith("#"):
            row = dict(zip(fields, line.split(), strict=True))
            yield row["cs-method"], row["cs-uri-stem"], int(row["time-taken"]) / 1000


def expected(requests: list[tuple[str, str, float | None]]) -> tuple[int, str, bool]:
    """Request count, the endpoint first by total time (by count without times), timed or not."""
    totals: dict[str, float] = defaultdict(float)
    counts: Counter[str] = Counter()
    for method, path, t in requests:
        key = f"{method} {re.sub(r'/[0-9]+(?=/|$)', '/{id}', path)}"
        counts[key] += 1
        totals[key] += t or 0.0
    timed = sum(t is not None for _, _, t in requests) * 2 > len(requests)
    ranking = totals if timed else counts
    return len(requests), max(ranking, key=lambda k: (ranking[k], counts[k])), timed


def slow(path: Path) -> dict[str, Any]:
    # The expected top endpoint is counted here path by path; inferred templates (which merge
    # the shop's /filter/... pages into one route, tested in test_slow_real_logs) are off.
    result = CliRunner().invoke(main, ["slow", str(path), "--format", "json", "--top", "3", "--infer-min", "0"])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


READERS = {
    **dict.fromkeys(TEXT, from_text),
    "alp-json_access.log": from_json,
    "alp-ltsv_access.log": from_ltsv,
    "lnav-iis-w3c-big-time-taken.log": from_w3c,
}


def test_every_real_log_has_a_reader_here() -> None:
    on_disk = {p.name for p in LOGS.iterdir() if p.name != "SOURCES.md"}
    assert on_disk == set(READERS)


@pytest.mark.parametrize("name", sorted(READERS))
def test_real_log_detected_with_its_count_and_top_endpoint(name: str) -> None:
    count, top, timed = expected(list(READERS[name](name)))
    data = slow(LOGS / name)
    assert data["inputs"]["requests"] == count
    assert data["endpoints"][0]["endpoint"] == top
    assert data["time_available"] is timed
    assert data["sort"] == ("total" if timed else "count")
    lines = [ln for ln in (LOGS / name).read_text().splitlines() if ln.strip() and not ln.startswith("#")]
    assert data["inputs"]["skipped_lines"] == len(lines) - count
    if not timed:  # never a ranking by a time the log does not have, and it says why
        assert "request time" in data["warning"] and data["inputs"]["time_column"] is None
