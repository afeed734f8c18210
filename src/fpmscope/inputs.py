"""Input files as every reader takes them: checked before reading, gzip told by content."""

from __future__ import annotations

import os
import pwd
import shutil
import zlib
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import BinaryIO, Final

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


def decompressed(path: Path) -> Generator[bytes, None, bool]:
    """The gzip file's data in chunks, as far as it can be read; returns True when the data
    was whole, False when it ends early or turns corrupt after some output (a log cut by a
    full disk or a killed logrotate). Concatenated members are read as `zcat` reads them.
    FpmscopeError when not one byte comes out (gzip magic followed by junk)."""
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
    wrote = 0
    try:
        with path.open("rb") as src:
            leftover = b""
            while chunk := leftover or src.read(1 << 20):
                leftover = b""
                if inflate.eof:
                    if not chunk.startswith(GZIP_MAGIC):
                        return True  # trailing zeros or junk after the last member: zcat ignores them
                    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
                data = inflate.decompress(chunk)
                if data:
                    wrote += len(data)
                    yield data
                if inflate.eof:
                    leftover = inflate.unused_data
    except zlib.error as exc:
        if not wrote:
            raise FpmscopeError(f"{path}: not a readable gzip file ({exc})") from None
        return False
    except OSError as exc:
        raise FpmscopeError(f"{path}: cannot read: {exc.strerror}") from None
    if not wrote and not inflate.eof:
        raise FpmscopeError(f"{path}: not a readable gzip file (it ends before any data)")
    return inflate.eof


def gunzip(path: Path, out: BinaryIO) -> bool:
    """Decompress what can be read of `path` into `out`; whether it was whole (see decompressed)."""
    chunks = decompressed(path)
    while True:
        try:
            out.write(next(chunks))
        except StopIteration as done:
            return bool(done.value)


def lines(path: Path) -> Iterator[bytes]:
    """Raw lines, without line ends, of a plain or gzip file (a truncated gzip file's lines up
    to the cut)."""
    if not is_gzip(path):
        with path.open("rb") as f:
            for raw in f:
                yield raw.rstrip(b"\r\n")
        return
    rest = b""
    for chunk in decompressed(path):
        *complete, rest = (rest + chunk).split(b"\n")
        for raw in complete:
            yield raw.rstrip(b"\r")
    if rest:
        yield rest.rstrip(b"\r")


def truncated_note(path: Path | str) -> str:
    """The skipped-line example that says a gzip file was cut short."""
    return f"(gzip data of {path} is truncated: read what was there, the rest is lost)"


def regular_copy(name: str, path: Path, tmp: Path) -> Path:
    """A FIFO, a device or /dev/stdin copied to a temporary file; a regular file as it is.

    Readers look at a file more than once (the gzip sniff, the format sniff, the parser); a
    pipe gives its bytes once, so the first look ate the start of the data.
    """
    if path.is_file():
        return path
    copy = tmp / f"stream-{len(list(tmp.iterdir()))}"
    try:
        with path.open("rb") as src, copy.open("wb") as dst:
            shutil.copyfileobj(src, dst)
    except OSError as exc:
        raise FpmscopeError(f"{name}: cannot read: {exc.strerror}") from None
    return copy
