"""Synthetic logs in every common format, written here from random requests: read with no format
given, each is detected, every line counted, and the endpoint known to be slowest comes first
with its total time in the right unit."""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from fpmscope.cli import main

LINES = 300
SLOW = "/reports/{id}/export"


@dataclass(frozen=True)
class Req:
    method: str
    path: str  # raw, ids filled in
    endpoint: str  # method + template, as fpmscope names it
    query: str
    status: int
    size: int
    seconds: float
    upstream: tuple[float, ...]
    at: dt.datetime
    agent: str


ROUTES = (("GET", "/"), ("GET", "/products/{id}"), ("POST", "/cart/add"), ("GET", "/search"), ("GET", SLOW))


def requests(seed: int, whole_seconds: bool = False) -> list[Req]:
    """The slow route takes 0.5-2 s, the others 1-60 ms; with `whole_seconds` (Apache %T) the
    others take 0 s and the slow one 1-3 s."""
    rnd = random.Random(seed)
    out = []
    t0 = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)
    for i in range(LINES):
        method, template = ROUTES[i % len(ROUTES)] if i < 10 else rnd.choice(ROUTES)
        slow = template == SLOW
        if whole_seconds:
            seconds = float(rnd.randint(1, 3)) if slow else 0.0
        else:
            seconds = round(rnd.uniform(0.5, 2.0) if slow else rnd.uniform(0.001, 0.06), 3)
        upstream = (round(seconds * 0.9, 3),) if rnd.random() < 0.8 else (0.001, round(seconds * 0.8, 3))
        out.append(
            Req(
                method=method,
                path=template.replace("{id}", str(rnd.randint(1, 99999))),
                endpoint=f"{method} {template}",
                query=rnd.choice(("", "", "q=shoes&page=2", "utm_source=x")),
                status=rnd.choice((200, 200, 200, 304, 404, 500)),
                size=rnd.randint(0, 90000),
                seconds=seconds,
                upstream=upstream,
                at=t0 + dt.timedelta(seconds=i),
                agent=rnd.choice(("curl/8.4.0", "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0", "-")),
            )
        )
    return out


def clf_time(r: Req) -> str:
    return r.at.strftime("%d/%b/%Y:%H:%M:%S +0000")


def uri(r: Req) -> str:
    return r.path + ("?" + r.query if r.query else "")


def combined(r: Req) -> str:
    return (
        f'10.0.0.{r.size % 250} - - [{clf_time(r)}] "{r.method} {uri(r)} HTTP/1.1" {r.status} {r.size} "-" "{r.agent}"'
    )


def multi(values: tuple[float, ...]) -> str:
    return ", ".join(f"{v:.3f}" for v in values)


def w3c(reqs: list[Req]) -> str:
    head = (
        "#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n#Date: 2024-05-01 12:00:00\n"
        "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent)"
        " sc-status sc-substatus sc-win32-status time-taken\n"
    )
    rows = [
        f"{r.at:%Y-%m-%d %H:%M:%S} 10.1.1.1 {r.method} {r.path} {r.query or '-'} 443 - 10.0.0.9"
        f" {r.agent.replace(' ', '+')} {r.status} 0 0 {round(r.seconds * 1000)}"
        for r in reqs
    ]
    return head + "\n".join(rows) + "\n"


LineWriter = Callable[[Req], str]
# name -> (writer of one line, the detected format's name, whole seconds)
FORMATS: dict[str, tuple[LineWriter, str, bool]] = {
    "nginx main + $request_time": (lambda r: combined(r) + f' "-" {r.seconds:.3f}', "main_timed", False),
    "combined + xff + request and upstream times": (
        lambda r: combined(r) + f' "10.9.9.9" {r.seconds:.3f} {multi(r.upstream)}',
        "main_timed_upstream",
        False,
    ),
    "combined + $request_time": (lambda r: combined(r) + f" {r.seconds:.3f}", "timed", False),
    "combined + request and upstream time": (
        lambda r: combined(r) + f" {r.seconds:.3f} {multi(r.upstream)}",
        "timed_upstream",
        False,
    ),
    "combined + times + $request_id": (
        lambda r: combined(r) + f" {r.seconds:.3f} {multi(r.upstream)} {r.size:032x}",
        "timed_upstream_id",
        False,
    ),
    "nginx upstream_time (rt= uct= uht= urt=)": (
        lambda r: combined(r) + f' rt={r.seconds:.3f} uct="0.000" uht="{multi(r.upstream)}" urt="{multi(r.upstream)}"',
        "upstream_time",
        False,
    ),
    "ingress-nginx": (
        lambda r: (
            combined(r) + f" 420 {r.seconds:.3f} [default-shop-80] [] 10.2.0.7:8080, 10.2.0.8:8080"
            f" {r.size}, {r.size} {multi(r.upstream)} 200, {r.status} {r.size:032x}"
        ),
        "ingress_nginx",
        False,
    ),
    "Apache combined + %D": (lambda r: combined(r) + f" {round(r.seconds * 1e6)}", "apache_combined_us", False),
    "Apache combined + %{us}T": (lambda r: combined(r) + f" {round(r.seconds * 1e6)}", "apache_combined_us", False),
    "Apache combined + %{ms}T": (lambda r: combined(r) + f" {round(r.seconds * 1e3)}", "apache_combined_ms", False),
    "Apache combined + %T": (lambda r: combined(r) + f" {round(r.seconds)}", "apache_combined_s", True),
    "Apache common + %D": (
        lambda r: combined(r).rsplit(' "-" ', 1)[0] + f" {round(r.seconds * 1e6)}",
        "apache_common_us",
        False,
    ),
    "Apache vhost_combined + %D": (
        lambda r: f"shop.example:443 {combined(r)} {round(r.seconds * 1e6)}",
        "vhost_combined_us",
        False,
    ),
    "LTSV": (
        lambda r: (
            f"time:{clf_time(r)}\thost:10.0.0.1\tmethod:{r.method}\turi:{uri(r)}\tstatus:{r.status}"
            f"\tsize:{r.size}\treqtime:{r.seconds:.3f}\tapptime:{r.upstream[-1]:.3f}\tua:{r.agent}"
        ),
        "ltsv",
        False,
    ),
    "JSON with its own key names": (
        lambda r: json.dumps(
            {
                "when": r.at.isoformat(),
                "verb": r.method,
                "target": uri(r),
                "code": r.status,
                "elapsed_ms": round(r.seconds * 1000, 3),
                "agent": r.agent,
            }
        ),
        "json",
        False,
    ),
    "Caddy JSON": (
        lambda r: json.dumps(
            {
                "level": "info",
                "ts": r.at.timestamp(),
                "logger": "http.log.access",
                "msg": "handled request",
                "request": {"remote_ip": "10.0.0.1", "proto": "HTTP/2.0", "method": r.method, "uri": uri(r)},
                "bytes_read": 0,
                "duration": r.seconds,
                "size": r.size,
                "status": r.status,
            }
        ),
        "json",
        False,
    ),
    "Traefik JSON": (
        lambda r: json.dumps(
            {
                "ClientHost": "10.0.0.1",
                "DownstreamContentSize": r.size,
                "DownstreamStatus": r.status,
                "Duration": round(r.seconds * 1e9),
                "OriginDuration": round(r.upstream[-1] * 1e9),
                "RequestMethod": r.method,
                "RequestPath": uri(r),
                "RequestProtocol": "HTTP/1.1",
                "StartUTC": r.at.isoformat(),
                "level": "info",
                "time": r.at.isoformat(),
            }
        ),
        "json",
        False,
    ),
}


def slow(path: Path, *args: str) -> dict[str, Any]:
    result = CliRunner().invoke(main, ["slow", str(path), "--format", "json", "--top", "5", *args])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def truth(reqs: list[Req]) -> tuple[str, float]:
    totals: dict[str, float] = {}
    for r in reqs:
        totals[r.endpoint] = totals.get(r.endpoint, 0.0) + r.seconds
    top = max(totals, key=lambda k: totals[k])
    return top, totals[top]


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_format_is_detected_and_the_slowest_endpoint_comes_first(name: str, tmp_path: Path) -> None:
    write, detected, whole = FORMATS[name]
    reqs = requests(seed=len(name), whole_seconds=whole)
    log = tmp_path / "access.log"
    log.write_text("".join(write(r) + "\n" for r in reqs), encoding="utf-8")
    data = slow(log)
    assert data["inputs"]["format_name"] == detected
    assert (data["inputs"]["requests"], data["inputs"]["skipped_lines"]) == (LINES, 0)
    assert data["format_confidence"] == 1.0 and data["skipped_share"] == 0 and data["time_available"]
    top, total = truth(reqs)
    assert top == f"GET {SLOW}"
    first = data["endpoints"][0]
    assert first["endpoint"] == top
    assert first["total_s"] == pytest.approx(total, abs=0.002 * first["count"])
    assert data["warning"] is None


def test_iis_w3c_log_is_read_by_its_fields_line(tmp_path: Path) -> None:
    reqs = requests(seed=3)
    log = tmp_path / "u_ex240501.log"
    log.write_text(w3c(reqs))
    data = slow(log)
    assert data["inputs"]["format_name"] == "w3c"
    assert (data["inputs"]["requests"], data["inputs"]["skipped_lines"]) == (LINES, 0)
    top, total = truth(reqs)
    assert data["endpoints"][0]["endpoint"] == top
    assert data["endpoints"][0]["total_s"] == pytest.approx(total, abs=0.001 * LINES)
    assert data["inputs"]["first_time"] == "2024-05-01T12:00:00+00:00"


def test_nginx_main_without_times_ranks_by_count_and_says_why(tmp_path: Path) -> None:
    reqs = requests(seed=5)
    log = tmp_path / "access.log"
    log.write_text("".join(combined(r) + ' "-"\n' for r in reqs))
    data = slow(log)
    assert data["inputs"]["format_name"] == "main"
    assert data["inputs"]["requests"] == LINES
    assert (data["sort"], data["time_available"], data["inputs"]["time_column"]) == ("count", False, None)
    assert "ranked by count, not total" in data["warning"] and "no request time" in data["warning"]
    counts: dict[str, int] = {}
    for r in reqs:
        counts[r.endpoint] = counts.get(r.endpoint, 0) + 1
    assert data["endpoints"][0]["count"] == max(counts.values())
    table = CliRunner().invoke(main, ["slow", str(log)])
    assert table.stdout.splitlines()[0].startswith("warning: ranked by count, not total")


def test_a_time_column_mostly_empty_is_not_ranked_by(tmp_path: Path) -> None:
    reqs = requests(seed=6)
    log = tmp_path / "access.log"
    lines = [combined(r) + (f" {r.seconds:.3f}" if i % 4 == 0 else " -") for i, r in enumerate(reqs)]
    log.write_text("\n".join(lines) + "\n")
    data = slow(log)
    assert data["inputs"]["format_name"] == "timed"
    assert (data["sort"], data["time_available"]) == ("count", False)
    assert f"only {LINES // 4} of {LINES} requests carry a request time" in data["warning"]


def test_a_log_half_in_another_format_says_so_first(tmp_path: Path) -> None:
    reqs = requests(seed=7)
    lines = [combined(r) + (f" {r.seconds:.3f}" if i % 2 else "") for i, r in enumerate(reqs)]
    (tmp_path / "mixed.log").write_text("\n".join(lines) + "\n")
    data = slow(tmp_path / "mixed.log")
    assert data["format_confidence"] == 0.5
    assert data["skipped_share"] == 0.5
    assert data["warning"].startswith("warning: format ")
    assert "50.0% of the lines were skipped" in data["warning"]


def test_query_string_is_kept_in_the_request_line(tmp_path: Path) -> None:
    """Endpoint rules that route by a query parameter (?action=) can still read it."""
    from fpmscope.accesslog import ingest
    from fpmscope.accesslog.files import Input

    log = tmp_path / "a.log"
    reqs = requests(seed=8)
    log.write_text("".join(combined(r) + f" {r.seconds:.3f}\n" for r in reqs))
    con = ingest.connect()
    ingest.ingest(con, [Input("a.log", log)], None)
    rows = con.execute("SELECT request FROM hits ORDER BY rowid").fetchall()
    assert rows == [(f"{r.method} {uri(r)} HTTP/1.1",) for r in reqs]
    w3c_log = tmp_path / "w3c.log"
    w3c_log.write_text(w3c(reqs))
    con = ingest.connect()
    ingest.ingest(con, [Input("w3c.log", w3c_log)], None)
    assert con.execute("SELECT request FROM hits ORDER BY rowid").fetchall() == [
        (f"{r.method} {uri(r)}",) for r in reqs
    ]
