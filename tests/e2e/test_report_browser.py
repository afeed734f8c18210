"""`fpmscope report` on logs from the real servers, opened in a real headless Chromium.

The probe log gets a worker appended whose host, pool and URIs are an XSS corpus; nothing of
it may run (window.__xss stays unset) and all of it must read as text. The page is saved as
artifacts/report.png (git-ignored) for a person to look at.
"""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from fpmscope.cli import main
from fpmscope.records import RECORD_FIELDS
from tests.browser import Opened, open_report
from tests.conftest import DemoRun
from tests.synth import hostile_worker

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
THUMBNAIL = "GET /images/{id}/thumbnail"


def thumbnails_by_pid(run: DemoRun) -> dict[int, int]:
    """GET /images/{id}/thumbnail requests per worker pid, read from the raw probe lines."""
    at = {name: i + 1 for i, (name, _) in enumerate(RECORD_FIELDS)}  # after the format tag
    counts: dict[int, int] = {}
    for line in run.probe_log.read_text().splitlines():
        fields = line.split("\t")
        if re.fullmatch(r"/images/\d+/thumbnail", fields[at["uri"]]):
            pid = int(fields[at["pid"]])
            counts[pid] = counts.get(pid, 0) + 1
    return counts


def write_report(run: DemoRun, out: Path) -> Path:
    log = out.parent / "probe-with-xss.log"
    real = run.probe_log.read_text()
    first_ts = float(real.split("\t", 6)[5])
    hostile = hostile_worker(pid=99_999, ts=first_ts)
    log.write_text(real + "".join(r.to_line() for r in hostile.records))
    result = CliRunner().invoke(main, ["report", str(log), "--access-log", str(run.access_log), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def column(o: Opened, table: str, col: int) -> list[str]:
    values: list[str] = o.page.eval_on_selector_all(
        f"#{table} tbody tr:not([hidden])", f"rows => rows.map(r => r.cells[{col}].dataset.v)"
    )
    return values


def test_report_opens_sorts_and_draws_in_chromium(demo_run: DemoRun, tmp_path: Path) -> None:
    out = write_report(demo_run, tmp_path / "report.html")
    page_text = out.read_text()
    assert re.findall(r"https?://[^\s\"'<]+", page_text) == ["http://www.w3.org/2000/svg"]
    with open_report(out) as o:
        page = o.page
        # The answer first: the verdict, the summary and the endpoint table are on the first
        # screen (1280 × 900) as the page opens; the worker charts come after.
        for selector in ("#verdict", "#summary", "#endpoint-table"):
            top = page.eval_on_selector(selector, "e => e.getBoundingClientRect().top")
            assert top < 900 - 100, (selector, top)
        assert page.eval_on_selector("#timelines", "e => e.getBoundingClientRect().top") > 900
        assert "leak suspects" in page.locator("#summary").inner_text()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "report-first-screen.png"))
        # Charts beyond the first three are collapsed; open them to check them too.
        assert page.locator("#timeline-charts svg.chart").count() == 3
        page.eval_on_selector("#more-timelines", "d => { d.open = true; }")
        # Every chart drew something: 5 workers (4 real, 1 hostile), footprint, latency.
        drawn = page.eval_on_selector_all(
            "svg.chart", "els => els.map(e => [Number(e.dataset.drawn || 0), e.getBoundingClientRect().height])"
        )
        assert len(drawn) == 5 + 2
        assert all(n > 0 and h > 50 for n, h in drawn), drawn

        # The planted leak: each real worker's kept-for-good line climbs, and the thumbnail
        # requests (suspect #1) are marked along it.
        assert page.locator("#suspects li").first.inner_text().startswith(THUMBNAIL)
        climbs = page.eval_on_selector_all(
            "#timelines svg.chart",
            """els => els.map(e => {
                const marks = e.querySelectorAll('circle.mark.s1').length;
                const y = e.querySelector('path.floor').getAttribute('d').match(/[0-9.]+(?=L|$)/g).map(Number);
                return [e.getAttribute('aria-label'), marks, y[0] - y[y.length - 1]];
            })""",
        )
        real = [c for c in climbs if "web" not in c[0]]
        assert len(real) == 4
        served = thumbnails_by_pid(demo_run)
        for label, marks, rise in real:
            # FPM hands requests out unevenly: judge each worker by what it served. Its first
            # thumbnail is warm-up, its last request may have no successor.
            pid = int(re.search(r"pid (\d+)", label).group(1))  # type: ignore[union-attr]
            assert marks >= served[pid] - 2 and served[pid] >= 10, (label, marks, served[pid])
            assert rise > 25, (label, rise)  # SVG y grows downwards

        # The whole page, for a person to look at.
        shot = ARTIFACTS / "report.png"
        page.screenshot(path=str(shot), full_page=True)
        print(f"screenshot: {shot}")

        # Clicking a header sorts; clicking again reverses; the filter hides rows.
        page.click("#endpoint-table th:nth-child(2) button")
        requests = [int(v) for v in column(o, "endpoint-table", 1)]
        assert requests == sorted(requests, reverse=True) and requests[0] > requests[-1]
        page.click("#endpoint-table th:nth-child(2) button")
        assert [int(v) for v in column(o, "endpoint-table", 1)] == sorted(requests)
        page.click("#endpoint-table th:nth-child(1) button")
        names = column(o, "endpoint-table", 0)
        assert names == sorted(names)
        page.fill("#endpoint-filter", "thumbnail")
        assert column(o, "endpoint-table", 0) == [THUMBNAIL]
        page.fill("#endpoint-filter", "")
        page.click("#latency-table th:nth-child(4) button")
        p95 = [float(v) for v in column(o, "latency-table", 3)]
        assert p95 == sorted(p95, reverse=True)

        # Hover shows a request; drag zooms in; double-click resets.
        chart = page.locator("#timeline-charts svg.chart").first
        chart.scroll_into_view_if_needed()
        box = chart.bounding_box()
        assert box is not None
        mid_y = box["y"] + box["height"] / 2
        page.mouse.move(box["x"] + box["width"] * 0.6, mid_y)
        tip = page.locator("#timeline-charts .tip").first
        assert tip.is_visible()
        assert re.search(r"request #\d+.*\n.*UTC\n(GET|POST) /.*\nanon .*shared", tip.inner_text(), re.S)
        before = int(chart.get_attribute("data-drawn") or 0)
        page.mouse.move(box["x"] + box["width"] * 0.3, mid_y)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] * 0.5, mid_y, steps=5)
        page.mouse.up()
        zoomed = int(chart.get_attribute("data-drawn") or 0)
        assert 0 < zoomed < before
        chart.dblclick()
        assert int(chart.get_attribute("data-drawn") or 0) == before

        # The histogram follows the endpoint picked.
        page.select_option("#latency-select", index=1)
        assert int(page.get_attribute("#latency-chart", "data-drawn") or 0) > 0

        # The XSS corpus is text: shown, never run, no element made from it.
        for c in page.locator("#timeline-charts svg.chart").all():
            c.hover()
        page.locator("#endpoint-table tbody tr").last.hover()
        assert page.evaluate("() => window.__xss") is None
        assert page.locator("img, iframe, b, script:not([id='fpmscope-data'])").count() == 1  # the page's own script
        table_text = page.locator("#endpoint-table").inner_text()
        assert '<img src=x onerror="window.__xss=2">' in table_text
        assert "⟨U+202E⟩gnp.exe" in table_text

        assert o.errors == []
        assert o.requests == [out.resolve().as_uri()]
