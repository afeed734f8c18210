"""`fpmscope install` on a copy of Debian's www.conf that already has an auto_prepend_file:
php-fpm -t passes, a real php-fpm behind nginx measures requests and still runs the app's
prepend, logrotate rotates the log by rename, and uninstall gives back the original bytes."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import subprocess
import tempfile
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from fpmscope.cli import main
from fpmscope.demo import stack
from fpmscope.probe import probe_path
from fpmscope.records import FORMAT_TAG, RECORD_FIELDS

DATA = Path(__file__).parent.parent / "data"
FIELD = {name: i + 1 for i, (name, _) in enumerate(RECORD_FIELDS)}

APP_PREPEND = r"""<?php
// The application's own prepend: it must still run, and after the probe has started.
$probing = class_exists('Fpmscope\Probe', false) && \Fpmscope\Probe::$start !== null;
define('APP_PREPEND', $probing ? 'after probe' : 'alone');
"""
APP_INDEX = """<?php
echo defined('APP_PREPEND') ? 'prepend ran ' . APP_PREPEND : 'no prepend', "\\n";
"""


@dataclass(frozen=True)
class Site:
    root: Path
    pool_file: Path
    original: bytes
    fpm_port: int
    logs: Path
    logrotate: Path

    def install_args(self) -> list[str]:
        return [
            "--pool", str(self.pool_file), "--log-dir", str(self.logs),
            "--logrotate-dir", str(self.logrotate), "--probe", str(self.root / "probe.php"),
        ]  # fmt: skip


@pytest.fixture
def site() -> Iterator[Site]:
    """Debian's layout under a temp dir: fpm/php-fpm.conf including fpm/pool.d/*.conf, with the
    stock www.conf (plus an app prepend) adapted to a loopback port."""
    root = Path(tempfile.mkdtemp(prefix="fpmscope-install-"))
    root.chmod(0o755)  # the pool runs as www-data
    try:
        app = root / "app"
        app.mkdir()
        (app / "prepend.php").write_text(APP_PREPEND)
        (app / "index.php").write_text(APP_INDEX)
        fpm = root / "fpm"
        (fpm / "pool.d").mkdir(parents=True)
        port = stack.free_port()
        (fpm / "php-fpm.conf").write_text(
            f"[global]\npid = {root}/php-fpm.pid\nerror_log = {root}/php-fpm.log\ninclude = {fpm}/pool.d/*.conf\n"
        )
        pool = (DATA / "www-prepend.conf").read_bytes()
        pool = pool.replace(b"/srv/app/prepend.php", str(app / "prepend.php").encode())
        pool = pool.replace(b"listen = /run/php/php8.2-fpm.sock", f"listen = 127.0.0.1:{port}".encode())
        pool_file = fpm / "pool.d" / "www.conf"
        pool_file.write_bytes(pool)
        logrotate = root / "logrotate.d"
        logrotate.mkdir()
        # The checkout may be private to root; the pool user needs to read the probe.
        shutil.copy(probe_path(), root / "probe.php")
        (root / "probe.php").chmod(0o644)
        yield Site(root, pool_file, pool, port, root / "logs", logrotate)
    finally:
        shutil.rmtree(root)


@contextlib.contextmanager
def serving(site: Site) -> Iterator[str]:
    fpm_bin = stack.find_program(*stack.PHP_FPM_CANDIDATES)
    assert fpm_bin is not None
    proc = subprocess.Popen(
        [fpm_bin, "-F", "-y", str(site.root / "fpm" / "php-fpm.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        stack._wait_port(site.fpm_port, proc, "php-fpm", site.root / "php-fpm.log")
        cfg = stack.StackConfig(docroot=site.root / "app")
        with stack.nginx_in_front(cfg, site.root / "nginx", site.fpm_port) as url:
            yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as resp:
        body: bytes = resp.read()
    return body.decode()


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def records(log: Path) -> list[list[str]]:
    return [line.split("\t") for line in log.read_text().splitlines()]


def test_install_measures_chains_rotates_and_uninstall_restores_bytes(site: Site) -> None:
    pool = str(site.pool_file)
    common = ["--pool", pool, "--logrotate-dir", str(site.logrotate)]
    args = site.install_args()

    # Before: the app's prepend runs alone.
    with serving(site) as url:
        assert get(url + "/index.php") == "prepend ran alone\n"

    code, out, err = run("install", *args, "--dry-run")
    assert code == 0, err
    assert "+env[FPMSCOPE_CHAIN] = " + str(site.root / "app" / "prepend.php") in out
    assert "copytruncate" not in out.replace("no copytruncate", "")
    assert site.pool_file.read_bytes() == site.original and not site.logs.exists()

    code, out, err = run("install", *args)
    assert code == 0, err
    assert "php-fpm -t passed" in err
    assert "Now reload php-fpm:" in out
    installed = site.pool_file.read_bytes()
    assert site.pool_file.with_name("www.conf.fpmscope.bak").read_bytes() == site.original
    log = site.logs / "www.log"
    assert stat.S_IMODE(site.logs.stat().st_mode) == 0o750
    assert stat.S_IMODE(log.stat().st_mode) == 0o640
    assert log.owner() == "www-data" and site.logs.owner() == "www-data"
    snippet = (site.logrotate / "fpmscope-www").read_text()
    assert "create 0640 www-data www-data" in snippet and "\ncopytruncate" not in snippet

    # Installing twice changes nothing.
    code, _, err = run("install", *args)
    assert code == 0 and "already enabled" in err
    assert site.pool_file.read_bytes() == installed

    with serving(site) as url:
        for _ in range(5):
            assert get(url + "/index.php?token=s3cret") == "prepend ran after probe\n"
        lines = records(log)
        assert len(lines) == 5
        for fields in lines:
            assert fields[0] == FORMAT_TAG and len(fields) == 1 + len(RECORD_FIELDS)
            assert fields[FIELD["pool"]] == "www"
            assert fields[FIELD["uri"]] == "/index.php"  # no query string by default
            assert fields[FIELD["outcome"]] == "ok" and fields[FIELD["anon_start"]] != ""
        code, out, _ = run("check", "--pool", pool)
        assert code == 0, out
        assert out.count("ok  ") == 5

        # Rotation by rename with the snippet as written: the next request lands in a new file.
        state = site.root / "logrotate.state"
        subprocess.run(["logrotate", "-f", "-s", str(state), str(site.logrotate / "fpmscope-www")], check=True)
        assert len(records(site.logs / "www.log.1")) == 5
        assert log.stat().st_size == 0 and stat.S_IMODE(log.stat().st_mode) == 0o640
        get(url + "/index.php")
        assert len(records(log)) == 1
        assert len(records(site.logs / "www.log.1")) == 5

    code, out, err = run("uninstall", *common)
    assert code == 0, err
    assert site.pool_file.read_bytes() == site.original
    assert not site.pool_file.with_name("www.conf.fpmscope.bak").exists()
    assert not (site.logrotate / "fpmscope-www").exists()
    with serving(site) as url:
        assert get(url + "/index.php") == "prepend ran alone\n"


def test_check_names_each_failure_with_its_fix(site: Site) -> None:
    code, out, _ = run("check", "--pool", str(site.pool_file))
    assert code == 1
    assert "FAIL  probe enabled in the pool file" in out and "fix: fpmscope install --pool" in out

    code, _, err = run("install", *site.install_args())
    assert code == 0, err
    os.chmod(site.logs, 0o700)
    shutil.chown(site.logs, "root", "root")
    code, out, _ = run("check", "--pool", str(site.pool_file), "--format", "json")
    assert code == 1
    steps = {s["name"]: s for s in json.loads(out)["pools"][0]["steps"]}
    assert steps["probe file readable by www-data"]["ok"]
    assert not steps["log dir writable by www-data"]["ok"]
    assert steps["log dir writable by www-data"]["fix"].startswith("install -d -m 0750 -o www-data")
    assert not steps["records written in the last 600 s"]["ok"]


def test_failed_validation_restores_the_file(site: Site) -> None:
    # A pool that php-fpm -t rejects once edited: an unknown pm mode already in the file.
    broken = site.original.replace(b"pm = dynamic", b"pm = sometimes")
    site.pool_file.write_bytes(broken)
    code, _, err = run("install", *site.install_args())
    assert code == 1
    assert "php-fpm -t failed" in err
    assert site.pool_file.read_bytes() == broken


def test_open_basedir_without_the_probe_is_refused(site: Site) -> None:
    text = site.original + f"php_admin_value[open_basedir] = {site.root}/app/\n".encode()
    site.pool_file.write_bytes(text)
    code, _, err = run("install", *site.install_args())
    assert code == 2
    assert "outside open_basedir" in err and "every request would fail" in err
    assert site.pool_file.read_bytes() == text


def test_a_php_ini_prepend_is_chained_too(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    """php.ini's auto_prepend_file (seen through `php-fpm -i`) would be overridden by the pool's
    admin value; install chains it. PHP_INI_SCAN_DIR=":dir" adds an ini file to the real ones."""
    ini = site.root / "ini"
    ini.mkdir()
    (ini / "99-app.ini").write_text(f"auto_prepend_file = {site.root}/app/prepend.php\n")
    monkeypatch.setenv("PHP_INI_SCAN_DIR", f":{ini}")
    # The stock www.conf, no prepend in the pool.
    plain = (DATA / "www.conf").read_bytes()
    site.pool_file.write_bytes(
        plain.replace(b"listen = /run/php/php8.2-fpm.sock", f"listen = 127.0.0.1:{site.fpm_port}".encode())
    )
    original = site.pool_file.read_bytes()
    code, out, err = run("install", *site.install_args())
    assert code == 0, err
    assert f"chains the existing prepend {site.root}/app/prepend.php" in out
    with serving(site) as url:
        assert get(url + "/index.php") == "prepend ran after probe\n"
    assert len(records(site.logs / "www.log")) == 1
    code, _, err = run("uninstall", "--pool", str(site.pool_file), "--logrotate-dir", str(site.logrotate))
    assert code == 0, err
    assert site.pool_file.read_bytes() == original


def test_plain_php_fpm_conf_with_pool_sections(site: Site) -> None:
    """A single php-fpm.conf holding [global] and two pools: only the named pool is probed."""
    main_conf = site.root / "fpm" / "php-fpm.conf"
    main_conf.write_text(
        f"[global]\npid = {site.root}/php-fpm.pid\nerror_log = {site.root}/php-fpm.log\n\n"
        f"[shop]\nuser = www-data\nlisten = 127.0.0.1:{site.fpm_port}\npm = static\npm.max_children = 2\n\n"
        f"[admin]\nuser = www-data\nlisten = 127.0.0.1:{stack.free_port()}\npm = static\npm.max_children = 1\n"
    )
    original = main_conf.read_bytes()
    args = site.install_args()
    args[1] = str(main_conf)
    code, out, err = run("install", *args, "--name", "shop")
    assert code == 0, err
    assert f"kill -USR2 $(cat {site.root}/php-fpm.pid)" in out
    with serving(site) as url:
        assert get(url + "/index.php") == "no prepend\n"
    (line,) = records(site.logs / "shop.log")
    assert line[FIELD["pool"]] == "shop"
    assert not (site.logs / "admin.log").exists()
    code, _, err = run("uninstall", "--pool", str(main_conf), "--logrotate-dir", str(site.logrotate))
    assert code == 0, err
    assert main_conf.read_bytes() == original
