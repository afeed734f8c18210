"""Input files, made safe to read more than once, and classified as access or probe logs.

A pipe, a FIFO, `-` (stdin) or `<(cat ...)` can be read only once: such inputs are copied to a
temporary file in one pass, and so are gzip inputs (decompressed on the way, whatever their
name). Lines holding a bare CR or a NUL byte would split or stop DuckDB's line reader: the copy
leaves them out, counted, the first kept as an example. A plain file is copied only when a scan
(memchr speed, through mmap) finds such a byte in it.
"""

from __future__ import annotations

import gzip
import mmap
import re
import stat
import sys
import tempfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final

from fpmscope.errors import FpmscopeError
from fpmscope.inputs import GZIP_MAGIC, is_gzip, lines, readable, refuse_planted_symlink, truncated_note
from fpmscope.records import FORMAT_TAG, LEGACY_TAG

SNIFF_LINES: Final = 200
SNIFF_LINE_CHARS: Final = 8192  # detection looks at no more of a line than this
CHUNK: Final = 4 * 1024 * 1024
EXAMPLE_CHARS: Final = 160
_BARE_CR = re.compile(rb"\r(?!\n)")


@dataclass(frozen=True, slots=True)
class Input:
    """One input as given (`name`) and the file to read (`path`), with the lines the copy
    left out (bare CR or NUL) and the first of them."""

    name: str
    path: Path
    dropped: int = 0
    dropped_example: str | None = None


def open_lines(path: Path) -> Iterator[bytes]:
    """Raw lines, without line ends, of a plain or gzip file (a truncated gzip file's lines up
    to the cut)."""
    return lines(path)


def first_lines(path: Path, n: int = SNIFF_LINES, cap: int = SNIFF_LINE_CHARS) -> list[str]:
    """The first `n` non-empty lines, each cut at `cap` characters: a 10 MB line costs detection
    no more than a short one (the rest of it is read past, never kept)."""
    out: list[str] = []
    try:
        with path.open("rb") as f:
            zipped = f.read(2) == GZIP_MAGIC
            f.seek(0)
            src: IO[bytes] = gzip.GzipFile(fileobj=f) if zipped else f  # type: ignore[assignment]
            while len(out) < n:
                raw = src.readline(cap)
                if not raw:
                    break
                if not raw.endswith(b"\n"):
                    while (more := src.readline(CHUNK)) and not more.endswith(b"\n"):
                        pass
                raw = raw.rstrip(b"\r\n")
                if raw.strip():
                    out.append(raw.decode("utf-8", "replace"))
    except (OSError, EOFError, zlib.error) as exc:
        raise FpmscopeError(f"{path}: cannot read: {exc}") from None
    return out


def _drop_bad(chunk: bytes, state: list[object]) -> bytes:
    """`chunk` (whole lines) without the lines holding a bare CR or a NUL; counts them in state."""
    if b"\x00" not in chunk and (b"\r" not in chunk or _BARE_CR.search(chunk) is None):
        return chunk  # the usual case, CRLF line ends included
    kept: list[bytes] = []
    for line in chunk.split(b"\n"):
        body = line[:-1] if line.endswith(b"\r") else line
        if b"\r" in body or b"\x00" in body:
            state[0] = int(str(state[0])) + 1
            if state[1] is None:
                state[1] = body[:EXAMPLE_CHARS].decode("utf-8", "replace")
            continue
        kept.append(line)
    return b"\n".join(kept)


def _copy(src: IO[bytes], dest: Path) -> tuple[int, str | None]:
    """Copy `src` to `dest` in chunks, gzip members decompressed, bad lines dropped."""
    state: list[object] = [0, None]
    head = src.read(2)
    blocks: Iterator[bytes] = iter(lambda: src.read(CHUNK), b"")
    if head == GZIP_MAGIC:
        blocks = _gunzip(head, blocks)
        head = b""
    carry = head
    cut_short = False
    with dest.open("wb") as out:
        try:
            for block in blocks:
                block = carry + block
                cut = block.rfind(b"\n") + 1
                carry = block[cut:]
                out.write(_drop_bad(block[:cut], state))
        except (EOFError, zlib.error, gzip.BadGzipFile):
            # A gzip stream cut short (a full disk, a killed logrotate) or junk after the
            # magic: keep what was written, count the cut as one bad line. Its last partial
            # line is lost with it.
            cut_short, carry = True, b""
        except OSError as exc:
            raise FpmscopeError(f"cannot read input: {exc}") from None
        if carry:
            out.write(_drop_bad(carry + b"\n", state))
    dropped, example = int(str(state[0])), state[1] if isinstance(state[1], str) else None
    if cut_short:
        return dropped + 1, example or truncated_note(dest.name if src is sys.stdin.buffer else "input")
    return dropped, example


def _gunzip(head: bytes, raw: Iterator[bytes]) -> Iterator[bytes]:
    """Decompressed bytes of gzip members, as far as they can be read; a member cut short
    raises EOFError after what it held was given out (GzipFile gives nothing of a block
    that ends early)."""
    member = zlib.decompressobj(wbits=31)
    fed = False
    for block in _chain(head, raw):
        data = block
        while data:
            fed = True
            yield member.decompress(data)
            if not member.eof:
                break
            data = member.unused_data
            member, fed = zlib.decompressobj(wbits=31), False
    if fed and not member.eof:
        raise EOFError("gzip stream cut short")


def _chain(head: bytes, raw: Iterator[bytes]) -> Iterator[bytes]:
    yield head
    yield from raw


def _needs_copy(path: Path) -> bool:
    """A plain regular file needs a copy only when it holds a NUL or a bare CR."""
    if path.stat().st_size == 0:
        return False
    with path.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        if mm.find(b"\x00") >= 0:
            return True
        return mm.find(b"\r") >= 0 and _BARE_CR.search(mm) is not None


def prepare(name: str, tmp: Path, index: int) -> Input:
    """The input `name` as a plain file that may be read many times."""
    dest = tmp / f"input-{index}.log"
    if name == "-":
        dropped, example = _copy(sys.stdin.buffer, dest)
        return Input(name, dest, dropped, example)
    path = Path(name)
    refuse_planted_symlink(path, name)
    try:
        mode = path.stat().st_mode
    except OSError:
        mode = 0
    if mode and not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
        with path.open("rb") as f:  # a FIFO, a pipe, a character device: read once, here
            dropped, example = _copy(f, dest)
        return Input(name, dest, dropped, example)
    path = readable(name)
    if is_gzip(path) or _needs_copy(path):
        with path.open("rb") as f:
            dropped, example = _copy(f, dest)
        return Input(name, dest, dropped, example)
    return Input(name, path)


@dataclass(frozen=True, slots=True)
class Inputs:
    """Input files split by kind."""

    access: tuple[Input, ...]
    probe: tuple[Input, ...]


def classify(paths: Sequence[str], tmp: Path) -> Inputs:
    access: list[Input] = []
    probe: list[Input] = []
    for i, name in enumerate(paths):
        item = prepare(name, tmp, i)
        head = first_lines(item.path, 1)
        (probe if head and head[0].startswith((FORMAT_TAG + "\t", LEGACY_TAG + "\t")) else access).append(item)
    return Inputs(tuple(access), tuple(probe))


def temp_dir() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="fpmscope-")
