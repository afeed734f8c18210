"""Debian's WordPress (/usr/share/wordpress, as shipped) on a private MariaDB.

Debian's wp-config.php only reads /etc/wordpress/config-<name>.php, with <name> taken from
the WORDPRESS_CONFIG server variable (or the Host header). The run writes one such file with a
name of its own, `config-fpmscope-<random>.php`, passes that name through the pool's env[], and
removes the file when the run ends: /etc is left as it was found. Everything else (content
directory, uploads, the planted mu-plugin) lives under the run's directory."""

from __future__ import annotations

import contextlib
import random
import re
import secrets
import time
import xmlrpc.client
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.realapps import driver
from tests.realapps.driver import Request, form
from tests.realapps.mariadb import MariaDB

WP_ROOT = Path("/usr/share/wordpress")
CONFIG_DIR = Path("/etc/wordpress")
PLANT = Path(__file__).parent / "plants" / "fpmscope-leak.php"
ADMIN = ("admin", "Fpmscope-admin-2026")
# The planted mu-plugin leaks on every GET of the REST posts collection.
LEAK_PATH = "/wp-json/wp/v2/posts"
LEAK_ENDPOINT = f"GET {LEAK_PATH}"

WORDS = (
    "memory", "worker", "request", "pool", "process", "native", "heap", "arena", "page", "cache", "socket",
    "upstream", "latency", "kernel", "opcache", "include", "session", "cookie", "header", "router",
    "template", "theme", "plugin", "comment", "post", "archive", "category", "tag", "feed", "search",
    "widget", "block", "editor", "media", "gallery", "draft", "schedule",
)  # fmt: skip
CATEGORIES = ("News", "Tuning", "Operations", "Releases", "Howto")


@dataclass(frozen=True)
class Site:
    root: Path
    config_name: str
    db: MariaDB

    def env(self) -> dict[str, str]:
        return {"WORDPRESS_CONFIG": self.config_name}


@dataclass
class Content:
    """What the traffic plan can visit, filled once the site has posts and a logged-in admin."""

    slugs: list[str]
    post_ids: list[int]
    tags: list[str]
    months: list[str]
    cookie: str
    heartbeat_nonce: str


def _config(root: Path, db: MariaDB) -> str:
    keys = "\n".join(
        f"define('{k}', '{secrets.token_hex(32)}');"
        for k in (
            "AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY",
            "AUTH_SALT", "SECURE_AUTH_SALT", "LOGGED_IN_SALT", "NONCE_SALT",
        )
    )  # fmt: skip
    return f"""<?php
// Written by fpmscope's real-application tests for one run; removed when the run ends.
define('DB_NAME', '{db.database}');
define('DB_USER', '{db.user}');
define('DB_PASSWORD', '{db.password}');
define('DB_HOST', 'localhost:{db.socket}');
define('WP_CONTENT_DIR', '{root / "wp-content"}');
// The port is chosen at start: take the site address from the request.
define('WP_HOME', 'http://' . ($_SERVER['HTTP_HOST'] ?? '127.0.0.1'));
define('WP_SITEURL', WP_HOME);
// No internet here: update checks and pingbacks must not wait on timeouts.
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('WP_DEBUG', false);
{keys}
"""


@contextlib.contextmanager
def configured(root: Path, db: MariaDB, leak_bytes: int | None) -> Iterator[Site]:
    """The content directory under `root` and this run's /etc/wordpress config file."""
    content = root / "wp-content"
    (content / "uploads").mkdir(parents=True, exist_ok=True)
    (content / "mu-plugins").mkdir(exist_ok=True)
    for shipped in ("themes", "plugins"):
        link = content / shipped
        if not link.exists():
            link.symlink_to(WP_ROOT / "wp-content" / shipped)
    if leak_bytes is not None:
        (content / "mu-plugins" / PLANT.name).write_text(PLANT.read_text())
    name = f"fpmscope-{secrets.token_hex(6)}"
    path = CONFIG_DIR / f"config-{name}.php"
    CONFIG_DIR.mkdir(exist_ok=True)
    path.write_text(_config(root, db))
    try:
        yield Site(root, name, db)
    finally:
        path.unlink(missing_ok=True)


def install(url: str, site: Site) -> None:
    """Run WordPress's own installer over HTTP, then switch to pretty permalinks."""
    (home,) = driver.send(url, [Request("install", "/wp-admin/install.php")], 1)
    if home.status != 200:
        raise RuntimeError(f"WordPress installer answered {home.status}: {home.body[:300]!r}")
    body, headers = form(
        {
            "weblog_title": "fpmscope blog",
            "user_name": ADMIN[0],
            "admin_password": ADMIN[1],
            "admin_password2": ADMIN[1],
            "pw_weak": "1",
            "admin_email": "admin@example.invalid",
            "blog_public": "1",
        }
    )
    (done,) = driver.send(url, [Request("install", "/wp-admin/install.php?step=2", "POST", body, headers)], 1)
    if done.status != 200 or b"Success" not in done.body:
        raise RuntimeError(f"WordPress install failed ({done.status}): {done.body[-500:]!r}")
    site.db.client(
        f"UPDATE {site.db.database}.wp_options SET option_value='/%postname%/' WHERE option_name='permalink_structure';"
        f"DELETE FROM {site.db.database}.wp_options WHERE option_name='rewrite_rules';"
    )


def populate(url: str, posts: int = 30) -> Content:
    """Posts (with categories, tags, comments) and two pages through XML-RPC, then a login."""
    with xmlrpc.client.ServerProxy(f"{url}/xmlrpc.php") as rpc:
        slugs, ids, tags = _post_content(rpc, posts)
    cookie = login(url)
    (dash,) = driver.send(url, [Request("admin", "/wp-admin/index.php", headers={"Cookie": cookie})], 1)
    found = re.search(rb'heartbeatSettings = \{[^}]*"nonce":"([0-9a-f]+)"', dash.body)
    if found is None:
        raise RuntimeError("no heartbeat nonce on the logged-in dashboard: is the admin logged in?")
    nonce = found.group(1).decode()
    # Every post was published just now: their month's archive and the day's.
    months = [time.strftime("/%Y/%m/", time.gmtime()), time.strftime("/%Y/%m/%d/", time.gmtime())]
    return Content(slugs, ids, sorted(tags), months, cookie, nonce)


def _post_content(rpc: xmlrpc.client.ServerProxy, posts: int) -> tuple[list[str], list[int], set[str]]:
    slugs: list[str] = []
    ids: list[int] = []
    tags: set[str] = set()
    for i in range(posts):
        title = f"{WORDS[i % len(WORDS)].title()} notes {i + 1}"
        post_tags = [WORDS[(i * 7) % len(WORDS)], WORDS[(i * 3 + 1) % len(WORDS)]]
        tags.update(post_tags)
        paragraphs = "\n\n".join(
            "<!-- wp:paragraph --><p>"
            + " ".join(WORDS[(i * 13 + j * 5 + k) % len(WORDS)] for k in range(90))
            + "</p><!-- /wp:paragraph -->"
            for j in range(5)
        )
        created: Any = rpc.wp.newPost(
            1,
            ADMIN[0],
            ADMIN[1],
            {
                "post_title": title,
                "post_content": paragraphs,
                "post_status": "publish",
                "comment_status": "open",
                "terms_names": {"category": [CATEGORIES[i % len(CATEGORIES)]], "post_tag": post_tags},
            },
        )
        post_id = int(created)
        ids.append(post_id)
        post: Any = rpc.wp.getPost(1, ADMIN[0], ADMIN[1], post_id, ["post_name"])
        slugs.append(str(post["post_name"]))
        for c in range(i % 3):
            rpc.wp.newComment(1, ADMIN[0], ADMIN[1], post_id, {"content": f"comment {c} on {title}"})
    for page in ("About", "Contact"):
        rpc.wp.newPost(1, ADMIN[0], ADMIN[1], {"post_title": page, "post_type": "page", "post_status": "publish"})
    return slugs, ids, tags


def login(url: str) -> str:
    """Log the admin in through wp-login.php; return the Cookie header value."""
    test_cookie = "wordpress_test_cookie=WP%20Cookie%20check"
    body, headers = form({"log": ADMIN[0], "pwd": ADMIN[1], "wp-submit": "Log In", "testcookie": "1"})
    req = Request("login", "/wp-login.php", "POST", body, {**headers, "Cookie": test_cookie})
    (resp,) = driver.send(url, [req], 1)
    jar = {k: v for k, v in resp.cookies().items() if k.startswith("wordpress")}
    if resp.status != 302 or not any(k.startswith("wordpress_logged_in") for k in jar):
        raise RuntimeError(f"WordPress login failed ({resp.status})")
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def plan(content: Content, n: int, seed: int) -> list[Request]:
    """`n` requests in a mix shaped like a small blog's traffic (weights per 100 requests)."""
    rng = random.Random(seed)
    admin_headers = {"Cookie": content.cookie}

    def home() -> Request:
        return Request("home", rng.choice(["/", "/", "/page/2/"]))

    def post() -> Request:
        return Request("post", f"/{rng.choice(content.slugs)}/")

    def post_by_id() -> Request:
        return Request("post", f"/?p={rng.choice(content.post_ids)}")

    def category() -> Request:
        return Request("archive", f"/category/{rng.choice(CATEGORIES).lower()}/")

    def tag() -> Request:
        return Request("archive", f"/tag/{rng.choice(content.tags)}/")

    def month() -> Request:
        return Request("archive", rng.choice(content.months))

    def search() -> Request:
        return Request("search", f"/?s={rng.choice(WORDS)}")

    def feed() -> Request:
        return Request("feed", rng.choice(["/feed/", "/feed/", "/comments/feed/"]))

    def rest_posts() -> Request:
        return Request("rest-posts", f"{LEAK_PATH}?per_page={rng.choice([5, 10])}")

    def rest_other() -> Request:
        path = rng.choice(
            [
                "/wp-json/",
                "/wp-json/wp/v2/categories",
                "/wp-json/wp/v2/tags",
                "/wp-json/wp/v2/pages",
                f"/wp-json/wp/v2/posts/{rng.choice(content.post_ids)}",
            ]
        )
        return Request("rest", path)

    def heartbeat() -> Request:
        logged_in = rng.random() < 0.7
        fields = {"action": "heartbeat", "screen_id": "dashboard", "interval": "60", "has_focus": "false"}
        if logged_in:
            fields["_nonce"] = content.heartbeat_nonce
        body, headers = form(fields)
        extra = admin_headers if logged_in else {}
        return Request("admin-ajax", "/wp-admin/admin-ajax.php", "POST", body, {**headers, **extra})

    def login_page() -> Request:
        return Request("login", "/wp-login.php")

    def admin() -> Request:
        path = rng.choice(
            [
                "/wp-admin/index.php",
                "/wp-admin/edit.php",
                "/wp-admin/edit-comments.php",
                "/wp-admin/edit-tags.php?taxonomy=category",
                "/wp-admin/options-general.php",
            ]
        )
        return Request("admin", path, headers=admin_headers)

    def comment() -> Request:
        body, headers = form(
            {
                "comment_post_ID": str(rng.choice(content.post_ids)),
                "comment": f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.randrange(10**9)}",
            }
        )
        return Request("comment", "/wp-comments-post.php", "POST", body, {**headers, **admin_headers})

    def sitemap() -> Request:
        return Request("sitemap", rng.choice(["/wp-sitemap.xml", "/wp-sitemap-posts-post-1.xml", "/robots.txt"]))

    mix = [
        (home, 14), (post, 24), (post_by_id, 3), (category, 5), (tag, 4), (month, 3), (search, 6), (feed, 5),
        (rest_posts, 10), (rest_other, 6), (heartbeat, 6), (login_page, 3), (admin, 6), (comment, 2),
        (sitemap, 3),
    ]  # fmt: skip
    makers = [m for m, _ in mix]
    weights = [w for _, w in mix]
    return [rng.choices(makers, weights)[0]() for _ in range(n)]
