"""Input files: checked, gzip detected by content, `-` (stdin) copied to a temporary file,
and each classified as an access log or a probe log (first field `fpms2`, or `fpms1`)."""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from fpmscope.errors import FpmscopeError
from fpmscope.inputs import lines, readable, regular_copy
from fpmscope.records import FORMAT_TAG, LEGACY_TAG

SNIFF_LINES: Final = 50


def open_lines(path: Path) -> Iterator[bytes]:
    """Raw lines, without line ends, of a plain or gzip file (a truncated gzip file's lines up
    to the cut)."""
    return lines(path)


def first_lines(path: Path, n: int = SNIFF_LINES) -> list[str]:
    out: list[str] = []
    try:
        for raw in open_lines(path):
            if raw.strip():
                out.append(raw.decode("utf-8", "replace"))
            if len(out) >= n:
                break
    except (OSError, EOFError) as exc:
        raise FpmscopeError(f"{path}: cannot read: {exc}") from None
    return out


@dataclass(frozen=True, slots=True)
class Inputs:
    """Input files split by kind, stdin copied to a temporary file."""

    access: tuple[tuple[str, Path], ...]
    probe: tuple[tuple[str, Path], ...]


def classify(paths: Sequence[str], tmp: Path) -> Inputs:
    access: list[tuple[str, Path]] = []
    probe: list[tuple[str, Path]] = []
    for name in paths:
        if name == "-":
            path = tmp / "stdin"
            with path.open("wb") as out:
                shutil.copyfileobj(sys.stdin.buffer, out)
        else:
            # A FIFO gives its bytes once; the sniff below would eat the start of them.
            path = regular_copy(name, readable(name), tmp)
        head = first_lines(path, 1)
        (probe if head and head[0].startswith((FORMAT_TAG + "\t", LEGACY_TAG + "\t")) else access).append((name, path))
    return Inputs(tuple(access), tuple(probe))


def temp_dir() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="fpmscope-")
