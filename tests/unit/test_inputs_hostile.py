"""Readers against a hostile filesystem: a symlink planted by the pool user (who owns the log
dir), a log file that is a directory, logs the caller may not read (run as a real
unprivileged user: we are root here). One clear line each; never a line of a refused file."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from fpmscope.cli import main
from fpmscope.fpm import check
from tests import synth

NOBODY = pwd.getpwnam("nobody")
SECRET = "root:SECRET-LINE-never-printed:0:0\n"
SRC = Path(__file__).resolve().parents[2] / "src"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def world() -> Iterator[Path]:
    """A temp dir every user can enter (pytest's tmp_path is private to root)."""
    root = Path(tempfile.mkdtemp(prefix="fpmscope-hostile-"))
    root.chmod(0o755)
    try:
        yield root
    finally:
        shutil.rmtree(root)


def plant(world: Path, name: str = "probe.log") -> Path:
    """A log dir owned by the pool user holding a symlink (made by that user) to a root-only file."""
    secret = world / "shadow"
    secret.write_text(SECRET * 3)
    secret.chmod(0o600)
    logs = world / "logs"
    logs.mkdir()
    os.chown(logs, NOBODY.pw_uid, NOBODY.pw_gid)
    link = logs / name
    link.symlink_to(secret)
    os.lchown(link, NOBODY.pw_uid, NOBODY.pw_gid)
    return link


@pytest.mark.parametrize("command", ["leaks", "workers", "slow", "report"])
def test_a_planted_symlink_is_not_followed_and_not_printed(world: Path, command: str) -> None:
    link = plant(world)
    args = [command, str(link)] + (["-o", str(world / "r.html")] if command == "report" else [])
    code, out, err = run(*args)
    assert code == 2
    assert "symlink" in err and len(err.strip().splitlines()) == 1
    assert "SECRET" not in out + err


def test_a_symlink_of_the_callers_own_is_followed(world: Path) -> None:
    worker = synth.Worker(pid=10)
    for _ in range(5):
        worker.request("/home")
    target = synth.write(world / "real.log", worker)
    link = world / "mine.log"
    link.symlink_to(target)
    code, out, err = run("dump", str(link))
    assert code == 0, err
    assert out.count("/home") == 5


def test_check_never_prints_a_line_of_a_planted_symlink(world: Path) -> None:
    link = plant(world)
    pool = world / "www.conf"
    pool.write_text(f"[www]\nuser = nobody\nenv[FPMSCOPE_LOG] = {link}\n")
    (result,) = check.check_file(pool, max_age=600)
    text = check.render_text([result])
    assert "SECRET" not in text
    assert not result.ok


def test_check_does_not_crash_when_the_log_is_a_directory(world: Path) -> None:
    logdir = world / "logs"
    (logdir / "www.log").mkdir(parents=True)
    os.chown(logdir, NOBODY.pw_uid, NOBODY.pw_gid)
    pool = world / "www.conf"
    pool.write_text(f"[www]\nuser = nobody\nenv[FPMSCOPE_LOG] = {logdir / 'www.log'}\n")
    (result,) = check.check_file(pool, max_age=600)
    assert not result.ok
    assert "directory" in check.render_text([result])


def nobody_python() -> list[str]:
    """An interpreter `nobody` may run with our packages: ours, or the system one of the same
    version (a venv under /root is private)."""
    site = Path(duckdb.__file__).resolve().parents[1]
    env = ["env", f"PYTHONPATH={SRC}:{site}"]
    for python in (sys.executable, f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}"):
        probe = subprocess.run(["runuser", "-u", "nobody", "--", *env, python, "-c", "import duckdb, fpmscope"],
                               capture_output=True, check=False)  # fmt: skip
        if probe.returncode == 0:
            return ["runuser", "-u", "nobody", "--", *env, python, "-m", "fpmscope"]
    raise AssertionError(f"no Python that nobody can run with duckdb and fpmscope ({probe.stderr.decode()[-200:]})")


@pytest.mark.parametrize("command", ["slow", "leaks", "workers", "dump"])
def test_an_unreadable_log_as_a_non_root_user_is_one_line(world: Path, command: str) -> None:
    log = world / "access.log"
    log.write_text('127.0.0.1 - - [10/Oct/2024:13:55:36 +0000] "GET / HTTP/1.1" 200 5 "-" "x"\n')
    log.chmod(0o640)  # root:root, as nginx's logs are root:adm
    done = subprocess.run([*nobody_python(), command, str(log)], capture_output=True, text=True, check=False, cwd=world)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.strip() == f"fpmscope: {log}: not readable"
