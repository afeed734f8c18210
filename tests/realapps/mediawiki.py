"""Debian's MediaWiki (/usr/share/mediawiki, as shipped) on SQLite, installed into a temp dir.

Nothing under /usr/share or /etc is written: the installer's LocalSettings.php goes to the
run's directory and php-fpm is pointed at it with MW_CONFIG_FILE (MediaWiki reads that
environment variable when LocalSettings.php is absent)."""

from __future__ import annotations

import os
import random
import subprocess
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tests.realapps.driver import Request, form

MW_ROOT = Path("/usr/share/mediawiki")
PLANT = Path(__file__).parent / "plants" / "FpmscopeLeak" / "extension.json"
ADMIN = ("Admin", "Fpmscope-admin-2026")
# The planted extension leaks on every run of this special page, reached at this path.
LEAK_PATH = "/wiki/Special:RecentChanges"
LEAK_ENDPOINT = f"GET {LEAK_PATH}"

WORDS = (
    "memory", "worker", "request", "pool", "process", "native", "heap", "arena", "page", "cache", "socket",
    "upstream", "latency", "kernel", "opcache", "include", "session", "cookie", "header", "router",
    "template", "parser", "revision", "category", "history", "search", "feed", "module", "loader", "skin",
    "script", "style", "token", "edit", "summary", "archive", "index",
)  # fmt: skip
TOPICS = [
    "Apple", "Banana", "Cherry", "Damson", "Elderberry", "Fig", "Grape", "Hazelnut", "Kiwi", "Lemon",
    "Mango", "Nectarine", "Olive", "Papaya", "Quince", "Raspberry", "Strawberry", "Tangerine", "Ugli fruit",
    "Vanilla", "Walnut", "Yuzu", "Zucchini", "Almond", "Blueberry", "Coconut", "Date palm", "Guava",
    "Lime", "Pear",
]  # fmt: skip


@dataclass(frozen=True)
class Site:
    root: Path
    settings: Path
    titles: tuple[str, ...]
    leak_bytes: int | None

    def env(self) -> dict[str, str]:
        return {"MW_CONFIG_FILE": str(self.settings)}


def _php(site_env: Mapping[str, str], *args: str) -> None:
    env = {**os.environ, **site_env}
    subprocess.run(["php", *args], cwd=MW_ROOT, env=env, check=True, capture_output=True)


def _settings(root: Path, generated: Path, leak_bytes: int | None) -> str:
    leak = ""
    if leak_bytes is not None:
        leak = f"wfLoadExtension( 'FpmscopeLeak', '{PLANT}' );\n$wgFpmscopeLeakBytes = {leak_bytes};\n"
    return f"""<?php
// fpmscope real-application run: the installer's settings, then what a site owner changes.
require '{generated}';
// The port is chosen at start: take the server name from the request.
$wgServer = isset( $_SERVER['HTTP_HOST'] ) ? 'http://' . $_SERVER['HTTP_HOST'] : 'http://127.0.0.1';
$wgArticlePath = '/wiki/$1';
$wgCacheDirectory = '{root / "cache"}';
$wgUploadDirectory = '{root / "images"}';
$wgMainCacheType = CACHE_DB;
// Test traffic edits from one address faster than the default anonymous rate limit allows.
$wgGroupPermissions['*']['noratelimit'] = true;
$wgGroupPermissions['*']['edit'] = true;
$wgShowExceptionDetails = true;
{leak}"""


def install(root: Path, leak_bytes: int | None = None, pages: int = 30) -> Site:
    """Install the wiki into SQLite under `root` and import `pages` interlinked pages."""
    conf, data = root / "conf", root / "data"
    for d in (conf, data, root / "cache", root / "images", root / "pages"):
        d.mkdir(parents=True, exist_ok=True)
    _php(
        {},
        "maintenance/install.php",
        "--dbtype=sqlite",
        f"--dbpath={data}",
        "--dbname=wiki",
        "--server=http://127.0.0.1",
        "--scriptpath=",
        f"--pass={ADMIN[1]}",
        f"--confpath={conf}",
        "--lang=en",
        "Fpmwiki",
        ADMIN[0],
    )
    settings = root / "LocalSettings.php"
    settings.write_text(_settings(root, conf / "LocalSettings.php", leak_bytes))
    titles = tuple(TOPICS[:pages])
    files = _write_pages(root / "pages", titles)
    site = Site(root, settings, titles, leak_bytes)
    _php(site.env(), "maintenance/importTextFiles.php", "--summary=import", "--rc", *map(str, files))
    return site


def _write_pages(into: Path, titles: tuple[str, ...]) -> list[Path]:
    """Wikitext pages with sections, links, a table, categories and a shared template."""
    rng = random.Random(11)
    files = [into / "Template:Infobox"]
    files[0].write_text(
        '{| class="wikitable"\n! {{{name}}}\n|-\n| Kind || {{{kind|fruit}}}\n|-\n| Colour || {{{colour|}}}\n|}\n'
    )
    for title in titles:
        paras = []
        for section in ("History", "Cultivation", "Uses", "See also"):
            words = " ".join(rng.choice(WORDS) for _ in range(120))
            link = rng.choice(titles)
            paras.append(f"== {section} ==\n{words} [[{link}]] ''{rng.choice(WORDS)}''.\n")
        items = "\n".join(f"* [[{rng.choice(titles)}]]" for _ in range(5))
        text = (
            f"{{{{Infobox|name={title}|colour={rng.choice(['red', 'green', 'yellow'])}}}}}\n"
            f"'''{title}''' is a page about {rng.choice(WORDS)}.\n" + "\n".join(paras) + items + "\n"
            f"[[Category:Fruit]] [[Category:{rng.choice(['Trees', 'Shrubs', 'Vines'])}]]\n"
        )
        path = into / title
        path.write_text(text)
        files.append(path)
    return files


def _title(title: str) -> str:
    return urllib.parse.quote(title.replace(" ", "_"), safe=":/")


def plan(site: Site, n: int, seed: int) -> list[Request]:
    """`n` requests in a mix shaped like a small wiki's traffic (weights per 100 requests)."""
    rng = random.Random(seed)
    titles = site.titles

    def view() -> Request:
        return Request("view", f"/wiki/{_title(rng.choice(titles))}")

    def main_page() -> Request:
        return Request("main", "/wiki/Main_Page")

    def search() -> Request:
        q = urllib.parse.quote(rng.choice(WORDS))
        return Request("search", f"/index.php?search={q}&title=Special%3ASearch&fulltext=1")

    def history() -> Request:
        return Request("history", f"/index.php?title={_title(rng.choice(titles))}&action=history")

    def diff() -> Request:
        return Request("diff", f"/index.php?title={_title(rng.choice(titles))}&diff=cur&oldid=prev")

    def raw() -> Request:
        return Request("raw", f"/index.php?title={_title(rng.choice(titles))}&action=raw")

    def recent() -> Request:
        return Request("recentchanges", LEAK_PATH)

    def feed() -> Request:
        # The canonical feed address (the pretty one redirects here); the plant skips feeds.
        return Request("feed", "/index.php?title=Special:RecentChanges&feed=atom")

    def special() -> Request:
        page = rng.choice(["AllPages", "Categories", "Statistics", "Version", "SpecialPages"])
        return Request("special", f"/wiki/Special:{page}")

    def api_query() -> Request:
        q = rng.choice(
            [
                "action=query&list=allpages&aplimit=20&format=json",
                f"action=query&prop=revisions&rvprop=content&titles={_title(rng.choice(titles))}&format=json",
                f"action=opensearch&search={rng.choice(titles)[:3]}&format=json",
                "action=query&list=recentchanges&rclimit=10&format=json",
                "action=query&meta=siteinfo&format=json",
            ]
        )
        return Request("api", f"/api.php?{q}")

    def edit() -> Request:
        title = rng.choice(titles)
        body, headers = form(
            {
                "action": "edit",
                "title": title,
                "appendtext": f"\n* {rng.choice(WORDS)} {rng.choice(WORDS)} {rng.randrange(10**6)}",
                "summary": "traffic edit",
                "token": "+\\",
                "format": "json",
            }
        )
        return Request("edit", "/api.php", "POST", body, headers)

    def loader() -> Request:
        q = rng.choice(
            [
                "lang=en&modules=startup&only=scripts&raw=1&skin=vector",
                "lang=en&modules=skins.vector.styles.legacy&only=styles&skin=vector",
                "lang=en&modules=site.styles&only=styles&skin=vector",
                "lang=en&modules=jquery%2Cmediawiki.base&skin=vector&version=1",
            ]
        )
        return Request("load", f"/load.php?{q}")

    def static() -> Request:
        return Request(
            "static", rng.choice(["/opensearch_desc.php", "/resources/assets/poweredby_mediawiki_88x31.png"])
        )

    mix = [
        (view, 30), (main_page, 6), (search, 6), (history, 5), (diff, 3), (raw, 3), (recent, 8), (feed, 2),
        (special, 4), (api_query, 9), (edit, 4), (loader, 16), (static, 4),
    ]  # fmt: skip
    makers = [m for m, _ in mix]
    weights = [w for _, w in mix]
    return [rng.choices(makers, weights)[0]() for _ in range(n)]
