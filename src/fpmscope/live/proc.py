"""What /proc says about PHP-FPM workers: their memory, and which processes they are.

Memory comes from /proc/<pid>/status (VmRSS, RssAnon, RssFile + RssShmem, in kB), or from
/proc/<pid>/statm (resident and shared pages) on kernels older than 4.5. A process that is
gone between listing and reading is simply not there: workers come and go.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
PROC = Path("/proc")


@dataclass(frozen=True, slots=True)
class ProcMemory:
    rss: int
    anon: int
    shared: int  # file-backed + shmem (opcache) resident bytes


def memory(pid: int, proc: Path = PROC) -> ProcMemory | None:
    try:
        text = (proc / str(pid) / "status").read_text()
    except OSError:
        return None
    kb: dict[str, int] = {}
    for line in text.splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "RssAnon", "RssFile", "RssShmem"):
            kb[key] = int(rest.split()[0])
    if {"VmRSS", "RssAnon", "RssFile", "RssShmem"} <= kb.keys():
        return ProcMemory(kb["VmRSS"] * 1024, kb["RssAnon"] * 1024, (kb["RssFile"] + kb["RssShmem"]) * 1024)
    try:
        fields = (proc / str(pid) / "statm").read_text().split()
    except OSError:
        return None
    resident, shared = int(fields[1]) * PAGE_SIZE, int(fields[2]) * PAGE_SIZE
    return ProcMemory(resident, resident - shared, shared)


def start_time(pid: int, proc: Path = PROC) -> int | None:
    """Field 22 of /proc/<pid>/stat (clock ticks after boot): with the pid, the process identity."""
    try:
        stat = (proc / str(pid) / "stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses; fields resume after the last ')'.
    rest = stat.rsplit(")", 1)[1].split()
    return int(rest[19])


def _parent(pid: int, proc: Path) -> int | None:
    try:
        return int((proc / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def command_line(pid: int, proc: Path = PROC) -> str:
    """The process title (FPM sets 'php-fpm: master process (...)', 'php-fpm: pool NAME')."""
    try:
        return (proc / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def pool_pids(master: int | None = None, pool: str | None = None, proc: Path = PROC) -> list[int]:
    """Worker pids: children of the master pid, and/or processes titled 'php-fpm: pool NAME'."""
    found = []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        if master is not None and _parent(pid, proc) != master:
            continue
        title = command_line(pid, proc)
        if not title.startswith("php-fpm: pool "):
            continue
        if pool is not None and title != f"php-fpm: pool {pool}":
            continue
        found.append(pid)
    return sorted(found)
