"""HTML: one self-contained page from one packaged Jinja template (render/templates/report.html.j2).

Safety: autoescape is on for every value the template prints; the chart data is embedded
once, with `|tojson` (which escapes <, >, & and ' as \\u escapes), in a
<script type="application/json"> that the page parses with JSON.parse and shows with
textContent only. Text from the log also goes through `visible`, so bidi overrides, zero-width
and line-separator characters show as ⟨U+202E⟩ instead of reordering or hiding what is around
them. A Content-Security-Policy forbids every network fetch: the page works offline.

Charts are hand-written SVG in the template's inline script, no library: a few hundred lines
are enough for lines, markers, bars, hover and drag-to-zoom, nothing needs vendoring or a
licence notice, and the page stays small.
"""

from __future__ import annotations

import json
import unicodedata
from datetime import UTC, datetime
from functools import cache
from typing import Any

import jinja2

from fpmscope import __version__
from fpmscope.model import SCHEMA_VERSION
from fpmscope.model.full import FullReport
from fpmscope.render import RenderOptions
from fpmscope.render.terminal import duration
from fpmscope.units import size

# Unicode categories that change how surrounding text is shown, or hide: controls, format
# characters (bidi embeddings/overrides/isolates, zero-width), line and paragraph separators.
HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})


def visible(text: object) -> str:
    """Text from a log with invisible or reordering characters written out as ⟨U+XXXX⟩."""
    s = str(text)
    if s.isprintable():
        return s
    return "".join(f"⟨U+{ord(c):04X}⟩" if unicodedata.category(c) in HIDDEN_CATEGORIES else c for c in s)


def ms(value: float) -> str:
    if value >= 1000:
        return f"{value / 1000:.2f} s"
    if value >= 10:
        return f"{value:.0f} ms"
    return f"{value:.2f} ms"


def when(ts: float | None) -> str:
    if ts is None:
        return "-"
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("fpmscope.render", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(size=size, ms=ms, when=when, duration=duration, text=visible)
    # tojson: sorted keys are not needed, compact separators keep a big report small.
    env.policies["json.dumps_kwargs"] = {"sort_keys": False, "separators": (",", ":"), "allow_nan": False}
    return env


def chart_data(report: FullReport) -> dict[str, Any]:
    """What the page's script draws, in compact parallel arrays; text already made visible."""
    t = report.timelines
    latency = report.latency
    return {
        "timelines": {
            "endpoints": [visible(e) for e in t.endpoints],
            "workers": [
                {
                    "label": f"pid {w.pid} · {visible(w.host)}/{visible(w.pool)}",
                    "requests": w.requests,
                    "growth": w.anon_growth,
                    "seq": w.seq,
                    "ts": w.ts,
                    "endpoint": w.endpoint,
                    "anon": w.anon,
                    "shared": w.shared,
                    "suspect": w.suspect,
                    "floor": w.floor,
                }
                for w in t.workers
            ],
        },
        "footprint": [
            {"endpoint": visible(e.endpoint), "peak": e.peak_footprint_bytes, "median": e.median_footprint_bytes}
            for e in report.leaks.footprint_ranking
        ],
        "latency": {
            "edges_ms": latency.bin_edges_ms,
            "all": latency.histogram_all,
            "endpoints": [{"endpoint": visible(e.endpoint), "histogram": e.histogram} for e in latency.endpoints],
        },
    }


def render(report: FullReport, options: RenderOptions) -> str:
    data = chart_data(report)
    # Fail here, not in the browser, if a value cannot be JSON (NaN, infinity).
    json.dumps(data, allow_nan=False)
    return (
        environment()
        .get_template("report.html.j2")
        .render(
            report=report,
            leaks=report.leaks,
            inputs=report.leaks.inputs,
            data=data,
            slow=report.slow,
            workers=report.workers,
            advice=report.advice.advice if report.advice is not None else None,
            version=__version__,
            schema_version=SCHEMA_VERSION,
        )
    )
