"""`fpmscope check`: is the probe enabled and working in a pool, step by step, each failure
with its fix. Steps run in the order a broken install is usually diagnosed."""

from __future__ import annotations

import glob
import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path

from fpmscope.errors import FpmscopeError
from fpmscope.fpm import poolconf, system
from fpmscope.fpm.install import read_text
from fpmscope.records import FORMAT_TAG, RECORD_FIELDS

DEBIAN_POOLS = "/etc/php/*/fpm/pool.d/*.conf"


@dataclass(frozen=True, slots=True)
class Step:
    name: str
    ok: bool
    detail: str
    fix: str = ""


@dataclass(frozen=True, slots=True)
class PoolCheck:
    file: str
    pool: str
    user: str
    steps: tuple[Step, ...]

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.steps)


def pool_files(given: Path | None) -> list[Path]:
    if given is not None:
        return [given]
    found = [Path(p) for p in sorted(glob.glob(DEBIAN_POOLS))]
    if not found:
        raise FpmscopeError(f"no pool files match {DEBIAN_POOLS}; name one with --pool FILE")
    return found


def check_file(
    path: Path, *, max_age: float, now: float | None = None, open_basedir: str | None = None
) -> list[PoolCheck]:
    """One PoolCheck per pool in the file that has the probe enabled (or a failing one if none)."""
    try:
        pools = poolconf.parse(read_text(path))
    except poolconf.PoolFileError as exc:
        raise FpmscopeError(f"{path}: {exc}") from None
    probed = [p for p in pools if p.get("env[FPMSCOPE_LOG]")]
    if not probed:
        step = Step(
            "probe enabled in the pool file",
            False,
            f"no pool in {path} sets env[FPMSCOPE_LOG]",
            f"fpmscope install --pool {path}",
        )
        return [PoolCheck(str(path), ", ".join(p.name for p in pools) or "-", "-", (step,))]
    return [check_pool(path, p, max_age=max_age, now=now, ini_open_basedir=open_basedir) for p in probed]


def check_pool(
    path: Path, pool: poolconf.Pool, *, max_age: float, now: float | None, ini_open_basedir: str | None
) -> PoolCheck:
    who = system.account(pool.get("user"), pool.get("group"))
    probe = pool.get(*poolconf.PREPEND_KEYS) or ""
    log = Path(pool.get("env[FPMSCOPE_LOG]") or "")
    basedir = pool.get(*poolconf.OPEN_BASEDIR_KEYS) or ini_open_basedir
    steps = []

    problem = system.can_access(Path(probe), who, 4) if probe else "the pool has no auto_prepend_file"
    if not problem and not system.within(probe, basedir):
        problem = f"{probe} is outside open_basedir ({basedir}): every request fails to start"
    steps.append(
        Step(
            f"probe file readable by {who.user}",
            problem is None,
            problem or probe,
            f"chmod a+r {probe} and a+x on its directories, or install with --probe FILE in a readable place"
            if probe
            else f"fpmscope install --pool {path}",
        )
    )

    problem = system.can_access(log.parent, who, 3)
    if not problem and system.is_symlink(log):
        problem = f"{log} is a symlink; the probe does not write through symlinks"
    elif not problem and log.is_dir():
        problem = f"{log} is a directory, not a log file"
    elif not problem and log.exists():
        problem = system.can_access(log, who, 2)
    if not problem and not system.within(str(log.parent) + "/", basedir):
        problem = f"{log.parent} is outside open_basedir ({basedir})"
    steps.append(
        Step(
            f"log dir writable by {who.user}",
            problem is None,
            problem or str(log.parent),
            f"install -d -m 0750 -o {who.user} -g {who.group} {log.parent}",
        )
    )

    ok = system.within("/proc/self/statm", basedir)
    steps.append(
        Step(
            "/proc readable under open_basedir",
            ok,
            "no open_basedir" if not basedir else f"open_basedir = {basedir}",
            f"add /proc/ to the pool's open_basedir: php_admin_value[open_basedir] = {basedir}:/proc/",
        )
    )

    now = time.time() if now is None else now
    # lstat: a symlink or a directory is never read (a symlink planted by the pool user may
    # point to any file, and the last line would be printed below).
    try:
        st = log.lstat()
    except OSError:
        st = None
    regular = st is not None and stat.S_ISREG(st.st_mode)
    age, size = (now - st.st_mtime, st.st_size) if st is not None and regular else (float("inf"), 0)
    fresh = size > 0 and age <= max_age
    detail = f"{log}: no records" if size == 0 else f"{log}: last write {age:.0f} s ago"
    if st is not None and not regular:
        detail = f"{log}: not a regular file (a symlink or a directory); not read"
    steps.append(
        Step(
            f"records written in the last {max_age:.0f} s",
            fresh,
            detail,
            "reload php-fpm so that it reads the pool file, then send a request",
        )
    )

    last = _last_line(log) if size else ""
    fields = last.rstrip("\n").split("\t")
    current = fields[0] == FORMAT_TAG and len(fields) == 1 + len(RECORD_FIELDS)
    steps.append(
        Step(
            "record format current",
            current,
            f"last record: {FORMAT_TAG}, {len(fields) - 1} fields"
            if current
            else (f"last line: {last[:60]!r}" if last else "no record to check yet"),
            "the log holds lines of another probe version: reinstall fpmscope's probe and rotate the log",
        )
    )
    return PoolCheck(str(path), pool.name, who.user, tuple(steps))


def _last_line(path: Path) -> str:
    with open(path, "rb") as f:
        f.seek(0, os.SEEK_END)
        f.seek(max(0, f.tell() - 16384))
        tail = f.read().decode("utf-8", "replace")
    lines = tail.splitlines()
    return lines[-1] if lines else ""


def render_text(checks: list[PoolCheck]) -> str:
    out = []
    for c in checks:
        out.append(f"pool [{c.pool}] in {c.file} (user {c.user})")
        for s in c.steps:
            out.append(f"  {'ok  ' if s.ok else 'FAIL'}  {s.name}: {s.detail}")
            if not s.ok:
                out.append(f"        fix: {s.fix}")
    return "\n".join(out) + "\n"


def as_data(checks: list[PoolCheck]) -> dict[str, object]:
    """The checks as `fpmscope check --format json` prints them (render/json.py)."""
    return {
        "schema_version": 1,
        "ok": all(c.ok for c in checks),
        "pools": [
            {
                "file": c.file,
                "pool": c.pool,
                "user": c.user,
                "ok": c.ok,
                "steps": [{"name": s.name, "ok": s.ok, "detail": s.detail, "fix": s.fix} for s in c.steps],
            }
            for c in checks
        ],
    }
