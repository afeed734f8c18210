"""Open a report in Debian's headless Chromium through Playwright (never a downloaded browser).

Chromium gets flags that keep it off the network: the test machines have no internet, and
without them it stalls on background fetches.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass
class Opened:
    page: Page
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


@contextmanager
def open_report(path: Path, width: int = 1280, height: int = 900) -> Iterator[Opened]:
    """The report loaded in a fresh profile; console errors, page errors and every request
    the page made are collected."""
    with tempfile.TemporaryDirectory(prefix="fpmscope-chromium-") as profile, sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=FLAGS,
            viewport={"width": width, "height": height},
        )
        try:
            page = context.new_page()
            opened = Opened(page)
            page.on("console", lambda m: opened.errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: opened.errors.append(str(e)))
            page.on("request", lambda r: opened.requests.append(r.url))
            page.goto(path.resolve().as_uri(), wait_until="load")
            yield opened
        finally:
            context.close()
