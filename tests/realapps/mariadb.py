"""A private MariaDB server for one run: its own datadir and Unix socket, no TCP, stopped after.

The system's MariaDB service is never used or touched."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from fpmscope.demo.stack import SEARCH_PATH


@dataclass(frozen=True)
class MariaDB:
    socket: Path
    database: str
    user: str
    password: str

    def client(self, sql: str) -> str:
        """Run `sql` as root through the socket; return what the client printed."""
        out = subprocess.run(
            [_program("mariadb"), "--no-defaults", "-S", str(self.socket), "-uroot", "-N", "-B", "-e", sql],
            capture_output=True,
            text=True,
            check=True,
        )
        return out.stdout


def _program(name: str) -> str:
    found = shutil.which(name, path=SEARCH_PATH)
    if found is None:
        raise RuntimeError(f"{name} not found; run scripts/setup.sh (apt-get install mariadb-server)")
    return found


@contextlib.contextmanager
def running(root: Path) -> Iterator[MariaDB]:
    """Initialise a datadir under `root`, start mariadbd on a socket, create one database."""
    datadir = root / "mariadb"
    # A Unix socket path must stay under ~107 bytes; pytest's temp paths can be longer.
    sockdir = Path(tempfile.mkdtemp(prefix="fpmscope-mdb-"))
    sock = sockdir / "mysqld.sock"
    as_root = ["--user=root"] if os.geteuid() == 0 else []
    log = root / "mariadb.log"
    subprocess.run(
        [
            _program("mariadb-install-db"),
            "--no-defaults",
            f"--datadir={datadir}",
            "--auth-root-authentication-method=normal",
            "--skip-test-db",
            *as_root,
        ],
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        check=True,
    )
    proc = subprocess.Popen(
        [
            _program("mariadbd"),
            "--no-defaults",
            f"--datadir={datadir}",
            f"--socket={sock}",
            "--skip-networking",
            f"--pid-file={root / 'mariadb.pid'}",
            f"--log-error={log}",
            "--innodb-buffer-pool-size=64M",
            "--skip-log-bin",
            *as_root,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    try:
        db = MariaDB(sock, "wordpress", "wordpress", "fpmscope-wp-pw")
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"mariadbd exited at start; see {log}")
            try:
                db.client("SELECT 1")
                break
            except subprocess.CalledProcessError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"mariadbd did not answer within 30 s; see {log}") from None
                time.sleep(0.2)
        db.client(
            f"CREATE DATABASE {db.database}; "
            f"CREATE USER '{db.user}'@'localhost' IDENTIFIED BY '{db.password}'; "
            f"GRANT ALL ON {db.database}.* TO '{db.user}'@'localhost';"
        )
        yield db
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        shutil.rmtree(sockdir, ignore_errors=True)
