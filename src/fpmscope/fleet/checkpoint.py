"""The shipper's checkpoint: per followed log, which file (device, inode, fingerprint) and how
far ClickHouse has acknowledged it, plus the access-log occurrence counts at that point.

Written only after an acknowledged batch, atomically (a temp file, fsync, rename, fsync of
the directory): a crash leaves the previous checkpoint or the new one, never half of one.
A lock file keeps a second shipper off the same checkpoint.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from fpmscope.errors import FpmscopeError
from fpmscope.fleet.follow import FileId

VERSION: Final = 1


@dataclass(frozen=True)
class Position:
    ident: FileId | None
    offset: int
    seen: Counter[int]


def load(path: Path) -> dict[str, Position]:
    """The positions of a checkpoint file, by log path; none if it does not exist yet."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise FpmscopeError(
            f"--checkpoint {path}: cannot read it ({exc}); move it away to ship from the start"
        ) from None
    if not isinstance(doc, dict) or doc.get("version") != VERSION:
        raise FpmscopeError(f"--checkpoint {path}: not a checkpoint this fpmscope wrote")
    out = {}
    for log, entry in doc.get("files", {}).items():
        ident = FileId(**entry["file"]) if entry.get("file") else None
        out[log] = Position(ident, int(entry["offset"]), Counter({int(k): int(v) for k, v in entry.get("seen", [])}))
    return out


def save(path: Path, positions: dict[str, Position]) -> None:
    files: dict[str, Any] = {}
    for log, p in positions.items():
        ident = None if p.ident is None else vars(p.ident)
        files[log] = {"file": ident, "offset": p.offset, "seen": [[k, v] for k, v in p.seen.items()]}
    text = json.dumps({"version": VERSION, "files": files}, sort_keys=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    tmp.replace(path)
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold `path`.lock for the block; FpmscopeError if another shipper holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with (path.parent / (path.name + ".lock")).open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise FpmscopeError(f"--checkpoint {path}: another fpmscope ship is using it") from None
        yield
