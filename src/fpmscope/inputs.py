"""Input files as every reader takes them: checked before reading, gzip told by content."""

from __future__ import annotations

import os
import pwd
from pathlib import Path
from typing import Final

from fpmscope.errors import FpmscopeError

GZIP_MAGIC: Final = b"\x1f\x8b"


def _owner(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def refuse_planted_symlink(p: Path, name: str) -> None:
    """A symlink is followed only when it is the caller's or root's.

    A log dir belongs to the pool user, who may put `www.log -> /etc/shadow` there; whoever
    runs fpmscope on that log (root) would read the other file and print a line of it as a
    malformed example. Naming the target itself on the command line still works.
    """
    hops = 0
    while p.is_symlink():
        uid = p.lstat().st_uid
        if uid not in (0, os.geteuid()):
            raise FpmscopeError(
                f"{name}: a symlink owned by {_owner(uid)}, not followed (another user may have planted it to "
                "make fpmscope read another file); give the file it points to if you mean it"
            )
        hops += 1
        if hops > 40:
            raise FpmscopeError(f"{name}: too many levels of symbolic links")
        p = p.parent / os.readlink(p)


def readable(path: str) -> Path:
    """The path, or a one-line FpmscopeError saying why it cannot be read."""
    p = Path(path)
    refuse_planted_symlink(p, path)
    if not p.exists():
        raise FpmscopeError(f"{path}: no such file")
    if p.is_dir():
        raise FpmscopeError(f"{path}: is a directory, expected a log file")
    if not os.access(p, os.R_OK):
        raise FpmscopeError(f"{path}: not readable")
    return p


def is_gzip(path: Path) -> bool:
    """By the magic bytes, not the name: rotated logs are often gzip without `.gz`."""
    try:
        with path.open("rb") as f:
            return f.read(2) == GZIP_MAGIC
    except PermissionError:
        raise FpmscopeError(f"{path}: not readable") from None
    except OSError as exc:
        raise FpmscopeError(f"{path}: cannot read: {exc.strerror}") from None
