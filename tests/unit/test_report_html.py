"""The HTML report as data: sections present, hostile log text inert, output small."""

from __future__ import annotations

import dataclasses
import json
import random
import re
from html.parser import HTMLParser
from pathlib import Path

from click.testing import CliRunner

from fpmscope import ingest
from fpmscope.analysis import full
from fpmscope.analysis.requests import LeakOptions, prepare
from fpmscope.analysis.slow import SlowOptions
from fpmscope.analysis.timelines import DEFAULT_TIMELINES, TimelineOptions
from fpmscope.cli import main
from fpmscope.model.full import FullReport
from fpmscope.pipeline import slow_report
from fpmscope.render import RenderOptions, full_html
from tests.synth import MiB, Worker, hostile_worker, noise, write, write_many

DATA = re.compile(r'<script type="application/json" id="fpmscope-data">(.*?)</script>', re.S)


def build(tmp_path: Path, *workers: Worker, options: TimelineOptions = DEFAULT_TIMELINES) -> FullReport:
    log = write(tmp_path / "probe.log", *workers)
    con = ingest.connect(None)
    return full.build(prepare(con, ingest.ingest(con, [str(log)]), LeakOptions()), timeline_options=options)


def leaky_worker(pid: int, n: int, seed: int = 1) -> Worker:
    rng = random.Random(seed)
    w = Worker(pid=pid)
    for _ in range(n):
        uri = rng.choice(["/", "/products/1", "/cart", "/export/pdf"])
        w.request(uri, keep=32 * 1024 if uri == "/export/pdf" else 0, noise=noise(rng))
    return w


def embedded(page: str) -> dict[str, object]:
    found = DATA.findall(page)
    assert len(found) == 1, "the data is embedded exactly once"
    data: dict[str, object] = json.loads(found[0])
    return data


class Tags(HTMLParser):
    """Every tag and attribute as a browser's tokenizer sees them; collects the dangerous ones."""

    def __init__(self) -> None:
        super().__init__()
        self.bad: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("img", "iframe", "object", "embed", "link", "base", "b", "form"):
            self.bad.append(tag)
        self.bad += [f"{tag} {name}" for name, _ in attrs if name.startswith("on") or name in ("src", "href")]


def assert_inert(page: str) -> None:
    # Only the template's own two scripts; no tag, handler or URL from the log.
    assert len(re.findall(r"<script", page, re.I)) == 2
    assert len(re.findall(r"</script", page, re.I)) == 2
    for tag in ("<img", "<svg onload", "<b>", "<i onmouseover", "<!--"):
        assert tag not in page.lower()
    assert re.findall(r"https?://[^\s\"']+", page) == ["http://www.w3.org/2000/svg"]
    tags = Tags()
    tags.feed(page)
    assert tags.bad == []
    for ch in ("\u2028", "\u2029", "\u202e", "\u2066", "\u200b"):
        assert ch not in page


def test_hostile_log_text_is_shown_as_text_only(tmp_path: Path) -> None:
    rep = build(tmp_path, leaky_worker(10, 300), hostile_worker(11, 1_700_000_000.0))
    page = full_html.render(rep, RenderOptions())
    assert_inert(page)
    assert "GET /x/&lt;/script&gt;&lt;script&gt;window.__xss=1&lt;/script&gt;" in page
    assert "/t/{{7*7}}/${7*7}/&lt;!--" in page  # not evaluated by Jinja
    assert "⟨U+202E⟩gnp.exe⟨U+202C⟩" in page
    endpoints = embedded(page)["timelines"]["endpoints"]  # type: ignore[index]
    assert "GET /u/line⟨U+2028⟩sep⟨U+2029⟩para" in endpoints
    assert "GET /x/</script><script>window.__xss=1</script>" in endpoints  # intact after JSON.parse
    assert "GET /x/</script><script>window.__xss=1</script>" in [e.endpoint for e in rep.leaks.suspects]


def test_raw_control_characters_never_reach_the_page(tmp_path: Path) -> None:
    # The probe escapes control bytes, but a renderer must not rely on it.
    rep = build(tmp_path, leaky_worker(10, 300))
    raw = "GET /a\n</script>\x1b[31m\x00\t\u2028\u202e'\"&"
    leaks = dataclasses.replace(
        rep.leaks, suspects=tuple(dataclasses.replace(e, endpoint=raw) for e in rep.leaks.suspects)
    )
    timelines = dataclasses.replace(rep.timelines, endpoints=(raw, *rep.timelines.endpoints))
    page = full_html.render(dataclasses.replace(rep, leaks=leaks, timelines=timelines, verdict=raw), RenderOptions())
    assert_inert(page)
    for ch in ("\x1b", "\x00", "\u2028", "\u202e"):
        assert ch not in page
    assert "⟨U+001B⟩[31m" in page
    assert embedded(page)["timelines"]["endpoints"][0].startswith("GET /a⟨U+000A⟩</script>")  # type: ignore[index]


def test_every_section_is_there_and_missing_ones_say_so(tmp_path: Path) -> None:
    rep = build(tmp_path, leaky_worker(10, 400), leaky_worker(11, 400, seed=2))
    page = full_html.render(rep, RenderOptions())
    assert re.search(r'<p class="verdict" id="verdict">GET /export/pdf leaks about 3[12]\.\d KiB per request', page)
    for section in ("suspects", "timelines", "endpoints", "footprint", "latency", "workers", "advice"):
        assert f'<section id="{section}">' in page
    assert "No access-log analysis in this report" in page
    assert 'id="workers-table"' in page and "GET /export/pdf" in page.split('id="workers"')[1]
    assert "it needs a memory budget" in page
    data = embedded(page)
    assert len(data["timelines"]["workers"]) == 2  # type: ignore[index]
    assert data["latency"]["all"] == list(rep.latency.histogram_all)  # type: ignore[index]


def test_access_log_and_budget_sections_render_as_text(tmp_path: Path) -> None:
    hostile = "/<img/src=x/onerror=alert(1)>"
    access = tmp_path / "access.log"
    access.write_text(
        "".join(
            f'127.0.0.1 - - [26/Nov/2026:10:00:{i % 60:02d} +0000] "GET {hostile if i % 3 else "/search"} HTTP/1.1" '
            f'200 12 "-" "curl" {0.3 if i % 3 == 0 else 0.002:.3f}\n'
            for i in range(90)
        )
    )
    log = write(tmp_path / "probe.log", leaky_worker(10, 300))
    con = ingest.connect(None)
    slow = slow_report((str(access),), None, SlowOptions())
    rep = full.build(prepare(con, ingest.ingest(con, [str(log)]), LeakOptions()), slow=slow, budget=(1 << 30, 1 << 28))
    page = full_html.render(rep, RenderOptions())
    assert "No access-log analysis" not in page and "it needs a memory budget" not in page
    slow_part = page.split('id="slow-table"')[1].split("</table>")[0]
    assert "GET /search" in slow_part
    assert "&lt;img/src=x/onerror=alert(1)&gt;" in slow_part
    assert "pm.max_children = " in page.split('id="advice"')[1]
    assert_inert(page)


def test_a_long_worker_is_downsampled_with_its_extremes_kept(tmp_path: Path) -> None:
    w = leaky_worker(10, 20_000)
    # A one-off spike at the start of a request after an ordinary one (so no verdict moves).
    at = next(i for i in range(12_345, 20_000) if "/export" not in w.records[i - 1].uri + w.records[i].uri)
    spike = w.records[at]
    w.records[at] = dataclasses.replace(spike, anon_start=(spike.anon_start or 0) + 500 * MiB)
    options = TimelineOptions(buckets=200, suspect_cap=300)
    rep = build(tmp_path, w, options=options)
    (t,) = rep.timelines.workers
    assert t.requests == 20_000
    assert len(t.seq) <= 3 * options.buckets + options.suspect_cap + 1
    assert max(t.anon) == t.anon_max == spike.anon_start + 500 * MiB  # type: ignore[operator]
    assert at + 1 in t.seq  # seq counts from 1
    assert t.seq[0] == 1 and t.seq[-1] == 20_000  # the climb's ends
    assert list(t.seq) == sorted(t.seq)
    assert 250 <= sum(1 for s in t.suspect if s) <= 400
    assert t.anon_growth > 100 * MiB


def test_cli_writes_html_and_json(tmp_path: Path) -> None:
    log = write(tmp_path / "probe.log", leaky_worker(10, 300))
    out = tmp_path / "report.html"
    runner = CliRunner()
    result = runner.invoke(main, ["report", str(log), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"Wrote {out}" in result.stderr
    assert out.read_text().startswith("<!DOCTYPE html>")
    again = runner.invoke(main, ["report", str(log), "-o", str(out)])
    assert again.exit_code == 2
    assert "use --force" in again.stderr
    result = runner.invoke(main, ["report", str(log), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["schema_version"] == 3
    assert data["leaks"]["suspects"][0]["endpoint"] == "GET /export/pdf"
    assert data["timelines"]["workers"][0]["requests"] == 300
    assert {"latency", "slow", "workers", "advice", "verdict"} <= data.keys()


def test_cli_rejects_bad_input_in_one_line(tmp_path: Path) -> None:
    empty = tmp_path / "empty.log"
    empty.write_text("garbage\n")
    runner = CliRunner()
    result = runner.invoke(main, ["report", str(empty), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 2
    assert "no probe records" in result.stderr
    log = write(tmp_path / "probe.log", leaky_worker(10, 50))
    result = runner.invoke(main, ["report", str(log), "--access-log", str(tmp_path / "nope.log")])
    assert result.exit_code == 2
    assert "no such access log" in result.stderr
    assert "Traceback" not in result.output


def test_a_big_log_gives_a_small_page(tmp_path: Path) -> None:
    # Size is bounded by workers shown x buckets and table rows, not by requests.
    log = write_many(tmp_path / "big.log", 200_000, workers=40)
    con = ingest.connect(None)
    rep = full.build(prepare(con, ingest.ingest(con, [str(log)]), LeakOptions(top=500)))
    assert [e.endpoint for e in rep.leaks.suspects] == ["GET /e0/{id}"]
    assert rep.timelines.workers_total == 40
    assert len(rep.timelines.workers) == DEFAULT_TIMELINES.max_workers
    page = full_html.render(rep, RenderOptions())
    assert len(page.encode()) < 1_000_000
    for w in rep.timelines.workers:
        assert w.requests == 5000
        assert len(w.seq) <= 3 * DEFAULT_TIMELINES.buckets + DEFAULT_TIMELINES.suspect_cap
        assert max(w.anon) == w.anon_max and w.anon[0] == w.anon_first  # extremes survive downsampling
        assert w.floor[-1] - w.floor[0] > 10 * MiB  # and the climb shows


def test_every_section_uses_the_grouping_asked_for(tmp_path: Path) -> None:
    log = write(tmp_path / "probe.log", leaky_worker(10, 400), leaky_worker(11, 400, seed=2))
    con = ingest.connect(None)
    rep = full.build(prepare(con, ingest.ingest(con, [str(log)]), LeakOptions(by="script")), budget=(1 << 30, 0))
    assert [s.endpoint for s in rep.leaks.suspects] == ["/srv/app/public/index.php"]
    causes = {e.endpoint for w in rep.workers.workers for e in w.top_endpoints}
    assert causes == {"/srv/app/public/index.php"}
