"""Framework route names, read by the probe at the end of the request from Debian's packaged
Laravel (php-laravel-framework) and Symfony (php-symfony-*) code, with no change to the app.
Drupal is not packaged in Debian 12; its front controller keeps the request in a global
`$request` whose `_route` attribute is the route name, the path the Symfony app takes here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from fpmscope.cli import main
from fpmscope.demo import stack, traffic
from fpmscope.probe import probe_path
from fpmscope.records import RECORD_FIELDS

APPS = Path(__file__).parent.parent / "data" / "frameworks"
TAG = 1 + [name for name, _ in RECORD_FIELDS].index("tag")
PATHS = ["/laravel/posts/12", "/laravel/posts/7", "/laravel/about", "/symfony/blog/hello-world", "/symfony/blog"]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[traffic.Response], Path, Path]:
    root = tmp_path_factory.mktemp("frameworks")
    cfg = stack.StackConfig(docroot=APPS, workers=2, probe=probe_path())
    with stack.running(cfg, root / "servers") as servers:
        responses = traffic.drive(servers.url, PATHS * 4, concurrency=2)
    return responses, servers.probe_log, root / "servers" / "php-errors.log"


def test_the_apps_answer_as_without_the_probe(served: tuple[list[traffic.Response], Path, Path]) -> None:
    responses, _, errors = served
    assert [r.body for r in responses[:5]] == [b"post 12\n", b"post 7\n", b"about\n", b"blog hello-world\n", b"blog\n"]
    assert not errors.exists() or errors.read_text() == ""


def test_route_names_are_logged_as_the_framework_knows_them(served: tuple[list[traffic.Response], Path, Path]) -> None:
    _, log, _ = served
    tags = {line.split("\t")[TAG] for line in log.read_text().splitlines()}
    # Laravel: the route's name, else (a closure) its URI pattern; Symfony: `_route`.
    assert tags == {"posts.show", "/laravel/about", "blog_show", "blog_index"}


def test_leaks_names_endpoints_by_route(served: tuple[list[traffic.Response], Path, Path]) -> None:
    _, log, _ = served
    result = CliRunner().invoke(main, ["leaks", str(log), "--format", "json"])
    assert result.exit_code == 0, result.output
    names = {e["endpoint"] for e in json.loads(result.stdout)["endpoints"]}
    assert names == {"GET posts.show", "GET /laravel/about", "GET blog_show", "GET blog_index"}
