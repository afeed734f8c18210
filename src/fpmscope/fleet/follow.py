"""Following a live log across logrotate: whole lines only, from a position that survives
restarts, the rename and the copytruncate styles of rotation.

A followed file is known by its device and inode, and by a fingerprint of its first bytes
(the inode of a deleted file can be reused; a compressed or copied log keeps its bytes but
not its inode). The position is a byte offset into the uncompressed text.

- rename (`access.log` -> `access.log.1`, a new `access.log`): the open file is the old one;
  it is read to its end (the writer may append until it reopens), then the new one from 0.
- copytruncate (`access.log` copied to `access.log.1`, then emptied): the file is shorter
  than the position, or its first bytes changed; the lines past the position are read from
  the copy (found by fingerprint among `access.log*`, gzip too), then the file from 0.
- a restart whose file was rotated meanwhile: the checkpointed file is found the same way
  (by inode, else by fingerprint), its rest is read, then the current one from 0.
A half-written last line is never read: the position stops after the last newline.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import os
import time
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Final

FINGERPRINT_BYTES: Final = 512
# How long a rotated file is still read after its last growth: the writer appends to it
# until it reopens its log (nginx after USR1, php-fpm after USR1).
ROTATE_GRACE = 1.0


@dataclass(frozen=True)
class FileId:
    """Which file: device, inode, and the hash of its first `fp_len` bytes."""

    dev: int
    ino: int
    fp: str
    fp_len: int


def fingerprint(f: IO[bytes]) -> tuple[str, int]:
    f.seek(0)
    head = f.read(FINGERPRINT_BYTES)
    return hashlib.sha256(head).hexdigest(), len(head)


def _matches(f: IO[bytes], fp: str, fp_len: int) -> bool:
    f.seek(0)
    return hashlib.sha256(f.read(fp_len)).hexdigest() == fp


def _open(path: Path) -> IO[bytes] | None:
    """The file, decompressed if it is gzip; None if it is gone or unreadable."""
    try:
        f = path.open("rb")
    except OSError:
        return None
    if f.read(2) == b"\x1f\x8b":
        f.close()
        try:
            return gzip.open(path, "rb")  # type: ignore[return-value]
        except OSError:
            return None
    f.seek(0)
    return f


def find_rotated(path: Path, ident: FileId, size_at_least: int) -> IO[bytes] | None:
    """The rotated file `ident` among `path`'s siblings (`access.log.1`, `access.log.2.gz`,
    `access.log-20261201`), open, if it still holds at least `size_at_least` bytes."""
    try:
        siblings = sorted(p for p in path.parent.iterdir() if p.name.startswith(path.name) and p.name != path.name)
    except OSError:
        return None
    by_inode: list[Path] = []
    others: list[Path] = []
    for p in siblings:
        with contextlib.suppress(OSError):
            st = p.stat()
            (by_inode if (st.st_dev, st.st_ino) == (ident.dev, ident.ino) else others).append(p)
    for p in by_inode + others:
        f = _open(p)
        if f is None:
            continue
        try:
            if _matches(f, ident.fp, ident.fp_len) and _size(f) >= size_at_least:
                return f
        except (OSError, EOFError, zlib.error):
            pass
        f.close()
    return None


def _size(f: IO[bytes]) -> int:
    """Bytes of text in `f` (a gzip file is read through, once, to know)."""
    if isinstance(f, gzip.GzipFile):
        return f.seek(0, os.SEEK_END)
    return os.fstat(f.fileno()).st_size


@dataclass
class Followed:
    """One log being followed. `pos` is how far whole lines were read; `acked` and
    `acked_id` how far ClickHouse has them (what the checkpoint holds)."""

    path: Path
    file: IO[bytes] | None = None
    ident: FileId | None = None
    pos: int = 0
    draining: bool = False  # `file` is a rotated one: read it to its end, then `path` from 0
    drained_since: float | None = None
    acked_id: FileId | None = None
    acked: int = 0
    seen: Counter[int] = field(default_factory=Counter)  # access logs: occurrence counts at `acked`
    kind: str | None = None  # "probe" or "access", from the first line ever read
    blocked: bool = False  # the last read() found no line end within its limit

    def resume(self, ident: FileId | None, offset: int, seen: Counter[int]) -> None:
        """Start from a checkpoint: the file it names at `offset`, found again if rotated."""
        self.acked_id, self.acked, self.seen = ident, offset, seen
        if ident is None:
            return
        current = _open(self.path)
        if current is not None:
            st = os.fstat(current.fileno())
            same = (st.st_dev, st.st_ino) == (ident.dev, ident.ino) and not isinstance(current, gzip.GzipFile)
            if same and _matches(current, ident.fp, ident.fp_len) and st.st_size >= offset:
                self._take(current, offset)
                return
            current.close()
        rotated = find_rotated(self.path, ident, offset)
        if rotated is not None:
            self._take(rotated, offset, draining=True)
        # else the checkpointed file is gone: the current one is read from its start

    def _take(self, f: IO[bytes], pos: int, *, draining: bool = False) -> None:
        if self.file is not None and self.file is not f:
            self.file.close()
        self.file, self.pos, self.draining, self.drained_since = f, pos, draining, None
        self.ident = self._identify(f)

    def _identify(self, f: IO[bytes]) -> FileId:
        raw = f.fileobj if isinstance(f, gzip.GzipFile) else f
        st = os.fstat(raw.fileno())
        fp, fp_len = fingerprint(f)
        return FileId(st.st_dev, st.st_ino, fp, fp_len)

    def read(self, limit: int) -> bytes:
        """Up to `limit` bytes of whole lines past `pos` (advancing it); b"" when there are none
        now, or when a rotation must be handled first (`switch_due`)."""
        if self.file is None:
            f = _open(self.path)
            if f is None:
                return b""
            self._take(f, 0)
        assert self.file is not None
        if not self.draining:
            self._check_rotation()
        assert self.file is not None
        self.file.seek(self.pos)
        data = self.file.read(limit)
        end = data.rfind(b"\n") + 1
        if end == 0 and self.draining and data and len(data) < limit and self._grace_over():
            # A rotated file's unfinished last line: it will never end. It is sent as a line
            # (the parser counts it as malformed if it is cut), not lost in silence.
            self.pos += len(data)
            self.drained_since = None
            return data + b"\n"
        self.blocked = end == 0 and len(data) == limit
        if end == 0:
            if self.draining and self.drained_since is None:
                self.drained_since = time.monotonic()
            return b""
        self.drained_since = None
        self.pos += end
        if self.ident is not None and self.ident.fp_len < FINGERPRINT_BYTES:
            self.ident = self._identify(self.file)  # the file grew: a longer fingerprint
        return data[:end]

    def _grace_over(self) -> bool:
        if self.drained_since is None:
            self.drained_since = time.monotonic()
        return time.monotonic() - self.drained_since >= ROTATE_GRACE

    def _check_rotation(self) -> None:
        """Notice a rename (another file at `path`) or a copytruncate (this file cut short, or
        its first bytes replaced)."""
        assert self.file is not None and self.ident is not None
        try:
            st = self.path.stat()
        except OSError:
            self.draining = True  # renamed, the new file not there yet
            return
        if (st.st_dev, st.st_ino) != (self.ident.dev, self.ident.ino):
            self.draining = True
            return
        cut = st.st_size < self.pos or not _matches(self.file, self.ident.fp, self.ident.fp_len)
        if not cut:
            return
        copy = find_rotated(self.path, self.ident, self.pos)
        if copy is not None:
            self._take(copy, self.pos, draining=True)
        else:  # the copy is gone or shorter: what was past `pos` cannot be read any more
            self._take(self.file, 0)

    def switch_due(self) -> bool:
        """A rotated file was read to its end and has stopped growing: `switch` next."""
        if not self.draining or self.file is None:
            return False
        self.file.seek(self.pos)
        if self.file.read(1):
            return False
        if not self.path.exists():
            return False  # wait for the new file, reading the old one as it may still grow
        return self._grace_over()

    def switch(self) -> None:
        """Leave the rotated file for the one now at `path`, from its start."""
        if self.file is not None:
            self.file.close()
        self.file, self.ident, self.pos, self.draining, self.drained_since = None, None, 0, False, None
        self.seen = Counter()
        f = _open(self.path)
        if f is not None:
            self._take(f, 0)

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None
