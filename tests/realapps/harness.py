"""Start a real application on nginx + php-fpm with the probe, drive it, write its truth.

    with running_app("mediawiki", root, leak_bytes=48 * 1024) as app:
        responses = app.drive(app.plan(2400, seed=1))
    truth = app.truth()

The stack is fpmscope's own demo stack (`fpmscope.demo.stack`); the application is Debian's
package as shipped, configured from files under `root`."""

from __future__ import annotations

import contextlib
import json
import shutil
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from fpmscope.demo import stack
from fpmscope.probe import probe_path
from tests.realapps import driver, mariadb, mediawiki, wordpress

APPS = ("mediawiki", "wordpress")


@dataclass
class App:
    """A running application: its stack (url, logs), its traffic plan and its planted truth."""

    name: str
    root: Path
    servers: stack.Stack
    plan: Callable[[int, int], list[driver.Request]]
    leak_endpoint: str
    leak_bytes: int | None
    plant_log: Path
    workers: int
    concurrency: int
    sent: list[driver.Response] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.servers.url

    def drive(self, requests: Sequence[driver.Request]) -> list[driver.Response]:
        responses = driver.send(self.url, requests, self.concurrency)
        self.sent.extend(responses)
        return responses

    def truth(self) -> dict[str, object]:
        """What was planted where, counted from the plant's own log (one line per leaked buffer)."""
        lines = self.plant_log.read_text().splitlines() if self.plant_log.exists() else []
        sizes = [int(line.split("\t")[1]) for line in lines]
        pids = Counter(line.split("\t")[0] for line in lines)
        total = len(self.sent)
        on_path = sum(
            1 for r in self.sent if r.request.method + " " + r.request.path.split("?")[0] == self.leak_endpoint
        )
        return {
            "app": self.name,
            "workers": self.workers,
            "concurrency": self.concurrency,
            "requests_sent": total,
            "statuses": dict(Counter(str(r.status) for r in self.sent)),
            "mix": dict(Counter(r.request.kind for r in self.sent)),
            "leak": None
            if self.leak_bytes is None
            else {
                "endpoint": self.leak_endpoint,
                "bytes_per_call": self.leak_bytes,
                "kind": "native (FFI malloc, never freed)",
                "calls": len(sizes),
                "bytes_total": sum(sizes),
                "requests_to_endpoint": on_path,
                "share_of_requests": round(on_path / total, 4) if total else 0.0,
                "calls_per_worker_pid": dict(pids),
            },
        }

    def write_truth(self, path: Path) -> None:
        path.write_text(json.dumps(self.truth(), indent=2, sort_keys=True) + "\n")


@contextlib.contextmanager
def running_app(
    name: str,
    root: Path,
    leak_bytes: int | None = None,
    *,
    workers: int = 4,
    concurrency: int = 4,
    probe: bool = True,
    pages: int = 30,
) -> Iterator[App]:
    """Install `name` under `root`, start it behind nginx + php-fpm (with the probe unless
    `probe` is False), yield it; stop everything on exit. `leak_bytes` plants the leak;
    `pages` is how many wiki pages or blog posts the site starts with."""
    root.mkdir(parents=True, exist_ok=True)
    plant_log = root / "plant.log"
    common_env = {"FPMSCOPE_PLANT_LOG": str(plant_log)}
    admin = {"ffi.enable": "1", "memory_limit": "256M"}
    if name == "mediawiki":
        site = mediawiki.install(root / "app", leak_bytes, pages)
        cfg = stack.StackConfig(
            docroot=mediawiki.MW_ROOT,
            workers=workers,
            probe=probe_path() if probe else None,
            pool="mediawiki",
            admin_values=admin,
            env={**common_env, **site.env()},
        )
        with stack.running(cfg, root / "servers") as servers:
            yield App(
                name,
                root,
                servers,
                lambda n, seed: mediawiki.plan(site, n, seed),
                mediawiki.LEAK_ENDPOINT,
                leak_bytes,
                plant_log,
                workers,
                concurrency,
            )
        return
    if name == "wordpress":
        with mariadb.running(root) as db, wordpress.configured(root / "app", db, leak_bytes) as wp:
            env = {**common_env, **wp.env()}
            if leak_bytes is not None:
                env["FPMSCOPE_LEAK_BYTES"] = str(leak_bytes)
            cfg = stack.StackConfig(
                docroot=wordpress.WP_ROOT,
                workers=workers,
                probe=probe_path() if probe else None,
                pool="wordpress",
                admin_values=admin,
                env=env,
            )
            with stack.running(cfg, root / "servers") as servers:
                wordpress.install(servers.url, wp)
                content = wordpress.populate(servers.url, pages)
                _start_logs_afresh(servers, plant_log)
                yield App(
                    name,
                    root,
                    servers,
                    lambda n, seed: wordpress.plan(content, n, seed),
                    wordpress.LEAK_ENDPOINT,
                    leak_bytes,
                    plant_log,
                    workers,
                    concurrency,
                )
        return
    raise ValueError(f"unknown application {name!r}; known: {', '.join(APPS)}")


def _start_logs_afresh(servers: stack.Stack, plant_log: Path) -> None:
    """Keep the setup's requests (installer, posting content) apart from the traffic's: copy
    the logs to setup-*.log and empty them. Safe while running: the probe opens its log per
    request and nginx writes with O_APPEND."""
    for log in (servers.probe_log, servers.access_log, plant_log):
        if log.exists():
            shutil.copy(log, log.with_name(f"setup-{log.name}"))
            with log.open("r+b") as f:
                f.truncate(0)
