"""What install and check ask of the machine: the php-fpm binary, its php.ini values, config
validation, users and file permissions."""

from __future__ import annotations

import grp
import os
import pwd
import re
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

from fpmscope.demo.stack import PHP_FPM_CANDIDATES, find_program
from fpmscope.errors import FpmscopeError


def fpm_binary(override: str | None) -> str:
    if override:
        found = find_program(override)
        if found is None:
            raise FpmscopeError(f"--fpm-bin {override}: no such program")
        return found
    found = find_program(*PHP_FPM_CANDIDATES)
    if found is None:
        raise FpmscopeError("php-fpm not found; name it with --fpm-bin (e.g. --fpm-bin /usr/sbin/php-fpm8.2)")
    return found


def ini_values(fpm_bin: str, *names: str) -> dict[str, str | None]:
    """php.ini values as php-fpm itself sees them (`php-fpm -i`, covering conf.d); None = unset."""
    try:
        out = subprocess.run([fpm_bin, "-i"], capture_output=True, text=True, timeout=30, check=False).stdout
    except OSError as exc:
        raise FpmscopeError(f"cannot run {fpm_bin} -i: {exc.strerror}") from None
    values: dict[str, str | None] = dict.fromkeys(names)
    for name in names:
        m = re.search(rf"^{re.escape(name)} => (.*?) => ", out, re.MULTILINE)
        if m and m.group(1) != "no value":
            values[name] = m.group(1)
    return values


def validate(fpm_bin: str, main_conf: Path) -> tuple[bool, str]:
    """`php-fpm -t` on the main config: (passed, what php-fpm said)."""
    proc = subprocess.run(
        [fpm_bin, "-t", "-y", str(main_conf)], capture_output=True, text=True, timeout=60, check=False
    )
    said = (proc.stderr + proc.stdout).strip()
    return proc.returncode == 0, said


def reload_command(fpm_bin: str, main_conf: Path | None, pid_file: str | None) -> str:
    """systemd for Debian's own config (service php8.2-fpm for php-fpm8.2); else the master's pid."""
    m = re.fullmatch(r"php-fpm(\d+\.\d+)", Path(fpm_bin).name)
    debian = m is not None and main_conf == Path(f"/etc/php/{m.group(1)}/fpm/php-fpm.conf")
    if m and debian and Path(f"/lib/systemd/system/php{m.group(1)}-fpm.service").exists():
        return f"systemctl reload php{m.group(1)}-fpm"
    if pid_file:
        return f"kill -USR2 $(cat {pid_file})"
    return f"kill -USR2 <pid of the {Path(fpm_bin).name} master>"


@dataclass(frozen=True, slots=True)
class Account:
    """The identity FPM workers of a pool run as."""

    user: str
    group: str
    uid: int
    gids: frozenset[int]


def account(user: str | None, group: str | None) -> Account:
    """The pool's `user`/`group` (when FPM runs as root); the current user otherwise."""
    try:
        pw = pwd.getpwnam(user) if user else pwd.getpwuid(os.geteuid())
    except KeyError:
        raise FpmscopeError(f"pool user {user!r} does not exist") from None
    try:
        gr = grp.getgrnam(group) if group else grp.getgrgid(pw.pw_gid)
    except KeyError:
        raise FpmscopeError(f"pool group {group!r} does not exist") from None
    gids = {gr.gr_gid} | {g.gr_gid for g in grp.getgrall() if pw.pw_name in g.gr_mem}
    return Account(pw.pw_name, gr.gr_name, pw.pw_uid, frozenset(gids))


def _allowed(st: os.stat_result, who: Account, bits: int) -> bool:
    """Unix permission check for `bits` (4 r, 2 w, 1 x) as `who`; root passes r/w."""
    if who.uid == 0:
        return True
    if st.st_uid == who.uid:
        mode = (st.st_mode >> 6) & 7
    elif st.st_gid in who.gids:
        mode = (st.st_mode >> 3) & 7
    else:
        mode = st.st_mode & 7
    return mode & bits == bits


def can_access(path: Path, who: Account, bits: int) -> str | None:
    """None when `who` can reach `path` and has `bits` on it; else the first obstacle."""
    path = Path(os.path.abspath(path))
    for parent in reversed(path.parents):
        try:
            st = parent.stat()
        except OSError as exc:
            return f"{parent}: {exc.strerror}"
        if not _allowed(st, who, 1):
            return f"{parent} is not searchable by {who.user}"
    try:
        st = path.stat()
    except OSError as exc:
        return f"{path}: {exc.strerror}"
    if not _allowed(st, who, bits):
        need = {4: "readable", 2: "writable", 3: "writable and searchable"}.get(bits, "accessible")
        return f"{path} is not {need} by {who.user}"
    return None


def is_symlink(path: Path) -> bool:
    try:
        return stat.S_ISLNK(path.lstat().st_mode)
    except OSError:
        return False


def within(path: str, open_basedir: str | None) -> bool:
    """Whether PHP's open_basedir lets a script open `path` (checked on the resolved path)."""
    if not open_basedir:
        return True
    real = os.path.realpath(path)
    for entry in open_basedir.split(":"):
        entry = entry.strip()
        if not entry:
            continue
        # PHP treats an entry as a plain prefix; a trailing slash limits it to that directory.
        base = os.path.realpath(entry) + ("/" if entry.endswith("/") else "")
        if real.startswith(base) or real == base.rstrip("/"):
            return True
    return False
