"""Input files as every reader takes them: checked before reading, gzip told by content."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

from fpmscope.errors import FpmscopeError

GZIP_MAGIC: Final = b"\x1f\x8b"


def readable(path: str) -> Path:
    """The path, or a one-line FpmscopeError saying why it cannot be read."""
    p = Path(path)
    if not p.exists():
        raise FpmscopeError(f"{path}: no such file")
    if p.is_dir():
        raise FpmscopeError(f"{path}: is a directory, expected a log file")
    if not os.access(p, os.R_OK):
        raise FpmscopeError(f"{path}: not readable")
    return p


def is_gzip(path: Path) -> bool:
    """By the magic bytes, not the name: rotated logs are often gzip without `.gz`."""
    with path.open("rb") as f:
        return f.read(2) == GZIP_MAGIC
